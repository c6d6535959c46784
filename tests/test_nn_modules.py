"""Differential tests of glasstorch.nn's module system and layers against torch.

Each scenario is written once as a function of the library (``lib`` is ``torch`` or
``glasstorch``) and the two runs must agree: reprs, names, keys, error types and messages,
outputs and gradients.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict
from functools import partial

import harness
import numpy as np
import pytest
import torch
from harness import catch, np_of
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch

LIBS = [torch, glasstorch]


# scenario results are plain values (reprs, names, lists of numbers, caught errors): exact
same = partial(harness.same, rtol=0, atol=0)


def to_gt(t: torch.Tensor) -> glasstorch.Tensor:
    return glasstorch.tensor(t.detach().numpy().copy())


def copy_weights(gmodel, tmodel) -> None:
    """Give the glasstorch model the torch model's parameters and buffers."""
    result = gmodel.load_state_dict({k: to_gt(v) for k, v in tmodel.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"


# -- a course-style model, defined for either library -----------------------------------------
def neural_network(lib):
    nn = lib.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                nn.Linear(512, 10),
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def net_with_buffers(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(5, 3)
            self.register_buffer("scale", lib.ones(3))
            self.register_buffer("cache", lib.zeros(2), persistent=False)
            self.bn = nn.BatchNorm1d(3)
            self.head = nn.Sequential(OrderedDict(act=nn.Tanh(), out=nn.Linear(3, 2)))

        def forward(self, x):
            return self.head(self.bn(self.fc(x) * self.scale))

    return Net()


# -- repr -------------------------------------------------------------------------------------
def test_repr_course_model():
    same(lambda lib: repr(neural_network(lib)))


def test_repr_every_layer():
    def scenario(lib):
        nn = lib.nn
        layers = [
            nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True),
            nn.Sigmoid(), nn.Tanh(), nn.Softmax(), nn.Softmax(dim=1), nn.Softmax(-1),
            nn.LogSoftmax(), nn.LogSoftmax(dim=1), nn.GELU(), nn.GELU(approximate="tanh"),
            nn.ELU(), nn.ELU(alpha=0.5, inplace=True), nn.SiLU(), nn.SiLU(inplace=True),
            nn.Softplus(), nn.Softplus(beta=2, threshold=10), nn.Dropout(), nn.Dropout(0.2, True),
            nn.Flatten(), nn.Flatten(0, 2), nn.Unflatten(1, (2, 3)), nn.Unflatten(-1, [4, -1]),
            nn.Identity(), nn.Identity(3, x=4), nn.Linear(3, 4), nn.Linear(3, 4, bias=False),
            nn.BatchNorm1d(5), nn.BatchNorm1d(5, eps=1e-3, momentum=None, affine=False,
                                              track_running_stats=False),
            nn.BatchNorm1d(4, bias=False), nn.Sequential(), nn.ModuleList(), nn.ModuleDict(),
            nn.Sequential(nn.Sequential()), nn.Module(), nn.Hardtanh(), nn.Hardtanh(-2, 3, True),
            nn.ReLU6(), nn.ReLU6(inplace=True), nn.Mish(), nn.Mish(True), nn.Hardswish(),
            nn.Softsign(), nn.Softmin(), nn.Softmin(1), nn.LogSigmoid(),
        ]
        return [repr(m) for m in layers]

    same(scenario)


def test_repr_nested_containers_and_extra_repr():
    def scenario(lib):
        nn = lib.nn

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(4, 4)
                self.act = nn.ReLU()

            def extra_repr(self):
                return "first line\nsecond line"

        class OneLine(nn.Module):
            def extra_repr(self):
                return "k=3"

        class Holder(nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleList([Block() for _ in range(3)] + [OneLine()])
                self.table = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Sequential(Block())})
                self.nothing = None
                self.add_module("missing", None)
                self.layers = nn.ModuleList(
                    [nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2),
                     nn.Linear(2, 2), nn.Linear(2, 3)])

        return repr(Holder())

    same(scenario)


def test_repr_module_list_groups_runs():
    def scenario(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(3, 3) for _ in range(3)])
        ml.append(nn.ReLU())
        ml.extend([nn.Sequential(nn.Linear(1, 1), nn.Tanh()) for _ in range(2)])
        return repr(ml), repr(nn.ModuleList([nn.ReLU()])), str(ml)

    same(scenario)


# -- names, iteration and de-duplication ---------------------------------------------------
def test_named_parameters_buffers_modules():
    def scenario(lib):
        net = net_with_buffers(lib)
        return {
            "params": [(n, tuple(p.shape)) for n, p in net.named_parameters()],
            "params_prefixed": [n for n, _ in net.named_parameters(prefix="model")],
            "params_local": [n for n, _ in net.named_parameters(recurse=False)],
            "fc_params": [n for n, _ in net.fc.named_parameters()],
            "n_params": len(list(net.parameters())),
            "buffers": [(n, tuple(b.shape), str(b.dtype)) for n, b in net.named_buffers()],
            "buffers_local": [n for n, _ in net.named_buffers(recurse=False)],
            "n_buffers": len(list(net.buffers())),
            "modules": [(n, type(m).__name__) for n, m in net.named_modules()],
            "modules_prefixed": [n for n, _ in net.named_modules(prefix="root")],
            "children": [(n, type(m).__name__) for n, m in net.named_children()],
            "n_children": len(list(net.children())),
            "n_modules": len(list(net.modules())),
            "param_types": sorted({type(p).__name__ for p in net.parameters()}),
            "requires_grad": [p.requires_grad for p in net.parameters()],
            "is_leaf": [p.is_leaf for p in net.parameters()],
        }

    same(scenario)


def test_shared_modules_and_tied_parameters_listed_once():
    def scenario(lib):
        nn = lib.nn
        shared = nn.Linear(3, 3)
        model = nn.Sequential(shared, nn.ReLU(), shared)
        other = nn.Linear(3, 3)
        other.weight = shared.weight  # tied
        both = nn.Sequential(model, other)
        return {
            "params": [n for n, _ in both.named_parameters()],
            "params_dup": [n for n, _ in both.named_parameters(remove_duplicate=False)],
            "modules": [n for n, _ in both.named_modules()],
            "modules_dup": [n for n, _ in both.named_modules(remove_duplicate=False)],
            "children": [n for n, _ in model.named_children()],
            "state": list(both.state_dict().keys()),
        }

    same(scenario)


# -- state_dict / load_state_dict --------------------------------------------------------------
def test_state_dict_keys_order_type_metadata():
    def scenario(lib):
        net = net_with_buffers(lib)
        sd = net.state_dict()
        return {
            "type": type(sd).__name__,
            "keys": list(sd.keys()),
            "metadata": dict(sd._metadata),
            "detached": [(v.requires_grad, v.grad_fn is None) for v in sd.values()],
            "value_types": sorted({type(v).__name__ for v in sd.values()}),
            "keep_vars": sorted({type(v).__name__
                                 for v in net.state_dict(keep_vars=True).values()}),
            "prefixed": list(net.state_dict(prefix="m.").keys()),
            "dtypes": [str(v.dtype) for v in sd.values()],
        }

    same(scenario)


