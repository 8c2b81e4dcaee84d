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

/** The markers around an inserted worked solution (HTML comments: invisible in the rendered Markdown). */
export const SOLUTION_BEGIN = '<!-- gradlens:worked-solution -->';
export const SOLUTION_END = '<!-- /gradlens:worked-solution -->';

/**
 * The lines (inclusive) of a worked solution inserted earlier after the block that closes at
 * `after`: a begin marker below it (before the next ```nn block) and its end marker. Undefined
 * when there is none, or when the end marker is missing (the user edited it away: insert anew).
 */
export function previousSolution(lines: readonly string[], after: number): { start: number; end: number } | undefined {
  const next = nnBlocks(lines).find((b) => b.open > after)?.open ?? lines.length;
  for (let i = after + 1; i < next; i++) {
    if (lines[i].trim() !== SOLUTION_BEGIN) continue;
    for (let j = i + 1; j < next; j++) if (lines[j].trim() === SOLUTION_END) return { start: i, end: j };
    return undefined;
  }
  return undefined;
}

/** The text inserted for a worked solution, between its markers. */
export function solutionBlock(markdown: string): string {
  return `${SOLUTION_BEGIN}\n\n${markdown.trimEnd()}\n\n${SOLUTION_END}`;
}
