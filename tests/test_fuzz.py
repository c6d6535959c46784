"""Differential fuzzing: random programs of tensor ops run on glasstorch and on torch.

Hypothesis builds a program one line at a time: leaf inputs made from NumPy arrays (random
shapes including 0-d, size-1 and empty dims; float32/float64/int64/int32/uint8/bool; random
``requires_grad`` on floats), then 1..8 ops from :data:`OPS` (broadcasting arithmetic, unary
math, reductions, shape ops and views, basic and advanced indexing, in-place ops on views and
non-leaves, matmul, softmax, where/maximum, cat/stack, dtype conversions). Each line is Python
source executed with ``torch`` bound to glasstorch in one namespace and to torch in another.

After every line both namespaces must agree: the same exception type (or none), and for every
tensor variable (so an in-place write through a view must show in its base) equal values (a
dtype-aware tolerance, nan where torch has nan), dtypes, shapes and ``requires_grad``. At the
end, when the last result requires grad, both run backward of a weighted sum of it and the
gradients of all leaves are compared (or the exception types, e.g. a tensor saved for backward
was modified in place).

A failing example prints as a runnable program (``import glasstorch as torch`` or ``import
torch`` on top); hypothesis shrinks it first. Paste it into tests/test_fuzz_regressions.py.

Bounded for CI: 200 derandomized examples. Long mode (nightly)::

    GLASSTORCH_FUZZ_EXAMPLES=20000 /work/venv/bin/pytest tests/test_fuzz.py -q

runs that many random (not derandomized) examples and stops at the first new discrepancy;
``GLASSTORCH_FUZZ_SEED=<n>`` fixes the seed. With ``GLASSTORCH_FUZZ_REPORT=<file>`` it keeps going,
collects every kind of discrepancy (the shortest program of each) into the file, and
``test_report`` fails if there is one. See docs/fuzzing.md.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
import warnings

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

import glasstorch

# -- inputs ----------------------------------------------------------------------------------

DTYPES = ("float32", "float64", "int64", "int32", "uint8", "bool")
FLOAT_DTYPES = ("float32", "float64")


def inp(shape, dtype: str, seed: int = 0) -> np.ndarray:
    """Deterministic input values: normals for floats, small integers, random bools."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype == "uint8":
        return np.asarray(rng.integers(0, 7, shape), dtype=dtype)
    if dtype in ("int64", "int32"):
        return np.asarray(rng.integers(-5, 6, shape), dtype=dtype)
    return np.asarray(rng.standard_normal(shape) * 2, dtype=dtype)


# -- running one program in both libraries ---------------------------------------------------

# (rtol, atol) for values after a chain of ops; atol scales with the largest magnitude present
TOL = {"float32": (1e-4, 1e-5), "float64": (1e-9, 1e-11), "float16": (1e-2, 1e-2)}
GRAD_TOL = {"float32": (1e-3, 1e-4), "float64": (1e-7, 1e-9), "float16": (5e-2, 5e-2)}


