"""Random number generation that reproduces PyTorch CPU's streams bit for bit.

PyTorch's CPU generator is a Mersenne Twister (mt19937) and every distribution is a small,
fixed recipe on top of its 32-bit or 64-bit draws. This module rebuilds both on NumPy arrays,
so `glasstorch.manual_seed(s)` followed by the same calls gives the same numbers as
`torch.manual_seed(s)` on CPU. See docs/random.md for the recipes.

Engine: `Generator` holds the mt19937 state. The words are produced by NumPy's own C
implementation of the same algorithm (`numpy.random.MT19937`, whose state we set to
PyTorch's), so a million draws cost one call; `mt19937_words` below is the readable NumPy
version of the twist, kept to show (and test) that the two are the same machine.

Public functions; all return a fresh C-contiguous NumPy array, `shape` is a tuple,
`dtype` a NumPy dtype, `generator=None` means the default generator:

    rand(shape, dtype=np.float32, generator=None)                  torch.rand / uniform_(0, 1)
    uniform(shape, low, high, dtype=np.float32, generator=None)    Tensor.uniform_(low, high)
    randn(shape, dtype=np.float32, generator=None)                 torch.randn / normal_(0, 1)
    normal(shape, mean=0., std=1., dtype=np.float32, generator=None, contiguous=True)
                                                                   Tensor.normal_(mean, std);
                                   mean / std may be arrays (torch.normal(mean, std) forms,
                                   shape=None); contiguous=False: normal_ on a view
    randint(low, high, shape, dtype=np.int64, generator=None)      torch.randint / random_(l, h)
    random_(shape, dtype=np.int64, generator=None)                 Tensor.random_()
    randperm(n, dtype=np.int64, generator=None)                    torch.randperm
    bernoulli(p, dtype=None, generator=None)                       torch.bernoulli(p_tensor)
    bernoulli_scalar(shape, p, dtype=np.float32, generator=None)   Tensor.bernoulli_(p_float)
    dropout_mask(shape, p, dtype=np.float32, generator=None)       F.dropout's scaled mask
    exponential(shape, lambd=1., dtype=np.float32, generator=None) Tensor.exponential_
    log_normal(shape, mean=1., std=2., dtype=np.float32, generator=None)  Tensor.log_normal_
    cauchy(shape, median=0., sigma=1., dtype=np.float32, generator=None)  Tensor.cauchy_
    geometric(shape, p, dtype=np.float32, generator=None)          Tensor.geometric_
    multinomial(probs, num_samples, replacement=False, generator=None)
                                                                   torch.multinomial (int64)
    trunc_normal(shape, mean, std, a, b, dtype=np.float32, generator=None)
                                                                   nn.init.trunc_normal_
    draw_seed(generator=None) -> int     int(torch.empty((), dtype=torch.int64).random_())

Module level, on the default generator: `default_generator`, `manual_seed(seed)`, `seed()`,
`initial_seed()`, `get_rng_state()`, `set_rng_state(state)`.
"""

from __future__ import annotations

import math
import os

import numpy as np

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "rand", "uniform", "randn", "normal", "randint",
    "random_", "randperm", "bernoulli", "bernoulli_scalar", "dropout_mask", "exponential",
    "multinomial", "trunc_normal", "draw_seed", "log_normal", "cauchy", "geometric",
    "mt19937_words",
]

_N = 624  # words of Mersenne Twister state
_M = 397  # the twist reads word i + 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER = np.uint32(0x80000000)
_LOWER = np.uint32(0x7FFFFFFF)

# Generator() objects start from this seed in PyTorch (c10's default_rng_seed_val).
_DEFAULT_SEED = 67280421310721

