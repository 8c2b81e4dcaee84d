# Homework 4, "deep learning from (almost) scratch", as the student writes it in numpy: the
# breast-cancer network 30 → 1024 → 512 → 2 — standardise the features, forward with ReLU and
# softmax, the cross-entropy −log P[n, yₙ], the backward pass by hand with the masks (z > 0) —
# each hand-written gradient checked by a `# expect` comment against GradLens's `grad`.
# The same computation as examples/breast-cancer-scratch.nn, with the same loss and accuracy.
# Run:  gradlens eval examples/breast-cancer-scratch.py
# (about 1.2 billion multiply-adds: in the editor, raise gradlens.analysis.workBudget.)
import numpy as np

D = np.loadtxt("data/breast_cancer.csv", delimiter=",", skiprows=1)  # [569, 31]; last column: 1 = benign
N = 455
X0 = D[:N, :30]                     # the training rows
y = D[:N, 30].astype(int)           # [455] class indices 0 / 1

# standardise each feature (numpy's std: ddof = 0)
X = (X0 - X0.mean(axis=0)) / X0.std(axis=0)

# parameters, He initialisation
np.random.seed(1)
W1 = np.random.randn(30, 1024) * np.sqrt(2 / 30)
b1 = np.zeros(1024)
np.random.seed(2)
W2 = np.random.randn(1024, 512) * np.sqrt(2 / 1024)
b2 = np.zeros(512)
np.random.seed(3)
W3 = np.random.randn(512, 2) * np.sqrt(2 / 512)
b3 = np.zeros(2)

# forward
z1 = X @ W1 + b1
h1 = np.maximum(z1, 0)
z2 = h1 @ W2 + b2
h2 = np.maximum(z2, 0)
z3 = h2 @ W3 + b3
e = np.exp(z3 - z3.max(axis=1, keepdims=True))
P = e / e.sum(axis=1, keepdims=True)
L = -np.log(P[np.arange(N), y]).mean()

# backward by hand: ∂L/∂z3 = (P − Y)/N, then the chain rule
Y = np.zeros((N, 2))
Y[np.arange(N), y] = 1
dz3 = (P - Y) / N
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

# the hand-written gradients equal the ones GradLens derives
# expect dW3 == grad(L, W3) within 1e-10
# expect db3 == grad(L, b3) within 1e-10
# expect dW2 == grad(L, W2) within 1e-10
# expect db2 == grad(L, b2) within 1e-10
# expect dW1 == grad(L, W1) within 1e-10
# expect db1 == grad(L, b1) within 1e-10

# accuracy of the untrained network
accuracy0 = (P.argmax(axis=1) == y).mean()
print(f"loss {L}, accuracy {accuracy0}")