def _name(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


class Mismatch(AssertionError):
    pass


class Known(Exception):
    """A discrepancy listed in :data:`KNOWN` (it has an xfail regression test)."""


# Discrepancies found and not fixed yet: (regex searched in the failure report, why). Each has a
# strict xfail test in tests/test_fuzz_regressions.py; when that one passes, drop its entry.
KNOWN: list[tuple[str, str]] = [
    (r'"(softmax_lastdim_kernel_impl|bmm|addmv_impl_cpu|addmm_impl_cpu_|dot|lerp_kernel_scalar)" '
     r"not implemented for '\w+'\n(\(torch did not\)|torch raised RuntimeError: The size)",
     "dtype checks on empty tensors, or before the broadcast check: PyTorch dispatches no "
     "kernel for an empty result, so it raises nothing"),
    (r"glasstorch raised IndexError: Dimension out of range[^\n]*\n\(torch did not\)(?s:.*)= "
     r"torch\.cat\(\[[^\n]*\n---------------$",
     "cat skips legacy empty 1-d tensors before checking dim"),
    (r"glasstorch raised RuntimeError: expected m1 and m2 to have the same dtype",
     "matmul of an empty result with mixed dtypes: PyTorch checks nothing"),
    (r"glasstorch raised RuntimeError: unsupported operation: more than one element",
     "fill_/masked_fill_ on an expanded tensor: PyTorch allows writing one value"),
    (r"torch raised RuntimeError: unsupported operation: some elements of the input tensor",
     "partial overlap between the written-to tensor and an input is not detected"),
    (r"torch raised RuntimeError: derivative for aten::\w+ is not implemented",
     "remainder/floor_divide with a tensor divisor: PyTorch has no gradient, glasstorch gives one"),
    (r"INTERNAL ASSERT FAILED", "a PyTorch bug (True ** tensor), nothing to match"),
    (r"torch raised RuntimeError: Subtraction, the `-` operator, with a bool tensor[^\n]*\n"
     r"\(glasstorch did not\)(?s:.*)\.backward\(\)\n---",
     "PyTorch's backward of x ** (bool tensor) fails (it computes exponent - 1 in bool)"),
    (r"glasstorch raised RuntimeError: Index put requires the source.*\ntorch raised IndexError",
     "index_put checks the dtype before the index shapes"),
    (r"topk\(0, dim=-?[01]\)\S*\n---", "topk(0) of a 0-d tensor is 0-d in PyTorch"),
    (r"torch raised RuntimeError: Output \d+ of \w+ is a view and is being modified inplace",
     "in-place change of a view returned by unbind/split/chunk is not refused"),
    (r"requires_grad False != torch's True \((u?int\d+|bool)\)",
     "PyTorch lets x[...] = v (v requiring grad) make an integer base require grad"),
    (r"torch raised IndexError: The shape of the mask \[0\]",
     "an empty bool mask where the dim is not empty: NumPy indexes nothing"),
]


def compare_tensor(g, t, where: str, tol=TOL) -> None:
    """Same dtype, shape, requires_grad and values (dtype-aware, nan positions equal)."""
    if not isinstance(g, glasstorch.Tensor):
        raise Mismatch(f"{where}: glasstorch has {type(g).__name__}, torch has a Tensor")
    if _name(g.dtype) != _name(t.dtype):
        raise Mismatch(f"{where}: dtype {_name(g.dtype)} != torch's {_name(t.dtype)}")
    if tuple(g.shape) != tuple(t.shape):
        raise Mismatch(f"{where}: shape {tuple(g.shape)} != torch's {tuple(t.shape)}")
    if g.requires_grad != t.requires_grad:
        raise Mismatch(f"{where}: requires_grad {g.requires_grad} != torch's {t.requires_grad} "
                       f"({_name(t.dtype)})")
    gv = np.asarray(g.detach().numpy())
    tv = t.detach().numpy()
    if t.dtype.is_floating_point:
        rtol, atol = tol[_name(t.dtype)]
        finite = np.abs(tv[np.isfinite(tv)])
        scale = max(1.0, float(finite.max())) if finite.size else 1.0
        with np.errstate(invalid="ignore"):
            ok = np.isclose(gv, tv, rtol=rtol, atol=atol * scale, equal_nan=True)
        if not ok.all():
            bad = np.argwhere(~ok)[:3].tolist()
            raise Mismatch(f"{where}: values differ at {bad}\nglasstorch: {gv!r}\ntorch:      "
                           f"{tv!r}")
    elif not np.array_equal(gv, tv):
        raise Mismatch(f"{where}: values differ\nglasstorch: {gv!r}\ntorch:      {tv!r}")


def compare_value(g, t, where: str, tol=TOL) -> None:
    if isinstance(t, torch.Tensor):
        compare_tensor(g, t, where, tol)
    elif isinstance(t, (tuple, list)):
        if not isinstance(g, (tuple, list)) or len(g) != len(t):
            raise Mismatch(f"{where}: glasstorch has {g!r}, torch has {t!r}")
        for i, (a, b) in enumerate(zip(g, t)):
            compare_value(a, b, f"{where}[{i}]", tol)
    elif isinstance(t, (bool, int, float)):
        if type(g) is not type(t) or not (g == t or (g != g and t != t)):
            raise Mismatch(f"{where}: glasstorch has {g!r}, torch has {t!r}")


HEADER = "import numpy as np\nimport torch  # or: import glasstorch as torch\n" \
         "from test_fuzz import inp\n"


class Twin:
    """Two namespaces, one per library, fed the same lines and compared after each."""

    def __init__(self, noting: bool = False):
        self.noting = noting  # hypothesis.note each line (only inside a hypothesis test)
        self.lines: list[str] = []
        self.g = {"torch": glasstorch, "np": np, "inp": inp, "math": math}
        self.t = {"torch": torch, "np": np, "inp": inp, "math": math}

    def source(self) -> str:
        return HEADER + "\n".join(self.lines)

    def fail(self, msg: str):
        report = f"{msg}\n\n--- program ---\n{self.source()}\n---------------"
        for pattern, _why in KNOWN:
            if re.search(pattern, report):
                raise Known(pattern)
        raise Mismatch(report)

    @staticmethod
    def _exec(code: str, ns: dict):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    exec(code, ns)
        except Exception as e:  # noqa: BLE001 - the types are compared
            return e
        return None

    def run(self, code: str) -> BaseException | None:
        """Run one line in both libraries; return torch's exception (if any)."""
        self.lines.append(code)
        if self.noting:
            note(code)
        te = self._exec(code, self.t)
        ge = self._exec(code, self.g)
        if te is not None or ge is not None:
            if te is None:
                self.fail(f"glasstorch raised {type(ge).__name__}: {ge}\n(torch did not)")
            if ge is None:
                self.fail(f"torch raised {type(te).__name__}: {te}\n(glasstorch did not)")
            if type(ge) is not type(te):
                self.fail(f"glasstorch raised {type(ge).__name__}: {ge}\n"
                          f"torch raised {type(te).__name__}: {te}")
        self.compare_all()
        return te

    def tensors(self) -> dict:
        return {k: v for k, v in self.t.items() if isinstance(v, torch.Tensor)}

    def tolerance(self, tol: dict) -> dict:
        """float64 values computed from float32 ones carry float32's rounding differences."""
        if any(t.dtype in (torch.float32, torch.float16) for t in self.tensors().values()):
            return {**tol, "float64": tol["float32"]}
        return tol

    def compare_all(self) -> None:
        tol = self.tolerance(TOL)
        for name, tv in self.tensors().items():
            if name not in self.g:
                self.fail(f"{name}: defined in torch only")
            try:
                compare_value(self.g[name], tv, name, tol)
            except Mismatch as e:
                self.fail(str(e))

    def backward(self, name: str, seed: int = 0) -> None:
        """backward of sum(w * name) in both; compare the leaves' gradients."""
        t = self.t.get(name)
        if not isinstance(t, torch.Tensor) or not t.requires_grad:
            return
        w = np.random.default_rng(seed).standard_normal(tuple(t.shape)).astype(_name(t.dtype))
        self.t["w"] = torch.tensor(w)
        self.g["w"] = glasstorch.tensor(w)
        self.run(f"({name} * w).sum().backward()")
        for k, tv in self.tensors().items():
            if not k.startswith("x"):
                continue
            gv = self.g[k]
            if tv.grad is None:
                if gv.grad is not None:
                    self.fail(f"{k}.grad: glasstorch has a gradient, torch has None")
                continue
            if gv.grad is None:
                self.fail(f"{k}.grad: glasstorch has None, torch has a gradient")
            try:
                compare_tensor(gv.grad, tv.grad, f"{k}.grad", self.tolerance(GRAD_TOL))
            except Mismatch as e:
                self.fail(str(e))


def differential(program: str, backward: str | None = None) -> Twin:
    """Run a program (one statement per line) on both libraries, comparing after each line;
    then, if ``backward`` names a variable that requires grad, compare gradients."""
    twin = Twin()
    for line in textwrap.dedent(program).strip().splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "import", "from")):
            twin.run(line.strip())
    if backward:
        twin.backward(backward)
    return twin


