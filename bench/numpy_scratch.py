"""examples/breast-cancer-scratch.nn as the numpy program a student writes: load the CSV,
standardise, forward 30 -> 1024 -> 512 -> 2 with ReLU and softmax, the loss -log P[arange(N), y],
and the hand-written backward with the masks (z > 0). float64. Prints one JSON line:
{"ms": median CPU ms (time.process_time) of the whole program, "loss": L, "blas": ...}.
Run single-threaded: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/numpy_scratch.py CSV [repeats]
"""
import json
import sys
import time

import numpy as np

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def randn(seed, *shape):
    np.random.seed(seed)
    return np.random.randn(*shape)


def program():
    D = np.loadtxt(path, delimiter=",", skiprows=1)
    N = 455
    X0 = D[0:N, 0:30]
    y = D[0:N, 30].astype(np.int64)
    X = (X0 - np.mean(X0, axis=0)) / np.std(X0, axis=0)
    W1 = randn(1, 30, 1024) * np.sqrt(2 / 30)
    b1 = np.zeros(1024)
    W2 = randn(2, 1024, 512) * np.sqrt(2 / 1024)
    b2 = np.zeros(512)
    W3 = randn(3, 512, 2) * np.sqrt(2 / 512)
    b3 = np.zeros(2)
    # forward
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    z3 = h2 @ W3 + b3
    e = np.exp(z3 - z3.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    L = np.mean(-np.log(P[np.arange(N), y]))
    # backward by hand
    dz3 = (P - np.eye(2)[y]) / N
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
    accuracy0 = np.mean(np.argmax(P, axis=1) == y)
    return L, (dW1, db1, dW2, db2, dW3, db3, accuracy0)


L, _ = program()
times = []
for _ in range(repeats):
    t0 = time.process_time()
    program()
    times.append((time.process_time() - t0) * 1000)
times.sort()
try:
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
except Exception:  # older numpy
    blas = "unknown"
print(json.dumps({"ms": times[len(times) // 2], "loss": float(L), "blas": blas}))
