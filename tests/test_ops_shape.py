"""Shape ops against torch: values, gradients, view semantics, strides and errors."""

from __future__ import annotations

import numpy as np
import pytest
from harness import ALL_DTYPES, SETTINGS, array, check, lay, layouts, seeds, shapes
from hypothesis import assume, given
from hypothesis import strategies as st

# functions of (lib, x) that apply to any shape
ANY_SHAPE = {
    "reshape_flat": lambda L, x: x.reshape(-1),
    "reshape_tuple": lambda L, x: x.reshape((x.numel(),)),
    "view_flat": lambda L, x: x.contiguous().view(-1),
    "flatten": lambda L, x: x.flatten(),
    "flatten_fn": lambda L, x: L.flatten(x, start_dim=min(1, max(x.ndim - 1, 0))),
    "ravel": lambda L, x: x.ravel(),
    "unsqueeze0": lambda L, x: x.unsqueeze(0),
    "unsqueeze_last": lambda L, x: L.unsqueeze(x, -1),
    "squeeze": lambda L, x: x.squeeze(),
    "squeeze0": lambda L, x: x.squeeze(0) if x.ndim else x.squeeze(),
    "squeeze_tuple": lambda L, x: x.squeeze(tuple(range(x.ndim))),
    "permute_rev": lambda L, x: x.permute(*range(x.ndim - 1, -1, -1)),
    "permute_fn": lambda L, x: L.permute(x, tuple(range(x.ndim))[::-1]),
    "transpose": lambda L, x: x.transpose(0, -1) if x.ndim else x.transpose(0, 0),
    "swapaxes": lambda L, x: L.swapaxes(x, 0, -1) if x.ndim else x,
    "movedim": lambda L, x: x.movedim(0, -1) if x.ndim else x,
    "contiguous": lambda L, x: x.contiguous(),
    "expand": lambda L, x: x.unsqueeze(0).expand(2, *x.shape),
    "expand_neg": lambda L, x: x.expand(*([-1] * x.ndim)),
    "broadcast_to": lambda L, x: L.broadcast_to(x, (3, *x.shape)),
    "expand_as": lambda L, x: x.expand_as(L.zeros(2, *x.shape)),
    "repeat": lambda L, x: x.repeat(2, *([1] * x.ndim)),
    "repeat_more": lambda L, x: x.repeat(*([2] * (x.ndim + 1))),
    "tile": lambda L, x: x.tile((2,)),
    "flip": lambda L, x: x.flip(list(range(x.ndim))),
    "flip0": lambda L, x: L.flip(x, (0,)) if x.ndim else x,
    "roll": lambda L, x: x.roll(1, 0) if x.ndim else x.roll(1),
    "roll_flat": lambda L, x: L.roll(x, 2),
    "cat_self": lambda L, x: L.cat([x, x * 2], dim=0) if x.ndim else L.stack([x, x]),
    "cat_last": lambda L, x: L.cat((x, x), -1) if x.ndim else x,
    "stack0": lambda L, x: L.stack([x, x + 1]),
    "stack_last": lambda L, x: L.stack([x, x + 1], dim=-1),
    "hstack": lambda L, x: L.hstack([x, x]),
    "vstack": lambda L, x: L.vstack([x, x]),
    "unbind": lambda L, x: x.unbind(0) if x.ndim else (x,),
    "split": lambda L, x: x.split(2) if x.ndim else (x,),
    "split_sizes": lambda L, x: L.split(x, [1, x.shape[0] - 1]) if x.ndim and x.shape[0] else x,
    "chunk": lambda L, x: x.chunk(2) if x.ndim else (x,),
    "narrow": lambda L, x: x.narrow(0, 0, min(2, x.shape[0])) if x.ndim else x,
    "unflatten": lambda L, x: x.flatten().unflatten(0, (1, -1)),
    "repeat_interleave": lambda L, x: x.repeat_interleave(2),
    "repeat_interleave_dim": lambda L, x: x.repeat_interleave(2, dim=0) if x.ndim else x,
    "t": lambda L, x: x.t() if x.ndim <= 2 else x,
    "T": lambda L, x: x.T if x.ndim == 2 else x,
    "mT": lambda L, x: x.mT if x.ndim >= 2 else x,
    "view_as": lambda L, x: x.contiguous().view(-1).view_as(x),
    "reshape_as": lambda L, x: x.reshape(-1).reshape_as(x),
    "atleast_2d": lambda L, x: L.atleast_2d(x),
    # strides of size-1 dims carry no meaning (torch.tensor keeps NumPy's there)
    "size_stride": lambda L, x: (x.shape, x.size(), x.dim(), x.numel(), x.is_contiguous(),
                                 [s for s, n in zip(x.contiguous().stride(), x.shape) if n > 1]),
}


@pytest.mark.parametrize("name", sorted(ANY_SHAPE))
@SETTINGS
@given(shape=shapes(), dtype=st.sampled_from(ALL_DTYPES), layout=layouts, seed=seeds)
def test_shape_op(name, shape, dtype, layout, seed):
    check(ANY_SHAPE[name], lay(array(shape, dtype, seed), layout), seed=seed)


