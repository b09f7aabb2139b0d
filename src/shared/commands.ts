/**
 * Commands a view may send to the engine, validated here so that the Electron IPC handler, the
 * WebSocket bridge and the renderer's forms all apply the same rules.
 */
import { z } from 'zod';
import type { HistoryView } from './contract';
import { DECIMAL_RE, describe } from './decimal';
import { paramsPatchSchema } from './params';

const venue = z.enum(['L', 'E']);
const side = z.enum(['buy', 'sell']);
const positiveQty = z
  .string()
  .regex(DECIMAL_RE, 'expected a plain decimal number such as "0.05"')
  .refine((text) => !text.startsWith('-') && /[1-9]/.test(text), 'must be greater than 0');

export const commandSchema = z.discriminatedUnion('type', [
  /** Arming on MAINNET needs `confirmMainnet: true`: the console asks the trader first. */
  z.object({ type: z.literal('arm'), confirmMainnet: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('disarm') }).strict(),
  /** Disarm and cancel every live order on both venues. */
  z.object({ type: z.literal('kill') }).strict(),
  /** Kill, then close both legs with market orders. */
  z.object({ type: z.literal('flatten'), confirm: z.literal(true) }).strict(),
  /** Hedge the current unhedged quantities now, whatever the threshold. */
  z.object({ type: z.literal('hedgeUnhedged'), confirm: z.literal(true) }).strict(),
  /** A market order of a chosen quantity, side and venue. */
  z
    .object({
      type: z.literal('manualHedge'),
      venue,
      side,
      qty: positiveQty,
      confirm: z.literal(true),
      /** Needed when the order would raise |net| above minHedgeQty or a position above MAX_POSITION_VALUE. */
      overrideLimits: z.literal(true).optional()
    })
    .strict(),
  z.object({ type: z.literal('setParams'), params: paramsPatchSchema }).strict(),
  z.object({ type: z.literal('ackAlarm'), id: z.string().min(1).max(200) }).strict(),
  /** Cancel one resting order of ours (the maker's quote, or an adopted one). */
  z.object({ type: z.literal('cancelOrder'), venue, clientId: z.string().regex(/^[\w:-]{1,64}$/, 'expected a client order id') }).strict(),
  /** DEMO only: make the built-in emulators misbehave, to see the console's alarms and recovery. */
  z.object({ type: z.literal('demoFault'), venue, fault: z.enum(['drop', 'stale', 'resume', 'rejectOrders', 'rateLimit', 'duplicateFills']) }).strict()
]);

export type Command = z.infer<typeof commandSchema>;

const epochMs = z.number().int().min(0).max(8.64e15);

export const querySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('history'), limit: z.number().int().min(1).max(5000).optional() }).strict(),
  /** The journal as CSV (ISO times, plain decimals): one table, the whole journal or [from, to) in epoch ms. */
  z
    .object({
      type: z.literal('export'),
      table: z.enum(['fills', 'hedges', 'orders', 'trips']),
      from: epochMs.optional(),
      to: epochMs.optional()
    })
    .strict()
]);
export type QueryRequest = z.infer<typeof querySchema>;
export type QueryResult =
  | { ok: true; history: HistoryView }
  | { ok: true; export: { table: string; rows: number; truncated: boolean; csv: string } }
  | { ok: false; error: CommandError };

export type CommandErrorCode = 'INVALID_COMMAND' | 'FORBIDDEN' | 'REJECTED' | 'UNAVAILABLE' | 'INTERNAL';
export interface CommandError {
  code: CommandErrorCode;
  message: string;
  /** Dotted path of the offending field, e.g. "params.minSpread". */
  field?: string;
  /** The offending value, JSON-encoded and shortened. */
  value?: string;
}
export type CommandResult = { ok: true; message: string } | { ok: false; error: CommandError };

export function commandError(code: CommandErrorCode, message: string, extra: Partial<CommandError> = {}): CommandResult {
  return { ok: false, error: { code, message, ...extra } };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Validates an untrusted command; the error names the field and the value. */
export function parseCommand(raw: unknown): { ok: true; command: Command } | { ok: false; result: CommandResult } {
  return parseWith(commandSchema, raw);
}

/** Validates an untrusted query the same way. */
export function parseQuery(raw: unknown): { ok: true; command: QueryRequest } | { ok: false; result: CommandResult } {
  return parseWith(querySchema, raw);
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; command: T } | { ok: false; result: CommandResult } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, command: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return { ok: false, result: commandError('INVALID_COMMAND', 'invalid command') };
  let path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path = [...path, issue.keys[0] as string];
  const field = path.length > 0 ? path.join('.') : '(command)';
  const value = describe(path.length > 0 ? valueAt(raw, path) : raw);
  return {
    ok: false,
    result: commandError('INVALID_COMMAND', `${field}: ${issue.message} (got ${value})`, { field, value })
  };
}
