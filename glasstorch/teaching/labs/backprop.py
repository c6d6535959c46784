"""Backpropagation: the autograd graph of a small network, drawn with its gradients.

A two-layer network (Linear 3 -> 4, ReLU, Linear 4 -> 2) computes an MSE loss on 4 examples.
The forward pass records a graph of backward nodes behind the loss (``loss.grad_fn``,
followed through ``next_functions``): ``MseLossBackward0``, ``AddmmBackward0`` (what
``nn.Linear`` computes: bias + input @ weight.T), ``TBackward0`` (the transpose of the
weight), ``ReluBackward0`` and, for each parameter, an ``AccumulateGrad`` that adds the
arriving gradient into ``param.grad``. ``loss.backward()`` walks this graph from the loss to
the parameters, applying the chain rule at every node.

The lab draws the graph as a layered picture (PNG) with the norm of the gradient that reaches
every node, writes it with ``glasstorch.viz.make_dot`` as SVG and text, and repeats the whole
backward pass by hand in NumPy (the chain rule written out) to show that autograd's gradients
are the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.labs._common import pyplot, save, table


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x: Any) -> Any:
        return self.fc2(torch.relu(self.fc1(x)))


def chain_rule_numpy(x: np.ndarray, t: np.ndarray, w1: np.ndarray, b1: np.ndarray,
                     w2: np.ndarray, b2: np.ndarray) -> dict[str, np.ndarray]:
    """The backward pass written out: every step is one application of the chain rule."""
    h = x @ w1.T + b1                    # fc1
    a = np.maximum(h, 0)                 # ReLU
    o = a @ w2.T + b2                    # fc2
    # loss = mean((o - t)^2) over all N * 2 entries
    d_o = 2 * (o - t) / o.size           # dL/do
    d_w2 = d_o.T @ a                     # o = a W2^T + b2  ->  dL/dW2 = (dL/do)^T a
    d_b2 = d_o.sum(0)                    #                  ->  dL/db2 = sum over the batch
    d_a = d_o @ w2                       #                  ->  dL/da = dL/do W2
    d_h = d_a * (h > 0)                  # ReLU passes the gradient where h > 0, else 0
    d_w1 = d_h.T @ x
    d_b1 = d_h.sum(0)
    return {"fc1.weight": d_w1, "fc1.bias": d_b1, "fc2.weight": d_w2, "fc2.bias": d_b2,
            "o": d_o, "a": d_a, "h": d_h}


def graph_nodes(root: Any) -> tuple[dict[int, Any], list[tuple[int, int]], dict[int, int]]:
    """All nodes behind ``root``, the edges (node -> next node) and each node's depth.

    The depth is the length of the longest path from the root, so every node sits below all
    the nodes that send it a gradient.
    """
    nodes: dict[int, Any] = {}
    edges: list[tuple[int, int]] = []
    stack = [root]
    while stack:
        fn = stack.pop()
        if id(fn) in nodes:
            continue
        nodes[id(fn)] = fn
        for nxt, _ in fn.next_functions:
            if nxt is not None:
                edges.append((id(fn), id(nxt)))
                stack.append(nxt)
    depth = {id(root): 0}
    for _ in range(len(nodes)):  # relax until stable (the graph is small and acyclic)
        for a, b in edges:
            if a in depth and depth.get(b, -1) < depth[a] + 1:
                depth[b] = depth[a] + 1
    return nodes, edges, depth


def _norm(t: Any) -> float:
    return float(np.sqrt((np.asarray(t, dtype=np.float64) ** 2).sum()))


def run(out_dir: str, seed: int = 0, quick: bool = False) -> dict[str, Any]:
    torch.manual_seed(seed)
    model = TwoLayer()
    x = torch.randn(4, 3)
    target = torch.randn(4, 2)

    # The forward pass step by step, keeping the intermediate tensors to read their gradients.
    h = model.fc1(x)
    a = torch.relu(h)
    o = model.fc2(a)
    loss = nn.functional.mse_loss(o, target)
    for t in (h, a, o):
        t.retain_grad()  # keep dL/dt of these non-leaf tensors after backward()
    loss.backward()

    params = dict(model.named_parameters())
    by_hand = chain_rule_numpy(*(v.detach().numpy().astype(np.float64) for v in (
        x, target, params["fc1.weight"], params["fc1.bias"], params["fc2.weight"],
        params["fc2.bias"])))
    rows, per_param = [], {}
    for name, p in params.items():
        auto = p.grad.numpy().astype(np.float64)
        diff = float(np.max(np.abs(auto - by_hand[name])))
        per_param[name] = {"shape": list(p.shape), "grad_norm_autograd": _norm(auto),
                           "grad_norm_chain_rule": _norm(by_hand[name]), "max_abs_diff": diff}
        rows.append([name, str(tuple(p.shape)), _norm(auto), _norm(by_hand[name]), diff])
    for name, t in (("h = fc1(x)", h), ("a = relu(h)", a), ("o = fc2(a)", o)):
        key = name[0]
        diff = float(np.max(np.abs(t.grad.numpy() - by_hand[key])))
        per_param[name] = {"shape": list(t.shape), "grad_norm_autograd": _norm(t.grad.numpy()),
                           "grad_norm_chain_rule": _norm(by_hand[key]), "max_abs_diff": diff}
        rows.append([name, str(tuple(t.shape)), _norm(t.grad.numpy()), _norm(by_hand[key]),
                     diff])

    nodes, edges, depth = graph_nodes(loss.grad_fn)
    names = [type(fn).__name__ for fn in nodes.values()]
    summary: dict[str, Any] = {
        "loss": loss.item(),
        "gradients": per_param,
        "max_abs_diff": max(v["max_abs_diff"] for v in per_param.values()),
        "graph_nodes": sorted(names),
        "num_graph_nodes": len(nodes),
    }
    print(f"Linear(3,4) -> ReLU -> Linear(4,2), MSE loss on 4 examples: loss = {loss.item():.6f}")
    print(table(["gradient of", "shape", "|grad| autograd", "|grad| chain rule (NumPy)",
                 "max |difference|"], rows))
    print(f"largest difference autograd vs hand-written chain rule: {summary['max_abs_diff']:.3g}"
          " (float32 rounding)")

    plots: list[str] = []
    try:
        from glasstorch import viz
    except ImportError:  # viz is optional for this lab: the PNG below is drawn here
        viz = None
    if viz is not None:
        graph = viz.make_dot(loss, params=params, show_grads=True)
        svg = graph.save(f"{out_dir}/autograd_graph.svg")
        txt = graph.save(f"{out_dir}/autograd_graph.txt")
        summary["svg"], summary["text"] = svg, txt
        print("\nthe graph behind the loss (glasstorch.viz.make_dot):")
        print(graph.text())
        print(f"SVG: {svg}")

    # Which tensor each node produced, to annotate the gradient that arrives at it.
    produced = {id(loss.grad_fn): ("loss", None), id(o.grad_fn): ("o", o.grad),
                id(a.grad_fn): ("a", a.grad), id(h.grad_fn): ("h", h.grad)}
    param_name = {id(p): n for n, p in params.items()}

    def label(fn: Any) -> tuple[str, str]:
        kind = type(fn).__name__
        var = getattr(fn, "variable", None)
        if var is not None:
            return (f"{kind}\n{param_name.get(id(var), 'leaf')} {tuple(var.shape)}\n"
                    f"|grad| = {_norm(var.grad.numpy()):.4f}", "#cfe8cf")
        if id(fn) in produced:
            tname, grad = produced[id(fn)]
            if grad is None:
                return f"{kind}\nloss = {loss.item():.4f}\ndL/dloss = 1", "#f6d3a8"
            return f"{kind}\nout: {tname} {tuple(grad.shape)}\n|dL/d{tname}| = " \
                   f"{_norm(grad.numpy()):.4f}", "#cfe0f6"
        if kind == "TBackward0":
            src = next((n for nx, _ in fn.next_functions if nx is not None
                        for n in [param_name.get(id(getattr(nx, "variable", None)), "")]), "")
            return f"{kind}\nout: {src}.T\n|grad| = |{src}.grad|", "#e6e6e6"
        return kind, "#e6e6e6"

    plt = pyplot()
    layers: dict[int, list[int]] = {}
    for nid, d in depth.items():
        layers.setdefault(d, []).append(nid)
    pos: dict[int, tuple[float, float]] = {}
    parents: dict[int, list[int]] = {}
    for s_, d_ in edges:
        parents.setdefault(d_, []).append(s_)
    n_layers = max(layers) + 1
    for d in range(n_layers):
        row = layers[d]
        if d:  # order each layer by where its parents are, to keep edges from crossing
            row.sort(key=lambda n: np.mean([pos[p][0] for p in parents.get(n, []) if p in pos]
                                           or [0.0]))
        for k, nid in enumerate(row):
            pos[nid] = ((k + 1) / (len(row) + 1), 1 - d / max(n_layers - 1, 1))
    fig, ax = plt.subplots(figsize=(11, 1.6 * n_layers + 1))
    for s_, d_ in edges:
        (x1, y1), (x2, y2) = pos[s_], pos[d_]
        ax.annotate("", xy=(x2, y2 + 0.04), xytext=(x1, y1 - 0.04),
                    arrowprops=dict(arrowstyle="-|>", color="tab:red", lw=1.4))
    for nid, fn in nodes.items():
        text, color = label(fn)
        xx, yy = pos[nid]
        ax.text(xx, yy, text, ha="center", va="center", family="monospace", fontsize=8.5,
                bbox=dict(boxstyle="round,pad=0.4", facecolor=color, edgecolor="black"))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.12, 1.12)
    ax.set_axis_off()
    ax.set_title("autograd graph behind the loss: backward() sends the gradient along the red "
                 "arrows,\nfrom the loss (top) to each parameter's AccumulateGrad (|grad| = "
                 "norm of the gradient arriving there)")
    plots.append(save(fig, out_dir, "autograd_graph.png"))

    fig, axes = plt.subplots(1, 4, figsize=(15, 3.8))
    for ax, (name, p) in zip(axes, params.items()):
        auto = p.grad.numpy().ravel()
        hand = by_hand[name].ravel()
        lim = max(np.abs(auto).max(), np.abs(hand).max(), 1e-6) * 1.15
        ax.plot([-lim, lim], [-lim, lim], color="0.7", lw=1)
        ax.scatter(hand, auto, color="tab:blue", zorder=3)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_xlabel("chain rule in NumPy")
        ax.set_title(f"{name}: max diff {per_param[name]['max_abs_diff']:.1e}", fontsize=10)
    axes[0].set_ylabel("autograd (param.grad)")
    fig.suptitle("every gradient entry: autograd vs the chain rule written out (on the diagonal "
                 "= equal)")
    plots.append(save(fig, out_dir, "autograd_vs_chain_rule.png"))
    return {"summary": summary, "plots": plots}