@SETTINGS
@given(shape=shapes(min_dims=1, min_side=1), seed=seeds, data=st.data())
def test_reshape_to_drawn_shape(shape, seed, data):
    """reshape/view to any factorisation of the size (with one -1)."""
    n = int(np.prod(shape))
    dims = []
    rest = n
    for _ in range(data.draw(st.integers(0, 3))):
        d = data.draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
        dims.append(d)
        rest //= d
    dims.append(rest)
    if data.draw(st.booleans()):
        dims[data.draw(st.integers(0, len(dims) - 1))] = -1
    check(lambda L, x: (x.reshape(dims), x.view(dims), x.view(*dims)), array(shape, seed=seed))


@SETTINGS
@given(shape=shapes(min_dims=2), seed=seeds)
def test_view_after_transpose(shape, seed):
    """view() on a non-contiguous tensor: torch's error when strides do not allow it, else the
    same view; reshape copies only when needed (then shares no memory)."""

    def f(L, x):
        y = x.transpose(0, 1)
        r = y.reshape(-1)
        shares = r.data_ptr() == y.data_ptr() if y.numel() else None
        return y.is_contiguous(), y.stride(), shares, y.view(-1)

    check(f, array(shape, seed=seed))


def test_view_errors():
    check(lambda L, x: x.t().view(6), array((2, 3)), message=True)
    check(lambda L, x: x.permute(1, 0).view(-1), array((2, 3)))
    check(lambda L, x: x.view(-1, 784), array((10, 100)), message=True)
    check(lambda L, x: x.view(-1, -1), array((2, 3)))
    check(lambda L, x: x.reshape(4), array((2, 3)))
    check(lambda L, x: x.expand(3, 4), array((2, 3)))
    check(lambda L, x: x.permute(0, 0), array((2, 3)))
    check(lambda L, x: x.permute(0), array((2, 3)))
    check(lambda L, x: x.transpose(0, 2), array((2, 3)))
    check(lambda L, x: x.squeeze(2), array((2, 3)))
    check(lambda L, x: x.unsqueeze(3), array((2, 3)))
    check(lambda L, x: x.t(), array((2, 3, 4)))
    check(lambda L, x, y: L.stack([x, y]), array((5,)), array((1,)), message=True)
    check(lambda L, x, y: L.cat([x, y]), array((2, 3)), array((2, 4)))
    check(lambda L, x, y: L.cat([x, y], 1), array((2, 3)), array((3,)))
    check(lambda L: L.cat([]))
    check(lambda L, x: x.flatten(2, 1), array((2, 3, 4)))
    check(lambda L, x: x.repeat(2), array((2, 3)))
    check(lambda L, x: x.narrow(0, 1, 5), array((3,)))
    check(lambda L, x: x.chunk(0), array((3,)))


def test_cat_dtypes_and_empty():
    """cat promotes dtypes; legacy empty 1-d tensors are skipped."""
    check(lambda L, x, y, e: (L.cat([x, y]), L.cat([x, e.detach()]), L.cat([e, y, e])),
          array((2, 3), "int64"), array((1, 3), "float32"), array((0,)))
    check(lambda L, x, y: L.stack([x, y]), array((3,), "int32"), array((3,), "float64"))


# -- views write through ---------------------------------------------------------------------

VIEWS = {
    "slice": lambda x: x[1:],
    "step": lambda x: x[::2],
    "int": lambda x: x[0],
    "view": lambda x: x.view(-1),
    "reshape": lambda x: x.reshape(-1),
    "t": lambda x: x.t(),
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "expand": lambda x: x[:, :1].expand(3, 4),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "flatten": lambda x: x.flatten(),
    "unbind": lambda x: x.unbind(1)[2],
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(2, 1)[1],
    "detach": lambda x: x.detach(),
    "data": lambda x: x.data,
    "diagonal_like": lambda x: x[1, 1:3],
    "ellipsis": lambda x: x[..., 1],
    "none": lambda x: x[None, 1],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_writes_through_views(name):
    """Writing into a view changes the base and writing into the base changes the view; the
    version counter is shared; _base/_is_view agree with torch."""
    view = VIEWS[name]

    def f(L, a):
        x = a.clone()
        v = view(x)
        v0 = v.clone()
        v.mul_(10)  # an expanded view refuses (elements share memory), as in torch
        x.add_(1)
        return x, v, v0, x._version == v._version, v.is_contiguous()

    check(f, array((3, 4)), requires_grad=False)


def test_views_share_memory_with_numpy():
    """from_numpy and numpy() share memory both ways."""

    def f(L, a):
        n = a.numpy().copy()
        t = L.from_numpy(n)
        n[0, 0] = 100
        t[1, 1] = -5
        back = t.numpy()
        back[0, 1] = 42
        return t, L.from_numpy(n[:, ::2]), np.shares_memory(back, n)

    check(f, array((2, 3)), requires_grad=False)


def test_view_gradients():
    """Gradients through in-place writes to views flow back to the base."""

    def f(L, a, b):
        x = a * 1
        x[0].mul_(b[0])
        x.t()[1].add_(b)
        y = x.view(-1)
        y[2:4] = b[:2] * 3
        return x, y

    check(f, array((3, 3)), array((3,), seed=1))


@SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), seed=seeds, data=st.data())
def test_chunk_split_gradients(shape, seed, data):
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, 4))
    assume(shape[d] > 0)
    check(lambda L, x: (x.chunk(k, d), x.split(k, d), x.unbind(d)), array(shape, seed=seed))
