"""glasstorch.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader.

Every test builds the same inputs for both libraries (``lib`` is ``torch`` or ``glasstorch``)
and compares what comes out: values, dtypes, container types and exception types/messages.
glasstorch's random streams are bit-identical to PyTorch's, so shuffle orders, random_split
indices and the global generator's state after an epoch are compared exactly too.
Worker processes are tested in test_dataloader_workers.py.
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict, namedtuple
from functools import partial

import harness
import numpy as np
import pytest
import torch
import torch.utils.data as tud
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch
import glasstorch.utils.data as gud
from glasstorch.utils.data import _utils as g_utils
from glasstorch.utils.data.sampler import _draw_seed

LIBS = {"torch": (torch, tud), "glasstorch": (glasstorch, gud)}
Point = namedtuple("Point", ["x", "y"])


# ----------------------------------------------------------------------------- helpers
# every scenario is fn(lib, data) with data = lib.utils.data; data is compared exactly
DATA = lambda lib: (lib, lib.utils.data)  # noqa: E731
same = partial(harness.same, lead=DATA, rtol=0, atol=0)
same_error = partial(harness.same_error, lead=DATA)
assert_same = partial(harness.assert_same, rtol=0, atol=0)


def batches(loader) -> list:
    return list(loader)


def tensors_from(lib, arrays):
    return [lib.from_numpy(np.array(a, copy=True)) for a in arrays]


class MapDS:
    """A plain map-style dataset (no base class) with mixed sample types."""

    def __init__(self, lib, n: int = 10) -> None:
        self.lib = lib
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        lib = self.lib
        return {
            "x": lib.arange(3, dtype=lib.float32) + i,
            "y": i,
            "w": float(i) / 2,
            "name": f"s{i}",
            "p": Point(np.int32(i), np.full((2,), i, dtype=np.float64)),
            "pair": (i, [i, -i]),
        }


def make_iterable(data, n: int):
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n

    return Stream()


# ----------------------------------------------------------------------------- collate
COLLATE_CASES = {
    "tensor_f32": lambda lib: [lib.ones(2, 3) * i for i in range(4)],
    "tensor_i64_0d": lambda lib: [lib.tensor(i) for i in range(3)],
    "tensor_bool": lambda lib: [lib.tensor([True, False]) for _ in range(2)],
    "ndarray_f32": lambda lib: [np.full((2, 2), i, dtype=np.float32) for i in range(3)],
    "ndarray_i32": lambda lib: [np.arange(3, dtype=np.int32) + i for i in range(3)],
    "np_scalar_f32": lambda lib: [np.float32(i) for i in range(3)],
    "np_scalar_i16": lambda lib: [np.int16(i) for i in range(3)],
    "np_scalar_mixed": lambda lib: [np.float32(1), np.float64(2)],
    "np_bool": lambda lib: [np.bool_(True), np.bool_(False)],
    "float": lambda lib: [0.5, 1.5, 2.0],
    "int": lambda lib: [1, 2, 3],
    "int_then_float": lambda lib: [1, 2.5],
    "bool": lambda lib: [True, False, True],
    "str": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"b"],
    "dict": lambda lib: [{"a": i, "b": float(i)} for i in range(3)],
    "ordered_dict": lambda lib: [OrderedDict(b=i, a=[i, i]) for i in range(2)],
    "namedtuple": lambda lib: [Point(i, float(i)) for i in range(3)],
    "tuple": lambda lib: [(lib.zeros(2), i) for i in range(3)],
    "list": lambda lib: [[i, float(i)] for i in range(3)],
    "nested": lambda lib: [{"a": (i, {"b": [np.float64(i)]})} for i in range(2)],
}


@pytest.mark.parametrize("case", sorted(COLLATE_CASES))
def test_default_collate_matches_torch(case):
    same(lambda lib, data: data.default_collate(COLLATE_CASES[case](lib)))


@pytest.mark.parametrize("case", sorted(COLLATE_CASES))
def test_default_convert_matches_torch(case):
    same(lambda lib, data: [data.default_convert(s) for s in COLLATE_CASES[case](lib)])


def test_default_convert_numpy_string_array_left_alone():
    same(lambda lib, data: data.default_convert(np.array(["a", "b"])))


@given(
    shape=st.lists(st.integers(0, 3), min_size=0, max_size=3),
    n=st.integers(1, 5),
    dtype=st.sampled_from(["float32", "float64", "int64", "int32", "uint8", "bool"]),
)
@settings(max_examples=40, deadline=None)
def test_collate_tensors_any_shape_dtype(shape, n, dtype):
    rng = np.random.default_rng(0)
    arrays = [(rng.standard_normal(shape) * 3).astype(dtype) for _ in range(n)]
    same(lambda lib, data: data.default_collate(tensors_from(lib, arrays)))
    same(lambda lib, data: data.default_collate(arrays))


def test_collate_unequal_sequences_error():
    ge = same_error(lambda lib, data: data.default_collate([[1, 2], [3]]), RuntimeError)
    assert "[glasstorch] sample 0 of the batch has length 2 but sample 1 has length 1" in str(ge)


def test_collate_unsupported_type_error():
    same_error(lambda lib, data: data.default_collate([object(), object()]), TypeError)
    same_error(
        lambda lib, data: data.default_collate([np.array(["a"]), np.array(["b"])]), TypeError
    )


def test_collate_mismatched_tensor_shapes_error():
    same_error(lambda lib, data: data.default_collate([lib.zeros(2), lib.zeros(3)]))


def test_collate_keeps_grad():
    g = glasstorch.ones(3, requires_grad=True)
    out = gud.default_collate([g, g * 2])
    t = torch.ones(3, requires_grad=True)
    ref = tud.default_collate([t, t * 2])
    assert out.requires_grad == ref.requires_grad
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__


def test_collate_fn_map_is_extensible():
    class Custom:
        pass

    def collate_custom(batch, *, collate_fn_map=None):
        return len(batch)

    for data in (tud, gud):
        fmap = {**data._utils.collate.default_collate_fn_map, Custom: collate_custom}
        out = data._utils.collate.collate([(Custom(), 1)] * 3, collate_fn_map=fmap)
        assert out[0] == 3


# ----------------------------------------------------------------------------- datasets
def test_tensor_dataset_items_and_len():
    def run(lib, data):
        ds = data.TensorDataset(lib.arange(12).reshape(6, 2), lib.arange(6) * 1.5)
        return [len(ds), ds[0], ds[5], ds[-1], ds[1:3]]

    same(run)


def test_tensor_dataset_size_mismatch():
    ge = same_error(
        lambda lib, data: data.TensorDataset(lib.zeros(5, 2), lib.zeros(4)), AssertionError
    )
    assert "[glasstorch]" in str(ge) and "5, 4" in str(ge)


def test_dataset_add_and_concat():
    def run(lib, data):
        a = data.TensorDataset(lib.arange(3))
        b = data.TensorDataset(lib.arange(10, 14))
        c = a + b
        return [type(c).__name__, len(c), c.cumulative_sizes, [c[i] for i in range(-7, 7)]]

    same(run)


def test_concat_dataset_errors():
    same_error(lambda lib, data: data.ConcatDataset([]), AssertionError)
    same_error(
        lambda lib, data: data.ConcatDataset([data.TensorDataset(lib.zeros(2))])[-3], ValueError
    )
    same_error(
        lambda lib, data: data.ConcatDataset([make_iterable(data, 3)]), AssertionError
    )


def test_iterable_add_is_chain():
    def run(lib, data):
        c = make_iterable(data, 3) + make_iterable(data, 2)
        return [type(c).__name__, list(c), len(c)]

    same(run)


def test_chain_dataset_rejects_map_style():
    same_error(
        lambda lib, data: list(data.ChainDataset([data.TensorDataset(lib.zeros(2))])),
        AssertionError,
    )


def test_subset_and_stack_dataset():
    def run(lib, data):
        base = data.TensorDataset(lib.arange(10) * 2)
        sub = data.Subset(base, [9, 0, 4])
        stack = data.StackDataset(a=base, b=base)
        return [len(sub), sub[0], sub[2], sub.__getitems__([1, 2]), stack[3], len(stack)]

    same(run)


def test_stack_dataset_errors():
    same_error(lambda lib, data: data.StackDataset(), ValueError)
    same_error(
        lambda lib, data: data.StackDataset(
            data.TensorDataset(lib.zeros(2)), data.TensorDataset(lib.zeros(3))
        ),
        ValueError,
    )


def test_dataset_base_errors():
    same_error(lambda lib, data: data.Dataset()[0], NotImplementedError)
    same_error(lambda lib, data: len(data.Dataset()), TypeError)
    same_error(lambda lib, data: data.IterableDataset(), TypeError)
    same_error(lambda lib, data: type("S", (data.IterableDataset,), {})(), TypeError)


@given(
    n=st.integers(1, 60),
    fracs=st.lists(st.integers(1, 20), min_size=1, max_size=5),
)
@settings(max_examples=60, deadline=None)
def test_random_split_sizes_fractions(n, fracs):
    total = sum(fracs)
    lengths = [f / total for f in fracs]
    if not (abs(sum(lengths) - 1) < 1e-9 and sum(lengths) <= 1):
        return

    def run(lib, data):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts = data.random_split(range(n), lengths, generator=lib.Generator().manual_seed(0))
        return [len(p) for p in parts], [str(w.message) for w in caught]

    same(run)


def test_random_split_integer_lengths_and_union():
    parts = gud.random_split(range(20), [5, 15], generator=glasstorch.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [5, 15]
    assert sorted(itertools.chain(parts[0].indices, parts[1].indices)) == list(range(20))
    assert all(isinstance(i, int) for i in parts[0].indices)


def test_random_split_errors():
    same_error(lambda lib, data: data.random_split(range(10), [3, 3]), ValueError)
    same_error(lambda lib, data: data.random_split(range(10), [1.5, -0.5]), ValueError)


def test_random_split_same_indices_as_torch():
    def run(lib, data):
        parts = data.random_split(range(30), [0.5, 0.3, 0.2],
                                  generator=lib.Generator().manual_seed(42))
        lib.manual_seed(7)
        default = data.random_split(range(30), [10, 20])
        return [p.indices for p in parts] + [p.indices for p in default]

    same(run)


# ----------------------------------------------------------------------------- samplers
def test_sequential_and_batch_sampler():
    def run(lib, data):
        out = []
        for bs, drop in itertools.product([1, 3, 4, 10, 11], [False, True]):
            bsamp = data.BatchSampler(data.SequentialSampler(range(10)), bs, drop)
            out.append((list(bsamp), len(bsamp)))
            plain = data.BatchSampler(range(10), bs, drop)  # any iterable of indices
            out.append((list(plain), len(plain)))
        return out

    same(run)


@pytest.mark.parametrize(
    "args",
    [(0, False), (-1, False), (2.0, False), (True, False), (2, 1), (2, None)],
)
def test_batch_sampler_validation(args):
    same_error(lambda lib, data: data.BatchSampler(range(5), *args), ValueError)


def test_random_sampler_validation_and_len():
    same_error(lambda lib, data: data.RandomSampler(range(5), replacement=1), TypeError)
    same_error(lambda lib, data: data.RandomSampler(range(5), num_samples=0), ValueError)
    same_error(lambda lib, data: data.RandomSampler([], num_samples=None), ValueError)
    same(lambda lib, data: [len(data.RandomSampler(range(7))),
              len(data.RandomSampler(range(7), True, 20))])


def test_random_sampler_permutation_properties():
    for replacement, num in [(False, None), (False, 23), (False, 4), (True, 70), (True, 5)]:
        s = gud.RandomSampler(range(10), replacement, num,
                              generator=glasstorch.Generator().manual_seed(3))
        first, second = list(s), list(s)
        assert len(first) == len(s) and all(isinstance(i, int) for i in first)
        assert all(0 <= i < 10 for i in first)
        if not replacement and num is None:
            assert sorted(first) == list(range(10)) and first != second


@pytest.mark.parametrize("replacement,num", [(False, None), (False, 25), (True, 70), (True, 7)])
def test_random_sampler_same_order_as_torch(replacement, num):
    def run(lib, data):
        g = lib.Generator().manual_seed(5)
        s = data.RandomSampler(range(11), replacement, num, generator=g)
        lib.manual_seed(9)
        s2 = data.RandomSampler(range(11), replacement, num)
        return [list(s), list(s), list(s2), list(s2)]

    same(run)


def test_weighted_random_sampler_validation_and_len():
    same_error(lambda lib, data: data.WeightedRandomSampler([1.0, 2.0], 0), ValueError)
    same_error(lambda lib, data: data.WeightedRandomSampler([1.0, 2.0], True), ValueError)
    same_error(lambda lib, data: data.WeightedRandomSampler([1.0, 2.0], 2, replacement=1),
               ValueError)
    same_error(lambda lib, data: data.WeightedRandomSampler([[1.0, 2.0]], 2), ValueError)
    s = gud.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 50)
    drawn = list(s)
    assert len(s) == 50 and set(drawn) <= {1, 3}


@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_random_sampler_same_draws_as_torch(replacement):
    def run(lib, data):
        weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
        s = data.WeightedRandomSampler(weights, 5, replacement,
                                       generator=lib.Generator().manual_seed(2))
        lib.manual_seed(8)
        s2 = data.WeightedRandomSampler(weights, 4, replacement)
        return [list(s), list(s), list(s2), list(s2)]

    same(run)


def test_subset_random_sampler():
    s = gud.SubsetRandomSampler([5, 7, 9], generator=glasstorch.Generator().manual_seed(0))
    assert sorted(s) == [5, 7, 9] and len(s) == 3


def _reference_batches(sampler, batch_size, drop_last):
    """PyTorch's BatchSampler loop, index by index, over glasstorch's sampler."""
    it = iter(sampler)
    if drop_last:
        yield from (list(b) for b in zip(*[it] * batch_size))
        return
    while batch := list(itertools.islice(it, batch_size)):
        yield batch


@given(
    n=st.integers(1, 40),
    bs=st.integers(1, 12),
    drop=st.booleans(),
    replacement=st.booleans(),
    num=st.one_of(st.none(), st.integers(1, 90)),
    stop_after=st.integers(0, 12),
)
@settings(max_examples=80, deadline=None)
def test_fast_batches_draw_like_index_by_index(n, bs, drop, replacement, num, stop_after):
    """The NumPy-sliced batches give the same indices AND leave the generators in the same
    state, even when iteration stops early (so the draws happen at the same moments)."""
    states = []
    outs = []
    for fast in (True, False):
        gen = glasstorch.Generator().manual_seed(11)
        glasstorch.manual_seed(12)
        explicit = gud.RandomSampler(range(n), replacement, num, generator=gen)
        implicit = gud.RandomSampler(range(n), replacement, num)
        got = []
        for sampler in (explicit, implicit):
            bsamp = gud.BatchSampler(sampler, bs, drop)
            source = bsamp._index_batches() if fast else _reference_batches(sampler, bs, drop)
            for batch in itertools.islice(source, stop_after):
                got.append([int(i) for i in batch])
        outs.append(got)
        states.append((_draw_seed(gen), _draw_seed(None)))
    assert outs[0] == outs[1]
    assert states[0] == states[1]


# ----------------------------------------------------------------------------- DataLoader
def _tensor_data(lib, n=23):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 3)).astype(np.float32)
    y = rng.integers(0, 5, n)
    return lib.from_numpy(x), lib.from_numpy(y)


@pytest.mark.parametrize("bs", [1, 4, 23, 30])
@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_tensor_dataset(bs, drop_last):
    def run(lib, data):
        loader = data.DataLoader(data.TensorDataset(*_tensor_data(lib)), batch_size=bs,
                                 drop_last=drop_last)
        return [len(loader), batches(loader)]

    same(run)


def test_loader_fast_path_equals_slow_path():
    x, y = _tensor_data(glasstorch, 50)
    ds = gud.TensorDataset(x, y)
    sub = gud.random_split(ds, [0.7, 0.3], generator=glasstorch.Generator().manual_seed(0))[0]
    nested = gud.Subset(sub, list(range(len(sub) - 1, -1, -2)))
    arr = np.arange(100, dtype=np.float64).reshape(50, 2)
    for dataset in (ds, sub, nested, x, y, arr, arr[:, 0], arr.astype(np.int32)):
        for bs, drop in [(1, False), (8, False), (8, True), (64, False)]:
            fast = gud.DataLoader(dataset, batch_size=bs, drop_last=drop)
            slow = gud.DataLoader(dataset, batch_size=bs, drop_last=drop,
                                  collate_fn=lambda b: gud.default_collate(b))
            fb, sb = batches(fast), batches(slow)
            assert len(fb) == len(sb)
            for a, b in zip(fb, sb):
                assert_same(a, b)


def test_fast_path_really_batches_whole_index_arrays():
    calls = []

    class Spy(gud.TensorDataset):  # a subclass: not eligible for the fast path
        def __getitem__(self, i):
            calls.append(i)
            return super().__getitem__(i)

    class Described(gud.TensorDataset):  # only adds attributes: still fast
        feature_names = ["a", "b", "c"]

    x, y = _tensor_data(glasstorch, 10)
    list(gud.DataLoader(Spy(x, y), batch_size=5))
    assert len(calls) == 10
    assert gud._utils.fetch.tensor_dataset_batch(gud.Subset(Described(x, y), [3]), [0])
    fast = gud.DataLoader(gud.Subset(Described(x, y), [3, 1, 2]), batch_size=2)
    assert_same(batches(fast), batches(gud.DataLoader(gud.TensorDataset(x[[3, 1, 2]],
                                                                        y[[3, 1, 2]]),
                                                      batch_size=2)))
    batch = gud._utils.fetch.tensor_dataset_batch(gud.TensorDataset(x, y), np.array([3, 1]))
    assert isinstance(batch, list) and batch[0].shape == (2, 3)


def test_loader_mixed_samples_and_custom_collate():
    def run(lib, data):
        ds = MapDS(lib, 7)
        out = [batches(data.DataLoader(ds, batch_size=3))]
        out.append(batches(data.DataLoader(ds, batch_size=None)))
        out.append(batches(data.DataLoader(ds, batch_size=2, collate_fn=lambda b: len(b))))
        return out

    same(run)


def test_loader_sampler_and_batch_sampler():
    def run(lib, data):
        ds = data.TensorDataset(lib.arange(10) * 3)
        out = [batches(data.DataLoader(ds, sampler=[9, 2, 4, 4], batch_size=3))]
        bsamp = [[1, 2], [9], [0, 0, 3]]
        loader = data.DataLoader(ds, batch_sampler=bsamp)
        out.append(batches(loader))
        out.append(len(loader))
        out.append(batches(data.DataLoader(ds, sampler=[3, 1], batch_size=None)))
        return out

    same(run)


def test_loader_iterable_dataset():
    def run(lib, data):
        out = []
        for bs, drop in [(3, False), (3, True), (None, False), (10, False)]:
            loader = data.DataLoader(make_iterable(data, 8), batch_size=bs, drop_last=drop)
            out.append([len(loader), batches(loader)])
        return out

    same(run)


def test_loader_iterable_longer_than_len_warns():
    class Liar(gud.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2

    loader = gud.DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


VALIDATION_CASES = {
    "negative_workers": dict(num_workers=-1),
    "negative_timeout": dict(timeout=-1),
    "prefetch_without_workers": dict(prefetch_factor=2),
    "negative_prefetch": dict(num_workers=1, prefetch_factor=-1),
    "persistent_without_workers": dict(persistent_workers=True),
    "sampler_and_shuffle": dict(sampler=[0, 1], shuffle=True),
    "batch_sampler_and_batch_size": dict(batch_sampler=[[0]], batch_size=2),
    "batch_sampler_and_shuffle": dict(batch_sampler=[[0]], shuffle=True),
    "batch_sampler_and_sampler": dict(batch_sampler=[[0]], sampler=[0]),
    "batch_sampler_and_drop_last": dict(batch_sampler=[[0]], drop_last=True),
    "no_batching_and_drop_last": dict(batch_size=None, drop_last=True),
    "context_without_workers": dict(multiprocessing_context="fork"),
    "bad_context_name": dict(num_workers=1, multiprocessing_context="teleport"),
    "bad_context_type": dict(num_workers=1, multiprocessing_context=3),
    "bad_batch_size": dict(batch_size=0),
}


@pytest.mark.parametrize("case", sorted(VALIDATION_CASES))
def test_loader_validation_errors(case):
    kwargs = VALIDATION_CASES[case]
    same_error(lambda lib, data: data.DataLoader(data.TensorDataset(lib.zeros(4)), **kwargs))


def test_loader_timeout_without_workers_fails_at_iter():
    ge = same_error(
        lambda lib, data: iter(data.DataLoader(data.TensorDataset(lib.zeros(4)), timeout=2)),
        AssertionError,
    )
    assert "[glasstorch]" in str(ge)


@pytest.mark.parametrize(
    "kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])]
)
def test_loader_iterable_validation_errors(kwargs):
    same_error(lambda lib, data: data.DataLoader(make_iterable(data, 3), **kwargs), ValueError)


@pytest.mark.parametrize(
    "attr", ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
             "persistent_workers"]
)
def test_loader_attributes_frozen_after_init(attr):
    def run(lib, data):
        loader = data.DataLoader(data.TensorDataset(lib.zeros(4)))
        setattr(loader, attr, None)

    same_error(run, ValueError)


def test_loader_other_attributes_and_defaults():
    def run(lib, data):
        loader = data.DataLoader(data.TensorDataset(lib.zeros(4)), batch_size=2)
        loader.num_workers = 0  # allowed
        return [loader.batch_size, loader.drop_last, loader.num_workers, loader.timeout,
                loader.prefetch_factor, loader.pin_memory, loader.persistent_workers,
                type(loader.sampler).__name__, type(loader.batch_sampler).__name__,
                loader.collate_fn.__name__, loader.generator, loader.multiprocessing_context,
                len(loader)]

    same(run)
    loader = gud.DataLoader(gud.TensorDataset(glasstorch.zeros(4)), num_workers=2)
    assert loader.prefetch_factor == 2


def test_pin_memory_is_accepted_with_torch_warning():
    def run(lib, data):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = batches(data.DataLoader(data.TensorDataset(lib.arange(4)), batch_size=2,
                                          pin_memory=True))
        return out, sorted({str(w.message) for w in caught if "pin" in str(w.message)})

    same(run)


def test_shuffle_gives_fresh_permutations():
    x, y = _tensor_data(glasstorch, 20)
    loader = gud.DataLoader(gud.TensorDataset(x, y), batch_size=6, shuffle=True)
    glasstorch.manual_seed(0)
    epochs = [np.concatenate([b[1].numpy() for b in loader]) for _ in range(3)]
    glasstorch.manual_seed(0)
    again = [np.concatenate([b[1].numpy() for b in loader]) for _ in range(3)]
    for e, a in zip(epochs, again):
        np.testing.assert_array_equal(e, a)
        assert sorted(e.tolist()) == sorted(y.numpy().tolist())
    assert any(not np.array_equal(epochs[0], e) for e in epochs[1:])
    gen_orders = []
    for _ in range(2):
        loader = gud.DataLoader(gud.TensorDataset(x, y), batch_size=6, shuffle=True,
                                generator=glasstorch.Generator().manual_seed(4))
        gen_orders.append(np.concatenate([b[1].numpy() for b in loader]))
    np.testing.assert_array_equal(*gen_orders)


def test_every_iter_draws_one_seed_from_the_global_generator():
    """iter(loader) draws base_seed (one int64) even with 0 workers; a shuffling loader
    draws one more int64 for the sampler's epoch seed at the first batch."""
    ds = gud.TensorDataset(glasstorch.arange(10))
    glasstorch.manual_seed(3)
    iter(gud.DataLoader(ds))
    after_plain = glasstorch.rand(2).numpy()
    glasstorch.manual_seed(3)
    _draw_seed(None)
    np.testing.assert_array_equal(after_plain, glasstorch.rand(2).numpy())

    glasstorch.manual_seed(3)
    list(gud.DataLoader(ds, shuffle=True, batch_size=3))
    after_shuffle = glasstorch.rand(2).numpy()
    glasstorch.manual_seed(3)
    _draw_seed(None)
    _draw_seed(None)
    np.testing.assert_array_equal(after_shuffle, glasstorch.rand(2).numpy())

    gen = glasstorch.Generator().manual_seed(1)
    glasstorch.manual_seed(3)
    list(gud.DataLoader(ds, shuffle=True, batch_size=3, generator=gen))
    with_generator = glasstorch.rand(2).numpy()  # the global stream was not touched
    np.testing.assert_array_equal(with_generator, _rand_after_manual_seed(3))


