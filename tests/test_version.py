"""torch.__version__ compares as PyTorch's TorchVersion does; glasstorch's own version."""

from __future__ import annotations

import operator
import subprocess
import sys

import pytest
from torch.torch_version import TorchVersion as TorchsVersion

import glasstorch

OTHERS = ["2.13.0", "2.13", "2.13.0+cpu", "2.13.1", "2.9", "2.9.1", "2.0", "1.13.1", "3",
          "2.13.0a0", "2.13.0rc1", "2.13.0.dev20260101", "2.13.0.post1", "2.14.0.dev0",
          (2, 13), (2, 13, 0), (2, 9), (3, 0), (1,), (2, 13, 1)]


@pytest.mark.parametrize("other", OTHERS, ids=str)
def test_comparisons_match_torchs_torchversion(other):
    ours = glasstorch.__version__
    theirs = TorchsVersion(str(ours))  # the same text, compared by PyTorch's class
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne):
        assert op(ours, other) == op(theirs, other), (op.__name__, other)


def test_version_is_a_string_of_pytorch_2_13():
    v = glasstorch.__version__
    assert isinstance(v, str) and v.split("+")[0] == "2.13.0"
    assert v >= "2.0" and v < "3" and v > "2.9"  # "2.13" > "2.9" fails for plain strings
    assert glasstorch.version.__version__ is v
    assert glasstorch.version.cuda is None


def test_glasstorch_version_on_the_command_line():
    out = subprocess.run([sys.executable, "-m", "glasstorch", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip().startswith(f"glasstorch {glasstorch.version.glasstorch} ")
