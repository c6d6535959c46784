"""Checkpoints cross between glasstorch and PyTorch in both directions, loading never runs code
from the file, and a save killed half-way never destroys the previous checkpoint."""

from __future__ import annotations

import collections
import io
import multiprocessing
import os
import pickle
import random
import signal
import struct
import subprocess
import time
import zipfile
from functools import partial

import harness
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glasstorch import _dtype as D
from glasstorch import serialization as S
from glasstorch._tensor import Tensor
from glasstorch.nn.parameter import Parameter

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


# -- helpers -------------------------------------------------------------------------------

def np_random(shape, dtype: str, rng: np.random.Generator) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), shape, endpoint=True,
                        dtype=dtype)


def gt(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    """A glasstorch tensor that views arr (no copy), so numpy slices make glasstorch views."""
    return Tensor._from_array(arr, requires_grad)


def as_np(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t._data)


# checkpoints round-trip exactly: structure, types, dtypes, Parameter-ness and values
assert_same = partial(harness.assert_same, rtol=0, atol=0)


def to_torch_buffer(obj) -> io.BytesIO:
    buf = io.BytesIO()
    S.save(obj, buf)
    buf.seek(0)
    return buf


def via_torch(obj):
    """glasstorch.save -> torch.load(weights_only=True)."""
    return torch.load(to_torch_buffer(obj), weights_only=True)


def via_glasstorch(obj):
    """torch.save -> glasstorch.load."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return S.load(buf)


def same_memory(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    return np.shares_memory(as_np(a), as_np(b))


# -- tensors of every dtype and layout, both directions ---------------------------------------

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=shapes, dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_tensor_crosses_both_ways(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    arr = np_random(shape, dtype, rng)
    g = gt(arr)
    t = via_torch(g)
    assert str(t.dtype) == f"torch.{dtype}" and tuple(t.shape) == shape
    np.testing.assert_array_equal(t.numpy(), arr)
    back = via_glasstorch(t)
    assert_same(back, t)


@st.composite
def views(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    slices = []
    for n in shape:
        start = draw(st.integers(0, n - 1))
        stop = draw(st.integers(start, n))
        slices.append(slice(start, stop, draw(st.integers(1, 3))))
    perm = draw(st.permutations(range(len(shape))))
    return shape, tuple(slices), tuple(perm)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(view=views(), dtype=st.sampled_from(DTYPES))
def test_random_views_keep_torch_strides_and_offsets(view, dtype):
    shape, slices, perm = view
    arr = np_random(shape, dtype, np.random.default_rng(0))
    base_t = torch.from_numpy(arr.copy())
    tv = base_t[slices].permute(perm)
    gv = gt(arr[slices].transpose(perm))
    t = via_torch({"base": gt(arr), "view": gv})
    np.testing.assert_array_equal(t["view"].numpy(), tv.numpy())
    if tv.numel():
        assert t["view"].stride() == tv.stride()
        assert t["view"].storage_offset() == tv.storage_offset()
        assert same_memory(t["view"], t["base"])
    g = via_glasstorch({"base": base_t, "view": tv})
    assert_same(g["view"], tv)
    if tv.numel():
        assert np.shares_memory(as_np(g["view"]), as_np(g["base"]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_views_and_shared_storage_cross_both_ways(dtype):
    rng = np.random.default_rng(0)
    base = np_random((4, 6), dtype, rng)
    gb = gt(base)
    obj = {
        "base": gb, "cols": gt(base[:, 1::2]), "T": gt(base.T), "row": gt(base[2]),
        "elem": gt(base[1, 3, ...]), "empty_view": gt(base[:0]), "expand": gt(
            np.lib.stride_tricks.as_strided(base[0], (3, 6), (0, base.strides[1]))),
        "again": gb,
    }
    t = via_torch(obj)
    tb = obj_torch = t
    for k, v in obj.items():
        np.testing.assert_array_equal(tb[k].numpy(), as_np(v), err_msg=k)
        assert str(tb[k].dtype) == f"torch.{dtype}"
    # one storage for every non-empty view, as torch writes it; the same object stays the same
    for k in ("cols", "T", "row", "elem", "expand"):
        assert same_memory(tb[k], tb["base"]), k
    assert tb["again"] is tb["base"]
    assert tb["T"].stride() == (1, 6) and tb["cols"].stride() == (6, 2)
    assert tb["cols"].storage_offset() == 1 and tb["elem"].storage_offset() == 9
    # torch's own views come back as glasstorch views of one array
    tv = {"base": obj_torch["base"], "cols": obj_torch["base"][:, 1::2],
          "T": obj_torch["base"].t(), "row": obj_torch["base"][2]}
    g = via_glasstorch(tv)
    for k in tv:
        assert_same(g[k], tv[k])
        assert same_memory(g[k], g["base"])
    g["base"]._data[2, 1] = 1  # a write through one is seen by the others, as in torch
    assert as_np(g["cols"])[2, 0] == 1 and as_np(g["row"])[1] == 1


def test_storage_layout_matches_torch():
    x = torch.arange(12.0).reshape(3, 4)
    obj = {"v": x[:, 1:3], "x": x}
    buf = io.BytesIO()
    torch.save(obj, buf)
    g = S.load(io.BytesIO(buf.getvalue()))
    t = via_torch(g)
    for k in obj:
        assert t[k].stride() == obj[k].stride()
        assert t[k].storage_offset() == obj[k].storage_offset()
        assert t[k].untyped_storage().nbytes() == obj[k].untyped_storage().nbytes()


def test_file_layout_matches_torch(tmp_path):
    """Same record names in the same order, every record's bytes 64-aligned, same pickle."""
    tsd = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    torch_path, ours = tmp_path / "tm.pt", tmp_path / "gm.pt"
    torch.save(tsd.state_dict(), torch_path)
    gsd = S.load(torch_path)
    S.save(gsd, ours)
    tz, gz = zipfile.ZipFile(torch_path), zipfile.ZipFile(ours)
    assert [n.split("/", 1)[1] for n in gz.namelist()] == \
        [n.split("/", 1)[1] for n in tz.namelist()]
    assert gz.namelist()[0] == "gm/data.pkl"
    assert gz.testzip() is None
    raw = ours.read_bytes()
    for info in gz.infolist():
        name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                        info.header_offset + 30])
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
        assert info.compress_type == zipfile.ZIP_STORED
    for rec in ("version", ".format_version", ".storage_alignment", "byteorder"):
        assert gz.read(f"gm/{rec}") == tz.read(f"tm/{rec}")
    assert gz.read("gm/data.pkl") == tz.read("tm/data.pkl")  # byte for byte
    for i in range(4):
        assert gz.read(f"gm/data/{i}") == tz.read(f"tm/data/{i}")