def test_state_dict_shares_storage_with_model():
    for lib in LIBS:
        net = lib.nn.Linear(3, 2)
        sd = net.state_dict()
        with lib.no_grad():
            net.weight.mul_(0).add_(7)
        assert np_of(sd["weight"]).tolist() == [[7.0] * 3] * 2


def test_load_state_dict_round_trip_and_outputs():
    tnet = net_with_buffers(torch)
    gnet = net_with_buffers(glasstorch)
    copy_weights(gnet, tnet)
    for key, value in tnet.state_dict().items():
        np.testing.assert_array_equal(np_of(gnet.state_dict()[key]), np_of(value))
        assert str(gnet.state_dict()[key].dtype) == str(value.dtype)
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    tout = tnet(torch.tensor(x))
    gout = gnet(glasstorch.tensor(x))
    np.testing.assert_allclose(np_of(gout), np_of(tout), rtol=1e-5, atol=1e-6)


def test_load_state_dict_errors_and_result():
    def scenario(lib):
        nn = lib.nn

        def model():
            return nn.Sequential(OrderedDict(fc=nn.Linear(5, 3), bn=nn.BatchNorm1d(3)))

        good = model().state_dict()
        out = {}
        out["ok"] = repr(model().load_state_dict(good))
        out["ok_str"] = str(model().load_state_dict(good))
        missing = OrderedDict((k, v) for k, v in good.items() if not k.startswith("bn."))
        out["missing"] = catch(lambda: model().load_state_dict(missing))
        extra = OrderedDict(good)
        extra["fc.extra"] = lib.zeros(1)
        extra["head.weight"] = lib.zeros(1)
        extra["stray"] = lib.zeros(1)
        out["unexpected"] = catch(lambda: model().load_state_dict(extra))
        both = OrderedDict((k, v) for k, v in extra.items() if k != "fc.bias")
        out["both"] = catch(lambda: model().load_state_dict(both))
        out["non_strict"] = repr(model().load_state_dict(both, strict=False))
        res = model().load_state_dict(both, strict=False)
        out["fields"] = (res.missing_keys, res.unexpected_keys, res[0], len(res))
        wrong = OrderedDict(good)
        wrong["fc.weight"] = lib.zeros(10, 5)
        wrong["bn.running_mean"] = lib.zeros(4)
        out["size"] = catch(lambda: model().load_state_dict(wrong))
        out["size_non_strict"] = catch(lambda: model().load_state_dict(wrong, strict=False))
        wrong_and_missing = OrderedDict((k, v) for k, v in wrong.items() if k != "fc.bias")
        out["size_and_missing"] = catch(lambda: model().load_state_dict(wrong_and_missing))
        out["not_mapping"] = catch(lambda: model().load_state_dict([1, 2]))
        not_tensor = OrderedDict(good)
        not_tensor["fc.bias"] = [1.0, 2.0, 3.0]
        out["not_tensor"] = catch(lambda: model().load_state_dict(not_tensor))
        prefixed = OrderedDict(("module." + k, v) for k, v in good.items())
        out["prefixed"] = catch(lambda: model().load_state_dict(prefixed))
        plain = dict(good)  # no _metadata: still loads
        out["plain_dict"] = repr(model().load_state_dict(plain))
        return out

    same(scenario)


def test_state_dict_hooks_and_positional_warning():
    def scenario(lib):
        calls = []
        lin = lib.nn.Linear(2, 2)
        lin.register_state_dict_pre_hook(lambda m, prefix, keep: calls.append(("pre", prefix)))

        def post(m, sd, prefix, meta):
            calls.append(("post", prefix, sorted(meta)))
            sd[prefix + "extra"] = lib.ones(1)

        handle = lin.register_state_dict_post_hook(post)
        keys = list(lib.nn.Sequential(lin).state_dict())
        handle.remove()
        lin.register_state_dict_post_hook(lambda *a: {})
        bad = catch(lambda: lin.state_dict())

        def load_pre(m, sd, prefix, meta, strict, missing, unexpected, errors):
            calls.append(("load_pre", type(m).__name__, prefix, sorted(sd)))

        def load_post(m, keys):
            calls.append(("load_post", list(keys.missing_keys)))
            keys.missing_keys.clear()  # forgive the missing keys

        fresh = lib.nn.Linear(2, 2)
        fresh.register_load_state_dict_pre_hook(load_pre)
        fresh.register_load_state_dict_post_hook(load_post)
        result = repr(fresh.load_state_dict({"weight": lib.ones(2, 2)}))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            dest = OrderedDict()
            lib.nn.Linear(1, 1).state_dict(dest, "p.")
        return (keys, bad, calls, result, list(dest),
                [(m.category.__name__, str(m.message)) for m in w])

    same(scenario)


def test_buffer_marker():
    def scenario(lib):
        nn = lib.nn
        m = nn.Module()
        m.stats = nn.Buffer(lib.ones(2))
        m.scratch = nn.Buffer(lib.zeros(1), persistent=False)
        b = nn.Buffer(lib.ones(1, requires_grad=True))
        return ([n for n, _ in m.named_buffers()], list(m.state_dict()),
                isinstance(m.stats, nn.Buffer), isinstance(lib.ones(1), nn.Buffer),
                type(m.stats).__name__, b.requires_grad, b.is_leaf, repr(m.stats))

    same(scenario)


def test_load_state_dict_copies_in_place():
    for lib in LIBS:
        net = lib.nn.Linear(2, 2)
        weight = net.weight
        net.load_state_dict({"weight": lib.ones(2, 2), "bias": lib.zeros(2)})
        assert net.weight is weight
        assert net.weight.requires_grad and net.weight.grad_fn is None
        assert np_of(net.weight).tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_batchnorm_state_dict_without_num_batches_tracked():
    def scenario(lib):
        bn = lib.nn.BatchNorm1d(3)
        sd = OrderedDict((k, v) for k, v in bn.state_dict().items() if k != "num_batches_tracked")
        out = [catch(lambda: repr(lib.nn.BatchNorm1d(3).load_state_dict(sd)))]
        sd._metadata = OrderedDict({"": {"version": 1}})  # an old checkpoint
        out.append(catch(lambda: repr(lib.nn.BatchNorm1d(3).load_state_dict(sd))))
        return out

    same(scenario)


