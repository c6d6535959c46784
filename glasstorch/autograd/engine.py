"""The backward engine: walk the recorded graph from the outputs back to the leaves.

``run_backward`` is the whole idea, on one screen:

1. seed: the outputs' nodes receive their first gradients (ones, for a scalar loss);
2. order: every node reachable from them, each one after all the nodes that feed it a
   gradient (Kahn's algorithm with an explicit stack, so a 10,000-op chain is fine);
3. for each node in that order: call its ``backward``, reduce each resulting gradient to the
   shape and dtype of the input it belongs to (:func:`sum_to`, the one broadcast-reduction
   rule), and add it into the buffer of the node that made that input (a tensor used twice
   gets the sum of both gradients);
4. at the leaves (``AccumulateGrad``), add the gradient into ``.grad``.

Everything else is a named helper below the loop: hooks, ``inputs=`` pruning, retain_grad,
anomaly mode, version checks, the gradient-ownership optimisation and ``create_graph``.
"""

from __future__ import annotations

import sys

import numpy as np

from .anomaly_mode import _anomaly, check_backward_output
from .function import RELEASED, AccumulateGrad, Node, accumulator_for
from .grad_mode import _state

__all__ = ["run_backward", "sum_to"]


def run_backward(outputs, grad_outputs, retain_graph: bool = False, inputs=None,
                 accumulate: bool = True, create_graph: bool = False):
    """Backpropagate ``grad_outputs`` from ``outputs``: into the leaves' ``.grad`` when
    ``accumulate`` (``Tensor.backward``), and/or returned for ``inputs`` (``autograd.grad``).
    With ``create_graph`` the gradients are tensors and the backward itself is recorded."""
    buffers = _seed(outputs, grad_outputs)  # node -> one gradient slot per output of the node
    order = _topological_order(list(buffers))
    targets = _Targets(inputs, order) if inputs is not None else None
    with _backward_mode(create_graph):
        for node in order:
            grads = buffers.pop(node, None)
            if grads is None or (targets is not None and node not in targets.needed):
                continue
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads)
            if targets is not None:
                targets.capture(node, grads)
            if type(node) is AccumulateGrad:
                if accumulate and (targets is None or targets.accumulates(node)):
                    _accumulate_leaf(node.variable, grads)
                continue
            if node._retained:
                _retain_grads(node, grads)
            if targets is not None and node not in targets.runs:
                continue  # an input of autograd.grad with no other input below it
            if node._versions or node.saved is RELEASED:
                node._check_versions()  # raises: graph already freed, or a saved tensor changed
            in_grads = _call_backward(node, grads, create_graph)
            if in_grads is None:
                continue  # no gradient arrived at any output
            if node._hooks or _anomaly.enabled:
                _after_backward(node, in_grads, grads)
            if not retain_graph:
                node._release()
            _pass_down(node, in_grads, buffers)
            del in_grads  # a leaf may then keep a gradient without copying it (_is_fresh)
    return targets.captured if targets is not None else None


# -- 1. seed and 2. order -----------------------------------------------------------------


def _seed(outputs, grad_outputs) -> dict:
    """The first gradient buffers: each output's node, with its gradient in its output slot."""
    buffers: dict[Node, list] = {}
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if t.grad_fn is not None:
            node, nr = t.grad_fn, t._output_nr
        elif t._requires_grad:
            node, nr = accumulator_for(t), 0
        else:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
                f"\n[glasstorch] This tensor (shape {list(t.shape)}, value "
                f"{_short(t)}) is not connected to any parameter. The graph was cut before "
                "this tensor: it was made under "
                "no_grad(), from .detach() or .item(), or by wrapping a result in tensor(...); "
                "or no parameter has requires_grad=True."
            )
        buf = buffers.setdefault(node, [None] * node._n_outputs)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    return buffers


def _short(t) -> str:
    a = t._data
    return np.array2string(a.ravel()[:3], precision=4) if a.size > 1 else f"{a.item():.4g}"


