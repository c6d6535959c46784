"""Differential tests of glasstorch.optim against torch.optim.

The same initial weights and the same sequence of gradients (drawn with NumPy and fed to both)
go through 50 steps of each optimizer with each option combination; parameters, state_dicts,
reprs, version counters and every validation error are compared with PyTorch's.
"""

from __future__ import annotations

import itertools
import warnings
from functools import partial

import harness
import numpy as np
import pytest
import torch

import glasstorch as gt
import glasstorch.optim as gopt

SHAPES = [(3, 4), (4,), (2, 3, 2)]
# state tensors within these; everything else (lr, betas, flags, steps) exactly
TOL = {"float32": (1e-5, 1e-6), "float64": (1e-10, 1e-12), "float": (0.0, 0.0)}


# -- helpers --------------------------------------------------------------------------------
def make_params(dtype=np.float32, seed=0, shapes=SHAPES):
    """The same initial weights as glasstorch and torch leaf tensors."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    g = [gt.tensor(a.copy(), requires_grad=True) for a in arrays]
    t = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return g, t


def set_grads(gparams, tparams, rng, step, skip_last_every=3):
    """Give both sets of parameters the same random gradients; the last parameter gets no
    gradient every few steps (optimizers must skip it)."""
    for i, (gp, tp) in enumerate(zip(gparams, tparams)):
        if i == len(gparams) - 1 and step % skip_last_every == 1:
            gp.grad = None
            tp.grad = None
            continue
        grad = rng.standard_normal(gp.shape).astype(gp._data.dtype)
        gp.grad = gt.tensor(grad.copy())
        tp.grad = torch.tensor(grad.copy())


def assert_params_close(gparams, tparams):
    harness.assert_same(list(gparams), list(tparams), "params", tol=TOL)


def assert_state_dicts_match(gsd, tsd):
    """Same structure (keys, indices, options) and the same state values."""
    assert list(gsd) == ["state", "param_groups"]
    harness.assert_same(gsd, tsd, "state_dict", tol=TOL)


def torch_state_dict_to_glasstorch(sd):
    """A torch optimizer state_dict with its tensors turned into glasstorch tensors."""
    state = {
        idx: {k: gt.tensor(v.detach().numpy().copy()) if isinstance(v, torch.Tensor) else v
              for k, v in s.items()}
        for idx, s in sd["state"].items()
    }
    groups = [dict(g) for g in sd["param_groups"]]
    return {"state": state, "param_groups": groups}


def glasstorch_state_dict_to_torch(sd):
    state = {
        idx: {k: torch.tensor(v._data.copy()) if isinstance(v, gt.Tensor) else v
              for k, v in s.items()}
        for idx, s in sd["state"].items()
    }
    return {"state": state, "param_groups": [dict(g) for g in sd["param_groups"]]}


# -- option grids ---------------------------------------------------------------------------
def _grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*axes.values())]


SGD_CONFIGS = [
    c for c in _grid(lr=[0.05], momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True],
                     weight_decay=[0, 0.01], maximize=[False, True])
    if not (c["nesterov"] and (c["momentum"] == 0 or c["dampening"] != 0))
]
ADAM_CONFIGS = _grid(lr=[0.01], betas=[(0.9, 0.999), (0.4, 0.9)], weight_decay=[0, 0.1],
                     amsgrad=[False, True], maximize=[False, True])
ADAMW_CONFIGS = _grid(lr=[0.01], betas=[(0.9, 0.999), (0.4, 0.9)], weight_decay=[0, 0.01, 0.3],
                      amsgrad=[False, True], maximize=[False, True])
RMSPROP_CONFIGS = _grid(lr=[0.01], alpha=[0.99, 0.7], momentum=[0, 0.9], centered=[False, True],
                        weight_decay=[0, 0.05], maximize=[False, True])
ADAGRAD_CONFIGS = _grid(lr=[0.1], lr_decay=[0, 0.05], weight_decay=[0, 0.05],
                        initial_accumulator_value=[0, 0.2], eps=[1e-10, 1e-3],
                        maximize=[False, True])

ALL_CONFIGS = (
    [("SGD", c) for c in SGD_CONFIGS]
    + [("Adam", c) for c in ADAM_CONFIGS]
    + [("AdamW", c) for c in ADAMW_CONFIGS]
    + [("RMSprop", c) for c in RMSPROP_CONFIGS]
    + [("Adagrad", c) for c in ADAGRAD_CONFIGS]
)


def _id(case):
    name, cfg = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in cfg.items() if k != "lr")


def run_both(name, cfg, steps=50, dtype=np.float32, seed=0):
    gparams, tparams = make_params(dtype, seed)
    gopt_ = getattr(gopt, name)(gparams, **cfg)
    topt = getattr(torch.optim, name)(tparams, **cfg)
    rng = np.random.default_rng(seed + 1)
    for step in range(steps):
        set_grads(gparams, tparams, rng, step)
        gopt_.step()
        topt.step()
    return gparams, tparams, gopt_, topt


# -- trajectories ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", ALL_CONFIGS, ids=[_id(c) for c in ALL_CONFIGS])
def test_fifty_steps_match_torch(case):
    name, cfg = case
    gparams, tparams, g_opt, t_opt = run_both(name, cfg)
    assert_params_close(gparams, tparams)
    assert_state_dicts_match(g_opt.state_dict(), t_opt.state_dict())


FLOAT64_CASES = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
                 ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
                 ("AdamW", dict(lr=0.01, betas=(0.4, 0.9))),
                 ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                 ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1))]


@pytest.mark.parametrize("case", FLOAT64_CASES, ids=[_id(c) for c in FLOAT64_CASES])
def test_float64_params_stay_float64_and_match(case):
    name, cfg = case
    gparams, tparams, g_opt, t_opt = run_both(name, cfg, dtype=np.float64)
    assert_params_close(gparams, tparams)
    assert_state_dicts_match(g_opt.state_dict(), t_opt.state_dict())


@pytest.mark.parametrize("case", FLOAT64_CASES, ids=[_id(c) for c in FLOAT64_CASES])
def test_float32_params_never_upcast(case):
    name, cfg = case
    gparams, _, g_opt, _ = run_both(name, cfg, steps=3)
    for p in gparams:
        assert p._data.dtype == np.float32
    for state in g_opt.state.values():
        for key, value in state.items():
            if key != "step":
                assert value._data.dtype == np.float32


def test_param_groups_with_own_options_match():
    gparams, tparams = make_params()
    g_opt = gopt.SGD([{"params": gparams[:2]}, {"params": gparams[2:], "lr": 0.3,
                                                "momentum": 0.5}], lr=0.05, momentum=0.9)
    t_opt = torch.optim.SGD([{"params": tparams[:2]}, {"params": tparams[2:], "lr": 0.3,
                                                       "momentum": 0.5}], lr=0.05, momentum=0.9)
    rng = np.random.default_rng(5)
    for step in range(20):
        set_grads(gparams, tparams, rng, step)
        g_opt.step()
        t_opt.step()
    assert_params_close(gparams, tparams)
    assert_state_dicts_match(g_opt.state_dict(), t_opt.state_dict())
    assert repr(g_opt) == repr(t_opt)


def test_add_param_group_later_matches():
    gparams, tparams = make_params()
    g_opt = gopt.Adam(gparams[:1], lr=0.01)
    t_opt = torch.optim.Adam(tparams[:1], lr=0.01)
    g_opt.add_param_group({"params": gparams[1:], "lr": 0.1, "amsgrad": True})
    t_opt.add_param_group({"params": tparams[1:], "lr": 0.1, "amsgrad": True})
    rng = np.random.default_rng(7)
    for step in range(10):
        set_grads(gparams, tparams, rng, step)
        g_opt.step()
        t_opt.step()
    assert_params_close(gparams, tparams)
    assert_state_dicts_match(g_opt.state_dict(), t_opt.state_dict())


def test_adagrad_param_group_added_later_gets_state():
    gparams, tparams = make_params()
    g_opt = gopt.Adagrad(gparams[:1], lr=0.1, initial_accumulator_value=0.3)
    t_opt = torch.optim.Adagrad(tparams[:1], lr=0.1, initial_accumulator_value=0.3)
    g_opt.add_param_group({"params": gparams[1:]})
    t_opt.add_param_group({"params": tparams[1:]})
    assert_state_dicts_match(g_opt.state_dict(), t_opt.state_dict())
    rng = np.random.default_rng(8)
    for step in range(5):
        set_grads(gparams, tparams, rng, step)
        g_opt.step()
        t_opt.step()
    assert_params_close(gparams, tparams)
    assert_state_dicts_match(g_opt.state_dict(), t_opt.state_dict())


# -- state_dict / load_state_dict ------------------------------------------------------------
ROUND_TRIP_CASES = [("SGD", dict(lr=0.05, momentum=0.9)), ("SGD", dict(lr=0.05)),
                    ("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)),
                    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
                    ("Adagrad", dict(lr=0.1, lr_decay=0.01))]


@pytest.mark.parametrize("case", ROUND_TRIP_CASES, ids=[_id(c) for c in ROUND_TRIP_CASES])
def test_load_state_dict_round_trip_continues_like_torch(case):
    """Save after 20 steps, load into a fresh optimizer on copies of the parameters: the next
    10 steps match torch's uninterrupted run. Also loads torch's own state_dict."""
    name, cfg = case
    gparams, tparams, g_opt, t_opt = run_both(name, cfg, steps=20)
    saved = g_opt.state_dict()

    copies = [gt.tensor(p._data.copy(), requires_grad=True) for p in gparams]
    resumed = getattr(gopt, name)(copies, lr=123.0)  # options come from the state_dict
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == cfg["lr"]

    from_torch_params = [gt.tensor(p.detach().numpy().copy(), requires_grad=True)
                         for p in tparams]
    from_torch = getattr(gopt, name)(from_torch_params, lr=123.0)
    from_torch.load_state_dict(torch_state_dict_to_glasstorch(t_opt.state_dict()))

    rng = np.random.default_rng(99)
    for step in range(10):
        set_grads(copies, tparams, rng, step)
        for a, b in zip(from_torch_params, copies):
            a.grad = None if b.grad is None else gt.tensor(b.grad._data.copy())
        resumed.step()
        from_torch.step()
        t_opt.step()
    assert_params_close(copies, tparams)
    assert_params_close(from_torch_params, tparams)
    assert_state_dicts_match(resumed.state_dict(), t_opt.state_dict())


def test_glasstorch_state_dict_loads_into_torch():
    gparams, tparams, g_opt, t_opt = run_both("Adam", dict(lr=0.01), steps=5)
    fresh = [torch.tensor(p._data.copy(), requires_grad=True) for p in gparams]
    t2 = torch.optim.Adam(fresh, lr=0.5)
    t2.load_state_dict(glasstorch_state_dict_to_torch(g_opt.state_dict()))
    assert t2.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


def test_load_state_dict_casts_float_state_but_not_step():
    g64, _ = make_params(np.float64)
    g32, _ = make_params(np.float32)
    opt64 = gopt.Adam(g64, lr=0.01)
    for p in g64:
        p.grad = gt.tensor(np.ones(p.shape))
    opt64.step()
    opt32 = gopt.Adam(g32, lr=0.01)
    opt32.load_state_dict(opt64.state_dict())
    for p in g32:
        state = opt32.state[p]
        assert state["exp_avg"].dtype == gt.float32
        assert state["step"].dtype == gt.float32
        assert float(state["step"]) == 1.0

    t64 = [torch.tensor(p._data) for p in g64]
    topt = torch.optim.Adam([t.requires_grad_() for t in t64], lr=0.01)
    for t in t64:
        t.grad = torch.ones_like(t)
    topt.step()
    t32 = [torch.zeros(t.shape, requires_grad=True) for t in t64]
    topt32 = torch.optim.Adam(t32, lr=0.01)
    topt32.load_state_dict(topt.state_dict())
    assert topt32.state[t32[0]]["exp_avg"].dtype == torch.float32


def test_state_dict_indices_are_consecutive_across_groups():
    gparams, tparams = make_params()
    g_opt = gopt.SGD([{"params": gparams[:1]}, {"params": gparams[1:]}], lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD([{"params": tparams[:1]}, {"params": tparams[1:]}], lr=0.1,
                            momentum=0.9)
    assert g_opt.state_dict() == t_opt.state_dict()
    assert g_opt.state_dict()["param_groups"][1]["params"] == [1, 2]


@pytest.mark.parametrize("which", ["groups", "sizes"])
def test_load_state_dict_errors(which):
    """Loading into a different number of groups, or groups of other sizes, fails as in torch."""
    def split(params, sizes):
        out, start = [], 0
        for n in sizes:
            out.append({"params": params[start:start + n]})
            start += n
        return out

    saved_sizes, target_sizes = ([3], [1, 2]) if which == "groups" else ([1, 2], [2, 1])
    messages = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        params = [mod.ones(2, requires_grad=True) for _ in range(3)]
        saved = optim.SGD(split(params, saved_sizes), lr=0.1).state_dict()
        with pytest.raises(ValueError) as err:
            optim.SGD(split(params, target_sizes), lr=0.1).load_state_dict(saved)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


# -- repr -----------------------------------------------------------------------------------
REPR_CASES = [("SGD", {}), ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
              ("Adam", {}), ("Adam", dict(betas=(0.5, 0.6), amsgrad=True)), ("AdamW", {}),
              ("RMSprop", {}), ("RMSprop", dict(centered=True)), ("Adagrad", {}),
              ("Adagrad", dict(lr_decay=0.1, initial_accumulator_value=0.5))]


@pytest.mark.parametrize("case", REPR_CASES, ids=[_id(c) for c in REPR_CASES])
def test_repr_matches_torch(case):
    name, cfg = case
    gparams, tparams = make_params()
    g_opt = getattr(gopt, name)([{"params": gparams[:1]}, {"params": gparams[1:], "lr": 0.5}],
                                **cfg)
    t_opt = getattr(torch.optim, name)(
        [{"params": tparams[:1]}, {"params": tparams[1:], "lr": 0.5}], **cfg)
    assert repr(g_opt) == repr(t_opt)
    assert g_opt.defaults == t_opt.defaults


# -- validation errors ----------------------------------------------------------------------
# make(lib) builds an optimizer, lib being "torch" or "gt" (see _lib)
same_error = partial(harness.same_error, lead=lambda lib: ("torch" if lib is torch else "gt",))


def _lib(lib):
    return (torch, torch.optim) if lib == "torch" else (gt, gopt)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_bare_tensor_params_error(name):
    def make(lib):
        mod, optim = _lib(lib)
        return getattr(optim, name)(mod.zeros(3, requires_grad=True), lr=0.1)

    same_error(make)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_empty_parameter_list_error(name):
    same_error(lambda lib: getattr(_lib(lib)[1], name)([], lr=0.1))


def test_non_leaf_error():
    def make(lib):
        mod, optim = _lib(lib)
        x = mod.ones(3, requires_grad=True)
        return optim.SGD([x * 2], lr=0.1)

    same_error(make)


def test_non_tensor_param_error():
    same_error(lambda lib: _lib(lib)[1].SGD([1.5], lr=0.1))


def test_set_of_params_error():
    def make(lib):
        mod, optim = _lib(lib)
        return optim.SGD([{"params": {mod.ones(2, requires_grad=True)}}], lr=0.1)

    same_error(make)


def test_param_in_two_groups_error():
    def make(lib):
        mod, optim = _lib(lib)
        x = mod.ones(3, requires_grad=True)
        return optim.SGD([{"params": [x]}, {"params": [x], "lr": 0.5}], lr=0.1)

    same_error(make)


def test_param_group_must_be_dict_error():
    def make(lib):
        mod, optim = _lib(lib)
        opt = optim.SGD([mod.ones(3, requires_grad=True)], lr=0.1)
        opt.add_param_group([mod.ones(3, requires_grad=True)])

    same_error(make)


def test_duplicate_params_warn_like_torch():
    messages = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        x = mod.ones(3, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            optim.SGD([x, x], lr=0.1)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_uncalled_parameters_method_error_adds_hint():
    class Model:
        def __init__(self, mod):
            self.w = mod.ones(3, requires_grad=True)

        def parameters(self):
            return iter([self.w])

    with pytest.raises(TypeError) as t_err:
        torch.optim.SGD(Model(torch).parameters, lr=0.1)
    with pytest.raises(TypeError) as g_err:
        gopt.SGD(Model(gt).parameters, lr=0.1)
    message = str(g_err.value)
    assert message.startswith(str(t_err.value) + "\n[glasstorch] ")
    assert "SGD(model.parameters(), lr=...)" in message


BAD_OPTIONS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(lr=0.1, momentum=-0.5)),
    ("SGD", dict(lr=0.1, weight_decay=-1)), ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1e-8)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-0.1)),
    ("Adam", dict(betas=(0.9, 1))), ("AdamW", dict(betas=(-0.5, 0.9))),
    ("AdamW", dict(lr=-0.001)),
    ("RMSprop", dict(lr=-0.01)), ("RMSprop", dict(eps=-1.0)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-0.5)),
    ("Adagrad", dict(lr=-0.1)), ("Adagrad", dict(lr_decay=-0.1)),
    ("Adagrad", dict(weight_decay=-0.1)), ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adagrad", dict(eps=-1.0)),
]


@pytest.mark.parametrize("case", BAD_OPTIONS, ids=[_id(c) for c in BAD_OPTIONS])
def test_invalid_option_errors(case):
    name, cfg = case

    def make(lib):
        mod, optim = _lib(lib)
        return getattr(optim, name)([mod.ones(2, requires_grad=True)], **cfg)

    same_error(make)


# -- zero_grad, closure, grad mode, version counter -----------------------------------------
def test_zero_grad_set_to_none_and_in_place():
    gparams, _ = make_params()
    opt = gopt.SGD(gparams, lr=0.1)
    for p in gparams:
        p.grad = gt.tensor(np.ones(p.shape, dtype=np.float32))
    grads = [p.grad for p in gparams]
    opt.zero_grad(set_to_none=False)
    for p, g in zip(gparams, grads):
        assert p.grad is g
        assert not p.grad._data.any()
    opt.zero_grad()
    assert all(p.grad is None for p in gparams)
    opt.zero_grad(set_to_none=False)  # no grads: nothing to do
    assert all(p.grad is None for p in gparams)


def test_step_with_closure_returns_loss_and_records_grad():
    seen = {}
    x_np = np.random.default_rng(3).standard_normal(5).astype(np.float32)
    results = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        w = mod.tensor(x_np.copy(), requires_grad=True)
        opt = optim.SGD([w], lr=0.1, momentum=0.9)

        def closure(mod=mod, opt=opt, w=w):
            opt.zero_grad()
            seen[mod.__name__] = mod.is_grad_enabled()
            loss = (w * w).sum()
            loss.backward()
            return loss

        with mod.no_grad():
            losses = [float(opt.step(closure)) for _ in range(5)]
        assert opt.step() is None
        results.append((losses, w.detach().numpy().copy()))
    assert seen == {"torch": True, "glasstorch": True}
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)


def test_step_runs_without_recording_and_restores_mode():
    w = gt.ones(3, requires_grad=True)
    opt = gopt.Adam([w], lr=0.1)
    w.grad = gt.ones(3)
    opt.step()
    assert w.grad_fn is None and w.is_leaf
    assert gt.is_grad_enabled()


@pytest.mark.parametrize("case", ALL_CONFIGS[::7], ids=[_id(c) for c in ALL_CONFIGS[::7]])
def test_version_counter_bumps_like_torch(case):
    name, cfg = case
    gparams, tparams = make_params()
    g_opt = getattr(gopt, name)(gparams, **cfg)
    t_opt = getattr(torch.optim, name)(tparams, **cfg)
    rng = np.random.default_rng(0)
    for step in range(3):
        set_grads(gparams, tparams, rng, step)
        g_before = [p._version for p in gparams]
        t_before = [p._version for p in tparams]
        g_opt.step()
        t_opt.step()
        assert [p._version - b for p, b in zip(gparams, g_before)] == [
            p._version - b for p, b in zip(tparams, t_before)]


def test_state_is_keyed_by_parameter_and_skips_params_without_grad():
    gparams, tparams = make_params()
    g_opt = gopt.Adam(gparams, lr=0.1)
    t_opt = torch.optim.Adam(tparams, lr=0.1)
    gparams[0].grad = gt.ones(*gparams[0].shape)
    tparams[0].grad = torch.ones(*tparams[0].shape)
    g_opt.step()
    t_opt.step()
    assert list(g_opt.state) == [gparams[0]] and len(t_opt.state) == 1
    assert list(g_opt.state[gparams[0]]) == list(t_opt.state[tparams[0]])
    step = g_opt.state[gparams[0]]["step"]
    assert step.shape == () and step.dtype == gt.float32 and float(step) == 1.0


def test_sgd_first_momentum_buffer_is_a_copy_of_the_gradient():
    w = gt.ones(3, requires_grad=True)
    opt = gopt.SGD([w], lr=0.1, momentum=0.9, dampening=0.5)
    w.grad = gt.tensor([1.0, 2.0, 3.0])
    opt.step()
    buf = opt.state[w]["momentum_buffer"]
    np.testing.assert_array_equal(buf._data, w.grad._data)
    assert buf._data is not w.grad._data and not np.shares_memory(buf._data, w.grad._data)


def test_scheduler_written_lr_is_used():
    gparams, tparams = make_params()
    g_opt = gopt.SGD(gparams, lr=0.1)
    t_opt = torch.optim.SGD(tparams, lr=0.1)
    rng = np.random.default_rng(1)
    for step in range(5):
        for o in (g_opt, t_opt):
            o.param_groups[0]["lr"] = 0.1 / (step + 1)
        set_grads(gparams, tparams, rng, step)
        g_opt.step()
        t_opt.step()
    assert_params_close(gparams, tparams)


def test_tiny_model_trained_with_autograd_matches_torch():
    """A linear regression trained 50 steps through each library's own autograd."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.standard_normal((16, 1)).astype(np.float32)
    w0 = rng.standard_normal((4, 1)).astype(np.float32)
    for name, cfg in [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01)),
                      ("RMSprop", dict(lr=0.01)), ("AdamW", dict(lr=0.01)),
                      ("Adagrad", dict(lr=0.1))]:
        finals = []
        for mod, optim in (_lib("torch"), _lib("gt")):
            w = mod.tensor(w0.copy(), requires_grad=True)
            b = mod.zeros(1, requires_grad=True)
            opt = getattr(optim, name)([w, b], **cfg)
            xs, ys = mod.tensor(x), mod.tensor(y)
            for _ in range(50):
                opt.zero_grad()
                loss = ((xs @ w + b - ys) ** 2).mean()
                loss.backward()
                opt.step()
            finals.append((w.detach().numpy().copy(), b.detach().numpy().copy(), loss.item()))
        for got, expected in zip(finals[1], finals[0]):
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