# -- attribute registration and its errors -------------------------------------------------
def test_attribute_registration_errors():
    def scenario(lib):
        nn = lib.nn
        out = {}

        class Early(nn.Module):
            def __init__(self, what):
                if what == "param":
                    self.w = nn.Parameter(lib.ones(1))
                elif what == "module":
                    self.m = nn.Linear(1, 1)
                elif what == "buffer":
                    self.register_buffer("b", lib.ones(1))
                else:
                    self.register_parameter("p", None)
                super().__init__()

        for what in ("param", "module", "buffer", "register_parameter"):
            out[what] = catch(lambda what=what: Early(what))
        lin = nn.Linear(2, 3)
        out["tensor_over_param"] = catch(lambda: setattr(lin, "weight", lib.ones(3, 2)))
        out["long_over_param"] = catch(
            lambda: setattr(lin, "weight", lib.ones(3, 2, dtype=lib.int64)))
        out["module_over_param"] = catch(lambda: setattr(lin, "weight", nn.ReLU()))
        out["int_over_param"] = catch(lambda: setattr(lin, "bias", 3))
        seq = nn.Sequential(nn.ReLU())
        out["tensor_over_module"] = catch(lambda: setattr(seq, "0", lib.ones(1)))
        bn = nn.BatchNorm1d(2)
        out["int_over_buffer"] = catch(lambda: setattr(bn, "running_mean", 3))
        out["missing_attr"] = catch(lambda: lin.foo)
        out["register_buffer_dot"] = catch(lambda: lin.register_buffer("a.b", lib.ones(1)))
        out["register_buffer_empty"] = catch(lambda: lin.register_buffer("", lib.ones(1)))
        out["register_buffer_exists"] = catch(lambda: lin.register_buffer("weight", lib.ones(1)))
        out["register_buffer_type"] = catch(lambda: lin.register_buffer("x", [1.0]))
        out["register_buffer_name"] = catch(lambda: lin.register_buffer(3, lib.ones(1)))
        out["register_param_tensor"] = catch(lambda: lin.register_parameter("p", lib.ones(1)))
        out["register_param_dot"] = catch(
            lambda: lin.register_parameter("a.b", nn.Parameter(lib.ones(1))))
        nonleaf = nn.Parameter(lib.ones(1)) * 2
        out["nonleaf"] = catch(lambda: lin.register_parameter("q", nonleaf))
        out["add_module_type"] = catch(lambda: lin.add_module("m", 3))
        out["add_module_dot"] = catch(lambda: lin.add_module("a.b", nn.ReLU()))
        out["add_module_empty"] = catch(lambda: lin.add_module("", nn.ReLU()))
        out["add_module_exists"] = catch(lambda: lin.add_module("weight", nn.ReLU()))
        out["class_not_instance"] = catch(lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU))
        out["function"] = catch(lambda: nn.Sequential(nn.functional.relu))
        out["list"] = catch(lambda: nn.Sequential([nn.ReLU()]))
        out["module_list_class"] = catch(lambda: nn.ModuleList([nn.Tanh]))
        return out

    same(scenario)


def test_module_without_super_init():
    def scenario(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                self.k = 3

            def forward(self, x):
                return x

        return [catch(lambda: Net()(lib.ones(1))), catch(lambda: list(Net().parameters())),
                catch(lambda: repr(Net())), catch(lambda: Net().state_dict())]

    same(scenario)


def test_attribute_reassignment_moves_between_kinds():
    def scenario(lib):
        nn = lib.nn
        m = nn.Module()
        m.a = nn.Parameter(lib.ones(2))
        m.register_buffer("b", lib.zeros(2))
        m.c = nn.ReLU()
        m.plain = 5
        out = [sorted(m._parameters), sorted(m._buffers), sorted(m._modules)]
        m.b = lib.ones(3)  # a tensor onto a buffer stays a buffer
        m.b = None
        m.a = None  # None onto a parameter keeps the slot
        m.c = nn.Parameter(lib.ones(1))  # a parameter replaces the module
        m.plain = nn.Tanh()  # a module replaces the plain attribute
        m.register_buffer("hidden", lib.ones(1), persistent=False)
        m.hidden = lib.zeros(1)
        out += [sorted(m._parameters), sorted(m._buffers), sorted(m._modules),
                m.b is None, m.a is None, "plain" in m.__dict__, list(m.state_dict()),
                [n for n, _ in m.named_buffers()]]
        del m.c
        del m.plain
        del m.hidden
        m.x = 1
        del m.x
        out += [sorted(m._parameters), sorted(m._modules), sorted(m._buffers),
                catch(lambda: m.x), catch(lambda: delattr(m, "never"))]
        return out

    same(scenario)


def test_dir_and_getattr():
    def scenario(lib):
        net = net_with_buffers(lib)
        d = dir(net)
        names = ["fc", "bn", "head", "scale", "cache", "forward", "training", "state_dict"]
        seq = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.ReLU())
        return ([n in d for n in names], d == sorted(d), "0" in dir(seq),
                type(net.fc).__name__, tuple(net.scale.shape), catch(lambda: net.nope))

    same(scenario)


def test_get_submodule_parameter_buffer():
    def scenario(lib):
        net = net_with_buffers(lib)
        return (type(net.get_submodule("head.out")).__name__,
                net.get_submodule("") is net,
                catch(lambda: net.get_submodule("head.nope")),
                catch(lambda: net.get_submodule("scale")),
                tuple(net.get_parameter("head.out.weight").shape),
                catch(lambda: net.get_parameter("bn.running_mean")),
                tuple(net.get_buffer("bn.running_var").shape),
                catch(lambda: net.get_buffer("fc.weight")))

    same(scenario)


# -- modes, grads, apply, dtype --------------------------------------------------------------
def test_train_eval_propagate_and_return_self():
    def scenario(lib):
        net = net_with_buffers(lib)
        out = [net.training, net.eval() is net]
        out.append([m.training for m in net.modules()])
        out.append(net.train() is net)
        out.append([m.training for m in net.modules()])
        net.head.train(False)
        out.append([m.training for m in net.modules()])
        out.append(catch(lambda: net.train(1)))
        return out

    same(scenario)


def test_zero_grad_requires_grad_and_apply():
    def scenario(lib):
        net = net_with_buffers(lib)
        x = lib.ones(4, 5)
        net(x).sum().backward()
        out = [[p.grad is not None for p in net.parameters()]]
        net.zero_grad(set_to_none=False)
        out.append([(p.grad is not None and float(p.grad.abs().sum()) == 0.0)
                    for p in net.parameters()])
        net.zero_grad()
        out.append([p.grad is None for p in net.parameters()])
        out.append(net.requires_grad_(False) is net)
        out.append([p.requires_grad for p in net.parameters()])
        net.fc.requires_grad_()
        out.append([p.requires_grad for p in net.parameters()])
        visited = []
        out.append(net.apply(lambda m: visited.append(type(m).__name__)) is net)
        out.append(visited)
        return out

    same(scenario)


def test_apply_initialises_weights():
    def scenario(lib):
        nn = lib.nn

        @lib.no_grad()
        def init_weights(m):
            if type(m) is nn.Linear:
                m.weight.fill_(1.0)
                nn.init.zeros_(m.bias)

        net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
        net.apply(init_weights)
        return [np_of(p).tolist() for p in net.parameters()], repr(net[0].weight)

    same(scenario)


