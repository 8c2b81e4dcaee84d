/**
 * Issue #15, "Text": user text reaching Markdown (hovers, derivations, detail documents, worked
 * solutions) or LaTeX goes through one escaping function per target (src/core/explain/escape.ts).
 * Markdown is rendered with markdown-it — the renderer of VS Code's Markdown preview (the copy
 * @vscode/vsce brings) — with HTML and linkify on, as the preview has them, and the rendered HTML
 * must show the user's text as text: no <img>, no <a>, no raw tag, the code span unbroken.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeFull } from '../../../src/core/index';
import { clip, htmlText, mdCode, mdFence, mdText, texText } from '../../../src/core/explain/escape';
import { renderMarkdown } from '../../../src/core/explain/solution/doc';
import { workedSolution } from '../../../src/core/explain/solution';
import { expectationMarkdown } from '../../../src/extension/render';

const requireHere = createRequire(import.meta.url);
const MarkdownIt = requireHere(requireHere.resolve('markdown-it', { paths: [requireHere.resolve('@vscode/vsce/package.json').replace(/package\.json$/, '')] }));
const md = new MarkdownIt({ html: true, linkify: false });
const render = (s: string): string => md.render(s) as string;
/** The text content of rendered HTML (tags removed, the entities markdown-it writes decoded). */
const textOf = (html: string): string =>
  html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const HOSTILE = [
  'a`b',
  '``x``',
  '`',
  ' ` ',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '![x](http://evil/y.png)',
  '[click](http://evil)',
  '[a][b]',
  '$(alert) $(icon)',
  '*bold* _it_ ~~strike~~',
  '# heading',
  'a | b | c',
  '&lt; &amp; &#60;',
  'back\\slash \\` \\*',
];

describe('mdText: prose shows the text as written', () => {
  it.each(HOSTILE)('%s', (s) => {
    const html = render(`x ${mdText(s)} y`);
    expect(html).not.toMatch(/<(img|a|script|em|strong|s|del|code|h1)\b/);
    expect(textOf(html).trim()).toBe(`x ${s} y`);
  });
  it('keeps shapes and tensors readable (brackets not escaped)', () => {
    expect(mdText('[2, 3] [[1, 2], [3, 4]]')).toBe('[2, 3] [[1, 2], [3, 4]]');
    expect(mdText('w_hidden')).toBe('w_hidden');
  });
  it('a line break becomes a space (no new block)', () => {
    expect(render(`x ${mdText('a\n# b\n- c')} y`)).toBe('<p>x a # b - c y</p>\n');
  });
  it('$(icon) is escaped for VS Code codicons', () => expect(mdText('$(alert)')).toBe('\\$(alert)'));
});

/** mdText as one Unicode regex (what it was before its single-pass scan): the reference it must equal. */
function mdTextByRegex(s: string): string {
  const t = s.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return t.replace(/[\\`*~<|$]|_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_|&(?=#?\w+;)|(?<=\])[([]|^\s*#/gu, (c) => (c.endsWith('#') ? c.slice(0, -1) + '\\#' : `\\${c}`));
}

describe('mdText: the single-pass scan escapes exactly what the regex did', () => {
  it.each([...HOSTILE, '#', '  # h', '\t#x', '_', 'a_', '_a', 'a_b', 'é_ü', '1_2', 'a_😀', '😀_b', '\ud800_\udc00', '𝟙_x', '&amp;', '&#60;', '&x', '& amp;', '&_;', '](', '][', 'a](b', ']]([', '\n# x', '#\n#', ''])('%j', (s) => {
    expect(mdText(s)).toBe(mdTextByRegex(s));
  });
  it('on 5,000 seeded random strings over the characters that matter', () => {
    // A fixed linear congruential generator: the same strings on every run.
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = [...'\\`*~<|$_&#;()[]] \t\nab1Zé中٣', '\u2028', '\ud835\udfd9', '\ud800', '\udc00', '&amp;', '&#6;'];
    for (let k = 0; k < 5_000; k++) {
      let s = '';
      const n = Math.floor(next() * 16);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(next() * alphabet.length)];
      expect(mdText(s), JSON.stringify(s)).toBe(mdTextByRegex(s));
    }
  });
});

describe('mdCode: an inline code span nothing inside can end', () => {
  it.each(HOSTILE)('%s', (s) => {
    const html = render(`x ${mdCode(s)} y`);
    const m = /^<p>x <code>([\s\S]*)<\/code> y<\/p>\n$/.exec(html);
    expect(m, html).not.toBeNull();
    expect(textOf(m![1])).toBe(s);
  });
  it('the backtick in a comment in parentheses (the hover repro)', () => {
    const s = '(x # a ` then ![i](http://e/x.png)\n)';
    const html = render(`**${mdCode('*')}** — mul: ${mdCode(s)} = 2`);
    expect(html).not.toContain('<img');
    expect(html).toContain('<code>(x # a ` then ![i](http://e/x.png) )</code>');
  });
});

