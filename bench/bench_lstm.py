"""An LSTM training step: glasstorch, PyTorch on the CPU and the same model by hand in NumPy.

    python -m bench.bench_lstm                 # every library with its default threads
    python -m bench.bench_lstm --one-thread    # one BLAS / intra-op thread everywhere
    python -m bench.bench_lstm --steps 10 --repeats 3
    python -m bench.bench_lstm --composite     # also glasstorch's LSTM built cell by cell
    python -m bench.bench_lstm --blas-threads 1  # glasstorch and NumPy on one BLAS thread,
                                                 # torch with its default threads and with one

The model is a character-level language model at course size: Embedding(30, 32) ->
LSTM(32, 64, batch_first=True) -> Linear(64, 30), cross-entropy over every position of a
(32, 32) batch of token ids, plain SGD. Every library starts from the same NumPy weights and
trains on the same batches; runs of ``--steps`` steps alternate between the libraries, the
order rotating every repeat so that load from elsewhere hits them alike. Printed: the median
ms per training step of each library, the ratios, and the final losses (which must agree to
float32 rounding).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/bench_lstm.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

VOCAB, EMB, HIDDEN, SEQ, BATCH, LR = 30, 32, 64, 32, 32, 0.1
LIBS = ("glasstorch", "torch", "torch-1t", "numpy")


def make_weights(seed: int = 0) -> dict:
    """PyTorch's initial distributions, drawn with NumPy (the same for every library)."""
    rng = np.random.default_rng(seed)
    k = 1 / np.sqrt(HIDDEN)

    def u(shape, bound):
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    return {
        "emb": rng.standard_normal((VOCAB, EMB)).astype(np.float32),
        "w_ih": u((4 * HIDDEN, EMB), k), "w_hh": u((4 * HIDDEN, HIDDEN), k),
        "b_ih": u((4 * HIDDEN,), k), "b_hh": u((4 * HIDDEN,), k),
        "w_out": u((VOCAB, HIDDEN), 1 / np.sqrt(HIDDEN)), "b_out": u((VOCAB,), 1 / np.sqrt(HIDDEN)),
    }


def make_batches(n: int, seed: int = 1) -> list:
    """(inputs, targets) pairs: targets are the inputs shifted by one, as in a language model."""
    rng = np.random.default_rng(seed)
    text = rng.integers(0, VOCAB, n * BATCH * (SEQ + 1))
    rows = text.reshape(n, BATCH, SEQ + 1)
    return [(r[:, :-1].copy(), r[:, 1:].copy()) for r in rows]


# -- glasstorch and torch: the same code -------------------------------------------------------


class LibSession:
    def __init__(self, lib, weights: dict, batches: list, composite: bool = False) -> None:
        nn = lib.nn
        self.lib = lib

        class CharLSTM(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(VOCAB, EMB)
                self.lstm = nn.LSTM(EMB, HIDDEN, batch_first=True)
                self.head = nn.Linear(HIDDEN, VOCAB)

            def forward(self, x):
                out, _ = self.lstm(self.emb(x))
                return self.head(out)

        self.model = CharLSTM()
        state = {"emb.weight": weights["emb"], "lstm.weight_ih_l0": weights["w_ih"],
                 "lstm.weight_hh_l0": weights["w_hh"], "lstm.bias_ih_l0": weights["b_ih"],
                 "lstm.bias_hh_l0": weights["b_hh"], "head.weight": weights["w_out"],
                 "head.bias": weights["b_out"]}
        self.model.load_state_dict({k: lib.tensor(v.copy()) for k, v in state.items()})
        self.opt = lib.optim.SGD(self.model.parameters(), lr=LR)
        self.batches = [(lib.tensor(x), lib.tensor(y)) for x, y in batches]
        self.loss = float("nan")
        self.composite = composite

    def steps(self, n: int, start: int) -> list:
        if self.composite:  # glasstorch without its fused node: the cells, step by step
            from glasstorch.nn import _checks

            fused, _checks.lstm_fused = _checks.lstm_fused, lambda *args: False
            try:
                return self._steps(n, start)
            finally:
                _checks.lstm_fused = fused
        return self._steps(n, start)

    def _steps(self, n: int, start: int) -> list:
        times = []
        F = self.lib.nn.functional
        for i in range(n):
            x, y = self.batches[(start + i) % len(self.batches)]
            t0 = time.perf_counter()
            self.opt.zero_grad()
            logits = self.model(x)
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1))
            loss.backward()
            self.opt.step()
            self.loss = loss.item()
            times.append(time.perf_counter() - t0)
        return times


