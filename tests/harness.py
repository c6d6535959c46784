"""The differential harness: the same code on glasstorch and on torch, everything compared.

- ``assert_same(g, t)``: a glasstorch result ``g`` against the reference ``t`` (torch's, or
  glasstorch's own from another path), recursing into tuples, lists, dicts and named tuples:
  tensors (dtype, shape, ``requires_grad``, Parameter or not, grad_fn name, values), NumPy
  arrays, dtypes, sizes, floats (within a tolerance) and any other value (same type, equal).
  Float values are compared within ``TOL`` for their dtype unless ``rtol``/``atol`` (or a
  whole ``tol`` table) say otherwise; ``rtol=0, atol=0`` is exact. Everything else is exact.
- ``same(scenario)``: ``scenario(lib)`` run on both libraries, the results compared.
- ``same_error(scenario)``: both raise the same exception type and, unless ``text=False``, the
  same text (glasstorch may add a second line starting with ``[glasstorch]``).
- ``same_warnings(scenario)``: both warn the same (categories and texts).
- ``check(fn, *inputs)``: each NumPy array in ``inputs`` becomes a tensor of each library
  (other inputs pass through unchanged), ``fn(lib, *tensors)`` runs, the results are compared;
  then, when floating inputs require grad, the gradients after backward of a random-weighted
  sum of the outputs. If torch raises, glasstorch must raise the same exception type (in the
  forward or in backward). Neither glasstorch's forward nor its backward may leak a NumPy
  warning. Non-contiguous inputs come from ``lay(array, "transposed" | "strided")``: the
  gradient is read on the contiguous leaf behind it.
- Layers (modules with parameters and buffers): ``build(factory, seed)`` makes
  ``factory(lib)`` in both from one seed (same repr, same state bit for bit: weights drawn as
  torch draws them; ``make_layer(name, ...)`` is such a factory); ``check_layer(gm, tm,
  *inputs)`` runs both and compares outputs (optionally the whole grad_fn graphs:
  ``assert_same_graph``) and the gradients of inputs and parameters; ``checkpoints_cross(gm,
  tm)`` saves in one library and loads in the other, both ways.

The scenario runners (``same``, ``both``, ``same_error``, ``same_warnings``, ``check``) take
``lead``: what the scenario receives first instead of the library module,
e.g. ``lead=lambda lib: (lib.nn.functional,)``.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Mapping

import numpy as np
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glasstorch

LIBS = (glasstorch, torch)

# derandomized: the suite draws the same examples on every run, and stays fast; set
# GLASSTORCH_EXAMPLES=200 for a deeper (slower) search
SETTINGS = settings(max_examples=int(os.environ.get("GLASSTORCH_EXAMPLES", "12")),
                    deadline=None, derandomize=True, report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck))

FLOATS = ("float32", "float64", "float16")
INTS = ("int64", "int32", "uint8")
ALL_DTYPES = FLOATS + INTS + ("bool",)
# (rtol, atol) per dtype: NumPy and torch round transcendental functions differently by an ulp
# "float": Python floats (``.item()``, ``.tolist()``), which carry a float32 or float64 value
TOL = {"float16": (2e-3, 2e-3), "float32": (2e-5, 1e-6), "float64": (1e-10, 1e-12),
       "float": (1e-6, 0.0)}
GRAD_TOL = {"float16": (1e-2, 1e-2), "float32": (1e-4, 1e-5), "float64": (1e-8, 1e-10)}


# -- inputs ----------------------------------------------------------------------------------


def array(shape, dtype="float32", seed=0, positive=False, low=-5, high=6) -> np.ndarray:
    """Random values of ``dtype``: normal floats (or |x| + 0.5 if positive), small integers."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if np.dtype(dtype).kind in "iu":
        lo = max(low, 0) if np.dtype(dtype).kind == "u" or positive else low
        return np.asarray(rng.integers(max(lo, 1) if positive else lo, high, shape), dtype)
    x = rng.standard_normal(shape)
    return np.asarray(np.abs(x) + 0.5 if positive else x, dtype)


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcast_shapes(n=2, min_dims=0, max_dims=4, min_side=0, max_side=4):
    """``n`` shapes that broadcast together (size-1 dims, missing leading dims, 0-d, empty)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side
                                             ).map(lambda r: r.input_shapes)


seeds = st.integers(0, 2**16)
# how input tensors are laid out: contiguous, a transpose of the last two dims, a step slice
layouts = st.sampled_from(["contiguous", "transposed", "strided"])


class Layout:
    """Marks an input array to be passed as a non-contiguous view (see ``layouts``)."""

    def __init__(self, a: np.ndarray, layout: str):
        self.a, self.layout = a, layout


def _tensor(lib, x, requires_grad: bool):
    """(leaf, what fn receives): the leaf is where gradients are read."""
    layout = "contiguous"
    if isinstance(x, Layout):
        x, layout = x.a, x.layout
    rg = requires_grad and x.dtype.kind == "f"
    if layout == "transposed" and x.ndim >= 2:
        leaf = lib.tensor(np.ascontiguousarray(np.swapaxes(x, -1, -2)), requires_grad=rg)
        return leaf, leaf.transpose(-1, -2)
    if layout == "strided" and x.ndim >= 1:
        wide = np.repeat(x, 2, axis=-1)
        leaf = lib.tensor(wide, requires_grad=rg)
        return leaf, leaf[..., ::2]
    leaf = lib.tensor(x, requires_grad=rg)
    return leaf, leaf


def lay(a: np.ndarray, layout: str) -> Layout:
    return Layout(a, layout)


def np_of(t) -> np.ndarray:
    """A tensor of either library as a NumPy array of its own (a copy)."""
    return np.array(t.detach().numpy())


def pair(a: np.ndarray, requires_grad: bool = False) -> tuple:
    """(glasstorch tensor, torch tensor) holding copies of ``a``."""
    return tuple(lib.from_numpy(np.array(a, copy=True)).requires_grad_(requires_grad)
                 for lib in LIBS)


# -- comparing -------------------------------------------------------------------------------


def _name(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


def _same_type(g, t) -> bool:
    """The same class, or a torch class and its glasstorch twin (the same qualified name)."""
    if type(g) is type(t):
        return True
    return (type(t).__module__.split(".")[0] == "torch"
            and type(g).__qualname__ == type(t).__qualname__)


def _tol(dtype_name: str, rtol, atol, tol) -> tuple[float, float]:
    """(rtol, atol) for a float dtype, or "float"; exact for a dtype the table lacks, but
    Python floats fall back to ``TOL["float"]``."""
    table = tol or TOL
    r, a = table.get(dtype_name, TOL["float"] if dtype_name == "float" else (0.0, 0.0))
    return (r if rtol is None else rtol), (a if atol is None else atol)


def _assert_values(gv: np.ndarray, tv: np.ndarray, where: str, rtol, atol, tol) -> None:
    if tv.dtype.kind in "fc":
        r, a = _tol(tv.dtype.name, rtol, atol, tol)
        np.testing.assert_allclose(gv, tv, rtol=r, atol=a, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(gv, tv, err_msg=where)


def assert_same(g, t, where: str = "out", *, rtol=None, atol=None, tol=None,
                grad_fn: bool = True) -> None:
    """Assert that glasstorch's ``g`` is the same as the reference ``t`` (see the module doc).

    ``tol`` maps a float dtype name, or "float" for Python floats, to (rtol, atol) (default
    ``TOL``); ``rtol``/``atol`` override it for every dtype and for Python floats.
    """
    kw = dict(rtol=rtol, atol=atol, tol=tol, grad_fn=grad_fn)
    if isinstance(t, (torch.Tensor, glasstorch.Tensor)):
        assert isinstance(g, glasstorch.Tensor), f"{where}: {type(g).__name__} is not a Tensor"
        assert str(g.dtype) == str(t.dtype), f"{where}: dtype {g.dtype} != {t.dtype}"
        assert tuple(g.shape) == tuple(t.shape), f"{where}: shape {g.shape} != {t.shape}"
        assert g.requires_grad == t.requires_grad, f"{where}: requires_grad differs"
        assert isinstance(g, glasstorch.nn.Parameter) == isinstance(
            t, (torch.nn.Parameter, glasstorch.nn.Parameter)), f"{where}: Parameter or not"
        if grad_fn:
            gn = type(g.grad_fn).__name__ if g.grad_fn is not None else None
            tn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
            assert gn == tn, f"{where}: grad_fn {gn} != {tn}"
        _assert_values(np.asarray(g.detach().numpy()), t.detach().numpy(), where, rtol, atol,
                       tol)
    elif isinstance(t, np.ndarray):
        assert isinstance(g, np.ndarray), f"{where}: {type(g).__name__} is not an ndarray"
        assert g.dtype == t.dtype, f"{where}: dtype {g.dtype} != {t.dtype}"
        assert g.shape == t.shape, f"{where}: shape {g.shape} != {t.shape}"
        _assert_values(g, t, where, rtol, atol, tol)
    elif isinstance(t, (torch.Size, glasstorch.Size)):
        assert isinstance(g, glasstorch.Size), f"{where}: {type(g).__name__} is not a Size"
        assert tuple(g) == tuple(t), f"{where}: {g} != {t}"
    elif isinstance(t, Mapping):
        assert _same_type(g, t), f"{where}: {type(g).__name__} != {type(t).__name__}"
        assert list(g) == list(t), f"{where}: keys {list(g)} != {list(t)}"
        assert getattr(g, "_metadata", None) == getattr(t, "_metadata", None), \
            f"{where}: _metadata differs"
        for k in t:
            assert_same(g[k], t[k], f"{where}[{k!r}]", **kw)
    elif isinstance(t, (tuple, list)):
        assert _same_type(g, t), f"{where}: {type(g).__name__} != {type(t).__name__}"
        assert len(g) == len(t), f"{where}: length {len(g)} != {len(t)}"
        if hasattr(t, "_fields"):  # named tuples
            assert getattr(g, "_fields", None) == t._fields, f"{where}: fields differ"
        for i, (a, b) in enumerate(zip(g, t)):
            assert_same(a, b, f"{where}[{i}]", **kw)
    elif isinstance(t, (torch.dtype, glasstorch.dtype)):
        assert isinstance(g, glasstorch.dtype) and str(g) == str(t), f"{where}: {g} != {t}"
    elif isinstance(t, float):
        assert _same_type(g, t), f"{where}: {type(g).__name__} != {type(t).__name__}"
        r, a = _tol("float", rtol, atol, tol)
        np.testing.assert_allclose(g, t, rtol=r, atol=a, equal_nan=True, err_msg=where)
    else:
        assert _same_type(g, t), f"{where}: {type(g).__name__} != {type(t).__name__}"
        assert g == t or (g != g and t != t), f"{where}: {g!r} != {t!r}"


def torch_text(message: str) -> str:
    """The part of a glasstorch message that must be PyTorch's: all before the optional
    ``[glasstorch]`` hint line, with glasstorch's class paths named as torch's."""
    return message.split("\n[glasstorch]")[0].replace("glasstorch.", "torch.")


def assert_same_exception(ge: BaseException, te: BaseException, text: bool | str = True
                          ) -> None:
    """The same exception type and, if ``text``, PyTorch's text (a hint line may follow);
    ``text="first line"``: only the first line of PyTorch's text (the rest is C++ detail)."""
    assert _same_type(ge, te), f"glasstorch raised {ge!r}, torch raised {te!r}"
    if text == "first line":
        assert torch_text(str(ge)) == str(te).split("\n")[0], (str(ge), str(te))
    elif text:
        assert torch_text(str(ge)) == str(te), (str(ge), str(te))


