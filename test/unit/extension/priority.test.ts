import { describe, expect, it } from 'vitest';
import { reanalysisOrder } from '../../../src/extension/priority';

describe('reanalysisOrder (after a settings change)', () => {
  const docs = ['closed.nn', 'tab1.md', 'shown.nn', 'tab2.nn', 'closed2.md', 'shown2.md'];
  const visible = new Set(['shown.nn', 'shown2.md']);
  const tabs = new Set(['tab1.md', 'shown.nn', 'tab2.nn', 'shown2.md']);

  it('puts what is on screen first, then open tabs, then documents VS Code merely still holds', () => {
    expect(reanalysisOrder(docs, (d) => d, visible, tabs)).toEqual(['shown.nn', 'shown2.md', 'tab1.md', 'tab2.nn', 'closed.nn', 'closed2.md']);
  });

  it('keeps the given order within a rank and drops nothing', () => {
    expect(reanalysisOrder(docs, (d) => d, new Set(), new Set())).toEqual(docs);
    expect(reanalysisOrder([], (d: string) => d, visible, tabs)).toEqual([]);
  });
});