# -- random hyperparameters and shapes (hypothesis) ------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_shapes = st.lists(st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
                   min_size=1, max_size=3)
_option_strategies = {
    "SGD": st.fixed_dictionaries({
        "lr": st.floats(1e-3, 0.5), "momentum": st.sampled_from([0, 0.5, 0.9, 0.99]),
        "weight_decay": st.sampled_from([0, 1e-4, 0.1]), "maximize": st.booleans()}),
    "Adam": st.fixed_dictionaries({
        "lr": st.floats(1e-4, 0.1), "betas": st.tuples(st.floats(0.0, 0.95),
                                                       st.floats(0.5, 0.9999)),
        "eps": st.sampled_from([1e-8, 1e-6, 1e-3]), "weight_decay": st.sampled_from([0, 0.01]),
        "amsgrad": st.booleans(), "maximize": st.booleans()}),
    "AdamW": st.fixed_dictionaries({
        "lr": st.floats(1e-4, 0.1), "weight_decay": st.floats(0.0, 0.5),
        "amsgrad": st.booleans()}),
    "RMSprop": st.fixed_dictionaries({
        "lr": st.floats(1e-4, 0.05), "alpha": st.floats(0.5, 0.999),
        "momentum": st.sampled_from([0, 0.5, 0.9]), "weight_decay": st.sampled_from([0, 0.01]),
        "maximize": st.booleans()}),
    "Adagrad": st.fixed_dictionaries({
        "lr": st.floats(1e-3, 0.5), "lr_decay": st.floats(0.0, 0.1),
        "initial_accumulator_value": st.floats(0.0, 1.0), "maximize": st.booleans()}),
}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=st.data(), shapes=_shapes, name=st.sampled_from(sorted(_option_strategies)))
def test_random_options_and_shapes_match_torch(data, shapes, name):
    cfg = data.draw(_option_strategies[name])
    gparams, tparams = make_params(np.float32, seed=len(shapes), shapes=shapes)
    g_opt = getattr(gopt, name)(gparams, **cfg)
    t_opt = getattr(torch.optim, name)(tparams, **cfg)
    rng = np.random.default_rng(3)
    for step in range(20):
        set_grads(gparams, tparams, rng, step)
        g_opt.step()
        t_opt.step()
    for gp, tp in zip(gparams, tparams):
        np.testing.assert_allclose(gp._data, tp.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert_state_dicts_match_loosely(g_opt.state_dict(), t_opt.state_dict())


def assert_state_dicts_match_loosely(gsd, tsd):
    assert gsd["param_groups"] == tsd["param_groups"]
    for idx, tstate in tsd["state"].items():
        assert list(gsd["state"][idx]) == list(tstate)
        if "step" in tstate:
            assert float(gsd["state"][idx]["step"]) == float(tstate["step"])


# -- odds and ends ----------------------------------------------------------------------------
def test_user_defined_optimizer_subclass_works_with_schedulers():
    """Course code often writes its own optimizer on top of the base class."""
    results = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        class PlainSGD(optim.Optimizer):
            def __init__(self, params, lr=0.1):
                super().__init__(params, dict(lr=lr))

            @mod.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p.add_(p.grad, alpha=-group["lr"])

        w = mod.tensor([1.0, -2.0, 3.0], requires_grad=True)
        opt = PlainSGD([w], lr=0.5)
        sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(5):
            w.grad = mod.tensor([0.1, 0.2, 0.3])
            opt.step()
            sched.step()
        results.append((w.detach().numpy().copy(), sched.get_last_lr(), repr(opt)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    assert results[1][1:] == results[0][1:]


def test_loaded_read_only_state_and_plain_number_step_are_usable():
    w = gt.ones(3, requires_grad=True)
    opt = gopt.Adam([w], lr=0.1)
    avg = np.zeros(3, dtype=np.float32)
    avg.flags.writeable = False
    saved = {"state": {0: {"step": 4, "exp_avg": gt.tensor(avg), "exp_avg_sq": gt.tensor(avg)}},
             "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    saved["state"][0]["exp_avg"]._data.flags.writeable = False
    opt.load_state_dict(saved)
    w.grad = gt.ones(3)
    opt.step()
    assert float(opt.state[w]["step"]) == 5.0


MLP_CASES = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)),
             ("SGD", dict(lr=0.1)), ("Adam", dict(lr=3e-3, amsgrad=True)),
             ("AdamW", dict(lr=3e-3)), ("RMSprop", dict(lr=1e-3, centered=True, momentum=0.5)),
             ("Adagrad", dict(lr=0.05, lr_decay=1e-3))]


@pytest.mark.parametrize("case", MLP_CASES, ids=[_id(c) for c in MLP_CASES])
def test_mlp_classifier_trains_like_torch(case):
    """The issue's criterion: same model, same initial weights and batches, 50 steps."""
    name, cfg = case
    rng = np.random.default_rng(2)
    batches = [(rng.standard_normal((16, 6)).astype(np.float32), rng.integers(0, 3, 16))
               for _ in range(50)]
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.ReLU(),
                                  torch.nn.Linear(12, 3))
    g_model = gt.nn.Sequential(gt.nn.Linear(6, 12), gt.nn.ReLU(), gt.nn.Linear(12, 3))
    g_model.load_state_dict({k: gt.tensor(v.detach().numpy().copy())
                             for k, v in t_model.state_dict().items()})
    losses = []
    for mod, model in ((torch, t_model), (gt, g_model)):
        opt = getattr(mod.optim, name)(model.parameters(), **cfg)
        loss_fn = mod.nn.CrossEntropyLoss()
        trace = []
        for x, y in batches:
            opt.zero_grad()
            loss = loss_fn(model(mod.tensor(x)), mod.tensor(y))
            loss.backward()
            opt.step()
            trace.append(loss.item())
        losses.append(trace)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5, atol=1e-6)
    for (gk, gv), (tk, tv) in zip(g_model.state_dict().items(), t_model.state_dict().items()):
        assert gk == tk
        np.testing.assert_allclose(gv._data, tv.numpy(), rtol=1e-5, atol=1e-6)


