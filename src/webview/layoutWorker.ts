/**
 * The panel's layout worker (dist/layoutWorker.js): dagre on a LayoutRequest, off the webview's
 * main thread. Answers `{ seq, layout, ms }` (or `{ seq, error }`); see layoutRunner.ts.
 */
import { layoutItems } from './layout';
import type { LayoutAnswer, LayoutJob } from './layoutRunner';

const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutJob>) => void) | null; postMessage(m: LayoutAnswer): void };

scope.onmessage = (e) => {
  const { seq, request } = e.data;
  try {
    const t = performance.now();
    const layout = layoutItems(request);
    scope.postMessage({ seq, layout, ms: performance.now() - t });
  } catch (err) {
    scope.postMessage({ seq, error: (err as Error).message ?? String(err) });
  }
};
