"""Per-op overhead: a small-tensor op in glasstorch, PyTorch and bare NumPy (issue 2).

    python bench/bench_ops.py

For each op, the median time of one call on 10-element float32 tensors, with and without
autograd recording, and the ratios glasstorch/NumPy and glasstorch/torch. Timings alternate
between the libraries within one run (absolute numbers are noisy on shared machines).
"""

from __future__ import annotations

import statistics
import timeit

import numpy as np

OPS = {
    "add": (lambda lib, a, b: a + b, lambda a, b: a + b),
    "mul": (lambda lib, a, b: a * b, lambda a, b: a * b),
    "exp": (lambda lib, a, b: a.exp(), lambda a, b: np.exp(a)),
    "relu": (lambda lib, a, b: a.relu(), lambda a, b: np.maximum(a, 0)),
    "sum": (lambda lib, a, b: a.sum(), lambda a, b: a.sum()),
    "matmul": (lambda lib, a, b: a @ b, lambda a, b: a @ b),
    "view": (lambda lib, a, b: a.view(2, 5), lambda a, b: a.reshape(2, 5)),
    "getitem": (lambda lib, a, b: a[1:3], lambda a, b: a[1:3]),
}


def _time(fn, number=2000, repeat=7) -> float:
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    import torch

    import glasstorch

    rng = np.random.default_rng(0)
    a_np = rng.standard_normal(10).astype(np.float32)
    b_np = rng.standard_normal(10).astype(np.float32)
    rows = []
    for name, (op, np_op) in OPS.items():
        bb = b_np if name != "matmul" else b_np.copy()
        res = {}
        for grad in (False, True):
            ga = glasstorch.tensor(a_np, requires_grad=grad)
            gb = glasstorch.tensor(bb)
            ta = torch.tensor(a_np, requires_grad=grad)
            tb = torch.tensor(bb)
            times = {"glasstorch": [], "torch": [], "numpy": []}
            for _ in range(3):  # alternate the libraries
                times["glasstorch"].append(_time(lambda: op(glasstorch, ga, gb)))  # noqa: B023
                times["torch"].append(_time(lambda: op(torch, ta, tb)))  # noqa: B023
                times["numpy"].append(_time(lambda: np_op(a_np, bb)))  # noqa: B023
            res[grad] = {k: statistics.median(v) for k, v in times.items()}
        rows.append((name, res))
    print(f"{'op':<9}{'grad':<6}{'numpy us':>10}{'glass us':>10}{'torch us':>10}"
          f"{'glass/np':>10}{'glass/torch':>13}")
    for name, res in rows:
        for grad, t in res.items():
            print(f"{name:<9}{str(grad):<6}{t['numpy']:>10.2f}{t['glasstorch']:>10.2f}"
                  f"{t['torch']:>10.2f}{t['glasstorch'] / t['numpy']:>10.1f}"
                  f"{t['glasstorch'] / t['torch']:>13.2f}")


if __name__ == "__main__":
    main()
