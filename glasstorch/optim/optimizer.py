"""``Optimizer``: the base class every optimizer builds on.

An optimizer holds *parameter groups* (``param_groups``: a list of dicts, each with its
``'params'`` and its own options such as ``'lr'``) and per-parameter *state* (``state``: a
dict keyed by the parameter tensor itself, e.g. Adam's running averages).

``Optimizer.step`` is the one template every built-in optimizer shares: for each parameter θ
with a gradient g it applies the rules they all have in common (``maximize`` and weight decay),
then calls the subclass's ``_update(theta, g, state, group)`` -- the optimizer's own update
rule, written on NumPy arrays so that it reads like the rule in its docstring -- and finally
bumps θ's version counter. An optimizer that needs more (LBFGS) writes its own ``step``.

Everything else here -- validation, ``zero_grad``, ``state_dict`` / ``load_state_dict`` and the
``repr`` -- behaves like ``torch.optim.Optimizer`` so that course code and checkpoints carry over.
"""

from __future__ import annotations

import functools
import types
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from .._tensor import Tensor
from .._warnings import warn
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]

# Hooks run around the step of every optimizer (PyTorch's global optimizer hooks).
_global_step_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
_global_step_post_hooks: OrderedDict[int, Callable] = OrderedDict()


class _RequiredParameter:
    """Marks an option that has no default: every param group must give it (e.g. a bare lr)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _mixing_hint(obj: Any) -> str:
    from .._torch_alias import mixing_hint

    return mixing_hint(obj)


def _typename(obj: Any) -> str:
    """The type name PyTorch prints in its errors: ``torch.FloatTensor`` for a tensor."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _step_without_grad(step: Callable) -> Callable:
    """Run an optimizer's ``step`` with gradient recording off: updating parameters in place is
    not part of the model, so autograd must not see it (the closure turns recording back on)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        previous = _grad_state.enabled
        _grad_state.enabled = False
        try:
            return step(self, *args, **kwargs)
        finally:
            _grad_state.enabled = previous

    return wrapper


class _HookHandle:
    """Returned by ``register_*_hook``: ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: OrderedDict) -> None:
        self._hooks = weakref.ref(hooks)
        self.id = _HookHandle._next_id
        _HookHandle._next_id += 1

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> _HookHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def _add_hook(hooks: OrderedDict, hook: Callable, prepend: bool = False) -> _HookHandle:
    handle = _HookHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook: Callable) -> _HookHandle:
    """Call ``hook(optimizer, args, kwargs)`` before the step of every optimizer."""
    return _add_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> _HookHandle:
    """Call ``hook(optimizer, args, kwargs)`` after the step of every optimizer."""
    return _add_hook(_global_step_post_hooks, hook)


