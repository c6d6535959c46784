"""Data types and PyTorch's type-promotion rule.

A glasstorch dtype is a small object that names a NumPy dtype. Promotion is PyTorch's, not
NumPy's: categories bool < integer < floating, and Python scalars and 0-d tensors only promote
when they belong to a higher category than every dimensioned operand (so ``float32 + 1.0`` stays
float32 and ``int32 + 5`` stays int32; there is never a silent float64).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
    "bool", "float", "double", "half", "long", "int", "short", "promote_types", "result_type",
    "get_default_dtype", "set_default_dtype", "to_dtype", "from_numpy_dtype", "finfo", "iinfo",
]

_BOOL, _INT, _FLOAT = 0, 1, 2  # promotion categories


class dtype:
    """A tensor element type, printed as ``torch.float32`` so output matches PyTorch's."""

    __slots__ = ("name", "np", "category", "itemsize", "scalar_name", "is_signed")

    def __init__(self, name: str, np_dtype: str, category: int, scalar_name: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.scalar_name = scalar_name  # "Float", as in "torch.FloatTensor" and error messages
        self.is_signed = category == _FLOAT or (category == _INT and self.np.kind == "i")

    @property
    def is_floating_point(self) -> bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> builtins_bool:
        return False

    def to_real(self) -> dtype:
        return self

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):  # pickles as a reference to the module attribute
        return (_dtype_by_name, (self.name,))


builtins_bool = bool

float32 = dtype("float32", "float32", _FLOAT, "Float")
float64 = dtype("float64", "float64", _FLOAT, "Double")
float16 = dtype("float16", "float16", _FLOAT, "Half")
int64 = dtype("int64", "int64", _INT, "Long")
int32 = dtype("int32", "int32", _INT, "Int")
int16 = dtype("int16", "int16", _INT, "Short")
int8 = dtype("int8", "int8", _INT, "Char")
uint8 = dtype("uint8", "uint8", _INT, "Byte")
bool = dtype("bool", "bool", _BOOL, "Bool")  # noqa: A001 - torch.bool

float, double, half = float32, float64, float16  # noqa: A001
long, int, short = int64, int32, int16  # noqa: A001

ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, bool)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The glasstorch dtype for a NumPy dtype, or TypeError naming the supported ones."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the dtype Python floats become (float32 unless changed; float64 or float16 allowed)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


def to_dtype(d) -> dtype:
    """Accept a glasstorch dtype, a NumPy dtype or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is builtins_float:
        return _default[0]
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool
    if type(d).__name__ == "dtype" and hasattr(d, "is_floating_point") and hasattr(d, "itemsize"):
        # a real torch.dtype (for example from a checkpoint made with PyTorch)
        return _BY_NAME[str(d).split(".")[-1]]
    return from_numpy_dtype(np.dtype(d))


import builtins as _builtins  # noqa: E402

builtins_float = _builtins.float
builtins_int = _builtins.int


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both a and b convert to: the higher category wins; within integers
    NumPy's lattice (uint8 + int8 -> int16); within floats the wider one."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == _FLOAT:
        return a if a.itemsize >= b.itemsize else b
    return _BY_NP[np.promote_types(a.np, b.np)]


def _scalar_dtype(x) -> dtype:
    """Python numbers and NumPy scalars; PyTorch reads a NumPy bool as a float number."""
    if isinstance(x, builtins_bool):
        return bool
    if isinstance(x, (builtins_int, np.integer)):
        return int64
    return _default[0]


def result_type(*operands) -> dtype:
    """PyTorch's result type for tensors and Python scalars (see the module docstring).

    Three running results are kept: dimensioned tensors, 0-d tensors, and Python scalars; a
    lower-priority result only counts if its category is higher than every higher-priority one.
    """
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = _scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    if higher is None:
        return lower
    if lower is None or lower.category <= higher.category:
        return higher
    # the lower-priority operand is of a higher category: it promotes the result
    if higher.category == _BOOL or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


# -- limits of the dtypes: torch.finfo and torch.iinfo -----------------------------------------


class finfo:
    """The limits of a floating dtype (the default dtype if none): ``eps`` (the gap after 1),
    ``max``, ``min``, ``tiny`` (the smallest normal number), ``resolution``, ``bits``."""

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002 - PyTorch's name
        d = _default[0] if type is None else _info_dtype(type, "finfo")
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        f = np.finfo(d.np)
        self.bits, self.dtype = f.bits, d.name
        self.eps, self.max, self.min = builtins_float(f.eps), builtins_float(f.max), \
            builtins_float(f.min)
        self.tiny = self.smallest_normal = builtins_float(f.smallest_normal)
        self.resolution = 10.0 ** -builtins_int(f.precision)

    def __eq__(self, other) -> builtins_bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    __hash__ = None  # (unhashable, as PyTorch's)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype: ``max``, ``min``, ``bits``."""

    def __init__(self, type: dtype) -> None:  # noqa: A002 - PyTorch's name
        d = _info_dtype(type, "iinfo")
        if d is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        i = np.iinfo(d.np)
        self.bits, self.dtype = i.bits, d.name
        self.max, self.min = builtins_int(i.max), builtins_int(i.min)

    def __eq__(self, other) -> builtins_bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    __hash__ = None

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


def _info_dtype(d, name: str) -> dtype:
    if not isinstance(d, dtype):
        raise TypeError(f"{name}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type(d).__name__}")
    return d