@pytest.mark.parametrize("name", ["model.pth", "model.pth.tar", "noext", "a b.pt"])
def test_archive_folder_named_like_torch(tmp_path, name):
    torch.save(torch.ones(1), tmp_path / ("t_" + name))
    S.save(gt(np.ones(1, np.float32)), tmp_path / ("t_" + name + "_g"))
    tname = zipfile.ZipFile(tmp_path / ("t_" + name)).namelist()[0]
    buf = to_torch_buffer(gt(np.ones(1, np.float32)))
    assert zipfile.ZipFile(buf).namelist()[0] == "archive/data.pkl"
    S.save(gt(np.ones(1, np.float32)), tmp_path / ("t_" + name))
    assert zipfile.ZipFile(tmp_path / ("t_" + name)).namelist()[0] == tname


# -- what course code saves -----------------------------------------------------------------

def torch_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def test_torch_state_dict_loads_in_glasstorch_and_back(tmp_path):
    model = torch_model()
    sd = model.state_dict()
    torch.save(sd, tmp_path / "model.pth")
    g = S.load(tmp_path / "model.pth")
    assert type(g) is collections.OrderedDict
    assert_same(g, sd)
    S.save(g, tmp_path / "again.pth")
    t = torch.load(tmp_path / "again.pth", weights_only=True)
    assert_same(g, t)
    fresh = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    fresh.load_state_dict(t)
    x = torch.randn(5, 4)
    assert torch.equal(fresh(x), model(x))


def test_glasstorch_state_dict_loads_in_torch():
    nn = pytest.importorskip("glasstorch.nn")
    if not hasattr(nn, "Linear") or not hasattr(nn, "Sequential"):
        pytest.skip("glasstorch.nn.Linear not available yet")
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    sd = model.state_dict()
    t = via_torch(sd)
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    tmodel.load_state_dict(t)
    assert list(t) == list(sd)
    assert getattr(t, "_metadata", None) == getattr(sd, "_metadata", None)
    for k in sd:
        np.testing.assert_array_equal(t[k].numpy(), as_np(sd[k]))
    back = via_glasstorch(tmodel.state_dict())
    model.load_state_dict(back)


