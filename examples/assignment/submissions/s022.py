# Homework 4 in PyTorch (docs/grading.md: the marks as comment directives)
# handout student "s022"
import torch
x0 = torch.tensor(1.0)
w0 = torch.tensor(0.3, requires_grad=True)
w1 = torch.tensor(-0.5, requires_grad=True)
b0 = torch.tensor(-0.1, requires_grad=True)
b1 = torch.tensor(-0.1, requires_grad=True)
x1 = torch.relu(x0 * w0 + b0)
y1 = x1 * w1 + b1
z = torch.relu(y1 + x0)
z.backward()
# question T1
# answer x1 == 0.19999999999999998
# answer y1 == -0.2
# answer z == 0.8
# answer grad(z, w0) == -0.5
# answer grad(z, w1) == 0.19999999999999998
# answer grad(z, b0) == -0.5
# answer grad(z, b1) == 1
# answer grad(z, x0) == 0.85
h = torch.tensor([2.0, 1.0, 0.1], requires_grad=True)
L = torch.nn.functional.cross_entropy(h.unsqueeze(0), torch.tensor([0]))
L.backward()
# question CE
# answer grad(L, h) == [-0.3409988611140321, 0.2424329707047139, 0.09856589040931818]
