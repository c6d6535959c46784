"""``torch.backends``: the accelerator back-ends, all reported as unavailable."""

from __future__ import annotations

import types


def _unavailable(name: str) -> types.SimpleNamespace:
    return types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False,
                                 enabled=False, benchmark=False, deterministic=False,
                                 allow_tf32=False, __name__=name)


mps = _unavailable("mps")
cudnn = _unavailable("cudnn")
mkldnn = types.SimpleNamespace(is_available=lambda: False, enabled=False)
