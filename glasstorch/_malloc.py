"""Keep freed NumPy buffers in the process heap instead of handing them back to the kernel.

A training step makes the same temporaries every time: activations, their gradients, the
scratch arrays of the fused nodes, from a hundred kilobytes to a few megabytes each. glibc's
malloc serves blocks of that size with a fresh ``mmap`` and returns them with ``munmap`` when
they are freed (above ``M_MMAP_THRESHOLD``, 128 KiB at first), and gives back free memory at the
top of its heap once more than ``M_TRIM_THRESHOLD`` has gathered there. Either way the next
step touches brand-new pages, and every page costs a page fault and the kernel zeroing it:
measured on bench/bench_lstm.py (2 shared cores), that was a large part of the LSTM's backward
pass, and its time varied several-fold with the machine's load. Raising both thresholds once,
at import, lets a step reuse the memory the previous step freed. PyTorch keeps its own caching
allocator for the same reason.

Only glibc has these knobs (musl, macOS and Windows are left alone), and
``GLASSTORCH_NO_MALLOPT=1`` in the environment turns this off. Peak memory is unchanged; the
heap simply does not shrink after the peak.
"""

from __future__ import annotations

import ctypes
import os
import sys

# glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# blocks up to 32 MiB (glibc's largest allowed value on 64-bit) come from the heap, and up to
# 256 MiB of free heap is kept for the next step
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 256 * 1024 * 1024

applied = False


def tune() -> bool:
    """Raise glibc's mmap and trim thresholds; True when they were set."""
    global applied
    if applied:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("GLASSTORCH_NO_MALLOPT") == "1":
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 -- only glibc has it: musl's mallopt is a stub
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mallopt returns 1 on success; a setting it refuses leaves malloc as it was
    applied = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) & bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return applied
