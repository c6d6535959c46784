"""``Tensor``: a NumPy array plus what autograd needs to know about it.

A tensor holds its values in ``_data`` (a NumPy array, possibly a view into another tensor's
array) and, for autograd, ``requires_grad``, ``grad`` and ``grad_fn`` (the graph node that made
it). Views share a version counter ``_vc`` with their base: every in-place change bumps it, and
a node that saved a tensor for backward checks that the version did not move.

The operations themselves live in ``glasstorch/_ops/`` (pointwise, reduction, shape, indexing,
linalg), each with its forward and backward side by side in a ``nodes.py``; at the bottom of this
file they are attached to ``Tensor`` as methods, so ``x.exp()`` and ``torch.exp(x)`` are the
same function.
"""

from __future__ import annotations

import numbers
import weakref

import numpy as np

from . import _dtype as D
from ._device import CPU, check_device
from ._size import Size
from ._warnings import warn
from .autograd.function import Node, accumulator_for, record

__all__ = ["Tensor", "apply"]

_DT = {d.np: d for d in D.ALL}


def _make(array: np.ndarray) -> Tensor:
    """Wrap an ndarray as a new plain tensor (no copy, no grad): the hot path of every op."""
    t = _new(Tensor)
    # NumPy returns scalars (np.float32 ...) for 0-d results; those can be neither written in
    # place nor viewed, so they become 0-d arrays
    t._data = array if isinstance(array, np.ndarray) else np.asarray(array)
    t._requires_grad = False
    t._grad = None
    t._grad_fn = None
    t._view_vc = 0
    t._output_nr = 0
    t._vc = [0]
    t._base = None
    t._view_fn = None
    t._acc = None
    t._retains_grad = False
    return t


_new = object.__new__


def apply(node_cls: type[Node], *inputs, **params):
    """Run the operation ``node_cls`` on tensors ``inputs`` and record it for backward."""
    node = node_cls()
    out = node.forward(*[t._data if isinstance(t, Tensor) else t for t in inputs], **params)
    return record(node, inputs, out, _make)


