/**
 * Issue #15, files: what a document's `load_csv` may read through the host's reader
 * (src/extension/fileAccess.ts policy, fileAccessNode.ts for the worker and the CLI). Each repro
 * of the audit is an input here: ../../../etc/passwd, an absolute path, a symlink out of the
 * folder, /dev/zero, a FIFO, an untrusted workspace, a file that grows past the limit, and a
 * malformed file whose content must not appear in the message.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { decide, isInside, MAX_READ_BYTES, normalizeSeparators } from '../../../src/extension/fileAccess';
import { policyReader, readBounded, realFolder } from '../../../src/extension/fileAccessNode';

// A workspace folder `ws` with the document in ws/hw, a data file, and a secret beside ws.
const top = realpathSync(mkdtempSync(join(tmpdir(), 'gradlens-files-')));
const ws = join(top, 'ws');
const hw = join(ws, 'hw');
mkdirSync(hw, { recursive: true });
mkdirSync(join(ws, 'data'));
writeFileSync(join(ws, 'data', 'xy.csv'), 'x,y\n1,2\n3,4\n');
writeFileSync(join(hw, 'local.csv'), '5,6\n');
writeFileSync(join(top, 'secret.csv'), 'root:x:0:0:root:/root:/bin/bash\n1,2\n');
writeFileSync(join(hw, 'passwd-like.csv'), 'root:x:0:0:root:/root:/bin/bash\n1,2\n');
writeFileSync(join(hw, 'inner-text.csv'), '1,2\n3,hunter2\n');
symlinkSync(join(top, 'secret.csv'), join(hw, 'link-out.csv'));
symlinkSync(join(ws, 'data', 'xy.csv'), join(hw, 'link-in.csv'));
symlinkSync(top, join(hw, 'up'));
const fifo = join(hw, 'pipe.csv');
execFileSync('mkfifo', [fifo]);

const reader = (trusted = true, maxBytes?: number) => policyReader(hw, { roots: [realFolder(ws)!], trusted, ...(maxBytes ? { maxBytes } : {}) });

/** The diagnostics of `D = load_csv(PATH)` read through the host's reader. */
function load(path: string, read = reader()) {
  const a = analyze(`D = load_csv(${JSON.stringify(path)})\n`, { valuesOnly: true, readFile: read });
  return { a, codes: a.diagnostics.map((d) => d.code), text: a.diagnostics.map((d) => d.message).join('\n') };
}

