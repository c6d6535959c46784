"""glasstorch.datasets: bundled real datasets, train_test_split, Standardize, toy generators.

Differential where there is something to differ from: the split permutation and the toy
generators run the same code with torch (``_train_test_split(torch, ...)``, ``_moons(torch, ...)``)
and must give identical results; Standardize is compared against the same arithmetic in torch.
The numbers that define each real dataset (size, class counts, ranges, sums) were derived from
scikit-learn 1.9.1's copies when the files were exported (data/export_from_sklearn.py).
"""

from __future__ import annotations

import math
import socket
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch
import glasstorch.datasets as D
from glasstorch.datasets import _split, _synthetic
from glasstorch.utils.data import Subset, TensorDataset

# name: (N, F, class counts or None, min, max, sum of all features, sum of targets,
#        first feature name, last feature name, class names or None, task)
FACTS = {
    "digits": (1797, 64, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180], 0.0, 16.0,
               561718.0, 8070.0, "pixel_0_0", "pixel_7_7", [str(i) for i in range(10)],
               "multiclass"),
    "iris": (150, 4, [50, 50, 50], 0.1, 7.9, 2078.7, 150.0, "sepal length (cm)",
             "petal width (cm)", ["setosa", "versicolor", "virginica"], "multiclass"),
    "wine": (178, 13, [59, 71, 48], 0.13, 1680.0, 159975.295999, 167.0, "alcohol", "proline",
             ["class_0", "class_1", "class_2"], "multiclass"),
    "breast_cancer": (569, 30, [212, 357], 0.0, 4254.0, 1056474.4596356, 357.0, "mean radius",
                      "worst fractal dimension", ["malignant", "benign"], "binary"),
    "diabetes": (442, 10, None, 1.0, 301.0, 276404.2336, 67243.0, "age", "s6", None,
                 "regression"),
}

DATA_DIR = Path(D.__file__).parent / "data"


def to_np(t) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


# --------------------------------------------------------------------------- real datasets


@pytest.mark.parametrize("name", list(FACTS))
def test_real_dataset_facts(name):
    n, f, counts, lo, hi, total, ysum, first, last, classes, task = FACTS[name]
    ds = D.load(name)
    assert isinstance(ds, TensorDataset) and isinstance(ds, D.BundledDataset)
    assert len(ds) == n and ds.num_features == f
    assert tuple(ds.features.shape) == (n, f) and ds.data is ds.features
    assert ds.features.dtype == glasstorch.float32
    x = to_np(ds.features).astype(np.float64)
    assert x.min() == pytest.approx(lo) and x.max() == pytest.approx(hi)
    assert x.sum() == pytest.approx(total, rel=1e-6)
    assert ds.feature_names[0] == first and ds.feature_names[-1] == last
    assert len(ds.feature_names) == f
    assert ds.task == task and ds.class_names == classes
    y = to_np(ds.targets)
    assert float(y.astype(np.float64).sum()) == pytest.approx(ysum)
    if counts is None:
        assert ds.targets.dtype == glasstorch.float32 and tuple(ds.targets.shape) == (n, 1)
        assert ds.num_classes is None
    else:
        assert ds.targets.dtype == glasstorch.int64 and tuple(ds.targets.shape) == (n,)
        assert np.bincount(y).tolist() == counts and ds.num_classes == len(counts)
    assert ds.description and ds.source and ds.license
    assert "CC BY 4.0" in ds.license or "BSD" in ds.license
    # dataset[i] is what TensorDataset gives: (features[i], targets[i])
    xi, yi = ds[7]
    assert np.array_equal(to_np(xi), x[7].astype(np.float32)) and np.array_equal(to_np(yi), y[7])
    # Same length and items as torch's own TensorDataset over the same arrays.
    ref = torch.utils.data.TensorDataset(torch.from_numpy(x.astype(np.float32)),
                                         torch.from_numpy(y))
    assert len(ref) == len(ds)
    assert np.array_equal(ref[n - 1][0].numpy(), to_np(ds[n - 1][0]))
    assert np.array_equal(ref[n - 1][1].numpy(), to_np(ds[n - 1][1]))


