"""The autograd graph: nodes recorded as operations run, and ``autograd.Function``.

Every differentiable operation is a subclass of :class:`Node` with two methods side by side:
``forward(*arrays)`` computes the result with NumPy and keeps in ``self.saved`` what the
gradient will need; ``backward(grad)`` turns the gradient of the output into one gradient per
input. The class name is PyTorch's (``MulBackward0``), so ``y.grad_fn`` prints the same.

Running an op (:func:`record`) creates the node, calls forward, and, if grad mode is on and an
input requires grad, links the node to its inputs' nodes (``next_functions``) and notes the
version of every tensor it saved, so an in-place change made later is caught at backward.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ._names import printed_name
from ._observers import _forward_observers
from .anomaly_mode import _anomaly, forward_trace
from .grad_mode import _state

__all__ = ["Node", "AccumulateGrad", "Function", "FunctionCtx", "once_differentiable"]


class _Released:
    def __repr__(self) -> str:
        return "<saved tensors released>"


RELEASED = _Released()


class Node:
    """One recorded operation in the graph (PyTorch calls it a ``grad_fn``)."""

    __slots__ = ("next_functions", "_in_meta", "_versions", "_retained", "_pre_hooks", "_hooks",
                 "metadata", "_n_outputs", "_out_meta", "__dict__", "__weakref__")

    saved: Any = ()          # arrays kept for backward; replaced by RELEASED once it has run
    saved_inputs: tuple = ()  # which tensor inputs ``saved`` holds (their versions are checked)
    saved_for: dict | None = None  # input i -> inputs whose gradient needs it (default: all)
    saves_output = False      # whether ``saved`` holds the output (its version is checked)
    # For create_graph: where each entry of ``saved`` comes from, so the backward formula can
    # run again on tensors that are part of the graph: an input index, "out" (or ("out", k)
    # for output k), or None for a constant (a mask, an index). None here: this node's
    # backward has not been checked to run on tensors, so create_graph refuses it.
    saved_as: tuple | None = None

    def __init__(self) -> None:
        self.next_functions = ()
        self._versions = None
        self._retained = None
        self._pre_hooks = None
        self._hooks = None
        self._n_outputs = 1

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # a borrowed grad_fn name (autograd/_names.py) replaces the class's printed name
        cls.__name__ = cls.__qualname__ = printed_name(cls.__name__)

    def forward(self, *arrays):  # pragma: no cover - every op defines it
        raise NotImplementedError

    def backward(self, *grads):  # pragma: no cover - every op defines it
        raise NotImplementedError

    def needs(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient (skip computing the ones nobody needs)."""
        return self.next_functions[i][0] is not None

    def name(self) -> str:
        return type(self).__name__

    def register_hook(self, fn) -> None:
        """Call ``fn(grad_inputs, grad_outputs)`` after this node ran."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)

    def register_prehook(self, fn) -> None:
        """Call ``fn(grad_outputs)`` before this node runs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- engine support -------------------------------------------------------------------
    def _graph_backward(self, grads: list):
        """create_graph: the same backward formula, run on tensors so that it is recorded."""
        if self.saved_as is None:
            raise RuntimeError(
                f"derivative for {self.name()} is not implemented\n[glasstorch] "
                "create_graph=True (gradients of gradients) runs each node's backward formula "
                f"again on tensors; {self.name()}'s formula has not been made to run on "
                "tensors yet. See 'Gradients of gradients' in docs/autograd.md for the "
                "operations that support it."
            )
        arrays = self.saved
        if arrays is RELEASED:
            self._check_versions()  # raises PyTorch's "backward through the graph a second time"
        self.saved = self._saved_in_graph()
        try:
            grads = self.backward(*grads)
        finally:
            self.saved = arrays
        for g in grads:
            if g is not None and not hasattr(g, "_data"):  # never silently out of the graph
                raise RuntimeError(
                    f"[glasstorch] create_graph=True: {self.name()}'s backward formula gave a "
                    f"NumPy {type(g).__name__}, not a tensor: this gradient cannot be "
                    "differentiated again (a bug in glasstorch: please report it)."
                )
        return grads

    def _saved_in_graph(self) -> tuple:
        """The saved arrays as tensors connected to the graph (PyTorch's SavedVariable
        unpacking): an input is rebuilt on the edge it came from, an output on this node."""
        return tuple(self._in_graph(value, origin)
                     for value, origin in zip(self.saved, self.saved_as))

    def _in_graph(self, value, origin):
        """One saved array as a tensor: on input ``origin``'s edge (an int), on this node's
        output (``"out"``, ``("out", k)``), or a constant (None)."""
        from .._tensor import _make

        if value is None or not isinstance(value, np.ndarray):
            return value
        t = _make(value)
        if origin is None:
            pass  # a constant of the backward formula
        elif isinstance(origin, int):
            node, nr = self.next_functions[origin]
            if node is not None:
                dtype = self._in_meta[origin][1]  # the input's own dtype (value may be cast)
                if type(node) is AccumulateGrad:
                    t = node.variable
                else:
                    t = _make(value if value.dtype == dtype else value.astype(dtype))
                    t.grad_fn, t._output_nr, t._requires_grad = node, nr, True
                if dtype != value.dtype:
                    t = t.to(_dtype_of(value.dtype))
        else:
            t.grad_fn, t._requires_grad = self, True
            t._output_nr = 0 if origin == "out" else origin[1]
        return t

    def _release(self) -> None:
        if self.saved is not Node.saved:
            self.saved = RELEASED
        self._versions = None

    def _check_versions(self) -> None:
        if self.saved is RELEASED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.\n[glasstorch] Usually "
                "this means the forward pass was not redone: compute the loss again inside the "
                "training loop before each backward()."
            )
        if self._versions:
            for counter, expected, desc in self._versions:
                if counter[0] != expected:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified "
                        f"by an inplace operation: {_describe_text(desc)}, is at version "
                        f"{counter[0]}; expected "
                        f"version {expected} instead. Hint: enable anomaly detection to find the "
                        "operation that failed to compute its gradient, with "
                        "torch.autograd.set_detect_anomaly(True, check_nan=False).\n[glasstorch] "
                        f"{type(self).__name__} saved this tensor during the forward pass and it "
                        "was changed in place afterwards; write `x = x * 2` instead of "
                        "`x *= 2` / `x.mul_(2)`, or clone() it before changing it."
                    )


