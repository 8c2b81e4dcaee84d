/**
 * Tensors as text, numpy style: `[[0.1, 0.2], [0.3, 0.4]]`, numbers rounded with
 * formatNumber, the middle of long axes elided with `…` (as numpy's summarisation).
 */
import { formatNumber } from '../format';
import { formatShape, numel, strides, type Tensor } from './tensor';

export interface PreviewOptions {
  /** Significant digits (default 4). */
  readonly digits?: number;
  /** Above this many elements, axes show only their first and last `edgeItems` entries (default 64). */
  readonly maxElements?: number;
  /** Entries kept at each end of an elided axis (default 3). */
  readonly edgeItems?: number;
}

export function previewTensor(t: Tensor, opts: PreviewOptions = {}): string {
  const digits = opts.digits ?? 4;
  const maxElements = opts.maxElements ?? 64;
  const edge = Math.max(1, opts.edgeItems ?? 3);
  const shape = t.shape;
  if (shape.length === 0) return formatNumber(t.data[0], digits);
  const elide = numel(shape) > maxElements;
  if (shape.length === 1 && !(elide && shape[0] > 2 * edge)) {
    // A short vector, the commonest value in a hover: written straight into one string.
    let out = '[';
    for (let i = 0; i < shape[0]; i++) out += (i ? ', ' : '') + formatNumber(t.data[i], digits);
    return `${out}]`;
  }
  const st = strides(shape);
  const render = (axis: number, offset: number): string => {
    const n = shape[axis];
    const parts: string[] = [];
    const item = (i: number): string =>
      axis === shape.length - 1 ? formatNumber(t.data[offset + i * st[axis]], digits) : render(axis + 1, offset + i * st[axis]);
    if (elide && n > 2 * edge) {
      for (let i = 0; i < edge; i++) parts.push(item(i));
      parts.push('…');
      for (let i = n - edge; i < n; i++) parts.push(item(i));
    } else {
      for (let i = 0; i < n; i++) parts.push(item(i));
    }
    return `[${parts.join(', ')}]`;
  };
  return render(0, 0);
}

/** `[2, 3] [[1, 2, 3], [4, 5, 6]]`; a scalar is just its number. */
export function describeTensor(t: Tensor, opts: PreviewOptions = {}): string {
  if (t.shape.length === 0) return previewTensor(t, opts);
  return `${formatShape(t.shape)} ${previewTensor(t, opts)}`;
}