# -- drawing programs ------------------------------------------------------------------------
#
# Each generator below gets ``draw`` and the program state ``P`` and returns one line of source
# assigning the next variable ``P.out`` (it may first add new inputs with ``P.new_input``).
# Arguments are chosen from what torch's namespace holds, so most lines are valid, while a
# share of them is deliberately invalid (bad dims, shapes that do not broadcast, out-of-range
# indices) to compare the errors.


class Prog:
    def __init__(self, draw, twin: Twin):
        self.draw, self.twin = draw, twin
        self.n_inputs = 0
        self.n_vars = 0
        self.out = "t0"

    def vars(self, pred=None) -> list[str]:
        return [k for k, v in self.twin.tensors().items()
                if k != "w" and (pred is None or pred(v))]

    def pick(self, pred=None) -> str | None:
        names = self.vars(pred)
        return self.draw(st.sampled_from(names)) if names else None

    def new_input(self, shape, dtype: str | None = None, grad: bool | None = None) -> str:
        draw = self.draw
        dtype = dtype or draw(st.sampled_from(DTYPES))
        if grad is None:
            grad = dtype in FLOAT_DTYPES and draw(st.booleans())
        name = f"x{self.n_inputs}"
        self.n_inputs += 1
        s = draw(st.integers(0, 999))
        rg = ", requires_grad=True" if grad else ""
        self.twin.run(f"{name} = torch.tensor(inp({tuple(shape)}, {dtype!r}, {s}){rg})")
        return name

    def shape_of(self, name: str) -> tuple:
        return tuple(self.twin.t[name].shape)

    def dtype_of(self, name: str) -> str:
        return _name(self.twin.t[name].dtype)


