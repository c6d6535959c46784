"""A small CNN on the bundled digits (8x8 images): train-epoch time, glasstorch vs PyTorch CPU
vs the same network written out by hand in NumPy.

    python -m bench.bench_cnn [--repeats 5] [--epochs 3] [--batch 32] [--blas-threads 1]
    python bench/bench_cnn.py            (the same)

The network is the one ``glasstorch train --model cnn`` builds: Conv2d(1, 16, 3, padding=1),
ReLU, MaxPool2d(2), Conv2d(16, 32, 3, padding=1), ReLU, MaxPool2d(2), Flatten,
Linear(128, 10), trained with SGD (momentum 0.9) and cross-entropy over 1,797 images in
batches of 32, course style (DataLoader, zero_grad / forward / loss / backward / step,
``loss.item()``). Every library starts from the same NumPy weights and sees the same batches,
so the final losses can be compared. glasstorch, torch (default threads), torch with one
thread and NumPy take turns epoch by epoch, in an order that rotates, so that load from
elsewhere on the machine hits them alike; the table gives the median ms per epoch and the
ratios. glasstorch and NumPy share NumPy's BLAS, run with ``--blas-threads`` threads (default
1, as ``glasstorch train`` does: on a busy machine spinning BLAS threads make these small
products many times slower); torch runs with its default threads and with one. The NumPy
version keeps its activations channels last (N, H, W, C) throughout and computes every
gradient in closed form: the practical speed limit for glasstorch.

This is a measurement, not a test: nothing asserts on the numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/bench_cnn.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

LIBS = ("glasstorch", "torch", "torch-1t", "numpy")
LR, MOMENTUM = 0.05, 0.9


def make_data() -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits as (N, 1, 8, 8) float32 in [0, 1] and int64 labels."""
    from glasstorch.datasets import load_digits

    ds = load_digits()
    x = (ds.features.numpy() / np.float32(16.0)).astype(np.float32).reshape(-1, 1, 8, 8)
    return x, ds.targets.numpy().astype(np.int64)


def make_weights(seed: int = 1) -> dict[str, np.ndarray]:
    """PyTorch's default-init distribution, U(+-1/sqrt(fan_in)), drawn with NumPy."""
    rng = np.random.default_rng(seed)
    shapes = {"0": ((16, 1, 3, 3), 9), "3": ((32, 16, 3, 3), 144), "7": ((10, 128), 128)}
    weights = {}
    for layer, (shape, fan_in) in shapes.items():
        bound = 1 / np.sqrt(fan_in)
        weights[f"{layer}.weight"] = rng.uniform(-bound, bound, shape).astype(np.float32)
        weights[f"{layer}.bias"] = rng.uniform(-bound, bound, shape[0]).astype(np.float32)
    return weights


def build_model(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128, 10))


class LibSession:
    """glasstorch or torch: the course loop, one epoch per call."""

    def __init__(self, lib, data, weights, batch: int) -> None:
        self.lib = lib
        self.model = build_model(lib)
        self.model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in weights.items()})
        self.opt = lib.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)
        self.loss_fn = lib.nn.CrossEntropyLoss()
        ds = lib.utils.data.TensorDataset(lib.from_numpy(data[0]), lib.from_numpy(data[1]))
        self.loader = lib.utils.data.DataLoader(ds, batch_size=batch, shuffle=False)

    def epoch(self) -> tuple[float, float]:
        start = time.perf_counter()
        running = 0.0
        for xb, yb in self.loader:
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            running += loss.item()
        return time.perf_counter() - start, running / len(self.loader)


# -- the hand-written NumPy CNN ----------------------------------------------------------------


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """3x3 convolution, padding 1, of channels-last x (N, H, W, C): (out (N, H, W, O), cols)."""
    n, h, wd, c = x.shape
    xp = np.zeros((n, h + 2, wd + 2, c), np.float32)
    xp[:, 1:-1, 1:-1] = x
    cols = sliding_window_view(xp, (3, 3), axis=(1, 2))  # (N, H, W, C, 3, 3)
    cols = cols.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * wd, 9 * c)
    out = cols @ w.T + b  # w as (O, 3 * 3 * C)
    return out.reshape(n, h, wd, -1), cols