def _topological_order(roots: list[Node]) -> list[Node]:
    """The nodes reachable from ``roots`` in an order where every node comes after all the
    nodes that feed it a gradient (Kahn's algorithm over dependency counts)."""
    deps: dict[Node, int] = dict.fromkeys(roots, 0)
    stack = list(roots)
    while stack:  # count, for every node, the edges that point at it
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    ready = [r for r in roots if deps[r] == 0]
    order = []
    while ready:  # a node is ready once every edge into it has been walked
        node = ready.pop()
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] -= 1
                if deps[nxt] == 0:
                    ready.append(nxt)
    return order


class _backward_mode:
    """Backward computations are not recorded, unless ``create_graph`` asks for exactly that
    (then NumPy calls inside backward formulas run as recorded tensor ops, see
    glasstorch/_numpy_protocol.py). (A class, not @contextmanager: it runs on every backward,
    and a generator-based context costs a few microseconds more per small training step.)"""

    def __init__(self, create_graph: bool) -> None:
        self.create_graph, self.recording = create_graph, None

    def __enter__(self) -> None:
        self.prev, _state.enabled = _state.enabled, self.create_graph
        if self.create_graph:
            from .. import _numpy_protocol

            self.recording = _numpy_protocol.recording()
            self.recording.__enter__()

    def __exit__(self, *exc) -> None:
        if self.recording is not None:
            self.recording.__exit__(*exc)
        _state.enabled = self.prev


# -- 3. call backward and pass the gradients down -----------------------------------------


def _call_backward(node: Node, grads: list, create_graph: bool):
    """``node.backward`` on its output gradients (zeros for outputs no gradient reached)."""
    if node._n_outputs == 1:
        if grads[0] is None:
            return None
    elif all(g is None for g in grads):
        return None
    else:
        grads = [np.zeros(shape, dt) if g is None else g
                 for g, (shape, dt) in zip(grads, node._out_meta)]
    if create_graph:
        return node._graph_backward(grads)
    return node.backward(*grads)


def _pass_down(node: Node, in_grads, buffers: dict) -> None:
    """Give each input's node its gradient, reduced to that input's shape and dtype."""
    for (nxt, nr), g, meta in zip(node.next_functions, in_grads, node._in_meta):
        if nxt is None or g is None:
            continue
        if type(g) is not np.ndarray or g.shape != meta[0] or g.dtype != meta[1]:
            g = _fit(g, *meta)  # (checked here first: most gradients already fit)
        buf = buffers.get(nxt)
        if buf is None:
            buf = buffers[nxt] = [None] * nxt._n_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g


def _fit(g, shape: tuple, dtype: np.dtype):
    """A gradient at the input's shape (undoing broadcasting) and dtype."""
    if type(g) is not np.ndarray:
        if hasattr(g, "_data"):  # a tensor (create_graph)
            return _fit_tensor(g, shape, dtype)
        g = np.asarray(g)  # a NumPy scalar or a Python number
    if g.shape != shape:
        g = sum_to(g, shape)
        if g.shape != shape:  # a size-1 input broadcast from nothing: ()
            g = g.reshape(shape)
    return g if g.dtype == dtype else g.astype(dtype)


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if lead:
        grad = grad.reshape(grad.shape[lead:])
    return grad


def _fit_tensor(g, shape: tuple, dtype: np.dtype):
    """:func:`_fit` for a gradient that is a tensor (create_graph): the same reduction, as
    recorded tensor operations."""
    if g._data.shape != shape:
        lead = g.ndim - len(shape)
        dims = list(range(lead)) + [i + lead for i, n in enumerate(shape)
                                    if n == 1 and g._data.shape[i + lead] != 1]
        if dims:
            g = g.sum(dims, keepdim=True)
        if lead or g._data.shape != shape:  # (as PyTorch's sum_to: a view drops the lead)
            g = g.reshape(shape)
    if g._data.dtype == dtype:
        return g
    from .._dtype import from_numpy_dtype

    return g.to(from_numpy_dtype(dtype))


# -- 4. the leaves -----------------------------------------------------------------------


