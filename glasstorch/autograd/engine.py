"""The backward engine: walk the recorded graph from the outputs back to the leaves.

1. Discover every node reachable from the outputs and count, for each, how many edges point
   at it (an explicit stack, never recursion, so a 10,000-op chain is fine).
2. Run the nodes in topological order: a node runs once all of its consumers have handed it
   their gradients, which are summed first (a reused tensor gets the sum of all its uses).
3. Each gradient is reduced to the shape and dtype of the input it belongs to (the one
   broadcast-reduction rule, :func:`sum_to`), then passed down the edge.
4. At the leaves, gradients are added into ``.grad``; saved arrays are freed unless
   ``retain_graph``.
"""

from __future__ import annotations

import sys

import numpy as np

from .anomaly_mode import _anomaly, check_backward_output
from .function import RELEASED, AccumulateGrad, Node
from .grad_mode import _state

__all__ = ["run_backward", "sum_to"]


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


def _graph(roots: list[Node]) -> list[Node]:
    """The nodes reachable from ``roots`` in an order where every node comes after all the
    nodes that feed it a gradient (Kahn's algorithm over dependency counts)."""
    deps: dict[Node, int] = {}
    stack = []
    for r in roots:
        if r not in deps:
            deps[r] = 0
            stack.append(r)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    ready = [r for r in dict.fromkeys(roots) if deps[r] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                ready.append(nxt)
    return order


def _accumulate_into(tensor, grad: np.ndarray, owned: bool) -> None:
    """Add ``grad`` into ``tensor.grad`` (in place when a gradient is already there)."""
    from .._tensor import Tensor

    if tensor.grad is None:
        tensor.grad = Tensor._make(grad if owned else grad.copy())
    else:
        existing = tensor.grad._data
        if existing.shape == grad.shape:
            np.add(existing, grad, out=existing, casting="unsafe")
            tensor.grad._vc[0] += 1
        else:
            tensor.grad = Tensor._make(existing + grad)


def _short(t) -> str:
    a = t._data
    return np.array2string(a.ravel()[:3], precision=4) if a.size > 1 else f"{a.item():.4g}"


def _is_fresh(grad: np.ndarray, refs: int) -> bool:
    """True when nothing but the engine holds ``grad`` (so a leaf may keep it without a copy).

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


def run_backward(outputs, grad_outputs, retain_graph: bool = False, inputs=None,
                 accumulate: bool = True):
    """Backpropagate ``grad_outputs`` (arrays) from ``outputs`` (tensors).

    With ``accumulate`` the leaves' ``.grad`` are updated (``Tensor.backward``); otherwise the
    gradients reaching ``inputs`` are returned in a list (``autograd.grad``).
    """
    from .function import accumulator_for

    buffers: dict[Node, list] = {}
    roots = []
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
        roots.append(node)
        buf = buffers.setdefault(node, [None] * node._n_outputs)
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    order = _graph(roots)

    # With ``inputs``, only the nodes on a path to one of them need to run.
    captured = None
    targets: dict = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            if t.grad_fn is not None:
                targets.setdefault((t.grad_fn, t._output_nr), []).append(k)
            elif t._requires_grad:
                targets.setdefault((accumulator_for(t), 0), []).append(k)
            else:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
        needed = set()
        for node in reversed(order):
            if any(key[0] is node for key in targets) or any(
                n in needed for n, _ in node.next_functions if n is not None
            ):
                needed.add(node)
        order = [n for n in order if n in needed]
        captured = [None] * len(inputs)

    prev = _state.enabled
    _state.enabled = False  # backward computations are not themselves recorded
    check_nan = _anomaly.enabled and _anomaly.check_nan
    try:
        in_grads = None
        for node in order:
            in_grads = None  # drop the previous node's references (see _is_fresh)
            grads = buffers.pop(node, None)
            if grads is None:
                continue
            if node._pre_hooks:
                for hook in node._pre_hooks:
                    res = hook(grads)
                    if res is not None:
                        grads = list(res)
            if targets:
                for nr, g in enumerate(grads):
                    for k in targets.get((node, nr), ()):
                        captured[k] = g
            if type(node) is AccumulateGrad:
                if accumulate and (inputs is None or (node, 0) in targets):
                    g = grads[0]
                    grads[0] = None
                    var = node.variable
                    if g is not None:
                        if g.dtype != var._data.dtype:
                            g = g.astype(var._data.dtype)
                        owned = _is_fresh(g, 3)  # before the call: its arguments hold refs
                        _accumulate_into(var, g, owned)
                continue
            if node._retained:
                for nr, ref in node._retained.items():
                    t = ref()
                    if t is not None and grads[nr] is not None:
                        _accumulate_into(t, grads[nr], False)
            if node._versions or node.saved is RELEASED:
                node._check_versions()  # raises: freed graph, or a saved tensor changed
            if node._n_outputs == 1:
                if grads[0] is None:
                    continue
                in_grads = node.backward(grads[0])
            else:
                if all(g is None for g in grads):
                    continue
                grads = [
                    np.zeros(m[0], m[1]) if g is None else g
                    for g, m in zip(grads, node._out_meta)
                ]
                in_grads = node.backward(*grads)
            if check_nan:
                check_backward_output(node, in_grads)
            if node._hooks:
                for hook in node._hooks:
                    hook(in_grads, grads)
            if not retain_graph:
                node._release()
            for (nxt, nr), g, meta in zip(node.next_functions, in_grads, node._in_meta):
                if nxt is None or g is None:
                    continue
                if not isinstance(g, np.ndarray):
                    g = np.asarray(g)
                shape, dt = meta
                if g.shape != shape:
                    g = sum_to(g, shape)
                    if g.shape != shape:  # a size-1 input broadcast from nothing: ()
                        g = g.reshape(shape)
                if g.dtype != dt:
                    g = g.astype(dt)
                buf = buffers.get(nxt)
                if buf is None:
                    buf = buffers[nxt] = [None] * nxt._n_outputs
                buf[nr] = g if buf[nr] is None else buf[nr] + g
    finally:
        _state.enabled = prev
    return captured
