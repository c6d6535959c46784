"""The five course workloads of issue 6, runnable on glasstorch and on PyTorch by the same code.

Every workload is a plain MLP (Linear, ReLU, ..., Linear) trained or evaluated the way course
code does it: a DataLoader over a TensorDataset, ``zero_grad / forward / loss / backward /
step`` and ``running_loss += loss.item()``. The data and the initial weights are made with
NumPy from a fixed seed and copied into each library with ``load_state_dict``, so every library
sees the same model, the same weights and the same batches (``shuffle=False``), and the final
losses can be compared.

This module never imports torch or glasstorch itself: the library is passed in as a module
(``run_library(glasstorch, ...)`` or ``run_library(torch, ...)``), which keeps the memory
benchmark's child processes free of the library they are not measuring.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import ModuleType

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One benchmark case: an MLP, its data, its optimizer and its loss."""

    key: str  # short name used on the command line and in results.json
    title: str  # the row label of the table
    sizes: tuple[int, ...]  # layer widths, input first: (784, 256, 10)
    batch: int
    n: int  # samples in the dataset (ignored for digits, which has 1,797)
    optimizer: str  # "adam", "sgdm" or "eval" (forward only under no_grad)
    loss: str  # "mse" or "ce"
    lr: float

    @property
    def train(self) -> bool:
        return self.optimizer != "eval"


WORKLOADS: list[Workload] = [
    Workload("tiny", "tiny regression 3-8-1, b32, Adam, MSE", (3, 8, 1), 32, 4096,
             "adam", "mse", 1e-2),
    Workload("digits", "digits MLP 64-128-10, b32, SGD+mom, CE", (64, 128, 10), 32, 1797,
             "sgdm", "ce", 5e-2),
    Workload("mnist", "MNIST-sized MLP 784-256-10, b64, SGD+mom, CE", (784, 256, 10), 64, 6000,
             "sgdm", "ce", 5e-2),
    Workload("deep", "deeper MLP 784-512-256-10, b256, Adam, CE", (784, 512, 256, 10), 256,
             6000, "adam", "ce", 1e-3),
    Workload("eval", "evaluation no_grad 784-256-10, b500, CE", (784, 256, 10), 500, 10000,
             "eval", "ce", 0.0),
]
BY_KEY = {w.key: w for w in WORKLOADS}
MOMENTUM = 0.9


def make_data(w: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features (float32) and targets: float32 (N, 1) for regression, int64 (N,) classes."""
    rng = np.random.default_rng(seed)
    if w.key == "digits":
        # The real digits from glasstorch's bundled copy (imported only for this workload),
        # pixels 0..16 scaled to 0..1 as course code does before training.
        from glasstorch.datasets import load_digits

        ds = load_digits()
        x = ds.features.numpy() / np.float32(16.0)
        return x.astype(np.float32), ds.targets.numpy().astype(np.int64)
    if w.loss == "mse":
        x = rng.standard_normal((w.n, w.sizes[0]), dtype=np.float32)
        # a smooth target the 3-8-1 net can learn, plus noise
        y = np.sin(x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3]
        y = y + 0.1 * rng.standard_normal(y.shape, dtype=np.float32)
        return x, y.astype(np.float32)
    # MNIST-shaped: pixel-like values in [0, 1), labels from a fixed random linear teacher
    x = rng.random((w.n, w.sizes[0]), dtype=np.float32)
    teacher = rng.standard_normal((w.sizes[0], w.sizes[-1]), dtype=np.float32)
    # (x - 0.5) @ teacher without an (N, 784) temporary, which would dominate peak memory
    y = np.argmax(x @ teacher - 0.5 * teacher.sum(axis=0), axis=1).astype(np.int64)
    return x, y


def make_weights(w: Workload, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer (weight (out, in), bias (out,)) in float32, uniform(+-1/sqrt(fan_in))."""
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(w.sizes[:-1], w.sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        bias = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        layers.append((weight, bias))
    return layers


def build(lib: ModuleType, w: Workload, weights, data):
    """Model, optimizer, loss function and DataLoader, built in `lib` the course way."""
    nn = lib.nn
    layers: list = []
    for i, (fan_in, fan_out) in enumerate(zip(w.sizes[:-1], w.sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(fan_in, fan_out))
    model = nn.Sequential(*layers)
    state = {}
    for i, (weight, bias) in enumerate(weights):
        state[f"{2 * i}.weight"] = lib.from_numpy(weight.copy())
        state[f"{2 * i}.bias"] = lib.from_numpy(bias.copy())
    model.load_state_dict(state)
    if w.optimizer == "adam":
        opt = lib.optim.Adam(model.parameters(), lr=w.lr)
    elif w.optimizer == "sgdm":
        opt = lib.optim.SGD(model.parameters(), lr=w.lr, momentum=MOMENTUM)
    else:
        opt = None
    loss_fn = nn.MSELoss() if w.loss == "mse" else nn.CrossEntropyLoss()
    x, y = data
    ds = lib.utils.data.TensorDataset(lib.from_numpy(x), lib.from_numpy(y))
    loader = lib.utils.data.DataLoader(ds, batch_size=w.batch, shuffle=False)
    return model, opt, loss_fn, loader


def train_epoch(model, opt, loss_fn, loader) -> float:
    """One epoch of course-style training; the mean of the batch losses."""
    model.train()
    running = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        running += loss.item()
    return running / len(loader)


def eval_epoch(lib: ModuleType, model, loss_fn, loader) -> float:
    """One evaluation pass under no_grad; the mean batch loss (accuracy is computed too)."""
    model.eval()
    running = 0.0
    correct = 0
    with lib.no_grad():
        for xb, yb in loader:
            out = model(xb)
            running += loss_fn(out, yb).item()
            correct += (out.argmax(dim=1) == yb).sum().item()
    return running / len(loader)


class Session:
    """One library's copy of a workload, advanced an epoch at a time (so runs can interleave)."""

    def __init__(self, lib: ModuleType, w: Workload, data, weights) -> None:
        self.lib, self.w = lib, w
        self.model, self.opt, self.loss_fn, self.loader = build(lib, w, weights, data)

    def epoch(self) -> tuple[float, float]:
        """Run one epoch: (seconds, mean batch loss)."""
        start = time.perf_counter()
        if self.w.train:
            loss = train_epoch(self.model, self.opt, self.loss_fn, self.loader)
        else:
            loss = eval_epoch(self.lib, self.model, self.loss_fn, self.loader)
        return time.perf_counter() - start, loss


def run_library(
    lib: ModuleType, w: Workload, data, weights, epochs: int
) -> tuple[list[float], float]:
    """Build the workload in `lib` and run `epochs` epochs: (seconds per epoch, final loss)."""
    session = Session(lib, w, data, weights)
    times = []
    loss = float("nan")
    for _ in range(epochs):
        seconds, loss = session.epoch()
        times.append(seconds)
    return times, loss


def steps_per_epoch(w: Workload, data) -> int:
    n = len(data[0])
    return -(-n // w.batch)
