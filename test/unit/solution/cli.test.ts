import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { texText } from '../../../src/core/explain/solution/doc';
import { ROOT } from './helpers';

function run(...args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}
const t1 = join(ROOT, 'examples/hw4-t1-residual.nn');

describe('gradlens solution', () => {
  it('prints the Markdown solution and exits 0 when every check holds', () => {
    const r = run('solution', t1);
    expect(r.code).toBe(0);
    expect(r.out).toContain('## Forward pass');
    expect(r.out).toContain('&= \\max\\left(0, 0.4\\right)');
    expect(r.out).toContain('The gradient of $z$ with respect to $w_{0}$ is $-0.2$.');
  });
  it('--format tex prints a standalone document', () => {
    const r = run('solution', t1, '--format', 'tex');
    expect(r.out.startsWith('\\documentclass')).toBe(true);
    expect(r.out).toContain('\\end{document}');
  });
  it('--of/--wrt explain the named gradients only', () => {
    const r = run('solution', t1, '--of', 'z', '--wrt', 'x0,w1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('### $\\frac{\\partial z}{\\partial x_{0}}$');
    expect(r.out).toContain('### $\\frac{\\partial z}{\\partial w_{1}}$');
    expect(r.out).not.toContain('### $\\frac{\\partial z}{\\partial b_{0}}$');
  });
  it('an unknown name is reported, exit 1', () => {
    const r = run('solution', t1, '--of', 'z', '--wrt', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no binding named `nope`');
  });
  it('a bad format or --wrt without --of is a usage error, exit 2', () => {
    expect(run('solution', t1, '--format', 'html').code).toBe(2);
    expect(run('solution', t1, '--wrt', 'w0').code).toBe(2);
    expect(run('solution').code).toBe(2);
  });
  it('a failed expect makes the exit status 1 and shows ✗', () => {
    // solution-fork.nn's expectations hold; a wrong answer is shown with ✗.
    const r = run('solution', join(ROOT, 'examples/solution-fork.nn'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('✓ line 10');
  });
});

describe('texText', () => {
  it('escapes LaTeX specials and maps Unicode that pdflatex cannot take raw', () => {
    expect(texText('a_b & 50% #1 {x} ~ ^ \\')).toBe('a\\_b \\& 50\\% \\#1 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    expect(texText('∂z/∂w0 = −0.2 ✓ → 😀')).toBe('$\\partial$z/$\\partial$w0 = -0.2 $\\checkmark$ $\\to$ ?');
  });
});
