"""Momentum: where SGD rolls to, and how fast, with different momentum values.

Two landscapes, one real optimizer: a single ``nn.Parameter`` is moved by
``glasstorch.optim.SGD(lr=..., momentum=m)`` with the gradient from ``loss.backward()``.

1. f(x) = x^4 + x^3 - 5x^2 has a local minimum at x = 1.25 (f = -3.42) and the global one at
   x = -2 (f = -12), with a hill at x = 0 between them. From x = 2.5 plain SGD stops in the
   nearer, local valley; with enough momentum the velocity carries it over the hill into the
   global one; with too much it overshoots that too and may come back.
2. f(w) = (w0^2 + 50 w1^2) / 2, a long narrow valley: plain SGD zig-zags across the steep
   direction and crawls along the flat one; momentum averages the zig-zag away and speeds up
   the crawl, until too much momentum makes it circle the minimum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.labs._common import pyplot, save, table

LOCAL_MIN, GLOBAL_MIN = 1.25, -2.0


def quartic(x: Any) -> Any:
    """f(x) = x^4 + x^3 - 5x^2, for glasstorch tensors and NumPy arrays alike."""
    return x**4 + x**3 - 5 * x**2


def valley(w: Any) -> Any:
    """f(w) = (w0^2 + 50 w1^2) / 2: curvature 1 along w0, 50 along w1."""
    return 0.5 * (w[0] ** 2 + 50 * w[1] ** 2)


def descend(f, start: list[float], lr: float, momentum: float, steps: int) -> np.ndarray:
    """Positions visited by SGD with momentum minimising ``f`` from ``start`` (row 0: start)."""
    p = nn.Parameter(torch.tensor(start))
    optimizer = torch.optim.SGD([p], lr=lr, momentum=momentum)
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        f(p).sum().backward()
        optimizer.step()
        path.append(p.detach().numpy().copy())
    return np.array(path, dtype=float)


def settled_step(values: np.ndarray, target: float | np.ndarray, tol: float) -> int | None:
    """First step from which the path stays within ``tol`` of ``target`` (None: never)."""
    dist = np.abs(values - target) if values.ndim == 1 else np.linalg.norm(values - target, axis=1)
    outside = np.nonzero(dist >= tol)[0]
    if len(outside) == 0:
        return 0
    return None if outside[-1] == len(values) - 1 else int(outside[-1] + 1)


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    torch.manual_seed(seed)  # nothing random here; kept for a uniform interface
    lr_1d, start_1d, steps_1d = 0.01, 2.5, 300
    momenta_1d = [0.0, 0.5, 0.8, 0.9, 0.95]
    paths_1d = {m: descend(quartic, [start_1d], lr_1d, m, steps_1d)[:, 0] for m in momenta_1d}

    summary: dict[str, Any] = {"quartic": {"lr": lr_1d, "start": start_1d, "steps": steps_1d,
                                           "runs": {}}}
    rows = []
    for m, xs in paths_1d.items():
        final = float(xs[-1])
        which = ("global" if abs(final - GLOBAL_MIN) < 1e-2 else
                 "local" if abs(final - LOCAL_MIN) < 1e-2 else "none")
        settled = settled_step(xs, GLOBAL_MIN if which == "global" else LOCAL_MIN, 1e-3)
        summary["quartic"]["runs"][str(m)] = {
            "final_x": final, "final_f": float(quartic(final)), "minimum": which,
            "steps_to_converge": settled if which != "none" else None,
            "leftmost_x": float(xs.min())}
        rows.append([m, final, float(quartic(final)), which, settled, float(xs.min())])
    summary["quartic"]["momenta_reaching_global"] = [
        float(m) for m, r in summary["quartic"]["runs"].items() if r["minimum"] == "global"]
    print(f"f(x) = x^4 + x^3 - 5x^2 from x = {start_1d}, SGD lr={lr_1d}, {steps_1d} steps "
          f"(local minimum x = {LOCAL_MIN}, global x = {GLOBAL_MIN})")
    print(table(["momentum", "final x", "f(final x)", "minimum", "steps to converge",
                 "leftmost x"], rows))

    lr_2d, start_2d, steps_2d = 0.035, [-8.0, 1.0], 250
    momenta_2d = [0.0, 0.5, 0.7, 0.9]
    paths_2d = {m: descend(valley, start_2d, lr_2d, m, steps_2d) for m in momenta_2d}
    summary["valley"] = {"lr": lr_2d, "start": start_2d, "steps": steps_2d, "runs": {}}
    rows = []
    for m, ws in paths_2d.items():
        losses = 0.5 * (ws[:, 0] ** 2 + 50 * ws[:, 1] ** 2)
        below = np.nonzero(losses < 1e-4)[0]
        reach = int(below[0]) if len(below) else None
        summary["valley"]["runs"][str(m)] = {"steps_to_loss_below_1e-4": reach,
                                             "final_loss": float(losses[-1]),
                                             "final_w": ws[-1].tolist()}
        rows.append([m, reach, float(losses[-1])])
    print()
    print(f"f(w) = (w0^2 + 50 w1^2)/2 from w = {start_2d}, SGD lr={lr_2d}, {steps_2d} steps")
    print(table(["momentum", "steps to f < 1e-4", "final f"], rows))
    best = min((r["steps_to_loss_below_1e-4"] or 10**9, float(m))
               for m, r in summary["valley"]["runs"].items())
    summary["valley"]["fastest_momentum"] = best[1]
    print(f"\nfastest in the valley: momentum {best[1]}; momentum reaching the global minimum "
          f"of the quartic: {summary['quartic']['momenta_reaching_global']}")

    plt = pyplot()
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(momenta_1d)))
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 4.8))
    grid = np.linspace(-3.2, 2.8, 400)
    a.plot(grid, quartic(grid), color="black", lw=1.5)
    for (m, xs), c in zip(paths_1d.items(), colors):
        a.plot(xs, quartic(xs), "o", ms=2.5, color=c, alpha=0.6)
        a.plot([xs[-1]], [quartic(xs[-1])], "*", ms=16, color=c, mec="black",
               label=f"momentum {m}: ends at x = {xs[-1]:.2f}")
    a.plot([start_1d], [quartic(start_1d)], "s", color="red", ms=8, label="start")
    a.set_ylim(-14, 12)
    a.set_xlabel("x")
    a.set_ylabel("f(x)")
    a.set_title("f(x) = x^4 + x^3 - 5x^2: visited points and end points")
    a.legend(fontsize=8, loc="upper center")
    for (m, xs), c in zip(paths_1d.items(), colors):
        b.plot(xs, color=c, lw=1.5, label=f"momentum {m}")
    b.axhline(LOCAL_MIN, color="0.5", ls=":")
    b.axhline(GLOBAL_MIN, color="0.5", ls="--")
    b.text(steps_1d, LOCAL_MIN, " local", va="center")
    b.text(steps_1d, GLOBAL_MIN, " global", va="center")
    b.set_xlabel("step")
    b.set_ylabel("x")
    b.set_title("x over the steps")
    b.legend(fontsize=8)
    plots = [save(fig, out_dir, "momentum_quartic.png")]

    fig, ax = plt.subplots(figsize=(11, 5))
    w0, w1 = np.meshgrid(np.linspace(-9, 3, 300), np.linspace(-1.6, 1.6, 200))
    ax.contour(w0, w1, 0.5 * (w0**2 + 50 * w1**2), levels=np.geomspace(0.05, 120, 14),
               cmap="Greys", linewidths=0.8)
    colors = plt.get_cmap("plasma")(np.linspace(0, 0.85, len(momenta_2d)))
    for (m, ws), c in zip(paths_2d.items(), colors):
        reach = summary["valley"]["runs"][str(m)]["steps_to_loss_below_1e-4"]
        ax.plot(ws[:80, 0], ws[:80, 1], "-o", ms=2.5, lw=1, color=c,
                label=f"momentum {m}: f < 1e-4 after {reach} steps")
    ax.plot([start_2d[0]], [start_2d[1]], "s", color="red", ms=8)
    ax.plot([0], [0], "*", color="black", ms=14)
    ax.set_xlabel("w0 (flat direction)")
    ax.set_ylabel("w1 (steep direction)")
    ax.set_title("an elongated valley: the first 80 steps of SGD with each momentum")
    ax.legend(fontsize=8, loc="lower right")
    plots.append(save(fig, out_dir, "momentum_valley.png"))
    return {"summary": summary, "plots": plots}