def _as_array(data, dtype: D.dtype | None) -> np.ndarray:
    """Turn Python data (numbers, nested lists, arrays, tensors) into a new ndarray with
    PyTorch's dtype inference: floats -> default float dtype, ints -> int64, bools -> bool."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(
                f"expected sequence of equal-length rows to build a tensor, got {data!r:.60}"
            ) from e
        if arr.dtype.kind == "f" and dtype is None and arr.dtype != np.float16:
            if not _all_numpy_floats(data, arr.dtype):
                arr = arr.astype(D.get_default_dtype().np)
        elif arr.dtype.kind in "iu" and arr.dtype not in _DT:
            arr = arr.astype(np.int64)
        elif arr.dtype.kind == "O" or arr.dtype.kind in "US":
            raise TypeError(
                f"new(): invalid data type '{type(data).__name__}': glasstorch builds tensors from "
                "numbers, nested lists of numbers, NumPy arrays and tensors"
            )
    if dtype is not None:
        # PyTorch casts out-of-range values (2**40 to float16: inf) without a warning
        with np.errstate(over="ignore", invalid="ignore"):
            return np.array(arr, dtype=dtype.np, copy=True)
    if arr.dtype not in _DT:
        D.from_numpy_dtype(arr.dtype)  # raises the TypeError listing supported types
    return np.array(arr, copy=True)


def _all_numpy_floats(data, dt) -> bool:
    """True when ``data`` is a NumPy float scalar (which keeps its dtype, as in PyTorch)."""
    return isinstance(data, np.floating) and data.dtype == dt


class Tensor:
    """A multi-dimensional array of one dtype that can record the operations made with it."""

    __slots__ = ("_data", "_requires_grad", "_grad", "_grad_fn", "_view_vc", "_output_nr", "_vc",
                 "_base", "_view_fn", "_acc", "_retains_grad", "__weakref__", "__dict__")
    # NumPy scalars and arrays on the left of an operator defer to the tensor (as with torch):
    # np.float64(2) * t is a tensor, not an array
    __array_priority__ = 1000

    # torch.Tensor(2, 3) allocates; torch.Tensor([1, 2]) copies data as float32
    def __new__(cls, *args, device=None):
        check_device(device)
        if len(args) == 1 and not isinstance(args[0], numbers.Number):
            arr = _as_array(args[0], D.get_default_dtype())
        else:
            arr = np.zeros(_size_args(args) if args else (0,), D.get_default_dtype().np)
        t = _make(arr)
        if cls is not Tensor:
            t = cls._from_array(arr)
        return t

    @classmethod
    def _from_array(cls, array: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap an ndarray in a new tensor of this class (used by subclasses like Parameter)."""
        t = _new(cls)
        t._data = array
        t._requires_grad = requires_grad
        t._grad = None
        t._grad_fn = None
        t._view_vc = 0
        t._output_nr = 0
        t._vc = [0]
        t._base = None
        t._view_fn = None
        t._acc = None
        t._retains_grad = False
        return t

    _make = staticmethod(_make)

    # -- basic attributes ------------------------------------------------------------------
    @property
    def dtype(self) -> D.dtype:
        return _DT[self._data.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None, *, axis: int | None = None):
        if axis is not None:  # NumPy's name, which PyTorch takes too
            from ._ops._checks import axis as numpy_axis

            dim = numpy_axis("size", dim, axis)
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def layout(self):
        from ._device import strided

        return strided

    is_mps = is_cuda
    is_sparse = is_cuda
    is_quantized = is_cuda
    is_meta = is_cuda

    def get_device(self) -> int:
        return -1

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def is_same_size(self, other: Tensor) -> bool:
        return self._data.shape == other._data.shape

    def is_nonzero(self) -> bool:
        """bool(t) of a one-element tensor (PyTorch's errors for any other)."""
        if self._data.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._data.size > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def stride(self, dim: int | None = None, *, axis: int | None = None):
        if axis is not None:
            from ._ops._checks import axis as numpy_axis

            dim = numpy_axis("stride", dim, axis)
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim, "stride")]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def storage_offset(self) -> int:
        root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        return (self._data.__array_interface__["data"][0]
                - root.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        return root

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        if self._base is not None:
            self.grad_fn  # noqa: B018 - a view whose base changed may now require grad
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
                f"\n[glasstorch] This tensor (shape {list(self.shape)}) is the result of "
                f"{type(self.grad_fn).__name__}, not a tensor you created; set requires_grad "
                "on the leaf you create (e.g. torch.zeros(..., requires_grad=True)), or use "
                "y.detach() for a copy that autograd does not track."
            )
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients\n"
                f"[glasstorch] This tensor is {self.dtype}; make it floating point first, e.g. "
                "torch.tensor([1., 2.], requires_grad=True) or x.float().requires_grad_()."
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more informations. (Triggered internally at "
                "/pytorch/build/aten/src/ATen/core/TensorBody.h:489.)",
                UserWarning,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def grad_fn(self):
        """The node that made this tensor (None for leaves and untracked tensors)."""
        if self._base is not None and self._view_vc is not None and \
                self._view_vc != self._vc[0]:
            self._refresh_view()
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        self._grad_fn = node
        self._view_vc = self._vc[0]

    def _refresh_view(self) -> None:
        """The base was changed in place through another tensor since this view's grad_fn was
        set: as in PyTorch, the view's gradient now goes through the base's new history."""
        from ._ops import AsStridedBackward0
        from .autograd.function import edge

        base = self._base
        self._view_vc = self._vc[0]
        if not base._requires_grad:
            return
        node = AsStridedBackward0()
        node.view_fn = self._view_fn
        node.base_meta = (base._data.shape, base._data.dtype)
        node.next_functions = (edge(base),)
        node._in_meta = ((base.shape, base._data.dtype),)
        self._grad_fn, self._output_nr, self._requires_grad = node, 0, True

    @property
    def data(self) -> Tensor:
        """The same values, detached from the graph (in-place changes are not tracked)."""
        t = _make(self._data)
        t._vc = self._vc
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def T(self) -> Tensor:  # noqa: N802
        if self._data.ndim > 2:
            warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.",
                UserWarning,
            )
        return self.permute(tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def H(self) -> Tensor:  # noqa: N802 - the conjugate transpose: the transpose of real values
        if self._data.ndim not in (0, 2):
            hint = (" For batches of matrices, consider using tensor.mH"
                    if self._data.ndim > 2 else "")
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self._data.ndim}-D tensor.{hint}")
        return self.transpose(0, 1) if self._data.ndim else _zero_dim_warning(self, "H")

    @property
    def mH(self) -> Tensor:  # noqa: N802 - real values: mT
        if self._data.ndim == 1:
            raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. "
                               "Got 1-D tensor.")
        return self.transpose(-2, -1) if self._data.ndim else _zero_dim_warning(self, "mH")

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim == 1:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return self.transpose(-2, -1) if self.ndim else _zero_dim_warning(self, "mT")

    # -- autograd ----------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves, adding into ``.grad``."""
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor too."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        node = self.grad_fn
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        node = self.grad_fn if self.grad_fn is not None else self._accumulator()
        nr = self._output_nr

        def prehook(grads):
            g = grads[nr]
            if g is None:
                return None
            graph = isinstance(g, Tensor)  # create_graph: the gradient is a tensor already
            res = hook(g if graph else _make(g))
            if res is None:
                return None
            grads = list(grads)
            grads[nr] = res if graph else res._data
            return grads

        node.register_prehook(prehook)
        return prehook

    def _accumulator(self):
        return accumulator_for(self)

    def detach(self) -> Tensor:
        """The same values (shared memory and version counter) outside the graph."""
        t = _make(self._data)
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        t._view_fn = self._view_fn
        t._view_vc = None  # never follows its base's history
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._view_vc = None
        self._requires_grad = False
        return self

    # -- conversion --------------------------------------------------------------------------
    def item(self):
        """The single value of a one-element tensor, as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar\n"
                f"[glasstorch] The tensor has shape {list(self._data.shape)}; reduce it first "
                "(.sum(), .mean()) or index one element (t[0])."
            )
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array sharing memory with this tensor."""
        if self._requires_grad and not force:
            raise _tracked_to_numpy_error(self)
        return self._data

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """The real PyTorch was handed a glasstorch tensor (PyTorch calls this hook for
        tensor-like arguments it does not know): say so in one line."""
        name = getattr(func, "__qualname__", None) or getattr(func, "__name__", str(func))
        raise TypeError(
            f"{name}() got a glasstorch tensor: a model, function or tensor of the real PyTorch "
            "was mixed with glasstorch ones.\n[glasstorch] an `import torch...` reached "
            "PyTorch instead of glasstorch. Run `%load_ext glasstorch` (Jupyter) or "
            "`glasstorch.install_as_torch()` before any torch import, or use the "
            "'Python 3 (glasstorch as torch)' kernel."
        )

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(t)``: the values, refused while autograd tracks them (as ``numpy()``).
        Takes NumPy 2's ``dtype`` and ``copy`` keywords."""
        if self._requires_grad:
            raise _tracked_to_numpy_error(self)
        a = self._data
        if dtype is not None and np.dtype(dtype) != a.dtype:
            if copy is False:
                raise ValueError(f"Unable to avoid copy while converting {a.dtype} to "
                                 f"{np.dtype(dtype)} (np.asarray(t, dtype) allows the copy)")
            return a.astype(dtype)
        return a.copy() if copy else a

    def __array_wrap__(self, array, context=None, return_scalar=False) -> Tensor:
        """A NumPy function applied to a tensor (``np.exp(t)``) gives back a tensor, as in
        PyTorch (which wraps NumPy's result with ``from_numpy``, bools as uint8)."""
        a = np.asarray(array)
        if a.dtype == np.bool_:
            a = a.astype(np.uint8)
        return _make(a) if a.dtype in _DT else array

    def __float__(self) -> float:
        self._scalar_check("float")
        if self._requires_grad:
            warn(
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.\n[glasstorch] float(t) gives "
                "a plain number that autograd no longer tracks; that is fine for logging (or "
                "use t.item()), but a loss computed from it cannot be backpropagated.",
                UserWarning)
        return float(self._data.reshape(()))

    def __int__(self) -> int:
        self._scalar_check("int")
        return int(self._data.reshape(()))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self._data.reshape(()))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous\n[glasstorch] "
                f"The tensor has {self._data.size} elements; use (t == u).all() or .any()."
            )
        return bool(self._data.reshape(()))

    def _scalar_check(self, kind: str) -> None:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __contains__(self, element) -> bool:
        return bool((self == element).any())

    def __reversed__(self):
        return self.flip(0)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._tensor_str import autograd_suffixes, format_tensor

        gf = type(self.grad_fn).__name__ if self.grad_fn is not None else None
        header = "Parameter containing:\n" if type(self).__name__ == "Parameter" else ""
        return format_tensor(self._data, self.dtype.name,
                             default_dtype=D.get_default_dtype().name,
                             suffixes=autograd_suffixes(gf, self._requires_grad), header=header)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self)._from_array(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if getattr(self, "__dict__", None):
            import copy

            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), self._data.copy(), self._requires_grad))

    # -- device and dtype conversion -----------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """Convert dtype and/or device: ``x.to(torch.float64)``, ``x.to('cpu')``, ``x.to(y)``."""
        dtype = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        check_device(kwargs.get("device"))
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, D.dtype):
                dtype = a
            elif a is not None and not isinstance(a, bool):
                check_device(a)
        if dtype is None or dtype is self.dtype:
            return self.clone() if copy else self
        return self._cast(dtype)

    def _cast(self, dtype: D.dtype) -> Tensor:
        from ._ops.pointwise import ToCopyBackward0

        if dtype is self.dtype:
            return self
        return apply(ToCopyBackward0, self, dtype=dtype.np)

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{self.dtype.scalar_name}Tensor"
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1].replace("Tensor", "")
            dtype = {d.scalar_name: d for d in D.ALL}[name]
        return self._cast(D.to_dtype(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self._cast(other.dtype)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args, **kwargs):
        check_device("cuda")

    def float(self) -> Tensor:
        return self._cast(D.float32)

    def double(self) -> Tensor:
        return self._cast(D.float64)

    def half(self) -> Tensor:
        return self._cast(D.float16)

    def long(self) -> Tensor:
        return self._cast(D.int64)

    def int(self) -> Tensor:
        return self._cast(D.int32)

    def short(self) -> Tensor:
        return self._cast(D.int16)

    def char(self) -> Tensor:
        return self._cast(D.int8)

    def byte(self) -> Tensor:
        return self._cast(D.uint8)

    def bool(self) -> Tensor:
        return self._cast(D.bool)

    def pin_memory(self) -> Tensor:
        return self

    def share_memory_(self) -> Tensor:
        return self

    def is_pinned(self) -> bool:
        return False

    # -- new_* factories -----------------------------------------------------------------
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ._creation import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ._creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ._creation import ones

        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ._creation import empty

        return empty(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ._creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


_WARNED: set = set()
_ZERO_DIM_LINES = {"H": (4335, "Consider using x.conj()."), "mT": (4373, "This function is "
                   "the identity in these cases."), "mH": (4382, "Consider using x.conj().")}


def _zero_dim_warning(t: Tensor, name: str) -> Tensor:
    """x.H, x.mT, x.mH of a 0-d tensor: itself, with PyTorch's deprecation warning (once per
    process, as PyTorch warns)."""
    if name in _WARNED:
        return t
    _WARNED.add(name)
    line, advice = _ZERO_DIM_LINES[name]
    warn(f"Tensor.{name} is deprecated on 0-D tensors. {advice} (Triggered internally "
         f"at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:{line}.)",
         UserWarning)
    return t


def _tracked_to_numpy_error(t: Tensor) -> RuntimeError:
    return RuntimeError(
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
        f"instead.\n[glasstorch] This tensor (shape {list(t.shape)}) is tracked by "
        "autograd; .detach() gives the same values untracked. For a single number, "
        ".item() is simpler."
    )


def _rebuild(cls, array, requires_grad):
    return cls._from_array(array, requires_grad)


def _size_args(args) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size([2, 3]))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    elif not args:
        import sys

        caller = sys._getframe(1).f_code.co_name
        raise TypeError(f'{caller}() missing 1 required positional arguments: "size"')
    try:
        size = tuple(int(a.__index__()) for a in args)
    except (AttributeError, TypeError):
        raise TypeError(
            f"size must be a tuple of ints, but got {tuple(type(a).__name__ for a in args)}"
        ) from None
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return size


def _wrap_dim(dim: int, ndim: int, op: str = "") -> int:
    """A dim in [-ndim, ndim) made non-negative, or IndexError as in PyTorch."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


# -- the operations become methods ------------------------------------------------------
from ._ops import indexing, linalg, pointwise, reduction, shape  # noqa: E402

for _module in (pointwise, reduction, shape, indexing, linalg):
    for _name in _module.TENSOR_METHODS:
        setattr(Tensor, _name, getattr(_module, _name))
del _module, _name