def _rand_after_manual_seed(seed):
    glasstorch.manual_seed(seed)
    return glasstorch.rand(2).numpy()


def test_shuffle_order_same_as_torch():
    def run(lib, data):
        x, y = _tensor_data(lib, 37)
        lib.manual_seed(0)
        loader = data.DataLoader(data.TensorDataset(x, y), batch_size=8, shuffle=True)
        out = [batches(loader) for _ in range(2)]
        g = lib.Generator().manual_seed(123)
        loader = data.DataLoader(data.TensorDataset(x, y), batch_size=8, shuffle=True,
                                 generator=g)
        out += [batches(loader) for _ in range(2)]
        out.append(lib.rand(3))  # the global stream advanced identically
        return out

    same(run)


@given(
    n=st.integers(1, 50),
    bs=st.one_of(st.none(), st.integers(1, 16)),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32),
    use_generator=st.booleans(),
    sampler_kind=st.sampled_from(["shuffle", "replacement", "num_samples", "subset"]),
)
@settings(max_examples=60, deadline=None)
def test_random_loading_same_as_torch(n, bs, drop_last, seed, use_generator, sampler_kind):
    """Same seed, same batches, same global generator state afterwards."""

    def run(lib, data):
        lib.manual_seed(seed)
        gen = lib.Generator().manual_seed(seed + 1) if use_generator else None
        ds = data.TensorDataset(lib.arange(n) * 10, lib.arange(n).float())
        if sampler_kind == "shuffle":
            kwargs = dict(shuffle=True, generator=gen)
        elif sampler_kind == "replacement":
            kwargs = dict(sampler=data.RandomSampler(ds, True, n + 3, generator=gen))
        elif sampler_kind == "num_samples":
            kwargs = dict(sampler=data.RandomSampler(ds, False, 2 * n + 1, generator=gen))
        else:
            kwargs = dict(sampler=data.SubsetRandomSampler(list(range(0, n, 2)), gen))
        loader = data.DataLoader(ds, batch_size=bs, drop_last=drop_last and bs is not None,
                                 **kwargs)
        out = [batches(loader) for _ in range(2)]
        return out + [lib.rand(2)]

    same(run)


