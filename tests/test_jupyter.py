"""glasstorch in real Jupyter kernels: the course notebooks run without errors, figures and
graphs show inline, and ``%load_ext glasstorch`` / the glasstorch kernel make ``import torch``
give glasstorch.

The glasstorch kernel is installed into a temporary prefix (``glasstorch kernel install
--prefix``) and found through ``JUPYTER_PATH``; every notebook runs in its own kernel and its
own temporary directory, so the cases can run in parallel.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
manager = pytest.importorskip("jupyter_client.manager")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "course" / "notebooks").rglob("*.ipynb"))
TIMEOUT = 300  # per cell: a ceiling against hangs, not a timing assertion
# text every notebook must print, and the notebooks that must show a figure
EXPECTED_TEXT = {
    "01_tensors_linear_layers_activations": ["exercise affine: not attempted yet"],
    "02_forward_loss_backprop_optimizers": ["exercise mse: not attempted yet"],
    "03_relu_lr_momentum_data_training_loop": ["exercise ", "not attempted yet"],
    "04_evaluation_overfitting_hallucination": ["exercise ", "not attempted yet"],
    "char_rnn": ["30 steps in"],
}
WITH_FIGURES = {"03_relu_lr_momentum_data_training_loop",
                "04_evaluation_overfitting_hallucination"}


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory):
    """Environment for kernels: the glasstorch kernel installed in a temporary prefix, a
    private IPython directory, one BLAS thread (the notebooks run side by side), short
    training in the char-RNN extra."""
    from glasstorch.teaching import kernel

    prefix = tmp_path_factory.mktemp("jupyter")
    kernel.install(prefix=prefix)
    env = dict(os.environ)
    env.update(JUPYTER_PATH=str(prefix / "share" / "jupyter"),
               IPYTHONDIR=str(prefix / "ipython"), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", CHAR_RNN_STEPS="30",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p))
    env.pop("COURSE_PLOTS", None)
    with pytest.MonkeyPatch.context() as mp:  # also here: Jupyter looks kernels up in-process
        for k, v in env.items():
            mp.setenv(k, v)
        mp.delenv("COURSE_PLOTS", raising=False)
        yield env


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_course_notebook_runs_in_the_glasstorch_kernel(path, tmp_path, jupyter_env,
                                                        monkeypatch):
    # COURSE_BACKEND=torch takes the chapters' `import torch` line: in this kernel it must
    # still give glasstorch
    monkeypatch.setenv("COURSE_BACKEND", "torch")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="glasstorch", timeout=TIMEOUT, allow_errors=False,
        resources={"metadata": {"path": str(tmp_path)}},
        extra_arguments=["--HistoryManager.enabled=False"])
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "running on glasstorch" in text
    for expected in EXPECTED_TEXT[path.stem]:
        assert expected in text, f"{expected!r} not printed by {path.name}"
    pngs = [o for o in outputs if o.output_type in ("display_data", "execute_result")
            and "image/png" in o.get("data", {})]
    if path.stem in WITH_FIGURES:
        assert pngs, f"{path.name} shows no figure"
    assert not list(tmp_path.rglob("*.png"))  # shown, not saved: COURSE_PLOTS is unset


def _kernel(name: str, env: dict):
    km, kc = manager.start_new_kernel(kernel_name=name, env=env,
                                      extra_arguments=["--HistoryManager.enabled=False"])
    return km, kc


def _run(kc, code: str) -> list[dict]:
    """Execute ``code``; return its IOPub messages (stream, display_data, error ...)."""
    msgs: list[dict] = []

    def hook(msg):
        msgs.append({"type": msg["msg_type"], **msg["content"]})

    reply = kc.execute_interactive(code, output_hook=hook, timeout=TIMEOUT)
    msgs.append({"type": "reply", **reply["content"]})
    return msgs


def _stdout(msgs) -> str:
    return "".join(m.get("text", "") for m in msgs if m["type"] == "stream")


@pytest.fixture(scope="module")
def glass_kernel(jupyter_env):
    km, kc = _kernel("glasstorch", jupyter_env)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_load_ext_makes_torch_glasstorch_in_a_plain_kernel(jupyter_env):
    km, kc = _kernel("python3", jupyter_env)
    try:
        msgs = _run(kc, "%load_ext glasstorch\n"
                        "import torch.nn as nn\n"
                        "from torch.utils.data import DataLoader\n"
                        "import glasstorch\n"
                        "print(nn is glasstorch.nn, DataLoader is glasstorch.utils.data."
                        "DataLoader, torch is glasstorch)\n"
                        "print(type(nn.Linear(2, 3)(torch.ones(1, 2))).__module__)")
        out = _stdout(msgs)
        assert "glasstorch is now `torch` in this kernel" in out
        assert "True True True\nglasstorch._tensor\n" in out
        assert not [m for m in msgs if m["type"] == "error"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_load_ext_after_the_real_torch_says_restart(jupyter_env):
    pytest.importorskip("torch")
    km, kc = _kernel("python3", jupyter_env)
    try:
        msgs = _run(kc, "import torch\n%load_ext glasstorch")
        errors = [m for m in msgs if m["type"] == "error"]
        assert errors and errors[0]["ename"] == "ImportError"
        assert "Restart the kernel" in errors[0]["evalue"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_glasstorch_kernel_gives_glasstorch_for_unchanged_imports(glass_kernel):
    msgs = _run(glass_kernel, "import torch\nimport torch.nn as nn\n"
                              "from torch.utils.data import DataLoader\n"
                              "print(torch.__name__, nn.__name__, DataLoader.__module__, "
                              "torch.is_installed_as_torch())")
    assert _stdout(msgs) == "glasstorch glasstorch.nn glasstorch.utils.data.dataloader True\n"


def test_autograd_graph_draws_inline(glass_kernel):
    msgs = _run(glass_kernel, "import torch\n"
                              "model = torch.nn.Sequential(torch.nn.Linear(3, 4), "
                              "torch.nn.ReLU())\n"
                              "y = model(torch.ones(2, 3)).sum()\n"
                              "torch.viz.make_dot(y, params=dict(model.named_parameters()))")
    results = [m for m in msgs if m["type"] == "execute_result"]
    assert results, msgs
    svg = results[0]["data"].get("image/svg+xml", "")
    assert "<svg" in svg and "AddmmBackward0" in svg


def test_liveplot_redraws_one_figure_in_place(glass_kernel):
    msgs = _run(glass_kernel, "from glasstorch.teaching.live import LivePlot\n"
                              "live = LivePlot()\n"
                              "for epoch in range(1, 4):\n"
                              "    print('epoch', epoch)\n"
                              "    live.update(epoch, train_loss=1 / epoch, val_acc=0.3 * epoch)")
    shown = [m for m in msgs if m["type"] == "display_data"]
    updates = [m for m in msgs if m["type"] == "update_display_data"]
    assert len(shown) == 1 and len(updates) == 2
    display_id = shown[0]["transient"]["display_id"]
    assert all(u["transient"]["display_id"] == display_id for u in updates)
    assert all("image/png" in m["data"] for m in shown + updates)
    assert _stdout(msgs) == "epoch 1\nepoch 2\nepoch 3\n"  # the printed lines stay