def test_to_float_double_keep_parameter_identity():
    def scenario(lib):
        net = net_with_buffers(lib)
        weight = net.fc.weight
        out = [net.double() is net, net.fc.weight is weight]
        out.append([(n, str(t.dtype)) for n, t in net.state_dict().items()])
        out.append(net.float() is net)
        out.append([str(p.dtype) for p in net.parameters()])
        out.append(net.to(lib.float64) is net)
        out.append([str(p.dtype) for p in net.parameters()])
        out.append(net.to("cpu") is net and net.cpu() is net)
        out.append(net.to(device="cpu", dtype=lib.float32) is net)
        out.append([str(p.dtype) for p in net.parameters()])
        out.append(net.to(lib.zeros(1, dtype=lib.float64)) is net)
        out.append(str(net.fc.weight.dtype))
        out.append(catch(lambda: net.to(lib.int64)))
        out.append(str(net.bn.num_batches_tracked.dtype))
        out.append([p.requires_grad and p.is_leaf for p in net.parameters()])
        return out

    same(scenario)


def test_double_model_computes_in_float64():
    for lib in LIBS:
        net = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh()).double()
        y = net(lib.ones(4, 3, dtype=lib.float64))
        assert str(y.dtype) == "torch.float64"


# -- calling, forward and hooks -----------------------------------------------------------------
def test_missing_forward_and_container_calls():
    def scenario(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

        return (catch(lambda: Net()(lib.ones(1, 2))),
                catch(lambda: nn.ModuleList([nn.ReLU()])(lib.ones(1))),
                catch(lambda: nn.Module()(lib.ones(1))),
                catch(lambda: nn.Module(3)), catch(lambda: nn.Module(foo=1)))

    same(scenario)


def test_forward_hooks():
    def scenario(lib):
        nn = lib.nn
        lin = nn.Linear(2, 2)
        with lib.no_grad():
            lin.weight.fill_(1.0)
            lin.bias.fill_(0.0)
        calls = []

        def pre(module, args):
            calls.append(("pre", type(module).__name__, len(args)))
            return (args[0] * 2,)

        def pre_single(module, args):
            calls.append(("pre_single",))
            return args[0] + 1  # a single value is wrapped into a tuple

        def post(module, args, output):
            calls.append(("post", tuple(output.shape)))
            return output * 10

        def first(module, args, output):
            calls.append(("first",))

        def with_kw(module, args, kwargs, output):
            calls.append(("kw", sorted(kwargs)))

        h1 = lin.register_forward_pre_hook(pre)
        h2 = lin.register_forward_pre_hook(pre_single)
        h3 = lin.register_forward_hook(post)
        lin.register_forward_hook(first, prepend=True)
        h5 = lin.register_forward_hook(with_kw, with_kwargs=True)
        out1 = np_of(lin(lib.ones(1, 2))).tolist()
        for h in (h1, h2, h3, h5):
            h.remove()
        out2 = np_of(lin(lib.ones(1, 2))).tolist()
        with lin.register_forward_hook(post):
            out3 = np_of(lin(lib.ones(1, 2))).tolist()
        out4 = np_of(lin(lib.ones(1, 2))).tolist()
        return calls, out1, out2, out3, out4

    same(scenario)


def test_global_forward_pre_hooks():
    """torch.nn.modules.module.register_module_forward_pre_hook: before the forward of every
    module, ahead of the module's own pre-hooks; a result replaces the arguments (a single value
    is wrapped); the handle removes it, also from inside the hook and as a context manager."""
    def scenario(lib):
        nn = lib.nn
        register = lib.nn.modules.module.register_module_forward_pre_hook
        model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        with lib.no_grad():
            model[0].weight.fill_(1.0)
            model[0].bias.fill_(0.0)
        calls = []
        model[0].register_forward_pre_hook(lambda m, a: calls.append(("own", type(m).__name__)))

        def seen(module, args):
            calls.append(("global", type(module).__name__, len(args)))

        def double(module, args):
            if isinstance(module, nn.Linear):
                return args[0] * 2

        def once(module, args):
            calls.append(("once", type(module).__name__))
            h_once.remove()

        h_seen, h_double = register(seen), register(double)
        out1 = np_of(model(lib.ones(1, 2))).tolist()
        h_double.remove()
        h_once = register(once)
        out2 = np_of(model(lib.ones(1, 2))).tolist()
        h_seen.remove()
        calls.append("removed")
        with register(lambda m, a: (a[0] + 1,)):
            out3 = np_of(model(lib.ones(1, 2))).tolist()
        out4 = np_of(model(lib.ones(1, 2))).tolist()
        return calls, out1, out2, out3, out4

    same(scenario)


def test_forward_hook_always_call_runs_when_forward_fails():
    def scenario(lib):
        calls = []
        lin = lib.nn.Linear(2, 2)
        lin.register_forward_hook(lambda m, a, o: calls.append(("always", o)), always_call=True)
        lin.register_forward_hook(lambda m, a, o: calls.append(("normal", o)))
        return catch(lambda: lin(lib.ones(1, 3))), calls

    same(scenario)


def test_full_backward_hooks():
    def scenario(lib):
        nn = lib.nn
        calls = []

        def rounded(grads):
            return [None if g is None else np_of(g).round(4).tolist() for g in grads]

        def hook(m, grad_input, grad_output):
            calls.append(("hook", type(m).__name__, rounded(grad_input), rounded(grad_output)))

        def pre(m, grad_output):
            calls.append(("pre", [tuple(g.shape) for g in grad_output]))

        class Two(nn.Module):
            def forward(self, a, b, k=2.0):
                return a * b * k, a + b

        lin = nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.arange(6.0).reshape(2, 3))
            lin.bias.zero_()
        lin.register_full_backward_hook(hook)
        handle = lin.register_full_backward_pre_hook(pre)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = lin(lib.ones(4, 3))  # no input needs a gradient: hooks fire at the output
            y.sum().backward()
        calls.append(("warned", [str(m.message)[:60] for m in w]))
        calls.append(("grad_fn", type(y.grad_fn).__name__))
        x = lib.ones(4, 3, requires_grad=True)
        lin(x).pow(2).sum().backward()
        handle.remove()
        lin(x).sum().backward()
        two = Two()
        two.register_full_backward_hook(hook)
        a, b = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0])
        o1, o2 = two(a, b)
        (o1.sum() + o2.sum()).backward()

        def double(m, grad_input, grad_output):
            return tuple(None if g is None else g * 2 for g in grad_input)

        scaled = nn.Linear(2, 2)
        scaled.register_full_backward_hook(double)
        z = lib.ones(1, 2, requires_grad=True)
        scaled(z).sum().backward()
        expected = 2 * np_of(scaled.weight).sum(0, keepdims=True)
        calls.append(("replaced", np.allclose(np_of(z.grad), expected)))
        with lib.no_grad():
            calls.append(("no_grad", type(scaled(z)).__name__))
        # a forward pre-hook's replacement input is the one whose gradient the hook sees
        swapped = nn.Linear(2, 1)
        swapped.register_forward_pre_hook(lambda m, args: (args[0] * 3,))
        swapped.register_full_backward_hook(
            lambda m, gi, go: calls.append(("swapped", [tuple(g.shape) for g in gi])))
        swapped(lib.ones(5, 2, requires_grad=True)).sum().backward()
        return calls

    same(scenario)


