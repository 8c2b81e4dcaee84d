/**
 * `index` {items}: numpy basic indexing. Items are {kind:'int', index} or
 * {kind:'slice', start, stop, step}; missing trailing items are full slices.
 */
import { gather, planIndex, scatter, type IndexItem, type IndexPlan } from '../../tensor/layout';
import { numel, type Shape } from '../../tensor/tensor';
import { defineOp, type Attrs } from '../op';
import { operand, shapeError } from './support';

function itemsOf(attrs: Attrs): IndexItem[] {
  const v = (attrs as Record<string, unknown>).items;
  return Array.isArray(v) ? (v as IndexItem[]) : [];
}

function plan(shape: Shape, attrs: Attrs): IndexPlan {
  const p = planIndex(shape, itemsOf(attrs));
  if (typeof p === 'string') throw new Error(`internal: ${p}`);
  return p;
}

export function formatIndexItems(items: readonly IndexItem[]): string {
  return items
    .map((it) => {
      if (it.kind === 'int') return String(it.index);
      const s = `${it.start ?? ''}:${it.stop ?? ''}`;
      return it.step === null ? s : `${s}:${it.step}`;
    })
    .join(', ');
}

defineOp({
  name: 'index',
  display: '[]',
  inferShape: ([s], attrs) => {
    const p = planIndex(s, itemsOf(attrs));
    return typeof p === 'string' ? shapeError(p, { code: 'shape.index' }) : p.shape;
  },
  forward: ([x], attrs) => gather(x, plan(x.shape, attrs)),
  backward: (g, [x], _out, attrs) => [scatter(g, x.shape, plan(x.shape, attrs))],
  rule: ([x], attrs) => [
    `∂L/∂${operand(x)} = ∂L/∂Y placed at ${operand(x)}[${formatIndexItems(itemsOf(attrs))}], 0 elsewhere`,
  ],
  cost: (_shapes, out) => numel(out),
});
