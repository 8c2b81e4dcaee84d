"""The homework network's training step in numpy, as a student writes it.

Batch 32, 30 -> 1024 -> 512 -> 1, ReLU, sigmoid + binary cross-entropy, float64, forward +
backward + SGD. Prints one JSON line: {"ms": median ms per step, "loss": first loss, ...}.
Run single-threaded: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/numpy_train_step.py [repeats]
"""
import json
import sys
import time

import numpy as np

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 50

np.random.seed(0)
N = 32
X = np.random.randn(N, 30)
y = (np.random.rand(N, 1) > 0.5).astype(np.float64)
W1 = np.random.randn(30, 1024) * np.sqrt(2 / 30)
b1 = np.zeros(1024)
W2 = np.random.randn(1024, 512) * np.sqrt(2 / 1024)
b2 = np.zeros(512)
W3 = np.random.randn(512, 1) * np.sqrt(2 / 512)
b3 = np.zeros(1)
lr = 0.1


def step():
    global W1, b1, W2, b2, W3, b3
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    z3 = h2 @ W3 + b3
    p = 1 / (1 + np.exp(-z3))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    dz3 = (p - y) / N
    dW3 = h2.T @ dz3
    db3 = dz3.sum(axis=0)
    dh2 = dz3 @ W3.T
    dz2 = dh2 * (z2 > 0)
    dW2 = h1.T @ dz2
    db2 = dz2.sum(axis=0)
    dh1 = dz2 @ W2.T
    dz1 = dh1 * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)

    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    W3 -= lr * dW3
    b3 -= lr * db3
    return loss


losses = [float(step())]
for _ in range(4):
    step()
times = []
for _ in range(repeats):
    t = time.perf_counter()
    step()
    times.append((time.perf_counter() - t) * 1e3)
times.sort()
blas = ""
try:
    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i.get('internal_api')} {i.get('architecture', '')} threads={i.get('num_threads')}" for i in threadpool_info())
except Exception:  # threadpoolctl is optional
    pass
print(json.dumps({"ms": times[len(times) // 2], "loss": losses[0], "numpy": np.__version__, "blas": blas}))
