import Decimal from 'decimal.js';
import type { StrategyParams } from '../../shared/params';

/** Strategy parameters as the engine uses them: decimals parsed once, not on every book update. */
export interface EngineParams {
  minSpread: Decimal;
  spreadTp: Decimal;
  ttMinHits: number;
  enableTt: boolean;
  ttOnly: boolean;
  maxPositionValue: Decimal;
  orderValue: Decimal;
  repriceTick: Decimal;
  slippage: { L: Decimal; E: Decimal };
  staleBookMs: number;
  hedgeMaxRetries: number;
  hedgeRetryDelayMs: number;
  hedgeAlarmMs: number;
}

export function toEngineParams(params: StrategyParams): EngineParams {
  return {
    minSpread: new Decimal(params.minSpread),
    spreadTp: new Decimal(params.spreadTp),
    ttMinHits: params.ttMinHits,
    enableTt: params.enableTt,
    ttOnly: params.ttOnly,
    maxPositionValue: new Decimal(params.maxPositionValue),
    orderValue: new Decimal(params.orderValue),
    repriceTick: new Decimal(params.repriceTick),
    slippage: { L: new Decimal(params.slippageL), E: new Decimal(params.slippageE) },
    staleBookMs: params.staleBookMs,
    hedgeMaxRetries: params.hedgeMaxRetries,
    hedgeRetryDelayMs: params.hedgeRetryDelayMs,
    hedgeAlarmMs: params.hedgeAlarmMs
  };
}

export interface Fees {
  L: { maker: Decimal; taker: Decimal };
  E: { maker: Decimal; taker: Decimal };
}

export function toFees(fees: { L: { maker: string; taker: string }; E: { maker: string; taker: string } }): Fees {
  return {
    L: { maker: new Decimal(fees.L.maker), taker: new Decimal(fees.L.taker) },
    E: { maker: new Decimal(fees.E.maker), taker: new Decimal(fees.E.taker) }
  };
}
