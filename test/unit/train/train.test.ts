/** The `train` statement: parsing, CSV data, diagnostics with ranges, determinism, budget, progress, replayed losses. */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { parseProgram } from '../../../src/core/syntax/parser';
import { parseCsv } from '../../../src/core/train/csv';
import { sparkline } from '../../../src/core/train/sparkline';
import type { TrainStmt } from '../../../src/core/syntax/ast';

const at = (text: string, s: string): { start: number; end: number } => {
  const start = text.indexOf(s);
  return { start, end: start + s.length };
};

const SMALL = `X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.5, 0.2], [0.9, 0.7]]
y = [[1.0], [1.0], [0.0], [0.0], [1.0], [0.0]]
network net
  input [N, 2]
  Linear(2, 4)
  Tanh()
  Linear(4, 1)
  Sigmoid()
`;

describe('train: parsing', () => {
  it('reads the block form and the one-line form into the same clauses', () => {
    const block = 'train mlp on X, y\n  loss bce(mlp(X), y)\n  optimizer SGD(lr=0.1)\n  epochs 3\n  batch 2 shuffle\n';
    const line = 'train mlp on X, y loss bce(mlp(X), y) optimizer SGD(lr=0.1) epochs 3 batch 2 shuffle\n';
    for (const text of [block, line]) {
      const r = parseProgram(text);
      expect(r.diagnostics).toEqual([]);
      const s = r.program.statements[0] as TrainStmt;
      expect(s.kind).toBe('Train');
      expect(s.targets.map((t) => t.name)).toEqual(['mlp']);
      expect(s.data.map((t) => t.name)).toEqual(['X', 'y']);
      expect(s.clauses.map((c) => c.keyword)).toEqual(['loss', 'optimizer', 'epochs', 'batch', 'shuffle']);
    }
  });

  it('`train` stays an ordinary name elsewhere', () => {
    const r = parseProgram('train = 3\nz = train * 2\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.program.statements.map((s) => s.kind)).toEqual(['Assign', 'Assign']);
  });

  it('an unknown clause is one diagnostic with its range and a suggestion; the statement does not run', () => {
    const text = 'train mlp on X, y\n  loss bce(mlp(X), y)\n  epoch 3\n';
    const r = parseProgram(text);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].code).toBe('parse.train-clause');
    expect(r.diagnostics[0].span).toEqual(at(text, 'epoch'));
    expect(r.diagnostics[0].message).toContain('Did you mean `epochs`?');
    expect(r.program.statements[0].kind).toBe('Invalid');
  });

  it('a clause given twice is an error on the second', () => {
    const text = 'train w loss w^2 optimizer SGD(lr=0.1) loss w^4\n';
    const r = parseProgram(text);
    expect(r.diagnostics.map((d) => [d.code, d.span.start])).toEqual([['parse.train-duplicate', text.lastIndexOf('loss')]]);
  });
});