def _accumulate_leaf(tensor, grads: list) -> None:
    """Add the gradient arriving at a leaf into its ``.grad``."""
    from .._tensor import Tensor

    g = grads[0]
    grads[0] = None  # the list no longer holds it (see _is_fresh)
    if g is None:
        return
    if type(g) is not np.ndarray and not hasattr(g, "_data"):
        g = np.asarray(g)  # a NumPy scalar
    if type(g) is not np.ndarray:  # a tensor: create_graph keeps .grad in the graph
        g = _fit_tensor(g, tuple(tensor._data.shape), tensor._data.dtype)
        if tensor.grad is None:  # a new tensor copied from g, as PyTorch does (CopyBackwards)
            tensor.grad = Tensor._make(np.zeros_like(g._data)).copy_(g)
        else:
            tensor.grad = tensor.grad + g
        return
    if g.dtype != tensor._data.dtype:
        g = g.astype(tensor._data.dtype)
    if tensor.grad is None:
        tensor.grad = Tensor._make(g if _is_fresh(g, 3) else g.copy())
        return
    existing = tensor.grad._data
    if existing.shape == g.shape:
        np.add(existing, g, out=existing, casting="unsafe")
        tensor.grad._vc[0] += 1
    else:
        tensor.grad = Tensor._make(existing + g)


def _is_fresh(grad: np.ndarray, refs: int) -> bool:
    """True when nothing but the engine holds ``grad``, so a leaf may keep it without a copy
    (``refs``: the references the caller itself holds, counted as sys.getrefcount does).

    A row-major view of a whole array that nothing else holds counts too: that is how a
    Linear layer's weight gradient arrives (computed transposed, then transposed back)."""
    if not grad.flags.writeable or sys.getrefcount(grad) > refs:
        return False
    base = grad.base
    if base is None:
        return True
    # references to base: grad's, the local name, getrefcount's argument
    return (grad.flags.c_contiguous and type(base) is np.ndarray and base.base is None
            and base.size == grad.size and sys.getrefcount(base) <= 3)


# -- the features beside the loop --------------------------------------------------------


def _run_pre_hooks(node: Node, grads: list) -> list:
    """Tensor hooks and node pre-hooks: each may replace the gradients before the node runs."""
    for hook in node._pre_hooks:
        res = hook(grads)
        if res is not None:
            grads = list(res)
    return grads


def _after_backward(node: Node, in_grads, grads) -> None:
    """Anomaly mode's nan check, then the node's post-hooks."""
    if _anomaly.enabled and _anomaly.check_nan:
        check_backward_output(node, in_grads)
    if node._hooks:
        for hook in node._hooks:
            hook(in_grads, grads)


def _retain_grads(node: Node, grads: list) -> None:
    """Non-leaf tensors that called ``retain_grad()`` keep the gradient reaching them."""
    for nr, ref in node._retained.items():
        t = ref()
        if t is not None and grads[nr] is not None:
            if type(grads[nr]) is np.ndarray:
                _accumulate_leaf(t, [grads[nr].copy()])
            else:
                _accumulate_leaf(t, [grads[nr]])


class _Targets:
    """``inputs=``: run only the nodes on a path to one of ``inputs``, and catch the
    gradients that reach them (``autograd.grad`` returns these)."""

    def __init__(self, inputs, order: list[Node]) -> None:
        self.slots: dict[tuple, list[int]] = {}  # (node, output slot) -> positions in inputs
        for k, t in enumerate(inputs):
            if t.grad_fn is not None:
                self.slots.setdefault((t.grad_fn, t._output_nr), []).append(k)
            elif t._requires_grad:
                self.slots.setdefault((accumulator_for(t), 0), []).append(k)
            else:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
        ends = {node for node, _ in self.slots}
        self.needed: set[Node] = set()  # the nodes a gradient must reach
        self.runs: set[Node] = set()    # the nodes whose backward must run: they lead to one
        for node in reversed(order):  # a node is needed if it ends a path or leads to one
            if any(n in self.needed for n, _ in node.next_functions if n is not None):
                self.runs.add(node)
                self.needed.add(node)
            elif node in ends:
                self.needed.add(node)
        self.captured: list = [None] * len(inputs)

    def capture(self, node: Node, grads: list) -> None:
        for nr, g in enumerate(grads):
            for k in self.slots.get((node, nr), ()):
                self.captured[k] = g

    def accumulates(self, node: Node) -> bool:
        return (node, 0) in self.slots
