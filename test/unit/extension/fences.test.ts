import { describe, expect, it } from 'vitest';
import { insertionLine, nnBlocks } from '../../../src/extension/fences';

const md = ['# T1', '', '```nn', 'x = 1', '```', '', 'text', '', '```python', '```nn inside python', '```', '', '~~~~nn', 'y = 2', '~~~~', 'after'];

describe('nnBlocks / insertionLine', () => {
  it('finds ```nn and ~~~nn blocks, not a fence inside another block', () => {
    expect(nnBlocks(md)).toEqual([
      { open: 2, close: 4 },
      { open: 12, close: 14 },
    ]);
  });

  it('inserts after the block holding the cursor, else after the last block', () => {
    expect(insertionLine(md, 3)).toBe(4);
    expect(insertionLine(md, 2)).toBe(4);
    expect(insertionLine(md, 6)).toBe(14);
    expect(insertionLine(md, 0)).toBe(14);
  });

  it('no blocks: nothing', () => {
    expect(insertionLine(['# hi', 'text'], 0)).toBeUndefined();
  });

  it('an unclosed block ends at the last line', () => {
    expect(nnBlocks(['```nn', 'x = 1'])).toEqual([{ open: 0, close: 1 }]);
  });
});
