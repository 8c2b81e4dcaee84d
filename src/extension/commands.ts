import * as vscode from 'vscode';
import type { Analysis, CheckInfo, GradientInfo } from '../core/analysis';
import type { AnalysisService } from './analysisService';
import type { AnswersView } from './answersView';
import { blankTemplate, solutionsRefusal } from './hiddenAnswers';
import { isAnalyzable } from './analysisService';
import { Commands } from './commandIds';
import type { Config } from './config';
import type { DetailDocuments, DetailRef } from './details';
import { showDetails } from './details';
import type { Panel } from './panel';
import { derivationLatex, gradientMarkdown, gradientName } from './render';
import { insertionLine, previousSolution, solutionBlock } from './fences';
import { templates } from './templates';
import { previewAssignment, type PreviewArgs } from './previewAssignment';

export interface CommandServices {
  readonly analyses: AnalysisService;
  /** The analyses as shown (answers hidden or not): what the refusals below ask. */
  readonly view: AnswersView;
  readonly config: Config;
  readonly details: DetailDocuments;
  readonly panel: Panel;
  readonly refreshInlayHints: () => void;
}

/** Which gradient a command is about; all optional (a quick pick asks for what is missing). */
export interface GradientArgs {
  readonly uri?: string;
  readonly of?: string;
  readonly wrt?: string;
}

/** Registers every command of the table; each handler returns something tests can check. */
export function registerCommands(s: CommandServices): vscode.Disposable[] {
  const handlers: Record<keyof typeof Commands, (...args: never[]) => unknown> = {
    explainGradient: (args?: GradientArgs) => explainGradient(s, args),
    showPanel: () => {
      s.panel.show();
      return true;
    },
    copyDerivation: (args?: GradientArgs) => copyDerivation(s, args),
    runGradientCheck: (args?: { uri?: string }) => runGradientCheck(s, args),
    newExercise: (templateId?: string) => newExercise(s, templateId),
    toggleInlineValues: async () => {
      const enabled = !s.config.inlineValues;
      await s.config.setInlineValues(enabled);
      s.refreshInlayHints();
      return enabled;
    },
    copyWorkedSolution: (args?: { uri?: string }) => copyWorkedSolution(s, args),
    insertWorkedSolution: (args?: { uri?: string; line?: number }) => insertWorkedSolution(s, args),
    stopTraining: () => stopTraining(s),
    trainFully: (uri?: string) => trainFully(s, uri),
    previewAssignment: (args?: PreviewArgs) => previewAssignment(s.analyses, targetDocument(args?.uri), args),
    showDetails: (ref: DetailRef) => showDetails(ref, s.analyses, s.view, s.details, s.config),
  };
  return (Object.keys(Commands) as (keyof typeof Commands)[]).map((name) =>
    vscode.commands.registerCommand(Commands[name].id, handlers[name] as (...args: unknown[]) => unknown),
  );
}

/**
 * Stops the training that is running now (the active document's, else any document's): it
 * ends where it is and the rest of the document is analysed (see WorkerClient.stop). Returns
 * the stopped document's URI (undefined when nothing ran).
 */
function stopTraining(s: CommandServices): string | undefined {
  const active = vscode.window.activeTextEditor?.document;
  const stopped = s.analyses.stopTraining(active && isAnalyzable(active) ? active : undefined);
  if (!stopped) {
    void vscode.window.showInformationMessage('GradLens: no training is running.');
    return undefined;
  }
  return stopped.uri.toString();
}

/**
 * "Train fully" (the CodeLens of a stopped `train`): analyses the document again with no time
 * limit on its training; Stop Training or an edit still ends it. Resolves when it is done, with
 * the number of trainings that still stopped early.
 */
async function trainFully(s: CommandServices, uri?: string): Promise<number | undefined> {
  const document = targetDocument(uri);
  if (!document) {
    tellNoDocument();
    return undefined;
  }
  vscode.window.setStatusBarMessage('GradLens: training fully (Stop Training ends it)…', 3000);
  const a = await s.analyses.trainFully(document);
  return a?.trainings?.filter((t) => t.stopped).length;
}

