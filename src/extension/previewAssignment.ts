/**
 * "GradLens: Preview Assignment as Student…" (issue #14): on an assignment source, asks for a
 * student id — a quick pick of `roster.csv` next to the source when there is one (read in the
 * worker under the file-access policy, like `load_csv`), else an input box — and opens what that
 * student gets: the handout (untitled, the source's language; answers hidden there, as in the
 * student's editor) and, beside it, the student's variant with the key (the answer lines' CodeLens
 * and the panel show it). The handout and variant are made in the worker (src/core/assign).
 */
import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import type { RosterStudent } from './roster';

export interface PreviewArgs {
  readonly uri?: string;
  /** Skips the question (tests, a command link). */
  readonly student?: string;
  /** What to open: the handout, the variant with its key, or both (default). */
  readonly open?: 'handout' | 'variant' | 'both';
}

/** What was opened (for tests): the untitled documents' URIs. */
export interface PreviewResult {
  readonly student: string;
  readonly handout?: string;
  readonly variant?: string;
}

export async function previewAssignment(analyses: AnalysisService, document: vscode.TextDocument | undefined, args: PreviewArgs = {}): Promise<PreviewResult | undefined> {
  if (!document) {
    void vscode.window.showInformationMessage('GradLens: open an assignment source (a .nn or Markdown file with `question` and `answer` lines) first.');
    return undefined;
  }
  const a = await analyses.get(document);
  const asg = a?.assignment;
  if (!asg || !asg.questions.some((q) => q.answers.length)) {
    void vscode.window.showInformationMessage('GradLens: Preview Assignment works on an assignment source: a file with `question` and `answer` lines (docs/grading.md).');
    return undefined;
  }
  if (asg.handout) {
    void vscode.window.showInformationMessage(`GradLens: this is already a handout${asg.student !== undefined ? ` (student ${asg.student})` : ''}; preview from the instructor's source.`);
    return undefined;
  }
  const student = args.student ?? (await askStudent(analyses, document));
  if (student === undefined) return undefined;

  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `GradLens: making ${student}'s handout` }, () => analyses.assignment(document, student));
  if ('problem' in r) {
    void vscode.window.showWarningMessage(`GradLens: no preview for ${student}: ${r.problem}`);
    return undefined;
  }
  if (!('handout' in r)) return undefined;
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.some((d) => d.code === 'assign.bad-student-id')) {
    void vscode.window.showWarningMessage(`GradLens: ${errors.find((d) => d.code === 'assign.bad-student-id')!.message}`);
    return undefined;
  }
  const language = document.languageId === 'markdown' ? 'markdown' : 'nn';
  const what = args.open ?? 'both';
  const result: { student: string; handout?: string; variant?: string } = { student };
  if (what !== 'variant') {
    const d = await vscode.workspace.openTextDocument({ language, content: r.handout });
    await vscode.window.showTextDocument(d, { viewColumn: vscode.ViewColumn.Active, preview: false });
    result.handout = d.uri.toString();
  }
  if (what !== 'handout') {
    const d = await vscode.workspace.openTextDocument({ language, content: r.variant });
    await vscode.window.showTextDocument(d, { viewColumn: what === 'both' ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: what === 'both', preview: false });
    result.variant = d.uri.toString();
  }
  const draws = r.key.draws.length ? `; drawn: ${r.key.draws.join(', ')}${r.key.attempt ? ` (redrawn ${r.key.attempt}×: a degenerate variant)` : ''}` : '';
  const problems = r.diagnostics.length ? ` ${r.diagnostics.length} problem(s): ${r.diagnostics.slice(0, 2).map((d) => d.message).join(' ')}` : '';
  const opened = what === 'both' ? 'handout, and beside it the variant with the key' : what === 'handout' ? 'handout' : 'variant with the key';
  const show = errors.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`GradLens: ${student}'s ${opened}${draws}.${problems}`);
  return result;
}

/** A student id: from the roster next to the source (quick pick), else typed. */
async function askStudent(analyses: AnalysisService, document: vscode.TextDocument): Promise<string | undefined> {
  const r = await analyses.assignment(document);
  let students: RosterStudent[] = [];
  let note = 'no roster.csv next to the source';
  if ('problem' in r) note = `the roster could not be read: ${r.problem}`;
  else if ('roster' in r && r.roster) {
    if ('problem' in r.roster) note = `roster.csv: ${r.roster.problem}`;
    else students = r.roster.students;
  }
  if (students.length) {
    const other = { label: '$(edit) Another student id…', id: undefined as string | undefined };
    const picked = await vscode.window.showQuickPick([...students.map((s) => ({ label: s.id, description: s.name, id: s.id as string | undefined })), other], {
      title: 'Preview Assignment as Student',
      placeHolder: `A student of roster.csv (${students.length})`,
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    if (picked.id !== undefined) return picked.id;
  }
  const typed = await vscode.window.showInputBox({
    title: 'Preview Assignment as Student',
    prompt: students.length ? 'The student id' : `The student id (${note})`,
    placeHolder: 's001',
    validateInput: (v) => (v.trim() ? undefined : 'A student id: letters, digits and . _ @ + -'),
  });
  return typed?.trim() || undefined;
}
