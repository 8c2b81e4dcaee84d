/**
 * The graph layout: node boxes sized from their text, placed by @dagrejs/dagre (layered layout,
 * edges routed as polylines). Pure (no DOM): the webview renders the result as SVG, tests and
 * scripts/benchPanel.js call it directly.
 */
import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';
import type { PanelEdge, PanelNode } from '../shared/protocol';

export type Direction = 'LR' | 'TB';

export interface NodeBox {
  readonly id: number;
  readonly key: string;
  /** Centre. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgeRoute {
  readonly from: number;
  readonly to: number;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<number, NodeBox>;
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
export function nodeLines(n: Pick<PanelNode, 'name' | 'op' | 'value' | 'grad' | 'kind'>): string[] {
  const head = n.kind === 'op' ? `${n.name} = ${n.op}` : `${n.kind === 'param' ? 'param ' : ''}${n.name}`;
  const lines = [clip(head), clip(n.value)];
  if (n.grad !== undefined) lines.push(clip(`grad ${n.grad}`));
  return lines;
}

/** Box size, rounded up to 16 px steps so that a changing digit does not move the layout. */
export function nodeSize(n: Pick<PanelNode, 'name' | 'op' | 'value' | 'grad' | 'kind'>, extraLine = false): { width: number; height: number } {
  const lines = nodeLines(n);
  const chars = Math.max(...lines.map((l) => l.length));
  // + 14 px on the right for the collapse toggle.
  const width = Math.ceil((chars * CHAR_WIDTH + 2 * PAD_X + 14) / 16) * 16;
  return { width: Math.max(64, width), height: (lines.length + (extraLine ? 1 : 0)) * LINE_HEIGHT + 2 * PAD_Y };
}

export function layoutSignature(nodes: readonly PanelNode[], edges: readonly PanelEdge[], direction: Direction, extra: ReadonlyMap<number, number> = new Map()): string {
  const parts: string[] = [direction];
  for (const n of nodes) {
    const s = nodeSize(n, extra.has(n.id));
    parts.push(`${n.id}:${n.key}:${s.width}x${s.height}`);
  }
  for (const e of edges) parts.push(`${e.from}>${e.to}`);
  return parts.join('|');
}

/** Lays the graph out; `hiddenBehind` marks collapsed nodes (one more line: "+k hidden"). */
export function layoutGraph(nodes: readonly PanelNode[], edges: readonly PanelEdge[], direction: Direction = 'LR', hiddenBehind: ReadonlyMap<number, number> = new Map()): GraphLayout {
  const g = new graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: direction, nodesep: 18, ranksep: 46, edgesep: 10, marginx: 12, marginy: 12, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(String(n.id), { ...nodeSize(n, hiddenBehind.has(n.id)) });
  for (const e of edges) g.setEdge(String(e.from), String(e.to));
  dagreLayout(g);
  const boxes = new Map<number, NodeBox>();
  for (const n of nodes) {
    const b = g.node(String(n.id)) as { x: number; y: number; width: number; height: number };
    boxes.set(n.id, { id: n.id, key: n.key, x: b.x, y: b.y, width: b.width, height: b.height });
  }
  const routes: EdgeRoute[] = edges.map((e) => {
    const d = g.edge(String(e.from), String(e.to)) as { points?: { x: number; y: number }[] } | undefined;
    return { from: e.from, to: e.to, points: d?.points ?? [] };
  });
  const gl = g.graph() as { width?: number; height?: number };
  return { nodes: boxes, edges: routes, width: gl.width ?? 0, height: gl.height ?? 0, signature: layoutSignature(nodes, edges, direction, hiddenBehind) };
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

/** Zoom and pan that fit a width×height drawing into a view, never enlarging beyond 1.5×. */
export function fitView(width: number, height: number, viewWidth: number, viewHeight: number): { scale: number; x: number; y: number } {
  if (width <= 0 || height <= 0 || viewWidth <= 0 || viewHeight <= 0) return { scale: 1, x: 0, y: 0 };
  const scale = Math.min(1.5, viewWidth / width, viewHeight / height);
  return { scale, x: (viewWidth - width * scale) / 2, y: (viewHeight - height * scale) / 2 };
}

/** Zooming by `factor` about the point (px, py) of the view keeps that point still. */
export function zoomAt(view: { scale: number; x: number; y: number }, factor: number, px: number, py: number): { scale: number; x: number; y: number } {
  const scale = Math.min(4, Math.max(0.05, view.scale * factor));
  const f = scale / view.scale;
  return { scale, x: px - (px - view.x) * f, y: py - (py - view.y) * f };
}