function targetDocument(uri?: string): vscode.TextDocument | undefined {
  if (uri) return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  const d = vscode.window.activeTextEditor?.document;
  return d && isAnalyzable(d) ? d : undefined;
}

function tellNoDocument(): void {
  void vscode.window.showInformationMessage('GradLens: open a .nn file or a Markdown file with ```nn blocks first.');
}

/**
 * The gradient ∂of/∂wrt with its derivation: taken from the analysis if a `grad` line asked for
 * it, otherwise computed by analysing the document with `grad OF wrt WRT` appended.
 */
async function resolveGradient(s: CommandServices, args: GradientArgs | undefined, verb: string): Promise<GradientInfo | undefined> {
  const document = targetDocument(args?.uri);
  if (!document) {
    tellNoDocument();
    return undefined;
  }
  const analysis = await s.analyses.get(document);
  if (!analysis) return undefined;
  if (refused(s, analysis)) return undefined;

  let of = args?.of;
  let wrt = args?.wrt;
  if (!of) {
    const outputs = outputCandidates(analysis);
    if (!outputs.length) {
      void vscode.window.showInformationMessage('GradLens: this file has no scalar value to differentiate.');
      return undefined;
    }
    of = outputs.length === 1 ? outputs[0].label : (await vscode.window.showQuickPick(outputs, { title: `${verb}: output`, placeHolder: 'Differentiate which scalar?' }))?.label;
    if (!of) return undefined;
  }
  if (!wrt) {
    const variables = variableCandidates(analysis, of);
    if (!variables.length) {
      void vscode.window.showInformationMessage(`GradLens: ${of} depends on no other value.`);
      return undefined;
    }
    wrt = (await vscode.window.showQuickPick(variables, { title: `${verb}: ∂${of}/∂…`, placeHolder: 'With respect to which value?' }))?.label;
    if (!wrt) return undefined;
  }
  const index = analysis.gradients.findIndex((g) => g.of === of && g.wrt === wrt);
  if (index >= 0) {
    // A large gradient is a preview on this side: the derivation document shows the full data.
    const item = analysis.gradients[index].summary ? await s.analyses.fullItem(document, { kind: 'gradient', index }) : undefined;
    return item?.kind === 'gradient' ? item.gradient : analysis.gradients[index];
  }

  const extra = document.languageId === 'markdown' ? `\n\n\`\`\`nn\ngrad ${of} wrt ${wrt}\n\`\`\`\n` : `\ngrad ${of} wrt ${wrt}\n`;
  const extended = await s.analyses.analyzeText(document.getText() + extra, document.languageId === 'markdown' ? 'markdown' : 'nn', document);
  const g = extended?.gradients.filter((g) => g.of === of && g.wrt === wrt).pop();
  if (!g) {
    const problem = extended?.diagnostics.find((d) => d.severity === 'error' && d.span.start >= document.getText().length);
    void vscode.window.showWarningMessage(`GradLens: could not compute ${gradientName(of, wrt)}${problem ? `: ${problem.message}` : '.'}`);
  }
  return g;
}

function outputCandidates(a: Analysis): vscode.QuickPickItem[] {
  const seen = new Set<string>();
  const items: vscode.QuickPickItem[] = [];
  for (const g of a.gradients) {
    if (!seen.has(g.of)) {
      seen.add(g.of);
      items.push({ label: g.of, description: 'has grad lines' });
    }
  }
  for (const v of [...a.values].reverse()) {
    if (v.shape.length === 0 && !v.isLeaf && !seen.has(v.name)) {
      seen.add(v.name);
      items.push({ label: v.name, description: `line ${v.line + 1}` });
    }
  }
  return items;
}

