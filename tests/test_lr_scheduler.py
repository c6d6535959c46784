"""Differential tests of glasstorch.optim.lr_scheduler against torch.optim.lr_scheduler.

Each scheduler is built with the same options on an optimizer with two parameter groups and
stepped 120 times in both libraries; the learning rates (and cycled momenta) must be the same
floats, and the state_dicts, warnings and errors must agree.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from harness import same_error, same_warnings

import glasstorch as gt
import glasstorch.optim as gopt

STEPS = 120


def _lib(lib):
    return (torch, torch.optim) if lib == "torch" else (gt, gopt)


def make_optimizer(lib, name="SGD", **kwargs):
    mod, optim = _lib(lib)
    a = mod.ones(3, requires_grad=True)
    b = mod.ones(2, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if name == "SGD":
        kwargs.setdefault("momentum", 0.9)
    return getattr(optim, name)(groups, lr=0.1, **kwargs)


def _hyper(group):
    """The options a scheduler may change, as plain values."""
    return (group["lr"], group.get("momentum"), group.get("betas"))


def run(lib, make_scheduler, steps=STEPS, opt_name="SGD"):
    """Step optimizer then scheduler ``steps`` times; return the trace of lrs and momenta."""
    _, optim = _lib(lib)
    opt = make_optimizer(lib, opt_name)
    sched = make_scheduler(optim.lr_scheduler, opt)
    trace = [(list(sched.get_last_lr()), [_hyper(g) for g in opt.param_groups])]
    for _ in range(steps):
        opt.step()
        sched.step()
        trace.append((list(sched.get_last_lr()), [_hyper(g) for g in opt.param_groups]))
    return trace, sched, opt


def _half(e):
    return 0.5 ** (e // 10)


SCHEDULERS = {
    "StepLR": lambda L, o: L.StepLR(o, step_size=7, gamma=0.5),
    "StepLR-default-gamma": lambda L, o: L.StepLR(o, step_size=30),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[10, 30, 30, 80], gamma=0.3),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.97),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=50),
    "CosineAnnealingLR-cycles": lambda L, o: L.CosineAnnealingLR(o, T_max=17, eta_min=0.001),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lr_lambda=lambda e: 0.95**e),
    "LambdaLR-per-group": lambda L, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), _half]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lr_lambda=lambda e: 0.98),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.25, total_iters=10),
    "LinearLR-down": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                             total_iters=33),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=7),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=40, power=2.0),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=10), L.CosineAnnealingLR(o, T_max=60)],
        milestones=[10]),
    "SequentialLR-three": lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.3, total_iters=5), L.ExponentialLR(o, gamma=0.9),
            L.StepLR(o, step_size=9)], milestones=[20, 50]),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-per-group": lambda L, o: L.OneCycleLR(
        o, max_lr=[1.0, 0.3], epochs=12, steps_per_epoch=10, pct_start=0.25,
        base_momentum=[0.8, 0.7], max_momentum=0.99),
    "OneCycleLR-linear": lambda L, o: L.OneCycleLR(
        o, max_lr=0.5, total_steps=STEPS, anneal_strategy="linear", div_factor=10.0,
        final_div_factor=100.0),
    "OneCycleLR-three-phase": lambda L, o: L.OneCycleLR(
        o, max_lr=0.8, total_steps=STEPS + 5, three_phase=True, pct_start=0.4),
    "OneCycleLR-no-momentum": lambda L, o: L.OneCycleLR(
        o, max_lr=0.8, total_steps=STEPS, cycle_momentum=False),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=10),
    "CosineAnnealingWarmRestarts-mult": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.001),
    "CyclicLR": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7),
    "CyclicLR-triangular2": lambda L, o: L.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=5, step_size_down=9,
        mode="triangular2"),
    "CyclicLR-exp-range": lambda L, o: L.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.99,
        cycle_momentum=False),
    "CyclicLR-scale-fn": lambda L, o: L.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=lambda x: 1 / (1 + x),
        scale_mode="iterations"),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=8), L.ExponentialLR(o, gamma=0.98)]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch_exactly(name):
    t_trace, t_sched, _ = run("torch", SCHEDULERS[name])
    g_trace, g_sched, _ = run("gt", SCHEDULERS[name])
    assert g_trace == t_trace
    assert _comparable(g_sched.state_dict()) == _comparable(t_sched.state_dict())


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR-three-phase", "CosineAnnealingLR",
                                  "CyclicLR", "CyclicLR-triangular2"])
def test_with_adam_betas_match_torch(name):
    t_trace, _, _ = run("torch", SCHEDULERS[name], opt_name="Adam")
    g_trace, _, _ = run("gt", SCHEDULERS[name], opt_name="Adam")
    assert g_trace == t_trace


def _comparable(state):
    """A scheduler state_dict with key order kept (as a list of items)."""
    items = []
    for k, v in state.items():
        if k == "_schedulers":
            v = [_comparable(s) for s in v]
        items.append((k, v))
    return items


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR-cycles", "OneCycleLR",
                                  "SequentialLR", "LambdaLR", "MultiStepLR"])
def test_state_dict_round_trip_continues_the_schedule(name):
    make = SCHEDULERS[name]
    t_trace, _, _ = run("torch", make)
    _, half_sched, half_opt = run("gt", make, steps=STEPS // 2)
    saved_sched = half_sched.state_dict()
    saved_opt = half_opt.state_dict()

    opt = make_optimizer("gt")
    sched = make(gopt.lr_scheduler, opt)
    opt.load_state_dict(saved_opt)
    sched.load_state_dict(saved_sched)
    trace = []
    for _ in range(STEPS - STEPS // 2):
        opt.step()
        sched.step()
        trace.append((list(sched.get_last_lr()), [_hyper(g) for g in opt.param_groups]))
    assert trace == t_trace[STEPS // 2 + 1:]


def test_warm_restarts_with_fractional_epochs_matches_torch():
    traces = []
    for lib in ("torch", "gt"):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        trace = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                trace.append((sched.get_last_lr(), sched.T_i, sched.T_cur, sched.last_epoch))
        traces.append(trace)
        traces.append(_comparable(sched.state_dict()))
    assert traces[0] == traces[2] and traces[1] == traces[3]


def test_closed_form_with_epoch_argument_matches_torch():
    traces = []
    for lib in ("torch", "gt"):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        scheds = [optim.lr_scheduler.StepLR(opt, 5, 0.5)]
        trace = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in [3, 10, 11, 27]:
                opt.step()
                scheds[0].step(epoch)
                trace.append(scheds[0].get_last_lr())
        traces.append(trace)
    assert traces[0] == traces[1]


# -- ReduceLROnPlateau ------------------------------------------------------------------------
PLATEAU_CONFIGS = [
    dict(),
    dict(mode="max", factor=0.5, patience=2),
    dict(patience=3, threshold=0.05, threshold_mode="abs", cooldown=2, min_lr=0.002),
    dict(mode="max", threshold_mode="abs", patience=0, min_lr=[0.01, 0.0], factor=0.3),
    dict(patience=1, factor=0.5, eps=0.02, cooldown=1),
]


@pytest.mark.parametrize("cfg", PLATEAU_CONFIGS, ids=[str(c) for c in PLATEAU_CONFIGS])
def test_reduce_lr_on_plateau_matches_torch(cfg):
    rng = np.random.default_rng(4)
    # a noisy, slowly improving then stalling metric
    metrics = list(np.maximum(1.0 - 0.01 * np.arange(150), 0.4) + 0.05 * rng.random(150))
    traces, states = [], []
    for lib in ("torch", "gt"):
        mod, optim = _lib(lib)
        opt = make_optimizer(lib)
        sched = optim.lr_scheduler.ReduceLROnPlateau(opt, **cfg)
        trace = []
        for i, m in enumerate(metrics):
            opt.step()
            sched.step(mod.tensor(m) if i % 2 else float(m))
            trace.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups],
                          sched.num_bad_epochs, sched.cooldown_counter, sched.best))
        traces.append(trace)
        states.append(sched.state_dict())
    assert traces[0] == traces[1]
    assert list(states[0]) == list(states[1])
    assert states[0] == states[1]


def test_reduce_lr_on_plateau_state_dict_round_trip():
    opt = make_optimizer("gt")
    sched = gopt.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=1)
    for m in [1.0, 0.5, 0.4]:
        sched.step(m)
    other = gopt.lr_scheduler.ReduceLROnPlateau(make_optimizer("gt"))
    other.load_state_dict(sched.state_dict())
    assert other.mode == "max" and other.best == 1.0 and other.mode_worse == -math.inf


# -- warnings ---------------------------------------------------------------------------------
# scenarios take lib = "torch" or "gt" (see _lib)
LEAD = dict(lead=lambda lib: ("torch" if lib is torch else "gt",))


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    def scenario(lib):
        _, optim = _lib(lib)
        optim.lr_scheduler.StepLR(make_optimizer(lib), 3).step()

    _, msgs = same_warnings(scenario, **LEAD)
    assert len(msgs) == 1 and "before `optimizer.step()`" in msgs[0]


def test_no_warning_in_the_right_order():
    opt = make_optimizer("gt")
    sched = gopt.lr_scheduler.ExponentialLR(opt, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


def test_overridden_optimizer_step_warns_like_torch():
    def scenario(lib):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        sched = optim.lr_scheduler.StepLR(opt, 3)
        opt.step = type(opt).step.__get__(opt)  # replaced after the scheduler wrapped it
        sched.step()

    assert len(same_warnings(scenario, **LEAD)[1]) == 1


def test_calling_get_lr_directly_warns_like_torch():
    def scenario(lib):
        _, optim = _lib(lib)
        optim.lr_scheduler.StepLR(make_optimizer(lib), 3).get_lr()

    assert len(same_warnings(scenario, **LEAD)[1]) == 1


def test_epoch_argument_deprecation_warning_matches():
    def scenario(lib):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        sched = optim.lr_scheduler.StepLR(opt, 3)
        opt.step()
        sched.step(5)

    assert len(same_warnings(scenario, **LEAD)[1]) == 1


def test_base_lrs_and_initial_lr_recorded():
    for lib in ("torch", "gt"):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        sched = optim.lr_scheduler.StepLR(opt, 3)
        assert sched.base_lrs == [0.1, 0.05]
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
        assert sched.last_epoch == 0 and sched.get_last_lr() == [0.1, 0.05]


# -- errors -----------------------------------------------------------------------------------
BAD_SCHEDULERS = {
    "OneCycle-no-steps": lambda L, o: L.OneCycleLR(o, max_lr=1.0),
    "OneCycle-bad-total": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=0),
    "OneCycle-bad-epochs": lambda L, o: L.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
    "OneCycle-bad-spe": lambda L, o: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-3),
    "OneCycle-bad-pct": lambda L, o: L.OneCycleLR(o, 1.0, total_steps=10, pct_start=1.5),
    "OneCycle-int-pct": lambda L, o: L.OneCycleLR(o, 1.0, total_steps=10, pct_start=1),
    "OneCycle-bad-anneal": lambda L, o: L.OneCycleLR(o, 1.0, total_steps=10,
                                                     anneal_strategy="exp"),
    "OneCycle-max-lr-length": lambda L, o: L.OneCycleLR(o, [1.0, 2.0, 3.0], total_steps=10),
    "OneCycle-not-optimizer": lambda L, o: L.OneCycleLR(object(), 1.0, total_steps=10),
    "Plateau-factor": lambda L, o: L.ReduceLROnPlateau(o, factor=1.0),
    "Plateau-mode": lambda L, o: L.ReduceLROnPlateau(o, mode="up"),
    "Plateau-threshold-mode": lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="x"),
    "Plateau-min-lrs": lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1]),
    "Plateau-not-optimizer": lambda L, o: L.ReduceLROnPlateau("sgd"),
    "LambdaLR-count": lambda L, o: L.LambdaLR(o, [lambda e: 1.0]),
    "Multiplicative-not-callable": lambda L, o: L.MultiplicativeLR(o, [1.0, 2.0]),
    "ConstantLR-factor": lambda L, o: L.ConstantLR(o, factor=1.5),
    "LinearLR-start": lambda L, o: L.LinearLR(o, start_factor=0),
    "LinearLR-end": lambda L, o: L.LinearLR(o, end_factor=1.5),
    "StepLR-not-optimizer": lambda L, o: L.StepLR(None, 3),
    "resume-without-initial-lr": lambda L, o: L.StepLR(o, 3, last_epoch=5),
    "Sequential-empty": lambda L, o: L.SequentialLR(o, [], milestones=[]),
    "Sequential-milestones": lambda L, o: L.SequentialLR(
        o, [L.StepLR(o, 3), L.StepLR(o, 4)], milestones=[1, 2]),
    "WarmRestarts-T0": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0),
    "WarmRestarts-Tmult": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    "WarmRestarts-eta": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    "CyclicLR-mode": lambda L, o: L.CyclicLR(o, 0.01, 0.1, mode="square"),
    "Chained-empty": lambda L, o: L.ChainedScheduler([]),
    "Sequential-plateau": lambda L, o: L.SequentialLR(
        o, [L.StepLR(o, 3), L.ReduceLROnPlateau(o)], milestones=[2]),
}


@pytest.mark.parametrize("name", list(BAD_SCHEDULERS))
def test_errors_match_torch(name):
    def scenario(lib):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            BAD_SCHEDULERS[name](optim.lr_scheduler, opt)

    same_error(scenario, **LEAD)


def test_one_cycle_without_momentum_support_errors_like_torch():
    def scenario(lib):
        _, optim = _lib(lib)
        optim.lr_scheduler.OneCycleLR(make_optimizer(lib, "Adagrad"), 1.0, total_steps=10)

    same_error(scenario, ValueError, **LEAD)


def test_one_cycle_stepping_past_the_end_errors_like_torch():
    def scenario(lib):
        _, optim = _lib(lib)
        opt = make_optimizer(lib)
        sched = optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=5)
        for _ in range(5):
            opt.step()
            sched.step()
        sched.step()

    same_error(scenario, ValueError, **LEAD)
