"""Asking for a GPU fails as on a CPU-only build of PyTorch (the same exception type and text),
plus a [glasstorch] line saying glasstorch is CPU only; the CPU spellings all work."""

from __future__ import annotations

import pytest
from harness import same, same_error

CUDA = {
    "tensor.to('cuda')": lambda lib: lib.ones(2).to("cuda"),
    "tensor.to('cuda:0')": lambda lib: lib.ones(2).to("cuda:0"),
    "tensor.to(device('cuda'))": lambda lib: lib.ones(2).to(lib.device("cuda")),
    "tensor.cuda()": lambda lib: lib.ones(2).cuda(),
    "ones(device='cuda')": lambda lib: lib.ones(2, device="cuda"),
    "zeros(device='cuda:1')": lambda lib: lib.zeros(2, device="cuda:1"),
    "tensor(device='cuda')": lambda lib: lib.tensor([1.0], device="cuda"),
    "randn(device='cuda')": lambda lib: lib.randn(2, device="cuda"),
    "arange(device='cuda')": lambda lib: lib.arange(3, device="cuda"),
    "full(device='cuda')": lambda lib: lib.full((2,), 1.0, device="cuda"),
    "empty(device='cuda')": lambda lib: lib.empty(2, device="cuda"),
    "zeros_like(device='cuda')": lambda lib: lib.zeros_like(lib.ones(2), device="cuda"),
    "randn_like(device='cuda')": lambda lib: lib.randn_like(lib.ones(2), device="cuda"),
    "module.to('cuda')": lambda lib: lib.nn.Linear(2, 2).to("cuda"),
    "module.cuda()": lambda lib: lib.nn.Linear(2, 2).cuda(),
    "Linear(device='cuda')": lambda lib: lib.nn.Linear(2, 2, device="cuda"),
    "tensor.to('mps')": lambda lib: lib.ones(2).to("mps"),
    "ones(device='xpu')": lambda lib: lib.ones(2, device="xpu"),
}


@pytest.mark.parametrize("name", sorted(CUDA))
def test_gpu_devices_fail_as_on_cpu_only_pytorch(name):
    e = same_error(CUDA[name])
    assert "[glasstorch] glasstorch is CPU only" in str(e)


def test_the_usual_device_line_picks_the_cpu():
    def scenario(lib):
        device = "cuda" if lib.cuda.is_available() else "cpu"
        model = lib.nn.Linear(2, 1).to(device)
        return str(device), str(next(model.parameters()).device), lib.ones(2, device=device)

    same(scenario)
