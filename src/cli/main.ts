/**
 * The command-line front end: `gradlens eval FILE… [--json]`, `gradlens explain FILE --of OUT
 * --wrt NAME`, `gradlens summary FILE`. The same core as the editor.
 */
import { dirname } from 'node:path';
import { MAX_READ_BYTES } from '../extension/fileAccess';
import { policyReader, readBounded, realFolder } from '../extension/fileAccessNode';

/**
 * AnalyzeOptions.readFile for a document: paths relative to its folder (`load_csv("data/x.csv")`),
 * and only regular files inside that folder or a folder given with --allow-read (symlinks
 * resolved, at most 64 MB as read; docs/security.md). The current directory plays no part.
 */
function readerFor(file: string, allowRead: readonly string[]): (relativePath: string) => string | undefined {
  const roots = [dirname(file), ...allowRead].map(realFolder).filter((r): r is string => r !== undefined);
  return policyReader(dirname(file), { roots, trusted: true });
}
import { analyzeFull, analyzeNotebookFull, type AnalyzeOptions, type FullAnalysis, type NotebookProgram } from '../core/index';
import { renderJson, renderReport } from './report';
import { isFolder, readFolder } from './folders';
import { assignCommand, gradeCommand } from './grading';
import { deriveGradient, derivationMarkdown, derivationTex } from '../core/explain/derive';
import { formatSummary } from '../core/nets/index';
import { isSolutionFormat, solutionBlocks, workedSolution } from '../core/explain/solution';

const USAGE = `GradLens — values, gradients, shapes and derivations for .nn descriptions

Usage:
  gradlens eval FILE… [--json] [--budget N]    analyse files (budget: work units, default 2e10) (.nn, Markdown with \`\`\`nn blocks,
                                               Python .py, Jupyter .ipynb: lines as cell + line)
  gradlens explain FILE --of OUT --wrt NAME [--format md|tex]
                                               the chain-rule derivation of ∂OUT/∂NAME
  gradlens summary FILE                        torchinfo-style tables of the file's networks
  gradlens solution FILE [--format md|tex] [--of OUT] [--wrt N1,N2…]
                                               the worked solution: forward pass, backward pass,
                                               sizes and parameter counts, checks (Markdown or LaTeX)
  gradlens assign SOURCE --roster roster.csv --out DIR [--seed N] [--released]
                                               per student DIR/ID/handout.md (or .nn) with their
                                               numbers and no key, and DIR/key.json, DIR/key.csv
                                               (--released: worked solutions allowed in the editor)
  gradlens grade KEY SUBMISSION… --out DIR [--visibility V]
                                               score filled-in handouts (files or folders): DIR/grades.csv,
                                               DIR/ID/gradescope/results.json, DIR/ID/prairielearn/results.json
  gradlens --help | --version

FILE of eval may be a folder: its .nn, .md, .py and .ipynb files (regular files inside it only;
docs/grading.md).

Options of every command that reads a FILE:
  --allow-read DIR   load_csv may also read files inside DIR (repeatable). Without it a file
                     reads only files inside its own folder (symlinks resolved; docs/security.md)

Exit status: 0 when there is no error and every check and expect holds, 1 otherwise,
2 for a usage or file error.`;

interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
  /** Every --allow-read DIR, in order (the option may be repeated). */
  readonly allowRead: string[];
}

