"""Draw the autograd graph behind a tensor (like the ``torchviz`` package's ``make_dot``).

The graph is read from the tensor itself: ``t.grad_fn`` is the node of the last operation,
``node.next_functions`` lists the nodes that produced its inputs, an ``AccumulateGrad`` node
holds the leaf tensor it fills (``node.variable``), and ``node.saved`` holds the arrays kept for
the backward pass. Node names are PyTorch's (``AddmmBackward0``, ``ReluBackward0``, ...).

Three renderings, none of which needs the Graphviz program:

- ``str(graph)``: an indented tree for the terminal, shared nodes marked;
- ``graph.svg()`` / ``graph.save("g.svg")``: a layered drawing written as SVG by this module;
- ``graph.save("g.png")``: the same drawing through matplotlib (when installed);

and ``graph.dot()`` gives Graphviz source for those who have it.

Example::

    y = model(x)
    g = glasstorch.viz.make_dot(y, params=dict(model.named_parameters()), show_saved=True)
    print(g)
    g.save("graph.svg")
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np

__all__ = ["make_dot", "Graph", "GraphNode", "print_graph"]

# fill colours as in torchviz: output green, parameters blue, saved tensors orange, ops grey
_COLORS = {"output": "#caff70", "leaf": "#add8e6", "saved": "#ffa500", "fn": "#d3d3d3"}


def _size_str(shape) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _describe(value) -> str | None:
    """Shape and dtype of a saved value (array or tensor), or a short repr of anything else."""
    if value is None:
        return None
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        name = getattr(dtype, "name", None) or str(dtype).replace("torch.", "")
        if name.startswith("glasstorch."):
            name = name[len("glasstorch."):]
        return f"{_size_str(shape)} {name}"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


@dataclass
class GraphNode:
    """One box of the drawing."""

    id: str
    kind: str              # "output", "fn" (a grad_fn node), "leaf" (a tensor) or "saved"
    name: str              # the node's class name for "fn", the tensor's label otherwise
    label: list[str] = field(default_factory=list)  # the lines drawn in the box


class Graph:
    """The autograd graph of one or more tensors, ready to print, draw or save."""

    def __init__(self) -> None:
        self.nodes: dict[str, GraphNode] = {}
        self.edges: list[tuple[str, str, str]] = []  # (from, to, "data" | "saved")
        self._edge_set: set[tuple[str, str, str]] = set()
        self._tree_roots: list[tuple[str, str | None]] = []  # (output node id, its grad_fn id)
        self._children: dict[str, list[str]] = {}            # fn id -> next fn ids, in order
        self._text_info: dict[str, str] = {}                 # fn id -> extra text for the tree
        self._layout: dict | None = None

    # -- building --------------------------------------------------------------------------
    def _node(self, node: GraphNode) -> None:
        self.nodes.setdefault(node.id, node)
        self._layout = None

    def _edge(self, a: str, b: str, kind: str = "data") -> None:
        if (a, b, kind) not in self._edge_set:
            self._edge_set.add((a, b, kind))
            self.edges.append((a, b, kind))

    @property
    def node_names(self) -> set[str]:
        """The class names of the operation nodes (``AddmmBackward0``, ``AccumulateGrad``...)."""
        return {n.name for n in self.nodes.values() if n.kind == "fn"}

    # -- text ------------------------------------------------------------------------------
    def text(self, ascii: bool = False) -> str:
        """The graph as an indented tree, from each output down to the leaves.

        A node reached from several places is printed once, tagged ``[k]``; later references
        show ``[k] (shown above)`` instead of repeating its subtree. ``ascii=True`` draws the
        branches with plain ASCII characters for terminals without box-drawing ones.
        """
        last_b, mid_b, pipe = ("`-- ", "|-- ", "|   ") if ascii else ("└── ", "├── ", "│   ")
        refs: dict[str, int] = {}
        for kids in self._children.values():
            for k in kids:
                refs[k] = refs.get(k, 0) + 1
        for _, fn in self._tree_roots:
            if fn is not None:
                refs[fn] = refs.get(fn, 0) + 1
        tags: dict[str, int] = {}
        printed: set[str] = set()
        lines: list[str] = []
        for out_id, fn_id in self._tree_roots:
            out = self.nodes[out_id]
            lines.append(" ".join(out.label))
            if fn_id is None:
                continue
            # explicit stack of (fn id, prefix for its line, prefix for its children, is_last)
            stack = [(fn_id, "", True)]
            while stack:
                nid, prefix, last = stack.pop()
                branch = last_b if last else mid_b
                node = self.nodes[nid]
                tag = ""
                if refs.get(nid, 0) > 1:
                    if nid not in tags:
                        tags[nid] = len(tags) + 1
                    tag = f" [{tags[nid]}]"
                if nid in printed:
                    lines.append(f"{prefix}{branch}{node.name}{tag} (shown above)")
                    continue
                printed.add(nid)
                extra = self._text_info.get(nid, "")
                lines.append(f"{prefix}{branch}{node.name}{tag}{extra}")
                kids = self._children.get(nid, [])
                child_prefix = prefix + ("    " if last else pipe)
                for i in range(len(kids) - 1, -1, -1):
                    stack.append((kids[i], child_prefix, i == len(kids) - 1))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        n_ops = sum(1 for n in self.nodes.values() if n.kind == "fn")
        return f"<glasstorch.viz.Graph: {n_ops} operation nodes, {len(self.edges)} edges>"

    # -- layout ----------------------------------------------------------------------------
    def layout(self) -> dict:
        """Positions of every box: a layered drawing, inputs at the top and outputs at the
        bottom, each edge pointing down. Returns ``{"boxes": {id: (x, y, w, h)}, "width",
        "height"}`` in pixels."""
        if self._layout is not None:
            return self._layout
        ids = list(self.nodes)
        succ: dict[str, list[str]] = {i: [] for i in ids}
        pred: dict[str, list[str]] = {i: [] for i in ids}
        for a, b, kind in self.edges:
            # a saved tensor feeds its operation, so it is drawn above it like an input
            src, dst = (b, a) if kind == "saved" else (a, b)
            succ[src].append(dst)
            pred[dst].append(src)
        # layer = length of the longest path down to an output (Kahn's order from the sinks)
        rank = {}
        remaining = {i: len(succ[i]) for i in ids}
        ready = [i for i in ids if remaining[i] == 0]
        while ready:
            i = ready.pop()
            rank[i] = max((rank[s] + 1 for s in succ[i]), default=0)
            for p in pred[i]:
                remaining[p] -= 1
                if remaining[p] == 0:
                    ready.append(p)
        for i in ids:  # a cycle cannot happen in autograd, but never loop forever on one
            rank.setdefault(i, 0)
        top = max(rank.values(), default=0)
        layers: list[list[str]] = [[] for _ in range(top + 1)]
        for i in ids:
            layers[top - rank[i]].append(i)
        # order each layer by the mean position of its neighbours (barycentre), a few sweeps
        pos = {i: float(k) for layer in layers for k, i in enumerate(layer)}
        for _ in range(4):
            for sweep in (list(reversed(layers)), layers):
                for layer in sweep:
                    def key(i: str) -> float:
                        nb = succ[i] + pred[i]
                        return sum(pos[n] for n in nb) / len(nb) if nb else pos[i]
                    layer.sort(key=key)
                    for k, i in enumerate(layer):
                        pos[i] = float(k)
        char_w, line_h, pad, gap_x, gap_y = 7.2, 15.0, 8.0, 24.0, 46.0
        size = {}
        for i in ids:
            lines = self.nodes[i].label or [self.nodes[i].name]
            size[i] = (max(len(s) for s in lines) * char_w + 2 * pad, len(lines) * line_h + pad)
        row_w = [sum(size[i][0] for i in layer) + gap_x * max(len(layer) - 1, 0)
                 for layer in layers]
        width = max(row_w, default=0) + 2 * gap_x
        boxes = {}
        y = gap_x
        for layer, w_row in zip(layers, row_w):
            h_row = max((size[i][1] for i in layer), default=0)
            x = (width - w_row) / 2
            for i in layer:
                w, h = size[i]
                boxes[i] = (x, y + (h_row - h) / 2, w, h)
                x += w + gap_x
            y += h_row + gap_y
        self._layout = {"boxes": boxes, "width": width, "height": y - gap_y + gap_x}
        return self._layout

    # -- SVG -------------------------------------------------------------------------------
    def svg(self) -> str:
        """The drawing as a standalone SVG document (text)."""
        lay = self.layout()
        boxes = lay["boxes"]
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay["width"]:.0f}" '
            f'height="{lay["height"]:.0f}" viewBox="0 0 {lay["width"]:.1f} {lay["height"]:.1f}" '
            'font-family="monospace" font-size="12">',
            "<title>autograd graph</title>",
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/>'
            "</marker></defs>",
            '<g class="edges">',
        ]
        for a, b, kind in self.edges:
            src, dst = (b, a) if kind == "saved" else (a, b)
            x1, y1, w1, h1 = boxes[src]
            x2, y2, w2, _ = boxes[dst]
            sx, sy, ex, ey = x1 + w1 / 2, y1 + h1, x2 + w2 / 2, y2
            mid = (sy + ey) / 2
            style = ('stroke-dasharray="4,3"' if kind == "saved"
                     else 'marker-end="url(#arrow)"')
            out.append(
                f'<path class="edge" d="M{sx:.1f},{sy:.1f} C{sx:.1f},{mid:.1f} {ex:.1f},{mid:.1f} '
                f'{ex:.1f},{ey:.1f}" fill="none" stroke="#333" {style}/>'
            )
        out.append("</g>")
        out.append('<g class="nodes">')
        for nid, node in self.nodes.items():
            x, y, w, h = boxes[nid]
            lines = node.label or [node.name]
            out.append(f'<g class="node {node.kind}" id="node{escape(nid)}">'
                       f"<title>{escape(node.name)}</title>")
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" '
                       f'fill="{_COLORS[node.kind]}" stroke="#222"/>')
            for k, line in enumerate(lines):
                ty = y + 4 + 15 * (k + 1) - 3
                out.append(f'<text x="{x + w / 2:.1f}" y="{ty:.1f}" text-anchor="middle">'
                           f"{escape(line)}</text>")
            out.append("</g>")
        out.append("</g>")
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def _repr_svg_(self) -> str:  # Jupyter shows the drawing
        return self.svg()

    # -- Graphviz source ---------------------------------------------------------------------
    def dot(self) -> str:
        """Graphviz DOT source of the same graph (for ``dot -Tpng`` if you have Graphviz)."""
        def q(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out = ["digraph {", '  node [shape=box style="filled,rounded" fontname=monospace '
               "fontsize=12]"]
        for nid, node in self.nodes.items():
            label = "\\n".join(s.replace("\\", "\\\\").replace('"', '\\"')
                               for s in (node.label or [node.name]))
            out.append(f'  {q(nid)} [label="{label}" fillcolor="{_COLORS[node.kind]}"]')
        for a, b, kind in self.edges:
            attr = " [dir=none style=dashed]" if kind == "saved" else ""
            out.append(f"  {q(a)} -> {q(b)}{attr}")
        out.append("}")
        return "\n".join(out) + "\n"

    # -- matplotlib ----------------------------------------------------------------------------
    def draw(self, ax=None):
        """Draw on a matplotlib Axes (a new figure if none); returns the Axes."""
        import matplotlib.pyplot as plt
        from matplotlib.patches import FancyBboxPatch

        lay = self.layout()
        boxes = lay["boxes"]
        if ax is None:
            dpi = 100
            _, ax = plt.subplots(figsize=(max(lay["width"], 200) / dpi,
                                          max(lay["height"], 120) / dpi), dpi=dpi)
        for a, b, kind in self.edges:
            src, dst = (b, a) if kind == "saved" else (a, b)
            x1, y1, w1, h1 = boxes[src]
            x2, y2, w2, _ = boxes[dst]
            ax.annotate("", xy=(x2 + w2 / 2, y2), xytext=(x1 + w1 / 2, y1 + h1),
                        arrowprops=dict(arrowstyle="-" if kind == "saved" else "->",
                                        linestyle="--" if kind == "saved" else "-",
                                        color="#333", lw=0.8))
        for nid, node in self.nodes.items():
            x, y, w, h = boxes[nid]
            ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=4",
                                        facecolor=_COLORS[node.kind], edgecolor="#222", lw=0.8))
            ax.text(x + w / 2, y + h / 2, "\n".join(node.label or [node.name]), ha="center",
                    va="center", family="monospace", fontsize=7.5)
        ax.set_xlim(0, lay["width"])
        ax.set_ylim(lay["height"], 0)  # y grows downwards, as in the SVG
        ax.set_axis_off()
        return ax

    # -- files -----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> str:
        """Write the graph; the suffix picks the format: .svg, .dot/.gv, .txt, or .png/.pdf
        (through matplotlib). Returns the path."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower()
        if suffix in ("", ".svg"):
            path = path if suffix else path + ".svg"
            content = self.svg()
        elif suffix in (".dot", ".gv"):
            content = self.dot()
        elif suffix == ".txt":
            content = self.text() + "\n"
        elif suffix in (".png", ".pdf", ".jpg", ".jpeg"):
            import matplotlib

            matplotlib.use("Agg") if not _has_figure_backend() else None
            import matplotlib.pyplot as plt

            ax = self.draw()
            ax.figure.savefig(path, bbox_inches="tight")
            plt.close(ax.figure)
            return path
        else:
            raise ValueError(f"cannot tell the format from {path!r}: use .svg, .dot, .txt, .png")
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
        return path

    def render(self, filename: str = "graph", format: str = "svg") -> str:
        """torchviz-style ``render("name", format="svg")``: save to ``name.<format>``."""
        return self.save(f"{filename}.{format}")