describe('mdFence: a code block no line can close', () => {
  it('a line of backticks stays inside', () => {
    const html = render(mdFence(['a', '```', '<img src=x>', '````']));
    expect(html).toBe('<pre><code>a\n```\n&lt;img src=x&gt;\n````\n</code></pre>\n');
  });
});

describe('htmlText', () => {
  it('escapes the five characters', () => expect(htmlText(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'));
});

describe('texText: the ten TeX specials', () => {
  it('# $ % & _ { } ~ ^ \\', () => {
    expect(texText('# $ % & _ { } ~ ^ \\')).toBe('\\# \\$ \\% \\& \\_ \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
  });
  it('\\input{/etc/passwd} is text, not a command', () => expect(texText('\\input{/etc/passwd}')).toBe('\\textbackslash{}input\\{/etc/passwd\\}'));
  it('line breaks are spaces', () => expect(texText('a\nb')).toBe('a b'));
});

describe('clip: at most 80 characters of user text', () => {
  it('a 10 MB string is cut to 80 code points and …', () => {
    const s = 'a'.repeat(10_000_000);
    expect(clip(s)).toBe('a'.repeat(80) + '…');
  });
  it('never splits a surrogate pair', () => {
    const s = '😀'.repeat(100);
    expect(clip(s)).toBe('😀'.repeat(80) + '…');
  });
  it('short text unchanged, line breaks as spaces', () => {
    expect(clip('abc')).toBe('abc');
    expect(clip('a\nb')).toBe('a b');
  });
});

describe('the three injections of the issue, through the real code paths', () => {
  it('operator hover: a backtick inside a comment in parentheses does not break the inline code', () => {
    const text = 'a = 2\nb = 3\nc = (a # ` ![x](http://evil/x.png) [l](http://evil) <img src=y> $(alert)\n) * b\n';
    const a = analyze(text);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const hover = a.symbols.find((s) => s.kind === 'operator' && s.name === '*')!;
    expect(hover).toBeDefined();
    const html = render(hover.detail);
    expect(html).not.toMatch(/<(img|a)\b/);
    expect(html).not.toContain('<img src=y>');
    // The expression is one code span (clipped to 80 characters, the line break a space).
    expect(html).toContain('<code>(a # ` ![x](http://evil/x.png) [l](http://evil) &lt;img src=y&gt; $(alert) ) * b</code>');
  });

  it('every hover of a hostile document renders without images, links or raw HTML', () => {
    const text = [
      'x = 1.5',
      'y = (x # ``` <img src=a> ![i](http://e/i.png)',
      '  ) * 2 + (x # `[l](http://e)` $(alert)',
      ')',
      'z = relu(y # <b>bold</b> `',
      ')',
      'grad z wrt x',
    ].join('\n');
    const a = analyze(text);
    expect(a.symbols.length).toBeGreaterThan(5);
    for (const s of a.symbols) {
      const html = render(s.detail);
      expect(html, s.detail).not.toMatch(/<(img|a|b|script)\b/);
    }
    for (const g of a.gradients) expect(render(g.derivation ?? '')).not.toMatch(/<(img|a|b)\b/);
  });

  it('the expectation detail document: `# expect ${left.text}` is escaped', () => {
    const text = 'x = 2\nexpect (x # ![i](http://e/i.png) <img src=q> `\n) == 2\n';
    const a = analyze(text);
    expect(a.expectations).toHaveLength(1);
    const doc = expectationMarkdown(a.expectations[0], 4);
    const html = render(doc);
    expect(html).not.toMatch(/<(img|a)\b/);
    expect(html).toMatch(/^<h1>/);
    // The heading holds the whole expression (one line).
    expect(html.split('\n')[0]).toContain('i.png');
  });

  it('mdInline of a worked solution: a double backtick leaves no raw HTML', () => {
    const out = renderMarkdown([{ kind: 'para', text: ['see ', { code: 'a ``<img src=x>`` b' }, ' and ', { b: '<i>x</i>' }] }]);
    const html = render(out);
    expect(html).not.toMatch(/<(img|i)\b/);
    expect(textOf(html).trim()).toBe('see a ``<img src=x>`` b and <i>x</i>');
  });

  it('an exported solution of a hostile document has no raw HTML', () => {
    const text = 'w = 0.5 # <img src=x> ``\nx = 2\ny = (w # `` <img src=z> ``\n) * x\ngrad y wrt w\n';
    const full = analyzeFull(text);
    const sol = workedSolution(full, { format: 'md', title: 'x <img src=t> `` y' });
    expect(sol).toContain('w');
    expect(render(sol)).not.toMatch(/<img\b/);
    const tex = workedSolution(full, { format: 'tex', title: '\\input{/etc/passwd} # $ % & _ { } ~ ^' });
    expect(tex).not.toContain('\\input');
  });
});