const TAKES_VALUE = new Set(['--of', '--wrt', '--format', '--budget', '--digits', '--allow-read', '--roster', '--out', '--seed', '--visibility']);
/** The options each command accepts (besides --help and --version). */
const OPTIONS: Record<string, readonly string[]> = {
  eval: ['--json', '--budget', '--digits', '--allow-read'],
  explain: ['--of', '--wrt', '--format', '--budget', '--digits', '--allow-read'],
  summary: ['--budget', '--allow-read'],
  solution: ['--of', '--wrt', '--format', '--budget', '--digits', '--allow-read'],
  assign: ['--roster', '--out', '--seed', '--released'],
  grade: ['--out', '--visibility'],
};

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const allowRead: string[] = [];
  const set = (name: string, v: string | true) => {
    // A repeated --allow-read keeps every folder; an empty or missing one stays a usage error below.
    if (name === '--allow-read' && typeof v === 'string' && v !== '') allowRead.push(v);
    if (name !== '--allow-read' || !flags.has(name) || v === true || v === '') flags.set(name, v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) set(a.slice(0, eq), a.slice(eq + 1));
      else if (TAKES_VALUE.has(a)) {
        // A value is required: a missing one (or another option in its place) is a usage error below.
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) set(a, true);
        else set(a, argv[++i]);
      } else set(a, true);
    } else positional.push(a);
  }
  return { positional, flags, allowRead };
}

/** A usage problem with the options of `cmd`, or undefined. */
function optionProblem(cmd: string, flags: ReadonlyMap<string, string | true>, allowRead: readonly string[]): string | undefined {
  const allowed = OPTIONS[cmd];
  if (!allowed) return undefined;
  for (const [name, v] of flags) {
    if (name === '--help' || name === '--version') continue;
    if (!allowed.includes(name)) return `unknown option ${name} for \`gradlens ${cmd}\` (it takes ${allowed.join(', ')})`;
    if (TAKES_VALUE.has(name) && (v === true || v === '')) return `${name} needs a value`;
    if (!TAKES_VALUE.has(name) && v !== true) return `${name} takes no value`;
  }
  const budget = flags.get('--budget');
  if (typeof budget === 'string' && !(Number(budget) > 0 && Number.isFinite(Number(budget)))) return `--budget expects a positive number of work units, found ${budget}`;
  const digits = flags.get('--digits');
  if (typeof digits === 'string' && !(Number.isInteger(Number(digits)) && Number(digits) >= 1 && Number(digits) <= 17)) return `--digits expects an integer from 1 to 17, found ${digits}`;
  for (const dir of allowRead) if (realFolder(dir) === undefined) return `--allow-read expects an existing folder, found ${dir}`;
  const format = flags.get('--format');
  if (typeof format === 'string' && format !== 'md' && format !== 'tex') return `--format expects md or tex, found ${format}`;
  return undefined;
}

function languageOf(file: string): 'nn' | 'markdown' | 'python' | 'ipynb' {
  if (/\.(md|markdown|mdx)$/i.test(file)) return 'markdown';
  if (/\.pyw?$/i.test(file)) return 'python';
  if (/\.ipynb$/i.test(file)) return 'ipynb';
  return 'nn';
}

/**
 * A file's analysis. A notebook is read as one program (its code cells in order); `text` is then
 * that program and `notebook` its cell map, unless the .ipynb could not be read (its diagnostic is
 * in the file's own text).
 */
function analyzeFile(file: string, text: string, options: AnalyzeOptions, allowRead: readonly string[]): { full: FullAnalysis; text: string; notebook?: NotebookProgram } {
  const lang = languageOf(file);
  if (lang !== 'ipynb') return { full: analyzeFull(text, { ...options, languageId: lang, readFile: readerFor(file, allowRead) }), text };
  const { full, program } = analyzeNotebookFull(text, { ...options, readFile: readerFor(file, allowRead) });
  return program.diagnostics.length ? { full, text } : { full, text: program.text, notebook: program };
}

/**
 * The file's text, or undefined after reporting why it cannot be read (`problem` also gets the
 * reason: ENOENT, EISDIR, …). Only a regular file, at most 64 MB as read: a FIFO or a device
 * named as FILE is refused at once instead of blocking the CLI.
 */