def _with_step_hooks(step: Callable) -> Callable:
    """Wrap a class's ``step`` so that registered step hooks run around it."""

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]  # hooks see the full argument tuple, optimizer first, as in PyTorch
        pre = self.__dict__.get("_optimizer_step_pre_hooks")
        post = self.__dict__.get("_optimizer_step_post_hooks")
        if not (pre or post or _global_step_pre_hooks or _global_step_post_hooks):
            return step(*args, **kwargs)  # the usual case: no hooks, no overhead
        for hook in (*_global_step_pre_hooks.values(), *(pre.values() if pre else ())):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                        f"{result}."
                    )
        out = step(*args, **kwargs)
        if post or _global_step_post_hooks:
            for hook in (*(post.values() if post else ()), *_global_step_post_hooks.values()):
                hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class Optimizer:
    """Base class of all optimizers: holds ``param_groups``, ``defaults`` and ``state``.

    ``params`` is an iterable of tensors, or of dicts (one per parameter group) whose keys
    override ``defaults`` for that group, e.g. ``[{'params': body}, {'params': head, 'lr': 0.1}]``.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict[int, Callable] = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict[int, Callable] = OrderedDict()
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_step_hooks(cls.step)
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        try:
            param_groups = list(params)
        except TypeError as err:
            if isinstance(params, (types.MethodType, types.FunctionType)):
                # The classic slip: `SGD(model.parameters, ...)` passes the method itself.
                name = getattr(params, "__name__", "parameters")
                raise TypeError(
                    f"{err}\n[glasstorch] {type(self).__name__} got the method `{name}` itself, "
                    f"not the tensors it returns: call it, e.g. "
                    f"{type(self).__name__}(model.{name}(), lr=...)."
                ) from None
            raise
        if len(param_groups) == 0:
            hint = ""
            if isinstance(params, types.GeneratorType):  # model.parameters() found nothing
                hint = ("\n[glasstorch] parameters() found no tensors. Layers kept in a plain "
                        "Python list or dict are not registered: use nn.ModuleList / "
                        "nn.ModuleDict (or nn.Sequential).")
            raise ValueError("optimizer got an empty parameter list" + hint)
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # -- pickling (torch pickles only these three) ----------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())

    # -- hooks -------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> _HookHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each step; it may return new
        ``(args, kwargs)``."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> _HookHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each step."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> _HookHandle:
        """Call ``hook(optimizer)`` before ``state_dict()`` builds its result."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> _HookHandle:
        """Call ``hook(optimizer, state_dict)`` on the result; it may return a replacement."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> _HookHandle:
        """Call ``hook(optimizer, state_dict)`` before loading; it may return a replacement."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(
        self, hook: Callable, prepend: bool = False
    ) -> _HookHandle:
        """Call ``hook(optimizer)`` after loading."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- parameter groups --------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Append a parameter group (a dict with ``'params'`` and optional option overrides);
        options it does not give are filled in from ``defaults``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")

        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)

        # Entries may be (name, tensor) pairs, as from model.named_parameters().
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names

        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param) + _mixing_hint(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)

        if len(params) != len(set(params)):
            warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
            )

        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)

    # -- gradients ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters: set ``.grad`` to None (default), or fill it
        with zeros in place when ``set_to_none=False``."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad._requires_grad = False
                    grad._data.fill(0)
                    grad._vc[0] += 1

    @_step_without_grad
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return the closure's loss (or None).

        For each parameter θ with gradient g, in every group::

            g ← -g                  if maximize
            θ ← θ·(1 - lr·λ)        if weight_decay λ ≠ 0 and decoupled (AdamW)
            g ← g + λ·θ             if weight_decay λ ≠ 0 otherwise (L2 in the gradient)
            _update(θ, g, state[θ], group)     the optimizer's own rule, in place on θ

        ``g`` may be the gradient's own array: ``_update`` must not write into it.
        """
        if type(self)._update is Optimizer._update:
            raise NotImplementedError  # a subclass writes either _update or its own step
        loss = self._evaluate_closure(closure)
        states, update = self.state, self._update
        for group in self.param_groups:
            maximize = group.get("maximize", False)
            weight_decay = group.get("weight_decay", 0)
            decoupled = group.get("decoupled_weight_decay", False)
            for p in group["params"]:
                # p._grad, not the .grad property (about 0.1 us a call): the property only adds
                # a warning for non-leaf tensors, which add_param_group refuses as parameters
                grad = p._grad
                if grad is None:
                    continue
                theta = p._data
                g = grad._data
                if maximize:
                    g = -g
                if weight_decay != 0:
                    if decoupled:
                        theta *= 1 - float(group["lr"]) * weight_decay
                        p._vc[0] += 1  # its own in-place write, counted as PyTorch does
                    else:
                        g = g + weight_decay * theta
                state = states.get(p)
                if state is None:
                    # First step for θ. The state is kept only if the rule stores something
                    # (plain SGD keeps none, and PyTorch then shows no entry for θ).
                    state = {}
                    update(theta, g, state, group)
                    if state:
                        states[p] = state
                else:
                    update(theta, g, state, group)
                p._vc[0] += 1
        return loss

    def _update(self, theta: np.ndarray, g: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """The optimizer's update rule for one parameter: change ``theta`` in place from the
        gradient ``g`` (read-only), the parameter's ``state`` and the ``group``'s options."""
        raise NotImplementedError

    @staticmethod
    def _evaluate_closure(closure: Callable[[], Any] | None) -> Any:
        """Call ``closure`` (which recomputes the loss and its gradients) with recording on."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # -- checkpoints -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``, with
        parameters replaced by their position counted across all groups (0, 1, 2, ...)."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index_of: dict[int, int] = {}
        start = 0
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            packed_groups.append(packed)
        packed_state = {
            (index_of[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        state_dict = {"state": packed_state, "param_groups": packed_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state`` and the group options from a ``state_dict()``; parameters are
        matched by position, and floating-point state is cast to each parameter's dtype."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        param_of = dict(
            zip(
                chain.from_iterable(s["params"] for s in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )

        state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in param_of:
                param = param_of[key]
                state[param] = _cast_state(param, value)
            else:
                state[key] = value

        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _cast_state(param: Tensor, value: Any, key: Any = None) -> Any:
    """Copy loaded state for ``param``: tensors take the parameter's floating dtype (except the
    step counter, kept as saved), containers are rebuilt, anything else is kept."""
    if isinstance(value, Tensor):
        if key != "step" and param.is_floating_point() and value._data.dtype != param._data.dtype:
            return Tensor._make(value._data.astype(param._data.dtype))
        if not value._data.flags.writeable:  # e.g. memory-mapped from a checkpoint file
            return Tensor._make(value._data.copy())
        return value
    if key == "step" and isinstance(value, (int, float)):
        # checkpoints from old PyTorch versions kept the step as a plain number
        return Tensor._make(np.array(float(value), dtype=np.float32))
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def _new_state_tensor(like: np.ndarray, fill: float = 0.0) -> Tensor:
    """A fresh state buffer with the parameter's shape and dtype (e.g. a running average)."""
    return Tensor._make(np.full_like(like, fill))


def _step_counter() -> Tensor:
    """The per-parameter step count: a 0-d float32 tensor, as PyTorch stores it."""
    return Tensor._make(np.zeros((), dtype=np.float32))
