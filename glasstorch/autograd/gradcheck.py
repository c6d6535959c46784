"""Check analytical gradients against finite differences (float64 inputs)."""

from __future__ import annotations

import numpy as np

from .._warnings import warn

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised when the analytical and numerical Jacobians disagree."""


def _flat_outputs(out):
    from .._tensor import Tensor

    if isinstance(out, Tensor):
        return (out,)
    return tuple(o for o in out if isinstance(o, Tensor))


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, fast_mode: bool = False, **kwargs) -> bool:
    """True if d func / d inputs by central differences matches autograd's, column by column.

    For every input element x_j: J_num[:, j] = (f(x + eps e_j) - f(x - eps e_j)) / (2 eps);
    for every output element i: J_ana[i, :] = gradient of output_i by backward. They must
    agree within ``atol + rtol * |J_num|``.
    """
    from .. import autograd
    from .._tensor import Tensor

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype.name != "float64":
            warn(
                f"Input #{i} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
            )
    outputs = _flat_outputs(func(*inputs))
    outputs = [o for o in outputs if o.requires_grad]
    n_out = sum(o.numel() for o in outputs)

    # numerical Jacobian, one column per input element
    numerical = []
    for t in diff:
        cols = np.zeros((n_out, t.numel()))
        flat = t._data.reshape(-1) if t._data.flags.c_contiguous else None
        for j in range(t.numel()):
            idx = np.unravel_index(j, t.shape) if t.ndim else ()
            orig = t._data[idx].item() if t.ndim else t._data.item()
            t._data[idx] = orig + eps
            plus = np.concatenate([o._data.reshape(-1).astype(np.float64)
                                   for o in _flat_outputs(func(*inputs))
                                   if o.requires_grad]) if n_out else np.zeros(0)
            t._data[idx] = orig - eps
            minus = np.concatenate([o._data.reshape(-1).astype(np.float64)
                                    for o in _flat_outputs(func(*inputs))
                                    if o.requires_grad]) if n_out else np.zeros(0)
            t._data[idx] = orig
            cols[:, j] = (plus - minus) / (2 * eps)
        del flat
        numerical.append(cols)

    # analytical Jacobian, one row per output element
    analytical = [np.zeros((n_out, t.numel())) for t in diff]
    row = 0
    for o in outputs:
        for i in range(o.numel()):
            g = np.zeros(o.shape, o._data.dtype)
            g.reshape(-1)[i] = 1
            grads = autograd.grad(o, diff, grad_outputs=Tensor._make(g), retain_graph=True,
                                  allow_unused=True)
            for k, gk in enumerate(grads):
                if gk is not None:
                    analytical[k][row] = gk._data.reshape(-1)
            row += 1

    for k, (a, n) in enumerate(zip(analytical, numerical)):
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            msg = (f"Jacobian mismatch for output 0 with respect to input {k},\n"
                   f"numerical:{n}\nanalytical:{a}\n")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, **kwargs) -> bool:
    """True if the second derivatives of ``func`` match finite differences.

    The first-order gradients (``autograd.grad(outputs, inputs, grad_outputs,
    create_graph=True)``) are themselves a function of the inputs and of ``grad_outputs``
    (random numbers in [-1, 1) if not given); :func:`gradcheck` checks that function: its
    Jacobian by backward (the second derivatives, through the recorded first backward) against
    central differences of the first-order gradients.
    """
    from .. import autograd
    from .._tensor import Tensor

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.uniform(-1, 1, o.shape).astype(
                o._data.dtype if o.is_floating_point() else np.float64)).requires_grad_()
            for o in _flat_outputs(func(*inputs)) if o.requires_grad)
    else:
        grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else \
            tuple(grad_outputs)
    n = len(inputs)

    def first_order(*args):
        xs, gs = args[:n], args[n:]
        outputs = [o for o in _flat_outputs(func(*xs)) if o.requires_grad]
        diff = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        grads = autograd.grad(outputs, diff, gs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
