"""A live training plot for notebooks: the learning curves redraw in place after every epoch.

    from glasstorch.teaching.live import LivePlot

    live = LivePlot()
    for epoch in range(1, 21):
        ...  # train one epoch, evaluate
        live.update(epoch, train_loss=train_loss, val_loss=val_loss, val_acc=val_acc)
    live.save("curves.png")  # optional

Metrics are grouped into panels by the last part of their name: ``train_loss`` and
``val_loss`` share the panel "loss", ``train_acc`` and ``val_acc`` the panel "acc", ``lr``
gets its own. In a Jupyter notebook the figure is shown once and then replaced in place
(an IPython display handle, so the cell's printed lines stay); in a plain script ``update``
only records, and ``save`` writes the PNG. The figure is drawn with matplotlib's Agg renderer
directly (no pyplot), so nothing opens a window and no figure is shown twice.
"""

from __future__ import annotations

import io
import os

__all__ = ["LivePlot", "in_notebook"]


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (IPython's ZMQ shell), not a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _display(png: bytes, handle):
    """Show ``png`` below the cell (first call) or replace what ``handle`` shows; returns the
    handle. Kept apart so tests can watch it without a kernel."""
    from IPython.display import Image, display

    if handle is None:
        return display(Image(png), display_id=True)
    handle.update(Image(png))
    return handle


class LivePlot:
    """Learning curves that redraw in place in a notebook; records (and can save) elsewhere."""

    def __init__(self, title: str | None = None, xlabel: str = "epoch",
                 notebook: bool | None = None, figsize: tuple[float, float] | None = None):
        self.title = title
        self.xlabel = xlabel
        self.notebook = in_notebook() if notebook is None else notebook
        self.figsize = figsize
        self.history: dict[str, list[tuple[float, float]]] = {}  # name -> [(x, value)]
        self._handle = None
        self._warned = False

    def update(self, epoch: float, **metrics) -> None:
        """Record ``metrics`` (numbers or 0-dim tensors) at ``epoch``; redraw in a notebook."""
        if not metrics:
            raise TypeError("LivePlot.update() needs at least one metric, e.g. "
                            "update(epoch, train_loss=0.5)")
        for name, value in metrics.items():
            self.history.setdefault(name, []).append((float(epoch), float(value)))
        if self.notebook:
            try:
                png = self.png()
            except ImportError:
                if not self._warned:
                    print("LivePlot: install matplotlib to see the curves")
                    self._warned = True
                return
            self._handle = _display(png, self._handle)

    def panels(self) -> dict[str, list[str]]:
        """Metric names grouped by the last part of their name (``val_loss`` -> "loss")."""
        out: dict[str, list[str]] = {}
        for name in self.history:
            out.setdefault(name.rsplit("_", 1)[-1], []).append(name)
        return out

    def figure(self):
        """The curves as a matplotlib Figure (one panel per group of metrics)."""
        from matplotlib.figure import Figure

        panels = self.panels() or {"": []}
        n = len(panels)
        fig = Figure(figsize=self.figsize or (4.5 * n, 3.5))
        axes = fig.subplots(1, n, squeeze=False)[0]
        for ax, (key, names) in zip(axes, panels.items()):
            for name in names:
                xs, ys = zip(*self.history[name])
                ax.plot(xs, ys, marker="o" if len(xs) < 30 else None, markersize=3,
                        label=f"{name} {ys[-1]:.4g}")
            ax.set_xlabel(self.xlabel)
            ax.set_title(key)
            ax.grid(alpha=0.3)
            if names:
                ax.legend(fontsize=8)
        if self.title:
            fig.suptitle(self.title)
        fig.tight_layout()
        return fig

    def png(self, dpi: int = 80) -> bytes:
        """The figure as PNG bytes."""
        buf = io.BytesIO()
        self.figure().savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()

    def save(self, path: str | os.PathLike, dpi: int = 100) -> str:
        """Write the figure to ``path`` (PNG, or any format matplotlib knows by extension)."""
        self.figure().savefig(path, dpi=dpi)
        return os.fspath(path)

    def _repr_png_(self) -> bytes:  # `live` as the last line of a cell shows the curves
        return self.png()

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1][1]:.4g}" for k, v in self.history.items())
        return f"LivePlot({len(next(iter(self.history.values()), []))} points: {last})"