def shapes(min_dims=0, max_dims=4, max_side=4):
    return st.lists(st.integers(0, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def side_shape(draw, shape: tuple) -> tuple:
    """A shape that broadcasts with ``shape`` (fewer leading dims, some dims 1), rarely not."""
    if draw(st.integers(0, 19)) == 0:
        return draw(shapes())
    keep = draw(st.integers(0, len(shape)))
    out = [d if draw(st.integers(0, 2)) else 1 for d in shape[len(shape) - keep:]]
    if draw(st.integers(0, 5)) == 0:
        out = [draw(st.integers(1, 3))] + out  # the other operand adds a leading dim
    return tuple(out)


def operand(draw, P: Prog, a: str, scalars=True) -> str:
    """A second operand for ``a``: a variable, a new broadcastable input, or a Python scalar."""
    kind = draw(st.sampled_from(["var", "new", "new", "scalar"] if scalars else
                                ["var", "new", "new"]))
    if kind == "var":
        return P.pick()
    if kind == "new":
        return P.new_input(side_shape(draw, P.shape_of(a)))
    return repr(draw(st.sampled_from([2, -1, 0, 3, 0.5, -1.5, 2.0, True, 1e-3])))


def dim_arg(draw, ndim: int, allow_bad=True) -> int:
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if allow_bad and draw(st.integers(0, 14)) == 0:
        return draw(st.sampled_from([hi + 1, lo - 1]))
    return draw(st.integers(lo, hi))


BINARY = ["+", "-", "*", "/", "//", "%", "**", "<", "==", ">=", "&", "|", "^"]


def g_binary(draw, P):
    a = P.pick()
    b = operand(draw, P, a)
    op = draw(st.sampled_from(BINARY))
    if draw(st.integers(0, 3)) == 0 and b[0] not in "xt":
        return f"{P.out} = {b} {op} {a}"  # reflected operator
    return f"{P.out} = {a} {op} {b}"


BINARY_FN = ["torch.maximum", "torch.minimum", "torch.add", "torch.sub", "torch.mul",
             "torch.div", "torch.atan2", "torch.pow", "torch.fmod", "torch.remainder"]


def g_binary_fn(draw, P):
    a = P.pick()
    b = operand(draw, P, a, scalars=False)
    fn = draw(st.sampled_from(BINARY_FN))
    if fn == "torch.add" and draw(st.booleans()):
        return f"{P.out} = {fn}({a}, {b}, alpha=2)"
    if fn == "torch.div" and draw(st.booleans()):
        mode = draw(st.sampled_from(["floor", "trunc"]))
        return f"{P.out} = {fn}({a}, {b}, rounding_mode={mode!r})"
    return f"{P.out} = {fn}({a}, {b})"


UNARY = ["exp", "log", "sqrt", "abs", "neg", "sin", "cos", "tanh", "sigmoid", "relu", "floor",
         "ceil", "round", "sign", "reciprocal", "rsqrt", "square", "log1p", "expm1", "trunc",
         "frac", "log2", "exp2", "logical_not", "isnan", "isfinite", "sinh", "atan", "erf",
         "bitwise_not"]


def _have(names: list[str]) -> list[str]:
    """The names glasstorch implements (as torch.X or Tensor.X): ops it lacks are reported in
    docs/fuzzing.md and join the fuzzing by themselves once they exist."""
    return [n for n in names if hasattr(glasstorch, n.removeprefix("torch."))
            or hasattr(glasstorch.Tensor, n.removeprefix("torch."))]


MISSING = sorted({n.removeprefix("torch.") for n in UNARY + BINARY_FN} - set(
    n.removeprefix("torch.") for n in _have(UNARY + BINARY_FN)))
UNARY, BINARY_FN = _have(UNARY), _have(BINARY_FN)


def g_unary(draw, P):
    a = P.pick()
    fn = draw(st.sampled_from(UNARY))
    if draw(st.integers(0, 9)) == 0:
        return f"{P.out} = ~{a}"
    if draw(st.booleans()):
        return f"{P.out} = {a}.{fn}()"
    return f"{P.out} = torch.{fn}({a})"


def g_clamp_pow(draw, P):
    a = P.pick()
    kind = draw(st.sampled_from(["clamp", "clamp_min", "clamp_max", "pow", "rpow", "neg"]))
    lo = draw(st.sampled_from([-1, 0, 0.5, -0.25]))
    hi = draw(st.sampled_from([1, 2, 0.75]))
    if kind == "clamp":
        args = draw(st.sampled_from([f"{lo}, {hi}", f"min={lo}", f"max={hi}"]))
        return f"{P.out} = {a}.clamp({args})"
    if kind == "clamp_min":
        return f"{P.out} = {a}.clamp_min({lo})"
    if kind == "clamp_max":
        return f"{P.out} = torch.clamp({a}, max={hi})"
    if kind == "pow":
        return f"{P.out} = {a} ** {draw(st.sampled_from([2, 3, 0.5, -1, 0, 1.5, -2]))}"
    if kind == "rpow":
        return f"{P.out} = {draw(st.sampled_from([2, 0.5, 3.0]))} ** {a}"
    return f"{P.out} = -{a}"


REDUCE_DIM = ["sum", "mean", "prod", "amax", "amin", "logsumexp", "std", "var", "all", "any",
              "nansum", "norm"]
REDUCE_PAIR = ["max", "min", "median"]
REDUCE_IDX = ["argmax", "argmin"]
SCAN = ["cumsum", "cumprod", "softmax", "log_softmax"]
MISSING += [n for n in REDUCE_DIM + REDUCE_PAIR + REDUCE_IDX + SCAN if not _have([n])]
REDUCE_DIM, REDUCE_PAIR, REDUCE_IDX, SCAN = map(_have, (REDUCE_DIM, REDUCE_PAIR, REDUCE_IDX, SCAN))


def g_reduce(draw, P):
    a = P.pick()
    nd = len(P.shape_of(a))
    family = draw(st.sampled_from(["dim", "dim", "pair", "idx", "scan", "full"]))
    keep = draw(st.booleans())
    if family == "full":
        fn = draw(st.sampled_from(REDUCE_DIM[:3] + REDUCE_PAIR + REDUCE_IDX +
                                  ["std", "var", "all", "any", "norm"]))
        return f"{P.out} = {a}.{fn}()"
    if family == "dim":
        fn = draw(st.sampled_from(REDUCE_DIM))
        if fn in ("sum", "mean", "amax", "amin", "nansum", "std", "var", "logsumexp") \
                and nd >= 2 and draw(st.booleans()):
            dims = draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                                 unique_by=lambda d: d % nd))
            dim = repr(tuple(dims))
        else:
            dim = str(dim_arg(draw, nd))
        extra = ""
        if fn in ("std", "var") and draw(st.booleans()):
            extra = f", correction={draw(st.sampled_from([0, 1, 2]))}"
        if fn == "norm":
            return f"{P.out} = {a}.norm(dim={dim}, keepdim={keep})"
        if fn == "mean" and draw(st.integers(0, 3)) == 0:
            extra = ", dtype=torch.float64"
        return f"{P.out} = {a}.{fn}(dim={dim}, keepdim={keep}{extra})"
    dim = dim_arg(draw, nd)
    if family == "pair":
        fn = draw(st.sampled_from(REDUCE_PAIR))
        part = draw(st.sampled_from([".values", ".indices", "[0]", "[1]"]))
        return f"{P.out} = {a}.{fn}(dim={dim}, keepdim={keep}){part}"
    if family == "idx":
        fn = draw(st.sampled_from(REDUCE_IDX))
        return f"{P.out} = torch.{fn}({a}, dim={dim}, keepdim={keep})"
    fn = draw(st.sampled_from(SCAN))
    if fn in ("softmax", "log_softmax") and draw(st.booleans()):
        return f"{P.out} = torch.{fn}({a}, dim={dim}, dtype=torch.float64)"
    return f"{P.out} = {a}.{fn}(dim={dim})"


