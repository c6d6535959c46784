"""``glasstorch lab``: run a small experiment that makes one concept of the course visible.

Each lab lives in :mod:`glasstorch.labs`; this module only parses the command line, runs the
lab, saves its numeric summary as JSON next to its plots and says where everything went.
"""

from __future__ import annotations

import json
import math
import os
import time


def register(sub) -> None:
    from glasstorch import labs

    names = labs.available()
    p = sub.add_parser(
        "lab",
        help="run an experiment that shows a concept with numbers and plots",
        description="Run a lab: a small experiment, written with glasstorch the way a PyTorch "
        "user would write it, that makes one concept visible. It prints a short numeric "
        "summary and writes PNG plots (and summary.json) into the output folder. Every lab "
        "finishes in a few seconds on a laptop. Labs: " + ", ".join(names) + ".",
    )
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="which lab to run (one of: " + ", ".join(names) + "); case, '_' for "
                   "'-' and short aliases such as 'lr' are accepted")
    p.add_argument("--list", action="store_true",
                   help="list the labs with one line on what each shows, then exit")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="folder for the PNG plots and summary.json (default: runs/labs/NAME)")
    p.add_argument("--seed", type=int, default=0,
                   help="random seed for data splits, initial weights and shuffling: the same "
                   "seed gives the same numbers and pictures (default: 0)")
    p.add_argument("--quick", action="store_true",
                   help="smaller data and fewer steps (for tests and slow machines); the "
                   "picture is the same, the numbers are noisier (off by default)")
    p.set_defaults(run=run)


def run(args) -> int:
    from glasstorch import labs

    if args.list or args.name is None:
        print("labs (run one with: glasstorch lab NAME):")
        width = max(len(n) for n in labs.available())
        for name in labs.available():
            print(f"  {name.ljust(width)}  {labs.describe(name)}")
        if args.name is None and not args.list:
            print("\nno lab given; pick one of the names above")
            return 2
        return 0
    try:
        module = labs.get(args.name)
    except KeyError as e:
        print(f"glasstorch lab: {e.args[0]}")
        return 2
    name = next(n for n in labs.available() if labs.LABS[n] == module.__name__.rsplit(".")[-1])
    out_dir = args.out or os.path.join("runs", "labs", name)
    os.makedirs(out_dir, exist_ok=True)
    print(f"lab {name}: {labs.describe(name)}")
    print()
    start = time.perf_counter()
    result = module.run(out_dir, seed=args.seed, quick=args.quick)
    elapsed = time.perf_counter() - start
    summary_path = os.path.join(out_dir, "summary.json")
    with open(summary_path, "w") as f:
        json.dump(_strict(result["summary"]), f, indent=1, default=_jsonable)
    print()
    print(f"finished in {elapsed:.1f} s")
    for path in result["plots"]:
        print(f"plot: {path}")
    print(f"summary: {summary_path}")
    return 0


def _strict(value):
    """Non-finite floats as the strings "inf", "-inf", "nan": strict JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def _jsonable(value):
    # numpy scalars and arrays that slipped into a summary
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
