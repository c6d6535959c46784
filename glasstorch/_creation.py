"""Creating tensors: from data (tensor, as_tensor, from_numpy), filled (zeros, ones, full,
eye, arange, linspace) and random (rand, randn, randint, randperm, normal ...).

Random values come from ``glasstorch._random``, which reproduces PyTorch CPU's Mersenne
Twister streams, so the same seed gives the same numbers as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtype as D
from . import _random as R
from ._device import check_device
from ._tensor import Tensor, _as_array, _make, _size_args, apply
from ._warnings import warn
from .autograd.function import Node

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "eye",
    "arange", "range", "linspace", "logspace", "zeros_like", "ones_like", "empty_like",
    "full_like", "rand", "rand_like", "randn", "randn_like", "randint", "randint_like",
    "randperm", "normal", "bernoulli", "multinomial", "poisson", "scalar_tensor", "tril",
    "triu", "tril_indices", "triu_indices",
]


def _finish(arr: np.ndarray, requires_grad: bool, out: Tensor | None = None) -> Tensor:
    if out is not None:
        out._data = arr if out._data.shape != arr.shape else out._data
        if out._data is not arr:
            np.copyto(out._data, arr, casting="unsafe")
        out._vc[0] += 1
        return out
    t = _make(arr)
    if requires_grad:
        if arr.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients\n"
                f"[glasstorch] These values became {t.dtype}; write them as floats "
                "(torch.tensor([1., 2.], requires_grad=True)) or pass dtype=torch.float32."
            )
        t._requires_grad = True  # honoured even under no_grad, as in PyTorch
    return t


def _out_dtype(dtype, out: Tensor | None):
    """With ``out=`` and no dtype, a factory makes values of out's dtype, as in PyTorch."""
    return out.dtype if dtype is None and out is not None else dtype


def _dt(dtype, default=None) -> D.dtype:
    if dtype is None:
        return default or D.get_default_dtype()
    return D.to_dtype(dtype)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, arrays, tensors).

    Python floats become float32 (the default dtype), ints int64, bools bool; NumPy arrays keep
    their dtype (so float64 data stays float64: pass ``dtype=torch.float32`` for models).
    """
    check_device(device)
    if isinstance(data, Tensor):
        warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
        )
    elif isinstance(data, (list, tuple)) and _has_tensors(data):
        data = _nested_arrays(data)
    arr = _as_array(data, None if dtype is None else D.to_dtype(dtype))
    return _finish(arr, requires_grad)


def _has_tensors(data) -> bool:
    for x in data:
        if isinstance(x, Tensor):
            return True
        if isinstance(x, (list, tuple)) and x and _has_tensors(x):
            return True
    return False


def _nested_arrays(data):
    # PyTorch reads each tensor in the list as one number, so each must hold exactly one
    return [_scalar_array(x) if isinstance(x, Tensor) else
            _nested_arrays(x) if isinstance(x, (list, tuple)) else x for x in data]


def _scalar_array(x) -> np.ndarray:
    if x._data.size != 1:
        raise ValueError(
            "only one element tensors can be converted to Python scalars\n[glasstorch] "
            f"torch.tensor(list) reads each tensor in the list as one number, but one has "
            f"shape {list(x.shape)}; to join tensors into one, use torch.stack(list) (new "
            "dimension) or torch.cat(list) (existing dimension)."
        )
    return x._data.reshape(())


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when no conversion is
    needed."""
    check_device(device)
    d = None if dtype is None else D.to_dtype(dtype)
    if isinstance(data, Tensor):
        return data if d is None or d is data.dtype else data.to(d)
    if isinstance(data, np.ndarray) and data.dtype in D._BY_NP and (
            d is None or d.np == data.dtype):
        t = _make(data)
        return t
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (same dtype; changes show on both sides)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return _make(ndarray)


