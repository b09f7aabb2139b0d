/**
 * Strategy parameters: one specification drives the .env config, the live "setParams" command and
 * the console's editor, so a rule (range, unit, default) is written once.
 */
import Decimal from 'decimal.js';
import { z } from 'zod';
import { DECIMAL_RE } from './decimal';

type DecimalSpec = {
  kind: 'decimal';
  min: string;
  max: string;
  /** true: the value must be strictly greater than min. */
  minExclusive?: boolean;
  default: string;
};
type IntSpec = { kind: 'int'; min: number; max: number; default: number };
type BoolSpec = { kind: 'bool'; default: boolean };
export type ParamSpec = (DecimalSpec | IntSpec | BoolSpec) & { env: string; unit: string; doc: string };

export const PARAM_SPECS = {
  minSpread: {
    kind: 'decimal',
    env: 'MIN_SPREAD',
    min: '-100',
    max: '100',
    default: '0.05',
    unit: '%',
    doc: 'Entry threshold: a combo qualifies when its spread is greater than this (percent of the buy price).'
  },
  spreadTp: {
    kind: 'decimal',
    env: 'SPREAD_TP',
    min: '-100',
    max: '100',
    default: '0.02',
    unit: '%',
    doc: 'Exit target: an exit qualifies when its spread plus the INV spread is greater than this.'
  },
  ttMinHits: {
    kind: 'int',
    env: 'TT_MIN_HITS',
    min: 1,
    max: 1000,
    default: 3,
    unit: 'book updates',
    doc: 'Consecutive qualifying book updates before a taker-taker (TT) trade is sent.'
  },
  enableTt: {
    kind: 'bool',
    env: 'ENABLE_TT',
    default: false,
    unit: 'true|false',
    doc: 'Allow taker-taker trades (both legs market orders).'
  },
  ttOnly: {
    kind: 'bool',
    env: 'TT_ONLY',
    default: false,
    unit: 'true|false',
    doc: 'Only taker-taker trades: no maker quotes, and the hedge engine is not started.'
  },
  maxPositionValue: {
    kind: 'decimal',
    env: 'MAX_POSITION_VALUE',
    min: '0',
    max: '100000000',
    default: '1000',
    unit: 'USD',
    doc: 'Entries stop once either leg is worth this much (0 blocks all entries).'
  },
  orderValue: {
    kind: 'decimal',
    env: 'ORDER_VALUE',
    min: '0',
    minExclusive: true,
    max: '10000000',
    default: '100',
    unit: 'USD',
    doc: 'Value of one order; size = ORDER_VALUE / price, rounded down to the venue step.'
  },
  repriceTick: {
    kind: 'decimal',
    env: 'REPRICE_TICK',
    min: '0',
    max: '0.1',
    default: '0.0001',
    unit: 'fraction of price',
    doc: 'A live maker order is left alone while it is within this fraction of the wanted price (0.0001 = 0.01%).'
  },
  slippageL: {
    kind: 'decimal',
    env: 'SLIPPAGE_L',
    min: '0',
    max: '0.1',
    default: '0.005',
    unit: 'fraction of price',
    doc: 'Price cap of a Lighter "market" (IOC) order beyond the best opposite price.'
  },
  slippageE: {
    kind: 'decimal',
    env: 'SLIPPAGE_E',
    min: '0',
    max: '0.1',
    default: '0.005',
    unit: 'fraction of price',
    doc: 'Price cap of an Extended "market" (IOC) order beyond the best opposite price.'
  },
  staleBookMs: {
    kind: 'int',
    env: 'STALE_BOOK_MS',
    min: 100,
    max: 600000,
    default: 1500,
    unit: 'ms',
    doc: 'A book not updated for this long is stale: quoting stops and live maker orders are cancelled.'
  },
  hedgeMaxRetries: {
    kind: 'int',
    env: 'HEDGE_MAX_RETRIES',
    min: 1,
    max: 1000,
    default: 100,
    unit: 'attempts',
    doc: 'Attempts of one hedge before the alarm, the Telegram message and the disarm.'
  },
  hedgeRetryDelayMs: {
    kind: 'int',
    env: 'HEDGE_RETRY_DELAY_MS',
    min: 10,
    max: 10000,
    default: 100,
    unit: 'ms',
    doc: 'Pause between two hedge attempts (a refused hedge backs off from it, doubling up to 5 s).'
  },
  hedgeAlarmMs: {
    kind: 'int',
    env: 'HEDGE_ALARM_MS',
    min: 100,
    max: 600000,
    default: 2000,
    unit: 'ms',
    doc: 'Unhedged at or above minHedgeQty for longer than this (both books ready) raises hedge_delayed.'
  }
} as const satisfies Record<string, ParamSpec>;

/** The longest decimal parameter text accepted. */
export const MAX_DECIMAL_CHARS = 30;

/**
 * Rules between parameters that each range alone cannot say: one hedge's attempts must end within
 * HEDGE_ATTEMPTS_SPAN_MS (a hedge still failing after 10 minutes is the trader's, not a loop's).
 * Returns the problem, or null.
 */
export const HEDGE_ATTEMPTS_SPAN_MS = 600_000;
export function paramsConflict(params: Pick<StrategyParams, 'hedgeMaxRetries' | 'hedgeRetryDelayMs'>): { field: ParamKey; text: string } | null {
  const span = params.hedgeMaxRetries * params.hedgeRetryDelayMs;
  if (span > HEDGE_ATTEMPTS_SPAN_MS)
    return {
      field: 'hedgeMaxRetries',
      text: `HEDGE_MAX_RETRIES ${params.hedgeMaxRetries} x HEDGE_RETRY_DELAY_MS ${params.hedgeRetryDelayMs} = ${span / 1000} s of attempts: at most ${HEDGE_ATTEMPTS_SPAN_MS / 1000} s`
    };
  return null;
}