def factor_shape(draw, n: int) -> list:
    """A random shape with ``n`` elements (0 allowed)."""
    if n == 0:
        dims = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
        return dims if 0 in dims else dims + [0]
    dims, rest = [], n
    for p in (2, 3, 5, 7):
        while rest % p == 0:
            rest //= p
            dims.append(p)
    dims = dims + ([rest] if rest > 1 else [])
    # merge random neighbours, sprinkle 1s
    while len(dims) > 1 and draw(st.booleans()):
        i = draw(st.integers(0, len(dims) - 2))
        dims[i:i + 2] = [dims[i] * dims[i + 1]]
    if draw(st.integers(0, 3)) == 0:
        dims.insert(draw(st.integers(0, len(dims))), 1)
    return dims


def g_shape(draw, P):
    a = P.pick()
    shape = P.shape_of(a)
    nd = len(shape)
    op = draw(st.sampled_from(["view", "reshape", "transpose", "permute", "unsqueeze",
                               "squeeze", "expand", "flatten", "t", "mT", "contiguous",
                               "clone", "detach", "flip", "T", "narrow", "chunk", "split",
                               "unbind", "movedim", "repeat"]))
    if op in ("view", "reshape"):
        dims = factor_shape(draw, math.prod(shape))
        if dims and draw(st.booleans()) and 0 not in dims:
            dims[draw(st.integers(0, len(dims) - 1))] = -1
        if draw(st.integers(0, 9)) == 0:
            dims = dims + [2]  # wrong number of elements
        return f"{P.out} = {a}.{op}({', '.join(map(str, dims))})"
    if op == "transpose":
        return f"{P.out} = {a}.transpose({dim_arg(draw, nd)}, {dim_arg(draw, nd)})"
    if op == "movedim":
        return f"{P.out} = torch.movedim({a}, {dim_arg(draw, nd)}, {dim_arg(draw, nd)})"
    if op == "permute":
        perm = draw(st.permutations(range(nd)))
        return f"{P.out} = {a}.permute({', '.join(map(str, perm))})"
    if op == "unsqueeze":
        return f"{P.out} = {a}.unsqueeze({dim_arg(draw, nd + 1)})"
    if op == "squeeze":
        if draw(st.booleans()):
            return f"{P.out} = {a}.squeeze()"
        return f"{P.out} = {a}.squeeze({dim_arg(draw, nd)})"
    if op == "expand":
        new = [draw(st.sampled_from([s, -1] if s != 1 else [1, 2, 3, -1])) for s in shape]
        lead = draw(st.lists(st.integers(0, 3), max_size=2))
        return f"{P.out} = {a}.expand({', '.join(map(str, lead + new)) or '()'})"
    if op == "flatten":
        if nd == 0 or draw(st.booleans()):
            return f"{P.out} = {a}.flatten()"
        s, e = sorted([dim_arg(draw, nd, False) % nd, dim_arg(draw, nd, False) % nd])
        return f"{P.out} = {a}.flatten({s}, {e})"
    if op in ("t", "contiguous", "clone", "detach"):
        return f"{P.out} = {a}.{op}()"
    if op in ("mT", "T"):
        return f"{P.out} = {a}.{op}"
    if op == "flip":
        dims = draw(st.lists(st.integers(-nd, nd - 1), max_size=nd, unique_by=lambda d: d % nd)
                    ) if nd else []
        return f"{P.out} = {a}.flip({tuple(dims)})"
    if op == "narrow":
        d = dim_arg(draw, nd)
        size = shape[d] if -nd <= d < nd else 1
        start = draw(st.integers(0, size))
        return f"{P.out} = {a}.narrow({d}, {start}, {draw(st.integers(0, size - start + 1))})"
    if op in ("chunk", "split", "unbind"):
        d = dim_arg(draw, nd)
        k = draw(st.integers(0, 2))
        if op == "unbind":
            return f"{P.out} = {a}.unbind({d})[{k}]"
        return f"{P.out} = {a}.{op}({draw(st.integers(1, 3))}, dim={d})[{k}]"
    reps = draw(st.lists(st.integers(0, 2), min_size=nd, max_size=nd + 1))
    return f"{P.out} = {a}.repeat({', '.join(map(str, reps)) or '()'})"