# torch.Generator.get_state() is a 5056-byte struct (little-endian, x86-64 layout):
#   u64 initial_seed | i32 left | i32 seeded | u64 next | u64 state[624] |
#   f64 normal_x | f64 normal_y | f64 normal_rho | i32 normal_is_valid | 4 pad |
#   f32 next_float_normal | u8 float_normal_valid | 3 pad
# `left`/`next` are the twister's position; normal_y/normal_is_valid hold the cached second
# Box-Muller value of the scalar normal path.
_STATE_DTYPE = np.dtype([
    ("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
    ("state", "<u8", (_N,)), ("normal_x", "<f8"), ("normal_y", "<f8"), ("normal_rho", "<f8"),
    ("normal_valid", "<i4"), ("pad0", "<i4"), ("float_normal", "<f4"),
    ("float_normal_valid", "u1"), ("pad1", "u1", (3,)),
])
assert _STATE_DTYPE.itemsize == 5056


def _seed_state(seed: int) -> np.ndarray:
    """mt19937's init_genrand on the low 32 bits of `seed` (PyTorch truncates likewise)."""
    key = np.empty(_N, dtype=np.uint32)
    x = seed & 0xFFFFFFFF
    key[0] = x
    for i in range(1, _N):  # each word depends on the previous one: a plain loop
        x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
        key[i] = x
    return key


def _twist(key: np.ndarray) -> np.ndarray:
    """One mt19937 twist of a 624-word state, in three vector steps.

    New word i mixes old words i and i+1 with word i+397, which for i >= 227 is already a
    new word; so the state is updated in slices whose inputs are all ready.
    """
    mt = key.copy()
    for lo, hi in ((0, _N - _M), (_N - _M, 2 * (_N - _M)), (2 * (_N - _M), _N - 1)):
        y = (mt[lo:hi] & _UPPER) | (mt[lo + 1:hi + 1] & _LOWER)
        far = mt[lo + _M:hi + _M] if hi + _M <= _N else mt[lo + _M - _N:hi + _M - _N]
        mt[lo:hi] = far ^ (y >> 1) ^ ((y & 1) * _MATRIX_A)
    y = (mt[_N - 1] & _UPPER) | (mt[0] & _LOWER)
    mt[_N - 1] = mt[_M - 1] ^ (y >> 1) ^ ((y & 1) * _MATRIX_A)
    return mt


def _temper(y: np.ndarray) -> np.ndarray:
    y = y ^ (y >> 11)
    y = y ^ ((y << 7) & np.uint32(0x9D2C5680))
    y = y ^ ((y << 15) & np.uint32(0xEFC60000))
    return y ^ (y >> 18)


def mt19937_words(seed: int, count: int) -> np.ndarray:
    """The first `count` 32-bit outputs of mt19937 seeded with `seed`, in pure NumPy.

    The readable reference of what `Generator` computes (tests check they agree).
    """
    key = _seed_state(seed)
    out = []
    while count > 0:
        key = _twist(key)
        out.append(_temper(key[:count]))
        count -= _N
    return np.concatenate(out) if out else np.empty(0, np.uint32)


class Generator:
    """A CPU random generator with PyTorch's state, seeding and stream."""

    def __init__(self, device: str | object = "cpu") -> None:
        kind = getattr(device, "type", None) or str(device).split(":")[0]
        if kind != "cpu":
            raise RuntimeError(f"glasstorch has CPU generators only, not {kind!r} ones: "
                               "glasstorch runs on the CPU")
        self.device = _cpu_device()
        self._mt = None  # NumPy's MT19937, created on the first draw (see _bits)
        # The scalar normal path caches the second value of each Box-Muller pair here.
        self._normal_cache: float | None = None
        self._float_normal_cache: float | None = None
        self.manual_seed(_DEFAULT_SEED)

    @property
    def _bits(self):
        """NumPy's MT19937 bit generator holding this generator's state. It is created on
        first use: importing numpy.random costs ~10 ms that `import glasstorch` avoids."""
        if self._mt is None:
            from numpy.random import MT19937

            self._mt = MT19937()
            self._mt.state = self._pending
        return self._mt

    def _set_words(self, key: np.ndarray, pos: int) -> None:
        state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        if self._mt is None:
            self._pending = state
        else:
            self._mt.state = state

    # -- seeding -------------------------------------------------------------------------
    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator (any integer in [-2**63, 2**64)); returns self."""
        seed = int(seed)
        if not -(2**63) <= seed < 2**64:
            raise RuntimeError("Overflow when unpacking long long")
        self._seed = seed % 2**64
        self._set_words(_seed_state(self._seed), _N)
        self._fresh = True  # PyTorch reports next=0 (not 624) until the first draw
        self._normal_cache = None
        self._float_normal_cache = None
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed used."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    # -- state ---------------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """The state as 5056 uint8 bytes, byte-compatible with torch.Generator.get_state()."""
        st = self._bits.state["state"]
        rec = np.zeros((), dtype=_STATE_DTYPE)
        rec["seed"] = self._seed
        pos = int(st["pos"])
        rec["left"] = _N + 1 - pos
        rec["seeded"] = 1
        rec["next"] = 0 if self._fresh else pos
        rec["state"] = st["key"].astype(np.uint64)
        if self._normal_cache is not None:
            rec["normal_y"] = self._normal_cache
            rec["normal_valid"] = 1
        if self._float_normal_cache is not None:
            rec["float_normal"] = self._float_normal_cache
            rec["float_normal_valid"] = 1
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def set_state(self, new_state: object) -> Generator:
        """Restore a state from get_state() (ours or torch's): uint8 array, bytes or tensor."""
        if hasattr(new_state, "numpy"):
            new_state = new_state.numpy()
        raw = bytes(np.asarray(new_state, dtype=np.uint8).tobytes()) \
            if not isinstance(new_state, bytes | bytearray) else bytes(new_state)
        if len(raw) != _STATE_DTYPE.itemsize:
            raise RuntimeError(
                "Expected a CPUGeneratorImplState of size 5056 but found the input RNG state "
                f"size to be {len(raw)}")
        rec = np.frombuffer(raw, dtype=_STATE_DTYPE)[0]
        left = int(rec["left"])
        self._seed = int(rec["seed"])
        self._set_words(rec["state"].astype(np.uint32), _N + 1 - left)
        self._fresh = left == 1 and int(rec["next"]) == 0
        self._normal_cache = float(rec["normal_y"]) if rec["normal_valid"] else None
        self._float_normal_cache = (float(rec["float_normal"])
                                    if rec["float_normal_valid"] else None)
        return self

    # -- raw draws -----------------------------------------------------------------------
    def _random32(self, n: int) -> np.ndarray:
        """n successive 32-bit outputs (PyTorch's generator->random()), as uint64."""
        self._fresh = False
        if n == 0:
            return np.empty(0, np.uint64)
        return self._bits.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        """n successive 64-bit draws: each is two 32-bit words, the first one the high half."""
        w = self._random32(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def __repr__(self) -> str:
        return f"<glasstorch._C.Generator object at {hex(id(self))}>"


def _cpu_device() -> object:
    try:  # the public device type if the rest of glasstorch is importable
        from glasstorch._device import device
        return device("cpu")
    except Exception:  # noqa: BLE001 - the engine must work on its own
        return "cpu"


default_generator = Generator()
default_generator.seed()  # PyTorch seeds its default CPU generator from entropy at start-up


def _gen(generator: Generator | None) -> Generator:
    return default_generator if generator is None else generator


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    return default_generator.get_state()


def set_rng_state(new_state: object) -> None:
    default_generator.set_state(new_state)


_TORCH_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}


def _not_implemented(kernel: str, dtype: np.dtype) -> NotImplementedError:
    name = _TORCH_NAMES.get(np.dtype(dtype).name, str(dtype))
    return NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _c_array(a: np.ndarray) -> np.ndarray:
    """C-contiguous, keeping 0-d arrays 0-d (np.ascontiguousarray would make them 1-d)."""
    return a if a.flags.c_contiguous else a.copy(order="C")


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(int(s) for s in shape)


# -- uniform ------------------------------------------------------------------------------
_TWO_M24 = np.float32(2.0**-24)
_TWO_M53 = 2.0**-53


def _unit(n: int, dtype: np.dtype, g: Generator) -> np.ndarray:
    """n values in [0, 1) as PyTorch makes them: float32 from the low 24 bits of one
    32-bit draw, float64 from the low 53 bits of one 64-bit draw (both exact)."""
    if np.dtype(dtype) == np.float64:
        return (g._random64(n) & np.uint64(2**53 - 1)).astype(np.float64) * _TWO_M53
    return (g._random32(n) & np.uint64(2**24 - 1)).astype(np.float32) * _TWO_M24


def _fma32(a: np.ndarray, b: object, c: object) -> np.ndarray:
    """float32 fused multiply-add: the product of two float32 is exact in float64, so one
    float64 add and a final rounding give fma's result (barring a 2**-29-rare tie)."""
    t = np.multiply(a, b, dtype=np.float64)
    t += c
    return t.astype(np.float32)


def uniform(shape: tuple[int, ...], low: float = 0.0, high: float = 1.0,
            dtype: np.dtype = np.float32, generator: Generator | None = None) -> np.ndarray:
    """Tensor.uniform_(low, high): fma(u, high - low, low), u from `_unit`.

    The kernel is compiled with FMA contraction, so the multiply-add is fused. A value that
    rounds up to `high` is replaced by `low`, keeping the result in [low, high). float16 is
    computed in float32 (24-bit uniforms, bounds as float32) and then rounded."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise _not_implemented("check_uniform_bounds", dtype)
    if low > high:
        raise RuntimeError("uniform_ expects to return a [from, to) range, but found "
                           f"from={low:g} > to={high:g}")
    g = _gen(generator)
    n = _numel(shape)
    if dtype == np.float64:
        lo, hi = float(low), float(high)
        u = _unit(n, dtype, g)
        out = _fma64(u, hi - lo, lo) if (lo, hi) != (0.0, 1.0) else u
    elif dtype in (np.float32, np.float16):
        lo, hi = np.float32(low), np.float32(high)
        u = _unit(n, np.float32, g)
        out = (_fma32(u, hi - lo, lo) if (lo, hi) != (0, 1) else u).astype(dtype)
    else:
        raise _not_implemented("uniform_kernel_cpu", dtype)
    if (lo, hi) != (0, 1) or dtype == np.float16:  # u < 1 already keeps float32/64 below 1
        out = np.where(out >= hi, dtype.type(lo), out)
    return _c_array(out.reshape(shape))


def rand(shape: tuple[int, ...], dtype: np.dtype = np.float32,
         generator: Generator | None = None) -> np.ndarray:
    """torch.rand: uniform on [0, 1)."""
    return uniform(shape, 0.0, 1.0, dtype, generator)


def _fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """float64 fused multiply-add a*b + c, in double-double arithmetic: the rounding errors
    of the product (Dekker's split) and of the sum are computed exactly and added back
    before the final rounding. This equals a true fma except on an exact rounding tie."""
    a = np.asarray(a, np.float64)
    p = a * b
    # error-free product: p + e == a*b exactly
    e = _two_prod_err(a, b, p)
    s = p + c
    # error-free sum of p and c: s + t == p + c exactly
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    # the true result is s + t + e; adding the small parts first rounds once more
    return s + (t + e)


def _two_prod_err(a: np.ndarray, b: float, p: np.ndarray) -> np.ndarray:
    split = 134217729.0  # 2**27 + 1
    ca = split * a
    ahi = ca - (ca - a)
    alo = a - ahi
    cb = split * b
    bhi = cb - (cb - b)
    blo = b - bhi
    return ((ahi * bhi - p) + ahi * blo + alo * bhi) + alo * blo


# -- normal -------------------------------------------------------------------------------
# PyTorch has three normal recipes (aten/src/ATen/native/cpu/DistributionTemplates.h):
#  * fewer than 16 elements: one scalar Box-Muller pair per two values, in float64, with the
#    second value of each pair cached in the generator for the next call;
#  * float32, 16 or more: fill the tensor with uniforms, then Box-Muller on blocks of 16
#    (the first 8 give the radius, the last 8 the angle) with an 8-lane AVX2 log and sincos
#    (Cephes polynomials, "avx_mathfun.h"); if the size is not a multiple of 16, the last
#    16 slots are refilled with fresh uniforms and transformed again;
#  * float64, 16 or more: the same blocks with the C library's log, cos and sin.
# The C++ is compiled with fused multiply-add contraction; `_fma32` reproduces it.

_F = np.float32


def _as_f32_bits(x: np.ndarray) -> np.ndarray:
    return x.view(np.uint32)


def _log_ps(x: np.ndarray) -> np.ndarray:
    """avx_mathfun's log256_ps, lane for lane, in float32, for normal x > 0 (Box-Muller's
    1 - u is at least 2**-24, so the original's clamp to the smallest normal is left out)."""
    bits = _as_f32_bits(x)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 0x7F).astype(_F) + _F(1)
    x = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(_F)
    small = x < _F(0.707106781186547524)  # x < sqrt(1/2): use 2x - 1 and e - 1
    small_f = small.astype(_F)
    x = (x - _F(1)) + x * small_f  # x * 1 or +0.0, like the original's bit mask
    e = e - small_f
    z = x * x
    y = _F(7.0376836292e-2)
    for c in (-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
              -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1):
        y = _fma32(y, x, _F(c))
    y = y * x
    y = _fma32(y, z, e * _F(-2.12194440e-4))
    y = y - z * _F(0.5)
    return _fma32(e, _F(0.693359375), x + y)


def _sincos_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """avx_mathfun's sincos256_ps in float32, for x >= 0 (Box-Muller angles are)."""
    j = (x * _F(1.27323954473516)).astype(np.int32)  # octant of x, truncated: x * 4/pi
    j = (j + 1) & ~1
    y = j.astype(_F)
    sin_sign = ((j & 4) << 29).astype(np.uint32)
    cos_sign = ((~(j - 2) & 4) << 29).astype(np.uint32)
    first_poly = (j & 2) == 0
    # x - y * pi/4 with pi/4 split in three parts ("extended precision modular arithmetic")
    x = _fma32(y, _F(-0.78515625), x)
    x = _fma32(y, _F(-2.4187564849853515625e-4), x)
    x = _fma32(y, _F(-3.77489497744594108e-8), x)
    z = x * x
    c = _fma32(_fma32(_F(2.443315711809948e-5), z, _F(-1.388731625493765e-3)), z,
               _F(4.166664568298827e-2))
    c = c * z
    c = _fma32(c, z, -(z * _F(0.5))) + _F(1)
    s = _fma32(_fma32(_F(-1.9515295891e-4), z, _F(8.3321608736e-3)), z, _F(-1.6666654611e-1))
    s = s * z
    s = _fma32(s, x, x)
    # pick each lane's polynomial with a bit mask, then flip signs, as the vector code does
    pick = np.where(first_poly, np.uint32(0xFFFFFFFF), np.uint32(0))
    sb, cb = s.view(np.uint32), c.view(np.uint32)
    sin = ((sb & pick) | (cb & ~pick)) ^ sin_sign
    cos = ((cb & pick) | (sb & ~pick)) ^ cos_sign
    return sin.view(_F), cos.view(_F)


_TWO_PI_F = _F(2.0 * math.pi)


def _box_muller_16_f32(u: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """Blocks of 16 uniforms (rows of u) -> 16 normals each, like normal_fill_16_AVX2."""
    out = np.empty_like(u)
    step = 2048  # rows per pass: the temporaries stay in cache and their memory is reused
    for r in range(0, u.shape[0], step):
        blk = u[r:r + step]
        # contiguous halves: NumPy is several times faster on them than on strided views
        first, second = np.ascontiguousarray(blk[:, :8]), np.ascontiguousarray(blk[:, 8:])
        radius = np.sqrt(_F(-2) * _log_ps(_F(1) - first))
        sin, cos = _sincos_ps(_TWO_PI_F * second)
        out[r:r + step, :8] = _fma32(radius * cos, std, mean)
        out[r:r + step, 8:] = _fma32(radius * sin, std, mean)
    return out


def _libm(fn, x: np.ndarray) -> np.ndarray:
    """Apply a C-library function element-wise: Python's math module calls the same libm
    that PyTorch's scalar loops call, so the last bit agrees."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def _box_muller_16_f64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - np.ascontiguousarray(u[:, :8])))
    theta = (2.0 * math.pi) * np.ascontiguousarray(u[:, 8:])
    out = np.empty_like(u)
    out[:, :8] = _fma64(radius * _libm(math.cos, theta), std, mean)
    out[:, 8:] = _fma64(radius * _libm(math.sin, theta), std, mean)
    return out


def _normal_fill(n: int, mean: float, std: float, dtype: np.dtype, g: Generator) -> np.ndarray:
    """The >= 16 element recipe: uniforms, blocks of 16, last partial block redone."""
    f64 = dtype == np.float64
    udt = np.float64 if f64 else np.float32
    data = _unit(n, udt, g)
    full = n // 16 * 16
    if f64:
        bm = lambda u: _box_muller_16_f64(u, float(mean), float(std))  # noqa: E731
    else:
        bm = lambda u: _box_muller_16_f32(u, _F(mean), _F(std))  # noqa: E731
    data[:full] = bm(data[:full].reshape(-1, 16)).ravel()
    if n % 16:
        data[n - 16:] = _unit(16, udt, g)  # fresh uniforms overwrite the tail ...
        data[n - 16:] = bm(data[n - 16:].reshape(1, 16)).ravel()  # ... then one more block
    return data


def _normal_scalar(n: int, mean: float, std: float, g: Generator) -> np.ndarray:
    """The scalar recipe, in float64: each Box-Muller pair gives r*cos(theta) now and
    r*sin(theta) to the generator's cache, which the next value (in this call or a later
    one) takes first. Vectorised: cached value, then whole pairs, the last sine cached."""
    z = []
    if n and g._normal_cache is not None:
        z.append(np.array([g._normal_cache]))
        g._normal_cache = None
    pairs = (n - len(z) + 1) // 2
    if pairs:
        u = _unit(2 * pairs, np.float64, g)  # u1, u2 of pair 0, then of pair 1, ...
        r = np.sqrt(-2.0 * _libm(math.log1p, -u[1::2]))
        theta = 2.0 * math.pi * u[0::2]
        both = np.empty(2 * pairs)
        both[0::2] = r * _libm(math.cos, theta)
        both[1::2] = r * _libm(math.sin, theta)
        if (n - len(z)) % 2:  # an odd count leaves the last sine for the next draw
            g._normal_cache = float(both[-1])
            both = both[:-1]
        z.append(both)
    z = np.concatenate(z) if z else np.empty(0)
    return _fma64(z, std, mean) if (std, mean) != (1.0, 0.0) else z


def normal(shape: tuple[int, ...] | None, mean: float | np.ndarray = 0.0,
           std: float | np.ndarray = 1.0, dtype: np.dtype = np.float32,
           generator: Generator | None = None, contiguous: bool = True) -> np.ndarray:
    """Tensor.normal_(mean, std) for float mean/std; with array mean and/or std it is
    torch.normal(mean, std): PyTorch draws normal_(0, 1) (or normal_(0, std) when only mean
    is an array) of the broadcast shape, then multiplies by std and adds mean.

    contiguous=False is for normal_ on a non-contiguous tensor: PyTorch then always takes
    the scalar recipe, and the values come in the tensor's memory order (TensorIterator
    walks the smallest stride fastest), which the caller must follow when storing them."""
    dtype = np.dtype(dtype)
    g = _gen(generator)
    mean_arr, std_arr = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    if mean_arr or std_arr:
        if std_arr and std.size and not (std >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(mean), np.shape(std)) if mean_arr and std_arr \
            else (np.shape(mean) if mean_arr else np.shape(std))
        if mean_arr and not std_arr:
            out = normal(shape, 0.0, float(std), dtype, g)
            return _c_array((out + mean.astype(dtype)).astype(dtype))
        out = normal(shape, 0.0, 1.0, dtype, g)
        out = out * np.asarray(std, dtype)
        return _c_array((out + np.asarray(mean, dtype)).astype(dtype))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    n = _numel(shape)
    if dtype.kind != "f":
        raise _not_implemented("normal_kernel_cpu", dtype)
    if dtype not in (np.float32, np.float64):
        raise NotImplementedError(f"glasstorch reproduces normal_ for float32 and float64 only, "
                                  f"not {dtype}")
    if n >= 16 and contiguous:
        out = _normal_fill(n, mean, std, dtype, g)
    else:
        out = _normal_scalar(n, float(mean), float(std), g)
    return _c_array(out.astype(dtype).reshape(shape))


def randn(shape: tuple[int, ...], dtype: np.dtype = np.float32,
          generator: Generator | None = None) -> np.ndarray:
    """torch.randn: standard normal."""
    return normal(shape, 0.0, 1.0, dtype, generator)


# -- integers -----------------------------------------------------------------------------
_INT_INFO = {np.dtype(t): np.iinfo(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8)}


def _representable_bounds(low: int, high: int, digits: int) -> tuple[int, int]:
    """PyTorch's update_from / update_to for floating dtypes: if low + 1 (high - 1) rounds
    past low (high) in a float with `digits` mantissa bits, move the bound inwards to the
    next value the float can hold, so every drawn integer is representable."""
    cast = np.float32 if digits == 24 else (np.float16 if digits == 11 else np.float64)
    lp1 = int(cast(low + 1))
    if lp1 < low:
        low = lp1 + (1 << (abs(low + 1).bit_length() - 1 - digits + 1))
    hm1 = int(cast(high - 1))
    if hm1 >= high:
        high = hm1 - (1 << (abs(high - 1).bit_length() - 1 - digits + 1))
    return low, high


_C_TYPE_NAMES = {np.dtype(np.int8): "signed char", np.dtype(np.int16): "short",
                 np.dtype(np.int32): "int", np.dtype(np.int64): "long",
                 np.dtype(np.uint8): "unsigned char"}
_DIGITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53, np.dtype(np.float16): 11}


def randint(low: int, high: int, shape: tuple[int, ...], dtype: np.dtype = np.int64,
            generator: Generator | None = None) -> np.ndarray:
    """torch.randint / Tensor.random_(low, high): (draw % (high - low)) + low.

    The draw is one 32-bit word when the range is below 2**28, else one 64-bit draw
    (PyTorch 2.13's rule, which keeps the modulo bias small). For floating dtypes the bounds
    first move inwards to values the dtype can represent."""
    dtype = np.dtype(dtype)
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dtype in _DIGITS:
        low, high = _representable_bounds(low, high, _DIGITS[dtype])
    elif dtype in _INT_INFO:
        info, name = _INT_INFO[dtype], _C_TYPE_NAMES[dtype]
        if not info.min <= low <= info.max:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not info.min <= high - 1 <= info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
    g = _gen(generator)
    n = _numel(shape)
    span = high - low
    draws = g._random64(n) if span >= 2**28 else g._random32(n)
    vals = _wrap_int64(draws % np.uint64(span), low)
    return _c_array(vals.astype(dtype).reshape(shape))


def _wrap_int64(x: np.ndarray, low: int) -> np.ndarray:
    """(x + low) in two's complement int64, for ranges wider than int64's positive half."""
    return (x + np.uint64(low % 2**64)).view(np.int64)


def random_(shape: tuple[int, ...], dtype: np.dtype = np.int64,
            generator: Generator | None = None) -> np.ndarray:
    """Tensor.random_(): uniform over [0, max] of the dtype (for floats [0, 2**mantissa]).

    int64 and float64 take 64-bit draws, the others 32-bit ones."""
    dtype = np.dtype(dtype)
    g = _gen(generator)
    n = _numel(shape)
    if dtype == np.bool_:
        return _c_array((g._random32(n) & np.uint64(1)).astype(bool).reshape(shape))
    if dtype in (np.int64, np.float64):
        draws = g._random64(n)
    else:
        draws = g._random32(n)
    if dtype == np.float64:
        mod = 2**53 + 1
    elif dtype == np.float32:
        mod = 2**24 + 1
    elif dtype == np.float16:
        mod = 2**11 + 1
    else:
        mod = int(_INT_INFO[dtype].max) + 1
    return _c_array((draws % np.uint64(mod)).astype(dtype).reshape(shape))


def draw_seed(generator: Generator | None = None) -> int:
    """int(torch.empty((), dtype=torch.int64).random_(generator=...)): how RandomSampler
    and DataLoader draw their seeds."""
    return int(random_((), np.int64, generator))


def randperm(n: int, dtype: np.dtype = np.int64,
             generator: Generator | None = None) -> np.ndarray:
    """torch.randperm on CPU: a Fisher-Yates shuffle of 0..n-1 from the front.

    Step i swaps slot i with slot i + (draw_i % (n - i)), draw_i one 32-bit word. The draws
    are made in one vector call; the swaps depend on each other, so they are a loop."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    g = _gen(generator)
    if n >= 2**32 // 20:  # PyTorch switches to 64-bit draws and an inside-out shuffle here
        raise NotImplementedError("randperm with n >= 214748364 is not supported")
    if n <= 1:
        return np.arange(n, dtype=dtype)
    offsets = (g._random32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64)
    perm = list(range(n))
    for i, z in enumerate(offsets.tolist()):
        j = i + z
        perm[i], perm[j] = perm[j], perm[i]
    return np.asarray(perm, dtype=dtype)


# -- bernoulli and dropout ----------------------------------------------------------------
def bernoulli(p: np.ndarray, dtype: np.dtype | None = None, shape: tuple[int, ...] | None = None,
              generator: Generator | None = None) -> np.ndarray:
    """torch.bernoulli(p) / Tensor.bernoulli_(p_tensor): 1 where uniform < p.

    A float64 p is compared with 53-bit uniforms from 64-bit draws; any other p with 24-bit
    float32 uniforms from 32-bit draws. `shape` (default p's) lets p broadcast, as in
    self.bernoulli_(p) with a smaller p; the output has `dtype` (default p's dtype)."""
    p = np.asarray(p)
    if not np.issubdtype(p.dtype, np.floating):
        raise _not_implemented("bernoulli_tensor_cpu_p_", p.dtype)
    if np.any((p < 0) | (p > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    shape = p.shape if shape is None else tuple(shape)
    pb = np.broadcast_to(p, shape)
    g = _gen(generator)
    n = _numel(shape)
    if p.dtype == np.float64:
        hit = _unit(n, np.float64, g) < pb.ravel()
    else:
        hit = _unit(n, np.float32, g) < pb.ravel().astype(np.float32)
    return _c_array(hit.astype(p.dtype if dtype is None else dtype).reshape(shape))


# Which recipe bernoulli_scalar (and so Dropout) follows. PyTorch 2.13's CPU wheel took the
# portable kernel on every machine we could test it on, AMD EPYC and Intel Xeon alike (see
# docs/random.md), so that is the default; MKL's recipe stays here, opt-in, for builds that
# call MKL's viRngBernoulli (set it to True to compare with such a run).
BERNOULLI_MKL: bool = False

_MCG31_A = 1132489760  # MKL's VSL_BRNG_MCG31: x <- a * x mod (2**31 - 1)
_MCG31_M = 2**31 - 1


def _mcg31(seed: int, n: int) -> np.ndarray:
    """The first n states of MKL's MCG31 stream: x0 = seed mod m (0 becomes 1), then
    x_i = a**i * x0 mod m, filled by doubling: block [k, 2k) is block [0, k) times a**k."""
    out = np.empty(n, np.uint64)
    if n == 0:
        return out
    out[0] = seed % _MCG31_M or 1
    k = 1
    while k < n:
        take = min(k, n - k)
        out[k:k + take] = out[:take] * np.uint64(pow(_MCG31_A, k, _MCG31_M)) % np.uint64(_MCG31_M)
        k += take
    return out


def bernoulli_scalar(shape: tuple[int, ...], p: float = 0.5, dtype: np.dtype = np.float32,
                     generator: Generator | None = None) -> np.ndarray:
    """Tensor.bernoulli_(p) with a float p.

    Portable kernel (the default): 1 where a 53-bit uniform (64-bit draw) < p.
    MKL builds (BERNOULLI_MKL): PyTorch takes one 32-bit draw as the seed of MKL's MCG31
    stream and sets 1 where float32(x_i / (2**31 - 1)) < float32(p)."""
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    g = _gen(generator)
    n = _numel(shape)
    if BERNOULLI_MKL:
        seed = int(g._random32(1)[0])
        u = (_mcg31(seed, n).astype(np.float64) * (1.0 / _MCG31_M)).astype(np.float32)
        hit = u < np.float32(p)
    else:
        hit = _unit(n, np.float64, g) < p
    return _c_array(hit.astype(dtype).reshape(shape))


def dropout_mask(shape: tuple[int, ...], p: float, dtype: np.dtype = np.float32,
                 generator: Generator | None = None) -> np.ndarray:
    """The mask F.dropout multiplies by in training: bernoulli_(1 - p), then divided by
    (1 - p) in the tensor's dtype. F.dropout(x) == x * mask (same dtype).

    PyTorch skips the draw entirely when p == 0 (and returns zeros when p == 1)."""
    dtype = np.dtype(dtype)
    if p == 0:
        return np.ones(shape, dtype)
    if p == 1:
        return np.zeros(shape, dtype)
    keep = bernoulli_scalar(shape, 1.0 - p, dtype, generator)
    return _c_array(keep / dtype.type(1.0 - p))


# -- scalar-recipe distributions: log-normal, Cauchy, geometric ---------------------------
def log_normal(shape: tuple[int, ...], mean: float = 1.0, std: float = 2.0,
               dtype: np.dtype = np.float32, generator: Generator | None = None) -> np.ndarray:
    """Tensor.log_normal_(mean, std): exp of the scalar normal recipe (float64 Box-Muller
    with the generator's cached second value), element by element, for every size."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    g = _gen(generator)
    z = _normal_scalar(_numel(shape), float(mean), float(std), g)
    return _c_array(_libm(math.exp, z).astype(dtype).reshape(shape))


def cauchy(shape: tuple[int, ...], median: float = 0.0, sigma: float = 1.0,
           dtype: np.dtype = np.float32, generator: Generator | None = None) -> np.ndarray:
    """Tensor.cauchy_(median, sigma): median + sigma * tan(pi * (u - 0.5)), float64."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    g = _gen(generator)
    u = _unit(_numel(shape), np.float64, g)
    t = _libm(math.tan, math.pi * (u - 0.5))
    return _c_array((float(median) + float(sigma) * t).astype(dtype).reshape(shape))


def geometric(shape: tuple[int, ...], p: float, dtype: np.dtype = np.float32,
              generator: Generator | None = None) -> np.ndarray:
    """Tensor.geometric_(p): ceil(log(u) / log1p(-p)), float64, u a 53-bit uniform."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    g = _gen(generator)
    u = _unit(_numel(shape), np.float64, g)
    out = np.ceil(_libm(math.log, u) / math.log1p(-float(p)))
    return _c_array(out.astype(dtype).reshape(shape))


# -- exponential and multinomial ----------------------------------------------------------
def exponential(shape: tuple[int, ...], lambd: float = 1.0, dtype: np.dtype = np.float32,
                generator: Generator | None = None) -> np.ndarray:
    """Tensor.exponential_(lambd): (-1 / lambd) * log1p(-u) in float64, u a 53-bit uniform
    from a 64-bit draw, then rounded to `dtype`."""
    if lambd <= 0:
        raise RuntimeError(
            f"exponential_ expects lambda > 0.0, but found lambda={float(lambd):g}")
    g = _gen(generator)
    u = _unit(_numel(shape), np.float64, g)
    out = (-1.0 / float(lambd)) * _libm(math.log1p, -u)
    return _c_array(out.astype(dtype).reshape(shape))


def multinomial(probs: np.ndarray, num_samples: int, replacement: bool = False,
                generator: Generator | None = None) -> np.ndarray:
    """torch.multinomial on CPU (int64 indices, shape probs.shape[:-1] + (num_samples,)).

    Without replacement (or for one sample) PyTorch uses the exponential race: q ~ Exp(1)
    of probs' shape and dtype, then the top num_samples of probs / q. With replacement each
    row's cumulative sum (in probs' dtype, divided by the total) is searched with one 53-bit
    uniform per sample: the first slot whose cumulative value is >= u."""
    probs = np.asarray(probs)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        name = _TORCH_NAMES.get(probs.dtype.name, str(probs.dtype))
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, "
                           f"got: {name}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    g = _gen(generator)
    rows = probs.reshape(-1, probs.shape[-1])
    k = rows.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not replacement or num_samples == 1:
        if not (rows.max() < np.inf and rows.min() >= 0):  # NaN fails both
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=-1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = exponential(rows.shape, 1.0, rows.dtype, g)
        score = rows / q
        if num_samples == 1:
            idx = np.argmax(score, axis=-1)[:, None]
        else:  # topk: largest first; a stable sort of -score keeps ties in index order
            idx = np.argsort(-score, axis=-1, kind="stable")[:, :num_samples]
        return _c_array(idx.astype(np.int64).reshape(probs.shape[:-1] + (-1,)))
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for r, row in enumerate(rows):
        # the C loop checks each entry in turn: `val >= 0` (which NaN fails), then finite
        bad = ~((row >= 0) & np.isfinite(row))
        if bad.any():
            first = row[np.argmax(bad)]
            what = "< 0" if not first >= 0 else "= infinity or NaN"
            raise RuntimeError(
                f"invalid multinomial distribution (encountering probability entry {what})")
        cum = np.cumsum(row, dtype=row.dtype)  # sequential sum, as the C loop does
        if not cum[-1] > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = cum / cum[-1]
        cum[-1] = 1
        u = _unit(num_samples, np.float64, g)
        out[r] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out.reshape(probs.shape[:-1] + (num_samples,))


# -- nn.init.trunc_normal_ ----------------------------------------------------------------
def trunc_normal(shape: tuple[int, ...], mean: float = 0.0, std: float = 1.0,
                 a: float = -2.0, b: float = 2.0, dtype: np.dtype = np.float32,
                 generator: Generator | None = None) -> np.ndarray:
    """nn.init.trunc_normal_ as PyTorch 2.13 runs it: rejection sampling.

    If [a, b] holds more than 30% of the mass: draw normal_(mean, std) for the whole tensor,
    then, while any value lies outside [a, b] (bounds rounded to dtype), draw a whole new
    normal tensor and take its values at those places. Otherwise: candidates uniform on
    [a, b], accepted where log(u') <= log-density relative to the peak, u' a second uniform
    tensor; rejected places are redrawn (both full tensors) until all are accepted."""
    dtype = np.dtype(dtype)
    g = _gen(generator)

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    mass = cdf((b - mean) / std) - cdf((a - mean) / std)
    if mass > 0.3:
        lo, hi = dtype.type(a), dtype.type(b)
        out = normal(shape, mean, std, dtype, g)
        while True:
            bad = (out < lo) | (out > hi)
            if not bad.any():
                return out
            out = np.where(bad, normal(shape, mean, std, dtype, g), out)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    f = dtype.type

    def log_density(c: np.ndarray) -> np.ndarray:
        c = (c - f(mean)) / f(std)
        return (c * c) * f(-0.5) - f(log_peak)

    out = uniform(shape, a, b, dtype, g)
    pending = np.log(uniform(shape, 0.0, 1.0, dtype, g)) > log_density(out)
    while pending.any():
        cand = uniform(shape, a, b, dtype, g)
        out = np.where(pending, cand, out)
        pending = np.where(pending, np.log(uniform(shape, 0.0, 1.0, dtype, g))
                           > log_density(cand), pending)
    return out