def test_digits_images():
    ds = D.load_digits()
    assert tuple(ds.images.shape) == (1797, 8, 8) and ds.images.dtype == glasstorch.float32
    assert np.array_equal(to_np(ds.images).reshape(1797, 64), to_np(ds.features))
    x = to_np(ds.features)
    assert np.array_equal(x, np.round(x))  # raw pixel counts 0..16, not rescaled


def test_loads_are_independent_and_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("glasstorch.datasets must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    a, b = D.load_iris(), D.load_iris()
    a.features[0, 0] = 100.0
    assert float(b.features[0, 0]) != 100.0
    for name in D.available("real"):
        D.load(name)


def test_data_files_are_small_and_plain():
    files = sorted(DATA_DIR.glob("*.npz"))
    assert [p.stem for p in files] == sorted(FACTS)
    assert sum(p.stat().st_size for p in files) < 250_000
    for p in files:
        with np.load(p, allow_pickle=False) as z:  # no pickles inside
            assert {"data", "target", "feature_names", "target_names", "description",
                    "source", "license", "task"} <= set(z.files)
    assert (DATA_DIR.parent / "LICENSES.md").exists()


def test_matches_sklearn_when_available():
    sk = pytest.importorskip("sklearn.datasets")  # not a dependency; checked when present
    pairs = {
        "digits": sk.load_digits(), "iris": sk.load_iris(), "wine": sk.load_wine(),
        "breast_cancer": sk.load_breast_cancer(), "diabetes": sk.load_diabetes(scaled=False),
    }
    for name, bunch in pairs.items():
        ds = D.load(name)
        assert np.array_equal(to_np(ds.features), bunch.data.astype(np.float32))
        assert np.array_equal(to_np(ds.targets).reshape(-1), bunch.target.astype(
            np.float32 if name == "diabetes" else np.int64))


def test_load_and_available():
    assert D.available("real") == ["digits", "iris", "wine", "breast_cancer", "diabetes"]
    assert D.available("generated") == ["moons", "circles", "spirals", "blobs", "regression_1d"]
    assert D.available() == D.available("real") + D.available("generated")
    assert len(D.load("Breast-Cancer")) == 569
    assert len(D.load("moons", n_samples=50)) == 50
    with pytest.raises(ValueError, match="unknown dataset"):
        D.load("mnist")
    with pytest.raises(TypeError):
        D.load("iris", seed=1)
    with pytest.raises(ValueError):
        D.available("other")
    assert repr(D.load_iris()).startswith("Dataset iris\n    Number of datapoints: 150")


# --------------------------------------------------------------------------- train_test_split


def expected_test_count(test_size, n):
    return math.ceil(round(test_size * n, 9)) if isinstance(test_size, float) else test_size


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 300), frac=st.floats(0.01, 0.99), seed=st.integers(0, 2**31 - 1))
def test_split_matches_torch_randperm(n, frac, seed):
    n_test = expected_test_count(frac, n)
    if not 0 < n_test < n:
        with pytest.raises(ValueError):
            D.train_test_split(TensorDataset(glasstorch.arange(n)), frac, seed)
        return
    ds = TensorDataset(glasstorch.arange(n), glasstorch.arange(n) * 2)
    train, test = D.train_test_split(ds, frac, seed=seed)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    assert test.indices == perm[:n_test] and train.indices == perm[n_test:]
    assert isinstance(train, TensorDataset) and len(train) + len(test) == n
    assert to_np(test.tensors[0]).tolist() == perm[:n_test]
    assert to_np(train.tensors[1]).tolist() == [2 * i for i in perm[n_test:]]
    # The same code on torch's TensorDataset gives the same sizes and rows.
    tds = torch.utils.data.TensorDataset(torch.arange(n), torch.arange(n) * 2)
    ttrain, ttest = _split._train_test_split(torch, tds, frac, seed)
    assert isinstance(ttrain, torch.utils.data.TensorDataset)
    assert (len(ttrain), len(ttest)) == (len(train), len(test))
    assert ttest.tensors[0].tolist() == perm[:n_test]


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(1, 40), min_size=1, max_size=6),
       frac=st.floats(0.05, 0.95), seed=st.integers(0, 1000))
