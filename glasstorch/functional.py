"""``torch.functional``'s room: ``einsum`` and ``cdist`` (also ``torch.einsum``, ``torch.cdist``).

einsum is built from the ops a learner already knows, in PyTorch's order, so the graph it
records is PyTorch's: each operand is aligned to one common list of dims (``diagonal`` for a
repeated label, ``unsqueeze`` for a missing one, ``permute``), then the operands are multiplied
pairwise from the left, each pair as one ``bmm`` between reshapes (``sum`` for a dim only one
operand still has, ``mul`` when nothing is summed). Its nodes are those ops' nodes.
"""

from __future__ import annotations

import math

import numpy as np

from ._ops.linalg import _checks
from ._ops.linalg.nodes import CdistBackward0, EuclideanDistBackward0
from ._tensor import Tensor, apply

__all__ = ["einsum", "cdist"]

_ELLIPSIS = _checks.ELLIPSIS


def einsum(*args) -> Tensor:
    """Sum of products over the labels an ``equation`` like ``"ij,jk->ik"`` names."""
    equation, operands = _einsum_args(args)
    op_labels, out_labels, ell_dims = _checks.einsum(equation, operands)
    # the common dims: the output's first (in its order), then the summed ones (label order)
    where: dict[int, int] = {}
    n = 0
    for s in out_labels:
        where[s] = n
        n += ell_dims if s == _ELLIPSIS else 1
    n_out = n
    if _ELLIPSIS not in where:
        where[_ELLIPSIS], n = n, n + ell_dims
    for s in sorted({s for labels in op_labels for s in labels} - set(where)):
        where[s], n = n, n + 1

    ops, counts = [], [0] * n  # counts: how many operands are not of size 1 at each dim
    for t, labels in zip(operands, op_labels):
        perm, dim = [-1] * n, 0
        for s in labels:
            if s == _ELLIPSIS:
                covered = t.ndim - (len(labels) - 1)
                for j in range(where[s] + ell_dims - covered, where[s] + ell_dims):
                    counts[j] += t.shape[dim] != 1
                    perm[j], dim = dim, dim + 1
            elif perm[where[s]] == -1:
                counts[where[s]] += t.shape[dim] != 1
                perm[where[s]], dim = dim, dim + 1
            else:  # a repeated label: keep the diagonal, where the label was first seen
                t = t.diagonal(0, perm[where[s]], dim).movedim(-1, perm[where[s]])
        for j in range(n):
            if perm[j] == -1:
                t = t.unsqueeze(dim)
                perm[j], dim = dim, dim + 1
        ops.append(t.permute(perm))

    while len(ops) > 1:  # multiply the first two, until one is left
        a, b = ops.pop(0), ops.pop(0)
        both, a_only, b_only = [], [], []
        for d in range(n_out, n):
            if a.shape[d] != 1 and b.shape[d] != 1:
                counts[d] -= 1
                if counts[d] == 1:  # no other operand has this dim: sum it now
                    both.append(d)
                    counts[d] = 0
            elif counts[d] == 1:
                if a.shape[d] != 1:
                    a_only.append(d)
                    counts[d] = 0
                elif b.shape[d] != 1:
                    b_only.append(d)
                    counts[d] = 0
        if a_only:
            a = a.sum(a_only, keepdim=True)
        if b_only:
            b = b.sum(b_only, keepdim=True)
        ops.insert(0, _sum_of_products(a, b, both))
    result = ops[0]
    if n > n_out:
        if len(operands) > 1:  # the summed dims are 1 by now
            return result.view(result.shape[:n_out])
        return result.sum(list(range(n_out, n)))
    return result


def _sum_of_products(left: Tensor, right: Tensor, dims: list) -> Tensor:
    """(left * right).sum(dims, keepdim=True) as one bmm: dims in both (batch), in left only,
    summed, in right only."""
    if not dims:
        return left * right
    lro, lo, ro = [], [], []
    for i in range(left.ndim):
        in_l, in_r = left.shape[i] != 1, right.shape[i] != 1
        if i in dims:
            if in_l and not in_r:
                left = left.sum(i, keepdim=True)
            elif in_r and not in_l:
                right = right.sum(i, keepdim=True)
        elif in_l and in_r:
            lro.append(i)
        elif in_l:
            lo.append(i)
        else:
            ro.append(i)
    if lo and ro and ro[-1] < lo[0]:  # right's dims come first in the output: bmm(right, left)
        left, right, lo, ro = right, left, ro, lo  # gives that order without a copy
    size = [math.prod(left.shape[d] for d in ds) for ds in (lro, lo, dims)]
    ro_size = math.prod(right.shape[d] for d in ro)
    order = lro + lo + dims + ro
    out_shape = [left.shape[d] for d in lro + lo] + [1] * len(dims) + \
        [right.shape[d] for d in ro]
    left = left.permute(order).reshape(size[0], size[1], size[2])
    right = right.permute(lro + dims + ro + lo).reshape(size[0], size[2], ro_size)
    back = [order.index(i) for i in range(len(order))]
    return left.bmm(right).view(out_shape).permute(back)


def _einsum_args(args) -> tuple[str, list]:
    """(equation, operands) from ``einsum(eq, *ops)``, ``einsum(eq, [ops])`` or the sublist
    form ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])``."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    if isinstance(args[0], Tensor):
        def letters(sub) -> str:
            return "".join(_sublist_letter(s) for s in sub)

        equation = ",".join(letters(sub) for sub in args[1::2])
        if len(args) % 2 == 1:
            return equation + "->" + letters(args[-1]), list(args[:-1:2])
        return equation, list(args[::2])
    operands = list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    return args[0], operands


def _sublist_letter(s) -> str:
    if s is Ellipsis:
        return "..."
    if not 0 <= s < 52:
        raise ValueError("einsum(): subscript in subscript list is not within the valid range "
                         "[0, 52)")
    return chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distances between each row of x1 and each row of x2 (batched)."""
    mode = _checks.cdist(x1, x2, p, compute_mode)
    r1, r2 = x1.shape[-2], x2.shape[-2]
    use_mm = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if use_mm and x1.numel() and x2.numel() and x1.shape[-1]:
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b: one matrix product, faster for many points
        # (PyTorch switches above 25 rows), slightly less exact
        out = apply(EuclideanDistBackward0, x1, x2)
        return out.view(np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]) + (r1, r2))
    return apply(CdistBackward0, x1, x2, p=float(p))
