/**
 * Issue #17 point 6: automatic fits keep text readable (⋯ no longer shrinks it without bound),
 * and new boxes outside the view are detected (the panel then fits again). By hand: a 2000 px
 * drawing in a 400 px view fits at 0.2 (Fit) and at MIN_AUTO_SCALE when automatic.
 */
import { describe, expect, it } from 'vitest';
import { boxesOutside, fitView, MIN_AUTO_SCALE, type GraphLayout } from '../../../src/webview/layout';

describe('fitting the graph', () => {
  it('Fit shrinks to any scale; an automatic fit stops at MIN_AUTO_SCALE and starts at the top-left corner', () => {
    expect(fitView(2000, 100, 400, 300)).toEqual({ scale: 0.2, x: 0, y: 140 });
    const auto = fitView(2000, 100, 400, 300, MIN_AUTO_SCALE);
    expect(auto.scale).toBe(MIN_AUTO_SCALE);
    expect(auto.x).toBe(8);
    expect(auto.y).toBeCloseTo((300 - 100 * MIN_AUTO_SCALE) / 2, 12);
    // A drawing that fits is unchanged by the minimum (centred, at most 1.5×).
    expect(fitView(100, 100, 400, 300, MIN_AUTO_SCALE)).toEqual({ scale: 1.5, x: 125, y: 75 });
  });
  it('boxesOutside counts the boxes not wholly inside the view', () => {
    const layout: GraphLayout = {
      nodes: new Map([
        ['a', { id: 'a', x: 50, y: 50, width: 40, height: 20 }],
        ['b', { id: 'b', x: 500, y: 50, width: 40, height: 20 }],
      ]),
      edges: [],
      width: 600,
      height: 100,
      signature: '',
    };
    const view = { scale: 1, x: 0, y: 0 };
    expect(boxesOutside(layout, ['a'], view, 300, 200)).toBe(0);
    expect(boxesOutside(layout, ['a', 'b'], view, 300, 200)).toBe(1);
    expect(boxesOutside(layout, ['b'], { scale: 0.5, x: 0, y: 0 }, 300, 200)).toBe(0);
  });
});
