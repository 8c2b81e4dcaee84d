/**
 * The graph layout: node boxes sized from their text, placed by @dagrejs/dagre (layered layout,
 * edges routed as polylines). Pure (no DOM): the webview renders the result as SVG, tests and
 * scripts/benchPanel.js call it directly.
 */
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import type { PanelEdge, PanelNode } from '../shared/protocol';

export type Direction = 'LR' | 'TB';

/** One box or circle to place: an id (a binding `b:x1#0`, an op `x1#0/o2`, a value `x1#0/v2`) and its size. */
export interface LayoutItem {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

export interface LayoutLink {
  readonly from: string;
  readonly to: string;
}

/** What the layout worker is asked (structured-clone safe). */
export interface LayoutRequest {
  readonly items: readonly LayoutItem[];
  readonly links: readonly LayoutLink[];
  readonly direction: Direction;
}

export interface NodeBox {
  readonly id: string;
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgeRoute {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, NodeBox>;
  readonly edges: readonly EdgeRoute[];
  readonly width: number;
  readonly height: number;
  /** What the layout depends on; equal signatures give equal layouts. */
  readonly signature: string;
}

export const CHAR_WIDTH = 7.2;
export const LINE_HEIGHT = 16;
const PAD_X = 10;
const PAD_Y = 6;
/** Longest text a node shows on one line (the full text is in its tooltip). */
export const MAX_CHARS = 30;

export function clip(text: string, max = MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The lines a node box shows: `name  op`, the value, the gradient. */
/**
 * A binding box's lines: head, value, and `grad …`: ∂OUT/∂node for the output `of` (the selected
 * gradient's, else the first `grad` line's) when the node lies on a path to it, as micrograd's
 * draw_dot shows grad on every node (none when it lies on no path to that output).
 */
export function nodeLines(n: Pick<PanelNode, 'name' | 'op' | 'value' | 'grad' | 'grads' | 'kind'>, of?: string): string[] {
  const head = n.kind === 'op' ? `${n.name} = ${n.op}` : `${n.kind === 'param' ? 'param ' : ''}${n.name}`;
  const lines = [clip(head), clip(n.value)];
  const g = n.grads ? (of !== undefined ? n.grads.find((x) => x.of === of) : n.grads[0]) : undefined;
  if (g) lines.push(clip(`grad ${g.value}`));
  else if (!n.grads && n.grad !== undefined) lines.push(clip(`grad ${n.grad}`));
  return lines;
}

/** Box size for these lines, rounded up to 16 px steps so that a changing digit does not move the layout. */
export function boxSize(lines: readonly string[], extraLine = false, toggle = true): { width: number; height: number } {
  const chars = Math.max(...lines.map((l) => l.length));
  // + 14 px on the right for the collapse/expand toggles.
  const width = Math.ceil((chars * CHAR_WIDTH + 2 * PAD_X + (toggle ? 14 : 0)) / 16) * 16;
  return { width: Math.max(toggle ? 64 : 48, width), height: (lines.length + (extraLine ? 1 : 0)) * LINE_HEIGHT + 2 * PAD_Y };
}

/** An op circle (an ellipse for longer names): `·`, `ReLU`. */
export function opSize(label: string): { width: number; height: number } {
  return { width: Math.max(30, Math.ceil((label.length * CHAR_WIDTH + 14) / 8) * 8), height: 30 };
}

export function nodeSize(n: Pick<PanelNode, 'name' | 'op' | 'value' | 'grad' | 'grads' | 'kind'>, extraLine = false): { width: number; height: number } {
  return boxSize(nodeLines(n), extraLine);
}

export function requestSignature(r: LayoutRequest): string {
  const parts: string[] = [r.direction];
  for (const n of r.items) parts.push(`${n.id}:${n.width}x${n.height}`);
  for (const e of r.links) parts.push(`${e.from}>${e.to}`);
  return parts.join('|');
}

/** Dagre on items and links (the worker runs this). */
export function layoutItems(r: LayoutRequest): GraphLayout {
  const g = new graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: r.direction, nodesep: 18, ranksep: 46, edgesep: 10, marginx: 12, marginy: 12, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of r.items) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of r.links) g.setEdge(e.from, e.to);
  dagreLayout(g);
  const boxes = new Map<string, NodeBox>();
  for (const n of r.items) {
    const b = g.node(n.id) as { x: number; y: number; width: number; height: number };
    boxes.set(n.id, { id: n.id, x: b.x, y: b.y, width: b.width, height: b.height });
  }
  const routes: EdgeRoute[] = r.links.map((e) => {
    const d = g.edge(e.from, e.to) as { points?: { x: number; y: number }[] } | undefined;
    return { from: e.from, to: e.to, points: d?.points ?? [] };
  });
  const gl = g.graph() as { width?: number; height?: number };
  return { nodes: boxes, edges: routes, width: gl.width ?? 0, height: gl.height ?? 0, signature: requestSignature(r) };
}

/** The binding graph as a layout request (ids are the node ids as strings); `hiddenBehind` adds a line. */
export function bindingRequest(nodes: readonly PanelNode[], edges: readonly PanelEdge[], direction: Direction = 'LR', hiddenBehind: ReadonlyMap<number, number> = new Map()): LayoutRequest {
  return {
    items: nodes.map((n) => ({ id: String(n.id), ...nodeSize(n, hiddenBehind.has(n.id)) })),
    links: edges.map((e) => ({ from: String(e.from), to: String(e.to) })),
    direction,
  };
}

export function layoutSignature(nodes: readonly PanelNode[], edges: readonly PanelEdge[], direction: Direction, extra: ReadonlyMap<number, number> = new Map()): string {
  return requestSignature(bindingRequest(nodes, edges, direction, extra));
}

/** Lays the binding graph out (tests, scripts/benchPanel.js); node `id` becomes the box id `String(id)`. */
export function layoutGraph(nodes: readonly PanelNode[], edges: readonly PanelEdge[], direction: Direction = 'LR', hiddenBehind: ReadonlyMap<number, number> = new Map()): GraphLayout {
  return layoutItems(bindingRequest(nodes, edges, direction, hiddenBehind));
}

/** An SVG path through the route's points (straight segments, rounded by the renderer's stroke-linejoin). */
export function edgePath(points: readonly { x: number; y: number }[]): string {
  if (!points.length) return '';
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** Where an edge's label goes: the middle point of its route. */
export function edgeMidpoint(points: readonly { x: number; y: number }[]): { x: number; y: number } {
  if (!points.length) return { x: 0, y: 0 };
  if (points.length % 2 === 1) return points[(points.length - 1) / 2];
  const a = points[points.length / 2 - 1];
  const b = points[points.length / 2];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Zoom and pan that fit a width×height drawing into a view, never enlarging beyond 1.5× nor
 * shrinking below `minScale` (the automatic fits keep text readable: a drawing that would need
 * less starts at its top-left corner, and the rest is reached by panning).
 */
export function fitView(width: number, height: number, viewWidth: number, viewHeight: number, minScale = 0): { scale: number; x: number; y: number } {
  if (width <= 0 || height <= 0 || viewWidth <= 0 || viewHeight <= 0) return { scale: 1, x: 0, y: 0 };
  const scale = Math.max(Math.min(minScale, 1.5), Math.min(1.5, viewWidth / width, viewHeight / height));
  const place = (size: number, view: number): number => (size * scale <= view ? (view - size * scale) / 2 : 8);
  return { scale, x: place(width, viewWidth), y: place(height, viewHeight) };
}

/** The smallest scale an automatic fit uses (after an edit, ⋯ or a new file): 11 px text stays readable. */
export const MIN_AUTO_SCALE = 0.7;

/** Boxes of `layout` that lie (partly) outside the view shown with `view` in a viewWidth×viewHeight frame. */
export function boxesOutside(layout: GraphLayout, ids: Iterable<string>, view: { scale: number; x: number; y: number }, viewWidth: number, viewHeight: number): number {
  let n = 0;
  for (const id of ids) {
    const b = layout.nodes.get(id);
    if (!b) continue;
    const left = view.x + (b.x - b.width / 2) * view.scale;
    const top = view.y + (b.y - b.height / 2) * view.scale;
    if (left < 0 || top < 0 || left + b.width * view.scale > viewWidth || top + b.height * view.scale > viewHeight) n++;
  }
  return n;
}

/** Zooming by `factor` about the point (px, py) of the view keeps that point still. */
export function zoomAt(view: { scale: number; x: number; y: number }, factor: number, px: number, py: number): { scale: number; x: number; y: number } {
  const scale = Math.min(4, Math.max(0.05, view.scale * factor));
  const f = scale / view.scale;
  return { scale, x: px - (px - view.x) * f, y: py - (py - view.y) * f };
}
