/**
 * WebAssembly SIMD micro-kernels for `gemm`, assembled here from their bytes (no toolchain, no
 * binary in the repository). Where WebAssembly SIMD is missing, `createWasmGemm` returns
 * undefined and callers keep the JS kernel.
 *
 * Operands in ordinary JS Float64Arrays are copied into the module's memory on every call; the
 * layouts are chosen so that the large operand (a weight matrix) is copied with one
 * `TypedArray.set` (a memcpy) instead of being re-packed element by element. Operands in a
 * WasmArena (a training's parameters, gradients and step arrays) are used where they are:
 *
 *   nt(pa, pb, pc, mBlocks, nPairs, kPairs, ld, ldc) — "dot" form, for op(B) whose columns are
 *     contiguous (B = Wᵀ, W row-major: the forward of `linear`). A's rows and op(B)'s columns are
 *     rows of length ld bytes (k padded to even) at pa and pb; each 4 × 2 tile of C sums eight
 *     f64x2 partial dot products, then adds their halves.
 *   nn(pa, pb, pc, mBlocks, nStrips, k, ldb, ldc, acc, pk) — "outer product" form, for op(B) whose
 *     rows are contiguous (B = W: ∂L/∂x = g·W). A is packed into 4-row panels (small: A is the
 *     batch side), B is read in place with row stride ldb bytes (or each strip gathered to pk
 *     first, when ldb aliases in L1); each 4 × 4 tile of C keeps eight f64x2 accumulators. A long
 *     k runs in blocks (one call each, acc = 1 after the first).
 *   axpy(pp, pg, end, alpha) — p += alpha·g, the plain SGD step (on chunks copied in and out
 *     unless both arrays are in the arena).
 * nt and nn write C row-major with row stride ldc bytes: in place in an arena when the tiles
 * cover it exactly, else to scratch and JS copies C out.
 */

// ---- a tiny assembler: just what the kernels need ----
const I32 = 0x7f;
const F64 = 0x7c;
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
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  and: [0x71],
  block: [0x02, 0x40],
  if_: [0x04, 0x40],
  else_: [0x05],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  br: (d: number) => [0x0c, ...uleb(d)],
  geU: [0x4f],
  // SIMD (prefix 0xfd): memarg = align (log2), offset.
  v128Load: (offset: number) => [0xfd, 0x00, 4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, 0x0b, 4, ...uleb(offset)],
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  shuffle: (lanes: number[]) => [0xfd, 0x0d, ...lanes],
  f64Load: (offset: number) => [0x2b, 3, ...uleb(offset)],
  splat: [0xfd, 0x14],
  /** v128.load64_splat: both lanes = the f64 at the address. */
  loadSplat: (offset: number) => [0xfd, 0x0a, 3, ...uleb(offset)],
  fadd: [0xfd, ...uleb(0xf0)],
  fmul: [0xfd, ...uleb(0xf2)],
  fsub: [0xfd, ...uleb(0xf1)],
  fdiv: [0xfd, ...uleb(0xf3)],
  fsqrt: [0xfd, ...uleb(0xef)],
};

/** `for (v = 0; v < limit; v++) body` with `limit` a local. */
function countedLoop(emit: (...xs: number[][]) => void, v: number, limit: number, body: () => void): void {
  emit(op.i32(0), op.set(v));
  emit(op.block, op.loop);
  emit(op.get(v), op.get(limit), op.geU, op.brIf(1));
  body();
  emit(op.get(v), op.i32(1), op.add, op.set(v));
  emit(op.br(0), op.end, op.end);
}

/** `while (ptr < end) { body; ptr += step }` with `ptr`, `end` locals. */
function pointerLoop(emit: (...xs: number[][]) => void, ptr: number, end: number, step: number, body: () => void): void {
  emit(op.block, op.loop);
  emit(op.get(ptr), op.get(end), op.geU, op.brIf(1));
  body();
  emit(op.get(ptr), op.i32(step), op.add, op.set(ptr));
  emit(op.br(0), op.end, op.end);
}

interface Func {
  readonly body: number[];
  readonly i32Locals: number;
  readonly v128Locals: number;
}


