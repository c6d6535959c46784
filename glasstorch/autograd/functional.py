"""``torch.autograd.functional``: Jacobians, Hessians and their products with a vector, for a
Python function of tensors, all made of :func:`autograd.grad` calls.

For f: inputs -> outputs with Jacobian J (and, for a scalar f, Hessian H):

- ``vjp(f, x, v)``      v^T J: one backward pass, seeded with v.
- ``jvp(f, x, v)``      J v: the *double-backward trick*. The backward pass u -> J^T u is
  linear in u; with create_graph, its result is a function of u whose own gradient, seeded
  with v, is (J^T)^T v = J v. No forward-mode AD needed, at the price of a second backward.
- ``jacobian(f, x)``    J itself: one backward per output element, each giving a row.
- ``hessian(f, x)``     the Jacobian of the gradient (the gradient is made with create_graph).
- ``vhp(f, x, v)``      v^T H: the gradient of <grad f, v>.
- ``hvp(f, x, v)``      H v: the double-backward trick on the gradient (equal to vhp for a
  twice continuously differentiable f, as H is then symmetric; PyTorch computes it this way).

Inputs and results follow PyTorch: a tensor or a tuple of tensors in, the same structure out;
``create_graph=True`` keeps the results differentiable; ``strict=True`` raises where a result
is zero only because an output does not depend on an input.
"""

from __future__ import annotations

from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# -- the pieces every function below is made of -----------------------------------------------


def _tensors(value, name: str, fn: str) -> tuple[bool, tuple]:
    """(whether ``value`` was a tuple, the tensors as a tuple); TypeError for anything else."""
    from .._tensor import Tensor

    was_tuple = isinstance(value, tuple)
    values = value if was_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"value at index {i}" if was_tuple else f"given {name}"
            raise TypeError(f"The {name} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the {where} has type {type(v)}.")
    return was_tuple, values


def _unpack(result: tuple, was_tuple: bool):
    return result if was_tuple else result[0]


