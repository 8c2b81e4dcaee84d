/**
 * A WebAssembly SIMD micro-kernel for `gemm`, assembled here from its bytes (no toolchain, no
 * binary in the repository). JS packs op(A) into 4-row panels and op(B) into 4-column panels
 * inside the module's memory; the kernel computes every 4 × 4 tile of C with eight f64x2
 * accumulators; JS copies C out. Where WebAssembly SIMD is missing, `createWasmGemm` returns
 * undefined and callers keep the JS kernel.
 *
 * Kernel: tiles(pa, pb, pc, mBlocks, nBlocks, k)
 *   for jb < nBlocks: for ib < mBlocks:
 *     acc[r][0..1], acc[r][2..3] = Σ_p A(4ib + r, p) · B(p, 4jb + 0..3)
 *     stored row-major in pc with row length 4·nBlocks.
 */

// ---- a tiny assembler: just what the kernel needs ----
const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = Array.from(s, (c) => c.charCodeAt(0));
  return [...uleb(b.length), ...b];
}

const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  ltU: [0x49],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  br: (d: number) => [0x0c, ...uleb(d)],
  eqz: [0x45],
  geU: [0x4f],
  // SIMD (prefix 0xfd): memarg = align (log2), offset.
  v128Load: (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)],
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  f64Load: (offset: number) => [0x2b, 3, ...uleb(offset)],
  splat: [0xfd, 0x14],
  fadd: [0xfd, ...uleb(0xf0)],
  fmul: [0xfd, ...uleb(0xf2)],
};