def test_course_checkpoint_round_trip_through_torch(tmp_path):
    """The course pattern with the public API: save model + optimizer + epoch in glasstorch,
    resume in PyTorch, save there, resume in glasstorch; the weights agree at every stage."""
    import glasstorch

    if not all(hasattr(glasstorch, n) for n in ("save", "load", "nn", "optim")):
        pytest.skip("glasstorch.save/load/nn/optim not exported yet")
    gnn, goptim = glasstorch.nn, glasstorch.optim
    model = gnn.Sequential(gnn.Linear(4, 8), gnn.ReLU(), gnn.Linear(8, 3))
    opt = goptim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = glasstorch.tensor(np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32))
    model(x).pow(2).mean().backward()
    opt.step()
    path = tmp_path / "ckpt.pth"
    glasstorch.save({"epoch": 1, "model": model.state_dict(), "optimizer": opt.state_dict(),
                     "loss": 0.5}, path)
    ckpt = torch.load(path, weights_only=True)
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    tmodel.load_state_dict(ckpt["model"])
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.1, momentum=0.9)
    topt.load_state_dict(ckpt["optimizer"])
    assert ckpt["epoch"] == 1 and ckpt["loss"] == 0.5
    tx = torch.from_numpy(as_np(x).copy())
    np.testing.assert_allclose(tmodel(tx).detach().numpy(), as_np(model(x).detach()),
                               rtol=1e-6, atol=1e-6)
    torch.save({"epoch": 2, "model": tmodel.state_dict(), "optimizer": topt.state_dict()}, path)
    back = glasstorch.load(path)
    model.load_state_dict(back["model"])
    opt.load_state_dict(back["optimizer"])
    for (k, a), b in zip(model.state_dict().items(), tmodel.state_dict().values()):
        np.testing.assert_array_equal(as_np(a), b.numpy(), err_msg=k)


def test_tied_weights_are_saved_once_and_stay_tied():
    emb = torch.nn.Embedding(5, 3)
    head = torch.nn.Linear(3, 5, bias=False)
    head.weight = emb.weight
    model = torch.nn.ModuleDict({"emb": emb, "head": head})
    sd = model.state_dict()
    g = via_glasstorch(sd)
    assert same_memory(g["emb.weight"], g["head.weight"])
    t = via_torch(g)
    assert same_memory(t["emb.weight"], t["head.weight"])
    buf = to_torch_buffer(g)
    assert len([n for n in zipfile.ZipFile(buf).namelist() if "/data/" in n]) == 1


def torch_adam_state():
    model = torch_model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99), amsgrad=True)
    loss = model(torch.randn(6, 4)).pow(2).mean()
    loss.backward()
    opt.step()
    return model, opt


def test_optimizer_state_dict_crosses_both_ways():
    model, opt = torch_adam_state()
    sd = opt.state_dict()
    g = via_glasstorch(sd)
    assert_same(g, sd)
    assert g["param_groups"][0]["betas"] == (0.8, 0.99)
    assert str(g["state"][0]["step"].dtype) == "torch.float32"  # 'step' is a 0-d tensor
    t = via_torch(g)
    assert_same(g, t)
    opt2 = torch.optim.Adam(model.parameters())
    opt2.load_state_dict(t)
    assert opt2.state_dict()["param_groups"] == sd["param_groups"]


def test_glasstorch_optimizer_state_dict_loads_in_torch():
    optim = pytest.importorskip("glasstorch.optim")
    if not hasattr(optim, "Adam"):
        pytest.skip("glasstorch.optim.Adam not available yet")
    p = Parameter._from_array(np.ones((2, 3), np.float32), True)
    opt = optim.Adam([p], lr=0.01)
    p.grad = gt(np.full((2, 3), 0.5, np.float32))
    opt.step()
    sd = opt.state_dict()
    t = via_torch(sd)
    tp = torch.nn.Parameter(torch.ones(2, 3))
    topt = torch.optim.Adam([tp], lr=0.01)
    tp.grad = torch.full((2, 3), 0.5)
    topt.step()
    assert_same(via_glasstorch(topt.state_dict()), topt.state_dict())
    torch.optim.Adam([tp], lr=0.01).load_state_dict(t)


@pytest.mark.parametrize("what", ["optimizer", "checkpoint", "misc"])
def test_resaved_torch_file_is_byte_identical(tmp_path, what):
    """torch.save -> glasstorch.load -> glasstorch.save writes the same pickle and storages."""
    model, opt = torch_adam_state()
    obj = {"optimizer": opt.state_dict(),
           "checkpoint": {"epoch": 3, "model": model.state_dict(),
                          "optimizer": opt.state_dict(), "loss": 0.25},
           "misc": {"p": torch.nn.Parameter(torch.ones(2)), "dt": torch.float16,
                    "n": [1, 2.5, None, True, "x", b"ab", 2**70], "s": torch.Size([2, 3]),
                    "v": torch.arange(6).reshape(2, 3)[:, 1:]}}[what]
    torch.save(obj, tmp_path / "t.pt")
    S.save(S.load(tmp_path / "t.pt"), tmp_path / "g.pt")
    tz, gz = zipfile.ZipFile(tmp_path / "t.pt"), zipfile.ZipFile(tmp_path / "g.pt")
    assert [n[2:] for n in gz.namelist()] == [n[2:] for n in tz.namelist()]
    for name in gz.namelist():
        if not name.endswith("serialization_id"):
            assert gz.read(name) == tz.read("t" + name[1:]), name