def test_optimizer_checkpoint_crosses_with_torch(tmp_path):
    """An optimizer state_dict saved by glasstorch resumes in torch and vice versa."""
    gparams, tparams, g_opt, t_opt = run_both("Adam", dict(lr=0.01, amsgrad=True), steps=5)
    gt.save(g_opt.state_dict(), tmp_path / "g.pt")
    torch.save(t_opt.state_dict(), tmp_path / "t.pt")

    t_resumed_params = [torch.tensor(p.detach().numpy().copy(), requires_grad=True)
                        for p in tparams]
    t_resumed = torch.optim.Adam(t_resumed_params)
    t_resumed.load_state_dict(torch.load(tmp_path / "g.pt", weights_only=True))
    g_resumed_params = [gt.tensor(p._data.copy(), requires_grad=True) for p in gparams]
    g_resumed = gopt.Adam(g_resumed_params)
    g_resumed.load_state_dict(gt.load(tmp_path / "t.pt"))

    rng = np.random.default_rng(12)
    for step in range(5):
        set_grads(g_resumed_params, t_resumed_params, rng, step)
        g_resumed.step()
        t_resumed.step()
    assert_params_close(g_resumed_params, t_resumed_params)
    assert_state_dicts_match(g_resumed.state_dict(), t_resumed.state_dict())


