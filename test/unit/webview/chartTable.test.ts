import { describe, expect, it } from 'vitest';
import type { PanelNetwork } from '../../../src/shared/protocol';
import { DEFAULT_BOX, lineChart, tickLabel } from '../../../src/webview/chart';
import { tableCsv, tableMarkdown } from '../../../src/webview/table';

describe('lineChart', () => {
  it('a running training: the x axis spans the epochs it will run, a null leaves a gap', () => {
    const g = lineChart([1, null, 0.5], DEFAULT_BOX, 10);
    const plotW = DEFAULT_BOX.width - DEFAULT_BOX.left - DEFAULT_BOX.right;
    expect(g.points[2].x).toBeCloseTo(DEFAULT_BOX.left + (2 / 9) * plotW);
    expect(g.xTicks.map((t) => t.label)).toEqual(['1', '10']);
    expect(g.path.match(/M/g)).toHaveLength(2);
  });

  it('spans the plot: the largest value at the top, the smallest at the bottom', () => {
    const g = lineChart([1, 0.5, 0.25]);
    expect(g.points[0].y).toBeCloseTo(DEFAULT_BOX.top);
    expect(g.points[2].y).toBeCloseTo(DEFAULT_BOX.height - DEFAULT_BOX.bottom);
    expect(g.points[0].x).toBe(DEFAULT_BOX.left);
    expect(g.points[2].x).toBe(DEFAULT_BOX.width - DEFAULT_BOX.right);
    expect(g.path.startsWith('M')).toBe(true);
    expect(g.path.match(/L/g)).toHaveLength(2);
    expect(g.xTicks.map((t) => t.label)).toEqual(['1', '3']);
  });

  it('a constant series and a single point still draw', () => {
    expect(lineChart([2, 2]).path).toMatch(/^M.* L/);
    expect(lineChart([2]).points[0].x).toBeCloseTo(DEFAULT_BOX.left + (DEFAULT_BOX.width - DEFAULT_BOX.left - DEFAULT_BOX.right) / 2);
  });

  it('breaks the line at NaN', () => {
    expect(lineChart([1, NaN, 0.5, 0.2]).path.match(/M/g)).toHaveLength(2);
  });

  it('tick labels are short', () => {
    expect(tickLabel(0.123456)).toBe('0.123');
    expect(tickLabel(1.5e-6)).toBe('1.5e-6');
    expect(tickLabel(0)).toBe('0');
  });
});

const net: PanelNetwork = {
  name: 'mlp',
  line: 0,
  input: '[32, 30]',
  output: '[32, 1]',
  rows: [
    { depth: 0, index: 0, label: 'A', type: 'Linear', line: 2, input: '[32, 30]', output: '[32, 1024]', params: '31,744', formula: '(30 + 1) × 1024', macs: '983,040' },
    { depth: 0, index: 1, label: null, type: 'ReLU', line: 3, input: '[32, 1024]', output: '[32, 1024]', params: '0', formula: '', macs: '0' },
    { depth: 1, index: 0, label: null, type: 'Linear', line: 4, input: '[32, 1024]', output: '[32, 1]', params: '1,025', formula: 'a|b', macs: '32,768' },
  ],
  totals: { params: '32,769', trainable: '32,769', formula: '', buffers: '0', macs: '1,015,808', multAdds: '1,048,577', memory32: 'parameters 128 KiB, activations 264 KiB', memory64: '' },
};

describe('network table export', () => {
  it('Markdown: a header, one row per layer, escaped pipes, totals', () => {
    const md = tableMarkdown(net);
    expect(md).toContain('| layer | input | output | params | formula | MACs |');
    expect(md).toContain('| 0 (A) Linear | [32, 30] | [32, 1024] | 31,744 | (30 + 1) × 1024 | 983,040 |');
    expect(md).toContain('a\\|b');
    expect(md).toContain('Total parameters: 32,769');
  });

  it('CSV: quoted where needed, CRLF lines', () => {
    const csv = tableCsv(net);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('depth,layer,input,output,params,formula,MACs');
    expect(lines[1]).toBe('0,0 (A) Linear,"[32, 30]","[32, 1024]","31,744",(30 + 1) × 1024,"983,040"');
    expect(lines).toHaveLength(4);
  });
});
