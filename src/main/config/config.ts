/**
 * Configuration: `.env` (optional) merged under the process environment, validated with zod.
 * One table below defines every field: its default, unit and meaning. `.env.example` is generated
 * from it (`npm run env:example`) and a test keeps the two identical.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import Decimal from 'decimal.js';
import { z } from 'zod';
import { LIGHTER_TIERS, type LighterTier } from '../../shared/lighterTiers';
import { DECIMAL_RE, describe } from '../../shared/decimal';
import type { Mode } from '../../shared/contract';
import { PARAM_KEYS, PARAM_SPECS, paramsConflict, paramValueSchema, type StrategyParams } from '../../shared/params';

interface FieldSpec {
  env: string;
  /** Default as written in .env.example; '' = unset. */
  default: string;
  unit: string;
  doc: string;
  /** Never printed, not even in an error message. */
  secret?: boolean;
  schema: z.ZodType;
  group: string;
}

const decimalText = (min: string, max: string) =>
  z
    .string()
    .regex(DECIMAL_RE, 'expected a plain decimal number such as "0.0002"')
    .refine((text) => !DECIMAL_RE.test(text) || (new Decimal(text).gte(min) && new Decimal(text).lte(max)), `must be between ${min} and ${max}`);
const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`));
const optionalText = <T extends z.ZodType>(schema: T) => z.union([z.literal('').transform(() => undefined), schema]);
const requiredUrl = (protocols: string[]) =>
  z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    `expected a ${protocols.join(' or ')} URL`
  );
const url = (protocols: string[]) => optionalText(requiredUrl(protocols));
const hex = (bytes: number) =>
  optionalText(z.string().regex(new RegExp(`^(0x)?[0-9a-fA-F]{1,${bytes * 2}}$`), `expected a hex string of at most ${bytes} bytes`));

// `as const satisfies`: each field keeps its own schema type, so the loaded values are typed from this table.
const FIELDS = [
  {
    group: 'General',
    env: 'NETWORK',
    default: 'demo',
    unit: 'demo|paper|testnet|mainnet',
    doc: "demo runs both venues as local emulators with no keys; paper trades the real venues' public books and trades (mainnet by default, or the URL overrides below) with orders matched locally, no keys; testnet and mainnet need the keys below.",
    schema: z.enum(['demo', 'paper', 'testnet', 'mainnet'])
  },
  {
    group: 'General',
    env: 'DATA_DIR',
    default: '',
    unit: 'path',
    doc: "Data folder (journal, logs, saved parameters). Empty: Electron's userData folder, or ~/.lx-hedge headless.",
    schema: z.string()
  },
  {
    group: 'General',
    env: 'LOG_DIR',
    default: '',
    unit: 'path',
    doc: 'Log folder. Empty: DATA_DIR/logs.',
    schema: z.string()
  },
  {
    group: 'General',
    env: 'LOG_LEVEL',
    default: 'info',
    unit: 'debug|info|warn|error',
    doc: 'Lowest level written to the main log.',
    schema: z.enum(['debug', 'info', 'warn', 'error'])
  },
  {
    group: 'General',
    env: 'RECORD_FRAMES',
    default: 'false',
    unit: 'true|false',
    doc: 'Write every raw frame received from both venues, with its receive time, to DATA_DIR/recordings (for replays).',
    schema: z.enum(['true', 'false']).transform((text) => text === 'true')
  },
  {
    group: 'General',
    env: 'JOURNAL_RETENTION_DAYS',
    default: '30',
    unit: 'days, 0 = keep all',
    doc: 'Decisions, orders and replies older than this leave the journal (hourly); fills and hedges are kept for PnL history.',
    schema: intText(0, 36_500)
  },
  {
    group: 'Demo',
    env: 'DEMO_SEED',
    default: '0',
    unit: 'integer, 0 = random',
    doc: 'Seed of the emulated market in NETWORK=demo: the same seed gives the same market.',
    schema: intText(0, 2 ** 31)
  },
  {
    group: 'Demo',
    env: 'DEMO_SPEED',
    default: '1',
    unit: 'x real time',
    doc: 'Speed of the emulated market in NETWORK=demo (10 = ten times faster).',
    schema: intText(1, 100)
  },
  {
    group: 'Headless',
    env: 'HEADLESS_HOST',
    default: '127.0.0.1',
    unit: 'address',
    doc: 'Address the headless console listens on. Keep it on loopback and reach it through an SSH tunnel.',
    schema: z.string().min(1, 'must not be empty')
  },
  {
    group: 'Headless',
    env: 'HEADLESS_PORT',
    default: '8787',
    unit: 'TCP port, 0 = any free port',
    doc: 'Port of the headless console (HTTP and WebSocket).',
    schema: intText(0, 65535)
  },
  {
    group: 'Strategy',
    env: 'SEED_UNHEDGED_ON',
    default: 'L',
    unit: 'L|E',
    doc: 'At start-up the net position invL + invE is seeded as unhedged on this venue (and hedged on the other).',
    schema: z.enum(['L', 'E'])
  },
  {
    group: 'Strategy',
    env: 'RECONCILE_MS',
    default: '10000',
    unit: 'ms, 0 = off',
    doc: 'Every this often, positions and open orders are read from both venues over REST and compared with the engine (the venue wins).',
    schema: intText(0, 3_600_000)
  },
  {
    group: 'Strategy',
    env: 'STARTUP_OPEN_ORDERS',
    default: 'cancel',
    unit: 'cancel|adopt',
    doc: 'Orders of an earlier run found at start-up: cancelled and confirmed gone, or adopted (kept resting, their fills hedged; arming cancels them).',
    schema: z.enum(['cancel', 'adopt'])
  },
  ...((['L', 'E'] as const).flatMap((venue) =>
    (['MAKER', 'TAKER'] as const).map((role) => ({
      group: 'Fees',
      env: `FEE_${venue}_${role}` as const,
      default: venue === 'E' && role === 'TAKER' ? '0.00025' : '0',
      unit: 'fraction of notional',
      doc: `${venue === 'L' ? 'Lighter' : 'Extended'} ${role.toLowerCase()} fee rate, for the net-of-fees spreads (0.00025 = 2.5 bps).`,
      schema: decimalText('-0.01', '0.01')
    }))
  ) satisfies FieldSpec[]),
  { group: 'Lighter', env: 'LIGHTER_MARKET', default: 'ETH', unit: 'symbol', doc: 'Lighter market symbol.', schema: z.string().min(1) },
  {
    group: 'Lighter',
    env: 'LIGHTER_REST_URL',
    default: '',
    unit: 'URL',
    doc: 'Override of the REST base URL (empty: the network default).',
    schema: url(['http:', 'https:'])
  },
  {
    group: 'Lighter',
    env: 'LIGHTER_WS_URL',
    default: '',
    unit: 'URL',
    doc: 'Override of the WebSocket URL (empty: the network default).',
    schema: url(['ws:', 'wss:'])
  },
  {
    group: 'Lighter',
    env: 'LIGHTER_ACCOUNT_TIER',
    default: 'standard',
    unit: 'standard|premium',
    doc: 'Lighter account tier: Standard pays no fee, but the venue delays takers 300 ms and makers and cancels 200 ms; Premium pays 0.004 % maker / 0.028 % taker (FEE_L_* default to these) with 0 ms maker and cancel and ~200 ms taker delay.',
    schema: z.enum(['standard', 'premium'])
  },
  {
    group: 'Lighter',
    env: 'LIGHTER_REQUESTS_PER_MINUTE',
    default: '60',
    unit: 'requests a minute',
    doc: 'Request budget of the account tier (Standard: 60, REST and txs together). Cancels go first when the budget is short.',
    schema: intText(1, 100_000)
  },
  {
    group: 'Lighter',
    env: 'LIGHTER_API_PRIVATE_KEY',
    default: '',
    unit: 'hex, 40 bytes',
    doc: 'API key private key (from the Lighter API key page). Secret.',
    secret: true,
    schema: hex(40)
  },
  {
    group: 'Lighter',
    env: 'LIGHTER_ACCOUNT_INDEX',
    default: '',
    unit: 'integer',
    doc: 'Account index.',
    schema: optionalText(intText(0, Number.MAX_SAFE_INTEGER))
  },
  { group: 'Lighter', env: 'LIGHTER_API_KEY_INDEX', default: '', unit: 'integer 0..254', doc: 'API key index.', schema: optionalText(intText(0, 254)) },
  { group: 'Extended', env: 'EXTENDED_MARKET', default: 'ETH-USD', unit: 'symbol', doc: 'Extended market name.', schema: z.string().min(1) },
  {
    group: 'Extended',
    env: 'EXTENDED_REST_URL',
    default: '',
    unit: 'URL',
    doc: 'Override of the REST base URL, ending in /api/v1 (empty: the network default).',
    schema: url(['http:', 'https:'])
  },
  {
    group: 'Extended',
    env: 'EXTENDED_WS_URL',
    default: '',
    unit: 'URL',
    doc: 'Override of the stream base URL (empty: the network default).',
    schema: url(['ws:', 'wss:'])
  },
  {
    group: 'Extended',
    env: 'EXTENDED_API_KEY',
    default: '',
    unit: 'text',
    doc: 'API key of the sub-account. Secret.',
    secret: true,
    schema: optionalText(z.string().regex(/^[\w-]{8,128}$/, 'expected 8 to 128 letters, digits, - or _'))
  },
  {
    group: 'Extended',
    env: 'EXTENDED_STARK_PRIVATE_KEY',
    default: '',
    unit: 'hex, 32 bytes',
    doc: 'Stark private key of the sub-account. Secret.',
    secret: true,
    schema: hex(32)
  },
  {
    group: 'Extended',
    env: 'EXTENDED_STARK_PUBLIC_KEY',
    default: '',
    unit: 'hex, 32 bytes',
    doc: 'Stark public key of the sub-account (optional: derived from the private key, and checked against it when set).',
    schema: hex(32)
  },
  {
    group: 'Extended',
    env: 'EXTENDED_VAULT_ID',
    default: '',
    unit: 'integer',
    doc: 'Vault (position) id of the sub-account.',
    schema: optionalText(intText(0, Number.MAX_SAFE_INTEGER))
  },
  {
    group: 'Telegram',
    env: 'TELEGRAM_BOT_TOKEN',
    default: '',
    unit: 'text',
    doc: 'Bot token for hedge-failure messages (empty: no Telegram). Secret.',
    secret: true,
    schema: optionalText(z.string().regex(/^\d+:[\w-]+$/, 'expected <digits>:<token>'))
  },
  {
    group: 'Telegram',
    env: 'TELEGRAM_CHAT_ID',
    default: '',
    unit: 'text',
    doc: 'Chat id that receives them.',
    schema: optionalText(z.string().regex(/^-?\d+$|^@\w+$/, 'expected a numeric chat id or @channel'))
  },
  {
    group: 'Telegram',
    env: 'TELEGRAM_API_URL',
    default: 'https://api.telegram.org',
    unit: 'URL',
    doc: 'Telegram Bot API base URL (tests point it at a local server).',
    schema: requiredUrl(['http:', 'https:'])
  }
] as const satisfies readonly FieldSpec[];

/** The loaded value of every field in FIELDS, typed by its schema (strategy parameters apart: see params). */
type FieldValues = { -readonly [F in (typeof FIELDS)[number] as F['env']]: z.output<F['schema']> };

/** Strategy parameters are configured by env name too; their rules live in shared/params.ts. */
function paramFields(): FieldSpec[] {
  return PARAM_KEYS.map((key) => {
    const spec = PARAM_SPECS[key];
    const valueSchema = paramValueSchema(spec);
    // .env values are text: turn them into the contract's types, then apply the shared rules.
    const schema = z.string().transform((text, context) => {
      let value: unknown = text;
      if (spec.kind === 'int') value = /^-?\d+$/.test(text) ? Number(text) : text;
      if (spec.kind === 'bool') value = text === 'true' ? true : text === 'false' ? false : text;
      const checked = valueSchema.safeParse(value);
      if (checked.success) return checked.data;
      context.addIssue({ code: 'custom', message: checked.error.issues[0]?.message ?? 'invalid' });
      return z.NEVER;
    });
    return { group: 'Strategy', env: spec.env, default: String(spec.default), unit: spec.unit, doc: spec.doc, schema };
  });
}

export const CONFIG_FIELDS: readonly FieldSpec[] = [...FIELDS, ...paramFields()];

export type Network = 'demo' | 'paper' | 'testnet' | 'mainnet';

export interface AppConfig {
  network: Network;
  mode: Mode;
  dataDir: string;
  logDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  recordFrames: boolean;
  journalRetentionDays: number;
  demo: { seed: number; speed: number };
  headless: { host: string; port: number };
  params: StrategyParams;
  seedUnhedgedOn: 'L' | 'E';
  reconcileMs: number;
  startupOpenOrders: 'cancel' | 'adopt';
  fees: { L: { maker: string; taker: string }; E: { maker: string; taker: string } };
  lighter: {
    tier: LighterTier;
    market: string;
    restUrl?: string;
    wsUrl?: string;
    requestsPerMinute: number;
    apiPrivateKey?: string;
    accountIndex?: number;
    apiKeyIndex?: number;
  };
  extended: {
    market: string;
    restUrl?: string;
    wsUrl?: string;
    apiKey?: string;
    starkPrivateKey?: string;
    starkPublicKey?: string;
    vaultId?: number;
  };
  telegram: { botToken?: string; chatId?: string; apiUrl: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Usually process.env; wins over the .env file. */
  env: Record<string, string | undefined>;
  /** Path of the .env file; a missing file is fine (the defaults run the demo). */
  envFile?: string;
  /** DATA_DIR when unset: Electron's userData, or ~/.lx-hedge headless. */
  defaultDataDir?: string;
  /** Base for relative paths. */
  cwd?: string;
}

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([`${path}: cannot be read (${(error as Error).message})`]);
  }
  return parseEnv(text) as Record<string, string>;
}

function shown(field: FieldSpec, value: unknown): string {
  if (field.secret) return typeof value === 'string' ? `<secret, ${value.length} characters>` : '<secret>';
  return describe(value);
}

export function loadConfig(options: LoadConfigOptions): AppConfig {
  const fromFile = options.envFile ? readEnvFile(options.envFile) : {};
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of CONFIG_FIELDS) {
    const raw = options.env[field.env] ?? fromFile[field.env] ?? field.default;
    const parsed = field.schema.safeParse(raw.trim());
    if (parsed.success) values[field.env] = parsed.data;
    else problems.push(`${field.env}=${shown(field, raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${field.unit})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  // Every field parsed with its own schema above: the values have the types FIELDS declares.
  const v = values as FieldValues;
  const network = v.NETWORK;
  const cwd = options.cwd ?? process.cwd();
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(cwd, path));
  const dataDir = absolute(v.DATA_DIR || options.defaultDataDir || join(homedir(), '.lx-hedge'));
  const params = {} as Record<string, unknown>;
  for (const key of PARAM_KEYS) params[key] = values[PARAM_SPECS[key].env];
  const conflict = paramsConflict(params as StrategyParams);
  if (conflict) throw new ConfigError([conflict.text]);

  const config: AppConfig = {
    network,
    mode: network === 'demo' ? 'DEMO' : network === 'paper' ? 'PAPER' : network === 'testnet' ? 'TESTNET' : 'MAINNET',
    dataDir,
    logDir: v.LOG_DIR ? absolute(v.LOG_DIR) : join(dataDir, 'logs'),
    logLevel: v.LOG_LEVEL,
    recordFrames: v.RECORD_FRAMES,
    journalRetentionDays: v.JOURNAL_RETENTION_DAYS,
    demo: { seed: v.DEMO_SEED || Math.floor(Math.random() * 1_000_000) + 1, speed: v.DEMO_SPEED },
    headless: { host: v.HEADLESS_HOST, port: v.HEADLESS_PORT },
    params: params as StrategyParams,
    seedUnhedgedOn: v.SEED_UNHEDGED_ON,
    reconcileMs: v.RECONCILE_MS,
    startupOpenOrders: v.STARTUP_OPEN_ORDERS,
    fees: {
      // Lighter's fees follow its tier unless FEE_L_* are set.
      L: {
        maker: (options.env.FEE_L_MAKER ?? fromFile.FEE_L_MAKER) ? v.FEE_L_MAKER : LIGHTER_TIERS[v.LIGHTER_ACCOUNT_TIER].makerFee,
        taker: (options.env.FEE_L_TAKER ?? fromFile.FEE_L_TAKER) ? v.FEE_L_TAKER : LIGHTER_TIERS[v.LIGHTER_ACCOUNT_TIER].takerFee
      },
      E: { maker: v.FEE_E_MAKER, taker: v.FEE_E_TAKER }
    },
    lighter: {
      market: v.LIGHTER_MARKET,
      restUrl: v.LIGHTER_REST_URL,
      wsUrl: v.LIGHTER_WS_URL,
      requestsPerMinute: v.LIGHTER_REQUESTS_PER_MINUTE,
      tier: v.LIGHTER_ACCOUNT_TIER,
      apiPrivateKey: v.LIGHTER_API_PRIVATE_KEY,
      accountIndex: v.LIGHTER_ACCOUNT_INDEX,
      apiKeyIndex: v.LIGHTER_API_KEY_INDEX
    },
    extended: {
      market: v.EXTENDED_MARKET,
      restUrl: v.EXTENDED_REST_URL,
      wsUrl: v.EXTENDED_WS_URL,
      apiKey: v.EXTENDED_API_KEY,
      starkPrivateKey: v.EXTENDED_STARK_PRIVATE_KEY,
      starkPublicKey: v.EXTENDED_STARK_PUBLIC_KEY,
      vaultId: v.EXTENDED_VAULT_ID
    },
    telegram: {
      botToken: v.TELEGRAM_BOT_TOKEN,
      chatId: v.TELEGRAM_CHAT_ID,
      apiUrl: v.TELEGRAM_API_URL
    }
  };

  if (network === 'testnet' || network === 'mainnet') {
    const required = [
      'LIGHTER_API_PRIVATE_KEY',
      'LIGHTER_ACCOUNT_INDEX',
      'LIGHTER_API_KEY_INDEX',
      // The Stark public key follows from the private key; when set it is checked against it.
      'EXTENDED_API_KEY',
      'EXTENDED_STARK_PRIVATE_KEY',
      'EXTENDED_VAULT_ID'
    ];
    const missing = required.filter((env) => values[env] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(missing.map((env) => `${env}=${describe('')}: required when NETWORK=${network}`));
    }
  }
  if ((config.telegram.botToken === undefined) !== (config.telegram.chatId === undefined)) {
    throw new ConfigError(['TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID: set both or neither']);
  }
  return config;
}

/** The text of .env.example, generated from the field table. */
export function renderEnvExample(): string {
  const lines = [
    '# LX Hedge configuration. Copy to .env and edit; every field is optional.',
    '# With no keys at all (NETWORK=demo) the console runs against the built-in venue emulators.',
    '# Generated from src/main/config/config.ts by `npm run env:example`: edit there, not here.',
    ''
  ];
  let group = '';
  for (const field of CONFIG_FIELDS) {
    if (field.group !== group) {
      group = field.group;
      lines.push(`# --- ${group} ---`);
    }
    lines.push(`# ${field.doc} [${field.unit}; default: ${field.default === '' ? 'unset' : field.default}]`);
    lines.push(`${field.env}=${field.default}`);
  }
  return `${lines.join('\n')}\n`;
}
