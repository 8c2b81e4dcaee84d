/**
 * What a document may read (`load_csv`): the file-access POLICY, in one place for every host —
 * the desktop extension's worker and the CLI (Node, fileAccessNode.ts) and a web build that reads
 * through `workspace.fs`. Pure: no vscode, no node:* imports; paths are absolute, already
 * resolved (symlinks followed) by the caller, with `/` or `\` separators (docs/security.md).
 *
 * The rule: only a regular file, at most MAX_READ_BYTES as read, whose resolved path lies inside
 * one of the allowed folders (the document's workspace folder, or without one the document's own
 * folder; the CLI adds `--allow-read DIR`), and nothing at all in an untrusted workspace.
 */

/** The most a document may read of one file (bytes as read, not as the file system reports). */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

/** Where a document may read from. */
export interface ReadPolicy {
  /** Resolved (real) absolute folders; a file must lie inside one of them. */
  readonly roots: readonly string[];
  /** False in an untrusted workspace (Restricted Mode): nothing is read. */
  readonly trusted: boolean;
  /** Bytes; default MAX_READ_BYTES. */
  readonly maxBytes?: number;
}

/** Why a read was refused; `code` is the diagnostic code the core reports on the `load_csv` call. */
export interface Refusal {
  readonly code: 'csv.untrusted' | 'csv.outside-folder' | 'csv.not-a-file' | 'csv.too-large';
  readonly message: string;
}

/** What the host found at a resolved path (before reading it). */
export type EntryKind = 'file' | 'directory' | 'other';

/** A path with `/` separators and no trailing separator (a root keeps its `/`). Windows drive letters compare case-insensitively. */
export function normalizeSeparators(p: string): string {
  let s = p.replace(/\\/g, '/');
  while (s.length > 1 && s.endsWith('/') && !/^[A-Za-z]:\/$/.test(s)) s = s.slice(0, -1);
  return /^[A-Za-z]:/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/** Whether the resolved absolute `target` is `root` itself or lies below it (`/a/bc` is not inside `/a/b`). */
export function isInside(root: string, target: string): boolean {
  const r = normalizeSeparators(root);
  const t = normalizeSeparators(target);
  if (t === r) return true;
  return t.startsWith(r.endsWith('/') ? r : r + '/');
}

/** The last folder name of a root, for messages (`hw4`). */
function folderName(root: string): string {
  const s = normalizeSeparators(root);
  return s.slice(s.lastIndexOf('/') + 1) || s;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** The refusal for an untrusted workspace (before anything is resolved or opened). */
export function untrustedRefusal(): Refusal {
  return {
    code: 'csv.untrusted',
    message:
      'Expected a trusted workspace to read files, found one in Restricted Mode: GradLens reads no files for a document from a folder you have not trusted. ' +
      'If you trust its author, run "Workspaces: Manage Workspace Trust" and choose "Trust" (Workspace Trust).',
  };
}

/**
 * The policy's decision about one resolved path, before it is read: undefined when it may be read
 * (the reader then still stops at `maxBytes` as read, see tooLarge()). `requested` is the path as
 * the document wrote it (for the message).
 */
export function decide(policy: ReadPolicy, requested: string, resolved: string, kind: EntryKind): Refusal | undefined {
  if (!policy.trusted) return untrustedRefusal();
  if (!policy.roots.some((root) => isInside(root, resolved))) {
    const where =
      policy.roots.length === 0
        ? 'no folder (this document is not saved in a folder)'
        : policy.roots.length === 1
          ? `the folder "${folderName(policy.roots[0])}"`
          : `the folders ${policy.roots.map((r) => `"${folderName(r)}"`).join(', ')}`;
    return {
      code: 'csv.outside-folder',
      message: `Expected a file inside ${where}, found "${requested}" outside it (after following links): a document reads only files in its workspace folder (docs/security.md).`,
    };
  }
  if (kind !== 'file') {
    return {
      code: 'csv.not-a-file',
      message: `Expected a regular file, found ${kind === 'directory' ? 'a folder' : 'a device, pipe or socket'} at "${requested}".`,
    };
  }
  return undefined;
}

/** The refusal for a file that yielded more than `maxBytes` while being read. */
export function tooLarge(policy: ReadPolicy, requested: string): Refusal {
  return { code: 'csv.too-large', message: `Expected a file of at most ${mb(policy.maxBytes ?? MAX_READ_BYTES)}, found "${requested}" larger.` };
}

/**
 * A refusal as the exception a host's `readFile` throws: the core's `load_csv` reports `code` and
 * `message` as they are, on the call's path argument (src/core/train/csv.ts).
 */
export class FileRefusal extends Error {
  readonly code: Refusal['code'];
  constructor(r: Refusal) {
    super(r.message);
    this.code = r.code;
    this.name = 'FileRefusal';
  }
}
