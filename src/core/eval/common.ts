/** Small pieces the evaluator's concern modules share. */
import type { Span } from '../span';
import type { NameRef, PathRef } from '../syntax/ast';
import type { Tensor } from '../tensor/tensor';

/** Thrown (internally only) when the work budget runs out. */
export class BudgetExceeded {
  constructor(readonly span?: Span) {}
}

export function copy(t: Tensor): Tensor {
  return { shape: t.shape.slice(), data: t.data.slice() };
}

export function refText(e: NameRef | PathRef): string {
  return e.kind === 'Name' ? e.name : e.parts.join('.');
}