def _conv_backward(g: np.ndarray, cols: np.ndarray, w: np.ndarray, need_dx: bool):
    """dW (O, 9C), db, dx (N, H, W, C) for _conv's output gradient g (N, H, W, O)."""
    n, h, wd, o = g.shape
    g2 = g.reshape(-1, o)
    dw, db = g2.T @ cols, g2.sum(0)
    if not need_dx:
        return dw, db, None
    c = w.shape[1] // 9
    dcols = (g2 @ w).reshape(n, h, wd, 3, 3, c)
    dxp = np.zeros((n, h + 2, wd + 2, c), np.float32)
    for i in range(3):
        for j in range(3):
            dxp[:, i:i + h, j:j + wd] += dcols[:, :, :, i, j]
    return dw, db, dxp[:, 1:-1, 1:-1]


def _pool(x: np.ndarray):
    """2x2 max pooling of (N, H, W, C): (out, mask of the first maximum of each window)."""
    n, h, wd, c = x.shape
    win = x.reshape(n, h // 2, 2, wd // 2, 2, c)
    out = win.max(axis=(2, 4))
    mask = np.zeros(win.shape, bool)
    taken = np.zeros(out.shape, bool)
    for i in range(2):  # PyTorch's rule: the first maximum in the window gets the gradient
        for j in range(2):
            first = (win[:, :, i, :, j] == out) & ~taken
            mask[:, :, i, :, j] = first
            taken |= first
    return out, mask


def _unpool(g: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, h, _, wd, _, c = mask.shape
    return (mask * g[:, :, None, :, None]).reshape(n, h * 2, wd * 2, c)


class NumpySession:
    """The same CNN and training loop, fused by hand: no graph, no Tensor, no DataLoader."""

    def __init__(self, data, weights, batch: int) -> None:
        self.x = np.ascontiguousarray(data[0].transpose(0, 2, 3, 1))  # channels last
        self.y, self.batch = data[1], batch
        # conv weights as (O, 3 * 3 * C) in (kernel row, kernel column, channel) order
        self.p = {
            "w1": weights["0.weight"].transpose(0, 2, 3, 1).reshape(16, 9).copy(),
            "b1": weights["0.bias"].copy(),
            "w2": weights["3.weight"].transpose(0, 2, 3, 1).reshape(32, 144).copy(),
            "b2": weights["3.bias"].copy(),
            # Flatten sees (C, H, W): reorder Linear's columns for channels-last features
            "w3": weights["7.weight"].reshape(10, 32, 2, 2).transpose(0, 2, 3, 1)
                                     .reshape(10, 128).copy(),
            "b3": weights["7.bias"].copy(),
        }
        self.buf: dict[str, np.ndarray] = {}

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        p = self.p
        z1, cols1 = _conv(x, p["w1"], p["b1"])
        a1 = np.maximum(z1, 0)
        h1, m1 = _pool(a1)
        z2, cols2 = _conv(h1, p["w2"], p["b2"])
        a2 = np.maximum(z2, 0)
        h2, m2 = _pool(a2)
        f = h2.reshape(len(x), -1)
        logits = f @ p["w3"].T + p["b3"]
        shifted = logits - logits.max(1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(1, keepdims=True)
        rows = np.arange(len(x))
        loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
        d = e / total
        d[rows, y] -= 1
        d *= np.float32(1 / len(x))
        grads = {"w3": d.T @ f, "b3": d.sum(0)}
        g = _unpool((d @ p["w3"]).reshape(h2.shape), m2) * (z2 > 0)
        grads["w2"], grads["b2"], g = _conv_backward(g, cols2, p["w2"], True)
        g = _unpool(g, m1) * (z1 > 0)
        grads["w1"], grads["b1"], _ = _conv_backward(g, cols1, p["w1"], False)
        for k, gk in grads.items():  # SGD with momentum, as PyTorch's (no dampening)
            if k in self.buf:
                self.buf[k] *= MOMENTUM
                self.buf[k] += gk
            else:
                self.buf[k] = gk.astype(np.float32, copy=True)
            p[k] -= np.float32(LR) * self.buf[k]
        return loss

    def epoch(self) -> tuple[float, float]:
        start = time.perf_counter()
        losses = [self.step(self.x[i:i + self.batch], self.y[i:i + self.batch])
                  for i in range(0, len(self.x), self.batch)]
        return time.perf_counter() - start, float(np.mean(losses))


# -- the comparison ------------------------------------------------------------------------------


def run(repeats: int = 5, epochs: int = 3, batch: int = 32, blas_threads: int = 1) -> dict:
    import torch

    import glasstorch

    glasstorch.set_num_threads(blas_threads)  # NumPy's BLAS, for glasstorch and NumPy alike
    torch_threads = torch.get_num_threads()
    data, weights = make_data(), make_weights()

    def session(lib: str):
        if lib == "numpy":
            return NumpySession(data, weights, batch)
        return LibSession(glasstorch if lib == "glasstorch" else torch, data, weights, batch)

    def threads(lib: str) -> None:
        torch.set_num_threads(1 if lib == "torch-1t" else torch_threads)

    for lib in LIBS:  # warm-up
        threads(lib)
        session(lib).epoch()
    times: dict[str, list[float]] = {lib: [] for lib in LIBS}
    losses: dict[str, float] = {}
    turn = 0
    for _ in range(repeats):
        sessions = {lib: session(lib) for lib in LIBS}
        for _ in range(epochs):
            for lib in LIBS[turn % len(LIBS):] + LIBS[:turn % len(LIBS)]:
                threads(lib)
                seconds, losses[lib] = sessions[lib].epoch()
                times[lib].append(seconds)
            turn += 1
    threads("torch")
    med = {lib: statistics.median(v) * 1e3 for lib, v in times.items()}
    return {"ms_per_epoch": med, "min_ms_per_epoch": {k: min(v) * 1e3 for k, v in times.items()},
            "final_loss": losses, "torch_threads": torch_threads, "batch": batch,
            "blas_threads": glasstorch.get_num_threads(),
            "steps": -(-len(data[0]) // batch), "runs": repeats * epochs}


def table(r: dict) -> str:
    med, best, loss = r["ms_per_epoch"], r["min_ms_per_epoch"], r["final_loss"]
    lines = [f"small CNN on digits (1,797 8x8 images, batch {r['batch']}, {r['steps']} steps per "
             f"epoch), median of {r['runs']} epochs per library, torch default threads "
             f"{r['torch_threads']}, NumPy BLAS threads {r['blas_threads']}",
             f"{'library':<12}{'ms/epoch':>10}{'best':>9}{'final loss':>12}",
             *[f"{lib:<12}{med[lib]:>10.1f}{best[lib]:>9.1f}{loss[lib]:>12.5f}" for lib in LIBS],
             f"glass/torch {med['glasstorch'] / med['torch']:.2f}   glass/torch-1t "
             f"{med['glasstorch'] / med['torch-1t']:.2f}   glass/NumPy "
             f"{med['glasstorch'] / med['numpy']:.2f}   (best epochs: "
             f"{best['glasstorch'] / best['torch']:.2f}, "
             f"{best['glasstorch'] / best['torch-1t']:.2f}, "
             f"{best['glasstorch'] / best['numpy']:.2f})"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh models per library")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fresh model")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="NumPy BLAS threads for glasstorch and the NumPy version")
    args = parser.parse_args(argv)
    print(table(run(args.repeats, args.epochs, args.batch, args.blas_threads)))


if __name__ == "__main__":
    main()
