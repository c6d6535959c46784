"""Batches per second: glasstorch's DataLoader vs torch's over the same TensorDataset.

An MNIST-sized dataset (60,000 x 784 float32 features, int64 labels), one full epoch per
run, batch sizes 32 and 256, with and without shuffle, no workers (the common course setup).
glasstorch and torch runs alternate so drifts in machine load hit both; the report gives the
median of each and the ratio (> 1: glasstorch is faster).

    /work/venv/bin/python bench/bench_dataloader.py [--n 60000] [--features 784] [--repeats 5]

This is a measurement, not a test: nothing asserts on the numbers.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.utils.data as tud

import glasstorch
import glasstorch.utils.data as gud


def epoch_rate(loader) -> float:
    """Batches per second over one full pass (touching each batch so nothing is lazy)."""
    start = time.perf_counter()
    count = 0
    rows = 0
    for x, _y in loader:
        count += 1
        rows += x.shape[0]
    elapsed = time.perf_counter() - start
    assert rows == len(loader.dataset) or loader.drop_last
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.n, args.features), dtype=np.float32)
    y = rng.integers(0, 10, args.n)
    t_ds = tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    g_ds = gud.TensorDataset(glasstorch.from_numpy(x), glasstorch.from_numpy(y))

    print(f"TensorDataset {args.n} x {args.features} float32 + int64 labels, "
          f"{args.repeats} epochs each, torch {torch.__version__}, torch threads "
          f"{torch.get_num_threads()}")
    print(f"{'batch':>5} {'shuffle':>7} {'torch batch/s':>14} {'glasstorch batch/s':>19} "
          f"{'ratio':>6}")
    for batch_size in (32, 256):
        for shuffle in (False, True):
            torch.manual_seed(0)
            glasstorch.manual_seed(0)
            t_loader = tud.DataLoader(t_ds, batch_size=batch_size, shuffle=shuffle)
            g_loader = gud.DataLoader(g_ds, batch_size=batch_size, shuffle=shuffle)
            epoch_rate(t_loader)  # warm-up
            epoch_rate(g_loader)
            t_rates, g_rates = [], []
            for _ in range(args.repeats):
                t_rates.append(epoch_rate(t_loader))
                g_rates.append(epoch_rate(g_loader))
            t_med, g_med = statistics.median(t_rates), statistics.median(g_rates)
            print(f"{batch_size:>5} {str(shuffle):>7} {t_med:>14,.0f} {g_med:>19,.0f} "
                  f"{g_med / t_med:>6.1f}x")


if __name__ == "__main__":
    main()
