"""micrograd's algorithm, as in karpathy/micrograd engine.py: a Value object per node with a
backward closure, and a recursive topological sort before the backward pass. The reference
GradLens's engine is measured against, on the same graph, in the same run.

Reads a graph spec (JSON) from argv[1]; prints timings as JSON.
"""
import json
import math
import sys
import time

sys.setrecursionlimit(1_000_000)


class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,), 'ReLU')

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), 'tanh')

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()


def run(spec):
    leaves, ops, a, b = spec['leaves'], spec['ops'], spec['a'], spec['b']
    t0 = time.perf_counter()
    nodes = [Value(x) for x in leaves]
    for k in range(len(ops)):
        op = ops[k]
        x = nodes[a[k]]
        if op == 0:
            nodes.append(x + nodes[b[k]])
        elif op == 1:
            nodes.append(x * nodes[b[k]])
        elif op == 2:
            nodes.append(x.tanh())
        else:
            nodes.append(x.relu())
    t1 = time.perf_counter()
    nodes[-1].backward()
    t2 = time.perf_counter()
    return {'forward_s': t1 - t0, 'backward_s': t2 - t1, 'out': nodes[-1].data, 'grad0': nodes[0].grad}


if __name__ == '__main__':
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    runs = [run(spec) for _ in range(repeats)]
    runs.sort(key=lambda r: r['forward_s'] + r['backward_s'])
    # The median run: robust against a busy machine.
    print(json.dumps(runs[len(runs) // 2]))
