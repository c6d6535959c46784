"""Errors caused by mixing real PyTorch objects with glasstorch ones say so in one line, in a
script (sys.excepthook) and in IPython (its custom exception handler), and only then."""

import subprocess
import sys
import textwrap

import pytest

from glasstorch import _mixing

HINT = "[glasstorch] this is a torch.Tensor from the real PyTorch"
MET = "[glasstorch] a real PyTorch tensor and a glasstorch tensor met here"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("call, hint", [
    ("gt.relu(r)", HINT),
    ("gt.nn.functional.mse_loss(g, r)", HINT),
    ("gt.exp(r)", HINT),
    ("gt.cat([g, r])", MET),
])
def test_a_script_that_mixes_is_told_so(call, hint):
    done = _run(f"""
        import torch, glasstorch as gt
        r, g = torch.ones(2), gt.ones(2)
        {call}
    """)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()
    assert hint in last[-1], done.stderr
    assert "Traceback" in done.stderr and "Did you mean" not in done.stderr


def test_other_errors_are_printed_unchanged_and_an_earlier_excepthook_still_runs():
    done = _run("""
        import sys
        sys.excepthook = lambda t, v, tb: print("mine:", t.__name__, v)
        import glasstorch as gt
        gt.ones(2).no_such_method()
    """)
    assert done.stdout.strip() == "mine: AttributeError 'Tensor' object has no attribute " \
        "'no_such_method'"


def test_note_mixing_only_for_mixing_and_only_once():
    import torch

    class Thing:
        pass

    plain = AttributeError("'Thing' object has no attribute '_data'", name="_data", obj=Thing())
    assert not _mixing.note_mixing(plain) and "[glasstorch]" not in str(plain)
    other = TypeError("unsupported operand type(s) for +: 'int' and 'str'")
    assert not _mixing.note_mixing(other) and "[glasstorch]" not in str(other)
    mixed = AttributeError("'Tensor' object has no attribute '_data'", name="_data",
                           obj=torch.ones(1))
    assert _mixing.note_mixing(mixed) and str(mixed).count("[glasstorch]") == 1
    assert not _mixing.note_mixing(mixed) and str(mixed).count("[glasstorch]") == 1
    assert mixed.name is None  # no "Did you mean" suggestion of PyTorch's private names
    typed = TypeError("expected Tensor as element 1 in argument 0, but got Tensor")
    assert _mixing.note_mixing(typed) and MET in str(typed)


def test_ipython_shows_the_hint(capsys):
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        _mixing.install_hooks()
        assert shell.custom_exceptions == (AttributeError, TypeError)
        shell.run_cell("import torch, glasstorch as gt\ngt.relu(torch.ones(2))")
        out = capsys.readouterr()
        assert HINT in out.out + out.err
        shell.run_cell("[].no_such_method()")
        out = capsys.readouterr()
        assert "no_such_method" in out.out + out.err and "[glasstorch]" not in out.out + out.err
    finally:
        shell.set_custom_exc((), None)
        interactiveshell.InteractiveShell.clear_instance()