def test_stratified_split(counts, frac, seed):
    labels = np.repeat(np.arange(len(counts)), counts)
    n = len(labels)
    n_test = expected_test_count(frac, n)
    if not 0 < n_test < n:
        return
    ds = TensorDataset(glasstorch.arange(n), glasstorch.from_numpy(labels))
    train, test = D.train_test_split(ds, frac, seed=seed, stratify=True)
    assert len(test) == n_test and len(train) == n - n_test
    assert sorted(train.indices + test.indices) == list(range(n))
    test_counts = np.bincount(labels[test.indices], minlength=len(counts))
    for c, k in enumerate(counts):
        assert abs(test_counts[c] - n_test * k / n) < 1  # each class keeps its share
    # Identical split when the same code runs on torch.
    tds = torch.utils.data.TensorDataset(torch.arange(n), torch.from_numpy(labels))
    ttrain, ttest = _split._train_test_split(torch, tds, frac, seed, True)
    assert ttest.indices == test.indices and ttrain.indices == train.indices


def test_split_bundled_keeps_description_and_images():
    ds = D.load_digits()
    train, test = D.train_test_split(ds, 0.25, seed=3, stratify=True)
    assert isinstance(train, D.BundledDataset) and train.class_names == ds.class_names
    assert len(test) == math.ceil(0.25 * 1797) and len(train) + len(test) == 1797
    assert np.array_equal(to_np(test.images).reshape(len(test), 64), to_np(test.features))
    assert np.array_equal(to_np(test.features), to_np(ds.features)[test.indices])
    counts = np.bincount(to_np(test.targets), minlength=10)
    assert counts.min() >= 43 and counts.max() <= 46
    # deterministic from the seed
    again = D.train_test_split(ds, 0.25, seed=3, stratify=True)[1]
    assert again.indices == test.indices
    assert D.train_test_split(ds, 0.25, seed=4)[1].indices != test.indices


def test_split_generic_dataset_gives_subsets():
    class Squares(glasstorch.utils.data.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return i * i, i % 2

    train, test = D.train_test_split(Squares(), test_size=3, seed=0, stratify=True)
    assert isinstance(train, Subset) and len(test) == 3 and len(train) == 7
    assert sorted(list(train.indices) + list(test.indices)) == list(range(10))


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, -0.1, 0, 10, 11, -1])
def test_split_rejects_bad_test_size(bad):
    ds = TensorDataset(glasstorch.arange(10))
    with pytest.raises(ValueError):
        D.train_test_split(ds, bad)


def test_split_rejects_non_numbers():
    with pytest.raises(TypeError):
        D.train_test_split(TensorDataset(glasstorch.arange(10)), "0.2")
    with pytest.raises(ValueError):
        D.train_test_split(TensorDataset(glasstorch.arange(4)), 0.5,
                           stratify=[0, 1])  # wrong number of labels


# --------------------------------------------------------------------------- Standardize


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 60), f=st.integers(1, 6), seed=st.integers(0, 10_000),
       scale=st.floats(1e-2, 1e3))
def test_standardize_matches_torch(n, f, seed, scale):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, f)) * scale + rng.standard_normal(f) * scale).astype(np.float32)
    x[:, 0] = 3.0  # a constant column: centred, not divided by zero
    z = D.Standardize().fit_transform(glasstorch.from_numpy(x.copy()))
    tx = torch.from_numpy(x.astype(np.float64))
    mean, std = tx.mean(0), tx.std(0, correction=0)  # population std, as documented
    std[std == 0] = 1.0
    expected = ((tx - mean) / std).numpy()
    got = to_np(z)
    assert z.dtype == glasstorch.float32 and np.isfinite(got).all()
    assert np.allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert np.all(got[:, 0] == 0.0)
    # The very same Standardize code on torch tensors gives the same numbers.
    tz = D.Standardize().fit_transform(torch.from_numpy(x.copy()))
    assert isinstance(tz, torch.Tensor) and tz.dtype == torch.float32
    assert np.array_equal(tz.numpy(), got)