export type ParamKey = keyof typeof PARAM_SPECS;
type ValueOf<S> = S extends { kind: 'decimal' } ? string : S extends { kind: 'int' } ? number : boolean;
export type StrategyParams = { -readonly [K in ParamKey]: ValueOf<(typeof PARAM_SPECS)[K]> };

export const PARAM_KEYS = Object.keys(PARAM_SPECS) as ParamKey[];

function rangeText(spec: DecimalSpec | IntSpec): string {
  const lower = spec.kind === 'decimal' && spec.minExclusive ? `> ${spec.min}` : `>= ${spec.min}`;
  return `${lower} and <= ${spec.max}`;
}

/** The zod schema of one parameter's value as it travels in the contract (decimals as strings). */
export function paramValueSchema(spec: ParamSpec): z.ZodType {
  switch (spec.kind) {
    case 'decimal':
      return (
        z
          .string({ error: 'expected a decimal number as a string' })
          // Every range here is met within 30 characters; a 60 KB "number" only bloats snapshots and params.json.
          .max(MAX_DECIMAL_CHARS, `at most ${MAX_DECIMAL_CHARS} characters`)
          .regex(DECIMAL_RE, 'expected a plain decimal number such as "0.05"')
          .refine(
            (text) => {
              // zod runs every check even after the regex failed: guard before parsing.
              if (!DECIMAL_RE.test(text)) return true;
              const value = new Decimal(text);
              const aboveMin = spec.minExclusive ? value.gt(spec.min) : value.gte(spec.min);
              return aboveMin && value.lte(spec.max);
            },
            `must be ${rangeText(spec)}`
          )
      );
    case 'int':
      return z
        .number({ error: 'expected a whole number' })
        .int('expected a whole number')
        .min(spec.min, `must be ${rangeText(spec)}`)
        .max(spec.max, `must be ${rangeText(spec)}`);
    case 'bool':
      return z.boolean({ error: 'expected true or false' });
  }
}

function paramShape(): Record<ParamKey, z.ZodType> {
  const shape = {} as Record<ParamKey, z.ZodType>;
  for (const key of PARAM_KEYS) shape[key] = paramValueSchema(PARAM_SPECS[key]);
  return shape;
}

/** A change to some parameters; unknown keys are refused, not ignored. */
export const paramsPatchSchema = z
  .object(paramShape())
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'names no parameter') as unknown as z.ZodType<Partial<StrategyParams>>;

export function defaultParams(): StrategyParams {
  const params = {} as Record<ParamKey, unknown>;
  for (const key of PARAM_KEYS) params[key] = PARAM_SPECS[key].default;
  return params as StrategyParams;
}

/** Fee rates (fractions of notional) per venue, as the engine's net spreads use them. */
export type FeeSchedule = Record<'L' | 'E', { maker: string; taker: string }>;

export interface ParamWarning {
  key: ParamKey;
  text: string;
}

const percent = (fraction: Decimal) => fraction.times(100);

/**
 * Combinations of valid values that make no sense together (docs/strategy-rules.md "Parameter
 * warnings"). They are warnings, not errors: the trader may mean it (a test run), but is told.
 */
export function paramWarnings(params: StrategyParams, fees: FeeSchedule | null): ParamWarning[] {
  const warnings: ParamWarning[] = [];
  const orderValue = new Decimal(params.orderValue);
  const cap = new Decimal(params.maxPositionValue);
  if (orderValue.gt(cap)) {
    warnings.push({
      key: 'orderValue',
      text: `ORDER_VALUE ${params.orderValue} USD is above MAX_POSITION_VALUE ${params.maxPositionValue} USD: one order alone would pass the cap`
    });
  }
  if (fees) {
    const minSpread = new Decimal(params.minSpread);
    // The cheapest round trip quotes on one venue and hedges on the other, in and out.
    const makerTaker = Decimal.min(new Decimal(fees.L.maker).plus(fees.E.taker), new Decimal(fees.E.maker).plus(fees.L.taker));
    const roundTrip = percent(makerTaker.times(2));
    if (!params.ttOnly && minSpread.lt(roundTrip)) {
      warnings.push({
        key: 'minSpread',
        text: `MIN_SPREAD ${params.minSpread} % is under the cheapest round trip's fees, ${roundTrip.toFixed()} % (maker on one venue, taker on the other, in and out)`
      });
    }
    const takerTaker = percent(new Decimal(fees.L.taker).plus(fees.E.taker).times(2));
    if (params.enableTt && minSpread.lt(takerTaker)) {
      warnings.push({
        key: 'minSpread',
        text: `MIN_SPREAD ${params.minSpread} % is under a taker-taker round trip's fees, ${takerTaker.toFixed()} %, and ENABLE_TT is on`
      });
    }
  }
  return warnings;
}

/** A message with the contract's field paths ("params.minSpread") named as the trader knows them (MIN_SPREAD). */
export function withParamLabels(text: string): string {
  return text.replace(/params\.([A-Za-z]+)/g, (whole, key: string) => (key in PARAM_SPECS ? PARAM_SPECS[key as ParamKey].env : whole));
}
