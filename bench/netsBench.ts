/**
 * Network benchmarks: shape inference and counting for a 200-layer network (target ≤ 1 ms),
 * and Conv2d forward + backward at LeNet scale against a naive loop reference in the same run.
 */
import { parseProgram } from '../src/core/syntax/parser';
import type { NetworkDecl } from '../src/core/syntax/ast';
import { buildNetwork } from '../src/core/nets/index';
import { getOp } from '../src/core/autodiff/op';
import { tensor, type Tensor } from '../src/core/tensor/tensor';

export interface BenchResult {
  name: string;
  ms: number;
  ref?: { name: string; ms: number };
}

/** Mean ms per call over ≥ minMs, after as long a warm-up (so the JIT has settled). */
function time(fn: () => void, minMs = 200): number {
  const w0 = performance.now();
  while (performance.now() - w0 < minMs) fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    n++;
    t = performance.now();
  }
  return (t - t0) / n;
}

function random(shape: number[], seed: number): Tensor {
  const t = tensor(shape);
  let s = seed;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t.data[i] = s / 2 ** 32 - 0.5;
  }
  return t;
}

/** The obvious 7-loop convolution with bounds checks per element (stride 1, no padding). */
function naiveConv(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const OH = H - KH + 1;
  const OW = W - KW + 1;
  const y = tensor([N, O, OH, OW]);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          let s = b.data[o];
          for (let c = 0; c < C; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = i + kh;
                const iw = j + kw;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) s += x.data[((n * C + c) * H + ih) * W + iw] * w.data[((o * C + c) * KH + kh) * KW + kw];
              }
          y.data[((n * O + o) * OH + i) * OW + j] = s;
        }
  return y;
}

function naiveConvBackward(g: Tensor, x: Tensor, w: Tensor): [Tensor, Tensor, Tensor] {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const OH = H - KH + 1;
  const OW = W - KW + 1;
  const gx = tensor(x.shape);
  const gw = tensor(w.shape);
  const gb = tensor([O]);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < OH; i++)
        for (let j = 0; j < OW; j++) {
          const gv = g.data[((n * O + o) * OH + i) * OW + j];
          gb.data[o] += gv;
          for (let c = 0; c < C; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const xi = ((n * C + c) * H + i + kh) * W + j + kw;
                const wi = ((o * C + c) * KH + kh) * KW + kw;
                gx.data[xi] += gv * w.data[wi];
                gw.data[wi] += gv * x.data[xi];
              }
        }
  return [gx, gw, gb];
}

export function benchNets(): BenchResult[] {
  const out: BenchResult[] = [];

  // 200 layers: Linear/ReLU/LayerNorm/Dropout cycles on a symbolic batch.
  let text = 'network deep\n  input [N, 64]\n';
  for (let i = 0; i < 50; i++) text += `  L${i} = Linear(64, 64)\n  ReLU()\n  LayerNorm(64)\n  Dropout(0.1)\n`;
  const decl = parseProgram(text).program.statements[0] as NetworkDecl;
  const env = { constant: () => undefined, network: () => undefined };
  const r = buildNetwork(decl, env);
  if (!r.info || r.info.layers.length !== 200) throw new Error('bench: the 200-layer network did not build');
  out.push({ name: 'nets: build + shape inference + counting, 200 layers (symbolic N)', ms: time(() => buildNetwork(decl, env)) });

  // LeNet-scale conv layers, batch 16: conv1 1→6 5×5 on 32×32, conv2 6→16 5×5 on 14×14.
  const conv = getOp('conv2d');
  for (const [name, xs, ws] of [
    ['conv1 [16, 1, 32, 32] * [6, 1, 5, 5]', [16, 1, 32, 32], [6, 1, 5, 5]],
    ['conv2 [16, 6, 14, 14] * [16, 6, 5, 5]', [16, 6, 14, 14], [16, 6, 5, 5]],
  ] as const) {
    const x = random([...xs], 1);
    const w = random([...ws], 2);
    const b = random([ws[0]], 3);
    const attrs = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    const y = conv.forward([x, w, b], attrs);
    const ref = naiveConv(x, w, b);
    let err = 0;
    for (let i = 0; i < y.data.length; i++) err = Math.max(err, Math.abs(y.data[i] - ref.data[i]));
    if (err > 1e-9) throw new Error(`bench: conv2d differs from the naive reference by ${err}`);
    const g = random([...y.shape], 4);
    const ms = time(() => {
      const yy = conv.forward([x, w, b], attrs);
      conv.backward(g, [x, w, b], yy, attrs);
    });
    const refMs = time(() => {
      naiveConv(x, w, b);
      naiveConvBackward(g, x, w);
    });
    out.push({ name: `nets: conv2d forward + backward, ${name}`, ms, ref: { name: 'naive 7-loop conv', ms: refMs } });
  }
  return out;
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /netsBench\.m?[tj]s$/.test(process.argv[1]);
if (isMain) for (const r of benchNets()) console.log(`${r.name}: ${r.ms.toFixed(3)} ms${r.ref ? ` (${r.ref.name}: ${r.ref.ms.toFixed(3)} ms, ×${(r.ref.ms / r.ms).toFixed(1)})` : ''}`);