def test_standardize_fit_on_train_apply_to_test():
    train, test = D.train_test_split(D.load_wine(), 0.3, seed=0, stratify=True)
    s = D.Standardize().fit(train)
    ztrain, ztest = s(train), s.transform(test)
    assert isinstance(ztest, D.BundledDataset) and ztest.targets is test.targets
    assert ztest.indices == test.indices
    zt = to_np(ztrain.features).astype(np.float64)
    assert np.allclose(zt.mean(0), 0, atol=1e-5) and np.allclose(zt.std(0), 1, atol=1e-5)
    # test features use the training statistics
    t = torch.from_numpy(to_np(train.features).astype(np.float64))
    m, sd = t.mean(0), t.std(0, correction=0)
    expected = (torch.from_numpy(to_np(test.features).astype(np.float64)) - m) / sd
    assert np.allclose(to_np(ztest.features), expected.numpy(), rtol=1e-5, atol=1e-5)
    # one sample at a time, as a per-sample transform
    assert np.allclose(to_np(s(test[0][0])), to_np(ztest.features[0]), atol=1e-6)
    back = s.inverse_transform(ztest.features)
    assert np.allclose(to_np(back), to_np(test.features), rtol=1e-5, atol=1e-3)
    assert repr(s) == "Standardize(num_features=13)"
    s2 = D.Standardize().load_state_dict(s.state_dict())
    assert np.array_equal(to_np(s2(test.features)), to_np(ztest.features))


def test_standardize_subset_and_plain_dataset():
    ds = D.load_iris()
    sub = Subset(ds, [0, 5, 60, 149])
    z = D.Standardize().fit(ds)(sub)
    assert len(z) == 4 and z.indices == [0, 5, 60, 149]
    assert np.array_equal(to_np(z.targets), to_np(ds.targets)[[0, 5, 60, 149]])
    plain = TensorDataset(ds.features, ds.targets)
    zp = D.Standardize().fit_transform(plain)
    assert type(zp) is TensorDataset and zp.tensors[1] is ds.targets
    digits = D.Standardize().fit_transform(D.load_digits())
    assert tuple(digits.images.shape) == (1797, 8, 8)
    assert np.array_equal(to_np(digits.images).reshape(1797, 64), to_np(digits.features))


def test_standardize_errors():
    with pytest.raises(RuntimeError):
        D.Standardize().transform(glasstorch.ones(2, 2))
    with pytest.raises(ValueError):
        D.Standardize().fit(glasstorch.ones(3))
    with pytest.raises(TypeError):
        D.Standardize().fit([[1.0, 2.0]])


# --------------------------------------------------------------------------- generators

GENERATED = {
    "moons": (lambda **k: D.make_moons(**k),
              lambda **k: _synthetic._moons(torch, k["n_samples"], k["noise"], k["seed"], True)),
    "circles": (lambda **k: D.make_circles(**k),
                lambda **k: _synthetic._circles(torch, k["n_samples"], k["noise"], 0.5,
                                                k["seed"], True)),
    "spirals": (lambda **k: D.make_spirals(**k),
                lambda **k: _synthetic._spirals(torch, k["n_samples"], 3, k["noise"], 1.0,
                                                k["seed"], True)),
    "blobs": (lambda **k: D.make_blobs(**k),
              lambda **k: _synthetic._blobs(torch, k["n_samples"], 3, 2, k["noise"],
                                            (-10.0, 10.0), k["seed"], True)[:2]),
    "regression_1d": (lambda **k: D.make_regression_1d(**k),
                      lambda **k: _synthetic._regression_1d(torch, k["n_samples"], k["noise"],
                                                            (-3.0, 3.0), np.sin, k["seed"])),
}