/** The kernel's bytes. Params 0..5: pa, pb, pc, mBlocks, nBlocks, k (byte addresses / counts). */
function kernelModule(): Uint8Array {
  // Locals after the params: 6 jb, 7 ib, 8 p, 9 a (A cursor), 10 b (B cursor), 11 c (C row), 12 ldc (bytes),
  // 13 panelBytes (k·32); v128: 14..21 accumulators, 22 b01, 23 b23, 24 splat.
  const [PA, PB, PC, MB, NB, K, JB, IB, P, A, B, C, LDC, PANEL] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const ACC = 14;
  const B01 = 22;
  const B23 = 23;
  const S = 24;
  const body: number[] = [];
  const emit = (...xs: number[][]) => xs.forEach((x) => body.push(...x));
  emit(op.get(NB), op.i32(32), op.mul, op.set(LDC)); // ldc = nBlocks·4·8
  emit(op.get(K), op.i32(32), op.mul, op.set(PANEL)); // a 4-wide panel of k rows
  emit(op.i32(0), op.set(JB));
  emit(op.block, op.loop); // jb loop
  emit(op.get(JB), op.get(NB), op.geU, op.brIf(1));
  emit(op.i32(0), op.set(IB));
  emit(op.block, op.loop); // ib loop
  emit(op.get(IB), op.get(MB), op.geU, op.brIf(1));
  for (let r = 0; r < 8; r++) emit(op.v128Zero, op.set(ACC + r));
  // a = pa + ib·panel ; b = pb + jb·panel
  emit(op.get(PA), op.get(IB), op.get(PANEL), op.mul, op.add, op.set(A));
  emit(op.get(PB), op.get(JB), op.get(PANEL), op.mul, op.add, op.set(B));
  emit(op.i32(0), op.set(P));
  emit(op.block, op.loop); // p loop
  emit(op.get(P), op.get(K), op.geU, op.brIf(1));
  emit(op.get(B), op.v128Load(0), op.set(B01));
  emit(op.get(B), op.v128Load(16), op.set(B23));
  for (let r = 0; r < 4; r++) {
    emit(op.get(A), op.f64Load(8 * r), op.splat, [0x22, ...uleb(S)]); // local.tee S
    emit(op.get(B01), op.fmul, op.get(ACC + 2 * r), op.fadd, op.set(ACC + 2 * r));
    emit(op.get(S), op.get(B23), op.fmul, op.get(ACC + 2 * r + 1), op.fadd, op.set(ACC + 2 * r + 1));
  }
  emit(op.get(A), op.i32(32), op.add, op.set(A));
  emit(op.get(B), op.i32(32), op.add, op.set(B));
  emit(op.get(P), op.i32(1), op.add, op.set(P));
  emit(op.br(0), op.end, op.end);
  // c = pc + (4·ib)·ldc + jb·32
  emit(op.get(PC), op.get(IB), op.i32(4), op.mul, op.get(LDC), op.mul, op.add, op.get(JB), op.i32(32), op.mul, op.add, op.set(C));
  for (let r = 0; r < 4; r++) {
    emit(op.get(C), op.get(ACC + 2 * r), op.v128Store(0));
    emit(op.get(C), op.get(ACC + 2 * r + 1), op.v128Store(16));
    emit(op.get(C), op.get(LDC), op.add, op.set(C));
  }
  emit(op.get(IB), op.i32(1), op.add, op.set(IB));
  emit(op.br(0), op.end, op.end);
  emit(op.get(JB), op.i32(1), op.add, op.set(JB));
  emit(op.br(0), op.end, op.end);
  emit(op.end);
  const locals = vec([
    [...uleb(8), I32],
    [...uleb(11), V128],
  ]);
  const func = [...locals, ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(new Array(6).fill([I32])), 0x00]])), // type: (i32 × 6) → ()
    ...section(3, vec([[0x00]])), // function 0 has type 0
    ...section(5, vec([[0x00, 0x01]])), // memory: min 1 page
    ...section(7, vec([[...name('tiles'), 0x00, 0x00], [...name('memory'), 0x02, 0x00]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ];
  return Uint8Array.from(bytes);
}

/** A matrix operand read through strides: element (r, c) at data[offset + r·rowStride + c·colStride]. */
export interface StridedMatrix {
  readonly data: Float64Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

export interface WasmGemm {
  /** C[m×n] (+)= A[m×k] · B[k×n], C row-major at cOffset. */
  gemm(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, c: Float64Array, cOffset: number, accumulate: boolean): void;
}

/** The part of the WebAssembly JS API used here (the core compiles without DOM typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

/** Compiles the kernel; undefined where WebAssembly or its SIMD is not available. */
export function createWasmGemm(): WasmGemm | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return undefined;
  let exports: Record<string, unknown>;
  try {
    const bytes = kernelModule();
    if (!wasm.validate(bytes)) return undefined;
    exports = new wasm.Instance(new wasm.Module(bytes), {}).exports;
  } catch {
    return undefined;
  }
  const memory = exports.memory as WasmMemory;
  const tiles = exports.tiles as (pa: number, pb: number, pc: number, mb: number, nb: number, k: number) => void;
  let heap = new Float64Array(memory.buffer);

  function ensure(doubles: number): void {
    const bytes = doubles * 8;
    if (bytes > memory.buffer.byteLength) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
      heap = new Float64Array(memory.buffer);
    }
  }

  /** Packs rows 0..rows of an operand read as (row, p) into 4-row panels at `base`. */
  function pack(src: StridedMatrix, rows: number, k: number, rowStride: number, kStride: number, base: number): void {
    const d = src.data;
    const blocks = Math.ceil(rows / 4);
    const h = heap;
    if (rows % 4 !== 0) h.fill(0, base + (blocks - 1) * 4 * k, base + blocks * 4 * k);
    if (kStride === 1) {
      // Each source row is contiguous along p: read it in order, write every 4th slot.
      for (let i = 0; i < rows; i++) {
        let s = src.offset + i * rowStride;
        let t = base + (i >> 2) * 4 * k + (i & 3);
        for (let p = 0; p < k; p++, s++, t += 4) h[t] = d[s];
      }
    } else {
      // Rows are adjacent in the source (a transposed read): read along the rows.
      for (let p = 0; p < k; p++) {
        let s = src.offset + p * kStride;
        for (let i = 0; i < rows; i++, s += rowStride) h[base + (i >> 2) * 4 * k + 4 * p + (i & 3)] = d[s];
      }
    }
  }

  return {
    gemm(m, n, k, a, b, c, cOffset, accumulate) {
      const mb = Math.ceil(m / 4);
      const nb = Math.ceil(n / 4);
      const pa = 0;
      const pb = pa + mb * 4 * k;
      const pc = pb + nb * 4 * k;
      ensure(pc + mb * 4 * nb * 4);
      pack(a, m, k, a.rowStride, a.colStride, pa);
      // op(B) columns are the rows of the packed B: (j, p) ↦ B(p, j).
      pack(b, n, k, b.colStride, b.rowStride, pb);
      tiles(pa * 8, pb * 8, pc * 8, mb, nb, k);
      const h = heap;
      const ldc = nb * 4;
      for (let i = 0; i < m; i++) {
        const src = pc + i * ldc;
        const dst = cOffset + i * n;
        if (accumulate) for (let j = 0; j < n; j++) c[dst + j] += h[src + j];
        else c.set(h.subarray(src, src + n), dst);
      }
    },
  };
}