function variableCandidates(a: Analysis, of: string): vscode.QuickPickItem[] {
  const seen = new Set<string>([of]);
  const items: vscode.QuickPickItem[] = [];
  for (const g of a.gradients) {
    if (g.of === of && !seen.has(g.wrt)) {
      seen.add(g.wrt);
      items.push({ label: g.wrt, description: 'computed' });
    }
  }
  const outLine = Math.max(...a.values.filter((v) => v.name === of).map((v) => v.line), -1);
  const before = a.values.filter((v) => outLine < 0 || v.line < outLine);
  const ordered = [...before.filter((v) => v.isParam), ...before.filter((v) => !v.isParam && v.isLeaf), ...before.filter((v) => !v.isLeaf)];
  for (const v of ordered) {
    if (!seen.has(v.name)) {
      seen.add(v.name);
      items.push({ label: v.name, description: v.isParam ? 'param' : v.isLeaf ? 'leaf' : 'intermediate' });
    }
  }
  return items;
}

async function explainGradient(s: CommandServices, args?: GradientArgs): Promise<vscode.Uri | undefined> {
  const g = await resolveGradient(s, args, 'Explain Gradient');
  if (!g) return undefined;
  return s.details.show(`Derivation of ∂${g.of}∕∂${g.wrt}`, gradientMarkdown(g, s.config.precision));
}

/** "Copy Derivation as LaTeX": the derivation for a LaTeX homework (`\[ \begin{aligned} … \]`); Markdown when there is no LaTeX form. */
async function copyDerivation(s: CommandServices, args?: GradientArgs): Promise<string | undefined> {
  const g = await resolveGradient(s, args, 'Copy Derivation');
  if (!g) return undefined;
  const latex = derivationLatex(g);
  const text = latex ?? gradientMarkdown(g, s.config.precision);
  await vscode.env.clipboard.writeText(text);
  const what = `the derivation of ${gradientName(g.of, g.wrt)} ${latex ? 'as LaTeX' : 'as Markdown (it has no LaTeX form)'}`;
  void vscode.window.setStatusBarMessage(`GradLens: copied ${what}`, 5000);
  void vscode.window.showInformationMessage(`GradLens: copied ${what} to the clipboard.`);
  return text;
}

async function runGradientCheck(s: CommandServices, args?: { uri?: string }): Promise<readonly CheckInfo[] | undefined> {
  const document = targetDocument(args?.uri);
  if (!document) {
    tellNoDocument();
    return undefined;
  }
  const analysis = await s.analyses.get(document);
  if (!analysis) return undefined;
  const checks = analysis.checks;
  if (!checks.length) {
    void vscode.window.showInformationMessage('GradLens: no `check` lines in this file. Add one, for example `check L wrt W`.');
    return checks;
  }
  const failed = checks.filter((c) => !c.passed);
  if (failed.length) {
    const list = failed.map((c) => `${gradientName(c.of, c.wrt)} (line ${c.line + 1}, rel. error ${c.maxRelError.toExponential(1)})`).join(', ');
    void vscode.window.showErrorMessage(`GradLens: ${failed.length} of ${checks.length} gradient checks failed: ${list}`);
  } else {
    const kinks = checks.reduce((n, c) => n + c.kinks, 0);
    void vscode.window.showInformationMessage(
      `GradLens: all ${checks.length} gradient checks pass (largest relative error ${Math.max(...checks.map((c) => c.maxRelError)).toExponential(1)}${kinks ? `; ${kinks} element(s) at a kink` : ''}).`,
    );
  }
  return checks;
}

/**
 * Answers hidden and not released (hiddenAnswers.ts): tells why a derivation or worked solution
 * is not given, and returns true.
 */
function refused(s: CommandServices, analysis: Analysis): boolean {
  const why = solutionsRefusal(s.view.modeOf(analysis));
  if (why) void vscode.window.showWarningMessage(why);
  return why !== undefined;
}