@pytest.mark.parametrize("name", list(GENERATED))
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_generators_match_the_same_code_on_torch(name, seed):
    ours, theirs = GENERATED[name]
    ds = ours(n_samples=97, noise=0.2, seed=seed)
    x, y = theirs(n_samples=97, noise=0.2, seed=seed)
    assert isinstance(ds, TensorDataset) and len(ds) == 97
    assert ds.features.dtype == glasstorch.float32
    assert np.array_equal(to_np(ds.features), x) and np.array_equal(to_np(ds.targets), y)
    if name == "regression_1d":
        assert ds.targets.dtype == glasstorch.float32
        assert tuple(ds.features.shape) == (97, 1) and tuple(ds.targets.shape) == (97, 1)
    else:
        assert ds.targets.dtype == glasstorch.int64 and tuple(ds.features.shape) == (97, 2)
        counts = np.bincount(to_np(ds.targets))
        assert counts.max() - counts.min() <= 1  # balanced classes
    again = ours(n_samples=97, noise=0.2, seed=seed)
    assert np.array_equal(to_np(again.features), to_np(ds.features))
    other = ours(n_samples=97, noise=0.2, seed=seed + 1)
    assert not np.array_equal(to_np(other.features), to_np(ds.features))


def test_generator_geometry_without_noise():
    m = D.make_moons(n_samples=101, noise=0.0)
    x, y = to_np(m.features).astype(np.float64), to_np(m.targets)
    upper, lower = x[y == 0], x[y == 1]
    assert len(upper) == 51 and len(lower) == 50
    assert np.allclose((upper ** 2).sum(1), 1.0, atol=1e-6)
    assert np.allclose(((lower - [1.0, 0.5]) ** 2).sum(1), 1.0, atol=1e-6)
    c = D.make_circles(n_samples=60, noise=0.0, factor=0.3)
    r = np.sqrt((to_np(c.features).astype(np.float64) ** 2).sum(1))
    assert np.allclose(r[to_np(c.targets) == 0], 1.0, atol=1e-6)
    assert np.allclose(r[to_np(c.targets) == 1], 0.3, atol=1e-6)
    s = D.make_spirals(n_samples=50, n_classes=5)
    assert s.num_classes == 5 and np.bincount(to_np(s.targets)).tolist() == [10] * 5
    b = D.make_blobs(n_samples=40, noise=0.0, centers=[[0.0, 0.0, 1.0], [5.0, 5.0, 5.0]])
    assert b.num_features == 3 and b.task == "binary"
    xb, yb = to_np(b.features), to_np(b.targets)
    assert np.array_equal(xb[yb == 1], np.full((20, 3), 5.0, np.float32))
    r1 = D.make_regression_1d(n_samples=30, noise=0.0, x_range=(0.0, 1.0), fn=np.exp)
    xr = to_np(r1.features).astype(np.float64)
    assert xr.min() >= 0.0 and xr.max() < 1.0
    assert np.allclose(to_np(r1.targets), np.exp(xr), rtol=1e-6)


def test_generator_own_generator_and_errors():
    g = glasstorch.Generator().manual_seed(5)
    a = D.make_moons(n_samples=20, generator=g)
    b = D.make_moons(n_samples=20, seed=5)
    assert np.array_equal(to_np(a.features), to_np(b.features))
    for bad in (dict(n_samples=1), dict(noise=-1.0), dict(n_samples=2.5)):
        with pytest.raises((ValueError, TypeError)):
            D.make_moons(**bad)
    with pytest.raises(ValueError):
        D.make_circles(factor=1.0)
    with pytest.raises(ValueError):
        D.make_spirals(n_classes=0)
    with pytest.raises(ValueError):
        D.make_blobs(centers=0)


def test_dataloader_over_a_bundled_dataset():
    from glasstorch.utils.data import DataLoader

    train, _ = D.train_test_split(D.load_iris(), 0.2, seed=0, stratify=True)
    batches = list(DataLoader(train, batch_size=32, shuffle=False))
    assert [tuple(xb.shape) for xb, _ in batches] == [(32, 4), (32, 4), (32, 4), (24, 4)]
    assert all(yb.dtype == glasstorch.int64 for _, yb in batches)