def _hook_log(mod, optim):
    import importlib

    optimizer_module = importlib.import_module(optim.__name__ + ".optimizer")
    log = []
    w = mod.ones(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), dict(k))))
    opt.register_step_post_hook(lambda o, a, k: log.append(("post",)))
    g1 = optimizer_module.register_optimizer_step_pre_hook(
        lambda o, a, k: log.append(("global-pre",)))
    g2 = optimizer_module.register_optimizer_step_post_hook(
        lambda o, a, k: log.append(("global-post",)))
    opt.register_state_dict_pre_hook(lambda o: log.append(("sd-pre",)))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: log.append(("load-pre", sorted(sd))))
    opt.register_load_state_dict_post_hook(lambda o: log.append(("load-post",)))
    w.grad = mod.ones(2)
    opt.step()
    h1.remove()
    opt.step(closure=None)
    g1.remove()
    g2.remove()
    opt.step()
    sd = opt.state_dict()
    log.append(sorted(sd))
    opt.load_state_dict(sd)
    return log


def test_hooks_run_like_torch():
    assert _hook_log(*_lib("gt")) == _hook_log(*_lib("torch"))


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_tensor_learning_rate_matches_torch(name):
    results = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        w = mod.tensor([1.0, -2.0, 0.5], requires_grad=True)
        extra = {"betas": (mod.tensor([0.8]), mod.tensor(0.99))} if "Adam" in name else {}
        opt = getattr(optim, name)([w], lr=mod.tensor(0.05), **extra)
        for i in range(5):
            w.grad = mod.tensor([0.1 * i, -0.3, 0.2])
            opt.step()
        results.append((w.detach().numpy().copy(), repr(opt)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    assert results[1][1] == results[0][1]


def test_optimizer_without_an_update_rule_raises_like_torch():
    """A subclass that writes neither ``step`` nor (glasstorch's) ``_update`` cannot step."""
    errors = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        class NoRule(optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, dict(lr=0.1))

        w = mod.ones(2, requires_grad=True)
        w.grad = mod.ones(2)
        with pytest.raises(NotImplementedError) as err:
            NoRule([w]).step()
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_optimizer_subclass_writing_only_the_update_rule():
    """The template does the rest: params without gradients, maximize, weight decay, the
    version counter; here a sign-SGD rule against the same rule written out in torch."""
    results = []
    for mod, optim in (_lib("torch"), _lib("gt")):
        if mod is torch:
            class SignSGD(optim.Optimizer):
                def __init__(self, params, lr=0.1, weight_decay=0.0, maximize=False):
                    super().__init__(params, dict(lr=lr, weight_decay=weight_decay,
                                                  maximize=maximize))

                @torch.no_grad()
                def step(self, closure=None):
                    for group in self.param_groups:
                        for p in group["params"]:
                            if p.grad is None:
                                continue
                            g = -p.grad if group["maximize"] else p.grad
                            g = g + group["weight_decay"] * p
                            self.state[p]["steps"] = self.state[p].get("steps", 0) + 1
                            p.sub_(group["lr"] * g.sign())
        else:
            class SignSGD(optim.Optimizer):
                def __init__(self, params, lr=0.1, weight_decay=0.0, maximize=False):
                    super().__init__(params, dict(lr=lr, weight_decay=weight_decay,
                                                  maximize=maximize))

                def _update(self, theta, g, state, group):
                    state["steps"] = state.get("steps", 0) + 1
                    theta -= group["lr"] * np.sign(g)

        w = mod.tensor([1.0, -2.0, 0.5], requires_grad=True)
        unused = mod.ones(2, requires_grad=True)
        opt = SignSGD([w, unused], lr=0.3, weight_decay=0.5, maximize=True)
        for i in range(4):
            w.grad = mod.tensor([0.1 * i - 0.15, -0.3, 0.2])
            opt.step()
        results.append((w.detach().numpy().copy(), w._version, dict(opt.state[w]),
                        unused in opt.state))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    assert results[1][1:] == results[0][1:]