class AccumulateGrad(Node):
    """The end of every path: adds the incoming gradient into a leaf tensor's ``.grad``."""

    def __init__(self, variable) -> None:
        super().__init__()
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # what PyTorch's C++ node reports

    def backward(self, grad):  # pragma: no cover - the engine accumulates directly
        return ()


def _describe(t, grad_fn) -> tuple:
    """What an in-place error will say about a saved tensor (formatted only if it happens:
    this runs for every recorded op)."""
    return (t._data.dtype, t._data.shape, None if grad_fn is None else type(grad_fn).__name__,
            t._output_nr)


def _describe_text(desc: tuple) -> str:
    from .._dtype import from_numpy_dtype

    np_dtype, shape, name, output_nr = desc
    kind = f"[torch.{from_numpy_dtype(np_dtype).scalar_name}Tensor [{', '.join(map(str, shape))}]]"
    if name is None:
        return kind
    if name.endswith("Backward0"):
        name = name[: -len("Backward0")]
    return f"{kind}, which is output {output_nr} of {name}"


def edge(t) -> tuple:
    """Where the gradient for tensor ``t`` goes: its grad_fn, its leaf accumulator, or nowhere."""
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t._requires_grad:
        return (t._accumulator(), 0)
    return (None, 0)


def record(node: Node, inputs, out, make):
    """Wrap the forward result ``out`` (array or tuple of arrays) in tensors and, when grad mode
    is on and an input requires grad, attach ``node`` as their ``grad_fn``.

    ``inputs`` are the operation's tensor arguments in ``backward``'s order (non-tensors are
    skipped); ``make`` builds a Tensor from an array.
    """
    if _forward_observers:
        for observe in _forward_observers:  # anomaly mode, the coach: see autograd/graph.py
            observe(node, inputs, out)
    needs = False
    if _state.enabled:
        for t in inputs:
            if t is not None and (getattr(t, "_requires_grad", False) or (
                    getattr(t, "_base", None) is not None and t.requires_grad)):
                needs = True  # (a view may require grad since its base changed in place)
                break
    if type(out) is tuple:
        outs = tuple(make(o) for o in out)
    else:
        outs = None
        result = make(out)
    if not needs:
        return outs if outs is not None else result

    edges, meta = [], []
    for t in inputs:  # one plain loop: this runs for every recorded op
        if t is not None and getattr(t, "_requires_grad", False):
            edges.append(edge(t))
            meta.append((t._data.shape, t._data.dtype))
        else:
            edges.append((None, 0))
            meta.append(None)
    node.next_functions = tuple(edges)
    node._in_meta = tuple(meta)
    if _anomaly.enabled:
        node._anomaly_trace = forward_trace()
    versions = None
    if node.saved_inputs:
        versions = []
        saved_for = node.saved_for
        for i in node.saved_inputs:
            t = inputs[i]
            if saved_for is not None and i in saved_for and not any(
                getattr(inputs[u], "_requires_grad", False) for u in saved_for[i]
            ):
                continue  # only needed for a gradient nobody asked for
            if t is not None and hasattr(t, "_vc"):
                versions.append((t._vc, t._vc[0], _describe(t, t.grad_fn)))
    if outs is None:
        if result._data.dtype.kind not in "fc":  # integer and bool results have no gradient
            return result
        result.grad_fn = node
        result._requires_grad = True
        if node.saves_output:
            versions = versions or []
            versions.append((result._vc, result._vc[0], _describe(result, node)))
        node._versions = versions
        return result
    node._n_outputs = len(outs)
    node._out_meta = tuple((o.shape, o._data.dtype) for o in outs)
    differentiable = getattr(node, "differentiable_outputs", None)
    for i, o in enumerate(outs):
        if (differentiable is None or i in differentiable) and o._data.dtype.kind in "fc":
            o.grad_fn = node
            o._output_nr = i
            o._requires_grad = True
    if node.saves_output:
        versions = versions or []
        for o in outs:
            versions.append((o._vc, o._vc[0], _describe(o, node)))
    node._versions = versions
    return outs


