/**
 * `print(…)` in `.nn`: its text is CPython's for floats and numpy's str() for arrays (fixtures
 * from gen_vocab_index.py), recorded per statement in Analysis.prints.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { numpyArrayText, pythonFloat } from '../../../src/core/pyformat';
import { tensor } from '../../../src/core/tensor/tensor';
import { PRINTS } from './harness';

describe('print formats values as CPython and numpy do', () => {
  it.each(PRINTS.floats.map((f) => [f.text, f.value] as const))('float %s', (text, value) => {
    expect(pythonFloat(value)).toBe(text);
  });
  it.each(PRINTS.arrays.map((a) => [a.text.length > 60 ? `${a.text.slice(0, 60)}…` : a.text, a] as const))('array %s', (_t, a) => {
    const t = tensor(a.shape, a.data.map((v) => (v === null ? NaN : v)));
    expect(numpyArrayText(t)).toBe(a.text);
  });
  it.each(PRINTS.bools.map((a) => [a.text, a] as const))('bool array %s', (_t, a) => {
    expect(numpyArrayText(tensor(a.shape, a.data), true)).toBe(a.text);
  });
});

describe('print statements', () => {
  it('records each print with its line, Python separators and keywords', () => {
    const text = 'x = [1.0, 2.5]\nprint(x, sum(x) > 3, "done")\nprint(0.1 + 0.2, x[0], sep=", ", end="!")\nprint()\n';
    const a = analyze(text);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // CPython: print(np.array([1., 2.5]), np.float64(3.5) > 3, "done") and print(0.1 + 0.2, 1.0, sep=", ", end="!").
    expect(a.prints?.map((p) => [p.line, p.text])).toEqual([
      [1, '[1.  2.5] True done'],
      [2, '0.30000000000000004, 1.0!'],
      [3, ''],
    ]);
    expect(text.slice(a.prints![0].span.start, a.prints![0].span.end)).toBe('print(x, sum(x) > 3, "done")');
  });
  it('flush= changes nothing in the text; file= is refused', () => {
    const a = analyze('print(1, flush=True)\nprint(2, file=f)\n');
    expect(a.prints?.map((p) => p.text)).toEqual(['1.0']);
    expect(a.diagnostics.map((d) => [d.code, d.message])).toEqual([['call.unsupported', 'Expected `print` to the output, found `file=` (printing to a file is not supported).']]);
  });
  it('an unknown keyword is an error; a name that failed prints nothing more', () => {
    const a = analyze('print(1, color="red")\nprint(nope)\n');
    expect(a.diagnostics.map((d) => d.code)).toEqual(['call.unknown-keyword', 'name.undefined']);
    expect(a.prints).toBeUndefined();
  });
});
