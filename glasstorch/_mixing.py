"""Real PyTorch objects mixed with glasstorch ones: detect it and say so in one line.

A notebook that runs ``import glasstorch as torch`` and then ``import torch.nn as nn`` (with
PyTorch installed) gets PyTorch's ``nn``: its layers and tensors reach glasstorch functions, or
glasstorch tensors reach PyTorch's, and fail far from the import that caused it. The places
that see foreign objects (a model call, an operator, an optimizer) add :func:`mixing_hint` to
their error; for every other error, :func:`install_hooks` makes the traceback printer (Python's
``sys.excepthook``, IPython's custom exception handler) add it when the error shows mixing:
an ``AttributeError`` on a real PyTorch object, or a ``TypeError`` like "must be Tensor, not
Tensor" while both libraries are loaded. Nothing runs on the happy path.
"""

from __future__ import annotations

import re
import sys

_MARK = "[glasstorch] this is a"
_ADVICE = ("Run `%load_ext glasstorch` (Jupyter) or `glasstorch.install_as_torch()` before any "
           "torch import, or use the 'Python 3 (glasstorch as torch)' kernel.")
# PyTorch's and glasstorch's wording for "this Tensor is not the Tensor I expected"
_TENSOR_VS_TENSOR = re.compile(r"\b(?:not|got) Tensor\b")


def is_real_torch(obj) -> bool:
    """Whether ``obj`` is an object of the real PyTorch (a torch.Tensor, a torch module ...)."""
    module = getattr(type(obj), "__module__", "") or ""
    return module == "torch" or module.startswith("torch.")


def mixing_hint(*objs) -> str:
    """One line saying that real PyTorch objects were mixed with glasstorch ones, or ""."""
    for obj in objs:
        if is_real_torch(obj):
            return (f"\n{_MARK} {type(obj).__module__}.{type(obj).__qualname__} from the real "
                    "PyTorch, mixed with glasstorch objects: an `import torch...` reached PyTorch "
                    f"instead of glasstorch. {_ADVICE}")
    return ""


def _real_torch_loaded() -> bool:
    t = sys.modules.get("torch")
    return t is not None and getattr(t, "__name__", "") != "glasstorch"


def note_mixing(exc: BaseException) -> bool:
    """Add the mixing hint to ``exc``'s message if mixing caused it (once); whether it did."""
    if not exc.args or not isinstance(exc.args[0], str) or "[glasstorch]" in exc.args[0]:
        return False
    hint = ""
    if isinstance(exc, AttributeError):
        hint = mixing_hint(getattr(exc, "obj", None))  # (.obj: the object that lacked it)
    elif isinstance(exc, TypeError) and _real_torch_loaded() \
            and _TENSOR_VS_TENSOR.search(exc.args[0]) and "glasstorch" in sys.modules:
        hint = ("\n[glasstorch] a real PyTorch tensor and a glasstorch tensor met here (both "
                "are called Tensor): an `import torch...` reached PyTorch instead of glasstorch. "
                + _ADVICE)
    if hint and isinstance(exc, AttributeError):
        exc.name = None  # no "Did you mean: '_cdata'?" (a private PyTorch name) after the hint
    if hint:
        exc.args = (exc.args[0] + hint, *exc.args[1:])
    return bool(hint)


def _excepthook(etype, value, tb) -> None:
    note_mixing(value)
    _previous_excepthook(etype, value, tb)


_previous_excepthook = sys.excepthook


def _ipython_handler(shell, etype, value, tb, tb_offset=None):
    note_mixing(value)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install_hooks() -> None:
    """Let uncaught errors say when real PyTorch and glasstorch objects were mixed: in scripts
    (``sys.excepthook``, chained to the one before) and in IPython/Jupyter (a custom exception
    handler, unless the shell has one already)."""
    global _previous_excepthook
    if sys.excepthook is not _excepthook:
        _previous_excepthook = sys.excepthook
        sys.excepthook = _excepthook
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    if shell is not None and not shell.custom_exceptions:
        shell.set_custom_exc((AttributeError, TypeError), _ipython_handler)