def test_parameters_and_python_values_cross():
    p = torch.nn.Parameter(torch.randn(3))
    q = torch.nn.Parameter(torch.arange(4.0), requires_grad=False)
    obj = {"p": p, "q": q, "x": torch.randn(2, requires_grad=True), "n": [1, -7, 2**40, 2**70],
           "f": [0.1, float("inf"), float("nan"), -0.0], "s": "ü", "b": b"\x00\xff",
           "t": (True, False, None), "nested": [{"a": (1, [2, {"c": 3.5}])}],
           "set": {1, 2}, "c": 1 + 2j, "dt": torch.float64, "size": torch.Size([2, 3]),
           "dev": torch.device("cpu")}
    g = via_glasstorch(obj)
    for k in ("p", "q", "x", "n", "f", "s", "b", "t", "nested", "set", "c", "dt"):
        assert_same(g[k], obj[k])
    assert g["dt"] is D.float64
    assert tuple(g["size"]) == (2, 3) and type(g["size"]).__name__ == "Size"
    assert str(g["dev"]) == "cpu"
    t = via_torch(g)
    for k in ("p", "q", "x", "n", "f", "s", "b", "t", "nested", "set", "c", "dt"):
        assert_same(g[k], t[k])
    assert t["size"] == torch.Size([2, 3]) and type(t["size"]) is torch.Size
    assert t["dev"] == torch.device("cpu")


def test_pickle_protocol_4_crosses():
    """torch's weights-only reader does not take protocol 4 (FRAME): neither side refuses it
    with weights_only=False, and glasstorch reads both."""
    obj = {"w": torch.randn(2, 2), "k": [1, 2.0]}
    buf = io.BytesIO()
    torch.save(obj, buf, pickle_protocol=4)
    buf.seek(0)
    g = S.load(buf)
    assert_same(g, obj)
    out = io.BytesIO()
    S.save(g, out, pickle_protocol=4)
    out.seek(0)
    assert_same(S.load(out), obj)
    out.seek(0)
    assert_same(g, torch.load(out, weights_only=False))


def test_bfloat16_loads_as_float32_with_a_warning():
    x = torch.randn(5).to(torch.bfloat16)
    with pytest.warns(UserWarning, match="bfloat16"):
        g = via_glasstorch(x)
    assert g.dtype is D.float32
    np.testing.assert_array_equal(as_np(g), x.float().numpy())


def test_dtype_glasstorch_lacks_is_refused_clearly():
    with pytest.raises(TypeError, match="complex64"):
        via_glasstorch(torch.ones(2, dtype=torch.complex64))


def test_zip64_records_load_in_torch(monkeypatch):
    monkeypatch.setattr(S, "_ZIP64_LIMIT", 1)  # every size and offset takes the zip64 path
    x = gt(np.arange(100, dtype=np.float32))
    buf = to_torch_buffer({"x": x})
    assert zipfile.ZipFile(buf).testzip() is None
    buf.seek(0)
    np.testing.assert_array_equal(torch.load(buf, weights_only=True)["x"].numpy(), as_np(x))
    buf.seek(0)
    np.testing.assert_array_equal(as_np(S.load(buf)["x"]), as_np(x))


def test_whole_objects_need_weights_only_false(tmp_path):
    obj = {"cfg": collections.namedtuple("Cfg", "a b")(1, 2), "w": torch.ones(2)}
    path = tmp_path / "obj.pt"
    torch.save({"w": torch.ones(2), "fn": np.float64(1.5)}, path)
    with pytest.raises(pickle.UnpicklingError) as torch_err:
        torch.load(path, weights_only=True)
    with pytest.raises(type(torch_err.value), match="Weights only load failed"):
        S.load(path)
    g = S.load(path, weights_only=False)
    assert g["fn"] == 1.5 and isinstance(g["w"], Tensor)
    del obj


