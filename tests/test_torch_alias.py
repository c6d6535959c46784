"""``import torch`` giving glasstorch: install_as_torch (scripts, notebooks) and its limits.

Each case runs in a fresh interpreter: the alias changes the whole process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_unchanged_imports_give_glasstorch_modules():
    out = _run("""
        import glasstorch
        glasstorch.install_as_torch()
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim
        from torch.utils.data import DataLoader, TensorDataset
        from torch.nn.modules.linear import Linear
        import torch.utils.data.dataloader as dl
        assert torch is glasstorch and nn is glasstorch.nn and optim is glasstorch.optim
        assert F is glasstorch.nn.functional and Linear is glasstorch.nn.Linear
        assert dl is glasstorch.utils.data.dataloader and DataLoader is dl.DataLoader
        assert torch.is_installed_as_torch()
        try:
            import torch.not_a_module
        except ModuleNotFoundError as e:
            assert "torch.not_a_module" in str(e)
        else:
            raise AssertionError("imported a module that does not exist")
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        loss = F.mse_loss(model(torch.randn(4, 2)), torch.zeros(4, 3))
        loss.backward()
        print(type(loss).__module__)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "glasstorch._tensor"


def test_refused_once_the_real_torch_is_imported():
    out = _run("""
        import torch
        import glasstorch
        try:
            glasstorch.install_as_torch()
        except ImportError as e:
            print(str(e).splitlines()[0])
    """)
    assert out.returncode == 0, out.stderr
    assert "the real PyTorch is already imported" in out.stdout


def test_ipython_extension_entry_point_exists():
    out = _run("""
        import glasstorch
        class Shell:
            def push(self, names, interactive=True):
                self.names = names
        s = Shell()
        glasstorch.load_ipython_extension(s)
        import torch.nn as nn
        assert s.names["torch"] is glasstorch and nn is glasstorch.nn
    """)
    assert out.returncode == 0, out.stderr
    assert "glasstorch is now `torch`" in out.stdout


MIXES = {
    "glasstorch model, torch tensor": "g.nn.Sequential(g.nn.Linear(3, 1))(t.ones(2, 3))",
    "torch model, glasstorch tensor": "t.nn.Linear(3, 1)(g.ones(2, 3))",
    "glasstorch + torch": "g.ones(2) + t.ones(2)",
    "torch + glasstorch": "t.ones(2) + g.ones(2)",
    "glasstorch @ torch": "g.ones(2) @ t.ones(2)",
    "torch function, glasstorch tensor": "t.relu(g.ones(2))",
    "glasstorch optimizer, torch parameters": "g.optim.SGD(t.nn.Linear(3, 1).parameters(), lr=0.1)",
}


@pytest.mark.parametrize("expr", MIXES.values(), ids=list(MIXES))
def test_mixing_real_torch_and_glasstorch_is_named_in_one_line(expr):
    import torch

    import glasstorch

    with pytest.raises(TypeError) as info:
        eval(expr, {"g": glasstorch, "t": torch})
    hint = [line for line in str(info.value).splitlines() if line.startswith("[glasstorch]")]
    assert len(hint) == 1 and "install_as_torch()" in hint[0], str(info.value)
    assert not str(info.value).startswith("TypeError:")  # the type is not named twice
