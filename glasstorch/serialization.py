"""Checkpoints: ``save`` and ``load`` in PyTorch's own file format.

A file written by ``torch.save`` is a zip archive (stored, not compressed) with one folder,
named after the file (``model.pth`` -> ``model/``)::

    model/data.pkl                 the object, pickled; every tensor in it is a call
                                   torch._utils._rebuild_tensor_v2(storage, offset, size,
                                   stride, requires_grad, OrderedDict()) whose storage is a
                                   *persistent id* ('storage', torch.FloatStorage, '0', 'cpu', n)
    model/.format_version          "1"
    model/.storage_alignment       "64": every record's bytes start at a multiple of 64
    model/byteorder                "little"
    model/data/0, model/data/1 ... the raw bytes of each storage, in key order
    model/version                  "3"
    model/.data/serialization_id   a random 40-digit id

Tensors that share memory (views, tied weights) point at the same storage key with their own
offset and strides, so the bytes are written once and the sharing survives the round trip.

glasstorch writes that layout byte for byte in the same shape (the pickle names torch's
functions by *name*, glasstorch never imports torch), and reads it with a restricted unpickler
that knows only tensors, containers and primitives: a file can never make ``load`` run code
unless you pass ``weights_only=False``.

Saving to a path is atomic: the archive goes to a temporary file in the same directory, which
is flushed, fsync'ed and renamed over the target, so a crash mid-save leaves the previous file.
"""

from __future__ import annotations

import collections
import io
import mmap as _mmap
import os
import pickle
import secrets
import struct
import sys
import tempfile
import types
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from . import _dtype as D
from ._warnings import warn

__all__ = [
    "save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
    "safe_globals", "DEFAULT_PROTOCOL",
]

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
# Sizes and offsets at or above this need zip64 fields (tests lower it to exercise that path).
_ZIP64_LIMIT = 0xFFFFFFFF

FileLike = "str | os.PathLike | IO[bytes]"

# torch's legacy typed-storage class for each dtype (what the pickle names)
_STORAGE_NAME = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
    "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
}
# dtypes PyTorch has and glasstorch does not: files may name them; tensors of these are refused
# (bfloat16 is widened to float32, exactly, with a warning)
_FOREIGN_STORAGE = {
    "BFloat16Storage": "bfloat16", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128", "ComplexHalfStorage": "complex32",
    "QInt8Storage": "qint8", "QUInt8Storage": "quint8", "QInt32Storage": "qint32",
    "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
}
_FOREIGN_DTYPES = (
    "bfloat16", "complex32", "complex64", "complex128", "cfloat", "cdouble", "chalf",
    "uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
    "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "qint8", "quint8", "qint32",
    "quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16",
    *(f"int{i}" for i in range(1, 8)), *(f"uint{i}" for i in range(1, 8)),
)


# ==========================================================================================
# Writing
# ==========================================================================================

class _TorchName:
    """Stands for a global of PyTorch (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``)
    in the pickle. The pickler writes it as a GLOBAL opcode by name: nothing is imported."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce insists the function be callable
        raise TypeError(f"{self.module}.{self.name} is only a name in a checkpoint")

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


_NAMES: dict[tuple[str, str], _TorchName] = {}


def _torch_name(module: str, name: str) -> _TorchName:
    # one object per name, so the pickler's memo writes each GLOBAL once and then refers to it
    key = (module, name)
    if key not in _NAMES:
        _NAMES[key] = _TorchName(module, name)
    return _NAMES[key]


_REBUILD_TENSOR_V2 = _torch_name("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _torch_name("torch._utils", "_rebuild_parameter")
_TORCH_SIZE = _torch_name("torch", "Size")
_TORCH_DEVICE = _torch_name("torch", "device")


class _Storage:
    """One block of memory to be written as ``data/<key>``: ``raw`` is its bytes (uint8, 1-D),
    ``dtype`` the element type torch will see it as."""

    __slots__ = ("key", "raw", "dtype", "numel", "keep")

    def __init__(self, key: str, raw: np.ndarray, dtype: D.dtype, keep: Any) -> None:
        self.key, self.raw, self.dtype = key, raw, dtype
        self.numel = raw.nbytes // dtype.itemsize
        self.keep = keep  # the array whose memory raw views, kept alive until written


class _TensorRef:
    """A plain tensor to pickle (the data inside a saved Parameter)."""

    __slots__ = ("array", "requires_grad")

    def __init__(self, array: np.ndarray, requires_grad: bool) -> None:
        self.array, self.requires_grad = array, requires_grad


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    # torch's strides for a fresh tensor: sizes 0 count as 1, so torch.empty(2, 0) has (1, 1)
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _root(arr: np.ndarray) -> np.ndarray:
    """The array at the bottom of arr's chain of views: the memory that owns the values."""
    while True:
        base = arr.base
        if not isinstance(base, np.ndarray):
            # np.lib.stride_tricks.as_strided (expand) puts a small holder object in between
            base = getattr(base, "base", None)
            if not isinstance(base, np.ndarray):
                return arr
        arr = base


def _address(arr: np.ndarray) -> int:
    return arr.__array_interface__["data"][0]


