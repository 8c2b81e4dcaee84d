/** A network's table as Markdown and CSV (pure), for the panel's export buttons. */
import type { PanelLayerRow, PanelNetwork } from '../shared/protocol';

export const COLUMNS = ['layer', 'input', 'output', 'params', 'formula', 'MACs'] as const;

export function layerName(r: PanelLayerRow): string {
  return `${r.index}${r.label ? ` (${r.label})` : ''} ${r.type}`;
}

function cells(r: PanelLayerRow): string[] {
  return [layerName(r), r.input, r.output, r.params, r.formula, r.macs];
}

const mdCell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

export function tableMarkdown(n: PanelNetwork): string {
  const lines = [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const r of n.rows) {
    const c = cells(r);
    c[0] = '\u00a0\u00a0'.repeat(r.depth) + c[0];
    lines.push(`| ${c.map(mdCell).join(' | ')} |`);
  }
  lines.push(
    '',
    `Total parameters: ${n.totals.params}${n.totals.formula ? ` = ${n.totals.formula}` : ''} (trainable ${n.totals.trainable}); buffers ${n.totals.buffers}; MACs ${n.totals.macs}.`,
    `Memory (float32): ${n.totals.memory32}.`,
  );
  return `### network ${n.name}\n\n${lines.join('\n')}\n`;
}

const csvCell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function tableCsv(n: PanelNetwork): string {
  const lines = [['depth', ...COLUMNS].join(',')];
  for (const r of n.rows) lines.push([String(r.depth), ...cells(r)].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}