def test_whole_models_with_weights_only_false(tmp_path):
    """Saving a whole model pickles its class: refused by default (as torch refuses it),
    loaded with weights_only=False; a torch model's classes map to glasstorch's."""
    nn = pytest.importorskip("glasstorch.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("glasstorch.nn.Linear not available yet")
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    path = tmp_path / "whole.pt"
    S.save(model, path)
    with pytest.raises(pickle.UnpicklingError, match="glasstorch.nn.modules"):
        S.load(path)
    again = S.load(path, weights_only=False)
    assert type(again) is type(model) and repr(again) == repr(model)
    for (k, a), (k2, b) in zip(model.state_dict().items(), again.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(as_np(a), as_np(b))
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
    torch.save(tmodel, tmp_path / "torch_whole.pt")
    with pytest.raises(pickle.UnpicklingError):
        S.load(tmp_path / "torch_whole.pt")
    g = S.load(tmp_path / "torch_whole.pt", weights_only=False)
    assert type(g) is nn.Sequential and repr(g) == repr(tmodel)
    assert_same(g.state_dict(), tmodel.state_dict())


def test_add_safe_globals():
    buf = io.BytesIO()
    torch.save({"x": np.float64(2.0)}, buf)
    reconstruct = np._core.multiarray.scalar if hasattr(np, "_core") else None
    if reconstruct is None:
        pytest.skip("numpy 2 needed")
    name = f"{reconstruct.__module__}.{reconstruct.__name__}"
    with S.safe_globals([(reconstruct, name), (np.dtype, "numpy.dtype"),
                         (type(np.dtype("float64")), "numpy.dtypes.Float64DType")]):
        buf.seek(0)
        try:
            out = S.load(buf)
        except pickle.UnpicklingError as e:
            pytest.skip(f"numpy pickles other globals here: {e}")
    assert out["x"] == 2.0
    assert S.get_safe_globals() == []


def test_map_location_variants(tmp_path):
    path = tmp_path / "m.pt"
    torch.save({"w": torch.arange(3.0)}, path)
    seen = []
    for ml in ("cpu", torch.device("cpu"), {"cpu": "cpu"},
               lambda storage, loc: seen.append(loc) or storage,
               lambda storage, loc: None):
        g = S.load(path, map_location=ml)
        np.testing.assert_array_equal(as_np(g["w"]), [0, 1, 2])
    assert seen == ["cpu"]
    from glasstorch._device import device

    S.load(path, map_location=device("cpu"))


def cuda_file(tmp_path):
    """A torch checkpoint whose storage says it lived on cuda:0 (torch.save on a GPU)."""
    src, dst = tmp_path / "c.pt", tmp_path / "cuda.pt"
    torch.save({"w": torch.arange(3.0)}, src)
    zin = zipfile.ZipFile(src)
    with zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            zout.writestr(info.filename.replace("c/", "cuda/", 1), data)
    return dst


def test_cuda_checkpoint_needs_map_location_like_torch(tmp_path):
    path = cuda_file(tmp_path)
    with pytest.raises(RuntimeError) as torch_err:
        torch.load(path, weights_only=True)
    with pytest.raises(type(torch_err.value), match="map_location"):
        S.load(path)
    for ml in ("cpu", {"cuda:0": "cpu"}, lambda s, loc: s.cpu()):
        np.testing.assert_array_equal(as_np(S.load(path, map_location=ml)["w"]), [0, 1, 2])
    np.testing.assert_array_equal(torch.load(path, map_location="cpu")["w"].numpy(), [0, 1, 2])


def test_mmap(tmp_path):
    path = tmp_path / "m.pt"
    x = torch.randn(64, 3)
    torch.save({"x": x, "v": x[:, 1]}, path)
    g = S.load(path, mmap=True)
    np.testing.assert_array_equal(as_np(g["x"]), x.numpy())
    assert same_memory(g["x"], g["v"])
    g["x"]._data[0, 0] = 123.0  # copy-on-write: the file is not changed
    np.testing.assert_array_equal(torch.load(path)["x"].numpy(), x.numpy())
    t = via_torch(g)  # saved again: just their storage, not the whole mapped file
    assert t["x"].untyped_storage().nbytes() == x.untyped_storage().nbytes()
    assert same_memory(t["x"], t["v"]) and t["x"][0, 0].item() == 123.0
    with pytest.raises(ValueError) as torch_err:
        torch.load(io.BytesIO(path.read_bytes()), mmap=True)
    with pytest.raises(type(torch_err.value), match="file path"):
        S.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_save_errors_like_torch(tmp_path):
    def save_to(where):
        return lambda lib: (torch.save(torch.ones(1), where) if lib is torch
                            else S.save(gt(np.ones(1, np.float32)), where))

    harness.same_error(save_to(tmp_path / "no" / "such" / "dir.pt"), RuntimeError)
    for not_a_file in (object(), 5):
        harness.same_error(save_to(not_a_file), text=False)


def test_save_replaces_existing_file_keeping_its_mode(tmp_path):
    path = tmp_path / "ckpt.pt"
    S.save({"step": 1}, path)
    os.chmod(path, 0o640)
    S.save({"step": 2}, path)
    assert S.load(path) == {"step": 2}
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temporary file left after a good save


def test_failed_save_keeps_previous_file_and_cleans_up(tmp_path):
    path = tmp_path / "ckpt.pt"
    S.save({"step": 1}, path)

    def make_local():
        return lambda: 0

    for bad in (lambda: 0, make_local()):
        harness.same_error(lambda lib, bad=bad: torch.save({"fn": bad}, tmp_path / "torch.pt")
                           if lib is torch else S.save({"step": 2, "fn": bad}, path), text=False)
        assert S.load(path) == {"step": 1}  # torch would have truncated it already
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pt", "torch.pt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_save_through_a_symlink_replaces_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "ckpt.pt"
    S.save({"v": 1}, target)
    link = tmp_path / "latest.pt"
    link.symlink_to(target)
    S.save({"v": 2}, link)
    assert link.is_symlink() and S.load(target) == {"v": 2}


def test_torchscript_archive_is_refused(tmp_path):
    path = tmp_path / "scripted.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), path)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError) as torch_err:
        torch.load(path, weights_only=True)
    with pytest.raises(type(torch_err.value), match="TorchScript"):
        S.load(path)


# -- loading never runs code ----------------------------------------------------------------

class Evil:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return (self.func, (self.arg,))


def malicious_payloads(marker: str):
    cmd = f"touch {marker}"
    return {
        "os.system": Evil(os.system, cmd),
        "builtins.eval": Evil(eval, f"open({marker!r}, 'w').close()"),
        "builtins.exec": Evil(exec, f"open({marker!r}, 'w').close()"),
        "subprocess.call": Evil(subprocess.call, ["touch", marker]),
        "io.open": Evil(open, marker),
    }


@pytest.mark.parametrize("kind", ["os.system", "builtins.eval", "builtins.exec",
                                  "subprocess.call", "io.open"])
def test_malicious_checkpoint_is_refused_and_nothing_runs(tmp_path, kind):
    marker = tmp_path / "MARKER"
    path = tmp_path / "evil.pt"
    payload = malicious_payloads(str(marker))[kind]
    torch.save({"weights": torch.ones(2), "surprise": payload}, path)
    with pytest.raises(pickle.UnpicklingError) as torch_err:
        torch.load(path, weights_only=True)
    assert not marker.exists()
    with pytest.raises(type(torch_err.value)) as ours:
        S.load(path)
    msg = str(ours.value)
    assert msg.startswith("Weights only load failed")
    assert "evil.pt" in msg and "Nothing from the file was executed" in msg
    module = {"os.system": ("posix.system", "os.system", "nt.system")}.get(kind, (kind,))
    assert any(m in msg for m in module) or "GLOBAL" in msg, msg
    assert not marker.exists()


def raw_checkpoint(pickle_bytes: bytes, tmp_path, storages: dict | None = None):
    """A torch-format archive around hand-written pickle opcodes."""
    path = tmp_path / "crafted.pt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("crafted/data.pkl", pickle_bytes)
        z.writestr("crafted/byteorder", "little")
        for k, v in (storages or {}).items():
            z.writestr(f"crafted/data/{k}", v)
        z.writestr("crafted/version", "3\n")
    return path


def op_global(module: str, name: str) -> bytes:
    return pickle.GLOBAL + f"{module}\n{name}\n".encode()


def test_crafted_opcodes_are_refused(tmp_path):
    marker = tmp_path / "MARK2"
    P = pickle
    str_arg = P.BINUNICODE + struct.pack("<I", len(f"touch {marker}")) + \
        f"touch {marker}".encode()
    cases = {
        # posix.system('touch marker') by REDUCE
        "posix.system": P.PROTO + b"\x02" + op_global("posix", "system") + P.MARK + str_arg +
        P.TUPLE + P.REDUCE + P.STOP,
        # the same global through STACK_GLOBAL (protocol 4)
        "stack global": P.PROTO + b"\x04" + P.SHORT_BINUNICODE + b"\x05posix" +
        P.SHORT_BINUNICODE + b"\x06system" + P.STACK_GLOBAL + P.MARK + str_arg + P.TUPLE +
        P.REDUCE + P.STOP,
        # BUILD that would overwrite attributes of a glasstorch dtype (a shared object)
        "BUILD on dtype": P.PROTO + b"\x02" + op_global("torch", "float32") + P.EMPTY_DICT +
        P.MARK + P.BINUNICODE + struct.pack("<I", 2) + b"np" + P.NONE + P.DICT + P.TUPLE2 +
        P.BUILD + P.STOP,
        # INST names a class and calls it in one opcode
        "INST": P.PROTO + b"\x02" + P.MARK + str_arg + b"iposix\nsystem\n" + P.STOP,
        # OBJ on an allowed callable that is not a class
        "OBJ": P.PROTO + b"\x02" + P.MARK + op_global("_codecs", "encode") + P.OBJ + P.STOP,
        # APPEND onto an allowed non-list object
        "APPEND": P.PROTO + b"\x02" + op_global("collections", "OrderedDict") + P.EMPTY_TUPLE +
        P.REDUCE + P.NONE + P.APPEND + P.STOP,
    }
    for name, data in cases.items():
        path = raw_checkpoint(data, tmp_path)
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
            S.load(path)
        assert not marker.exists(), name


def test_crafted_view_outside_its_storage_is_refused(tmp_path):
    buf = io.BytesIO()
    torch.save(torch.arange(4.0), buf)
    data = zipfile.ZipFile(buf).read("archive/data.pkl")
    # claim 1000 elements of a 4-element storage: reading them would leak process memory
    bad = data.replace(pickle.BININT1 + b"\x04" + pickle.TUPLE1,
                       pickle.BININT2 + struct.pack("<H", 1000) + pickle.TUPLE1, 1)
    assert bad != data
    path = raw_checkpoint(bad, tmp_path, {"0": np.arange(4, dtype=np.float32).tobytes()})
    with pytest.raises(RuntimeError) as torch_err:
        torch.load(path.__fspath__().replace("crafted.pt", "crafted.pt"), weights_only=True)
    with pytest.raises(type(torch_err.value), match="out of bounds"):
        S.load(path)


# -- damaged files --------------------------------------------------------------------------

def test_truncated_file_error_names_the_file(tmp_path):
    path = tmp_path / "model.pth"
    torch.save(torch_model().state_dict(), path)
    raw = path.read_bytes()
    for cut in (len(raw) - 10, len(raw) // 2, 100):
        path.write_bytes(raw[:cut])
        with pytest.raises(RuntimeError) as torch_err:
            torch.load(path)
        with pytest.raises(type(torch_err.value)) as ours:
            S.load(path)
        msg = str(ours.value)
        assert msg.startswith("PytorchStreamReader failed reading zip archive: failed finding "
                              "central directory")
        assert str(path) in msg and "truncated" in msg


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all" * 4, b"PK\x03\x04junk"])
def test_garbage_file_error_names_the_file(tmp_path, content):
    path = tmp_path / "junk.pt"
    path.write_bytes(content)
    with pytest.raises(RuntimeError, match="junk.pt") as ours:
        S.load(path)
    assert "PytorchStreamReader failed" in str(ours.value)


def test_flipped_byte_in_data_is_detected(tmp_path):
    path = tmp_path / "flip.pt"
    S.save({"w": gt(np.arange(64, dtype=np.float32))}, path)
    z = zipfile.ZipFile(path)
    info = z.getinfo("flip/data/0")
    raw = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                   info.header_offset + 30])
    raw[info.header_offset + 30 + name_len + extra_len + 5] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match="flip.pt"):
        S.load(path)