class _Pickler(pickle._Pickler):
    """Python's pickler, taught to write tensors the way ``torch.save`` does.

    This is the pure-Python pickler (``pickle._Pickler``) because it lets ``save_global`` be
    overridden: the C pickler insists on importing every global it writes, and glasstorch
    must name ``torch._utils._rebuild_tensor_v2`` without importing torch.
    """

    def __init__(self, file: IO[bytes], protocol: int) -> None:
        super().__init__(file, protocol)
        self.storages: dict[Any, _Storage] = {}  # by (id(root memory), dtype name)
        from ._tensor import Tensor

        self._tensor_cls = Tensor
        try:
            from .nn.parameter import Parameter
        except ImportError:  # pragma: no cover - nn not built yet
            Parameter = None
        self._parameter_cls = Parameter

    # -- storages are written outside the pickle and referred to by persistent id ----------
    def persistent_id(self, obj):
        if type(obj) is _Storage:
            storage_type = _torch_name("torch", _STORAGE_NAME[obj.dtype.name])
            return ("storage", storage_type, obj.key, "cpu", obj.numel)
        return None

    def reducer_override(self, obj):
        t = type(obj)
        if t is _TorchName:
            return obj.name  # a string: pickle calls save_global(obj, name)
        if isinstance(obj, self._tensor_cls):
            if self._parameter_cls is not None and isinstance(obj, self._parameter_cls):
                inner = _TensorRef(obj._data, False)
                return (_REBUILD_PARAMETER, (inner, obj.requires_grad, collections.OrderedDict()))
            return self._reduce_tensor(obj._data, obj.requires_grad)
        if t is _TensorRef:
            return self._reduce_tensor(obj.array, obj.requires_grad)
        if t is D.dtype:
            return obj.name  # torch pickles dtypes as the module attribute torch.float32
        if type(obj).__name__ == "Size" and isinstance(obj, tuple) and t is not tuple:
            return (_TORCH_SIZE, (tuple(obj),))
        if t.__name__ == "device" and t.__module__.startswith("glasstorch"):
            return (_TORCH_DEVICE, (str(obj),))
        return NotImplemented

    def save_global(self, obj, name=None):
        if type(obj) is D.dtype:
            obj = _torch_name("torch", obj.name)
        if type(obj) is not _TorchName:
            qualname = name or getattr(obj, "__qualname__", "")
            if "<locals>" in qualname:  # the C pickler's error (and type) for these
                raise AttributeError(f"Can't pickle local object {qualname!r}")
            return super().save_global(obj, name)
        self._save_torch_name(obj)

    # functions are pickled through this table, which holds pickle's own save_global
    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[types.FunctionType] = save_global

    def _save_torch_name(self, obj: _TorchName) -> None:
        if obj is not _NAMES.get((obj.module, obj.name)):
            raise pickle.PicklingError(f"unexpected torch name {obj!r}")
        if id(obj) in self.memo:  # a dtype already written once
            self.write(self.get(self.memo[id(obj)][0]))
            return
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
        self.memoize(obj)

    def _reduce_tensor(self, arr: np.ndarray, requires_grad: bool):
        storage, offset, strides = self._storage_for(arr)
        args = (storage, offset, tuple(arr.shape), strides, bool(requires_grad),
                collections.OrderedDict())
        return (_REBUILD_TENSOR_V2, args)

    def _storage_for(self, arr: np.ndarray) -> tuple[_Storage, int, tuple[int, ...]]:
        """The storage holding arr, arr's offset into it and its strides (in elements).

        Views of one array share its storage, like torch's views; an array whose layout torch
        cannot express (negative strides, misaligned) is copied into a storage of its own."""
        dtype = D.from_numpy_dtype(arr.dtype)
        item = arr.itemsize
        if arr.size:
            root = _root(arr)
            if (root.flags.c_contiguous or root.flags.f_contiguous) and root.dtype.isnative:
                byte_offset = _address(arr) - _address(root)
                # a stride along a length-1 dim is never used; keep numpy's when torch can hold
                # it (so a (1, n) row keeps torch's (n, 1)), else torch's contiguous one
                strides = [s // item if s >= 0 and s % item == 0 else c for s, c in
                           zip(arr.strides, _contiguous_strides(arr.shape))]
                ok = (byte_offset >= 0 and byte_offset % item == 0 and root.nbytes % item == 0
                      and all(s >= 0 and s % item == 0
                              for n, s in zip(arr.shape, arr.strides) if n > 1))
                end = byte_offset + item + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides))
                if ok and end <= root.nbytes:
                    key = (id(root), dtype.name)
                    if key not in self.storages:
                        raw = root.reshape(-1, order="A").view(np.uint8)
                        self.storages[key] = _Storage(str(len(self.storages)), raw, dtype, root)
                    return self.storages[key], byte_offset // item, tuple(strides)
        # a copy of its own: empty tensors and layouts torch cannot express
        own = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
        storage = _Storage(str(len(self.storages)), own, dtype, own)
        self.storages[("copy", id(own))] = storage
        return storage, 0, _contiguous_strides(arr.shape)


def _crc32(data: memoryview) -> int:
    crc, step = 0, 1 << 28
    for i in range(0, len(data), step):
        crc = zlib.crc32(data[i:i + step], crc)
    return crc


