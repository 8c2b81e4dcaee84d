# Homework 4 as a student writes it in PyTorch: T1 (the residual connection, forward and
# backward), T2/T3 (the 30 → 1024 → 512 → 1 MLP: sizes and parameters), then three SGD steps
# of that MLP on a batch of 32. The bench analyses this file and bench/homework.nn (the same
# program in GradLens's language) in the same run.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# T1: x1 = ReLU(x0 * w0 + b0); y1 = x1 * w1 + b1; z = ReLU(y1 + x0)
x0 = torch.tensor(1.0)
w0 = torch.tensor(0.3, requires_grad=True)
w1 = torch.tensor(-0.2, requires_grad=True)
b0 = torch.tensor(0.1, requires_grad=True)
b1 = torch.tensor(-0.3, requires_grad=True)
x1 = torch.relu(x0 * w0 + b0)
y1 = x1 * w1 + b1
z = torch.relu(y1 + x0)
z.backward()
print(z.item(), w0.grad.item(), w1.grad.item(), b0.grad.item(), b1.grad.item())

# T2/T3: the MLP
mlp = nn.Sequential(
    nn.Linear(30, 1024),
    nn.ReLU(),
    nn.Linear(1024, 512),
    nn.ReLU(),
    nn.Linear(512, 1),
    nn.Sigmoid(),
)
n_params = sum(p.numel() for p in mlp.parameters())
print(n_params)
assert n_params == 557057

# Three SGD steps on a batch of 32
np.random.seed(0)
X = torch.tensor(np.random.randn(32, 30))
y = torch.tensor(np.random.rand(32, 1))
opt = torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9)
for step in range(3):
    opt.zero_grad()
    p = mlp(X)
    loss = F.binary_cross_entropy(p, y)
    loss.backward()
    opt.step()
    print(step, loss.item())
