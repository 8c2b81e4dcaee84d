/**
 * Grading 500 submissions of the homework (examples/assignment/hw4.md) with `gradlens grade`,
 * against one `gradlens eval` per file measured in the same run (issue #14: ≤ 10 s on this
 * 2-core machine). The submissions are the students' handouts filled in from their keys, every
 * fifth answer wrong (its key × 1.5, so the misconception engine runs on it).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKey, handoutFor } from '../src/core/assign/index';
import { gradeCommand } from '../src/cli/grading';
import { readBounded } from '../src/extension/fileAccessNode';

export interface GradeBenchRow {
  readonly name: string;
  readonly ms: number;
  readonly ref?: { readonly name: string; readonly ms: number };
  readonly target?: string;
}

export function benchGrading(students = 500, evalSample = 20): GradeBenchRow[] {
  const root = join(__dirname, '..');
  const source = readFileSync(join(root, 'examples', 'assignment', 'hw4.md'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-grade-bench-'));
  const ids = Array.from({ length: students }, (_, i) => `b${String(i + 1).padStart(4, '0')}`);
  const t0 = performance.now();
  const handouts = ids.map((id) => handoutFor(source, 'markdown', id));
  const key = buildKey(source, 'markdown', 2026, handouts);
  const assignMs = performance.now() - t0;
  writeFileSync(join(dir, 'key.json'), JSON.stringify(key));
  mkdirSync(join(dir, 'subs'));
  let k = 0;
  for (const h of handouts) {
    const byExpr = new Map(h.key.answers.map((a) => [`${a.question}|${a.exprText}`, a.key]));
    let q = '';
    const text = h.handout.replace(/^(question (\S+).*|answer (.+?) == \?)$/gm, (line, _all, qid, expr) => {
      if (qid) {
        q = qid;
        return line;
      }
      const v = byExpr.get(`${q}|${expr}`) ?? [0];
      const w = k++ % 5 === 4 ? v.map((x) => x * 1.5) : v;
      return `answer ${expr} == ${w.length === 1 ? String(w[0]) : `[${w.join(', ')}]`}`;
    });
    writeFileSync(join(dir, 'subs', `${h.key.student}.md`), text);
  }
  const quiet = (): void => undefined;
  const t1 = performance.now();
  // The command as `gradlens grade KEY DIR --out OUT` runs it (src/cli/main.ts hands it these).
  const read = (file: string): string | undefined => {
    const r = readBounded(file);
    return r.ok ? r.bytes.toString('utf8') : undefined;
  };
  const code = gradeCommand(['grade', join(dir, 'key.json'), join(dir, 'subs')], new Map([['--out', join(dir, 'out')]]), read, quiet, quiet);
  const gradeMs = performance.now() - t1;
  if (code !== 0) throw new Error(`gradlens grade exited ${code}`);
  // One `gradlens eval FILE` process per file, on the first `evalSample` files, scaled to all.
  const cli = join(root, 'dist', 'cli.js');
  const t2 = performance.now();
  for (const id of ids.slice(0, evalSample)) spawnSync(process.execPath, [cli, 'eval', join(dir, 'subs', `${id}.md`)], { stdio: 'ignore' });
  const evalMs = ((performance.now() - t2) / evalSample) * students;
  rmSync(dir, { recursive: true, force: true });
  return [
    { name: `gradlens assign: ${students} handouts and the key of examples/assignment/hw4.md (in process)`, ms: assignMs },
    {
      name: `gradlens grade: ${students} submissions of the homework (13 answers each, 1 in 5 wrong → diagnosed), CSV + 2 × results.json each`,
      ms: gradeMs,
      ref: { name: `one \`gradlens eval\` process per file (${evalSample} timed, × ${students / evalSample})`, ms: evalMs },
      target: '≤ 10 s',
    },
  ];
}
