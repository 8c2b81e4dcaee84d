"""The homework network trained in numpy from scratch: the reference for bench/trainBench.ts.

569 x 30 data (examples/data/breast_cancer.csv, standardised), 30 -> 1024 -> 512 -> 1, ReLU,
sigmoid + binary cross-entropy, float64, minibatches of 32 shuffled with np.random.permutation,
plain SGD (lr 0.01) or Adam (lr 1e-3, PyTorch's update rule and defaults, written the way a
homework writes it). The same training as the `train` statement bench/trainBench.ts runs.
Prints one JSON line: {"epoch_ms": median ms per epoch, "losses": [...], ...}.
Run single-threaded: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 bench/numpy_train.py [epochs] [sgd|adam]
"""
import json
import os
import sys
import time

import numpy as np

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
optimizer = sys.argv[2] if len(sys.argv) > 2 else "sgd"
here = os.path.dirname(os.path.abspath(__file__))
D = np.loadtxt(os.path.join(here, "..", "examples", "data", "breast_cancer.csv"), delimiter=",", skiprows=1)
X, y = D[:, :30], D[:, 30:31]
n = X.shape[0]
B = 32
lr = 0.01

np.random.seed(0)
rs = np.random.RandomState(1)
b1_, b2_, b3_ = 1 / np.sqrt(30), 1 / np.sqrt(1024), 1 / np.sqrt(512)
W1 = rs.uniform(-b1_, b1_, (30, 1024)); b1 = rs.uniform(-b1_, b1_, 1024)
W2 = rs.uniform(-b2_, b2_, (1024, 512)); b2 = rs.uniform(-b2_, b2_, 512)
W3 = rs.uniform(-b3_, b3_, (512, 1)); b3 = rs.uniform(-b3_, b3_, 1)

params = [W1, b1, W2, b2, W3, b3]
beta1, beta2, eps, adam_lr = 0.9, 0.999, 1e-8, 1e-3
adam_m = [np.zeros_like(p) for p in params]
adam_v = [np.zeros_like(p) for p in params]
adam_t = 0


def update(grads):
    """In place, so W1 … b3 are the updated arrays."""
    global adam_t
    if optimizer == "sgd":
        for p, g in zip(params, grads):
            p -= lr * g
        return
    adam_t += 1
    bc1 = 1 - beta1**adam_t
    bc2 = 1 - beta2**adam_t
    for p, g, mk, vk in zip(params, grads, adam_m, adam_v):
        mk *= beta1
        mk += (1 - beta1) * g
        vk *= beta2
        vk += (1 - beta2) * g * g
        p -= (adam_lr / bc1) * mk / (np.sqrt(vk) / np.sqrt(bc2) + eps)


def epoch():
    perm = np.random.permutation(n)
    total = 0.0
    for s in range(0, n, B):
        idx = perm[s : s + B]
        Xb, yb = X[idx], y[idx]
        m = Xb.shape[0]
        z1 = Xb @ W1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ W2 + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ W3 + b3
        p = 1 / (1 + np.exp(-z3))
        loss = -np.mean(yb * np.log(p) + (1 - yb) * np.log(1 - p))
        total += loss * m

        dz3 = (p - yb) / m
        dW3 = h2.T @ dz3
        db3 = dz3.sum(axis=0)
        dh2 = dz3 @ W3.T
        dz2 = dh2 * (z2 > 0)
        dW2 = h1.T @ dz2
        db2 = dz2.sum(axis=0)
        dh1 = dz2 @ W2.T
        dz1 = dh1 * (z1 > 0)
        dW1 = Xb.T @ dz1
        db1 = dz1.sum(axis=0)

        update([dW1, db1, dW2, db2, dW3, db3])
    return total / n


losses = [float(epoch())]  # warm-up epoch
times = []
for _ in range(epochs):
    t = time.perf_counter()
    losses.append(float(epoch()))
    times.append((time.perf_counter() - t) * 1e3)
times.sort()
blas = ""
try:
    from threadpoolctl import threadpool_info

    blas = ", ".join(f"{i.get('internal_api')} threads={i.get('num_threads')}" for i in threadpool_info())
except Exception:  # threadpoolctl is optional
    pass
print(json.dumps({"optimizer": optimizer, "epoch_ms": times[len(times) // 2], "losses": losses, "numpy": np.__version__, "blas": blas}))
