"""Peak resident memory of a training process: glasstorch, torch and the fused NumPy baseline.

Each library trains the same workload (default: the MNIST-sized MLP) in its own fresh child
process that imports only what it measures; the child reports its own high-water mark
(``VmHWM`` from /proc/self/status, falling back to ``ru_maxrss``). The parent also reads
``getrusage(RUSAGE_CHILDREN)`` as a cross-check. A child that only imports numpy and makes the
data gives the floor every library shares.

    python -m bench.memory [--workload mnist] [--epochs 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

from bench import child_env

KINDS = ("glasstorch", "torch", "numpy", "floor")


def _peak_kb() -> int:
    """This process's peak RSS in KiB."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(kind: str, workload: str, epochs: int) -> None:
    """Run inside the child: train and print the peak RSS as JSON."""
    from bench import workloads as W

    w = W.BY_KEY[workload]
    data = W.make_data(w)
    weights = W.make_weights(w)
    loss = None
    if kind == "floor":
        pass
    elif kind == "numpy":
        from bench.numpy_baseline import run_numpy

        _, loss = run_numpy(w, data, weights, epochs)
    else:
        lib = __import__(kind)
        _, loss = W.run_library(lib, w, data, weights, epochs)
    print(json.dumps({"kind": kind, "peak_kb": _peak_kb(), "loss": loss,
                      "modules_torch": "torch" in sys.modules,
                      "modules_glasstorch": "glasstorch" in sys.modules}))




def measure(workload: str = "mnist", epochs: int = 2) -> dict:
    """Peak RSS (MiB) of each kind of training child."""
    result: dict = {"workload": workload, "epochs": epochs, "peak_mib": {}, "rusage_mib": {}}
    for kind in KINDS:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run([sys.executable, "-m", "bench.memory", "--child", kind,
                              "--workload", workload, "--epochs", str(epochs)],
                             capture_output=True, text=True, check=True, env=child_env())
        report = json.loads(out.stdout.strip().splitlines()[-1])
        assert not (kind == "glasstorch" and report["modules_torch"]), "torch leaked in"
        assert not (kind == "torch" and report["modules_glasstorch"]), "glasstorch leaked in"
        result["peak_mib"][kind] = report["peak_kb"] / 1024
        # RUSAGE_CHILDREN holds the largest child so far: only meaningful when it grew.
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result["rusage_mib"][kind] = after / 1024 if after > before else None
    peaks = result["peak_mib"]
    result["ratio_glasstorch_torch"] = peaks["glasstorch"] / peaks["torch"]
    return result


def markdown(res: dict) -> str:
    p = res["peak_mib"]
    lines = [
        f"Peak RSS of a process training `{res['workload']}` for {res['epochs']} epochs "
        "(VmHWM, one fresh process each):",
        "",
        "| process | peak RSS (MiB) |",
        "|---|---:|",
        f"| glasstorch | {p['glasstorch']:.1f} |",
        f"| torch | {p['torch']:.1f} |",
        f"| fused NumPy baseline | {p['numpy']:.1f} |",
        f"| floor: python + numpy + the data, no training | {p['floor']:.1f} |",
        "",
        f"glasstorch/torch peak RSS: **{res['ratio_glasstorch_torch']:.2f}**",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=KINDS)
    parser.add_argument("--workload", default="mnist")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workload, args.epochs)
    else:
        print(markdown(measure(args.workload, args.epochs)))


if __name__ == "__main__":
    main()