def test_legacy_format_loads(tmp_path):
    """PyTorch's pre-1.6 format (torch.save(..., _use_new_zipfile_serialization=False))."""
    path = tmp_path / "old.pt"
    torch.manual_seed(6)  # storages in an order where a truncated count header is the last cut
    x = torch.randn(3, 4)
    model, opt = torch_adam_state()
    obj = {"x": x, "v": x[:, 1:3], "sd": model.state_dict(), "opt": opt.state_dict(),
           "i": torch.arange(5, dtype=torch.int16), "p": torch.nn.Parameter(torch.ones(2)),
           "e": torch.empty(0), "n": [1, 2.5, "s"]}
    torch.save(obj, path, _use_new_zipfile_serialization=False)
    g = S.load(path)
    assert_same(g, torch.load(path, weights_only=True))
    assert same_memory(g["x"], g["v"])
    assert_same(via_glasstorch(torch.load(path)), torch.load(path))
    raw = path.read_bytes()
    for cut in (len(raw) - 7, 40):
        path.write_bytes(raw[:cut])
        with pytest.raises(RuntimeError, match="old.pt"):
            S.load(path)


def test_legacy_whole_module_is_refused(tmp_path):
    path = tmp_path / "whole.pt"
    torch.save(torch.nn.Linear(2, 2), path, _use_new_zipfile_serialization=False)
    with pytest.raises(pickle.UnpicklingError) as torch_err:
        torch.load(path, weights_only=True)
    with pytest.raises(type(torch_err.value), match="Weights only load failed"):
        S.load(path)


