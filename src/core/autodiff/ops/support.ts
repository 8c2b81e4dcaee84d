/** Small helpers shared by the non-element-wise ops (attrs reading, rule text). */
import type { AttrValue, Attrs, ShapeError } from '../op';
import type { AxisSpec } from '../../tensor/reduce';

/** An operand in a formula, parenthesised unless it is a plain name or number. */
export function operand(s: string): string {
  return /^[\p{L}_][\p{L}\p{N}_.]*$|^-?[0-9.]+$/u.test(s) ? s : `(${s})`;
}

export function shapeError(error: string, extra: Omit<ShapeError, 'error'> = {}): ShapeError {
  return { error, ...extra };
}

export function attrNumber(attrs: Attrs, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

export function attrBool(attrs: Attrs, name: string, fallback = false): boolean {
  const v = attrs[name];
  return typeof v === 'boolean' ? v : fallback;
}

export function attrAxes(attrs: Attrs, name = 'axis'): AxisSpec {
  const v: AttrValue | undefined = attrs[name];
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v as readonly number[];
  return null;
}

export function attrNumbers(attrs: Attrs, name: string): number[] {
  const v = attrs[name];
  return Array.isArray(v) ? (v as number[]).slice() : [];
}
