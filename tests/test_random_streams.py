"""Differential tests: glasstorch._random against torch's CPU generator, bit for bit.

Every comparison is exact (assert_array_equal on values and dtype). The arithmetic allows
that everywhere tested here: the uniform and integer recipes are exact; the float32 normal
recipe's polynomials are replayed operation by operation (with fused multiply-adds); the
float64 recipes call the same C library (glibc) through Python's math module.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from harness import assert_same, same_error
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from glasstorch import _random as R

SEEDS = [0, 1, 42, 2**31 - 1, 2**32 + 5, 2**63 + 11, 67280421310721]
DTYPES = [(np.float32, torch.float32), (np.float64, torch.float64)]


def tg(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def gg(seed: int) -> R.Generator:
    return R.Generator().manual_seed(seed)


def same_draws(ours: np.ndarray, theirs: torch.Tensor) -> None:
    """glasstorch's draws (a contiguous array) are torch's, bit for bit."""
    assert ours.flags["C_CONTIGUOUS"]
    assert_same(ours, theirs.numpy(), rtol=0, atol=0)


# bernoulli_(float p), and so Dropout, follows PyTorch's portable kernel (R.BERNOULLI_MKL is
# False by default); these tests check that PyTorch 2.13 takes it on this machine's CPU too.


# -- engine and state ---------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_words_match_reference_twist_and_torch(seed):
    g = gg(seed)
    words = g._random32(1500)
    assert_array_equal(words, R.mt19937_words(seed, 1500))
    # torch's random_() on int64 is (hi << 32 | lo) % 2**63 of two successive words
    t = torch.empty(700, dtype=torch.int64).random_(generator=tg(seed)).numpy()
    assert_array_equal(((words[0:1400:2] << np.uint64(32)) | words[1:1400:2])
                       % np.uint64(2**63), t.astype(np.uint64))


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_state_bytes_match_torch_along_a_stream(seed):
    g, t = gg(seed), tg(seed)
    assert_array_equal(g.get_state(), t.get_state().numpy())
    steps = [lambda gen, tor: (R.rand((5,), np.float32, gen), torch.rand(5, generator=tor)),
             lambda gen, tor: (R.randn((3,), np.float64, gen),
                               torch.randn(3, dtype=torch.float64, generator=tor)),
             lambda gen, tor: (R.randn((700,), np.float32, gen), torch.randn(700, generator=tor)),
             lambda gen, tor: (R.rand((619,), np.float32, gen), torch.rand(619, generator=tor))]
    for step in steps:
        ours, theirs = step(g, t)
        same_draws(ours, theirs)
        assert_array_equal(g.get_state(), t.get_state().numpy())
    assert g.initial_seed() == t.initial_seed()


def test_set_state_crosses_both_ways():
    t = tg(3)
    torch.randn(5, generator=t)  # leaves a cached normal in the state
    g = R.Generator().set_state(t.get_state().numpy())
    same_draws(R.randn((4,), np.float32, g), torch.randn(4, generator=t))
    same_draws(R.rand((1000,), np.float64, g), torch.rand(1000, dtype=torch.float64, generator=t))
    t2 = torch.Generator()
    t2.set_state(torch.from_numpy(g.get_state()))
    g2 = R.Generator().set_state(g.get_state().tobytes())
    same_draws(R.randn((9,), np.float64, g), torch.randn(9, dtype=torch.float64, generator=t2))
    same_draws(R.randn((9,), np.float64, g2), torch.randn(9, dtype=torch.float64, generator=t))


def test_generator_api():
    g = R.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert g.manual_seed(5) is g
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2**64
    assert str(g.device) == "cpu"
    from glasstorch._device import device

    assert str(R.Generator(device("cpu")).device) == "cpu"
    assert str(R.Generator("cpu:0").device) == "cpu"
    with pytest.raises(RuntimeError):
        R.Generator("cuda")
    assert R.manual_seed(-1).initial_seed() == torch.Generator().manual_seed(-1).initial_seed()
    with pytest.raises(RuntimeError):
        R.Generator().manual_seed(2**64)
    with pytest.raises(RuntimeError):
        R.Generator().set_state(np.zeros(10, np.uint8))


def test_default_generator_follows_manual_seed():
    assert R.manual_seed(123) is R.default_generator
    torch.manual_seed(123)
    same_draws(R.rand((3, 4)), torch.rand(3, 4))
    same_draws(R.randn((2,)), torch.randn(2))
    assert R.draw_seed() == int(torch.empty((), dtype=torch.int64).random_().item())
    assert_array_equal(R.get_rng_state(), torch.get_rng_state().numpy())
    state = R.get_rng_state()
    a = R.rand((10,))
    R.set_rng_state(state)
    assert_array_equal(R.rand((10,)), a)
    assert R.initial_seed() == 123


# -- uniform ------------------------------------------------------------------------------
@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-0.3, 0.7), (-1 / 3, 2 / 7), (1e-3, 5.5),
                                    (-0.0625, 0.0625), (-100.1, 3.0)])
def test_uniform(np_dt, t_dt, bounds):
    for seed in SEEDS[:4]:
        same_draws(R.uniform((37, 3), *bounds, np_dt, gg(seed)),
             torch.empty(37, 3, dtype=t_dt).uniform_(*bounds, generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt", [*DTYPES, (np.float16, torch.float16)])
@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-2.0, 5.0), (100.0, 100.1), (0.5, 0.5000001)])
def test_uniform_never_reaches_high(np_dt, t_dt, bounds):
    # values that round up to `high` become `low` (most visible with a narrow range)
    for seed in SEEDS[:3]:
        same_draws(R.uniform((500,), *bounds, np_dt, gg(seed)),
             torch.empty(500, dtype=t_dt).uniform_(*bounds, generator=tg(seed)))


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(0, 6), max_size=4), seed=st.integers(0, 2**64 - 1))
def test_rand_shapes(shape, seed):
    for np_dt, t_dt in DTYPES:
        same_draws(R.rand(tuple(shape), np_dt, gg(seed)),
             torch.rand(shape, dtype=t_dt, generator=tg(seed)))


# -- normal -------------------------------------------------------------------------------
# Sizes 1..40 cross the scalar/vector switch at 16 and the partial-last-block rule at every
# non-multiple of 16; the large sizes exercise many blocks and a ragged end.
@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_randn_every_size_to_40_and_large(np_dt, t_dt):
    for n in [*range(0, 41), 255, 256, 257, 1000, 10001]:
        for seed in SEEDS[:3]:
            same_draws(R.randn((n,), np_dt, gg(seed)),
                       torch.randn(n, dtype=t_dt, generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
@pytest.mark.parametrize("mean,std", [(0.5, 0.02), (-1.3, 3.7), (0.0, 0.0), (2.0, 1e-3)])
def test_normal_mean_std(np_dt, t_dt, mean, std):
    for n in [1, 7, 15, 16, 17, 33, 3000]:
        for seed in SEEDS[:3]:
            same_draws(R.normal((n,), mean, std, np_dt, gg(seed)),
                 torch.empty(n, dtype=t_dt).normal_(mean, std, generator=tg(seed)))


def test_randn_large_float32_many_seeds():
    for seed in range(8):
        same_draws(R.randn((100_003,), np.float32, gg(seed)),
                   torch.randn(100_003, generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_normal_tensor_forms(np_dt, t_dt):
    rng = np.random.default_rng(0)
    for shape in [(3,), (4, 5), (40,)]:
        mean = rng.standard_normal(shape).astype(np_dt)
        std = rng.random(shape).astype(np_dt) + np_dt(0.1)
        tm, ts = torch.from_numpy(mean), torch.from_numpy(std)
        same_draws(R.normal(None, mean, std, np_dt, gg(1)), torch.normal(tm, ts, generator=tg(1)))
        same_draws(R.normal(None, mean, 2.5, np_dt, gg(2)), torch.normal(tm, 2.5, generator=tg(2)))
        same_draws(R.normal(None, 0.5, std, np_dt, gg(3)), torch.normal(0.5, ts, generator=tg(3)))


def test_successive_calls_share_one_stream():
    """The scalar path's cached second normal survives other draws, as in PyTorch."""
    g, t = gg(11), tg(11)
    for n in [3, 1, 20, 5, 2, 17, 1, 1, 16, 9]:
        for np_dt, t_dt in DTYPES:
            same_draws(R.randn((n,), np_dt, g), torch.randn(n, dtype=t_dt, generator=t))
        same_draws(R.rand((n,), np.float32, g), torch.rand(n, generator=t))
        same_draws(R.randint(0, 10, (n,), np.int64, g), torch.randint(0, 10, (n,), generator=t))
        same_draws(R.randperm(n, np.int64, g), torch.randperm(n, generator=t))


