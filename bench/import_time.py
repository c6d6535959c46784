"""How long `import glasstorch` takes next to `import torch` (and `import numpy`, its floor).

Each measurement is a fresh interpreter that times only the import statement with
``time.perf_counter`` (interpreter start-up is excluded, and reported separately as the wall
time of the whole child). Libraries alternate run by run; the report gives medians.
``python -X importtime`` then breaks the glasstorch import down by module.

    python -m bench.import_time [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from bench import child_env

LIBS = ("glasstorch", "torch", "numpy")
_CHILD = "import time; t = time.perf_counter(); import {lib}; print(time.perf_counter() - t)"




def time_import(lib: str) -> tuple[float, float]:
    """(seconds inside `import lib`, wall seconds of the whole child process)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _CHILD.format(lib=lib)], capture_output=True,
                         text=True, check=True, env=child_env())
    wall = time.perf_counter() - start
    return float(out.stdout.strip()), wall


def _parse_importtime(stderr: str) -> list[tuple[str, int, int, str | None]]:
    """(module, self us, cumulative us, importing module) for each line of -X importtime.

    Lines come in post-order with the name indented two spaces per nesting level, so a
    module's importer is the next line printed one level further out.
    """
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:"):].split("|")
        level = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append([name.strip(), int(self_us), int(cum_us), level, None])
    pending: dict[int, list] = {}  # level -> rows still waiting for their importer
    for row in rows:
        for child in pending.pop(row[3] + 1, []):
            child[4] = row[0]
        pending.setdefault(row[3], []).append(row)
    return [(name, self_us, cum_us, parent) for name, self_us, cum_us, _, parent in rows]


def importtime_breakdown(lib: str = "glasstorch", runs: int = 3, top: int = 12) -> dict:
    """Median self/cumulative microseconds per module from ``-X importtime``.

    ``own``: the `top` modules of `lib` by self time (their cumulative time includes whatever
    they import first, numpy included). ``direct``: modules outside `lib` imported directly by
    one of its modules (numpy, parts of the standard library), by cumulative time: the cost
    of each dependency glasstorch chooses to load.
    """
    samples: dict[str, list[tuple[int, int]]] = {}
    importer: dict[str, str | None] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {lib}"],
                             capture_output=True, text=True, check=True, env=child_env())
        for name, self_us, cum_us, parent in _parse_importtime(out.stderr):
            samples.setdefault(name, []).append((self_us, cum_us))
            importer[name] = parent
    med = {name: (statistics.median(c for _, c in v), statistics.median(s for s, _ in v))
           for name, v in samples.items()}

    def ours(name: str | None) -> bool:
        return name is not None and name.split(".")[0] == lib

    own = sorted(((n, c, s) for n, (c, s) in med.items() if ours(n)), key=lambda r: -r[2])[:top]
    direct = sorted(((n, c, s, importer[n]) for n, (c, s) in med.items()
                     if not ours(n) and ours(importer.get(n))), key=lambda r: -r[1])[:top]
    return {"own": own, "direct": direct, "total_us": med.get(lib, (0, 0))[0]}


def measure(runs: int = 7, breakdown: bool = True) -> dict:
    """Median import and child wall times for each library, alternating, plus the breakdown."""
    times: dict[str, list[float]] = {lib: [] for lib in LIBS}
    walls: dict[str, list[float]] = {lib: [] for lib in LIBS}
    for r in range(runs):
        order = LIBS[r % len(LIBS):] + LIBS[:r % len(LIBS)]
        for lib in order:
            t, wall = time_import(lib)
            times[lib].append(t)
            walls[lib].append(wall)
    result = {
        "runs": runs,
        "import_s": {lib: statistics.median(v) for lib, v in times.items()},
        "child_wall_s": {lib: statistics.median(v) for lib, v in walls.items()},
        "all_import_s": times,
    }
    if breakdown:
        result["breakdown"] = importtime_breakdown()
    return result


def markdown(res: dict) -> str:
    imp, wall = res["import_s"], res["child_wall_s"]
    ratio = imp["glasstorch"] / imp["torch"]
    lines = [
        f"Import time, median of {res['runs']} fresh interpreters each (alternating):",
        "",
        "| library | `import` (s) | whole `python -c 'import ...'` (s) |",
        "|---|---:|---:|",
    ]
    for lib in LIBS:
        lines.append(f"| {lib} | {imp[lib]:.3f} | {wall[lib]:.3f} |")
    lines.append("")
    lines.append(f"glasstorch/torch import ratio: **{ratio:.2f}** (glasstorch minus numpy: "
                 f"{imp['glasstorch'] - imp['numpy']:.3f} s)")
    if "breakdown" in res:
        b = res["breakdown"]
        lines += ["", f"`python -X importtime -c 'import glasstorch'` (median of 3; total "
                  f"{b['total_us'] / 1e3:.0f} ms, slower than above because of the "
                  "instrumentation). glasstorch modules by self time:", "",
                  "| module | self (ms) | cumulative (ms) |", "|---|---:|---:|"]
        for name, cum, self_ in b["own"]:
            lines.append(f"| `{name}` | {self_ / 1e3:.1f} | {cum / 1e3:.1f} |")
        lines += ["", "Modules from outside glasstorch that it imports directly, by cumulative "
                  "time:", "", "| module | cumulative (ms) | imported by |", "|---|---:|---|"]
        for name, cum, _self, parent in b["direct"]:
            lines.append(f"| `{name}` | {cum / 1e3:.1f} | `{parent}` |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(markdown(measure(args.runs)))


if __name__ == "__main__":
    main()
