"""Devices. glasstorch runs on the CPU only, but accepts the spellings beginner scripts use."""

from __future__ import annotations


class device:
    """``device('cpu')`` or ``device('cpu', 0)``; anything else explains that only CPU exists."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        kind, _, idx = str(type).partition(":")
        if idx:
            index = int(idx)
        if kind not in ("cpu", "cuda", "mps", "meta", "xpu"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                f"fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type "
                f"at start of device string: {type}"
            )
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(dev) -> None:
    """Accept None or the CPU; explain anything else (there is no GPU behind glasstorch)."""
    if dev is None:
        return
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cpu":
        return
    hint = (f"\n[glasstorch] glasstorch is CPU only and cannot use device '{d}'. Write "
            "`device = 'cuda' if torch.cuda.is_available() else 'cpu'` so the same script runs "
            "here on the CPU and on a GPU under PyTorch.")
    # a CPU-only build of PyTorch fails the same way, with these types and texts
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled" + hint)
    if d.type == "xpu":
        raise AssertionError("Torch not compiled with XPU enabled" + hint)
    if d.type == "mps":
        raise RuntimeError("PyTorch is not linked with support for mps devices" + hint)
    raise RuntimeError(hint.lstrip("\n"))


class layout:
    """How a tensor's elements are stored: always ``torch.strided`` here (a dense array with a
    step per dim), PyTorch's default; its sparse layouts are not in glasstorch."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return "strided"  # pickles as the module attribute


strided = layout("strided")