# -- integers -----------------------------------------------------------------------------
INT_DTYPES = [(np.int64, torch.int64), (np.int32, torch.int32), (np.int16, torch.int16),
              (np.uint8, torch.uint8), (np.float32, torch.float32),
              (np.float64, torch.float64)]


@pytest.mark.parametrize("np_dt,t_dt", INT_DTYPES)
def test_randint(np_dt, t_dt):
    ranges = [(0, 2), (0, 10), (3, 4), (0, 200)]
    if np_dt != np.uint8:
        ranges += [(-5, 5), (-100, 100)]
    if np_dt in (np.int64, np.int32, np.float32, np.float64):
        # around the 2**28 switch from 32-bit to 64-bit draws
        ranges += [(0, 2**28 - 1), (0, 2**28), (0, 2**28 + 1), (-2**30, 2**30)]
    if np_dt in (np.int64, np.float32, np.float64):
        ranges += [(0, 2**32), (0, 2**40), (-2**62, 2**62), (-2**40, 3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about float ranges beyond 2**24
        for lo, hi in ranges:
            for seed in SEEDS[:3]:
                same_draws(R.randint(lo, hi, (6, 7), np_dt, gg(seed)),
                     torch.randint(lo, hi, (6, 7), dtype=t_dt, generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt,lo,hi", [(np.uint8, torch.uint8, -1, 5),
                                              (np.uint8, torch.uint8, 0, 257),
                                              (np.int8, torch.int8, -129, 0),
                                              (np.int32, torch.int32, 0, 2**31 + 1),
                                              (np.int64, torch.int64, 5, 5)])
def test_randint_errors(np_dt, t_dt, lo, hi):
    with pytest.raises(RuntimeError) as theirs:
        torch.randint(lo, hi, (3,), dtype=t_dt)
    with pytest.raises(RuntimeError) as ours:
        R.randint(lo, hi, (3,), np_dt)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("np_dt,t_dt", [*INT_DTYPES, (np.int8, torch.int8),
                                        (np.bool_, torch.bool)])
def test_random_(np_dt, t_dt):
    for seed in SEEDS:
        same_draws(R.random_((50,), np_dt, gg(seed)),
             torch.empty(50, dtype=t_dt).random_(generator=tg(seed)))
        assert R.draw_seed(gg(seed)) == int(
            torch.empty((), dtype=torch.int64).random_(generator=tg(seed)).item())


def test_randperm():
    for n in [0, 1, 2, 3, 5, 16, 100, 1000, 60000]:
        for seed in SEEDS[:3]:
            same_draws(R.randperm(n, np.int64, gg(seed)), torch.randperm(n, generator=tg(seed)))
    same_draws(R.randperm(10, np.float32, gg(4)),
         torch.randperm(10, dtype=torch.float32, generator=tg(4)))


def test_random_sampler_and_random_split_streams():
    # RandomSampler: seed = random_() int64 from the global generator, then randperm
    torch.manual_seed(5)
    R.manual_seed(5)
    for _ in range(3):
        ts = int(torch.empty((), dtype=torch.int64).random_().item())
        s = R.draw_seed()
        assert s == ts
        same_draws(R.randperm(37, np.int64, gg(s)), torch.randperm(37, generator=tg(ts)))
    # torch.utils.data.random_split uses randperm(sum(lengths), generator=generator)
    sub = torch.utils.data.random_split(range(20), [15, 5], generator=tg(42))
    perm = R.randperm(20, np.int64, gg(42)).tolist()
    assert list(sub[0].indices) == perm[:15] and list(sub[1].indices) == perm[15:]


# -- bernoulli and dropout ----------------------------------------------------------------
@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_bernoulli_tensor_p(np_dt, t_dt):
    for seed in SEEDS[:4]:
        p = np.random.default_rng(seed).random((5, 7)).astype(np_dt)
        same_draws(R.bernoulli(p, generator=gg(seed)),
             torch.bernoulli(torch.from_numpy(p), generator=tg(seed)))
        # self.bernoulli_(p) with p broadcast over a larger self of another dtype
        same_draws(R.bernoulli(p[0], np.float32, (3, 7), gg(seed)),
             torch.empty(3, 7).bernoulli_(torch.from_numpy(p[0]), generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_bernoulli_scalar_p(np_dt, t_dt):
    for p in [0.0, 0.1, 0.5, 0.9, 1.0]:
        for seed in SEEDS[:3]:
            same_draws(R.bernoulli_scalar((64,), p, np_dt, gg(seed)),
                 torch.empty(64, dtype=t_dt).bernoulli_(p, generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
@pytest.mark.parametrize("p", [0.0, 0.1, 0.25, 0.5, 1 / 3, 1.0])
def test_dropout_mask_matches_functional_dropout(np_dt, t_dt, p):
    x = np.random.default_rng(0).standard_normal((8, 33)).astype(np_dt)
    for seed in SEEDS[:3]:
        torch.manual_seed(seed)
        R.manual_seed(seed)
        expected = F.dropout(torch.from_numpy(x), p, training=True)
        same_draws(x * R.dropout_mask(x.shape, p, np_dt), expected)
        # and the global streams are left in the same place
        same_draws(R.rand((3,)), torch.rand(3))


# -- exponential, multinomial, trunc_normal -----------------------------------------------
@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_exponential(np_dt, t_dt):
    for lambd in [1.0, 2.5, 0.1]:
        for n in [1, 17, 5000]:
            same_draws(R.exponential((n,), lambd, np_dt, gg(n)),
                 torch.empty(n, dtype=t_dt).exponential_(lambd, generator=tg(n)))


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
@pytest.mark.parametrize("num,replacement", [(1, False), (3, False), (7, False), (1, True),
                                             (20, True)])
def test_multinomial(np_dt, t_dt, num, replacement):
    for seed in SEEDS[:3]:
        p = np.random.default_rng(seed).random((4, 7)).astype(np_dt)
        same_draws(R.multinomial(p, num, replacement, gg(seed)),
             torch.multinomial(torch.from_numpy(p), num, replacement, generator=tg(seed)))
        same_draws(R.multinomial(p[1], num, replacement, gg(seed)),
             torch.multinomial(torch.from_numpy(p[1]), num, replacement, generator=tg(seed)))


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
@pytest.mark.parametrize("args", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04),
                                  (0.5, 1.0, 1.5, 3.0), (0.0, 1.0, 2.0, 5.0)])
def test_trunc_normal(np_dt, t_dt, args):
    # (0, 1, 2, 5) holds 2% of the mass: PyTorch's uniform-candidate rejection branch, whose
    # accept test compares log(u) computed by torch's and NumPy's vector logs; they could
    # disagree only if log(u) fell within an ulp of the bound (not for these seeds).
    for shape in [(3,), (20, 30)]:
        for seed in SEEDS[:3]:
            t = torch.empty(shape, dtype=t_dt)
            torch.nn.init.trunc_normal_(t, *args, generator=tg(seed))
            same_draws(R.trunc_normal(shape, *args, np_dt, gg(seed)), t)


def test_mcg31_stream_is_the_recurrence():
    x, ref = 987654321, []
    for _ in range(1000):
        ref.append(x)
        x = x * 1132489760 % (2**31 - 1)
    assert R._mcg31(987654321, 1000).tolist() == ref
    assert R._mcg31(0, 3).tolist()[0] == 1 and R._mcg31(2**31 - 1, 2).tolist()[0] == 1


def test_linear_default_init_stream():
    """nn.Linear(5, 3): kaiming_uniform_(a=sqrt(5)) on the weight, then the bias, both
    uniform_(-bound, bound) with bounds computed in Python floats."""
    import math

    torch.manual_seed(0)
    lin = torch.nn.Linear(5, 3)
    R.manual_seed(0)
    fan_in = 5
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    same_draws(R.uniform((3, 5), -bound, bound), lin.weight.detach())
    b = 1 / math.sqrt(fan_in)
    same_draws(R.uniform((3,), -b, b), lin.bias.detach())


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_log_normal_cauchy_geometric(np_dt, t_dt):
    for n in [1, 5, 17, 3000]:
        seed = n
        same_draws(R.log_normal((n,), 0.5, 1.5, np_dt, gg(seed)),
             torch.empty(n, dtype=t_dt).log_normal_(0.5, 1.5, generator=tg(seed)))
        same_draws(R.cauchy((n,), 0.5, 2.0, np_dt, gg(seed)),
             torch.empty(n, dtype=t_dt).cauchy_(0.5, 2.0, generator=tg(seed)))
        same_draws(R.geometric((n,), 0.3, np_dt, gg(seed)),
             torch.empty(n, dtype=t_dt).geometric_(0.3, generator=tg(seed)))


def test_course_script_stream_order():
    """The draws a typical training script makes, in PyTorch's order: Linear inits (weight,
    then bias, layer by layer); per epoch, iter(loader) draws base_seed, the first batch
    makes RandomSampler draw its seed and randperm on its own generator; each training
    forward draws one dropout mask from the global generator."""
    import math

    from torch.utils.data import DataLoader, TensorDataset

    n, d_in, d_hid, batch = 37, 6, 5, 8
    data = TensorDataset(torch.arange(n, dtype=torch.float32)[:, None], torch.zeros(n))
    torch.manual_seed(0)
    l1, l2 = torch.nn.Linear(d_in, d_hid), torch.nn.Linear(d_hid, 3)
    loader = DataLoader(data, batch_size=batch, shuffle=True)
    theirs = []
    for _ in range(2):
        for xb, _yb in loader:
            theirs.append(xb[:, 0].long().numpy())
            theirs.append(F.dropout(torch.ones(len(xb), d_hid), 0.2, training=True).numpy())

    R.manual_seed(0)
    for fan_in, fan_out, layer in [(d_in, d_hid, l1), (d_hid, 3, l2)]:
        bound = math.sqrt(3.0) * math.sqrt(2.0 / 6) / math.sqrt(fan_in)
        same_draws(R.uniform((fan_out, fan_in), -bound, bound), layer.weight.detach())
        b = 1 / math.sqrt(fan_in)
        same_draws(R.uniform((fan_out,), -b, b), layer.bias.detach())
    ours = []
    for _ in range(2):
        R.draw_seed()  # base_seed of the iterator
        order = R.randperm(n, np.int64, gg(R.draw_seed()))  # RandomSampler, lazily
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            ours.append(idx)
            ours.append(R.dropout_mask((len(idx), d_hid), 0.2, np.float32))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_array_equal(a, b, strict=True)


@pytest.mark.parametrize("np_dt,t_dt", DTYPES)
def test_normal_on_non_contiguous_views_takes_the_scalar_recipe(np_dt, t_dt):
    base = torch.zeros(8, 5, dtype=t_dt)
    base.t().normal_(0.5, 2.0, generator=tg(3))  # filled in memory order
    same_draws(R.normal((8, 5), 0.5, 2.0, np_dt, gg(3), contiguous=False), base)
    base = torch.zeros(8, 6, dtype=t_dt)
    view = base[:, :5]
    view.normal_(generator=tg(4))
    same_draws(R.normal((8, 5), 0.0, 1.0, np_dt, gg(4), contiguous=False), view.contiguous())


ERROR_CASES = [
    (lambda: torch.empty(3).normal_(0, -1), lambda: R.normal((3,), 0, -1)),
    (lambda: torch.empty(3).uniform_(2, 1), lambda: R.uniform((3,), 2, 1)),
    (lambda: torch.normal(torch.zeros(2), torch.tensor([1.0, -1.0])),
     lambda: R.normal(None, np.zeros(2, np.float32), np.array([1.0, -1.0], np.float32))),
    (lambda: torch.empty(3).bernoulli_(1.5), lambda: R.bernoulli_scalar((3,), 1.5)),
    (lambda: torch.bernoulli(torch.tensor([1.5])), lambda: R.bernoulli(np.array([1.5]))),
    (lambda: torch.bernoulli(torch.tensor([1, 0])), lambda: R.bernoulli(np.array([1, 0]))),
    (lambda: torch.empty(3).exponential_(0), lambda: R.exponential((3,), 0)),
    (lambda: torch.randperm(-1), lambda: R.randperm(-1)),
    (lambda: torch.empty(3).geometric_(1), lambda: R.geometric((3,), 1)),
    (lambda: torch.empty(3).cauchy_(0, -1), lambda: R.cauchy((3,), 0, -1)),
    (lambda: torch.empty(3).log_normal_(0, 0), lambda: R.log_normal((3,), 0, 0)),
    (lambda: torch.empty(3, dtype=torch.int64).normal_(), lambda: R.normal((3,), 0, 1, np.int64)),
    (lambda: torch.empty(3, dtype=torch.int64).uniform_(), lambda: R.uniform((3,), 0, 1, np.int64)),
]
MULTINOMIAL_ERRORS = [([0.2, 0.8], 3, False), ([-0.2, 0.8], 1, False), ([0.0, 0.0], 1, True),
                      ([[0.1, 0.2], [0.0, 0.0]], 2, False), ([0.2, float("inf")], 1, False),
                      ([0.2, float("nan")], 1, True), ([0.2, -1.0], 2, True),
                      ([0.2, float("nan")], 2, True), ([0.2, 1.0], 0, True),
                      ([[[0.5]]], 1, False)]


@pytest.mark.parametrize("theirs,ours", ERROR_CASES)
def test_errors_match(theirs, ours):
    same_error(lambda lib: (theirs if lib is torch else ours)(), text="first line")


@pytest.mark.parametrize("probs,num,replacement", MULTINOMIAL_ERRORS)
def test_multinomial_errors_match(probs, num, replacement):
    same_error(lambda lib: torch.multinomial(torch.tensor(probs), num, replacement)
               if lib is torch else R.multinomial(np.array(probs, np.float32), num, replacement),
               RuntimeError, text="first line")