# -- the same model written out by hand in NumPy -----------------------------------------------


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * a) + 0.5


class NumpySession:
    """Forward, backpropagation through time and SGD written out in NumPy (float32)."""

    def __init__(self, weights: dict, batches: list) -> None:
        self.p = {k: v.copy() for k, v in weights.items()}
        self.batches = batches
        self.loss = float("nan")

    def step(self, x: np.ndarray, y: np.ndarray) -> None:
        p, H = self.p, HIDDEN
        B, T = x.shape
        e = p["emb"][x]                                        # (B, T, E)
        xw = e @ p["w_ih"].T + (p["b_ih"] + p["b_hh"])         # (B, T, 4H)
        h, c = np.zeros((B, H), np.float32), np.zeros((B, H), np.float32)
        hs = np.empty((B, T, H), np.float32)
        gates = np.empty((T, B, 4 * H), np.float32)
        cs = np.empty((T + 1, B, H), np.float32)
        cs[0] = c
        for t in range(T):
            a = xw[:, t] + h @ p["w_hh"].T
            i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 3 * H:])
            g = np.tanh(a[:, 2 * H:3 * H])
            c = f * c + i * g
            h = o * np.tanh(c)
            gates[t] = np.concatenate([i, f, g, o], axis=1)
            cs[t + 1] = c
            hs[:, t] = h
        logits = hs.reshape(B * T, H) @ p["w_out"].T + p["b_out"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        ex = np.exp(shifted)
        total = ex.sum(axis=1, keepdims=True)
        rows, yy = np.arange(B * T), y.reshape(-1)
        self.loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, yy]))
        dlogits = ex / total
        dlogits[rows, yy] -= 1
        dlogits *= np.float32(1 / (B * T))
        grads = {"w_out": dlogits.T @ hs.reshape(B * T, H), "b_out": dlogits.sum(0)}
        dhs = (dlogits @ p["w_out"]).reshape(B, T, H)
        dgates = np.empty((T, B, 4 * H), np.float32)
        dh, dc = np.zeros((B, H), np.float32), np.zeros((B, H), np.float32)
        for t in range(T - 1, -1, -1):
            i, f, g, o = (gates[t][:, k * H:(k + 1) * H] for k in range(4))
            tc = np.tanh(cs[t + 1])
            dh = dh + dhs[:, t]
            dc = dc + dh * o * (1 - tc * tc)
            dgates[t] = np.concatenate([dc * g * i * (1 - i), dc * cs[t] * f * (1 - f),
                                        dc * i * (1 - g * g), dh * tc * o * (1 - o)], axis=1)
            dc = dc * f
            dh = dgates[t] @ p["w_hh"]
        flat = dgates.transpose(1, 0, 2).reshape(B * T, 4 * H)   # (B, T) order, as e and hs
        h_prev = np.concatenate([np.zeros((B, 1, H), np.float32), hs[:, :-1]], axis=1)
        grads["w_ih"] = flat.T @ e.reshape(B * T, -1)
        grads["w_hh"] = flat.T @ h_prev.reshape(B * T, H)
        grads["b_ih"] = grads["b_hh"] = flat.sum(0)
        de = flat @ p["w_ih"]
        grads["emb"] = np.zeros_like(p["emb"])
        np.add.at(grads["emb"], x.reshape(-1), de)
        for k, gr in grads.items():
            p[k] -= np.float32(LR) * gr

    def steps(self, n: int, start: int) -> list:
        times = []
        for i in range(n):
            x, y = self.batches[(start + i) % len(self.batches)]
            t0 = time.perf_counter()
            self.step(x, y)
            times.append(time.perf_counter() - t0)
        return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="training steps per run")
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs per library")
    parser.add_argument("--composite", action="store_true",
                        help="also time glasstorch with the LSTM built from per-step cells")
    parser.add_argument("--one-thread", action="store_true",
                        help="one BLAS thread for glasstorch and NumPy, one thread for torch")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="NumPy BLAS threads for glasstorch and NumPy (torch untouched)")
    args = parser.parse_args(argv)

    import torch

    import glasstorch

    if args.blas_threads is not None:
        glasstorch.set_num_threads(args.blas_threads)
    if args.one_thread:
        glasstorch.set_num_threads(1)  # NumPy's BLAS, so the NumPy baseline's too
        torch.set_num_threads(1)
    torch_threads = torch.get_num_threads()
    weights, batches = make_weights(), make_batches(8)
    sessions = {"glasstorch": LibSession(glasstorch, weights, batches),
                "torch": LibSession(torch, weights, batches),
                "numpy": NumpySession(weights, batches)}
    sessions["torch-1t"] = sessions["torch"]
    libs = LIBS
    if args.composite:
        sessions["composite"] = LibSession(glasstorch, weights, batches, composite=True)
        libs = (*LIBS, "composite")
    times: dict[str, list[float]] = {lib: [] for lib in libs}
    done = dict.fromkeys(libs, 0)
    for lib in libs:  # warm-up: first calls, BLAS threads, page faults (not timed)
        torch.set_num_threads(1 if lib == "torch-1t" else torch_threads)
        sessions[lib].steps(2, done[lib])
        done[lib] += 2
    for r in range(args.repeats):
        order = libs[r % len(libs):] + libs[:r % len(libs)]
        for lib in order:
            torch.set_num_threads(1 if lib == "torch-1t" else torch_threads)
            times[lib] += sessions[lib].steps(args.steps, done[lib])
            done[lib] += args.steps
    torch.set_num_threads(torch_threads)
    med = {lib: statistics.median(t) * 1e3 for lib, t in times.items()}
    import os

    print(f"LSTM training step (Embedding({VOCAB}, {EMB}) -> LSTM({EMB}, {HIDDEN}) -> "
          f"Linear({HIDDEN}, {VOCAB}), batch {BATCH}, seq {SEQ}, SGD): median ms per step over "
          f"{args.repeats} x {args.steps} steps; torch {torch_threads} thread(s)"
          f"; NumPy BLAS {glasstorch.get_num_threads()} thread(s); load average "
          f"{os.getloadavg()[0]:.1f}")
    for lib in libs:
        print(f"  {lib:<11}{med[lib]:>8.2f} ms")
    print(f"  glasstorch/torch     {med['glasstorch'] / med['torch']:.2f}")
    if args.composite:
        print(f"  composite/fused      {med['composite'] / med['glasstorch']:.2f}")
    print(f"  glasstorch/torch-1t  {med['glasstorch'] / med['torch-1t']:.2f}")
    print(f"  glasstorch/numpy     {med['glasstorch'] / med['numpy']:.2f}")
    # glasstorch and NumPy trained the same batches from the same weights as a fresh torch
    # model trained for as many steps (torch and torch-1t above share one model)
    ref = LibSession(torch, weights, batches)
    ref.steps(done["glasstorch"], 0)
    print(f"  loss after {done['glasstorch']} steps: torch {ref.loss:.6f}, glasstorch "
          f"{sessions['glasstorch'].loss:.6f}, numpy {sessions['numpy'].loss:.6f}")


if __name__ == "__main__":
    main()
