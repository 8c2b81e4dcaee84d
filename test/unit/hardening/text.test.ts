/**
 * Issue #15, "Text": ranges within the document with surrogate pairs counted right, and messages
 * that quote at most 80 characters of the user's text.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { boundMessage, nearest } from '../../../src/core/diagnostics';

function inside(text: string): void {
  const a = analyze(text);
  for (const d of a.diagnostics) {
    expect(d.span.start, d.message).toBeGreaterThanOrEqual(0);
    expect(d.span.end, d.message).toBeLessThanOrEqual(text.length);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
  }
}

describe('surrogates', () => {
  it('analyze("x = 1\\ud800"): a lone high surrogate at the end is one unit, inside the text', () => {
    const text = 'x = 1\ud800';
    const a = analyze(text);
    expect(a.diagnostics.map((d) => [d.code, d.span.start, d.span.end])).toEqual([['lex.unexpected-character', 5, 6]]);
    // Named by its code point, not pasted as half a character.
    expect(a.diagnostics[0].message).toBe('Expected an expression, found the character U+D800.');
    expect(() => JSON.stringify(a)).not.toThrow();
  });
  it.each([
    ['a lone low surrogate', 'x = 1\udc00'],
    ['a lone surrogate alone', '\ud800'],
    ['a high surrogate before a letter (not a pair)', 'a\ud800b = 2'],
    ['reversed halves', 'x = \udc00\ud800'],
    ['a lone surrogate in a Markdown block', '```nn\nx = 1\ud800'],
  ])('%s: every range inside the text', (_what, text) => inside(text));
  it('a high surrogate before a letter does not join the name (the letter is not eaten)', () => {
    const a = analyze('a\ud800b = 2');
    expect(a.diagnostics.map((d) => [d.code, d.span.start, d.span.end])).toContainEqual(['lex.unexpected-character', 1, 2]);
  });
  it('a real pair (𝑥, U+1D465) is a letter of a name, two units wide', () => {
    const a = analyze('α𝑥 = 2\ny = α𝑥 + 1');
    expect(a.diagnostics).toEqual([]);
    expect(a.values.map((v) => [v.name, v.data])).toEqual([
      ['α𝑥', [2]],
      ['y', [3]],
    ]);
    expect(a.values[0].nameSpan).toEqual({ start: 0, end: 3 });
  });
  it('an emoji (a pair, not a letter) is one diagnostic over both units', () => {
    const a = analyze('x = 😀');
    expect(a.diagnostics.map((d) => [d.span.start, d.span.end])).toEqual([[4, 6]]);
  });
});

describe('a 10 MB identifier', () => {
  const big = 'a'.repeat(10_000_000);
  it('is lex.name-too-long, quoted in at most 80 characters, and never copied on', () => {
    const text = `${big} = 1\ny = ${big} + 1\n`;
    const a = analyze(text);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['lex.name-too-long', 'lex.name-too-long']);
    for (const d of a.diagnostics) expect(d.message.length).toBeLessThan(200);
    expect(a.diagnostics[0].span).toEqual({ start: 0, end: 10_000_000 });
    // Nothing in the result holds the name: the whole analysis is small.
    expect(JSON.stringify(a).length).toBeLessThan(10_000);
  });
  it('a long undefined name (within the 256 limit) is quoted in at most 80 characters', () => {
    const name = 'b'.repeat(256);
    const a = analyze(`y = ${name} + 1\n`);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['name.undefined']);
    expect(a.diagnostics[0].message).toBe(`Expected a defined name, found \`${'b'.repeat(80)}…\`.`);
  });
  it('nearest() does not compare a 10 MB name letter by letter', () => {
    const t0 = performance.now();
    expect(nearest(big, ['a', 'aa', 'b'])).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('boundMessage keeps short quotes and cuts long ones (code and "quoted")', () => {
    expect(boundMessage('Expected `x`, found `y`.')).toBe('Expected `x`, found `y`.');
    expect(boundMessage(`found "${'c'.repeat(100)}" here`)).toBe(`found "${'c'.repeat(80)}…" here`);
    expect(boundMessage(`found \`\`${'d'.repeat(100)}\`\``)).toBe(`found \`\`${'d'.repeat(80)}…\`\``);
    expect(boundMessage('x'.repeat(5000)).length).toBeLessThanOrEqual(1001);
  });
});
