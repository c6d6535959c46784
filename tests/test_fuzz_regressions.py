"""Every discrepancy the fuzzer (tests/test_fuzz.py) found, as a small differential program.

Each test runs its program line by line on glasstorch and on torch through ``differential``
(values, dtypes, shapes, requires_grad and exception types compared after every line; gradients
of the leaves when ``backward`` names the result). The programs are the fuzzer's shrunk output,
sometimes trimmed further. Unfixed ones are strict xfails with the reason.
"""

from __future__ import annotations

import pytest
from test_fuzz import differential


def test_view_of_0d_result_shares_memory():
    # x * 1 of a 0-d tensor was a NumPy scalar inside, so view(1) was a copy and
    # zero_() on the view left the base unchanged
    differential("""
        x0 = torch.tensor(inp((), 'float32', 0))
        t0 = x0 * 1
        t1 = t0.view(1)
        t1.zero_(); t2 = t1
        t3 = x0 + 1
        t3.add_(1)
    """)


@pytest.mark.parametrize("op", ["&", "|", "^"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bitwise_on_float_raises_not_implemented(op, dtype):
    # torch raises NotImplementedError (a RuntimeError subclass), naming the promoted dtype
    differential(f"""
        x0 = torch.tensor(inp((2,), {dtype!r}, 0))
        x1 = torch.tensor(inp((2,), 'int64', 1))
        t0 = x0 {op} x0
        t1 = x1 {op} 1.5
        t2 = x1 {op} x0
        t3 = torch.bitwise_not(x0)
    """)


def test_invert_float_is_type_error():
    differential("""
        x0 = torch.tensor(inp((3,), 'float32', 0))
        t0 = ~x0
    """)


def test_softmax_of_integers_not_implemented():
    differential("""
        x0 = torch.tensor(inp((3,), 'int64', 0))
        t0 = x0.softmax(0)
        t1 = torch.log_softmax(x0, dim=0)
        t2 = torch.softmax(x0, dim=0, dtype=torch.float64)
    """)
