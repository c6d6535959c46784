"""Check analytical gradients against finite differences (float64 inputs)."""

from __future__ import annotations

import numpy as np

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
    for t in diff:
        if t.dtype.name != "float64":
            import warnings

            warnings.warn(
                f"Input #{inputs.index(t)} requires gradient and is not a double precision "
                "floating point. This check will likely fail if all the inputs are not of double "
                "precision floating point. ",
                UserWarning,
                stacklevel=2,
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


def gradgradcheck(func, inputs, grad_outputs=None, **kwargs) -> bool:
    raise NotImplementedError(
        "gradgradcheck needs gradients of gradients (create_graph=True), which glasstorch does "
        "not support."
    )
