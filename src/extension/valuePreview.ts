/**
 * Previews of an analysis for the extension host (issue #15): the worker keeps the full data of
 * every value and posts only the first elements of a large tensor, with its shape and statistics
 * (DataSummary). A 60 MB CSV was a 62 MB message to the host, though hovers and lenses show six
 * elements; the detail documents fetch the full data on demand (workerProtocol.ts `data`).
 * Pure (no vscode, no node:*): unit-tested, and the web build can use it.
 */
import type { Analysis, DataSummary, ExpectationInfo, GradientInfo, GraphNode, ValueInfo } from '../core/analysis';

/** Arrays up to this length are posted whole; a longer one keeps this many first elements. */
export const PREVIEW_ELEMENTS = 64;

/** Statistics of a whole array (finite elements for min, max, mean). */
export function summarize(data: ArrayLike<number>): DataSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isFinite(x)) continue;
    finite++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return finite === 0
    ? { count: data.length, min: NaN, max: NaN, mean: NaN, nonFinite: data.length }
    : { count: data.length, min, max, mean: sum / finite, nonFinite: data.length - finite };
}

/** `{ data, summary }` cut to a preview when long; the same object's fields when short. */
function cut(data: number[]): { data: number[]; summary?: DataSummary } {
  return data.length > PREVIEW_ELEMENTS ? { data: data.slice(0, PREVIEW_ELEMENTS), summary: summarize(data) } : { data };
}

function previewValue(v: ValueInfo): ValueInfo {
  const grads = v.grads?.map((g) => (g.data.length > PREVIEW_ELEMENTS ? { ...g, ...cut(g.data) } : g));
  if (v.data.length <= PREVIEW_ELEMENTS && grads === v.grads) return v;
  return { ...v, ...cut(v.data), ...(grads ? { grads } : {}) };
}

function previewGradient(g: GradientInfo): GradientInfo {
  return g.data.length > PREVIEW_ELEMENTS ? { ...g, ...cut(g.data) } : g;
}

function previewExpectation(e: ExpectationInfo): ExpectationInfo {
  if (e.left.data.length <= PREVIEW_ELEMENTS && e.right.data.length <= PREVIEW_ELEMENTS) return e;
  return { ...e, left: { ...e.left, ...cut(e.left.data) }, right: { ...e.right, ...cut(e.right.data) } };
}

function previewNode(n: GraphNode): GraphNode {
  if (n.value.length <= PREVIEW_ELEMENTS && (n.grad?.length ?? 0) <= PREVIEW_ELEMENTS) return n;
  return { ...n, value: n.value.slice(0, PREVIEW_ELEMENTS), ...(n.grad ? { grad: n.grad.slice(0, PREVIEW_ELEMENTS) } : {}) };
}

/** The analysis as the host receives it: every long numeric array cut to PREVIEW_ELEMENTS, with statistics. */
export function previewAnalysis(a: Analysis): Analysis {
  return {
    ...a,
    values: a.values.map(previewValue),
    gradients: a.gradients.map(previewGradient),
    expectations: a.expectations.map(previewExpectation),
    graph: { nodes: a.graph.nodes.map(previewNode), edges: a.graph.edges },
  };
}

/** An item whose full data the host may ask for (Show Details, copy). */
export type DataRef =
  | { readonly kind: 'value'; readonly index: number }
  | { readonly kind: 'gradient'; readonly index: number }
  | { readonly kind: 'expectation'; readonly index: number };

export type FullItem =
  | { readonly kind: 'value'; readonly value: ValueInfo }
  | { readonly kind: 'gradient'; readonly gradient: GradientInfo }
  | { readonly kind: 'expectation'; readonly expectation: ExpectationInfo };

/** The item with its full data, from the analysis the worker kept (undefined if it has no such item). */
export function fullItem(a: Analysis, ref: DataRef): FullItem | undefined {
  switch (ref.kind) {
    case 'value':
      return a.values[ref.index] && { kind: 'value', value: a.values[ref.index] };
    case 'gradient':
      return a.gradients[ref.index] && { kind: 'gradient', gradient: a.gradients[ref.index] };
    case 'expectation':
      return a.expectations[ref.index] && { kind: 'expectation', expectation: a.expectations[ref.index] };
  }
}

/** Whether any array of the item was cut (its full data is worth fetching). */
export function isPreview(item: { readonly data: readonly number[]; readonly shape: readonly number[]; readonly summary?: DataSummary }): boolean {
  return item.summary !== undefined;
}

/**
 * The analysis with the full data of the item a detail document shows, when the host has only
 * its preview (valuePreview.ts): fetched from the worker. Unchanged when nothing was cut or the
 * worker no longer has it (the document then shows the preview with its statistics).
 */
export async function withFullData(a: Analysis, kind: 'value' | 'gradient' | 'check' | 'expectation' | 'network', index: number, fetch: (ref: DataRef) => Promise<FullItem | undefined>): Promise<Analysis> {
  switch (kind) {
    case 'value': {
      const v = a.values[index];
      if (!v || (!v.summary && !v.grads?.some((g) => g.summary))) return a;
      const item = await fetch({ kind: 'value', index });
      return item?.kind === 'value' ? { ...a, values: a.values.map((x, i) => (i === index ? item.value : x)) } : a;
    }
    case 'gradient':
    case 'check': {
      const c = kind === 'check' ? a.checks[index] : undefined;
      const gi = kind === 'gradient' ? index : c ? a.gradients.findIndex((g) => g.of === c.of && g.wrt === c.wrt) : -1;
      const g = a.gradients[gi];
      if (!g?.summary) return a;
      const item = await fetch({ kind: 'gradient', index: gi });
      return item?.kind === 'gradient' ? { ...a, gradients: a.gradients.map((x, i) => (i === gi ? item.gradient : x)) } : a;
    }
    case 'expectation': {
      const e = a.expectations[index];
      if (!e || (!e.left.summary && !e.right.summary)) return a;
      const item = await fetch({ kind: 'expectation', index });
      return item?.kind === 'expectation' ? { ...a, expectations: a.expectations.map((x, i) => (i === index ? item.expectation : x)) } : a;
    }
    case 'network':
      return a;
  }
}