class _ZipWriter:
    """Writes a stored (uncompressed) zip archive as PyTorch does: each record's bytes start at
    a multiple of 64 (the local header carries an 'FB' padding field to get there), and the end
    has zip64 records so archives above 4 GiB work. Only ``write`` is needed on the output."""

    _FLAGS = 0x0800  # names are UTF-8
    _DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the zip epoch: files do not depend on time

    def __init__(self, out: IO[bytes], prefix: str) -> None:
        self.out, self.prefix, self.pos = out, prefix, 0
        self.entries: list[tuple[bytes, int, int, int]] = []

    def _write(self, data) -> None:
        self.out.write(data)
        self.pos += memoryview(data).nbytes

    def write_record(self, name: str, data) -> None:
        data = memoryview(data).cast("B")
        size = data.nbytes
        crc = _crc32(data)
        name_b = f"{self.prefix}/{name}".encode()
        offset = self.pos
        zip64 = size >= _ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, size, size) if zip64 else b""
        pad = -(offset + 30 + len(name_b) + len(extra) + 4) % _ALIGNMENT
        extra += b"FB" + struct.pack("<H", pad) + b"Z" * pad
        size32 = 0xFFFFFFFF if zip64 else size
        self._write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, self._FLAGS,
                                0, 0, self._DATE, crc, size32, size32, len(name_b), len(extra)))
        self._write(name_b + extra)
        self._write(data)
        self.entries.append((name_b, crc, size, offset))

    def finish(self) -> None:
        cd_start = self.pos
        for name_b, crc, size, offset in self.entries:
            big = []  # fields too large for 32 bits go into a zip64 extra field, in this order
            if size >= _ZIP64_LIMIT:
                big += [size, size]
            if offset >= _ZIP64_LIMIT:
                big.append(offset)
            extra = struct.pack(f"<HH{len(big)}Q", 1, 8 * len(big), *big) if big else b""
            size32 = 0xFFFFFFFF if size >= _ZIP64_LIMIT else size
            offset32 = 0xFFFFFFFF if offset >= _ZIP64_LIMIT else offset
            version = 45 if big else 20
            self._write(struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, self._FLAGS, 0, 0,
                self._DATE, crc, size32, size32, len(name_b), len(extra), 0, 0, 0, 0, offset32))
            self._write(name_b + extra)
        cd_size = self.pos - cd_start
        n = len(self.entries)
        eocd64 = self.pos
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size,
                                cd_start))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                                min(cd_size, 0xFFFFFFFF), min(cd_start, 0xFFFFFFFF), 0))


def _archive_name(path: str | None) -> str:
    # torch names the folder after the file, without its last extension; 'archive' for buffers
    if path is None:
        return "archive"
    base = os.path.basename(path)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    if not stem or not stem.isascii() or not stem.isprintable():
        return "archive"
    return stem


def _write_archive(obj: Any, out: IO[bytes], prefix: str, protocol: int) -> None:
    buf = io.BytesIO()
    pickler = _Pickler(buf, protocol)
    pickler.dump(obj)
    zw = _ZipWriter(out, prefix)
    zw.write_record("data.pkl", buf.getbuffer())
    zw.write_record(".format_version", b"1")
    zw.write_record(".storage_alignment", str(_ALIGNMENT).encode())
    zw.write_record("byteorder", sys.byteorder.encode())
    for storage in sorted(pickler.storages.values(), key=lambda s: int(s.key)):
        zw.write_record(f"data/{storage.key}", storage.raw)
    zw.write_record("version", b"3\n")
    ident = f"{secrets.randbits(64):020d}{secrets.randbits(64):020d}"
    zw.write_record(".data/serialization_id", ident.encode())
    zw.finish()


def _umask() -> int:
    # The temporary file is created 0600; the final file should get the mode open() would give.
    try:
        with open("/proc/self/status") as st:
            for line in st:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it (briefly) and putting it back
    os.umask(mask)
    return mask


def _fsync_dir(directory: str) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # some file systems cannot fsync a directory; the file itself is synced
        pass


