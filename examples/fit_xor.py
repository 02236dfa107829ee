"""Backpropagation on the smallest interesting problem: a 2-8-1 network learns XOR.

    python examples/fit_xor.py

The loss falls from about 0.23 to about 0.0002 in 2,000 steps of plain gradient descent; the four
predictions end near 0, 1, 1, 0.
"""
import retrograd as rg
from retrograd.ops.linalg import linear

rg.manual_seed(0)
x = rg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = rg.tensor([[0.0], [1.0], [1.0], [0.0]])
w1, b1 = rg.randn(8, 2, requires_grad=True), rg.zeros(8, requires_grad=True)
w2, b2 = rg.randn(1, 8, requires_grad=True), rg.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]

for step in range(2001):
    prediction = linear(linear(x, w1, b1).tanh(), w2, b2).sigmoid()  # forward
    loss = ((prediction - y) ** 2).mean()
    for p in params:
        p.grad = None
    loss.backward()  # backpropagation
    with rg.no_grad():
        for p in params:
            p -= 1.0 * p.grad  # gradient descent
    if step % 250 == 0:
        print(f"step {step:5d}  loss {loss.item():.5f}")

print("predictions:", [round(v, 3) for v in prediction.detach().numpy().ravel().tolist()])
