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


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
def test_true_division_of_same_integer_dtypes_is_float32(dtype):
    # both operands int32: the same-dtype fast path skipped the promotion to the default float
    differential(f"""
        x0 = torch.tensor(inp((), {dtype!r}, 2))
        x1 = torch.tensor(inp((3,), {dtype!r}, 3))
        t0 = x0 / x0
        t1 = x1 / x1
        t2 = torch.div(x1, x0)
    """)


def test_cumsum_of_0d_keeps_0d():
    differential("""
        x0 = torch.tensor(inp((), 'float32', 771), requires_grad=True)
        t0 = x0.cumsum(dim=0)
        t1 = t0 * 2
    """, backward="t1")


def test_integer_casts_do_not_require_grad():
    differential("""
        x0 = torch.tensor(inp((3,), 'float64', 158), requires_grad=True)
        t0 = x0.long()
        t1 = x0.to(torch.int32)
        t2 = x0.bool()
        t3 = x0.float()
    """, backward="t3")


def test_integer_scalar_operands_wrap_around():
    # NumPy 2 refuses uint8 + (-1); PyTorch wraps the scalar to the tensor's dtype
    differential("""
        x0 = torch.tensor(inp((4,), 'uint8', 745))
        x1 = torch.tensor(inp((), 'int32', 5))
        t0 = x0 + -1
        t1 = x0 * -2
        t2 = x0 - 256
        t3 = x1 + 2**40
    """)


def test_clamp_bounds_are_checked_like_torch():
    # -1 wraps for uint8 (as PyTorch does), 300 does not fit: RuntimeError
    differential("""
        x0 = torch.tensor(inp((), 'uint8', 745))
        x1 = torch.tensor(inp((4,), 'uint8', 7))
        t0 = x0.clamp(-1, 1)
        t1 = x1.clamp(min=-1)
        t2 = x1.clamp_min(-1)
        t3 = x1.clamp(max=-1)
        t4 = x1.clamp(min=300)
        t5 = x1.clamp(min=-0.5)
    """)
