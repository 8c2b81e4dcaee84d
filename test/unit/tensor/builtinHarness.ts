/** A minimal tape implementing CallContext, to call built-ins without the evaluator. */
import './opHarness';
import '../../../src/core/builtins/reductions';
import '../../../src/core/builtins/shape';
import '../../../src/core/builtins/linalg';
import '../../../src/core/builtins/probability';
import '../../../src/core/builtins/losses';
import '../../../src/core/builtins/constructors';
import { getOp, hasOp, isShapeError, type Attrs } from '../../../src/core/autodiff/op';
import { findBuiltin, type BoundArgs, type BoundValue, type CallContext, type NodeId, type Rng } from '../../../src/core/builtins/types';
import { createRng } from '../../../src/core/tensor/rng';
import { TorchGenerator } from '../../../src/core/tensor/torchRng';

/** A PyTorch generator after torch.manual_seed(seed). */
function seededTorch(seed: number): TorchGenerator {
  const g = new TorchGenerator();
  g.manualSeed(seed);
  return g;
}
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';
import type { Span } from '../../../src/core/span';

export interface Problem {
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export class MockTape {
  readonly values: Tensor[] = [];
  readonly ops: { op: string; inputs: readonly NodeId[]; attrs: Attrs }[] = [];
  readonly problems: Problem[] = [];
  private stream: Rng = createRng(0);
  private torchStream = seededTorch(0);

  add(t: Tensor | number | number[]): NodeId {
    const v = typeof t === 'number' ? tensor([], [t]) : Array.isArray(t) ? tensor([t.length], t) : t;
    this.values.push(v);
    return this.values.length - 1;
  }

  context(): CallContext {
    const span: Span = { start: 0, end: 1 };
    return {
      span,
      nameSpan: span,
      apply: (op, inputs, attrs = {}) => {
        this.ops.push({ op, inputs, attrs });
        // Element-wise ops belong to the lead; record the call without evaluating it.
        if (!hasOp(op)) return this.add(tensor([0]));
        const def = getOp(op);
        const s = def.inferShape(inputs.map((i) => this.values[i].shape), attrs);
        if (isShapeError(s)) {
          this.problems.push({ code: s.code ?? 'shape.mismatch', message: s.error, severity: 'error' });
          return undefined;
        }
        return this.add(def.forward(inputs.map((i) => this.values[i]), attrs));
      },
      constant: (t) => this.add(t),
      shape: (n) => this.values[n].shape,
      value: (n) => this.values[n],
      error: (code, message) => {
        this.problems.push({ code, message, severity: 'error' });
        return undefined;
      },
      warn: (code, message) => {
        this.problems.push({ code, message, severity: 'warning' });
      },
      rng: (seed) => (seed === null ? this.stream : createRng(seed)),
      torchRng: (seed) => (seed === null ? this.torchStream : seededTorch(seed)),
    };
  }

  /** Calls a built-in by name with already-bound values (tensors as node ids via `node`). */
  call(name: string, values: Record<string, BoundValue>, positionalCount = Object.keys(values).length): Tensor | undefined {
    const def = findBuiltin(name);
    if (!def) throw new Error(`no builtin ${name}`);
    const filled: Record<string, BoundValue> = {};
    for (const p of def.params) filled[p.name] = p.name in values ? values[p.name] : (p.default as BoundValue);
    const args: BoundArgs = { values: filled, spans: {}, positionalCount };
    const id = def.call(args, this.context());
    return id === undefined ? undefined : this.values[id];
  }

  /** A TensorArg for a value. */
  arg(t: Tensor | number | number[]): { node: NodeId; span: Span } {
    return { node: this.add(t), span: { start: 0, end: 1 } };
  }
}
