/**
 * Folders given to `gradlens eval DIR` and `gradlens grade KEY DIR`: the regular files inside,
 * read through the same policy as `load_csv` (src/extension/fileAccessNode.ts): paths resolved
 * with realpath, a symlink that leads out of the folder refused, only regular files, at most
 * 64 MB each. Sorted by path, so runs are reproducible.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FileRefusal, MAX_READ_BYTES } from '../extension/fileAccess';
import { policyReader, realFolder } from '../extension/fileAccessNode';

/** One entry found in a folder: its text, or why it cannot be read. */
export interface FolderFile {
  /** The path as the user will recognise it: DIR/relative/path. */
  readonly path: string;
  /** Relative to DIR, with `/`. */
  readonly relative: string;
  readonly text?: string;
  readonly refused?: string;
}

/** Files deeper than this, or past this many, are not listed (a folder is a class's submissions, not a disk). */
const MAX_DEPTH = 8;
export const MAX_FILES = 20000;

export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The files under `dir` whose name matches `wanted` (by extension), read. A symlink whose target
 * lies outside `dir` is listed with `refused` (never read); so is an unreadable or too large file.
 */
export function readFolder(dir: string, wanted: RegExp): { files: FolderFile[]; truncated: boolean } {
  const root = realFolder(dir);
  if (root === undefined) return { files: [], truncated: false };
  const read = policyReader(root, { roots: [root], trusted: true, maxBytes: MAX_READ_BYTES });
  const files: FolderFile[] = [];
  let truncated = false;
  const walk = (rel: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(join(root, rel)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (files.length >= MAX_FILES) {
        truncated = true;
        return;
      }
      const r = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = lstatSync(join(root, r));
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH && !name.startsWith('.')) walk(r, depth + 1);
        continue;
      }
      if (!wanted.test(name)) continue;
      const path = join(dir, r);
      try {
        const text = read(r);
        files.push(text === undefined ? { path, relative: r, refused: 'missing (a dangling link)' } : { path, relative: r, text: text.replace(/^\uFEFF/, '') });
      } catch (e) {
        files.push({ path, relative: r, refused: e instanceof FileRefusal ? e.message : `unreadable (${(e as Error).message})` });
      }
    }
  };
  walk('', 0);
  return { files, truncated };
}

/** The student a file in a submissions folder belongs to when it has no `handout student` line: its first folder, else its name. */
export function studentFromPath(relativePath: string): string {
  const parts = relative('.', relativePath).split(/[\\/]/);
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.[^.]*$/, '');
}