describe('train: load_csv', () => {
  const files: Record<string, string> = {
    'ok.csv': 'a,b,label\n1,2,0\n3,4.5,1\r\n-1e-2,.5,1\n',
    'noheader.csv': '1,2\n3,4\n',
    'bad.csv': 'a,b\n1,2\n3,x\n',
    'ragged.csv': '1,2,3\n4,5\n',
  };
  const readFile = (p: string): string | undefined => files[p];

  it('parses numbers, detects a header row, accepts CRLF', () => {
    const a = analyze('D = load_csv("ok.csv")\nE = load_csv("noheader.csv")\n', { valuesOnly: true, readFile });
    expect(a.diagnostics).toEqual([]);
    expect(a.values[0].shape).toEqual([3, 3]);
    expect(a.values[0].data).toEqual([1, 2, 0, 3, 4.5, 1, -0.01, 0.5, 1]);
    expect(a.values[1].shape).toEqual([2, 2]);
  });

  it('a malformed file is an error on the string argument, naming line and column', () => {
    const text = 'D = load_csv("bad.csv")\nz = D + 1\n';
    const a = analyze(text, { valuesOnly: true, readFile });
    expect(a.diagnostics).toHaveLength(1); // the use on line 2 does not cascade
    const d = a.diagnostics[0];
    expect(d.code).toBe('csv.malformed');
    expect(d.severity).toBe('error');
    expect(d.span).toEqual(at(text, '"bad.csv"'));
    expect(d.message).toBe('Expected a number on line 3, column 2, found text that is not a number in "bad.csv".');
  });

  it('ragged rows, a missing file and a host without files are ranged errors too', () => {
    for (const [name, code] of [
      ['ragged.csv', 'csv.malformed'],
      ['missing.csv', 'csv.not-found'],
    ] as const) {
      const text = `D = load_csv("${name}")\n`;
      const a = analyze(text, { valuesOnly: true, readFile });
      expect(a.diagnostics.map((d) => [d.code, d.span])).toEqual([[code, at(text, `"${name}"`)]]);
    }
    const a = analyze('D = load_csv("ok.csv")\n', { valuesOnly: true });
    expect(a.diagnostics.map((d) => d.code)).toEqual(['csv.no-files']);
  });

  it('header=false reads the first row as data (and says so when it is text)', () => {
    expect(parseCsv('1,2\n3,4\n', false)).toMatchObject({ rows: 2, cols: 2, header: null });
    const r = parseCsv('a,b\n3,4\n', false);
    expect('error' in r && r.error).toContain('drop `header=false`');
    expect(parseCsv('1,2\n3,4\n', true)).toMatchObject({ rows: 1, header: ['1', '2'] });
  });
});