def index_key(draw, P, shape: tuple) -> str:
    """Source of a random key for ``shape``: ints, slices, None, ..., lists, index tensors,
    boolean masks; mostly in range."""
    parts, d, used_ellipsis = [], 0, False
    for _ in range(draw(st.integers(1, max(1, len(shape) + 1)))):
        size = shape[d] if d < len(shape) else 0
        kind = draw(st.sampled_from(["int", "slice", "slice", "none", "ellipsis", "list",
                                     "tensor", "mask", "bool"]))
        if kind == "int":
            if draw(st.integers(0, 9)) == 0 or size == 0:
                parts.append(str(draw(st.sampled_from([size, -size - 1, 5]))))
            else:
                parts.append(str(draw(st.integers(-size, size - 1))))
            d += 1
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            step = draw(st.sampled_from([None, None, 1, 2, 3]))
            s = f"{'' if start is None else start}:{'' if stop is None else stop}"
            parts.append(s + (f":{step}" if step else ""))
            d += 1
        elif kind == "none":
            parts.append("None")
        elif kind == "ellipsis" and not used_ellipsis:
            parts.append("...")
            used_ellipsis = True
            d = max(d, len(shape) - draw(st.integers(0, max(0, len(shape) - d))))
        elif kind == "bool":
            parts.append(draw(st.sampled_from(["True", "False"])))
        elif kind in ("list", "tensor"):
            hi = max(size, 1) - 1 if size else 0
            idx = draw(st.lists(st.integers(-size, hi) if size else st.just(0), max_size=3))
            if kind == "list":
                parts.append(repr(idx) if idx else "[]")
            else:
                two_d = len(idx) == 2 and draw(st.booleans())
                parts.append(f"torch.tensor({[idx] if two_d else idx}, dtype=torch.int64)")
            d += 1
        elif kind == "mask":
            mask = draw(st.lists(st.booleans(), min_size=size, max_size=size))
            parts.append(f"torch.tensor({mask}, dtype=torch.bool)")
            d += 1
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return ", ".join(parts) + ("," if len(parts) == 1 else "")


def g_index(draw, P):
    a = P.pick()
    shape = P.shape_of(a)
    if draw(st.integers(0, 4)) == 0 and len(shape) >= 1:
        # a boolean mask of the full shape from a comparison
        return f"{P.out} = {a}[{a} > 0]"
    if draw(st.integers(0, 5)) == 0 and len(shape) >= 1:
        d = dim_arg(draw, len(shape), False)
        n = shape[d]
        idx = draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=3)) if n else []
        fn = draw(st.sampled_from(["index_select", "gather"]))
        if fn == "gather":
            ishape = list(shape)
            ishape[d] = len(idx)
            if ishape and math.prod(ishape) and n:
                ix = P.new_input(ishape, "int64")
                return f"{P.out} = {a}.gather({d}, {ix}.abs() % {n})"
        return f"{P.out} = {a}.index_select({d}, torch.tensor({idx}, dtype=torch.int64))"
    return f"{P.out} = {a}[{index_key(draw, P, shape)}]"


def nonleaf_target(draw, P) -> str:
    """A tensor to write into: usually a fresh non-leaf or a view of one, sometimes anything."""
    a = P.pick()
    how = draw(st.sampled_from(["as is", "clone", "clone", "view", "view"]))
    if how == "as is":
        return a
    P.twin.run(f"{P.out} = {a}.clone()" if how == "clone" else f"{P.out} = {a} * 1")
    if how == "view" and P.out in P.twin.t:
        base = P.out
        P.n_vars += 1
        P.out = f"t{P.n_vars}"
        shape = P.shape_of(base)
        if shape:
            view = draw(st.sampled_from([f"{base}[{index_key(draw, P, shape)}]", f"{base}.T",
                                         f"{base}.unsqueeze(0)", f"{base}.view(-1)",
                                         f"{base}.expand(2, *{base}.shape)"]))
        else:
            view = f"{base}.view(1)"
        P.twin.run(f"{P.out} = {view}")
    target = P.out
    P.n_vars += 1
    P.out = f"t{P.n_vars}"
    return target


