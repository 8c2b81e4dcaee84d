/**
 * The Node implementation of the file-access policy (fileAccess.ts), for the analysis worker and
 * the CLI. A read never blocks and never takes more than the limit:
 * - the path and the allowed folders are resolved with realpath (a symlink out of the folder is
 *   outside it);
 * - the file is opened with O_NONBLOCK (opening a FIFO does not wait for a writer) and fstat on
 *   the open descriptor must say "regular file" (not /dev/zero, a FIFO or a socket);
 * - it is read in chunks and abandoned past the limit, however large the file said it was (a
 *   file that grows while it is read, or a size the file system reports wrong).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { FileRefusal, MAX_READ_BYTES, decide, tooLarge, untrustedRefusal, type ReadPolicy } from './fileAccess';

const CHUNK = 1024 * 1024;

/** A folder's real path, or undefined when it does not exist (then nothing inside it can be read). */
export function realFolder(folder: string): string | undefined {
  try {
    return realpathSync(folder);
  } catch {
    return undefined;
  }
}

export type BoundedRead =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly why: 'not-a-file' | 'too-large' | 'missing'; readonly kind?: 'directory' | 'other'; readonly errno?: string };

/**
 * Reads at most `maxBytes` of a regular file without blocking: O_NONBLOCK open, fstat check,
 * chunked read that stops one byte past the limit.
 */
export function readBounded(path: string, maxBytes = MAX_READ_BYTES): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EISDIR on some systems when opening a folder for reading.
    if (code === 'EISDIR') return { ok: false, why: 'not-a-file', kind: 'directory', errno: code };
    return { ok: false, why: 'missing', ...(code ? { errno: code } : {}) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, why: 'not-a-file', kind: st.isDirectory() ? 'directory' : 'other' };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        // EAGAIN cannot happen for a regular file; any read error is "unreadable".
        return { ok: false, why: 'missing', errno: (e as NodeJS.ErrnoException).code ?? 'EIO' };
      }
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > maxBytes) return { ok: false, why: 'too-large' };
    }
    return { ok: true, bytes: Buffer.concat(chunks, total) };
  } finally {
    closeSync(fd);
  }
}

/**
 * AnalyzeOptions.readFile for a document in `base` (the folder relative paths start from) under
 * `policy` (roots already real paths: see realFolder). Undefined for a missing file (the core
 * says `csv.not-found`); a FileRefusal (thrown) for a read the policy forbids.
 */
export function policyReader(base: string, policy: ReadPolicy): (requested: string) => string | undefined {
  return (requested) => {
    if (!policy.trusted) throw new FileRefusal(untrustedRefusal());
    const path = isAbsolute(requested) ? resolve(requested) : resolve(base, requested);
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      // Missing, or a dangling link: is the place it names allowed at all? Say "outside" before "not found".
      const refusal = decide(policy, requested, path, 'file');
      if (refusal) throw new FileRefusal(refusal);
      return undefined;
    }
    // Decide on the resolved path before opening it (nothing outside the folders is opened).
    const before = decide(policy, requested, real, 'file');
    if (before) throw new FileRefusal(before);
    const r = readBounded(real, policy.maxBytes ?? MAX_READ_BYTES);
    if (r.ok) return r.bytes.toString('utf8');
    if (r.why === 'missing') {
      if (r.errno === undefined || r.errno === 'ENOENT' || r.errno === 'ENOTDIR') return undefined;
      // EACCES, EIO, …: the core reports it as csv.unreadable with this reason.
      throw new Error(r.errno);
    }
    if (r.why === 'too-large') throw new FileRefusal(tooLarge(policy, requested));
    throw new FileRefusal(decide(policy, requested, real, r.kind ?? 'other')!);
  };
}