describe('train: behaviour', () => {
  const doc = (extra = '', clauses = '  epochs 4\n  batch 2 shuffle\n') =>
    `${SMALL}train net on X, y\n  loss bce(net(X), y)\n  optimizer Adam(lr=0.05)\n${clauses}  metric accuracy(net(X), y)\n${extra}`;

  it('is deterministic from run to run', () => {
    const a = analyze(doc('p = net(X)\n'), { valuesOnly: true });
    const b = analyze(doc('p = net(X)\n'), { valuesOnly: true });
    expect(a.diagnostics).toEqual([]);
    expect(a.trainings![0].stepLosses).toEqual(b.trainings![0].stepLosses);
    expect(a.values.find((v) => v.name === 'p')!.data).toEqual(b.values.find((v) => v.name === 'p')!.data);
    expect(a.trainings![0]).toMatchObject({ epochs: 4, steps: 12, examples: 6, batch: 2 });
    expect(a.trainings![0].losses).toHaveLength(4);
    expect(a.trainings![0].metrics).toHaveLength(4);
  });

  it('later lines see the trained parameters (new leaves: grad works on them)', () => {
    const a = analyze(doc('L = bce(net(X), y)\ngrad L wrt net.0.weight\n'), { valuesOnly: true });
    const before = analyze(`${SMALL}L = bce(net(X), y)\n`, { valuesOnly: true });
    const L = a.values.find((v) => v.name === 'L')!.data[0];
    expect(L).toBeLessThan(before.values.find((v) => v.name === 'L')!.data[0]);
    expect(a.gradients[0].shape).toEqual([4, 2]);
  });

  it('`loss L` replays the lines L is computed from, with each minibatch', () => {
    const inline = analyze(doc(), { valuesOnly: true }).trainings![0].stepLosses;
    const named = analyze(
      `${SMALL}p = net(X)\nL = bce(p, y)\ntrain net on X, y\n  loss L\n  optimizer Adam(lr=0.05)\n  epochs 4\n  batch 2 shuffle\n  metric accuracy(p, y)\n`,
      { valuesOnly: true },
    );
    expect(named.diagnostics).toEqual([]);
    expect(named.trainings![0].stepLosses).toEqual(inline);
  });

  it('trains `param` names, and the values report the trained value', () => {
    const a = analyze('param w = 5.0\ntrain w\n  loss (w - 2)^2\n  optimizer SGD(lr=0.25)\n  epochs 1\n', { valuesOnly: true });
    expect(a.diagnostics).toEqual([]);
    expect(a.values.filter((v) => v.name === 'w').map((v) => v.data[0])).toEqual([5, 3.5]);
  });

  it('steps K stops after exactly K optimiser steps', () => {
    const a = analyze(doc('', '  steps 5\n  batch 2\n'), { valuesOnly: true });
    expect(a.trainings![0]).toMatchObject({ steps: 5, epochs: 1 });
    expect(a.trainings![0].losses).toHaveLength(2); // one full epoch and a partial one
  });

  it('reports progress after each epoch', () => {
    const seen: [number, number][] = [];
    const a = analyze(doc(), { valuesOnly: true, onProgress: (e, l) => seen.push([e, l]) });
    expect(seen.map((s) => s[0])).toEqual([1, 2, 3, 4]);
    expect(seen.map((s) => s[1])).toEqual(a.trainings![0].losses);
  });

  it('stops early when the work budget runs out, with an info diagnostic, and later lines still run', () => {
    const full = analyze(doc('p = net(X)\n', '  epochs 400\n  batch 2 shuffle\n'), { valuesOnly: true });
    const budget = full.stats.work / 4;
    const a = analyze(doc('p = net(X)\n', '  epochs 400\n  batch 2 shuffle\n'), { valuesOnly: true, budget });
    const info = a.diagnostics.find((d) => d.code === 'train.stopped')!;
    expect(info.severity).toBe('info');
    expect(info.message).toMatch(/work budget ran out after \d+ epochs \(\d+ steps\) of 400 epochs/);
    expect(a.trainings![0].epochs).toBeLessThan(400);
    expect(a.values.some((v) => v.name === 'p')).toBe(true);
    expect(a.stats.work).toBeLessThanOrEqual(budget);
  });

  it('reports a missing loss, a bad optimiser, a non-scalar loss and an untrainable target on their spans', () => {
    const cases: [string, string, string][] = [
      ['train net on X, y optimizer SGD(lr=0.1)', 'train.no-loss', 'train'],
      ['train net on X, y loss bce(net(X), y) optimizer Adma(lr=0.1)', 'train.unknown-optimizer', 'Adma'],
      ['train net on X, y loss bce(net(X), y) optimizer SGD(momentum=0.9)', 'train.bad-optimizer', 'SGD(momentum=0.9)'],
      ['train net on X, y loss net(X) - y optimizer SGD(lr=0.1)', 'train.non-scalar-loss', 'net(X) - y'],
      ['train X on X, y loss bce(net(X), y) optimizer SGD(lr=0.1)', 'train.not-trainable', 'X'],
    ];
    for (const [line, code, where] of cases) {
      const text = `${SMALL}${line}\n`;
      const a = analyze(text, { valuesOnly: true });
      const d = a.diagnostics.find((x) => x.severity === 'error')!;
      const off = SMALL.length + line.indexOf(where);
      expect([d.code, d.span]).toEqual([code, { start: off, end: off + where.length }]);
    }
  });

  it('stops with a warning when the loss becomes non-finite', () => {
    const a = analyze('param w = 2.0\ntrain w\n  loss w^4\n  optimizer SGD(lr=1)\n  epochs 20\n', { valuesOnly: true });
    expect(a.diagnostics.map((d) => d.code)).toContain('train.non-finite');
    expect(a.trainings![0].steps).toBeLessThan(20);
    expect(Number.isFinite(a.values.filter((v) => v.name === 'w').pop()!.data[0])).toBe(true);
  });
});

describe('sparkline', () => {
  it('maps a curve to eight heights', () => {
    expect(sparkline([4, 3, 2, 1, 0])).toBe('█▆▄▂▁');
    expect(sparkline([])).toBe('');
    expect(sparkline([1, 1])).toBe('▄▄');
  });
});