function read(file: string, err: (s: string) => void, problem?: (why: string) => void): string | undefined {
  const r = readBounded(file, MAX_READ_BYTES);
  if (r.ok) {
    // Without a byte-order mark, as an editor shows the text (positions then agree with it).
    return r.bytes.toString('utf8').replace(/^\uFEFF/, '');
  }
  const why =
    r.why === 'too-large'
      ? `a file larger than ${MAX_READ_BYTES / (1024 * 1024)} MB`
      : r.why === 'not-a-file'
        ? r.kind === 'directory'
          ? 'EISDIR'
          : 'not a regular file (a device, pipe or socket)'
        : (r.errno ?? 'an unreadable file');
  err(`gradlens: cannot read ${file}: ${why}`);
  problem?.(why);
  return undefined;
}

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const { positional, flags, allowRead } = parseArgs(argv);
  const cmd = positional[0];
  if (flags.has('--help') || cmd === 'help') {
    out(USAGE);
    return 0;
  }
  if (flags.has('--version')) {
    out('gradlens 0.1.0');
    return 0;
  }
  const problem = cmd !== undefined ? optionProblem(cmd, flags, allowRead) : undefined;
  if (problem) {
    err(`gradlens: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const options: AnalyzeOptions = {
    // The CLI is not interactive: a larger default budget than the editor's (trains the examples fully).
    budget: flags.has('--budget') ? Number(flags.get('--budget')) : 2e10,
    digits: flags.has('--digits') ? Number(flags.get('--digits')) : undefined,
  };
  switch (cmd) {
    case 'eval': {
      const named = positional.slice(1);
      // A folder stands for its analysable files (a folder without any is a file error of its own).
      const files: string[] = [];
      const folderTexts = new Map<string, string | { refused: string }>();
      for (const f of named) {
        if (!isFolder(f)) {
          files.push(f);
          continue;
        }
        const found = readFolder(f, /\.(nn|md|markdown|py|pyw|ipynb)$/i).files;
        if (!found.length) folderTexts.set(f, { refused: 'a folder with no .nn, .md, .py or .ipynb file' });
        for (const x of found) folderTexts.set(x.path, x.text ?? { refused: x.refused ?? 'unreadable' });
        files.push(...(found.length ? found.map((x) => x.path) : [f]));
      }
      if (named.length === 0) {
        err('gradlens eval: expected at least one FILE\n\n' + USAGE);
        return 2;
      }
      const json = flags.has('--json');
      let status = 0;
      const results: unknown[] = [];
      for (const file of files) {
        let why = 'an unreadable file';
        const listed = folderTexts.get(file);
        if (typeof listed === 'object') err(`gradlens: cannot read ${file}: ${listed.refused}`);
        const text = listed === undefined ? read(file, err, (w) => (why = w)) : typeof listed === 'string' ? listed : ((why = listed.refused), undefined);
        if (text === undefined) {
          // A file error is exit 2, but the other files are still analysed; in JSON the file keeps
          // its place in the array, with the error as its diagnostic.
          status = 2;
          if (json) {
            const empty = analyzeFull('', { valuesOnly: true }).analysis;
            const diagnostic = { code: 'file.unreadable', severity: 'error' as const, message: `Expected a readable file, found ${why}.`, span: { start: 0, end: 0 } };
            results.push(renderJson(file, '', { ...empty, diagnostics: [diagnostic] }));
          }
          continue;
        }
        const { full, text: program, notebook } = analyzeFile(file, text, { ...options, valuesOnly: json }, allowRead);
        const a = full.analysis;
        // A budget stop leaves lines (and their checks and expects) unevaluated: not a clean pass.
        const failed =
          a.diagnostics.some((d) => d.severity === 'error') ||
          a.checks.some((c) => !c.passed) ||
          a.expectations.some((e) => !e.passed) ||
          a.stats.skipped !== undefined;
        if (failed && status === 0) status = 1;
        if (json) results.push(renderJson(file, program, a, notebook));
        else out(renderReport(file, program, full, options.digits ?? 4, notebook));
      }
      if (json) out(JSON.stringify(files.length === 1 ? results[0] : results, null, 2));
      return status;
    }
    case 'explain': {
      const file = positional[1];
      const of = flags.get('--of');
      const wrt = flags.get('--wrt');
      if (!file || typeof of !== 'string' || typeof wrt !== 'string') {
        err('gradlens explain: expected FILE --of OUT --wrt NAME\n\n' + USAGE);
        return 2;
      }
      const lang = languageOf(file);
      if (lang === 'python' || lang === 'ipynb') {
        err(`gradlens explain: not available for ${lang === 'ipynb' ? 'notebooks' : 'Python files'} yet; \`gradlens eval\` shows their gradients`);
        return 2;
      }
      const text = read(file, err);
      if (text === undefined) return 2;
      // Explain as if the file ended with `grad OUT wrt NAME`.
      const extra = lang === 'markdown' ? `\n\n\`\`\`nn\ngrad ${of} wrt ${wrt}\n\`\`\`\n` : `\ngrad ${of} wrt ${wrt}\n`;
      const full = analyzeFull(text + extra, { ...options, languageId: lang, readFile: readerFor(file, allowRead) });
      const req = [...full.eval.gradRequests].reverse().find((g) => g.of.name === of && g.wrtText === wrt);
      const problems = full.analysis.diagnostics.filter((d) => d.severity === 'error' && d.span.start >= text.length);
      if (!req || problems.length) {
        err(`gradlens explain: cannot explain ∂${of}/∂${wrt}: ${problems.map((p) => p.message).join(' ') || 'no such gradient'}`);
        return 1;
      }
      const d = deriveGradient(full.eval.tape, req.of, req.wrt, req.wrtText, req.grads, text + extra);
      out(flags.get('--format') === 'tex' ? `\\begin{align*}\n${derivationTex(d)}\n\\end{align*}` : derivationMarkdown(d));
      return 0;
    }
    case 'summary': {
      const file = positional[1];
      if (!file) {
        err('gradlens summary: expected FILE\n\n' + USAGE);
        return 2;
      }
      const text = read(file, err);
      if (text === undefined) return 2;
      const a = analyzeFile(file, text, { ...options, valuesOnly: true }, allowRead).full.analysis;
      if (a.networks.length === 0) {
        err(`gradlens summary: ${file} declares no network`);
        return 1;
      }
      out(a.networks.map((n) => formatSummary(n)).join('\n\n'));
      return a.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    }
    case 'solution': {
      const file = positional[1];
      const format = flags.get('--format') ?? 'md';
      const of = flags.get('--of');
      const wrtFlag = flags.get('--wrt');
      if (!file || typeof format !== 'string' || !isSolutionFormat(format) || of === true || wrtFlag === true || (wrtFlag !== undefined && of === undefined)) {
        err('gradlens solution: expected FILE [--format md|tex] [--of OUT [--wrt N1,N2…]]\n\n' + USAGE);
        return 2;
      }
      const text = read(file, err);
      if (text === undefined) return 2;
      const { full } = analyzeFile(file, text, options, allowRead);
      const wrt = typeof wrtFlag === 'string' ? wrtFlag.split(',').map((w) => w.trim()).filter(Boolean) : undefined;
      const opts = { format, of, wrt, title: file.replace(/^.*[\\/]/, ''), digits: options.digits } as const;
      const problems = of ? solutionBlocks(full, opts).problems : [];
      for (const p of problems) err(`gradlens solution: cannot explain: ${p}`);
      out(workedSolution(full, opts).replace(/\n$/, ''));
      const a = full.analysis;
      const failed = a.diagnostics.some((d) => d.severity === 'error') || a.checks.some((c) => !c.passed) || a.expectations.some((e) => !e.passed);
      return problems.length || failed ? 1 : 0;
    }
    case 'assign':
      return assignCommand(positional, flags, read, out, err);
    case 'grade':
      return gradeCommand(positional, flags, read, out, err);
    default:
      err(cmd ? `gradlens: unknown command \`${cmd}\`\n\n${USAGE}` : USAGE);
      return 2;
  }
}

if (require.main === module) {
  const code = main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
  process.exitCode = code;
}