def g_inplace(draw, P):
    a = nonleaf_target(draw, P)
    if a not in P.twin.t:
        return f"{P.out} = {P.pick()}"
    op = draw(st.sampled_from(["add_", "mul_", "sub_", "div_", "clamp_", "setitem", "setitem",
                               "zero_", "fill_", "copy_", "relu_", "exp_", "pow_",
                               "masked_fill_"]))
    shape = P.shape_of(a)
    if op in ("add_", "mul_", "sub_", "div_"):
        return f"{a}.{op}({operand(draw, P, a)}); {P.out} = {a}"
    if op == "pow_":
        return f"{a}.pow_({draw(st.sampled_from([2, 0.5, 3]))}); {P.out} = {a}"
    if op == "clamp_":
        return f"{a}.clamp_(min={draw(st.sampled_from([-0.5, 0, 1]))}); {P.out} = {a}"
    if op in ("zero_", "relu_", "exp_"):
        return f"{a}.{op}(); {P.out} = {a}"
    if op == "fill_":
        return f"{a}.fill_({draw(st.sampled_from([1.5, 2, -3, True]))}); {P.out} = {a}"
    if op == "copy_":
        return f"{a}.copy_({P.new_input(side_shape(draw, shape))}); {P.out} = {a}"
    if op == "masked_fill_":
        return f"{a}.masked_fill_({a} > 0, {draw(st.sampled_from([0, -1.5, 7]))}); {P.out} = {a}"
    key = index_key(draw, P, shape) if shape else draw(st.sampled_from(["...", "None", "()"]))
    value = draw(st.sampled_from(["scalar", "var", "new"]))
    if value == "scalar":
        v = repr(draw(st.sampled_from([0, 1.5, -2, True])))
    elif value == "var":
        v = P.pick()
    else:
        v = P.new_input(draw(shapes(max_dims=2)))
    return f"{a}[{key}] = {v}; {P.out} = {a}"


def g_matmul(draw, P):
    a = P.pick(lambda t: t.dim() >= 1)
    if a is None:
        return f"{P.out} = {P.pick()} @ {P.pick()}"
    shape = P.shape_of(a)
    k = shape[-1]
    m = draw(st.integers(0, 3))
    bshape = draw(st.sampled_from([(k,), (k, m), (2, k, m), (1, k, m)]))
    if draw(st.integers(0, 9)) == 0:
        bshape = (k + 1, m)
    b = P.new_input(bshape, draw(st.sampled_from([P.dtype_of(a)] * 4 + list(DTYPES))))
    fn = draw(st.sampled_from(["@", "matmul", "mm", "bmm", "mv", "dot", "outer"]))
    if fn == "@":
        return f"{P.out} = {a} @ {b}"
    if fn in ("matmul", "outer"):
        return f"{P.out} = torch.{fn}({a}, {b})"
    return f"{P.out} = {a}.{fn}({b})"


def g_where(draw, P):
    a = P.pick()
    b = operand(draw, P, a)
    fn = draw(st.sampled_from(["where", "where", "maximum", "where_mask"]))
    if fn == "where":
        return f"{P.out} = torch.where({a} > 0, {a}, {b})"
    if fn == "where_mask":
        c = P.pick(lambda t: t.dtype == torch.bool)
        if c is not None:
            return f"{P.out} = torch.where({c}, {a}, {b})"
    if b[0] not in "xt":
        return f"{P.out} = {a}.clamp(min={b})"
    return f"{P.out} = torch.maximum({a}, {b})"


def g_cat(draw, P):
    a = P.pick()
    shape = list(P.shape_of(a))
    fn = draw(st.sampled_from(["cat", "stack", "cat_var"]))
    nd = len(shape)
    d = dim_arg(draw, nd + (fn == "stack"))
    other = list(shape)
    if fn == "cat" and nd and -nd <= d < nd:
        other[d] = draw(st.integers(0, 3))
    if fn == "cat_var":
        b = P.pick()
        fn = "cat"
    else:
        dt = draw(st.sampled_from([P.dtype_of(a)] * 3 + list(DTYPES)))
        b = P.new_input(other, dt)
    parts = draw(st.sampled_from([[a, b], [b, a], [a, b, a], [a]]))
    return f"{P.out} = torch.{fn}([{', '.join(parts)}], dim={d})"


CASTS = ["float()", "double()", "long()", "int()", "bool()", "byte()", "to(torch.float64)",
         "to(torch.int32)", "type(torch.float32)", "to(torch.uint8)", "half().float()"]


def g_cast(draw, P):
    a = P.pick()
    t = P.twin.t[a].detach()
    cast = draw(st.sampled_from(CASTS))
    if t.is_floating_point() and any(s in cast for s in ("long", "int", "byte", "uint8")):
        # float -> integer of nan, inf or out-of-range values is undefined behaviour in C
        lo, hi = (0, 255) if ("byte" in cast or "uint8" in cast) else (-2**31, 2**31 - 1)
        v = t.numpy()
        if not (np.isfinite(v).all() and (v.size == 0 or (v.min() > lo - 1 and v.max() < hi))):
            cast = "double()"
    if "uint8" in cast or "byte" in cast:
        v = t.numpy()
        if v.size and v.dtype.kind == "i" and v.min() < 0:
            cast = "float()"  # negative ints to uint8 wrap; fine, but keep values positive
    return f"{P.out} = {a}.{cast}"


MISC = ["eq", "lerp", "addcmul", "masked_fill", "sort", "topk", "triu", "abs_sub", "mean_cast",
        "sum_dtype", "tril", "lt_sum"]
MISSING += [n for n in MISC if n in ("addcmul", "lerp", "sort", "topk") and not _have([n])]
MISC = [n for n in MISC if n not in MISSING]