# -- Sequential, ModuleList, ModuleDict --------------------------------------------------------
def test_sequential_behaviour():
    def scenario(lib):
        nn = lib.nn
        out = {}
        seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh())
        out["len"] = len(seq)
        out["idx"] = [type(seq[i]).__name__ for i in (0, 1, -1, -4)]
        out["iter"] = [type(m).__name__ for m in seq]
        out["slice"] = repr(seq[1:3])
        out["slice_keys"] = list(seq[1::2]._modules.keys())
        out["slice_type"] = type(seq[:2]).__name__
        out["out_of_range"] = catch(lambda: seq[4])
        out["neg_out_of_range"] = catch(lambda: seq[-5])
        out["bad_index"] = catch(lambda: seq["a"])
        out["shared"] = seq[0] is seq[:1][0]
        seq.append(nn.Sigmoid())
        out["append"] = repr(seq)
        seq.insert(1, nn.Identity())
        seq.insert(-1, nn.ELU())
        out["insert"] = repr(seq)
        out["insert_err"] = catch(lambda: seq.insert(100, nn.ReLU()))
        out["insert_type"] = catch(lambda: seq.insert(0, 3))
        seq.extend([nn.Dropout(), nn.Softmax(dim=1)])
        out["extend"] = list(seq._modules.keys())
        del seq[0]
        out["del"] = repr(seq)
        del seq[1:3]
        out["del_slice"] = repr(seq)
        seq[0] = nn.GELU()
        out["setitem"] = repr(seq)
        out["pop"] = repr(seq.pop(-1))
        out["add"] = repr(nn.Sequential(nn.ReLU()) + nn.Sequential(nn.Tanh(), nn.Sigmoid()))
        out["add_err"] = catch(lambda: nn.Sequential() + nn.ReLU())
        grown = nn.Sequential(nn.ReLU())
        grown += nn.Sequential(nn.Tanh())
        out["iadd"] = repr(grown)
        out["mul"] = repr(nn.Sequential(nn.ReLU(), nn.Tanh()) * 2)
        out["rmul"] = repr(2 * nn.Sequential(nn.ReLU()))
        tripled = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
        before = tripled
        tripled *= 3
        out["imul"] = (tripled is before, repr(tripled),
                       [n for n, _ in tripled.named_parameters()])
        out["mul_err"] = (catch(lambda: nn.Sequential() * 0), catch(lambda: nn.Sequential() * 1.5))
        od = nn.Sequential(OrderedDict([("conv", nn.Linear(1, 2)), ("act", nn.ReLU())]))
        out["ordered"] = (repr(od), [n for n, _ in od.named_parameters()], repr(od[-1]))
        out["ordered_slice"] = repr(od[1:])
        del od[0]
        out["ordered_del"] = list(od._modules.keys())
        x = lib.ones(2, 2)
        out["forward"] = tuple(nn.Sequential(nn.Linear(2, 5), nn.ReLU())(x).shape)
        out["empty_forward"] = np_of(nn.Sequential()(x)).tolist()
        return out

    same(scenario)


LAYER_NAMES = ["ReLU", "Tanh", "Sigmoid", "Identity", "SiLU", "GELU"]


@settings(max_examples=30, deadline=None)
@given(names=st.lists(st.sampled_from(LAYER_NAMES), min_size=0, max_size=5),
       index=st.integers(-7, 7),
       piece=st.tuples(st.none() | st.integers(-6, 6), st.none() | st.integers(-6, 6),
                       st.none() | st.integers(-3, 3).filter(bool)))
def test_container_indexing_matches_torch(names, index, piece):
    def scenario(lib):
        def layers():
            return [getattr(lib.nn, n)() for n in names]

        seq, ml = lib.nn.Sequential(*layers()), lib.nn.ModuleList(layers())
        cut = slice(*piece)
        out = [catch(lambda: repr(seq[index])), catch(lambda: repr(ml[index])),
               repr(seq[cut]), repr(ml[cut]), list(seq[cut]._modules)]

        def delete(container):
            del container[cut]
            return repr(container), list(container._modules)

        out += [delete(lib.nn.Sequential(*layers())), delete(lib.nn.ModuleList(layers()))]
        out.append(catch(lambda: repr(lib.nn.Sequential(*layers()).insert(index, lib.nn.ELU()))))
        inserted = lib.nn.ModuleList(layers())
        out.append(catch(lambda: (inserted.insert(index, lib.nn.ELU()), repr(inserted))[1]))
        return out

    same(scenario)


def test_module_list_behaviour():
    def scenario(lib):
        nn = lib.nn
        out = {}
        ml = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])
        out["len"] = len(ml)
        out["idx"] = [type(ml[i]).__name__ for i in (0, -1)]
        out["oob"] = catch(lambda: ml[2])
        out["slice"] = (type(ml[:1]).__name__, repr(ml[1:]))
        ml.append(nn.Tanh())
        ml.extend([nn.Sigmoid()])
        ml += [nn.GELU()]
        ml.insert(1, nn.Identity())
        out["after_grow"] = repr(ml)
        out["extend_err"] = catch(lambda: ml.extend(3))
        del ml[0]
        out["del"] = (list(ml._modules.keys()), repr(ml))
        ml[0] = nn.ELU()
        out["set"] = repr(ml)
        out["pop"] = repr(ml.pop(1))
        out["add"] = repr(ml + nn.ModuleList([nn.SiLU()]))
        out["params"] = [n for n, _ in nn.ModuleList([nn.Linear(1, 1)] * 2).named_parameters()]
        out["none"] = repr(nn.ModuleList())
        return out

    same(scenario)


def test_module_dict_behaviour():
    def scenario(lib):
        nn = lib.nn
        out = {}
        md = nn.ModuleDict({"lin": nn.Linear(2, 2), "act": nn.ReLU()})
        md2 = nn.ModuleDict([("b", nn.Tanh()), ["a", nn.Sigmoid()]])
        out["keys"] = (list(md.keys()), list(md2), len(md), "act" in md, "x" in md)
        out["values"] = [type(v).__name__ for v in md.values()]
        out["items"] = [k for k, _ in md.items()]
        md["new"] = nn.ELU()
        md.update({"lin": nn.Linear(3, 3)})
        md.update([("z", nn.GELU())])
        out["repr"] = repr(md)
        out["params"] = [n for n, _ in md.named_parameters()]
        out["pop"] = repr(md.pop("act"))
        del md["new"]
        out["after"] = list(md.keys())
        out["missing"] = catch(lambda: md["nope"])
        out["update_err"] = catch(lambda: md.update(3))
        out["update_elem"] = catch(lambda: md.update([3]))
        out["update_len"] = catch(lambda: md.update([("a", nn.ReLU(), 1)]))
        md.clear()
        out["clear"] = (len(md), repr(md))
        return out

    same(scenario)


