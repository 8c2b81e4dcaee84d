/**
 * The browser build's `load_csv`: the web worker has no file system, so the extension host reads
 * the files a document names through `workspace.fs` before the analysis and sends them with the
 * request (`contents`). The policy is the desktop build's (fileAccess.ts): only regular files
 * inside the document's workspace folder (or, without one, its own folder), at most 64 MB as
 * read, nothing in an untrusted workspace. A browser cannot resolve a symbolic link, so a link
 * is refused rather than followed. Only paths written as string literals can be read here.
 */
import * as vscode from 'vscode';
import { MAX_READ_BYTES, decide, tooLarge, untrustedRefusal, type Refusal } from '../fileAccess';
import type { FileFields } from '../platform';
import type { FileContents } from '../workerProtocol';
import { literalPaths } from './literalPaths';

/** Where a document may read from: its workspace folder, or its own folder. */
function rootOf(document: vscode.TextDocument): vscode.Uri {
  return vscode.workspace.getWorkspaceFolder(document.uri)?.uri ?? vscode.Uri.joinPath(document.uri, '..');
}

/** `requested` resolved against the document's folder (`..` and `.` removed; an absolute path stays absolute). */
export function resolveAgainst(documentUri: vscode.Uri, requested: string): vscode.Uri {
  const folder = vscode.Uri.joinPath(documentUri, '..');
  return vscode.Uri.joinPath(requested.startsWith('/') ? folder.with({ path: '/' }) : folder, requested);
}

function sameAuthority(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.scheme === b.scheme && a.authority === b.authority;
}

/** A file's text as last read, with the stat it was read under. */
interface Cached {
  readonly mtime: number;
  readonly size: number;
  readonly text: string;
}

/** At most this many files' texts are kept between analyses. */
const KEEP = 4;

/**
 * `load_csv`'s files for the browser build's requests. A document is analysed on every edit, so a
 * file whose stat (mtime, size) has not changed is not read again: its text from the last read
 * is sent (the policy is still applied to every request).
 */
export class WebFiles {
  private readonly cache = new Map<string, Cached>();

  /** What an analysis request of this document carries. */
  async fields(document: vscode.TextDocument, text: string): Promise<FileFields> {
    const paths = literalPaths(text);
    if (paths.length === 0) return {};
    const contents: Record<string, FileContents[string]> = {};
    if (!vscode.workspace.isTrusted) {
      for (const p of paths) contents[p] = { refusal: untrustedRefusal() };
      return { contents };
    }
    const root = rootOf(document);
    await Promise.all(
      paths.map(async (p) => {
        const r = await this.readOne(document, p, root).catch(() => undefined);
        if (r) contents[p] = r;
      }),
    );
    return { contents };
  }

  private async readOne(document: vscode.TextDocument, requested: string, root: vscode.Uri): Promise<{ text: string } | { refusal: Refusal } | undefined> {
    const target = resolveAgainst(document.uri, requested);
    const policy = { roots: sameAuthority(root, target) ? [root.path] : [], trusted: true };
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(target);
    } catch {
      // Missing: is the place it names allowed at all? Say "outside" before "not found".
      const refusal = decide(policy, requested, target.path, 'file');
      return refusal ? { refusal } : undefined;
    }
    const kind = stat.type & vscode.FileType.Directory ? 'directory' : stat.type & vscode.FileType.File ? 'file' : 'other';
    const refusal = decide(policy, requested, target.path, kind);
    if (refusal) return { refusal };
    if (stat.type & vscode.FileType.SymbolicLink) {
      return { refusal: { code: 'csv.not-a-file', message: `Expected a regular file, found a symbolic link at "${requested}": the browser build cannot tell where a link leads, so it reads none.` } };
    }
    if (stat.size > MAX_READ_BYTES) return { refusal: tooLarge({ ...policy }, requested) };
    const key = target.toString();
    const cached = this.cache.get(key);
    if (cached && cached.mtime === stat.mtime && cached.size === stat.size) return { text: cached.text };
    const bytes = await vscode.workspace.fs.readFile(target);
    // Bounded by size as read, not only as reported.
    if (bytes.byteLength > MAX_READ_BYTES) return { refusal: tooLarge({ ...policy }, requested) };
    const read = new TextDecoder('utf-8').decode(bytes);
    this.cache.delete(key);
    this.cache.set(key, { mtime: stat.mtime, size: stat.size, text: read });
    if (this.cache.size > KEEP) this.cache.delete(this.cache.keys().next().value!);
    return { text: read };
  }
}