def save(
    obj: object,
    f: FileLike,
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` (tensors, state_dicts, optimizer state, containers, numbers) to ``f`` in
    PyTorch's zip format: the file loads in PyTorch with ``torch.load(f, weights_only=True)``.

    ``f`` is a path (written atomically: a temporary file in the same directory, fsync'ed,
    then renamed over the target) or a writable binary file object (written directly).
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "glasstorch.save writes only PyTorch's zip format (the default since PyTorch 1.6); "
            "drop _use_new_zipfile_serialization=False"
        )
    if pickle_module is not pickle:
        raise NotImplementedError("glasstorch.save uses the standard pickle module only")
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(os.fspath(f))
        _save_to_path(obj, path, pickle_protocol)
        return
    write = getattr(f, "write", None)
    if not callable(write):
        msg = f"Buffer of {str(type(f)).strip('<>')} has no callable attribute 'write'"
        raise AttributeError(msg) if write is None else TypeError(msg)
    _write_archive(obj, f, "archive", pickle_protocol)
    flush = getattr(f, "flush", None)
    if callable(flush):
        flush()


def _save_to_path(obj: object, path: str, protocol: int) -> None:
    target = os.path.realpath(path) if os.path.islink(path) else path
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or '.'} does not exist.")
    # (the name is cut so that a long file name still leaves room for the random part)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target)[:200] + ".",
                               suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            _write_archive(obj, out, _archive_name(path), protocol)
            out.flush()
            os.fsync(out.fileno())
        try:
            mode = os.stat(target).st_mode & 0o7777  # keep the mode of the file we replace
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


# ==========================================================================================
# Reading
# ==========================================================================================

class _StorageType:
    """What ``torch.FloatStorage`` (etc.) means inside a file: an element type."""

    __slots__ = ("name", "dtype_name")

    def __init__(self, name: str, dtype_name: str) -> None:
        self.name, self.dtype_name = name, dtype_name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _ForeignDtype:
    """A PyTorch dtype that glasstorch lacks (bfloat16, complex64, ...), named in a file."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _LoadedStorage:
    """The bytes of one ``data/<key>`` record, viewed as typed arrays on demand."""

    __slots__ = ("raw", "dtype_name", "location", "swap", "_typed")

    def __init__(self, raw: np.ndarray, dtype_name: str, location: str, swap: bool) -> None:
        self.raw, self.dtype_name, self.location, self.swap = raw, dtype_name, location, swap
        self._typed: dict[str, np.ndarray] = {}

    # what a map_location callable sees: torch passes a storage and calls .cpu() etc. on it
    def cpu(self) -> _LoadedStorage:
        return self

    @property
    def device(self):
        from ._device import CPU

        return CPU

    def nbytes(self) -> int:
        return self.raw.nbytes

    def typed(self, dtype_name: str) -> np.ndarray:
        """The storage as a 1-D array of dtype_name (one array per dtype, so views share)."""
        if dtype_name not in self._typed:
            if dtype_name == "bfloat16":
                arr = self._as_np(np.uint16)
                # bfloat16 is the top half of a float32: widening is exact
                wide = arr.astype(np.uint32) << 16
                arr = wide.view(np.float32)
            elif dtype_name in D._BY_NAME:
                arr = self._as_np(D._BY_NAME[dtype_name].np)
            else:
                raise TypeError(
                    f"this checkpoint holds a tensor of dtype torch.{dtype_name}, which "
                    "glasstorch does not have (it has float32, float64, float16, int64, int32, "
                    "int16, int8, uint8 and bool); convert it in PyTorch first, e.g. "
                    "t.to(torch.float32), and save again"
                )
            self._typed[dtype_name] = arr
        return self._typed[dtype_name]

    def _as_np(self, np_dtype) -> np.ndarray:
        np_dtype = np.dtype(np_dtype)
        usable = self.raw.nbytes - self.raw.nbytes % np_dtype.itemsize
        arr = self.raw[:usable].view(np_dtype)
        if self.swap and np_dtype.itemsize > 1:
            arr = arr.byteswap()  # written on a machine of the other byte order
        return arr


def _check_ints(name: str, values, allow_empty: bool = True) -> tuple[int, ...]:
    if not isinstance(values, (tuple, list)) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values
    ):
        raise pickle.UnpicklingError(f"corrupt tensor record: {name} {values!r} is not a tuple "
                                     "of non-negative integers")
    return tuple(values)


def _view(storage: _LoadedStorage, dtype_name: str, offset, size, stride) -> np.ndarray:
    """The array (size, stride, offset) describes inside storage, checked to stay inside it:
    a crafted file must not make us read memory outside the record."""
    if not isinstance(storage, _LoadedStorage):
        raise pickle.UnpicklingError("corrupt tensor record: its storage is not a storage")
    flat = storage.typed(dtype_name)
    size = _check_ints("size", size)
    stride = _check_ints("stride", stride)
    (offset,) = _check_ints("storage offset", (offset,))
    if len(size) != len(stride):
        raise pickle.UnpicklingError(f"corrupt tensor record: size {size} and stride {stride}")
    numel = int(np.prod(size, dtype=object)) if size else 1
    if numel == 0:
        return np.empty(size, flat.dtype)
    needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > flat.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {flat.itemsize} requiring a storage size of {needed * flat.itemsize} "
            f"are out of bounds for storage of size {flat.size * flat.itemsize}"
        )
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(
        flat[offset:], shape=size, strides=tuple(s * item for s in stride))


def _tensor(array: np.ndarray, requires_grad) -> Any:
    from ._tensor import Tensor

    rg = bool(requires_grad) and array.dtype.kind == "f"
    return Tensor._from_array(array, rg)


def _storage_dtype(storage) -> str:
    return storage.dtype_name if isinstance(storage, _LoadedStorage) else "?"


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor(_view(storage, _storage_dtype(storage), storage_offset, size, stride), False)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    arr = _view(storage, _storage_dtype(storage), storage_offset, size, stride)
    if storage.dtype_name == "bfloat16":
        _warn_bfloat16()
    return _tensor(arr, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    name = dtype.name if isinstance(dtype, (D.dtype, _ForeignDtype)) else None
    if name is None:
        raise pickle.UnpicklingError(f"corrupt tensor record: dtype {dtype!r}")
    if name == "bfloat16":
        _warn_bfloat16()
    return _tensor(_view(storage, name, storage_offset, size, stride), requires_grad)


def _warn_bfloat16() -> None:
    warn("glasstorch has no bfloat16: a bfloat16 tensor in this checkpoint was loaded "
         "as float32 (exactly: every bfloat16 value is a float32 value)", UserWarning)


def _make_parameter(data, requires_grad):
    from ._tensor import Tensor
    from .nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("corrupt parameter record: its data is not a tensor")
    return Parameter._from_array(data._data, bool(requires_grad) and data.is_floating_point())


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _make_parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    # Python attributes a user set on the Parameter are not restored (they could be anything)
    return _make_parameter(data, requires_grad)


class _TypeMarker:
    """``torch.Tensor`` / ``torch.nn.parameter.Parameter`` as named in a file."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_TENSOR_TYPE = _TypeMarker("Tensor")
_PARAMETER_TYPE = _TypeMarker("Parameter")
_REBUILDERS: set = set()


def _rebuild_from_type_v2(func, new_type, args, state):
    # tensors with Python attributes or of a subclass: rebuild the plain tensor, keep the type
    # only if it is one glasstorch knows
    if func not in _REBUILDERS or not isinstance(args, tuple):
        raise pickle.UnpicklingError("corrupt tensor record in _rebuild_from_type_v2")
    t = func(*args)
    if new_type is _PARAMETER_TYPE:
        t = _make_parameter(t, t.requires_grad)
    return t


_REBUILDERS.update({_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3,
                    _rebuild_parameter, _rebuild_parameter_with_state})


def _encode(text, encoding="utf-8"):
    # protocol-2 pickles store bytes as _codecs.encode(str, 'latin1')
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise pickle.UnpicklingError("_codecs.encode is allowed only to rebuild bytes")
    return text.encode(encoding)


def _size(dims=()):
    from ._size import Size

    return Size(_check_ints("torch.Size", tuple(dims)))


def _device(kind="cpu", index=None):
    from ._device import device

    return device(kind, index)


def _allowed_globals() -> dict[str, Any]:
    """Everything a weights-only file may name, mapped to what glasstorch builds for it."""
    allowed: dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.complex": complex,
        "builtins.bytearray": bytearray,
        "_codecs.encode": _encode,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Tensor": _TENSOR_TYPE,
        "torch.nn.parameter.Parameter": _PARAMETER_TYPE,
        "torch.Size": _size,
        "torch.device": _device,
        "torch.storage.UntypedStorage": _StorageType("UntypedStorage", "uint8"),
        "torch.UntypedStorage": _StorageType("UntypedStorage", "uint8"),
    }
    for dtype_name, storage_name in _STORAGE_NAME.items():
        allowed[f"torch.{storage_name}"] = _StorageType(storage_name, dtype_name)
    for storage_name, dtype_name in _FOREIGN_STORAGE.items():
        allowed[f"torch.{storage_name}"] = _StorageType(storage_name, dtype_name)
    for d in D.ALL:
        allowed[f"torch.{d.name}"] = d
    for name in _FOREIGN_DTYPES:
        allowed.setdefault(f"torch.{name}", _ForeignDtype(name))
    return allowed


_ALLOWED = _allowed_globals()
_CALLABLE = {id(v): v for v in _ALLOWED.values() if callable(v) and not isinstance(v, type)}
_CLASSES = (collections.OrderedDict, collections.Counter, set, frozenset, complex, bytearray)
_user_safe: dict[str, Any] = {}


def add_safe_globals(safe_globals: list) -> None:
    """Allow more globals in weights-only loads: functions or classes (or ``(obj, "module.name")``
    pairs). Like ``torch.serialization.add_safe_globals``: only add what you trust."""
    for entry in safe_globals:
        if isinstance(entry, tuple):
            obj, name = entry
        else:
            obj, name = entry, f"{entry.__module__}.{entry.__qualname__}"
        _user_safe[name] = obj


def get_safe_globals() -> list:
    """The globals added with ``add_safe_globals``."""
    return list(_user_safe.values())


def clear_safe_globals() -> None:
    """Forget every global added with ``add_safe_globals``."""
    _user_safe.clear()


class safe_globals:
    """Context manager: ``with safe_globals([f]): load(...)`` allows f only inside the block."""

    def __init__(self, safe_globals: list) -> None:
        self.entries = safe_globals

    def __enter__(self) -> None:
        self.saved = dict(_user_safe)
        add_safe_globals(self.entries)

    def __exit__(self, *exc) -> None:
        _user_safe.clear()
        _user_safe.update(self.saved)


class _Refused(pickle.UnpicklingError):
    """Raised for a global or opcode the weights-only reader does not accept."""


def _compat_name(module: str, name: str, proto: int) -> tuple[str, str]:
    # Protocol-2 pickles written by Python 3 name builtins as __builtin__ (Python 2's module).
    import _compat_pickle

    if proto < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            return _compat_pickle.NAME_MAPPING[(module, name)]
        if module in _compat_pickle.IMPORT_MAPPING:
            return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


class _WeightsUnpickler(pickle._Unpickler):
    """A pickle reader that only builds tensors, containers and primitives.

    Every global the file names is looked up in an allow-list of glasstorch's own functions
    (never imported), and the opcodes that could touch other objects (BUILD on arbitrary
    objects, NEWOBJ of arbitrary classes, APPEND on non-lists...) are checked. So no code from
    the file can run: the worst a crafted file can do is be refused.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, persistent_load: Callable) -> None:
        super().__init__(file, encoding="utf-8")
        self._persistent = persistent_load

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module: str, name: str):
        module, name = _compat_name(module, name, self.proto)
        full = f"{module}.{name}"
        if full in _ALLOWED:
            return _ALLOWED[full]
        if full in _user_safe:
            return _user_safe[full]
        raise _Refused(f"GLOBAL {full}")

    def _refuse(self, what: str):
        raise _Refused(what)

    def load_reduce(self):
        func = self.stack[-2]
        if id(func) not in _CALLABLE and all(func is not c for c in _CLASSES) and \
                all(func is not v for v in _user_safe.values()):
            self._refuse(f"a call of {func!r}")
        super().load_reduce()

    dispatch[pickle.REDUCE[0]] = load_reduce

    def load_build(self):
        state, inst = self.stack[-1], self.stack[-2]
        if type(inst) in (collections.OrderedDict, collections.Counter) and \
                isinstance(state, dict) and \
                all(isinstance(k, str) for k in state):
            self.stack.pop()
            inst.__dict__.update(state)  # e.g. the _metadata of a state_dict
            return
        if any(type(inst) is v for v in _user_safe.values() if isinstance(v, type)):
            super().load_build()
            return
        self._refuse(f"setting the state of a {type(inst).__name__} object (BUILD)")

    dispatch[pickle.BUILD[0]] = load_build

    def _new(self, cls, args):
        if any(cls is c for c in _CLASSES) or any(cls is v for v in _user_safe.values()):
            return cls.__new__(cls, *args)
        self._refuse(f"creating an instance of {cls!r}")

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new(cls, args))

    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        if kwargs:
            self._refuse("creating an instance with keyword arguments (NEWOBJ_EX)")
        self.append(self._new(cls, args))

    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

    def load_inst(self):
        self._refuse("the INST opcode")

    dispatch[pickle.INST[0]] = load_inst

    def load_obj(self):
        self._refuse("the OBJ opcode")

    dispatch[pickle.OBJ[0]] = load_obj

    def load_append(self):
        if type(self.stack[-2]) is not list:
            self._refuse(f"APPEND to a {type(self.stack[-2]).__name__}")
        super().load_append()

    dispatch[pickle.APPEND[0]] = load_append

    def load_appends(self):
        items = self.pop_mark()
        if type(self.stack[-1]) is not list:
            self._refuse(f"APPENDS to a {type(self.stack[-1]).__name__}")
        self.stack[-1].extend(items)

    dispatch[pickle.APPENDS[0]] = load_appends

    def load_setitem(self):
        if not isinstance(self.stack[-3], dict):
            self._refuse(f"SETITEM on a {type(self.stack[-3]).__name__}")
        super().load_setitem()

    dispatch[pickle.SETITEM[0]] = load_setitem

    def load_setitems(self):
        items = self.pop_mark()
        target = self.stack[-1]
        if not isinstance(target, dict):
            self._refuse(f"SETITEMS on a {type(target).__name__}")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    dispatch[pickle.SETITEMS[0]] = load_setitems

    def load_additems(self):
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) is not set:
            self._refuse(f"ADDITEMS on a {type(target).__name__}")
        target.update(items)

    dispatch[pickle.ADDITEMS[0]] = load_additems


class _FullUnpickler(pickle.Unpickler):
    """weights_only=False: any pickle, as ``torch.load`` allows then. torch's names are mapped
    to glasstorch's; anything else is imported and may run code: only for trusted files."""

    def __init__(self, file, persistent_load: Callable, **kwargs) -> None:
        kwargs.setdefault("encoding", "utf-8")
        super().__init__(file, **kwargs)
        self._persistent = persistent_load

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module: str, name: str):
        module, name = _compat_name(module, name, 2)
        full = f"{module}.{name}"
        if full in _ALLOWED:
            return _ALLOWED[full]
        if module == "torch" or module.startswith("torch."):
            # a PyTorch class (e.g. a whole saved model): glasstorch's one of the same path
            try:
                return super().find_class("glasstorch" + module[5:], name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(
                    f"this file needs {full}, and glasstorch has no {'glasstorch' + module[5:]}"
                    f".{name}; save the state_dict() instead of the whole object") from None
        return super().find_class(module, name)


def _describe(f) -> str:
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(os.fspath(f)))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"the {type(f).__name__} object"


_HINT = ("The file is truncated or corrupted: it was probably not saved completely (the program "
         "stopped during save, or the disk was full) or was damaged in transfer. Use an earlier "
         "checkpoint or save it again.")


def _corrupt(message: str, where: str) -> RuntimeError:
    return RuntimeError(f"PytorchStreamReader failed {message} ({where}). {_HINT}")


def _location_fn(map_location) -> Callable[[_LoadedStorage, str], _LoadedStorage]:
    """Turn map_location (None, 'cpu', a device, a dict, a function) into one function."""

    def restore(storage: _LoadedStorage, location: str) -> _LoadedStorage:
        kind = str(location).split(":")[0]
        if kind != "cpu":
            raise RuntimeError(
                f"Attempting to deserialize object on a {kind.upper()} device but "
                f"torch.{kind}.is_available() is False. If you are running on a CPU-only "
                "machine, please use torch.load with map_location=torch.device('cpu') to map "
                "your storages to the CPU. (glasstorch runs on the CPU only.)"
            )
        return storage

    if map_location is None:
        return restore
    if isinstance(map_location, (str, bytes)) or type(map_location).__name__ == "device":
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda storage, location: restore(storage, target)
    if isinstance(map_location, dict):
        mapping = {str(k): str(v) for k, v in map_location.items()}
        return lambda storage, location: restore(storage, mapping.get(location, location))
    if callable(map_location):
        def call(storage: _LoadedStorage, location: str) -> _LoadedStorage:
            result = map_location(storage, location)
            if result is None:
                return restore(storage, location)
            if not isinstance(result, _LoadedStorage):
                raise TypeError("map_location function must return the storage it was given "
                                f"(or None), got {type(result).__name__}")
            return result
        return call
    raise TypeError(f"map_location must be None, a string, a device, a dict or a function, "
                    f"got {type(map_location).__name__}")


class _Archive:
    """Read side of the zip layout: finds the folder, reads records, checks what is there."""

    def __init__(self, source, where: str, mmap_path: str | None) -> None:
        self.where = where
        try:
            self.zip = zipfile.ZipFile(source)
        except zipfile.BadZipFile:
            raise _corrupt("reading zip archive: failed finding central directory",
                           f"file {where}") from None
        except (OSError, ValueError, EOFError, struct.error) as e:
            raise _corrupt(f"reading zip archive: {e}", f"file {where}") from None
        names = self.zip.namelist()
        if not names:
            raise _corrupt("reading zip archive: the archive is empty", f"file {where}")
        self.prefix = names[0].split("/", 1)[0]
        self.names = set(names)
        if f"{self.prefix}/constants.pkl" in self.names or f"{self.prefix}/code/" in {
                n[:len(self.prefix) + 6] for n in names}:
            raise RuntimeError(
                f"{where} is a TorchScript archive (written by torch.jit.save); glasstorch "
                "loads only torch.save files. In PyTorch, save the model's state_dict() instead."
            )
        if f"{self.prefix}/data.pkl" not in self.names:
            raise _corrupt("locating file data.pkl: file not found", f"file {where}")
        self.mm = None
        if mmap_path is not None:
            with open(mmap_path, "rb") as fh:
                self.mm = _mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_COPY)

    def read(self, name: str) -> bytes:
        full = f"{self.prefix}/{name}"
        if full not in self.names:
            raise _corrupt(f"locating file {name}: file not found", f"file {self.where}")
        try:
            return self.zip.read(full)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, struct.error) as e:
            raise _corrupt(f"reading file {name}: {e}", f"file {self.where}") from None

    def has(self, name: str) -> bool:
        return f"{self.prefix}/{name}" in self.names

    def array(self, name: str) -> np.ndarray:
        """The bytes of a record as a writable uint8 array (a copy-on-write map under mmap)."""
        if self.mm is not None:
            info = self.zip.getinfo(f"{self.prefix}/{name}")
            if info.compress_type == zipfile.ZIP_STORED:
                start = info.header_offset
                head = self.mm[start:start + 30]
                if len(head) == 30 and head[:4] == b"PK\x03\x04":
                    name_len, extra_len = struct.unpack("<HH", head[26:30])
                    begin = start + 30 + name_len + extra_len
                    if begin + info.file_size <= len(self.mm):
                        # one array per record (not slices of one big array), so that saving
                        # these tensors again writes just their own storages
                        return np.frombuffer(self.mm, np.uint8, info.file_size, begin)
        return np.frombuffer(self.read(name), np.uint8).copy()


def _open_for_read(f) -> tuple[Any, bool]:
    if isinstance(f, (str, bytes, os.PathLike)):
        return open(os.fspath(f), "rb"), True
    if not callable(getattr(f, "read", None)):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
    if not (getattr(f, "seekable", lambda: False)()):
        return io.BytesIO(f.read()), False  # zip needs seeking: read the stream into memory
    return f, False


def load(
    f: FileLike,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load an object saved with ``torch.save`` or ``glasstorch.save``; tensors come back as
    glasstorch tensors with the same dtypes, shapes, values and sharing.

    With ``weights_only=True`` (the default, as in PyTorch >= 2.6) only tensors, containers and
    primitives load; a file that names anything else is refused before anything runs
    (``pickle.UnpicklingError``). ``weights_only=False`` unpickles anything and so can run code
    from the file: only for files you trust. A path ending in ``.safetensors`` is read with
    :func:`glasstorch.safetensors.load_file`. ``mmap=True`` maps the file instead of reading it.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_load_args and weights_only:
        warn("pickle_load_args only works if `weights_only=False`.")
    where = _describe(f)
    is_path = isinstance(f, (str, bytes, os.PathLike))
    if is_path and os.fsdecode(os.fspath(f)).endswith(".safetensors"):
        from .safetensors import load_file

        return load_file(os.fsdecode(os.fspath(f)))
    if mmap and not is_path:
        raise ValueError("f must be a file path in order to use the mmap argument")
    restore = _location_fn(map_location)
    source, opened = _open_for_read(f)
    try:
        start = source.tell()
        magic = source.read(4)
        source.seek(start)
        try:
            if magic[:1] == pickle.PROTO:  # a pickle, not a zip: PyTorch's legacy format
                if mmap:
                    raise RuntimeError(f"mmap can only be used with files saved with "
                                       f"`torch.save(_use_new_zipfile_serialization=True), "
                                       f"{where} is in the legacy format")
                return _load_legacy(source, where, restore, weights_only, pickle_load_args)
            if magic[:2] != b"PK":
                raise _corrupt("reading zip archive: failed finding central directory (not a "
                               "checkpoint: no zip archive found)" if magic else
                               "reading zip archive: failed finding central directory (the "
                               "file is empty)", f"file {where}")
            archive = _Archive(source, where, os.fspath(f) if (mmap and is_path) else None)
            return _load_archive(archive, restore, weights_only, pickle_module,
                                 pickle_load_args)
        except _Refused as e:
            raise pickle.UnpicklingError(
                f"Weights only load failed: {where} uses {e.args[0]}, which is not among the "
                "tensors, containers and primitives that load accepts with weights_only=True. "
                "Nothing from the file was executed: loading stopped when the file named it. "
                "If you trust where the file comes from (for example you saved it yourself), "
                "load it with weights_only=False, which runs whatever code the file contains, "
                "or allow just that name with glasstorch.serialization.add_safe_globals([...])."
            ) from None
    finally:
        if opened:
            source.close()