def test_glasstorch_hints_follow_pytorch_messages():
    nn = glasstorch.nn

    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)
            super().__init__()

    class Misspelt(nn.Module):
        def foward(self, x):
            return x

    lin = nn.Linear(2, 3)
    cases = [
        (lambda: Early(), "super().__init__()"),
        (lambda: Misspelt()(glasstorch.ones(1)), "'foward'"),
        (lambda: nn.Module()(glasstorch.ones(1)), "def forward(self, x):"),
        (lambda: setattr(lin, "weight", glasstorch.ones(3, 2)), "nn.Parameter(t)"),
        (lambda: nn.Parameter([1.0]), "nn.Parameter(torch.tensor(data))"),
        (lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU), "ReLU()"),
        (lambda: nn.Sequential(nn.functional.relu), "not functions"),
        (lambda: nn.Sequential([nn.ReLU()]), "nn.Sequential(*layers)"),
        (lambda: nn.Sequential(nn.Linear(2, 2)).load_state_dict(
            {"module." + k: v for k, v in nn.Sequential(nn.Linear(2, 2)).state_dict().items()}),
         "k.removeprefix('module.')"),
        (lambda: nn.Sequential(nn.Sequential(nn.Linear(2, 2))).load_state_dict(
            nn.Sequential(nn.Linear(2, 2)).state_dict()), "prefix '0.'"),
    ]
    for fn, fix in cases:
        with pytest.raises(Exception) as info:
            fn()
        first, _, hint = str(info.value).partition("\n[glasstorch] ")
        assert fix in hint and first  # PyTorch's message, then the fix


def test_parameter_list_and_dict():
    def scenario(lib):
        nn = lib.nn
        out = {}
        pl = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(3)])
        pl.append(lib.ones(1, dtype=lib.float64))
        pl.extend([nn.Parameter(lib.ones(4), requires_grad=False)])
        pl.append("not a tensor")
        out["pl_repr"] = repr(pl)
        out["pl_len"] = len(pl)
        out["pl_types"] = [type(p).__name__ for p in pl]
        out["pl_params"] = [(n, tuple(p.shape)) for n, p in pl.named_parameters()]
        out["pl_slice"] = repr(pl[1:3])
        out["pl_oob"] = catch(lambda: pl[9])
        out["pl_extend_err"] = catch(lambda: pl.extend(lib.ones(2)))
        out["pl_call"] = catch(lambda: pl(lib.ones(1)))
        pd = nn.ParameterDict({"b": nn.Parameter(lib.ones(2)), "a": lib.zeros(2, 2)})
        out["pd_bool"] = catch(lambda: pd.__setitem__("c", lib.ones(1, dtype=lib.int64) > 0))
        pd["c"] = 5  # not a tensor: a plain attribute
        out["pd_keys"] = list(pd.keys())
        pd2 = nn.ParameterDict(OrderedDict([("z", lib.ones(1)), ("y", lib.ones(2))]))
        out["pd2_keys"] = list(pd2)
        out["pd_repr"] = repr(nn.ParameterDict({"w": lib.ones(2, 3),
                                                "v": lib.zeros(3, dtype=lib.float64)}))
        out["pd_repr_mixed"] = repr(pd)
        out["pd_or"] = list((pd2 | nn.ParameterDict({"x": lib.ones(1)})).keys())
        out["pd_get"] = (pd.get("nope"), tuple(pd.get("a").shape), "a" in pd, len(pd))
        out["pd_pop"] = (tuple(pd.pop("b").shape), list(pd.keys()))
        out["pd_popitem"] = (pd2.popitem()[0], list(pd2.keys()))
        out["pd_setdefault"] = tuple(pd.setdefault("n", lib.ones(5)).shape)
        out["pd_params"] = [n for n, _ in pd.named_parameters()]
        out["pd_bad_key"] = catch(lambda: pd[3])
        out["pd_call"] = catch(lambda: pd(lib.ones(1)))
        pd.clear()
        out["pd_clear"] = (len(pd), repr(pd))
        return out

    same(scenario)


# -- Parameter -------------------------------------------------------------------------------------
def test_parameter_basics():
    def scenario(lib):
        nn = lib.nn
        base = lib.tensor([1.0, 2.0])
        p = nn.Parameter(base)
        q = nn.Parameter(lib.tensor([1.0, 2.0]), requires_grad=False)
        r = nn.Parameter(lib.ones(2, requires_grad=True) * 3)
        out = [repr(p), repr(q), repr(r), str(p), p.requires_grad, p.is_leaf, r.is_leaf,
               r.grad_fn is None, isinstance(p, lib.Tensor), isinstance(base, nn.Parameter),
               type(p * 2).__name__, type(p.detach()).__name__, repr(nn.Parameter()),
               repr(nn.Parameter(lib.zeros(2, 2, dtype=lib.float64))),
               catch(lambda: nn.Parameter(lib.ones(2, dtype=lib.int64))),
               repr(nn.Parameter(lib.ones(2, dtype=lib.int64), requires_grad=False)),
               catch(lambda: nn.Parameter(np.ones(2))), catch(lambda: nn.Parameter([1.0]))]
        with lib.no_grad():
            base[0] = 5.0  # Parameter(t) shares t's memory
        out.append(np_of(p).tolist())
        return out

    same(scenario)


def test_parameter_deepcopy_and_pickle():
    def scenario(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        (p * p).sum().backward()
        c = copy.deepcopy(p)
        u = pickle.loads(pickle.dumps(p))
        frozen = pickle.loads(pickle.dumps(lib.nn.Parameter(lib.ones(1), requires_grad=False)))
        return [type(c).__name__, c is not p, np_of(c).tolist(), c.requires_grad,
                c.grad is None, type(u).__name__, repr(u), u.requires_grad, frozen.requires_grad]

    same(scenario)


def test_module_deepcopy_and_pickle():
    def scenario(lib):
        net = net_with_buffers(lib)
        clone = copy.deepcopy(net)
        out = [repr(clone) == repr(net), list(clone.state_dict()) == list(net.state_dict())]
        out.append(all(a is not b for a, b in zip(clone.parameters(), net.parameters())))
        out.append(all(np.array_equal(np_of(a), np_of(b))
                       for a, b in zip(clone.parameters(), net.parameters())))
        seq = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        back = pickle.loads(pickle.dumps(seq))
        out += [type(back[0].weight).__name__, repr(back), list(back.state_dict()),
                all(np.array_equal(np_of(a), np_of(b))
                    for a, b in zip(back.state_dict().values(), seq.state_dict().values()))]
        return out

    same(scenario)


# -- layers: outputs and gradients with identical weights ------------------------------------
ACTIVATIONS = [
    ("ReLU", {}), ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("Sigmoid", {}),
    ("Tanh", {}), ("Softmax", {"dim": 1}), ("Softmax", {"dim": 0}), ("LogSoftmax", {"dim": 1}),
    ("LogSoftmax", {"dim": -1}), ("GELU", {}), ("GELU", {"approximate": "tanh"}),
    ("ELU", {}), ("ELU", {"alpha": 0.5}), ("SiLU", {}), ("Softplus", {}),
    ("Softplus", {"beta": 2.0, "threshold": 1.0}), ("Identity", {}), ("Flatten", {}),
    ("Flatten", {"start_dim": 0}), ("Unflatten", {"dim": 1, "unflattened_size": (2, 3)}),
    ("Hardtanh", {}), ("Hardtanh", {"min_val": -2.0, "max_val": 0.5}), ("ReLU6", {}),
    ("Mish", {}), ("Hardswish", {}), ("Softsign", {}), ("Softmin", {"dim": 1}),
    ("LogSigmoid", {}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS)
def test_layer_outputs_and_gradients(name, kwargs):
    x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32) * 3
    results = []
    for lib in (torch, glasstorch):
        xt = lib.tensor(x, requires_grad=True)
        y = getattr(lib.nn, name)(**kwargs)(xt)
        (y * lib.arange(y.numel(), dtype=lib.float32).reshape(y.shape)).sum().backward()
        results.append((np_of(y), np_of(xt.grad), tuple(y.shape)))
    (ty, tg, ts), (gy, gg, gs) = results
    assert gs == ts
    np.testing.assert_allclose(gy, ty, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gg, tg, rtol=1e-4, atol=1e-5)


@settings(max_examples=15, deadline=None)
@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
       n_in=st.integers(1, 6), n_out=st.integers(1, 5), bias=st.booleans())
