/**
 * Issue #15: layer sizes and counts are finite integers within documented limits
 * (docs/language.md, "Limits"). Each repro of the issue is an input here.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

const net = (input: string, layer: string): string => `network n\n  input ${input}\n  ${layer}\n`;

function codes(text: string, budget = 5e7): string[] {
  return analyze(text, { budget }).diagnostics.map((d) => d.code);
}

describe('layer argument limits (arg.too-large naming the limit)', () => {
  it('Linear(3, 1e308) is refused on its argument, not counted as Infinity parameters', () => {
    const text = net('[2, 3]', 'Linear(3, 1e308)');
    const a = analyze(text, { budget: 5e7 });
    expect(a.diagnostics).toHaveLength(1);
    const d = a.diagnostics[0];
    expect(d.code).toBe('arg.too-large');
    expect(text.slice(d.span.start, d.span.end)).toBe('1e308');
    expect(d.message).toContain('2,147,483,647');
    expect(a.networks).toEqual([]);
    // Serialisable without a null in place of a count.
    expect(JSON.stringify(a)).not.toContain('null');
  });

  it('Conv2d(4, 4, 1e308) is arg.too-large (it was eval.internal)', () => {
    const text = net('[1, 4, 8, 8]', 'Conv2d(4, 4, 1e308)');
    const a = analyze(text, { budget: 5e7 });
    expect(a.diagnostics.map((d) => d.code)).toEqual(['arg.too-large']);
    expect(text.slice(a.diagnostics[0].span.start, a.diagnostics[0].span.end)).toBe('1e308');
  });

  it.each(['LSTM', 'GRU', 'RNN'])('%s(3, 4, num_layers=99999999) is refused at once (limit 1,000)', (layer) => {
    const text = net('[5, 3]', `${layer}(3, 4, num_layers=99999999)`);
    const t0 = performance.now();
    const a = analyze(text, { budget: 5e7 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['arg.too-large']);
    expect(a.diagnostics[0].message).toContain('at most 1,000');
    expect(text.slice(a.diagnostics[0].span.start, a.diagnostics[0].span.end)).toBe('99999999');
  });

  it('num_layers = 1000 is within the limit (PyTorch: 4·4·(3+4+2) + 999·4·4·(4+4+2) = 160,144 params)', () => {
    const a = analyze(net('[5, 3]', 'LSTM(3, 4, num_layers=1000)'), { budget: 5e7 });
    expect(a.diagnostics).toEqual([]);
    // Hand derivation: layer 0 has 4H·(I + H + 2) = 16·9 = 144, layers 1..999 have 16·(4 + 4 + 2) = 160 each.
    expect(a.networks[0].params).toBe(144 + 999 * 160);
  });

  it('a layer of more than 2^53 − 1 parameters is arg.too-large', () => {
    expect(codes(net('[2, 3]', 'Linear(2147483647, 2147483647)'))).toEqual(['arg.too-large']);
  });

  it('an input size beyond 2^31 − 1 is arg.too-large', () => {
    expect(codes(net('[1e300, 3]', 'Linear(3, 2)'))).toEqual(['arg.too-large']);
  });

  it('a tuple entry beyond the limit is refused (kernel_size=(3, 1e20))', () => {
    expect(codes(net('[1, 4, 8, 8]', 'Conv2d(4, 4, kernel_size=(3, 1e20))'))).toEqual(['arg.too-large']);
  });
});
