"""The same MLPs written out by hand in fused NumPy: the practical speed limit for glasstorch.

No graph, no Tensor objects, no DataLoader: each step slices the arrays, runs the forward pass,
the backward pass written out by hand (with the softmax-cross-entropy and MSE gradients in
closed form) and the optimizer update in place, all in float32. The arithmetic follows
PyTorch's definitions (Linear is ``x @ W.T + b``; SGD momentum ``buf = m*buf + g``; Adam with
bias corrections and ``eps`` added after ``sqrt(v_hat)``), so the final losses should agree with
the other libraries to float32 rounding.
"""

from __future__ import annotations

import time

import numpy as np

from bench.workloads import MOMENTUM, Workload

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def _loss_and_grad(out: np.ndarray, y: np.ndarray, kind: str, need_grad: bool):
    """Mean loss of a batch and, if asked, d loss / d out."""
    b = out.shape[0]
    if kind == "mse":
        diff = out - y
        loss = float(np.mean(diff * diff))
        return loss, (diff * np.float32(2.0 / diff.size)) if need_grad else None
    # cross-entropy via a stable log-softmax
    shifted = out - out.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(b)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
    if not need_grad:
        return loss, None
    grad = exp / total  # softmax
    grad[rows, y] -= 1.0
    grad *= np.float32(1.0 / b)
    return loss, grad


class _MLP:
    """Weights, gradients and optimizer state of one MLP, all preallocated float32 arrays."""

    def __init__(self, w: Workload, weights) -> None:
        self.w = w
        self.params = [a.copy() for pair in weights for a in pair]  # W0, b0, W1, b1, ...
        self.grads = [np.zeros_like(p) for p in self.params]
        self.buf = [np.zeros_like(p) for p in self.params]  # momentum / Adam first moment
        self.sq = [np.zeros_like(p) for p in self.params]  # Adam second moment
        self.t = 0

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Output and the activations each layer saw (for the backward pass)."""
        acts = [x]
        h = x
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            weight, bias = self.params[2 * i], self.params[2 * i + 1]
            h = h @ weight.T
            h += bias
            if i < n_layers - 1:
                np.maximum(h, 0, out=h)
                acts.append(h)
        return h, acts

    def backward(self, grad_out: np.ndarray, acts: list[np.ndarray]) -> None:
        g = grad_out
        for i in range(len(self.params) // 2 - 1, -1, -1):
            a = acts[i]
            np.matmul(g.T, a, out=self.grads[2 * i])
            np.sum(g, axis=0, out=self.grads[2 * i + 1])
            if i:
                g = g @ self.params[2 * i]
                g *= a > 0  # ReLU: the saved activation is positive exactly where input was

    def step(self) -> None:
        lr = self.w.lr
        if self.w.optimizer == "sgdm":
            for p, g, buf in zip(self.params, self.grads, self.buf):
                buf *= MOMENTUM
                buf += g
                p -= lr * buf
            return
        self.t += 1
        bc1 = 1.0 - BETA1**self.t
        bc2_sqrt = np.sqrt(1.0 - BETA2**self.t)
        step_size = lr / bc1
        for p, g, m, v in zip(self.params, self.grads, self.buf, self.sq):
            m *= BETA1
            m += (1.0 - BETA1) * g
            v *= BETA2
            v += (1.0 - BETA2) * (g * g)
            denom = np.sqrt(v)
            denom /= bc2_sqrt
            denom += EPS
            p -= step_size * (m / denom)


class NumpySession:
    """The fused NumPy version of a workload, advanced an epoch at a time (like Session)."""

    def __init__(self, w: Workload, data, weights) -> None:
        self.w = w
        self.x, self.y = data
        self.net = _MLP(w, weights)

    def epoch(self) -> tuple[float, float]:
        """Run one epoch: (seconds, mean batch loss)."""
        w, net, x, y = self.w, self.net, self.x, self.y
        start = time.perf_counter()
        running = 0.0
        correct = 0
        steps = 0
        for lo in range(0, len(x), w.batch):
            xb, yb = x[lo:lo + w.batch], y[lo:lo + w.batch]
            out, acts = net.forward(xb)
            batch_loss, grad = _loss_and_grad(out, yb, w.loss, w.train)
            if w.train:
                net.backward(grad, acts)
                net.step()
            else:
                correct += int((out.argmax(axis=1) == yb).sum())
            running += batch_loss
            steps += 1
        return time.perf_counter() - start, running / steps


def run_numpy(w: Workload, data, weights, epochs: int) -> tuple[list[float], float]:
    """Run `epochs` epochs of the workload in fused NumPy: (seconds per epoch, final loss)."""
    session = NumpySession(w, data, weights)
    times = []
    loss = float("nan")
    for _ in range(epochs):
        seconds, loss = session.epoch()
        times.append(seconds)
    return times, loss