def test_linear_outputs_and_gradients(batch, n_in, n_out, bias):
    tlin = torch.nn.Linear(n_in, n_out, bias=bias)
    glin = glasstorch.nn.Linear(n_in, n_out, bias=bias)
    copy_weights(glin, tlin)
    x = np.random.default_rng(2).standard_normal((*batch, n_in)).astype(np.float32)
    tx, gx = torch.tensor(x, requires_grad=True), glasstorch.tensor(x, requires_grad=True)
    ty, gy = tlin(tx), glin(gx)
    assert tuple(gy.shape) == tuple(ty.shape)
    np.testing.assert_allclose(np_of(gy), np_of(ty), rtol=1e-5, atol=1e-6)
    ty.square().sum().backward()
    gy.square().sum().backward()
    np.testing.assert_allclose(np_of(gx.grad), np_of(tx.grad), rtol=1e-4, atol=1e-5)
    for (tn, tp), (gn, gp) in zip(tlin.named_parameters(), glin.named_parameters()):
        assert gn == tn
        np.testing.assert_allclose(np_of(gp.grad), np_of(tp.grad), rtol=1e-4, atol=1e-5)


def test_linear_shapes_dtype_and_errors():
    def scenario(lib):
        lin = lib.nn.Linear(4, 3)
        lin64 = lib.nn.Linear(4, 3, dtype=lib.float64)
        return ([tuple(p.shape) for p in lin.parameters()], str(lin64.weight.dtype),
                lin.in_features, lin.out_features,
                catch(lambda: lin(lib.ones(2, 5))),
                catch(lambda: lin(lib.ones(2, 4, dtype=lib.float64))))

    same(scenario)


