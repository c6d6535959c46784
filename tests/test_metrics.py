"""glasstorch.metrics against direct NumPy computations and torch.

Accuracy and confusion matrices are compared with the same computation written in torch; the
calibration functions with a literal NumPy loop over the bins of the standard definition.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch
from glasstorch import metrics

SETTINGS = settings(max_examples=30, deadline=None)


def _logits(seed: int, n: int, c: int, scale: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, c)) * scale).astype(np.float32)


def _labels(seed: int, n: int, c: int) -> np.ndarray:
    return np.random.default_rng(seed + 1).integers(0, c, n)


def _ece_reference(conf: np.ndarray, correct: np.ndarray, n_bins: int):
    """The textbook loop: bins (lo, hi], weight |acc - conf| by the share of examples."""
    edges = np.linspace(0, 1, n_bins + 1)
    ece, counts, accs, confs = 0.0, [], [], []
    for b in range(n_bins):
        lo, hi = edges[b], edges[b + 1]
        inside = (conf > lo) & (conf <= hi)
        if b == 0:
            inside |= conf == 0
        counts.append(int(inside.sum()))
        if inside.any():
            acc, cf = correct[inside].mean(), conf[inside].mean()
            ece += inside.mean() * abs(acc - cf)
        else:
            acc = cf = 0.0
        accs.append(acc)
        confs.append(cf)
    return ece, np.array(counts), np.array(accs), np.array(confs)


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 60), st.integers(2, 6))
def test_accuracy_and_confusion_match_torch(seed, n, c):
    z, y = _logits(seed, n, c), _labels(seed, n, c)
    tz, ty = torch.from_numpy(z), torch.from_numpy(y)
    gz, gy = glasstorch.from_numpy(z), glasstorch.from_numpy(y)
    expected = (tz.argmax(1) == ty).float().mean().item()
    assert metrics.accuracy(gz, gy) == pytest.approx(expected, abs=1e-7)
    # labels in, and NumPy arrays in, give the same
    assert metrics.accuracy(gz.argmax(1), gy) == pytest.approx(expected, abs=1e-7)
    assert metrics.accuracy(z, y) == pytest.approx(expected, abs=1e-7)

    cm = metrics.confusion_matrix(gz, gy, num_classes=c)
    ref = torch.bincount(ty * c + tz.argmax(1), minlength=c * c).reshape(c, c)
    assert cm.dtype == glasstorch.int64
    assert cm.shape == (c, c)
    np.testing.assert_array_equal(cm.numpy(), ref.numpy())
    assert int(cm.sum().item()) == n
    # accuracy is the trace share of the confusion matrix
    assert np.trace(cm.numpy()) / n == pytest.approx(expected)


def test_confusion_matrix_infers_classes_from_scores():
    z, y = _logits(0, 20, 5), _labels(0, 20, 3)
    cm = metrics.confusion_matrix(glasstorch.from_numpy(z), glasstorch.from_numpy(y))
    assert cm.shape == (5, 5)
    with pytest.raises(ValueError):
        metrics.confusion_matrix(glasstorch.tensor([0, 3]), glasstorch.tensor([0, 1]),
                                 num_classes=2)


def test_binary_accuracy_with_threshold_matches_torch():
    rng = np.random.default_rng(3)
    p = rng.random(50).astype(np.float32)
    y = rng.integers(0, 2, 50)
    expected = ((torch.from_numpy(p) > 0.5).long() == torch.from_numpy(y)).float().mean().item()
    got = metrics.accuracy(glasstorch.from_numpy(p), glasstorch.from_numpy(y), threshold=0.5)
    assert got == pytest.approx(expected)
    # a one-column head (N, 1) against (N,) or (N, 1) float targets, as with BCEWithLogitsLoss
    logit = glasstorch.from_numpy(np.log(p / (1 - p)))
    yf = glasstorch.from_numpy(y.astype(np.float32))
    assert metrics.accuracy(logit.unsqueeze(1), yf, threshold=0.0) == pytest.approx(expected)
    assert metrics.accuracy(logit.unsqueeze(1), yf.unsqueeze(1), threshold=0.0) == \
        pytest.approx(expected)
    with pytest.raises(ValueError, match="threshold"):
        metrics.accuracy(glasstorch.from_numpy(p), glasstorch.from_numpy(y))


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 80), st.integers(2, 5))
def test_precision_recall_f1_match_numpy(seed, n, c):
    z, y = _logits(seed, n, c), _labels(seed, n, c)
    pred = z.argmax(1)
    p, r, f = metrics.precision_recall_f1(glasstorch.from_numpy(z), glasstorch.from_numpy(y), c)
    for k in range(c):
        tp = np.sum((pred == k) & (y == k))
        n_pred, n_true = np.sum(pred == k), np.sum(y == k)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_true if n_true else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        assert p[k].item() == pytest.approx(prec, abs=1e-6)
        assert r[k].item() == pytest.approx(rec, abs=1e-6)
        assert f[k].item() == pytest.approx(f1, abs=1e-6)


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 40), st.integers(2, 6))
def test_softmax_confidence_and_nll_match_torch(seed, n, c):
    z, y = _logits(seed, n, c), _labels(seed, n, c)
    conf, pred = metrics.softmax_confidence(glasstorch.from_numpy(z))
    tp = torch.softmax(torch.from_numpy(z), 1)
    ref_conf, ref_pred = tp.max(1)
    np.testing.assert_allclose(conf.numpy(), ref_conf.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(pred.numpy(), ref_pred.numpy())
    for t in (0.5, 1.0, 2.5):
        ref = torch.nn.functional.cross_entropy(torch.from_numpy(z).double() / t,
                                                torch.from_numpy(y)).item()
        assert metrics.nll(glasstorch.from_numpy(z), glasstorch.from_numpy(y), t) == \
            pytest.approx(ref, rel=1e-9, abs=1e-12)


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 200), st.integers(2, 5), st.integers(1, 20))
def test_reliability_diagram_and_ece_match_the_textbook_loop(seed, n, c, n_bins):
    z, y = _logits(seed, n, c), _labels(seed, n, c)
    probs = np.exp(z - z.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    conf = probs.astype(np.float64).max(1)
    correct = (probs.argmax(1) == y).astype(np.float64)
    ece, counts, accs, confs = _ece_reference(conf, correct, n_bins)
    rd = metrics.reliability_diagram(glasstorch.from_numpy(probs), glasstorch.from_numpy(y),
                                     n_bins)
    np.testing.assert_array_equal(rd.counts.numpy(), counts)
    np.testing.assert_allclose(rd.accuracy.numpy(), accs, atol=1e-6)
    np.testing.assert_allclose(rd.confidence.numpy(), confs, atol=1e-6)
    assert rd.ece == pytest.approx(ece, abs=1e-9)
    assert metrics.expected_calibration_error(probs, y, n_bins) == pytest.approx(ece, abs=1e-9)
    # from logits: softmax inside gives the same bins
    ece_logits = metrics.expected_calibration_error(z, y, n_bins, from_logits=True)
    assert ece_logits == pytest.approx(ece, abs=1e-5)
    assert rd.edges.shape == (n_bins + 1,)
    assert 0.0 <= rd.ece <= rd.mce + 1e-12 <= 1.0 + 1e-12


def test_ece_of_a_calibrated_model_is_near_zero_and_of_an_overconfident_one_is_not():
    rng = np.random.default_rng(0)
    n = 200_000
    p1 = rng.random(n)                      # the model's P(class 1)
    y = (rng.random(n) < p1).astype(np.int64)  # the world agrees with it: calibrated
    ece = metrics.expected_calibration_error(glasstorch.from_numpy(p1), glasstorch.from_numpy(y),
                                             15)
    assert ece < 0.01
    sharp = np.where(p1 > 0.5, 0.999, 0.001)  # same predictions, claimed near-certain
    assert metrics.expected_calibration_error(sharp, y, 15) > 0.2


def test_temperature_scaling_fixes_an_overconfident_model():
    rng = np.random.default_rng(1)
    n, c = 4000, 5
    true_logits = rng.normal(size=(n, c)) * 1.5
    p = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    y = np.array([rng.choice(c, p=row) for row in p])
    model_logits = (true_logits * 4.0).astype(np.float32)  # 4x too sharp
    gz, gy = glasstorch.from_numpy(model_logits), glasstorch.from_numpy(y)
    t = metrics.fit_temperature(gz, gy)
    assert isinstance(t, float)
    assert 3.3 < t < 4.8
    before, after = metrics.nll(gz, gy), metrics.nll(gz, gy, t)
    assert after < before
    # it is the minimum: no temperature on a fine grid does better
    grid = np.exp(np.linspace(np.log(0.5), np.log(10), 400))
    assert after <= min(metrics.nll(gz, gy, g) for g in grid) + 1e-7
    ece_before = metrics.expected_calibration_error(gz, gy, from_logits=True)
    ece_after = metrics.expected_calibration_error(metrics.apply_temperature(gz, t), gy,
                                                   from_logits=True)
    assert ece_after < ece_before
    # dividing by T keeps every prediction
    np.testing.assert_array_equal(metrics.apply_temperature(gz, t).numpy().argmax(1),
                                  model_logits.argmax(1))


def test_temperature_of_a_calibrated_model_is_about_one_and_binary_logits_work():
    rng = np.random.default_rng(2)
    z = rng.normal(size=20_000) * 2
    y = (rng.random(20_000) < 1 / (1 + np.exp(-z))).astype(np.int64)
    t = metrics.fit_temperature(z, y)
    assert abs(t - 1) < 0.08


def test_selective_accuracy_matches_numpy():
    z, y = _logits(5, 300, 4), _labels(5, 300, 4)
    probs = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    th, cov, acc = metrics.selective_accuracy(probs, y, thresholds=[0.0, 0.5, 0.9, 1.01])
    conf, pred = probs.max(1), probs.argmax(1)
    for k, t in enumerate([0.0, 0.5, 0.9, 1.01]):
        answered = conf >= t
        assert cov[k].item() == pytest.approx(answered.mean(), abs=1e-6)
        if answered.any():
            assert acc[k].item() == pytest.approx((pred[answered] == y[answered]).mean(),
                                                  abs=1e-6)
        else:
            assert math.isnan(acc[k].item())
    th, cov, _ = metrics.selective_accuracy(probs, y)
    assert np.all(np.diff(cov.numpy()) <= 0)  # a higher bar answers fewer


def test_metrics_do_not_touch_the_graph():
    z = glasstorch.randn(6, 3, requires_grad=True)
    y = glasstorch.tensor([0, 1, 2, 0, 1, 2])
    metrics.accuracy(z, y)
    metrics.expected_calibration_error(z, y, from_logits=True)
    conf, _ = metrics.softmax_confidence(z)
    assert not conf.requires_grad
    assert z.grad is None