def _has_figure_backend() -> bool:
    import sys

    return "matplotlib.pyplot" in sys.modules


def _saved_values(fn) -> tuple | None:
    """The saved arrays of a node as a tuple, or None once the backward pass released them."""
    saved = getattr(fn, "saved", ())
    if saved is None:
        return ()
    if isinstance(saved, (tuple, list)):
        return tuple(saved)
    if isinstance(saved, np.ndarray) or hasattr(saved, "shape"):
        return (saved,)
    return None  # the RELEASED sentinel (or anything else that is not a container)


def _attrs(fn, max_chars: int) -> list[str]:
    skip = {"saved", "next_functions", "variable", "metadata", "saved_inputs", "saved_for",
            "saves_output", "differentiable_outputs"}
    lines = []
    for k, v in sorted(getattr(fn, "__dict__", {}).items()):
        if k.startswith("_") or k in skip:
            continue
        if isinstance(v, (bool, int, float, str, tuple, type(None))):
            text = f"{k}: {v!r}"
            lines.append(text if len(text) <= max_chars else text[: max_chars - 3] + "...")
    return lines


def make_dot(var, params: dict | None = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = 50,
             show_grads: bool = False) -> Graph:
    """The autograd graph that produced ``var`` (a tensor, or a tuple/list of tensors).

    Args:
        var: the output(s) whose history to draw, e.g. the loss or the model's prediction.
        params: ``{name: tensor}`` to label the leaves, e.g.
            ``dict(model.named_parameters())``; unnamed leaves show their shape only.
        show_attrs: also list each node's non-tensor settings (``dim``, ``alpha``...).
        show_saved: also show the arrays each node saved for the backward pass (shape and
            dtype): as orange boxes in the drawing and after the node in the text.
        max_attr_chars: cut attribute text longer than this.
        show_grads: add the shape and norm of each leaf's ``.grad`` (after ``backward()``).
    """
    from glasstorch import Tensor

    outputs = tuple(var) if isinstance(var, (tuple, list)) else (var,)
    names = {id(t): n for n, t in (params or {}).items()}
    g = Graph()

    def tensor_label(t, default: str) -> list[str]:
        lines = [names.get(id(t), default), _size_str(t.shape)]
        if show_grads and t.grad_fn is None and t.grad is not None:
            grad = t.grad.detach().numpy()
            lines.append(f"grad norm {float(np.sqrt((grad.astype(np.float64) ** 2).sum())):.4g}")
        return [s for s in lines if s]

    def visit(root) -> None:
        stack = [root]
        while stack:
            fn = stack.pop()
            fid = str(id(fn))
            if fid in g.nodes:
                continue
            name = type(fn).__name__
            label = [name]
            info = ""
            if show_attrs:
                attrs = _attrs(fn, max_attr_chars)
                label += attrs
                if attrs:
                    info += "  {" + ", ".join(attrs) + "}"
            variable = getattr(fn, "variable", None)
            if variable is not None:
                vid = str(id(variable))
                g._node(GraphNode(vid, "leaf", names.get(id(variable), "") or "leaf",
                                  tensor_label(variable, "")))
                g._edge(vid, fid)
                info += "  <- " + " ".join(tensor_label(variable, "leaf"))
            if show_saved and variable is None:
                saved = _saved_values(fn)
                if saved is None:
                    label.append("(saved tensors released)")
                    info += "  saved: released by backward()"
                else:
                    described = []
                    for k, value in enumerate(saved):
                        text = _describe(value)
                        if text is None:
                            continue
                        described.append(text)
                        sid = f"{id(value)}" if hasattr(value, "shape") else f"{fid}.saved{k}"
                        g._node(GraphNode(sid, "saved", f"saved {text}", ["saved", text]))
                        g._edge(fid, sid, "saved")
                    if described:
                        info += "  saved: " + ", ".join(described)
            g._node(GraphNode(fid, "fn", name, label))
            g._text_info[fid] = info
            kids = []
            for nxt, _ in getattr(fn, "next_functions", ()):
                if nxt is None:
                    continue
                kids.append(str(id(nxt)))
                g._edge(str(id(nxt)), fid)
                stack.append(nxt)
            g._children[fid] = kids

    for k, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"make_dot expects tensors, got {type(t).__name__}")
        default = "output" if len(outputs) == 1 else f"output {k}"
        oid = f"out{id(t)}"
        g._node(GraphNode(oid, "output", names.get(id(t), default), tensor_label(t, default)))
        fn = t.grad_fn
        if fn is not None:
            visit(fn)
            g._edge(str(id(fn)), oid)
        g._tree_roots.append((oid, None if fn is None else str(id(fn))))
    return g


def print_graph(var, params: dict | None = None, show_saved: bool = True) -> None:
    """Print the text tree of ``make_dot(var, params, show_saved=show_saved)``."""
    print(make_dot(var, params, show_saved=show_saved).text())