/**
 * nn: params 0..9 = pa, pb, pc, mBlocks, nStrips, k, ldb, ldc, acc, pk. Columns go by strips of
 * 8 (two 4 × 4 tiles per row panel), so each 64-byte line of B read for a strip is used whole
 * while it is in L1. With acc ≠ 0 each tile starts from C's contents instead of zero: the caller
 * splits a long k into blocks (one call each) so that a block of a B strip and of the A panels
 * stays in L1, and the sums are still formed in order p = 0, 1, …, k − 1. With pk ≠ 0 each
 * strip's k lines are first gathered to pk (contiguous, 64 bytes apart): B read in place with a
 * row stride that aliases in L1 (a multiple of 4 KB) would otherwise miss L1 on every line.
 */
function nnKernel(): Func {
  const [PA, PB, PC, MB, NS, K, LDB, LDC, ACCUM, PK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // i32 locals: 10 js (strip), 11 ib, 12 a (A cursor), 13 b (B cursor), 14 c, 15 panel bytes
  // (k·32), 16 bcol (first B column of the tile), 17 end of the panel, 18 c of the tile's first
  // row, 19 the row stride the tiles read B with (ldb, or 64 from the gathered copy), 20 q (gather cursor).
  const [JS, IB, A, B, C, PANEL, BCOL, END, C0, LDU, Q] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  // v128 locals: 21..28 accumulators, 29 b01, 30 b23, 31 splat.
  const ACC = 21;
  const B01 = 29;
  const B23 = 30;
  const S = 31;
  const body: number[] = [];
  const emit = (...xs: number[][]) => xs.forEach((x) => body.push(...x));
  /** The 4 × 4 tile of row panel ib and the columns at byte offset `half`·32 of the strip. */
  const tile = (half: number): void => {
    emit(op.get(C0), op.i32(32 * half), op.add, op.set(C));
    emit(op.get(ACCUM), op.if_);
    for (let r = 0; r < 4; r++) {
      emit(op.get(C), op.get(LDC), op.i32(r), op.mul, op.add, op.tee(B));
      emit(op.v128Load(0), op.set(ACC + 2 * r), op.get(B), op.v128Load(16), op.set(ACC + 2 * r + 1));
    }
    emit(op.else_);
    for (let r = 0; r < 8; r++) emit(op.v128Zero, op.set(ACC + r));
    emit(op.end);
    emit(op.get(PA), op.get(IB), op.get(PANEL), op.mul, op.add, op.tee(A));
    emit(op.get(PANEL), op.add, op.set(END));
    emit(op.get(BCOL), op.i32(32 * half), op.add, op.set(B));
    pointerLoop(emit, A, END, 32, () => {
      // C tile += A(:, p) ⊗ B(p, :)
      emit(op.get(B), op.v128Load(0), op.set(B01));
      emit(op.get(B), op.v128Load(16), op.set(B23));
      for (let r = 0; r < 4; r++) {
        emit(op.get(A), op.loadSplat(8 * r), op.tee(S));
        emit(op.get(B01), op.fmul, op.get(ACC + 2 * r), op.fadd, op.set(ACC + 2 * r));
        emit(op.get(S), op.get(B23), op.fmul, op.get(ACC + 2 * r + 1), op.fadd, op.set(ACC + 2 * r + 1));
      }
      emit(op.get(B), op.get(LDU), op.add, op.set(B));
    });
    for (let r = 0; r < 4; r++) {
      emit(op.get(C), op.get(ACC + 2 * r), op.v128Store(0));
      emit(op.get(C), op.get(ACC + 2 * r + 1), op.v128Store(16));
      emit(op.get(C), op.get(LDC), op.add, op.set(C));
    }
  };
  emit(op.get(K), op.i32(32), op.mul, op.set(PANEL));
  countedLoop(emit, JS, NS, () => {
    emit(op.get(PB), op.get(JS), op.i32(64), op.mul, op.add, op.set(BCOL));
    emit(op.get(LDB), op.set(LDU));
    emit(op.get(PK), op.if_);
    {
      // Gather the strip: k lines of 64 bytes, ldb apart, to pk, 64 apart.
      emit(op.get(BCOL), op.set(B), op.get(PK), op.tee(Q), op.get(K), op.i32(64), op.mul, op.add, op.set(END));
      pointerLoop(emit, Q, END, 64, () => {
        for (const off of [0, 16, 32, 48]) emit(op.get(Q), op.get(B), op.v128Load(off), op.v128Store(off));
        emit(op.get(B), op.get(LDB), op.add, op.set(B));
      });
      emit(op.get(PK), op.set(BCOL), op.i32(64), op.set(LDU));
    }
    emit(op.end);
    countedLoop(emit, IB, MB, () => {
      // c0 = pc + (4·ib)·ldc + js·64
      emit(op.get(PC), op.get(IB), op.i32(4), op.mul, op.get(LDC), op.mul, op.add, op.get(JS), op.i32(64), op.mul, op.add, op.set(C0));
      tile(0);
      tile(1);
    });
  });
  emit(op.end);
  return { body, i32Locals: 11, v128Locals: 11 };
}

/**
 * nt: params 0..7 = pa, pb, pc, mBlocks, nPairs, kPairs, ldb, ldc. A is packed by 4-row panels
 * and pairs of p: panel ib, pair q, row r at pa + ib·kPairs·64 + q·64 + r·16 (so one cursor and
 * constant offsets reach all four rows); op(B)'s columns are rows of ldb bytes at pb.
 */
function ntKernel(): Func {
  const [PA, PB, PC, MB, NP, KQ, LDB, LDC] = [0, 1, 2, 3, 4, 5, 6, 7];
  // i32 locals: 8 jb, 9 ib, 10 a (A cursor), 11 b0 (B cursor, column 2jb), 12 c, 13 panel bytes
  // (kPairs·64), 14 bcol (start of column 2jb), 15 end of the panel.
  const [JB, IB, A, B0, C, PANEL, BCOL, END] = [8, 9, 10, 11, 12, 13, 14, 15];
  // v128 locals: 16..23 accumulators acc[r][t] = 16 + 2r + t, 24 x0, 25 x1, 26 a.
  const ACC = 16;
  const X0 = 24;
  const X1 = 25;
  const AV = 26;
  const body: number[] = [];
  const emit = (...xs: number[][]) => xs.forEach((x) => body.push(...x));
  /** One pair of p: A at a + aOff, B columns at b0 + bOff and b0 + ldb + bOff. */
  const pair = (aOff: number, bOff: number): void => {
    emit(op.get(B0), op.v128Load(bOff), op.set(X0));
    emit(op.get(B0), op.get(LDB), op.add, op.v128Load(bOff), op.set(X1));
    for (let r = 0; r < 4; r++) {
      emit(op.get(A), op.v128Load(aOff + 16 * r), op.tee(AV));
      emit(op.get(X0), op.fmul, op.get(ACC + 2 * r), op.fadd, op.set(ACC + 2 * r));
      emit(op.get(AV), op.get(X1), op.fmul, op.get(ACC + 2 * r + 1), op.fadd, op.set(ACC + 2 * r + 1));
    }
  };
  emit(op.get(KQ), op.i32(64), op.mul, op.set(PANEL));
  countedLoop(emit, JB, NP, () => {
    emit(op.get(PB), op.get(JB), op.get(LDB), op.mul, op.i32(2), op.mul, op.add, op.set(BCOL));
    countedLoop(emit, IB, MB, () => {
      for (let r = 0; r < 8; r++) emit(op.v128Zero, op.set(ACC + r));
      emit(op.get(PA), op.get(IB), op.get(PANEL), op.mul, op.add, op.tee(A));
      emit(op.get(PANEL), op.add, op.set(END));
      emit(op.get(BCOL), op.set(B0));
      pointerLoop(emit, A, END, 64, () => {
        pair(0, 0);
        emit(op.get(B0), op.i32(16), op.add, op.set(B0));
      });
      // c = pc + (4·ib)·ldc + jb·16; row r gets [Σ acc[r][0], Σ acc[r][1]].
      emit(op.get(PC), op.get(IB), op.i32(4), op.mul, op.get(LDC), op.mul, op.add, op.get(JB), op.i32(16), op.mul, op.add, op.set(C));
      const lo = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
      const hi = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
      for (let r = 0; r < 4; r++) {
        emit(op.get(C));
        emit(op.get(ACC + 2 * r), op.get(ACC + 2 * r + 1), op.shuffle(lo));
        emit(op.get(ACC + 2 * r), op.get(ACC + 2 * r + 1), op.shuffle(hi), op.fadd);
        emit(op.v128Store(0));
        emit(op.get(C), op.get(LDC), op.add, op.set(C));
      }
    });
  });
  emit(op.end);
  return { body, i32Locals: 8, v128Locals: 11 };
}

/**
 * axpy: params 0..3 = pp, pg, end (bytes), alpha (f64). p[i] = p[i] + alpha·g[i] for the doubles
 * from pp up to end (a multiple of 4), g at pg: the plain SGD update, four doubles a turn.
 */
function axpyKernel(): Func {
  const [PP, PG, END, ALPHA] = [0, 1, 2, 3];
  const AV = 4;
  const body: number[] = [];
  const emit = (...xs: number[][]) => xs.forEach((x) => body.push(...x));
  emit(op.get(ALPHA), op.splat, op.set(AV));
  pointerLoop(emit, PP, END, 32, () => {
    for (const off of [0, 16]) {
      emit(op.get(PP));
      emit(op.get(PP), op.v128Load(off));
      emit(op.get(AV), op.get(PG), op.v128Load(off), op.fmul, op.fadd);
      emit(op.v128Store(off));
    }
    emit(op.get(PG), op.i32(32), op.add, op.set(PG));
  });
  emit(op.end);
  return { body, i32Locals: 0, v128Locals: 1 };
}

/** Adam's constants for one step of one parameter, in the order the `adam` kernel takes them. */
export interface AdamConstants {
  /** ±1 (maximize flips the gradient's sign; exact). */
  readonly sign: number;
  readonly beta1: number;
  /** 1 − β1 */
  readonly c1: number;
  readonly beta2: number;
  /** 1 − β2 */
  readonly c2: number;
  /** lr / (1 − β1ᵗ) */
  readonly stepSize: number;
  /** √(1 − β2ᵗ) */
  readonly bc2Sqrt: number;
  readonly eps: number;
}

/**
 * adam: params 0..4 = pp, pg, pm, pv, bytes (a multiple of 16), 5..12 = the AdamConstants in
 * their order. For two doubles a turn, exactly the JS loop's operations in its order (every one
 * correctly rounded, so the same bits):
 *   g = sign·g;  m = m·β1 + g·c1;  v = v·β2 + (g·g)·c2;  p = p − stepSize·(m / (√v / bc2Sqrt + ε)).
 */
function adamKernel(): Func {
  const [PP, PG, PM, PV, BYTES] = [0, 1, 2, 3, 4];
  const I = 13;
  // v128 locals: 14..21 the splatted constants, 22 g, 23 m, 24 v.
  const K0 = 14;
  const [SIGN, B1, C1, B2, C2, SS, BC, EPS] = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => K0 + k);
  const [G, M, V] = [22, 23, 24];
  const body: number[] = [];
  const emit = (...xs: number[][]) => xs.forEach((x) => body.push(...x));
  for (let k = 0; k < 8; k++) emit(op.get(5 + k), op.splat, op.set(K0 + k));
  const at = (base: number) => emit(op.get(base), op.get(I), op.add);
  emit(op.i32(0), op.set(I));
  pointerLoop(emit, I, BYTES, 16, () => {
    emit(op.get(SIGN)), at(PG), emit(op.v128Load(0), op.fmul, op.set(G));
    at(PM), at(PM), emit(op.v128Load(0), op.get(B1), op.fmul, op.get(G), op.get(C1), op.fmul, op.fadd, op.tee(M), op.v128Store(0));
    at(PV), at(PV), emit(op.v128Load(0), op.get(B2), op.fmul, op.get(G), op.get(G), op.fmul, op.get(C2), op.fmul, op.fadd, op.tee(V), op.v128Store(0));
    at(PP), at(PP), emit(op.v128Load(0));
    emit(op.get(SS), op.get(M), op.get(V), op.fsqrt, op.get(BC), op.fdiv, op.get(EPS), op.fadd, op.fdiv, op.fmul, op.fsub);
    emit(op.v128Store(0));
  });
  emit(op.end);
  return { body, i32Locals: 1, v128Locals: 11 };
}

