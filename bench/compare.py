"""``python -m bench.compare REF``: glasstorch at git REF against the working tree, in one run.

Two versions of glasstorch cannot share one interpreter, so each measurement is a fresh
subprocess that imports glasstorch from one version's directory (REF is checked out with
``git worktree`` into a temporary folder) and the benchmark code from this one, then times a
few epochs of every workload for glasstorch and for PyTorch. The subprocesses alternate
between the two versions round by round, so load from elsewhere on the machine hits both
alike, and every glasstorch time is also divided by the PyTorch time measured beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# what one subprocess runs: argv = [version_dir, workload keys, epochs, threads]
_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1]); import glasstorch; sys.path.pop(0)
sys.path.insert(0, {root!r})
import torch
torch.set_num_threads(int(sys.argv[4]))
from bench import workloads as W
out = {{}}
for key in sys.argv[2].split(","):
    w = W.BY_KEY[key]
    data, weights = W.make_data(w), W.make_weights(w)
    row = {{}}
    for name, lib in (("glasstorch", glasstorch), ("torch", torch)):
        W.run_library(lib, w, data, weights, 1)  # warm-up
        times, _ = W.run_library(lib, w, data, weights, int(sys.argv[3]))
        row[name] = min(times) * 1e3
    out[key] = row
print(json.dumps(out))
"""


def measure(version_dir: str, keys: list[str], epochs: int, threads: int) -> dict:
    """One subprocess: {workload: {"glasstorch": ms, "torch": ms}} (best epoch of `epochs`)."""
    code = _CHILD.format(root=str(ROOT))
    # the same number of BLAS/OpenMP threads for both libraries (NumPy's BLAS reads these)
    env = {**os.environ, **{v: str(threads) for v in
                           ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}
    done = subprocess.run([sys.executable, "-c", code, version_dir, ",".join(keys), str(epochs),
                           str(threads)], capture_output=True, text=True, check=True,
                          cwd=tempfile.gettempdir(), env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    from bench import workloads as W

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the git commit to compare against (the 'before')")
    parser.add_argument("--rounds", type=int, default=5, help="subprocesses per version")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per subprocess")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for both libraries (1: steadier on a busy "
                        "machine, and what the glasstorch command uses)")
    parser.add_argument("--only", nargs="+", default=[w.key for w in W.WORKLOADS])
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        before = str(Path(tmp) / "before")
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", before,
                        args.ref], check=True)
        try:
            runs: dict[str, list[dict]] = {"before": [], "after": []}
            for _ in range(args.rounds):
                for name, path in (("before", before), ("after", str(ROOT))):
                    runs[name].append(measure(path, args.only, args.epochs, args.threads))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", before],
                           check=False)

    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    print(f"glasstorch before = {args.ref}, after = {head} (working tree); median over "
          f"{args.rounds} alternating subprocesses of the best of {args.epochs} epochs, "
          f"{args.threads} thread(s)\n")
    print("| workload | before ms | after ms | after/before | glass/torch before "
          "| glass/torch after | change of the ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key in args.only:
        row = {}
        for name, rs in runs.items():
            row[name] = statistics.median(r[key]["glasstorch"] for r in rs)
            row[name + "_ratio"] = statistics.median(
                r[key]["glasstorch"] / r[key]["torch"] for r in rs)
        change = row["after_ratio"] / row["before_ratio"] - 1
        print(f"| {key} | {row['before']:.1f} | {row['after']:.1f} | "
              f"{row['after'] / row['before']:.2f} | {row['before_ratio']:.2f} | "
              f"{row['after_ratio']:.2f} | {change:+.0%} |")


if __name__ == "__main__":
    main()
