/**
 * Field checks for venue frames: each names the field and the value it refused, so a bad frame
 * is reported precisely and dropped, never half-applied.
 */
import { describe } from '../../../shared/decimal';

export class FrameError extends Error {
  constructor(field: string, value: unknown) {
    super(`${field}: unexpected ${describe(value)}`);
  }
}

type Obj = Record<string, unknown>;

export function obj(value: unknown, field: string): Obj {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FrameError(field, value);
  return value as Obj;
}

export function str(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new FrameError(field, value);
  return value;
}

export function int(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new FrameError(field, value);
  return value;
}

export function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new FrameError(field, value);
  return value;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
export function dec(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new FrameError(field, value);
  return value;
}

const POSITIVE = /^(0*[1-9]\d*(\.\d+)?|0*\.\d*[1-9]\d*|0+\.\d*[1-9]\d*)$/;
/** A decimal string > 0 (a fill's size or price: zero, negative or signed values are refused). */
export function positiveDec(value: unknown, field: string): string {
  const text = dec(value, field);
  if (!POSITIVE.test(text)) throw new FrameError(field, value);
  return text;
}
