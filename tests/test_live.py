"""LivePlot: records metrics, groups them into panels, draws headless (Agg) and, in a notebook,
shows one figure and then replaces it in place (tests/test_jupyter.py runs it in a kernel)."""

from __future__ import annotations

import pytest

import glasstorch
from glasstorch.teaching import live as live_module
from glasstorch.teaching.live import LivePlot

pytest.importorskip("matplotlib")


def _fill(live, epochs=3):
    for e in range(1, epochs + 1):
        live.update(e, train_loss=1.0 / e, val_loss=glasstorch.tensor(1.2 / e),
                    val_acc=0.5 + 0.1 * e)


def test_a_script_records_and_saves_a_png(tmp_path):
    image = pytest.importorskip("matplotlib.image")
    live = LivePlot(title="digits", notebook=False)
    _fill(live)
    assert live.history["val_loss"] == [(1.0, pytest.approx(1.2)), (2.0, pytest.approx(0.6)),
                                        (3.0, pytest.approx(0.4))]
    assert live.panels() == {"loss": ["train_loss", "val_loss"], "acc": ["val_acc"]}
    path = live.save(tmp_path / "curves.png")
    pixels = image.imread(path)
    assert pixels.shape[1] > pixels.shape[0] > 100  # two panels side by side
    assert pixels.std() > 0.01                      # something is drawn
    assert live.png().startswith(b"\x89PNG") and live._repr_png_().startswith(b"\x89PNG")
    assert repr(live) == "LivePlot(3 points: train_loss=0.3333, val_loss=0.4, val_acc=0.8)"


def test_in_a_notebook_one_figure_is_replaced_in_place(monkeypatch):
    shown = []

    def fake_display(png, handle):
        shown.append((png[:4], handle))
        return "handle"

    monkeypatch.setattr(live_module, "_display", fake_display)
    live = LivePlot(notebook=True)
    _fill(live)
    assert shown == [(b"\x89PNG", None), (b"\x89PNG", "handle"), (b"\x89PNG", "handle")]


def test_outside_a_kernel_nothing_is_displayed(monkeypatch):
    monkeypatch.setattr(live_module, "_display", lambda *a: pytest.fail("displayed"))
    assert not live_module.in_notebook()
    live = LivePlot()
    _fill(live)
    assert len(live.history["train_loss"]) == 3


def test_update_needs_a_metric():
    with pytest.raises(TypeError, match="at least one metric"):
        LivePlot(notebook=False).update(1)
