"""How many threads the matrix products use: ``torch.set_num_threads`` / ``get_num_threads``.

glasstorch's heavy lifting is NumPy's BLAS (OpenBLAS in the NumPy wheels). Its thread count
is changed by calling the library's own ``*_set_num_threads`` function, found among the shared
libraries loaded into this process. For the small matrices of course models one thread is
usually fastest: threads only pay off on large products, and on a busy machine spinning BLAS
threads can make a training step many times slower.
"""

from __future__ import annotations

import ctypes
import os

_SET_NAMES = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
              "openblas_set_num_threads64_", "openblas_set_num_threads")
_blas: tuple | None = None


def _find_blas():
    """(set, get) functions of the loaded OpenBLAS, or None when there is none to control."""
    global _blas
    if _blas is None:
        _blas = ()
        try:
            with open("/proc/self/maps") as f:
                paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
        except OSError:
            paths = set()
        for path in sorted(paths):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for name in _SET_NAMES:
                if hasattr(lib, name):
                    get = getattr(lib, name.replace("set_num_threads", "get_num_threads"), None)
                    _blas = (getattr(lib, name), get)
                    break
            if _blas:
                break
    return _blas or None


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for matrix products (NumPy's BLAS)."""
    if int(n) < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {n}")
    blas = _find_blas()
    if blas is not None:
        blas[0](int(n))


def get_num_threads() -> int:
    """The number of threads matrix products use."""
    blas = _find_blas()
    if blas is not None and blas[1] is not None:
        return int(blas[1]())
    return os.cpu_count() or 1