def _load_archive(archive: _Archive, restore, weights_only: bool, pickle_module,
                  pickle_load_args: dict) -> Any:
    byteorder = archive.read("byteorder").decode() if archive.has("byteorder") else "little"
    swap = byteorder != sys.byteorder
    storages: dict[str, _LoadedStorage] = {}

    def persistent_load(pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"corrupt checkpoint: unknown persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str):
            raise pickle.UnpicklingError(f"corrupt checkpoint: bad storage reference {pid!r}")
        if key not in storages:
            raw = archive.array(f"data/{key}")
            loaded = _LoadedStorage(raw, storage_type.dtype_name, str(location), swap)
            storages[key] = restore(loaded, str(location))
        return storages[key]

    data = io.BytesIO(archive.read("data.pkl"))
    if not weights_only:
        if pickle_module is not None and pickle_module is not pickle:
            unpickler_cls = type("_Custom", (_FullUnpickler, pickle_module.Unpickler), {})
        else:
            unpickler_cls = _FullUnpickler
        return unpickler_cls(data, persistent_load, **pickle_load_args).load()
    return _WeightsUnpickler(data, persistent_load).load()


# Bytes per element of each storage dtype, for the legacy format which counts in elements.
_ITEMSIZE = {**{d.name: d.itemsize for d in D.ALL}, "bfloat16": 2, "complex32": 4,
             "complex64": 8, "complex128": 16, "qint8": 1, "quint8": 1, "qint32": 4,
             "quint4x2": 1, "quint2x4": 1}
_LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001


def _load_legacy(source, where: str, restore, weights_only: bool, pickle_load_args: dict):
    """PyTorch's format before 1.6: pickles one after another in one stream (magic number,
    protocol version, system info, the object, the list of storage keys), then each storage
    as an int64 element count followed by its bytes."""

    def no_storages(pid):
        raise pickle.UnpicklingError(f"corrupt checkpoint: unexpected persistent id {pid!r}")

    def header():
        try:
            return _WeightsUnpickler(source, no_storages).load()
        except (EOFError, pickle.UnpicklingError, ValueError, struct.error) as e:
            raise _corrupt(f"reading the legacy header: {e}", f"file {where}") from None

    if header() != _LEGACY_MAGIC_NUMBER:
        raise _corrupt("reading zip archive: failed finding central directory (not a "
                       "checkpoint: no zip archive found)", f"file {where}")
    version = header()
    if version != _LEGACY_PROTOCOL:
        raise RuntimeError(f"Invalid protocol version: {version} (file {where})")
    sys_info = header()
    if isinstance(sys_info, dict) and sys_info.get("little_endian", True) != (
            sys.byteorder == "little"):
        raise RuntimeError(f"{where} was saved on a machine of the other byte order in "
                           "PyTorch's legacy format; glasstorch cannot read that")
    roots: dict[str, _LoadedStorage] = {}
    views: dict[str, _LoadedStorage] = {}

    def persistent_load(pid):
        if isinstance(pid, tuple) and len(pid) == 4 and pid[0] in ("module", b"module"):
            if weights_only:
                raise _Refused("a whole saved module class (legacy 'module' record)")
            return pid[1]
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] in ("storage", b"storage")):
            raise pickle.UnpicklingError(f"corrupt checkpoint: unknown persistent id {pid!r}")
        _, storage_type, key, location, numel, view = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(numel, int) or numel < 0:
            raise pickle.UnpicklingError(f"corrupt checkpoint: bad storage reference {pid!r}")
        location = location.decode() if isinstance(location, bytes) else str(location)
        if key not in roots:
            # filled from the end of the file once the object is built (views see the bytes)
            raw = np.zeros(numel * _ITEMSIZE[storage_type.dtype_name], np.uint8)
            roots[key] = restore(_LoadedStorage(raw, storage_type.dtype_name, location, False),
                                 location)
        storage = roots[key]
        if view is None:
            return storage
        view_key, offset, size = view
        if view_key not in views:
            item = _ITEMSIZE[storage.dtype_name]
            raw = storage.raw[offset * item:(offset + size) * item]
            views[view_key] = _LoadedStorage(raw, storage.dtype_name, storage.location, False)
        return views[view_key]

    if weights_only:
        result = _WeightsUnpickler(source, persistent_load).load()
    else:
        result = _FullUnpickler(source, persistent_load, **pickle_load_args).load()
    keys = header()
    if not isinstance(keys, list):
        raise _corrupt("reading the legacy storage list", f"file {where}")
    for key in keys:
        if key not in roots:
            raise _corrupt(f"reading storage {key!r}: not referenced", f"file {where}")
        raw = roots[key].raw
        head = source.read(8)
        count = struct.unpack("<q", head)[0] if len(head) == 8 else -1
        item = _ITEMSIZE[roots[key].dtype_name]
        data = source.read(raw.nbytes) if count * item == raw.nbytes else None
        if data is None or len(data) != raw.nbytes:  # (an empty storage still has its count)
            raise _corrupt(f"reading storage {key!r}: the file ends too early",
                           f"file {where}")
        raw[:] = np.frombuffer(data, np.uint8)
    return result