async function newExercise(s: CommandServices, templateId?: string): Promise<vscode.Uri | undefined> {
  let template = templates.find((t) => t.id === templateId);
  if (!template) {
    const picked = await vscode.window.showQuickPick(
      templates.map((t) => ({ label: t.label, description: t.description, template: t })),
      { title: 'New Exercise from Template' },
    );
    template = picked?.template;
  }
  if (!template) return undefined;
  // Answers hidden: the template has blanks (`answer … == ?`) instead of the homework's numbers.
  const content = s.config.answersHidden ? blankTemplate(template.text) : template.text;
  const document = await vscode.workspace.openTextDocument({ language: template.languageId, content });
  await vscode.window.showTextDocument(document);
  return document.uri;
}

/** The worked solution of a document (computed in the worker), or undefined after telling why not. */
async function solutionOf(s: CommandServices, document: vscode.TextDocument): Promise<string | undefined> {
  const analysis = await s.analyses.get(document);
  if (analysis && refused(s, analysis)) return undefined;
  const title = vscode.workspace.asRelativePath(document.uri).replace(/^.*[\\/]/, '');
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'GradLens: writing the worked solution' }, () =>
    s.analyses.solution(document, title, s.config.precision),
  );
  if ('problem' in r) {
    void vscode.window.showWarningMessage(`GradLens: no worked solution: ${r.problem}`);
    return undefined;
  }
  return r.markdown;
}

/** "Copy Worked Solution": the active document's worked solution, Markdown, to the clipboard. */
async function copyWorkedSolution(s: CommandServices, args?: { uri?: string }): Promise<string | undefined> {
  const document = targetDocument(args?.uri);
  if (!document) {
    tellNoDocument();
    return undefined;
  }
  const markdown = await solutionOf(s, document);
  if (markdown === undefined) return undefined;
  await vscode.env.clipboard.writeText(markdown);
  void vscode.window.setStatusBarMessage('GradLens: worked solution copied as Markdown', 5000);
  void vscode.window.showInformationMessage('GradLens: copied the worked solution (Markdown) to the clipboard.');
  return markdown;
}

/**
 * "Insert Worked Solution" (Markdown): inserts it below the ```nn block holding the cursor, or
 * below the last block. Returns the 0-based line where the inserted text starts.
 */
async function insertWorkedSolution(s: CommandServices, args?: { uri?: string; line?: number }): Promise<number | undefined> {
  const document = targetDocument(args?.uri);
  if (!document || document.languageId !== 'markdown') {
    void vscode.window.showInformationMessage('GradLens: Insert Worked Solution works in a Markdown file with ```nn blocks.');
    return undefined;
  }
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const cursor = args?.line ?? editor?.selection.active.line ?? document.lineCount - 1;
  const lines = Array.from({ length: document.lineCount }, (_, i) => document.lineAt(i).text);
  const after = insertionLine(lines, cursor);
  if (after === undefined) {
    void vscode.window.showInformationMessage('GradLens: this Markdown file has no ```nn block.');
    return undefined;
  }
  const version = document.version;
  const markdown = await solutionOf(s, document);
  if (markdown === undefined) return undefined;
  if (document.version !== version) {
    void vscode.window.showWarningMessage('GradLens: the document changed while the solution was written; run the command again.');
    return undefined;
  }
  // Between markers, so that running it again replaces the solution instead of adding a second.
  const previous = previousSolution(lines, after);
  const edit = new vscode.WorkspaceEdit();
  if (previous) {
    edit.replace(document.uri, new vscode.Range(previous.start, 0, previous.end, lines[previous.end].length), solutionBlock(markdown));
  } else {
    edit.insert(document.uri, document.lineAt(after).range.end, `\n\n${solutionBlock(markdown)}\n`);
  }
  if (!(await vscode.workspace.applyEdit(edit))) return undefined;
  void vscode.window.showInformationMessage(previous ? 'GradLens: worked solution replaced (the one inserted before).' : 'GradLens: worked solution inserted below the block.');
  return previous ? previous.start : after + 2;
}