def test_linear_default_init_bounds():
    lin = glasstorch.nn.Linear(50, 40)
    bound = 1 / np.sqrt(50)
    w, b = np_of(lin.weight), np_of(lin.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # a uniform on [-bound, bound] has std bound / sqrt(3)
    assert abs(w.std() - bound / np.sqrt(3)) < 0.1 * bound / np.sqrt(3)
    assert str(lin.weight.dtype) == "torch.float32"
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        lin0 = glasstorch.nn.Linear(0, 3)
    assert np_of(lin0.bias).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_init_matches_torch_for_dtype(dtype, bias):
    values = []
    for lib in LIBS:
        lib.manual_seed(3)
        lin = lib.nn.Linear(20, 7, bias=bias, dtype=getattr(lib, dtype))
        values.append([np_of(p) for p in lin.parameters()])
    for g, t in zip(values[1], values[0]):
        assert g.dtype == t.dtype
        np.testing.assert_array_equal(g, t)


def test_linear_default_init_matches_torch_with_same_seed():
    torch.manual_seed(0)
    glasstorch.manual_seed(0)
    tnet, gnet = neural_network(torch), neural_network(glasstorch)
    for (tn, tp), (gn, gp) in zip(tnet.named_parameters(), gnet.named_parameters()):
        assert gn == tn
        np.testing.assert_array_equal(np_of(gp), np_of(tp))


def test_flatten_unflatten_errors():
    def scenario(lib):
        nn = lib.nn
        x = lib.ones(2, 6)
        return (catch(lambda: tuple(nn.Flatten()(lib.ones(2, 3, 4)).shape)),
                catch(lambda: tuple(nn.Flatten(0, 1)(lib.ones(2, 3, 4)).shape)),
                catch(lambda: nn.Flatten(3)(x)),
                catch(lambda: tuple(nn.Unflatten(1, (3, -1))(x).shape)),
                catch(lambda: nn.Unflatten(1, (2, 4))(x)),
                catch(lambda: nn.Unflatten(1, 6)),
                catch(lambda: nn.Unflatten(1, (2, 3.0))))

    same(scenario)


def test_softmax_implicit_dim_warns_and_chooses_like_torch():
    for ndim in (1, 2, 3, 4):
        shape = (2, 3, 4, 5)[:ndim]
        x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
        for name in ("Softmax", "LogSoftmax"):
            (gy, ty), msgs = harness.same_warnings(
                lambda lib, name=name, x=x: getattr(lib.nn, name)()(lib.tensor(x)))
            harness.assert_same(gy, ty, rtol=1e-5, atol=1e-6)
            assert len(msgs) == 1


# -- Dropout ---------------------------------------------------------------------------------
def test_hardtanh_arguments():
    def scenario(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = lib.nn.Hardtanh(min_value=-3.0, max_value=2.0)
        return (repr(m), [(x.category.__name__, str(x.message)) for x in w],
                catch(lambda: lib.nn.Hardtanh(1.0, 1.0)))

    same(scenario)


def test_dropout_probability_errors():
    same(lambda lib: [catch(lambda p=p: repr(lib.nn.Dropout(p)))
                      for p in (-0.1, 1.5, 0.0, 1.0, 1, 0.25)])


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_dropout_statistics_train_and_eval(p):
    x = np.full((200, 100), 2.0, dtype=np.float32)
    stats = []
    for lib in (torch, glasstorch):
        drop = lib.nn.Dropout(p)
        xt = lib.tensor(x, requires_grad=True)
        y = drop(xt)
        y.sum().backward()
        yv, gv = np_of(y), np_of(xt.grad)
        kept = yv != 0
        scale = 0.0 if p == 1.0 else 1 / (1 - p)
        assert np.allclose(yv[kept], 2.0 * scale)
        assert np.array_equal(gv != 0, kept)  # the gradient flows only through survivors
        assert np.allclose(gv[kept], scale)
        drop.eval()
        assert drop(lib.tensor(x)) is not None
        np.testing.assert_array_equal(np_of(drop(lib.tensor(x))), x)
        stats.append(kept.mean())
    # the kept fraction is 1 - p in both, within sampling error (20000 draws)
    assert abs(stats[1] - (1 - p)) < 0.02
    assert abs(stats[1] - stats[0]) < 0.03


# -- BatchNorm1d -----------------------------------------------------------------------------------
BN_OPTIONS = [
    {}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3}, {"affine": False},
    {"track_running_stats": False}, {"bias": False},
]


@pytest.mark.parametrize("kwargs", BN_OPTIONS)
@pytest.mark.parametrize("shape", [(8, 3), (6, 3, 5)])
def test_batchnorm1d_running_stats_train_then_eval(kwargs, shape):
    rng = np.random.default_rng(4)
    tbn, gbn = torch.nn.BatchNorm1d(3, **kwargs), glasstorch.nn.BatchNorm1d(3, **kwargs)
    if tbn.weight is not None:
        with torch.no_grad():
            tbn.weight.uniform_(0.5, 1.5)
            if tbn.bias is not None:
                tbn.bias.uniform_(-1, 1)
    copy_weights(gbn, tbn)
    assert repr(gbn) == repr(tbn)
    for step in range(4):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        tx, gx = torch.tensor(x, requires_grad=True), glasstorch.tensor(x, requires_grad=True)
        ty, gy = tbn(tx), gbn(gx)
        np.testing.assert_allclose(np_of(gy), np_of(ty), rtol=1e-4, atol=1e-5)
        w = np.arange(ty.numel(), dtype=np.float32).reshape(shape) / ty.numel()
        (ty * torch.tensor(w)).sum().backward()
        (gy * glasstorch.tensor(w)).sum().backward()
        np.testing.assert_allclose(np_of(gx.grad), np_of(tx.grad), rtol=1e-4, atol=1e-4)
        for tp, gp in zip(tbn.parameters(), gbn.parameters()):
            np.testing.assert_allclose(np_of(gp.grad), np_of(tp.grad), rtol=1e-4, atol=1e-4)
        for (tn, tb), (gn, gb) in zip(tbn.named_buffers(), gbn.named_buffers()):
            assert gn == tn and str(gb.dtype) == str(tb.dtype)
            np.testing.assert_allclose(np_of(gb), np_of(tb), rtol=1e-5, atol=1e-6)
    tbn.eval()
    gbn.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(np_of(gbn(glasstorch.tensor(x))), np_of(tbn(torch.tensor(x))),
                               rtol=1e-4, atol=1e-5)
    for tb, gb in zip(tbn.buffers(), gbn.buffers()):
        np.testing.assert_allclose(np_of(gb), np_of(tb), rtol=1e-5, atol=1e-6)


def test_batchnorm1d_structure_and_errors():
    def scenario(lib):
        bn = lib.nn.BatchNorm1d(4)
        plain = lib.nn.BatchNorm1d(4, affine=False, track_running_stats=False)
        return ([(n, tuple(p.shape)) for n, p in bn.named_parameters()],
                [(n, tuple(b.shape), str(b.dtype)) for n, b in bn.named_buffers()],
                list(bn.state_dict()), list(plain.state_dict()), plain.weight is None,
                np_of(bn.weight).tolist(), np_of(bn.bias).tolist(),
                int(bn.num_batches_tracked), bn.momentum, bn.eps,
                catch(lambda: bn(lib.ones(2, 4, 3, 3))),
                catch(lambda: bn(lib.ones(4))),
                catch(lambda: bn(lib.ones(1, 4))))

    same(scenario)


def test_batchnorm1d_wrong_num_features():
    same(lambda lib: catch(lambda: lib.nn.BatchNorm1d(3)(lib.ones(4, 5))))


def test_batchnorm1d_reset_running_stats():
    def scenario(lib):
        bn = lib.nn.BatchNorm1d(2)
        bn(lib.tensor([[1.0, 2.0], [3.0, 5.0]]))
        before = [np_of(b).tolist() for b in bn.buffers()]
        bn.reset_running_stats()
        return before, [np_of(b).tolist() for b in bn.buffers()]

    got, expected = scenario(glasstorch), scenario(torch)
    np.testing.assert_allclose(got[0][0], expected[0][0], rtol=1e-6)
    np.testing.assert_allclose(got[0][1], expected[0][1], rtol=1e-6)
    assert got[0][2] == expected[0][2] and got[1] == expected[1]


@settings(max_examples=20, deadline=None)
@given(widths=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       acts=st.lists(st.sampled_from(["ReLU", "Tanh", "GELU", "Identity", "LeakyReLU", None]),
                     min_size=4, max_size=4),
       norm=st.booleans(), drop=st.booleans(), bias=st.booleans())
def test_random_mlps_match_torch(widths, acts, norm, drop, bias):
    def build(lib):
        nn = lib.nn
        layers = []
        for i, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
            layers.append(nn.Linear(n_in, n_out, bias=bias))
            if norm:
                layers.append(nn.BatchNorm1d(n_out))
            if acts[i]:
                layers.append(getattr(nn, acts[i])())
            if drop:
                layers.append(nn.Dropout(0.3))
        return nn.Sequential(*layers)

    tnet, gnet = build(torch), build(glasstorch)
    assert repr(gnet) == repr(tnet)
    assert ([(n, tuple(p.shape)) for n, p in gnet.named_parameters()]
            == [(n, tuple(p.shape)) for n, p in tnet.named_parameters()])
    assert list(gnet.state_dict()) == list(tnet.state_dict())
    copy_weights(gnet, tnet)
    x = np.random.default_rng(len(widths)).standard_normal((5, widths[0])).astype(np.float32)
    tnet.train()
    gnet.train()
    if not drop:  # dropout masks are random; without it training mode is deterministic
        np.testing.assert_allclose(np_of(gnet(glasstorch.tensor(x))),
                                   np_of(tnet(torch.tensor(x))), rtol=1e-4, atol=1e-5)
    copy_weights(gnet, tnet)
    tnet.eval()
    gnet.eval()
    np.testing.assert_allclose(np_of(gnet(glasstorch.tensor(x))), np_of(tnet(torch.tensor(x))),
                               rtol=1e-4, atol=1e-5)


# -- the whole course model --------------------------------------------------------------------
def test_course_model_forward_backward_matches_torch():
    tnet, gnet = neural_network(torch), neural_network(glasstorch)
    copy_weights(gnet, tnet)
    x = np.random.default_rng(5).random((8, 1, 28, 28), dtype=np.float32)
    ty, gy = tnet(torch.tensor(x)), gnet(glasstorch.tensor(x))
    np.testing.assert_allclose(np_of(gy), np_of(ty), rtol=1e-4, atol=1e-5)
    ty.square().mean().backward()
    gy.square().mean().backward()
    for (tn, tp), (gn, gp) in zip(tnet.named_parameters(), gnet.named_parameters()):
        assert gn == tn
        np.testing.assert_allclose(np_of(gp.grad), np_of(tp.grad), rtol=1e-3, atol=1e-6)