def _leaves(inputs: tuple, create_graph: bool, need_graph: bool = True) -> tuple:
    """The tensors ``func`` is called with: new leaves, or (create_graph) views that keep the
    caller's graph, so the results can be differentiated with respect to the caller's tensors."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in inputs)


def _finish(results, create_graph: bool):
    """Detach the results unless the caller asked for a graph (nested tuples too)."""
    if create_graph:
        return results
    return tuple(r.detach() if hasattr(r, "detach") else _finish(r, False) for r in results)


def _check_v(v: tuple, like: tuple, like_is_tuple: bool) -> None:
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got "
                           f"{len(v)}." if like_is_tuple else
                           "The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.shape} but got "
                               f"{a.shape}.")


def _need_v(ts: tuple, v, what: str) -> None:
    if v is None and (len(ts) != 1 or ts[0].numel() != 1):
        raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with "
                           "a single element.")


_STRICT = {  # strict mode: what a tensor that does not require grad means, per stage
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
               "outputs must be computed in a differentiable manner from the input when "
               "running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of "
                   "the user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
               "independent of the input. This is not allowed in strict mode. You should "
               "ensure that your function is thrice differentiable and that the hessian "
               "depends on the inputs.",
}


def _strict(ts: tuple, kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_STRICT[kind].format(i=i))


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph: bool = False,
          retain_graph=None) -> tuple:
    """autograd.grad over the outputs that require grad (None for every input if none does)."""
    from . import grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gos = zip(*pairs)
    return grad(outs, inputs, gos, retain_graph=retain_graph, create_graph=create_graph,
                allow_unused=True)


_INDEPENDENT = {  # strict mode: what a missing (None) result means, per stage
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _zeros_for_none(grads: tuple, like: tuple, strict: bool, create_graph: bool,
                    stage: str) -> tuple:
    """A result that is None (nothing depends on that input) is a tensor of zeros."""
    from .._creation import zeros_like

    out = []
    for i, (g, ref) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        out.append(g)
    return tuple(out)


def _scalar_function(func, inputs: tuple, fn: str, strict: bool):
    """Call ``func``, which must return one tensor of one element."""
    was_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided function", fn)
    _strict(outputs, "outputs", strict)
    if was_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain "
                           "a single element")
    return outputs


# -- the functions ------------------------------------------------------------------------


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product, one backward pass."""
    with enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "vjp")
        inputs = _leaves(inputs, create_graph)
        outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided "
                                          "function", "vjp")
        _strict(outputs, "outputs", strict)
        if v is not None:
            v = _leaves(_tensors(v, "v", "vjp")[1], create_graph, need_graph=False)
            _check_v(v, outputs, outputs_tuple)
        else:
            _need_v(outputs, v, "user-provided function returns")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _zeros_for_none(_grad(outputs, inputs, v, create_graph), inputs, strict,
                              create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(res, create_graph), inputs_tuple))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    from .._creation import zeros_like

    with enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "jvp")
        inputs = _leaves(inputs, create_graph)
        if v is not None:
            v = _leaves(_tensors(v, "v", "jvp")[1], create_graph, need_graph=False)
            _check_v(v, inputs, inputs_tuple)
        else:
            _need_v(inputs, v, "input to the user-provided function is")
        outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided "
                                          "function", "jvp")
        _strict(outputs, "outputs", strict)
        # u -> J^T u, recorded: a linear function of u (the zeros are only where it is taken)
        u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        jt_u = _grad(outputs, inputs, u, create_graph=True)
        _strict(jt_u, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _zeros_for_none(_grad(jt_u, u, v, create_graph), outputs, strict, create_graph,
                              "back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(res, create_graph), outputs_tuple))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """J: for each output, a tensor of shape output.shape + input.shape per input (one
    backward pass per output element). ``vectorize`` and ``strategy="forward-mode"`` give the
    same numbers here, computed the same way."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-'
                'mode"` are not supported together (yet). Please either set `strict=False` '
                'or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-"
                                      "reverse Hessian isonly implemented for "
                                      "`vectorize=True`.")
    from .._ops.shape.functions import stack

    with enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "jacobian")
        inputs = _leaves(inputs, create_graph)
        outputs_tuple, outputs = _tensors(func(*inputs), "outputs of the user-provided "
                                          "function", "jacobian")
        _strict(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either "
                               "set `strict=False` or `vectorize=False`.")
        jac = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # per input, one gradient per element of out
            flat = out.reshape(-1)
            for j in range(out.numel()):
                for k, (g, x) in enumerate(zip(_grad((flat[j],), inputs, retain_graph=True,
                                                     create_graph=create_graph), inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {k}. This is not "
                                               "allowed in strict mode.")
                        g = x.new_zeros(x.shape)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed "
                                           "in strict mode when create_graph=True.")
                    rows[k].append(g)
            jac.append(tuple(stack(r).view(out.shape + x.shape) if r else
                             x.new_zeros(out.shape + x.shape) for r, x in zip(rows, inputs)))
        jac = _finish(tuple(jac), create_graph)
    return _unpack(tuple(_unpack(row, inputs_tuple) for row in jac), outputs_tuple)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """H: the Jacobian of the gradient of a function with one output element (a tensor per
    pair of inputs, of shape input_i.shape + input_j.shape)."""
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    inputs_tuple, inputs = _tensors(inputs, "inputs", "hessian")

    def scalar(*xs):
        out = _scalar_function(func, xs, "hessian", strict)[0]
        return out.squeeze()

    def gradient(*xs):
        if outer_jacobian_strategy == "forward-mode":
            xs = tuple(x.requires_grad_(True) for x in xs)
        jac = jacobian(scalar, xs, create_graph=True)
        _strict(jac if isinstance(jac, tuple) else (jac,), "jacobian", strict)
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(tuple(_unpack(row, inputs_tuple) for row in res), inputs_tuple)


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H): the gradient of <grad func, v>."""
    with enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "vhp")
        inputs = _leaves(inputs, create_graph)
        if v is not None:
            v = _leaves(_tensors(v, "v", "vhp")[1], create_graph, need_graph=False)
            _check_v(v, inputs, inputs_tuple)
        else:
            _need_v(inputs, v, "input to the user-provided function is")
        outputs = _scalar_function(func, inputs, "vhp", strict)
        jac = _grad(outputs, inputs, create_graph=True)
        _strict(jac, "jacobian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _zeros_for_none(_grad(jac, inputs, v, create_graph), inputs, strict,
                              create_graph, "double_back")
    return (_finish(outputs, create_graph)[0],
            _unpack(_finish(res, create_graph), inputs_tuple))


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v): the double-backward trick on the gradient (u -> H u is the
    gradient of <grad func, u>, linear in u; its gradient in u, seeded with v, is H^T v)."""
    from .._creation import zeros_like

    with enable_grad():
        inputs_tuple, inputs = _tensors(inputs, "inputs", "hvp")
        inputs = _leaves(inputs, create_graph)
        if v is not None:
            v = _leaves(_tensors(v, "v", "hvp")[1], create_graph, need_graph=False)
            _check_v(v, inputs, inputs_tuple)
        else:
            _need_v(inputs, v, "input to the user-provided function is")
        outputs = _scalar_function(func, inputs, "hvp", strict)
        jac = _grad(outputs, inputs, create_graph=True)
        _strict(jac, "jacobian", strict)
        u = tuple(zeros_like(x, requires_grad=True) for x in inputs)
        h_u = _grad(jac, inputs, u, create_graph=True)
        _strict(jac, "hessian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        res = _zeros_for_none(_grad(h_u, u, v, create_graph), inputs, strict, create_graph,
                              "double_back_trick")
    return (_finish(outputs, create_graph)[0],
            _unpack(_finish(res, create_graph), inputs_tuple))