def test_get_worker_info_is_none_in_main_process():
    assert gud.get_worker_info() is None


def test_exception_wrapper_message_and_type():
    def wrapped(exc):
        try:
            raise exc
        except Exception:
            return g_utils.ExceptionWrapper(where="in DataLoader worker process 3")

    with pytest.raises(ValueError) as info:
        wrapped(ValueError("bad sample")).reraise()
    msg = str(info.value)
    assert msg.startswith(
        "Caught ValueError in DataLoader worker process 3.\n"
        "Original Traceback (most recent call last):\n"
    )
    assert msg.rstrip().endswith("ValueError: bad sample")
    with pytest.raises(KeyError) as info:
        wrapped(KeyError("k")).reraise()
    assert repr(info.value.args[0]).startswith("Caught KeyError")

    class TwoArgs(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)

    with pytest.raises(RuntimeError, match="Caught TwoArgs"):
        wrapped(TwoArgs(1, 2)).reraise()


@pytest.mark.parametrize(
    "name",
    ["DataLoader", "RandomSampler", "BatchSampler", "WeightedRandomSampler",
     "SubsetRandomSampler", "SequentialSampler", "TensorDataset", "Subset", "ConcatDataset"],
)
def test_signatures_match_torch(name):
    import inspect

    def params(obj):
        return [(p.name, p.kind, p.default if p.default is inspect.Parameter.empty
                 or isinstance(p.default, (int, float, str, type(None))) else "object")
                for p in inspect.signature(obj).parameters.values()]

    assert params(getattr(gud, name)) == params(getattr(tud, name))


def test_public_names_match_torch():
    wanted = {n for n in tud.__all__ if "DataPipe" not in n and n not in {
        "DataChunk", "DistributedSampler", "argument_validation", "functional_datapipe",
        "guaranteed_datapipes_determinism", "non_deterministic", "runtime_validation",
        "runtime_validation_disabled"}}
    assert wanted <= set(gud.__all__)
    for name in wanted:
        assert hasattr(gud, name)