describe('load_csv reads only regular files inside the workspace folder', () => {
  it('reads a file next to the document, in another folder of the workspace, and through a link that stays inside', () => {
    for (const p of ['local.csv', '../data/xy.csv', 'link-in.csv', join(ws, 'data', 'xy.csv')]) {
      const { a, codes } = load(p);
      expect(codes, p).toEqual([]);
      expect(a.values[0].shape.length, p).toBe(2);
    }
  });

  it('refuses ../../../etc/passwd and an absolute /etc/passwd with csv.outside-folder, quoting none of it', () => {
    for (const p of ['../../../../../../../../etc/passwd', '/etc/passwd', join(top, 'secret.csv'), '../../secret.csv']) {
      const { a, codes, text } = load(p);
      expect(codes, p).toEqual(['csv.outside-folder']);
      expect(text).toContain('the folder "ws"');
      expect(text).not.toContain('root:');
      expect(a.values).toEqual([]);
    }
  });

  it('resolves symlinks before deciding: a link to a file outside, or through a linked folder, is outside', () => {
    for (const p of ['link-out.csv', 'up/secret.csv']) {
      const { codes, text } = load(p);
      expect(codes, p).toEqual(['csv.outside-folder']);
      expect(text).not.toContain('root:');
    }
  });

  it('a missing file inside the folder is csv.not-found, a missing one outside is still refused', () => {
    expect(load('nope.csv').codes).toEqual(['csv.not-found']);
    expect(load('../../nope.csv').codes).toEqual(['csv.outside-folder']);
  });

  it('/dev/zero and a FIFO are not regular files: refused at once, nothing is read and nothing blocks', () => {
    // /dev/zero reports size 0 and never ends; the FIFO has no writer (a blocking open would hang).
    const root = policyReader('/dev', { roots: ['/dev'], trusted: true });
    const t0 = performance.now();
    expect(load('/dev/zero', root).codes).toEqual(['csv.not-a-file']);
    expect(load('pipe.csv').codes).toEqual(['csv.not-a-file']);
    expect(load('.').codes).toEqual(['csv.not-a-file']);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(load('pipe.csv').text).toBe('Expected a regular file, found a device, pipe or socket at "pipe.csv".');
  });

  it('bounds a read by the bytes read, not the size reported: past the limit it stops with csv.too-large', () => {
    writeFileSync(join(hw, 'big.csv'), '1,2\n'.repeat(1000)); // 4,000 bytes
    expect(load('big.csv', reader(true, 3999)).codes).toEqual(['csv.too-large']);
    expect(load('big.csv', reader(true, 4000)).codes).toEqual([]);
    const r = readBounded(join(hw, 'big.csv'), 100);
    expect(r).toEqual({ ok: false, why: 'too-large' });
    // A character device that reports size 0 is never read, whatever the limit.
    expect(readBounded('/dev/zero', 10)).toMatchObject({ ok: false, why: 'not-a-file', kind: 'other' });
    expect(MAX_READ_BYTES).toBe(64 * 1024 * 1024);
  });

  it('reads nothing in an untrusted workspace, and says how to trust it', () => {
    const { codes, text } = load('local.csv', reader(false));
    expect(codes).toEqual(['csv.untrusted']);
    expect(text).toContain('Restricted Mode');
    expect(text).toContain('Workspace Trust');
    expect(text).toContain('Manage Workspace Trust');
  });

  it('csv.malformed names the line and column and what was expected, never the content', () => {
    const { codes, text } = load('passwd-like.csv');
    expect(codes).toEqual(['csv.malformed']);
    // The header detection takes the text row as a header (1 field); row 2 has 2 fields.
    expect(text).toBe('Expected 1 field on line 2 (as on the header), found 2 in "passwd-like.csv".');
    const inner = load('inner-text.csv');
    expect(inner.text).toBe('Expected a number on line 2, column 2, found text that is not a number in "inner-text.csv".');
    expect(inner.text).not.toContain('hunter2');
  });
});

describe('the policy (pure: shared with a web build)', () => {
  it('isInside compares whole path segments, after normalising separators', () => {
    expect(isInside('/a/b', '/a/b/c.csv')).toBe(true);
    expect(isInside('/a/b/', '/a/b/c.csv')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/bc/c.csv')).toBe(false);
    expect(isInside('/a/b', '/a/c.csv')).toBe(false);
    expect(isInside('/', '/etc/passwd')).toBe(true);
    expect(isInside('C:\\Users\\me\\hw', 'c:/Users/me/hw/x.csv')).toBe(true);
    expect(isInside('C:\\Users\\me\\hw', 'C:\\Users\\me\\hwx\\x.csv')).toBe(false);
    expect(normalizeSeparators('C:\\')).toBe('c:/');
  });

  it('decides untrusted first, then outside, then the kind of entry', () => {
    const p = { roots: ['/w'], trusted: true };
    expect(decide({ ...p, trusted: false }, 'x.csv', '/w/x.csv', 'file')?.code).toBe('csv.untrusted');
    expect(decide(p, 'x.csv', '/w/x.csv', 'file')).toBeUndefined();
    expect(decide(p, '/etc/passwd', '/etc/passwd', 'file')?.code).toBe('csv.outside-folder');
    expect(decide(p, 'd', '/w/d', 'directory')?.message).toBe('Expected a regular file, found a folder at "d".');
    expect(decide({ roots: [], trusted: true }, 'x', '/x', 'file')?.message).toContain('no folder');
  });
});

describe('the policy modules stay usable by a web build', () => {
  it('fileAccess.ts, valuePreview.ts and cutOff.ts import neither vscode nor node:*', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['fileAccess.ts', 'valuePreview.ts', 'cutOff.ts']) {
      const src = readFileSync(join(__dirname, '..', '..', '..', 'src', 'extension', f), 'utf8');
      for (const m of src.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)) expect(m[1], `${f} imports ${m[1]}`).toMatch(/^\.\.?\//);
    }
  });
});