def test_missing_file_like_torch(tmp_path):
    with pytest.raises(FileNotFoundError) as torch_err:
        torch.load(tmp_path / "nope.pt")
    with pytest.raises(type(torch_err.value)):
        S.load(tmp_path / "nope.pt")


# -- a save killed at a random point never loses the previous checkpoint -------------------

def save_forever(path: str, ready) -> None:
    """The child: save a 4 MiB state_dict over and over, each one filled with its step."""
    arrays = [np.empty((256, 1024), np.float32) for _ in range(4)]
    step = 0
    while True:
        step += 1
        for a in arrays:
            a.fill(step)
        sd = collections.OrderedDict(
            (f"layer{i}.weight", Tensor._make(a)) for i, a in enumerate(arrays))
        sd["step"] = Tensor._make(np.array(step))
        S.save(sd, path)
        if step == 1:
            ready.send("saved")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start children quickly")
def test_kill_during_save_keeps_previous_checkpoint(tmp_path):
    ctx = multiprocessing.get_context("fork")
    path = tmp_path / "ckpt.pt"
    S.save({"layer0.weight": gt(np.zeros(3, np.float32)), "step": gt(np.array(0))}, path)
    rng = random.Random(1234)
    for _ in range(30):
        here, there = ctx.Pipe()
        child = ctx.Process(target=save_forever, args=(str(path), there), daemon=True)
        child.start()
        there.close()  # so that recv() fails at once, rather than waits, if the child died
        assert here.poll(120) and here.recv() == "saved"
        time.sleep(rng.uniform(0, 0.05))  # a random point inside a later save
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        here.close()
        assert child.exitcode == -signal.SIGKILL
        sd = S.load(path)  # always a complete checkpoint: the last one renamed into place
        step = int(as_np(sd["step"]))
        for k, v in sd.items():
            if k != "step":
                assert (as_np(v) == step).all(), (k, step)
        for name in os.listdir(tmp_path):  # only the target and temporary leftovers
            assert name == "ckpt.pt" or (name.startswith(".ckpt.pt.") and name.endswith(".tmp"))
    assert torch.load(path, weights_only=True)["step"].item() == step