/** The module's bytes: exports `adam` ((i32 × 5, f64 × 8) → ()), `nn` ((i32 × 10) → ()), `nt` ((i32 × 8) → ()), `axpy` ((i32 × 3, f64) → ()) and `memory`. */
function kernelModule(): Uint8Array {
  const funcs = [nnKernel(), ntKernel(), axpyKernel(), adamKernel()];
  const code = funcs.map((f) => {
    const locals = vec([
      [...uleb(f.i32Locals), I32],
      [...uleb(f.v128Locals), V128],
    ]);
    const fn = [...locals, ...f.body];
    return [...uleb(fn.length), ...fn];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([
      [0x60, ...vec(new Array(8).fill([I32])), 0x00], // type 0: (i32 × 8) → ()
      [0x60, ...vec([[I32], [I32], [I32], [F64]]), 0x00], // type 1: (i32 × 3, f64) → ()
      [0x60, ...vec(new Array(10).fill([I32])), 0x00], // type 2: (i32 × 10) → ()
      [0x60, ...vec([...new Array(5).fill([I32]), ...new Array(8).fill([F64])]), 0x00], // type 3: (i32 × 5, f64 × 8) → ()
    ])),
    ...section(3, vec([[0x02], [0x00], [0x01], [0x03]])), // nn: type 2; nt: type 0; axpy: type 1; adam: type 3
    ...section(5, vec([[0x00, 0x01]])), // memory: min 1 page
    ...section(7, vec([[...name('nn'), 0x00, 0x00], [...name('nt'), 0x00, 0x01], [...name('axpy'), 0x00, 0x02], [...name('adam'), 0x00, 0x03], [...name('memory'), 0x02, 0x00]])),
    ...section(10, vec(code)),
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
  /** p[i] = p[i] + alpha·g[i] for i < p.length (g at least as long): bit for bit the JS loop. */
  axpy(p: Float64Array, g: Float64Array, alpha: number): void;
  /**
   * One Adam step (no L2 term, no amsgrad) on p, updating m and v, when all four arrays are in
   * this arena: bit for bit the JS loop. False (nothing done) otherwise.
   */
  adam(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, k: AdamConstants): boolean;
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

/**
 * A row stride (in doubles) for rows read together: a multiple of 4 KB puts every row in the
 * same L1 set (a 1024-wide weight matrix would thrash it), so such strides get one more cache line.
 */
function unaliased(ld: number): number {
  return ld >= 512 && ld % 512 === 0 ? ld + 8 : ld;
}

/**
 * `nn` runs k in blocks of this many: a block of a B strip (NN_KB lines of 64 bytes) and of the
 * A panels it meets stay in L1 while the strip is swept over all row panels.
 */
const NN_KB = 128;

type Kernel = (p0: number, p1: number, p2: number, p3: number, p4: number, p5: number, p6: number, p7: number) => void;

/** The kernels' compiled module, made once: a cache (instances, not the module, hold memory). */
let compiled: object | null | undefined;

function instantiate(): Record<string, unknown> | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return undefined;
  try {
    if (compiled === undefined) {
      const bytes = kernelModule();
      compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    }
    return compiled === null ? undefined : new wasm.Instance(compiled, {}).exports;
  } catch {
    return undefined;
  }
}

/** Compiles the kernels; undefined where WebAssembly or its SIMD is not available. */
export function createWasmGemm(): WasmGemm | undefined {
  const exports = instantiate();
  return exports ? kernels(exports, undefined) : undefined;
}

/**
 * Memory shared by the kernels and the arrays of one long computation (a training), so that
 * the large operands need not be copied in and out around every call: `alloc` hands out
 * Float64Arrays viewing the module's memory, and `gemm`/`axpy` read and write such arrays in
 * place (a weight, its gradient, the SGD step) while still copying any other array.
 *
 * The memory is sized once, when the arena is made, and never grows (growing a memory
 * detaches every view of it): the low `scratchDoubles` are the kernels' packing space, the
 * rest is handed out by `alloc` until it is used up (then undefined: the caller falls back to
 * an ordinary array, which the kernels copy as before). A call whose packing does not fit the
 * scratch space runs on `fallback`. Results are bit for bit those of the copying kernels: the
 * same kernels run on the same numbers, only their addresses differ.
 */
export interface WasmArena {
  /** The buffer every array from `alloc` views. */
  readonly buffer: ArrayBuffer;
  readonly kernel: WasmGemm;
  /** A zeroed array of n doubles in the arena (64-byte aligned), or undefined when it is full. */
  alloc(n: number): Float64Array | undefined;
}

export function createWasmArena(scratchDoubles: number, heapDoubles: number, fallback: WasmGemm): WasmArena | undefined {
  const exports = instantiate();
  if (!exports) return undefined;
  const memory = exports.memory as WasmMemory;
  const scratch = Math.ceil(scratchDoubles / 8) * 8;
  const total = scratch + Math.ceil(heapDoubles / 8) * 8;
  try {
    memory.grow(Math.ceil((total * 8 - memory.buffer.byteLength) / 65536));
  } catch {
    return undefined; // no address space for it: the caller keeps ordinary arrays
  }
  const buffer = memory.buffer;
  const end = buffer.byteLength / 8;
  let top = scratch;
  return {
    buffer,
    kernel: kernels(exports, { scratch, fallback }),
    alloc(n) {
      if (n <= 0 || top + n > end) return undefined;
      const a = new Float64Array(buffer, top * 8, n);
      top += Math.ceil(n / 8) * 8;
      return a;
    },
  };
}

/** The kernels over one instance's memory; `arena` when it is an arena's (fixed size, arrays inside it). */
function kernels(exports: Record<string, unknown>, arena: { readonly scratch: number; readonly fallback: WasmGemm } | undefined): WasmGemm {
  const memory = exports.memory as WasmMemory;
  const nn = exports.nn as (...p: [number, number, number, number, number, number, number, number, number, number]) => void;
  const nt = exports.nt as Kernel;
  const axpy = exports.axpy as (pp: number, pg: number, end: number, alpha: number) => void;
  const adam = exports.adam as (...p: number[]) => void;
  let heap = new Float64Array(memory.buffer);

  /** Makes the first `doubles` of memory usable as scratch; false when an arena's scratch is too small. */
  function ensure(doubles: number): boolean {
    if (arena) return doubles <= arena.scratch;
    const bytes = doubles * 8;
    if (bytes > memory.buffer.byteLength) {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
      heap = new Float64Array(memory.buffer);
    }
    return true;
  }

  /** Is the array inside this (arena) memory, so the kernels can use it where it is? */
  const inside = (x: Float64Array): boolean => arena !== undefined && x.buffer === heap.buffer;
  /** Do two arrays share memory? (C is not written in place over a B read in place.) */
  const overlaps = (x: Float64Array, y: Float64Array): boolean =>
    x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;

  /**
   * Copies `rows` rows of an operand read as (row, p), p < k, to `base` as rows of length `ld`
   * (≥ k, the rest zero), then zero rows up to `padRows`. Contiguous rows are memcpys.
   */
  function copyRows(src: StridedMatrix, rows: number, k: number, rowStride: number, kStride: number, base: number, ld: number, padRows: number): void {
    const d = src.data;
    const h = heap;
    if (kStride === 1) {
      if (rowStride === ld) h.set(d.subarray(src.offset, src.offset + rows * ld), base);
      else {
        for (let i = 0; i < rows; i++) {
          const s = src.offset + i * rowStride;
          h.set(d.subarray(s, s + k), base + i * ld);
          if (ld > k) h.fill(0, base + i * ld + k, base + (i + 1) * ld);
        }
      }
    } else {
      // A transposed read: walk the source in order, write down the columns.
      if (ld > k) for (let i = 0; i < rows; i++) h.fill(0, base + i * ld + k, base + (i + 1) * ld);
      for (let p = 0; p < k; p++) {
        let s = src.offset + p * kStride;
        let t = base + p;
        for (let i = 0; i < rows; i++, s += rowStride, t += ld) h[t] = d[s];
      }
    }
    if (padRows > rows) h.fill(0, base + rows * ld, base + padRows * ld);
  }

  /**
   * Packs rows 0..rows of an operand read as (row, p) into 4-row panels for `nn`, by blocks of
   * NN_KB values of p: block q (p from p0 = q·NN_KB, kl values) starts at base + 4·mBlocks·p0,
   * and holds panel ib (kl × 4) at 4·kl·ib after that, element (i, p) at (p − p0)·4 + (i & 3).
   */
  function packPanels(src: StridedMatrix, rows: number, k: number, rowStride: number, kStride: number, base: number): void {
    const d = src.data;
    const blocks = Math.ceil(rows / 4);
    const h = heap;
    if (rows % 4 !== 0) for (let p0 = 0; p0 < k; p0 += NN_KB) {
      const kl = Math.min(NN_KB, k - p0);
      const b0 = base + 4 * blocks * p0 + (blocks - 1) * 4 * kl;
      h.fill(0, b0, b0 + 4 * kl);
    }
    for (let p0 = 0; p0 < k; p0 += NN_KB) {
      const kl = Math.min(NN_KB, k - p0);
      const b0 = base + 4 * blocks * p0;
      if (kStride === 1) {
        for (let i = 0; i < rows; i++) {
          let s = src.offset + i * rowStride + p0;
          let t = b0 + (i >> 2) * 4 * kl + (i & 3);
          for (let p = 0; p < kl; p++, s++, t += 4) h[t] = d[s];
        }
      } else {
        // A transposed read (gᵀ): row p of the source gives column p of every panel.
        const full = rows & ~3;
        const step = 4 * kl;
        for (let p = 0; p < kl; p++) {
          let s = src.offset + (p0 + p) * kStride;
          let t = b0 + 4 * p;
          for (let i = 0; i < full; i += 4, s += 4 * rowStride, t += step) {
            h[t] = d[s];
            h[t + 1] = d[s + rowStride];
            h[t + 2] = d[s + 2 * rowStride];
            h[t + 3] = d[s + 3 * rowStride];
          }
          for (let i = full; i < rows; i++, s += rowStride) h[t + (i & 3)] = d[s];
        }
      }
    }
  }

  /**
   * Packs rows 0..rows of an operand read as (row, p) for `nt`: 4-row panels of kPairs pairs,
   * element (i, p) at base + (i >> 2)·8·kPairs + (p >> 1)·8 + (i & 3)·2 + (p & 1); padding is zero.
   */
  function packPairs(src: StridedMatrix, rows: number, k: number, rowStride: number, kStride: number, base: number, kq: number): void {
    const d = src.data;
    const blocks = Math.ceil(rows / 4);
    const h = heap;
    const panel = 8 * kq;
    if (rows % 4 !== 0) h.fill(0, base + (blocks - 1) * panel, base + blocks * panel);
    const even = k & ~1;
    for (let i = 0; i < rows; i++) {
      const t0 = base + (i >> 2) * panel + (i & 3) * 2;
      let s = src.offset + i * rowStride;
      let t = t0;
      if (kStride === 1) {
        for (let p = 0; p < even; p += 2, s += 2, t += 8) {
          h[t] = d[s];
          h[t + 1] = d[s + 1];
        }
      } else {
        for (let p = 0; p < even; p += 2, s += 2 * kStride, t += 8) {
          h[t] = d[s];
          h[t + 1] = d[s + kStride];
        }
      }
      if (k & 1) {
        h[t] = d[s];
        h[t + 1] = 0;
      }
    }
  }

  /** C (+)= the m × n block at `pc` (row stride ldc doubles). */
  function copyOut(m: number, n: number, pc: number, ldc: number, c: Float64Array, cOffset: number, accumulate: boolean): void {
    const h = heap;
    if (!accumulate) {
      if (ldc === n) c.set(h.subarray(pc, pc + m * n), cOffset);
      else for (let i = 0; i < m; i++) c.set(h.subarray(pc + i * ldc, pc + i * ldc + n), cOffset + i * n);
      return;
    }
    for (let i = 0; i < m; i++) {
      const src = pc + i * ldc;
      const dst = cOffset + i * n;
      for (let j = 0; j < n; j++) c[dst + j] += h[src + j];
    }
  }

  /** Elements per axpy chunk: p's and g's chunks (128 KB) stay in L2 between copy-in, update and copy-out. */
  const AXPY_CHUNK = 8192;

  return {
    adam(p, g, m, v, k) {
      const n = p.length;
      if (!(inside(p) && inside(g) && inside(m) && inside(v)) || g.length < n || m.length < n || v.length < n) return false;
      const body = n & ~1;
      adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, body * 8, k.sign, k.beta1, k.c1, k.beta2, k.c2, k.stepSize, k.bc2Sqrt, k.eps);
      for (let i = body; i < n; i++) {
        const gi = k.sign * g[i];
        const mi = m[i] * k.beta1 + gi * k.c1;
        const vi = v[i] * k.beta2 + gi * gi * k.c2;
        m[i] = mi;
        v[i] = vi;
        p[i] -= k.stepSize * (mi / (Math.sqrt(vi) / k.bc2Sqrt + k.eps));
      }
      return true;
    },
    axpy(p, g, alpha) {
      const n = p.length;
      const body = n & ~3;
      if (inside(p) && inside(g)) {
        // Both in the arena: one pass in place.
        if (body > 0) axpy(p.byteOffset, g.byteOffset, p.byteOffset + body * 8, alpha);
        for (let i = body; i < n; i++) p[i] += alpha * g[i];
        return;
      }
      if (!ensure(2 * AXPY_CHUNK)) {
        arena!.fallback.axpy(p, g, alpha);
        return;
      }
      const h = heap;
      for (let s = 0; s < body; s += AXPY_CHUNK) {
        const len = Math.min(AXPY_CHUNK, body - s);
        h.set(p.subarray(s, s + len), 0);
        h.set(g.subarray(s, s + len), AXPY_CHUNK);
        axpy(0, AXPY_CHUNK * 8, len * 8, alpha);
        p.set(h.subarray(0, len), s);
      }
      for (let i = body; i < n; i++) p[i] += alpha * g[i];
    },
    gemm(m, n, k, a, b, c, cOffset, accumulate) {
      if (m === 0 || n === 0) return;
      if (k === 0) {
        if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
        return;
      }
      const mb = Math.ceil(m / 4);
      // C is written where it is when it lives in the arena and the kernel's tiles cover it
      // exactly (whole 4-row panels, rows of the kernel's width); otherwise in scratch, then copied.
      const cFits = !accumulate && m === 4 * mb && inside(c);
      if (b.rowStride === 1 && n > 1) {
        // op(B)'s columns are contiguous: the dot form; op(B) is copied as rows, A packed by pairs.
        const kp = k + (k & 1);
        const np = Math.ceil(n / 2);
        // op(B) in the arena with whole pairs of columns and of p is read where it is.
        const bHere = k === kp && n === 2 * np && inside(b.data);
        const cHere = cFits && n === 2 * np && !(bHere && overlaps(b.data, c));
        const ld = bHere ? b.colStride : unaliased(kp);
        const ldc = cHere ? n : 2 * np;
        const pa = 0;
        let top = pa + 4 * mb * kp;
        const pb = bHere ? b.data.byteOffset / 8 + b.offset : top;
        if (!bHere) top += 2 * np * ld;
        const pc = cHere ? c.byteOffset / 8 + cOffset : top;
        if (!cHere) top += 4 * mb * ldc;
        if (!ensure(top)) return arena!.fallback.gemm(m, n, k, a, b, c, cOffset, accumulate);
        packPairs(a, m, k, a.rowStride, a.colStride, pa, kp >> 1);
        if (!bHere) copyRows(b, n, k, b.colStride, b.rowStride, pb, ld, 2 * np);
        nt(pa * 8, pb * 8, pc * 8, mb, np, kp >> 1, ld * 8, ldc * 8);
        if (!cHere) copyOut(m, n, pc, ldc, c, cOffset, accumulate);
        return;
      }
      // The outer-product form: A in 4-row panels, op(B) as rows of ldb ≥ n doubles.
      const ns = Math.ceil(n / 8);
      // op(B) in the arena is read where it is when its rows hold whole strips; a row stride
      // that would alias in L1 (see unaliased) has each strip gathered by the kernel first.
      const bHere = b.colStride === 1 && n === 8 * ns && inside(b.data);
      const gather = bHere && unaliased(b.rowStride) !== b.rowStride;
      const cHere = cFits && n === 8 * ns && !(bHere && overlaps(b.data, c));
      const ldb = bHere ? b.rowStride : unaliased(8 * ns);
      const ldc = cHere ? n : 8 * ns;
      const pa = 0;
      let top = pa + 4 * mb * k;
      const pb = bHere ? b.data.byteOffset / 8 + b.offset : top;
      if (!bHere) top += k * ldb;
      const pc = cHere ? c.byteOffset / 8 + cOffset : top;
      if (!cHere) top += 4 * mb * ldc;
      const pk = gather ? top : 0;
      if (gather) top += 8 * NN_KB;
      if (!ensure(top)) return arena!.fallback.gemm(m, n, k, a, b, c, cOffset, accumulate);
      packPanels(a, m, k, a.rowStride, a.colStride, pa);
      if (!bHere) copyRows(b, k, n, b.rowStride, b.colStride, pb, ldb, k);
      for (let p0 = 0; p0 < k; p0 += NN_KB) {
        const kl = Math.min(NN_KB, k - p0);
        nn((pa + 4 * mb * p0) * 8, (pb + p0 * ldb) * 8, pc * 8, mb, ns, kl, ldb * 8, ldc * 8, p0 === 0 ? 0 : 1, pk * 8);
      }
      if (!cHere) copyOut(m, n, pc, ldc, c, cOffset, accumulate);
    },
  };
}
