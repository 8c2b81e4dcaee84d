/** What the extension-host suites share: opening workspace files, waiting on events, reading lenses. */
import * as vscode from 'vscode';

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder (a copy of examples/)');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Resolves when `fire` yields a value satisfying `pick`, or rejects after `ms`. */
export function waitFor<E, T>(event: vscode.Event<E>, pick: (e: E) => T | undefined, ms: number, what: string, check?: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const now = check?.();
    if (now !== undefined) return resolve(now);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const sub = event((e) => {
      const v = pick(e);
      if (v !== undefined) {
        clearTimeout(timer);
        sub.dispose();
        resolve(v);
      }
    });
  });
}

/** Polls a condition on the extension host's event loop (for state without an event, like isActive). */
export async function until<T>(f: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function open(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
  return vscode.window.showTextDocument(doc);
}

export async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return lenses.map((l) => l.command?.title ?? '').filter(Boolean);
}

export function errorsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
}

export function lineOf(doc: vscode.TextDocument, startsWith: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.trimStart().startsWith(startsWith)) return i;
  throw new Error(`no line starting with ${startsWith}`);
}

/**
 * Empties a document written by a test and saves it, so that a later `invalidate` (a settings
 * change re-analyses every open document, closed ones linger a while) does not train it again.
 */
export async function retire(editor: vscode.TextEditor): Promise<void> {
  const doc = editor.document;
  await editor.edit((b) => b.replace(new vscode.Range(0, 0, doc.lineCount, 0), 'retired = 1\n'));
  await doc.save();
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('gradlens').update(key, value, vscode.ConfigurationTarget.Global);
}


/** The text of every hover at a position, joined. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

/** `until` for an asynchronous condition (a provider command), polled on the extension host's event loop. */
export async function eventually<T>(f: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