# -- safetensors ----------------------------------------------------------------------------

def test_safetensors_cross_both_ways(tmp_path):
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file as t_load
    from safetensors.torch import save_file as t_save

    from glasstorch.safetensors import load, load_file, save, save_file

    rng = np.random.default_rng(1)
    ours = {f"t_{d}": gt(np_random((2, 3), d, rng)) for d in DTYPES}
    ours["scalar"] = gt(np.array(1.5, np.float32))
    ours["empty"] = gt(np.empty((0, 4), np.int64))
    path = tmp_path / "g.safetensors"
    save_file(ours, path, metadata={"format": "pt"})
    theirs = t_load(path)
    for k, v in ours.items():
        assert str(theirs[k].dtype) == str(v.dtype)
        np.testing.assert_array_equal(theirs[k].numpy(), as_np(v))
    t_save({k: v * 2 if v.dtype != torch.bool else v for k, v in theirs.items()},
           tmp_path / "t.safetensors")
    back = load_file(tmp_path / "t.safetensors")
    assert set(back) == set(ours)
    for k, v in back.items():
        expect = theirs[k] * 2 if theirs[k].dtype != torch.bool else theirs[k]
        assert str(v.dtype) == str(expect.dtype)
        np.testing.assert_array_equal(as_np(v), expect.numpy())
        v._data[...] = 0  # writable, own memory
    round_trip = load(save(ours))
    for k in ours:
        np.testing.assert_array_equal(as_np(round_trip[k]), as_np(ours[k]))
    np.testing.assert_array_equal(as_np(S.load(path)["t_float32"]), as_np(ours["t_float32"]))


def test_safetensors_errors_like_safetensors_torch(tmp_path):
    pytest.importorskip("safetensors")
    from safetensors.torch import save_file as t_save

    from glasstorch.safetensors import save_file

    base = np.ones((4, 4), np.float32)
    tb = torch.ones(4, 4)
    for ours, theirs in (({"a": gt(base), "b": gt(base[:2])}, {"a": tb, "b": tb[:2]}),
                         ({"a": gt(base[:, ::2])}, {"a": tb[:, ::2]}),
                         ({"a": [1, 2]}, {"a": [1, 2]})):
        harness.same_error(lambda lib, ours=ours, theirs=theirs:
                           t_save(theirs, tmp_path / "x.safetensors") if lib is torch
                           else save_file(ours, tmp_path / "y.safetensors"), text=False)
