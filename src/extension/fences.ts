/**
 * Where "Insert Worked Solution" puts its text in a Markdown file: after the ```nn block that
 * holds the cursor, else after the last ```nn block. Pure (no vscode import).
 */

export interface FenceBlock {
  /** 0-based lines of the opening and closing fence (close = last line for an unclosed block). */
  readonly open: number;
  readonly close: number;
}

const OPEN = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*nn(?:[\s{]|$)/;

/** The ```nn (or ~~~nn) blocks of a Markdown text, in order. */
export function nnBlocks(lines: readonly string[]): FenceBlock[] {
  const blocks: FenceBlock[] = [];
  let fence: string | undefined;
  let inOther: string | undefined;
  let open = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence !== undefined) {
      const m = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length) {
        blocks.push({ open, close: i });
        fence = undefined;
      }
      continue;
    }
    if (inOther !== undefined) {
      const m = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (m && m[1][0] === inOther[0] && m[1].length >= inOther.length) inOther = undefined;
      continue;
    }
    const m = OPEN.exec(line);
    if (m) {
      fence = m[1];
      open = i;
      continue;
    }
    const other = /^[ \t]{0,3}(`{3,}|~{3,})/.exec(line);
    if (other) inOther = other[1];
  }
  if (fence !== undefined) blocks.push({ open, close: lines.length - 1 });
  return blocks;
}

/** The line after which to insert: the closing fence of the block at `cursorLine`, else of the last block; undefined without blocks. */
export function insertionLine(lines: readonly string[], cursorLine: number): number | undefined {
  const blocks = nnBlocks(lines);
  if (!blocks.length) return undefined;
  const at = blocks.find((b) => cursorLine >= b.open && cursorLine <= b.close);
  return (at ?? blocks[blocks.length - 1]).close;
}