def g_misc(draw, P):
    a = P.pick()
    b = operand(draw, P, a, scalars=False)
    fn = draw(st.sampled_from(MISC))
    nd = len(P.shape_of(a))
    if fn == "eq":
        return f"{P.out} = torch.eq({a}, {b})"
    if fn == "lerp":
        return f"{P.out} = torch.lerp({a}, {b}, 0.25)"
    if fn == "addcmul":
        return f"{P.out} = torch.addcmul({a}, {b}, {a}, value=0.5)"
    if fn == "masked_fill":
        return f"{P.out} = {a}.masked_fill({b} > 0, -1)"
    if fn == "sort":
        return f"{P.out} = {a}.sort(dim={dim_arg(draw, nd)}, descending=True).values"
    if fn == "topk":
        d = dim_arg(draw, nd)
        return f"{P.out} = {a}.topk({draw(st.integers(0, 2))}, dim={d})[0]"
    if fn in ("triu", "tril"):
        return f"{P.out} = {a}.{fn}({draw(st.integers(-1, 1))})"
    if fn == "abs_sub":
        return f"{P.out} = ({a} - {b}).abs().mean()"
    if fn == "mean_cast":
        return f"{P.out} = {a}.float().mean(dim={dim_arg(draw, nd)})"
    if fn == "sum_dtype":
        return f"{P.out} = {a}.sum(dtype=torch.float64)"
    return f"{P.out} = ({a} < {b}).sum()"


OPS = {
    "binary": (g_binary, 4),
    "binary_fn": (g_binary_fn, 2),
    "unary": (g_unary, 3),
    "clamp_pow": (g_clamp_pow, 1),
    "reduce": (g_reduce, 3),
    "shape": (g_shape, 4),
    "index": (g_index, 3),
    "inplace": (g_inplace, 4),
    "matmul": (g_matmul, 2),
    "where": (g_where, 1),
    "cat": (g_cat, 1),
    "cast": (g_cast, 1),
    "misc": (g_misc, 1),
}
OP_NAMES = [name for name, (_, weight) in OPS.items() for _ in range(weight)]


def draw_program(data) -> Twin:
    """Draw and run a random program, comparing as it goes; return the finished twin."""
    draw = data.draw
    twin = Twin(noting=True)
    P = Prog(draw, twin)
    for _ in range(draw(st.integers(1, 2))):
        P.new_input(draw(shapes()))
    final = None
    for _ in range(draw(st.integers(1, 8), label="length")):
        P.out = f"t{P.n_vars}"
        gen, _w = OPS[draw(st.sampled_from(OP_NAMES), label="op")]
        twin.run(gen(draw, P))
        if P.out in twin.t:
            final = P.out
        P.n_vars += 1
    twin.backward(final or "x0", seed=draw(st.integers(0, 9)))
    return twin


# -- the test --------------------------------------------------------------------------------

EXAMPLES = int(os.environ.get("GLASSTORCH_FUZZ_EXAMPLES", "0"))
LONG = EXAMPLES > 0
# long mode with a report file: keep going after a discrepancy, collect them all (see below)
REPORT = os.environ.get("GLASSTORCH_FUZZ_REPORT") if LONG else None
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES if LONG else 200,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    # collecting: no shrinking (nothing fails); the shortest program per kind is reported
    phases=[Phase.generate] if REPORT else list(Phase),
)
STATS = {"programs": 0, "lines": 0, "known": {}, "found": {}}


def _kind(report: str) -> str:
    """A discrepancy's kind: its first line with numbers and names blurred."""
    first = re.sub(r"\d+", "N", report.split("\n")[0])
    return re.sub(r"^[tx]N", "V", first)[:160]


@FUZZ_SETTINGS
@given(st.data())
def test_random_programs(data):
    STATS["programs"] += 1
    twin = None
    try:
        twin = draw_program(data)
    except Known as k:
        STATS["known"][str(k)] = STATS["known"].get(str(k), 0) + 1
    except Mismatch as e:
        if not REPORT:
            raise
        STATS["found"].setdefault(_kind(str(e)), []).append(str(e))
    if twin is not None:
        STATS["lines"] += len(twin.lines)


if LONG and os.environ.get("GLASSTORCH_FUZZ_SEED"):
    test_random_programs = seed(int(os.environ["GLASSTORCH_FUZZ_SEED"]))(test_random_programs)


def test_report():
    """Long mode with GLASSTORCH_FUZZ_REPORT=<file>: write what the run found, fail if new."""
    if not REPORT:
        return
    found = STATS["found"]
    out = [f"programs run: {STATS['programs']} (completed ones had {STATS['lines']} lines)",
           f"known discrepancies hit: {sum(STATS['known'].values())}"]
    out += [f"  {n:6d}  {pattern}" for pattern, n in sorted(STATS["known"].items(),
                                                             key=lambda kv: -kv[1])]
    out.append(f"new kinds of discrepancy: {len(found)}")
    for kind, reports in sorted(found.items(), key=lambda kv: -len(kv[1])):
        out += ["", "=" * 80, f"[{len(reports)} programs] {kind}", min(reports, key=len)]
    with open(REPORT, "w") as f:
        f.write("\n".join(out) + "\n")
    assert not found, f"{len(found)} new kinds of discrepancy, see {REPORT}"