# -- running a scenario on both libraries ----------------------------------------------------


def _lead(lib, lead) -> tuple:
    return (lib,) if lead is None else tuple(lead(lib))


def both(scenario, *, lead=None) -> tuple:
    """(glasstorch's result, torch's result) of ``scenario(lib)``, torch's run first."""
    t = scenario(*_lead(torch, lead))
    return scenario(*_lead(glasstorch, lead)), t


def same(scenario, *, lead=None, **compare):
    """Run ``scenario(lib)`` on both libraries, ``assert_same`` the results; torch's returned.

    ``compare`` goes to ``assert_same`` (``rtol``, ``atol``, ``tol``, ``grad_fn``)."""
    g, t = both(scenario, lead=lead)
    assert_same(g, t, **compare)
    return t


def catch(fn):
    """``fn()``, or (exception type name, ``torch_text`` of its message) if it raised: for
    scenarios that return their errors among other results."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the exception is the value under test
        return (type(e).__name__, torch_text(str(e)))


def same_error(scenario, exc: type | None = None, *, lead=None, text: bool | str = True,
               match: str | None = None) -> BaseException:
    """``scenario(lib)`` raises the same exception on both libraries (type, and text unless
    ``text=False``: see ``assert_same_exception``; ``exc``: torch's type must be this;
    ``match``: glasstorch's message must contain it). Returns glasstorch's exception."""
    raised = []
    for lib in (torch, glasstorch):
        try:
            scenario(*_lead(lib, lead))
        except Exception as e:  # noqa: BLE001 - compared below
            raised.append(e)
        else:
            other = f" (torch raised {raised[0]!r})" if raised else ""
            raise AssertionError(f"{lib.__name__} did not raise{other}")
    te, ge = raised
    assert_same_exception(ge, te, text)
    if exc is not None:
        assert type(te) is exc, f"torch raised {te!r}, not {exc.__name__}"
    if match is not None:
        assert match in str(ge), (match, str(ge))
    return ge


def same_warnings(scenario, *, lead=None):
    """``scenario(lib)`` warns the same on both: as many warnings, of the same categories, with
    PyTorch's texts (a hint line may follow); returns ((glasstorch result, torch result),
    torch's messages)."""
    out, caught = [], []
    for lib in (glasstorch, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out.append(scenario(*_lead(lib, lead)))
        caught.append(w)
    assert len(caught[0]) == len(caught[1]), [[str(m.message) for m in w] for w in caught]
    for g, t in zip(*caught):
        assert _same_type(g.message, t.message), (g.message, t.message)
        assert torch_text(str(g.message)) == str(t.message), (str(g.message), str(t.message))
    return tuple(out), [str(m.message) for m in caught[1]]


# -- check: one op, forward and backward -----------------------------------------------------


_GLASSTORCH_DIR = os.path.dirname(glasstorch.__file__) + os.sep


def _is_leak(w: warnings.WarningMessage) -> bool:
    """A warning NumPy raised inside glasstorch that a learner would see. NumPy attributes its
    floating-point RuntimeWarnings to the calling line; on glasstorch's own lines, glasstorch's
    package-wide filter hides them from learners (glasstorch/__init__.py; the hot ops leave
    inf - inf to that filter rather than pay np.errstate on every call), so only the ones
    attributed elsewhere (NumPy's own files, the test) count."""
    if issubclass(w.category, RuntimeWarning):
        return not w.filename.startswith(_GLASSTORCH_DIR)
    return "numpy" in w.filename


@contextlib.contextmanager
def no_numpy_warnings(lib, stage: str):
    """Record every warning (keeping the output clean); for glasstorch, fail on NumPy's."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    leaked = [w for w in caught if lib is glasstorch and _is_leak(w)]
    if leaked:
        w = leaked[0]
        raise AssertionError(f"NumPy warning leaked in {stage}: {w.category.__name__}: "
                             f"{w.message} ({os.path.basename(w.filename)}:{w.lineno})")


def _run(lib, fn, inputs, requires_grad, lead):
    leaves, args = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, (np.ndarray, Layout)):
            rg = requires_grad if isinstance(requires_grad, bool) else i in requires_grad
            leaf, arg = _tensor(lib, x, rg)
            leaves.append(leaf)
            args.append(arg)
        else:
            args.append(x)
    with no_numpy_warnings(lib, "forward"):
        try:
            return leaves, "ok", fn(*_lead(lib, lead), *args)
        except Exception as e:  # noqa: BLE001 - compared with torch's below
            return leaves, "err", e


def _tensors(out, lib) -> list:
    """Every tensor in a (possibly nested) result, in order."""
    if isinstance(out, lib.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o, lib)]
    return []


def check(fn, *inputs, requires_grad: bool | tuple = True, rtol=None, atol=None, tol=None,
          grad_tol=None, grad_fn: bool = True, message: bool = False, seed: int = 0,
          lead=None):
    """Run ``fn(lib, *tensors)`` on glasstorch and torch and assert they agree.

    ``requires_grad``: all floating array inputs (True), none (False), or those at the given
    positions. ``tol``/``grad_tol``: per-dtype (rtol, atol) tables for the values and for each
    gradient at its own dtype (default ``TOL``, and ``GRAD_TOL`` at the coarsest input dtype);
    ``rtol``/``atol`` override both. ``message=True`` also
    compares the error texts. Returns torch's result (or exception) for further checks.
    """
    gleaves, gk, gout = _run(glasstorch, fn, inputs, requires_grad, lead)
    tleaves, tk, tout = _run(torch, fn, inputs, requires_grad, lead)
    if tk == "err":
        if gk == "ok":
            raise AssertionError(f"torch raised {tout!r}, glasstorch returned {gout!r}")
        assert_same_exception(gout, tout, text=message)
        return tout
    if gk == "err":
        raise gout
    assert_same(gout, tout, "out", rtol=rtol, atol=atol, tol=tol, grad_fn=grad_fn)
    touts = [o for o in _tensors(tout, torch) if o.requires_grad]
    gouts = [o for o in _tensors(gout, glasstorch) if o.requires_grad]
    if not touts:
        return tout
    errors = _backward_both(touts, gouts, seed, catch=RuntimeError)
    assert type(errors[0]) is type(errors[1]), f"backward: torch {errors[0]!r}, {errors[1]!r}"
    if errors[0] is not None:
        return tout
    if grad_tol is None:
        # gradients mix precisions (a float32 op feeding a float64 leaf): GRAD_TOL at the
        # coarsest input dtype, for every gradient
        floats = [_name(t.dtype) for t in tleaves if t.dtype.is_floating_point] or ["float32"]
        coarse = GRAD_TOL[max(floats, key=lambda n: GRAD_TOL[n][0])]
        grad_tol = dict.fromkeys(GRAD_TOL, coarse)
    _assert_grads([(f"grad of input {i}", g, t) for i, (g, t) in enumerate(zip(gleaves, tleaves))],
                  rtol=rtol, atol=atol, tol=grad_tol)
    return tout


def _backward_both(touts: list, gouts: list, seed: int, catch=()) -> list:
    """Backward of sum(w_i * out_i) with the same random weights w in both libraries, torch's
    first, no NumPy warning leaking from glasstorch's; returns [torch's, glasstorch's]
    exception of a type in ``catch`` (others propagate), None where backward succeeded."""
    rng = np.random.default_rng(seed + 1)
    ws = [rng.standard_normal(tuple(o.shape)).astype(_name(o.dtype)) for o in touts]
    errors = []
    for lib, outs in ((torch, touts), (glasstorch, gouts)):
        with no_numpy_warnings(lib, "backward"):
            try:
                sum((o * lib.tensor(w)).sum() for o, w in zip(outs, ws)).backward()
                errors.append(None)
            except catch as e:  # (ops without a derivative raise at backward)
                errors.append(e)
    return errors


def _assert_grads(pairs: list, **tols) -> None:
    """For each (where, glasstorch tensor, torch tensor): .grad is None in both or the same
    (``assert_same`` with ``tols``)."""
    for where, g, t in pairs:
        if t.grad is None:
            assert g.grad is None, f"{where}: torch has None"
            continue
        assert g.grad is not None, f"{where} is None, torch has one"
        assert_same(g.grad, t.grad, where, **tols)


# -- layers: modules built, run and saved in both libraries ----------------------------------


def make_layer(name: str, *args, **kwargs):
    """A factory for ``build``: ``lib.nn.<name>(*args, **kwargs)``, a ``dtype`` given by its
    name ("float64") taken from ``lib``."""
    def make(lib):
        kw = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        return getattr(lib.nn, name)(*args, **kw)
    return make


def assert_same_state(gm, tm, where: str = "state_dict") -> None:
    """Glasstorch's layer ``gm`` holds what torch's ``tm`` holds: the same parameter names and
    the same ``state_dict`` (keys, order, metadata; each tensor's dtype, shape and values bit
    for bit)."""
    gn, tn = [n for n, _ in gm.named_parameters()], [n for n, _ in tm.named_parameters()]
    assert gn == tn, f"{where}: parameters {gn} != {tn}"
    assert_same(gm.state_dict(), tm.state_dict(), where, rtol=0, atol=0)


def build(factory, seed: int = 0) -> tuple:
    """``factory(lib)`` in each library right after ``lib.manual_seed(seed)``: the two layers
    must have the same repr and the same state (initial weights torch's bit for bit, see
    ``assert_same_state``). Returns (glasstorch's layer, torch's)."""
    made = []
    for lib in (torch, glasstorch):
        lib.manual_seed(seed)
        made.append(factory(lib))
    tm, gm = made
    assert repr(gm) == repr(tm), (repr(gm), repr(tm))
    assert_same_state(gm, tm)
    return gm, tm


def _layer_input(lib, x, requires_grad: bool, leaves: list):
    """NumPy arrays, possibly nested in tuples (an LSTM's (h, c)), as tensors of ``lib``; the
    tensors where gradients are read are appended to ``leaves``."""
    if isinstance(x, (np.ndarray, Layout)):
        leaf, arg = _tensor(lib, x, requires_grad)
        leaves.append(leaf)
        return arg
    if isinstance(x, tuple):
        return tuple(_layer_input(lib, v, requires_grad, leaves) for v in x)
    return x


def check_layer(gm, tm, *inputs, kwargs: dict | None = None, call=None, grad: bool = True,
                whole_graph: bool = False, grad_fn: bool = True, rtol=None, atol=None,
                seed: int = 0):
    """Run glasstorch's layer ``gm`` and torch's ``tm`` on the same inputs; assert they agree.

    ``inputs``: NumPy arrays (nested in tuples as the layer takes them), passed as tensors,
    the floating ones requiring grad unless ``grad=False``; ``kwargs``: arguments by name
    (arrays as tensors without grad); ``call(m, *args, **kw)``: how the layer is called.
    Compared: the outputs (``assert_same``; ``rtol``/``atol`` else ``TOL``; ``grad_fn=False``
    skips the grad_fn names), with ``whole_graph`` each output's whole grad_fn graph; then,
    after backward of a random-weighted sum of the outputs, the gradients of the inputs and
    of every parameter (``rtol``/``atol`` else ``GRAD_TOL`` at the first output's dtype). No
    NumPy warning may leak from glasstorch. Returns torch's output.
    """
    call = call or (lambda m, *a, **k: m(*a, **k))
    results = []
    for lib, m in ((glasstorch, gm), (torch, tm)):
        leaves: list = []
        args = [_layer_input(lib, x, grad, leaves) for x in inputs]
        kw = {k: _layer_input(lib, v, False, []) for k, v in (kwargs or {}).items()}
        with no_numpy_warnings(lib, "forward"):
            results.append((leaves, call(m, *args, **kw)))
    (gleaves, gout), (tleaves, tout) = results
    assert_same(gout, tout, "out", rtol=rtol, atol=atol, grad_fn=grad_fn)
    if whole_graph:
        for i, (g, t) in enumerate(zip(_tensors(gout, glasstorch), _tensors(tout, torch))):
            assert_same_graph(g, t, f"out {i}")
    if not grad:
        return tout
    touts = [o for o in _tensors(tout, torch) if o.requires_grad]
    gouts = [o for o in _tensors(gout, glasstorch) if o.requires_grad]
    assert len(gouts) == len(touts), f"{len(gouts)} outputs require grad, torch has {len(touts)}"
    if not touts:
        return tout
    _backward_both(touts, gouts, seed)
    pairs = [(f"grad of input {i}", g, t) for i, (g, t) in enumerate(zip(gleaves, tleaves))]
    pairs += [(f"grad of {n}", p, q)
              for (n, p), (_, q) in zip(gm.named_parameters(), tm.named_parameters())]
    tol = dict.fromkeys(GRAD_TOL, GRAD_TOL[_name(touts[0].dtype)])
    _assert_grads(pairs, rtol=rtol, atol=atol, tol=tol)
    return tout


def _node_name(fn) -> str:
    return fn.name() if callable(getattr(fn, "name", None)) else type(fn).__name__


def graph(fn) -> list:
    """The grad_fn graph behind node ``fn`` as a list of (name, ((child number, output slot)
    or None, ...)), numbered in depth-first order, each node once: two graphs are the same
    (names, edges and their order, None edges, slots, shared nodes) exactly when these lists
    are equal."""
    number: dict = {}
    out: list = []

    def add(node) -> None:
        number[node] = len(out)
        out.append((_node_name(node), []))

    if fn is None:
        return []
    add(fn)
    stack = [(fn, iter(fn.next_functions))]
    while stack:
        node, edges = stack[-1]
        for child, slot in edges:
            if child is None:
                out[number[node]][1].append(None)
                continue
            seen = child in number
            if not seen:
                add(child)
            out[number[node]][1].append((number[child], slot))
            if not seen:
                stack.append((child, iter(child.next_functions)))
                break
        else:
            stack.pop()
    return [(name, tuple(edges)) for name, edges in out]


def assert_same_graph(g, t, where: str = "out") -> None:
    """Glasstorch's tensor ``g`` has the whole grad_fn graph of torch's ``t`` (see ``graph``)."""
    a, b = graph(g.grad_fn), graph(t.grad_fn)
    diff = next((f"node {i}: {x} != {y}" for i, (x, y) in enumerate(zip(a, b)) if x != y),
                f"{len(a)} nodes != {len(b)}")
    assert a == b, f"{where}: grad_fn graph differs at {diff}"


def _change(tm) -> None:
    """Move every parameter and buffer of torch's layer, so loading it visibly changes."""
    with torch.no_grad():
        for p in tm.parameters():
            p.mul_(-0.5).add_(0.25)
        for b in tm.buffers():
            b.add_(1.5 if b.dtype.is_floating_point else 7)


def checkpoints_cross(gm, tm) -> None:
    """Glasstorch's layer's state_dict, saved by glasstorch, loads with
    ``torch.load(weights_only=True)`` into torch's layer; then torch's, changed, saved by torch,
    loads with ``glasstorch.load(weights_only=True)`` into glasstorch's. Each time: the file
    has the layer's keys in order, every key matches, and both layers hold the same state
    (``assert_same_state``)."""
    for src, dst, saver, loader in ((gm, tm, glasstorch, torch), (tm, gm, torch, glasstorch)):
        if src is tm:
            _change(tm)
        buf = io.BytesIO()
        saver.save(src.state_dict(), buf)
        buf.seek(0)
        loaded = loader.load(buf, weights_only=True)
        assert list(loaded) == list(dst.state_dict()), (list(loaded), list(dst.state_dict()))
        assert repr(dst.load_state_dict(loaded)) == "<All keys matched successfully>"
        assert_same_state(gm, tm, f"saved by {saver.__name__}, loaded by {loader.__name__}")


# -- state shared between tests --------------------------------------------------------------


def fresh_coach() -> None:
    """The coach as in a new process: on, with no memory of losses, modules or checks."""
    from glasstorch import coach

    coach.on()
    coach._state.first_loss = coach._state.last_loss = coach._state.origin = None
    coach._state.watch = False
    coach._checked.clear()
    coach._state.shown.clear()  # each kind of advice is shown once per run