# ---------------------------------------------------------------------------------------------
# autograd.Function: user-defined operations with a hand-written backward
# ---------------------------------------------------------------------------------------------


class FunctionCtx:
    """What ``forward`` may leave for ``backward`` (PyTorch's ``ctx``)."""

    def save_for_backward(self, *tensors) -> None:
        for t in tensors:
            if t is not None and not _is_tensor(t):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self.to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


def _is_tensor(x) -> bool:
    from .._tensor import Tensor

    return isinstance(x, Tensor)


class BackwardCFunction(Node, FunctionCtx):
    """The node recorded for a user Function; it is also the ``ctx`` its methods receive."""

    _forward_cls: type
    materialize_grads = True

    @property
    def saved_tensors(self) -> tuple:
        self._check_versions()
        return tuple(self._saved_tensors)

    def _release(self) -> None:
        super()._release()
        if hasattr(self, "_saved_tensors"):
            self.saved = RELEASED
            self._saved_tensors = ()

    def backward(self, *grads):
        """The user's backward on tensors wrapping the gradient arrays; arrays back."""
        from .._tensor import Tensor

        res = self._call_user_backward([None if g is None else Tensor._make(g) for g in grads])
        return tuple(None if r is None else r._data for r in res)

    def _graph_backward(self, grads: list):
        """create_graph: the user's backward already computes with tensors, so it is simply
        recorded (glasstorch's recording is on while it runs)."""
        return self._call_user_backward(grads)

    def _call_user_backward(self, grads: list) -> list:
        """Call ``backward(ctx, *grad_outputs)``; one result per tensor input of forward."""
        from .._tensor import Tensor

        if self.materialize_grads:
            grads = [Tensor._make(np.zeros(shape, dt)) if g is None else g
                     for g, (shape, dt) in zip(grads, self._out_meta)]
        res = self._forward_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self.next_functions)
        if len(res) < n_in:
            raise RuntimeError(
                f"function {type(self).__name__} returned an incorrect number of gradients "
                f"(expected {n_in}, got {len(res)})"
            )
        return [r for r, keep in zip(res, self._tensor_positions) if keep]


class _FunctionMeta(type):
    """Gives every Function subclass its node class, named ``<Name>Backward`` as in PyTorch."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Define an operation with your own backward: subclass, write the staticmethods
    ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``, and call ``MyFn.apply(...)``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from .grad_mode import no_grad

        ctx = cls._backward_cls()
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(
            isinstance(a, Tensor) and a.requires_grad for a in args
        )
        ctx._tensor_positions = tuple(isinstance(a, Tensor) for a in args)
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        arrays = tuple(o._data if isinstance(o, Tensor) else o for o in outs)
        if not (_state.enabled and any(t.requires_grad for t in tensor_args)):
            return result
        non_diff = {id(t) for t in getattr(ctx, "non_differentiable", ())}
        wrapped = []
        for o, a in zip(outs, arrays):
            if isinstance(o, Tensor):
                w = Tensor._make(a)
                w._vc = o._vc  # same storage, same version counter
                wrapped.append(w)
            else:
                wrapped.append(o)
        ctx.next_functions = tuple(edge(t) for t in tensor_args)
        ctx._in_meta = tuple(
            (t.shape, t._data.dtype) if t.requires_grad else None for t in tensor_args
        )
        ctx._n_outputs = len(outs)
        ctx._out_meta = tuple(
            (np.shape(a), getattr(a, "dtype", np.float32)) for a in arrays
        )
        saved = getattr(ctx, "to_save", ())
        ctx._saved_tensors = saved
        ctx._versions = [
            (t._vc, t._vc[0], _describe(t, t.grad_fn)) for t in saved if t is not None
        ]
        if saved:
            ctx.saved = saved
        for i, w in enumerate(wrapped):
            if isinstance(w, Tensor) and id(outs[i]) not in non_diff and \
                    w.dtype.is_floating_point:
                w.grad_fn = ctx
                w._output_nr = i
                w._requires_grad = True
        return wrapped[0] if single else tuple(wrapped)


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


def once_differentiable(fn):
    """Mark a Function's backward as not differentiable itself: it runs without recording,
    so under create_graph its gradients are constants (as in PyTorch)."""
    import functools

    from .grad_mode import no_grad

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with no_grad():
            return fn(ctx, *args, **kwargs)

    return wrapper


# keep a weak cache of accumulators so a leaf has one AccumulateGrad for its lifetime
def accumulator_for(t) -> AccumulateGrad:
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc
