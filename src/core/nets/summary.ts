/**
 * `formatSummary(info)`: a torchinfo-style text table for `gradlens summary`: one row per
 * layer (nested layers indented with their depth-index), input/output shapes, parameters,
 * MACs and Mult-Adds, then the totals and memory estimates.
 */
import type { LayerInfo, NetworkInfo, SizeValue } from '../analysis';
import { formatBytes, formatCount } from '../format';

function shape(s: readonly SizeValue[]): string {
  return `[${s.join(', ')}]`;
}
function count(v: SizeValue): string {
  return typeof v === 'number' ? formatCount(v) : v;
}

function rows(layers: readonly LayerInfo[], depth: number, out: string[][]): void {
  layers.forEach((l, i) => {
    const indent = depth === 1 ? '' : '│    '.repeat(depth - 2);
    const branch = i === layers.length - 1 ? '└─' : '├─';
    const name = `${indent}${branch}${l.type}: ${depth}-${l.index}${l.label ? ` (${l.label})` : ''}`;
    out.push([name, shape(l.inputShape), shape(l.outputShape), l.params ? formatCount(l.params) : '--', count(l.macs), count(l.multAdds)]);
    if (l.children) rows(l.children, depth + 1, out);
  });
}

export function formatSummary(info: NetworkInfo): string {
  const header = ['Layer (type: depth-index)', 'Input Shape', 'Output Shape', 'Param #', 'MACs', 'Mult-Adds'];
  const body: string[][] = [[info.name, shape(info.inputShape), shape(info.outputShape), '--', '--', '--']];
  rows(info.layers, 1, body);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)) + 2);
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('').trimEnd();
  const total = widths.reduce((a, b) => a + b, 0);
  const rule = '='.repeat(total);
  const bytes = (v: SizeValue) => (typeof v === 'number' ? formatBytes(v) : `${v} B`);
  const out = [rule, line(header), rule, ...body.map(line), rule];
  out.push(`Total params: ${formatCount(info.params)}`);
  out.push(`Trainable params: ${formatCount(info.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(info.params - info.trainableParams)}`);
  out.push(`Buffers (not parameters): ${formatCount(info.buffers)}`);
  out.push(`Total MACs: ${count(info.totalMacs)}`);
  out.push(`Total mult-adds (torchinfo): ${count(info.totalMultAdds)}`);
  out.push(rule);
  out.push(`Params + buffers size: ${formatBytes(info.memory.float32.params)} (float32), ${formatBytes(info.memory.float64.params)} (float64)`);
  out.push(`Forward activations: ${bytes(info.memory.float32.activations)} (float32), ${bytes(info.memory.float64.activations)} (float64)`);
  out.push(`Parameter formula: ${info.paramFormula}`);
  out.push(rule);
  return out.join('\n');
}