def zeros(*size, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    return _finish(np.zeros(_size_args(size), _dt(dtype).np), requires_grad, out)


def ones(*size, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    check_device(device)
    dtype = _out_dtype(dtype, out)
    return _finish(np.ones(_size_args(size), _dt(dtype).np), requires_grad, out)


def empty(*size, out=None, dtype=None, device=None, requires_grad=False,
          memory_format=None) -> Tensor:
    """Uninitialised memory (glasstorch zero-fills it, so results are reproducible)."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    return _finish(np.zeros(_size_args(size), _dt(dtype).np), requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype follows the value (bool, int64, float)."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    if dtype is None:
        if isinstance(fill_value, Tensor):
            dt = fill_value.dtype
            fill_value = fill_value.item()
        else:
            dt = D._scalar_dtype(fill_value)
    else:
        dt = D.to_dtype(dtype)
    return _finish(np.full(_size_args((size,)), _fill_scalar(fill_value, dt), dt.np),
                   requires_grad, out)


def _fill_scalar(value, dt: D.dtype):
    """A fill value in dt: negative ints wrap into unsigned types, overflow raises (torch)."""
    from ._ops import checked_scalar

    return checked_scalar(value, dt.np) if isinstance(value, (int, float)) else value


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.array(s, _dt(dtype).np), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    check_device(device)
    dtype = _out_dtype(dtype, out)
    return _finish(np.eye(n, n if m is None else m, dtype=_dt(dtype).np), requires_grad, out)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """start, start+step, ... up to (not including) end. int64 unless an argument is a float."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError(
            "upper bound and larger bound inconsistent with step sign"
        )
    if dtype is None:
        dt = D.get_default_dtype() if any(isinstance(v, float) for v in vals) else D.int64
    else:
        dt = D.to_dtype(dtype)
    n = math.ceil((end - start) / step)
    if dt.is_floating_point:
        # PyTorch computes start + i*step in double precision, then rounds to the dtype
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        arr = (start + np.arange(n, dtype=np.int64) * int(step)).astype(dt.np) if all(
            isinstance(v, int) for v in vals) else np.floor(
            start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    return _finish(arr, requires_grad, out)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A001
    """Deprecated in PyTorch: like arange but includes ``end``."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(_dt(dtype).np)
    return _finish(arr, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _dt(dtype)
    if steps == 1:
        return _finish(np.array([start], dt.np), requires_grad, out)
    # PyTorch fills the first half forward from start and the second half backward from end
    step = (end - start) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    wide = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if dt.np == np.float32:
        s32, e32 = np.float32(start), np.float32(end)
        st32 = np.float32((np.float32(end) - np.float32(start)) / np.float32(steps - 1))
        i32 = np.arange(steps, dtype=np.float32)
        wide = np.where(i32 < half, s32 + st32 * i32, e32 - st32 * np.float32(steps - 1 - i32))
    return _finish(wide.astype(dt.np), requires_grad, out)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    return _finish(np.power(base, np.linspace(start, end, steps)).astype(_dt(dtype).np),
                   requires_grad)


def _like(input: Tensor, dtype, device=None):
    check_device(device)
    return input.shape, (input.dtype if dtype is None else D.to_dtype(dtype))


def zeros_like(input, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype, device)
    return _finish(np.zeros(shape, dt.np), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype, device)
    return _finish(np.ones(shape, dt.np), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype, device)
    return _finish(np.zeros(shape, dt.np), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    shape, dt = _like(input, dtype, device)
    return _finish(np.full(shape, _fill_scalar(fill_value, dt), dt.np), requires_grad)


# -- random ---------------------------------------------------------------------------------


def _float_dt(dtype, op: str) -> D.dtype:
    dt = _dt(dtype)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{dt.scalar_name}\'')
    return dt


def rand(*size, generator=None, out=None, dtype=None, device=None,
         requires_grad=False) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    dt = _float_dt(dtype, "check_uniform_bounds")
    return _finish(R.rand(_size_args(size), dt.np, generator), requires_grad, out)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    shape, dt = _like(input, dtype, device)
    return _finish(R.rand(shape, dt.np, generator), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, device=None,
          requires_grad=False) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    dt = _float_dt(dtype, "normal_kernel_cpu")
    return _finish(R.randn(_size_args(size), dt.np, generator), requires_grad, out)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, generator=None) -> Tensor:
    shape, dt = _like(input, dtype, device)
    return _finish(R.randn(shape, dt.np, generator), requires_grad)


def randint(low, high=None, size=None, *, generator=None, out=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    if size is None:
        if not isinstance(high, (tuple, list)):
            raise TypeError(
                "randint() received an invalid combination of arguments: size is required"
            )
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    return _finish(R.randint(int(low), int(high), _size_args((size,)), dt.np, generator),
                   requires_grad, out)


def randint_like(input, low=0, high=None, *, dtype=None, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    shape, dt = _like(input, dtype)
    return _make(R.randint(int(low), int(high), shape, dt.np, generator))


def randperm(n, *, generator=None, out=None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """A random ordering of 0..n-1 (int64)."""
    check_device(device)
    dtype = _out_dtype(dtype, out)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    return _finish(R.randperm(int(n), dt.np, generator), requires_grad, out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           device=None, requires_grad=False) -> Tensor:
    """Normal random numbers; ``mean`` and ``std`` may be tensors (elementwise parameters)."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if mt or st:
        ref = mean if mt else std
        arr = R.normal(None, mean._data if mt else float(mean), std._data if st else float(std),
                       ref.dtype.np, generator)
        return _finish(arr, requires_grad, out)
    if size is None:
        raise TypeError("normal() missing required argument 'size' for float mean and std")
    dt = _float_dt(dtype, "normal_kernel_cpu")
    return _finish(R.normal(_size_args((size,)), float(mean), float(std), dt.np, generator),
                   requires_grad, out)


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 draws: 1 with probability ``input`` (elementwise), in input's dtype."""
    if p is not None:
        return _make(R.bernoulli_scalar(input.shape, float(p), input.dtype.np, generator))
    return _finish(R.bernoulli(input._data, input.dtype.np, generator=generator), False, out)


def multinomial(input, num_samples, replacement=False, *, generator=None) -> Tensor:
    """Draw category indices with probabilities proportional to ``input``'s rows."""
    return _make(R.multinomial(input._data, num_samples, replacement, generator))


def poisson(input, generator=None) -> Tensor:
    seed = R.draw_seed(generator)
    return _make(np.random.default_rng(seed).poisson(input._data).astype(input._data.dtype))


def _tri_check(input, name: str) -> None:
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


class TrilBackward0(Node):
    """out = x with the elements above diagonal k zeroed  |  dx = g with the same zeros"""

    saved_as = ()

    def forward(self, x, keep):
        self.keep = keep
        return np.where(keep, x, np.zeros((), x.dtype))

    def backward(self, g):
        return (np.where(self.keep, g, 0),)


class TriuBackward0(TrilBackward0):
    """out = x with the elements below diagonal k zeroed  |  dx = g with the same zeros"""


def tril(input, diagonal=0) -> Tensor:
    """The lower triangle (on and below diagonal ``diagonal``) of the last two dims."""
    _tri_check(input, "tril")
    return apply(TrilBackward0, input, keep=np.tri(*input.shape[-2:], k=diagonal, dtype=bool))


def triu(input, diagonal=0) -> Tensor:
    """The upper triangle (on and above diagonal ``diagonal``) of the last two dims."""
    _tri_check(input, "triu")
    keep = ~np.tri(*input.shape[-2:], k=diagonal - 1, dtype=bool)
    return apply(TriuBackward0, input, keep=keep)


# -- in-place random fills (Tensor methods) ---------------------------------------------------


def _fill_random(self: Tensor, arr: np.ndarray) -> Tensor:
    if self._requires_grad and self.grad_fn is None:
        from .autograd.grad_mode import _state

        if _state.enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
    data = self._data
    if data.flags.c_contiguous or not data.flags.f_contiguous:
        np.copyto(data, arr.reshape(data.shape), casting="unsafe")
    else:  # PyTorch fills memory in order: for a transposed tensor that is Fortran order
        np.copyto(data.T, arr.reshape(data.shape[::-1]), casting="unsafe")
    self._vc[0] += 1
    return self


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw) -> Tensor:
    """Fill with uniform random numbers in [from_, to)."""
    from_ = kw.get("from", from_)
    return _fill_random(self, R.uniform(self.shape, from_, to, self.dtype.np, generator))


def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Fill with normal random numbers."""
    return _fill_random(self, R.normal(self.shape, mean, std, self.dtype.np, generator,
                                       contiguous=self.is_contiguous()))


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    if isinstance(p, Tensor):
        arr = R.bernoulli(np.broadcast_to(p._data, self.shape), self.dtype.np,
                          generator=generator)
    else:
        arr = R.bernoulli_scalar(self.shape, float(p), self.dtype.np, generator)
    return _fill_random(self, arr)


def random_(self, from_=None, to=None, *, generator=None) -> Tensor:
    if from_ is None:
        return _fill_random(self, R.random_(self.shape, self.dtype.np, generator))
    if to is None:
        from_, to = 0, from_
    return _fill_random(self, R.randint(int(from_), int(to), self.shape, self.dtype.np,
                                        generator))


def exponential_(self, lambd=1.0, *, generator=None) -> Tensor:
    return _fill_random(self, R.exponential(self.shape, lambd, self.dtype.np, generator))


def _tensor_bernoulli(self, p=None, *, generator=None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def _tensor_multinomial(self, num_samples, replacement=False, *, generator=None) -> Tensor:
    return multinomial(self, num_samples, replacement, generator=generator)


for _name, _fn in (("uniform_", uniform_), ("normal_", normal_), ("bernoulli_", bernoulli_),
                   ("random_", random_), ("exponential_", exponential_),
                   ("bernoulli", _tensor_bernoulli), ("multinomial", _tensor_multinomial),
                   ("tril", tril), ("triu", triu)):
    setattr(Tensor, _name, _fn)
del _name, _fn


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (row, column) indices of the lower triangle of a row x col matrix, as a 2 x N
    tensor (``offset`` > 0 takes diagonals above the main one too)."""
    check_device(device)
    return _make(np.stack(np.tril_indices(row, offset, col)).astype(_dt(dtype, D.int64).np))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None) -> Tensor:
    """The (row, column) indices of the upper triangle of a row x col matrix, as a 2 x N
    tensor (``offset`` < 0 takes diagonals below the main one too)."""
    check_device(device)
    return _make(np.stack(np.triu_indices(row, offset, col)).astype(_dt(dtype, D.int64).np))
