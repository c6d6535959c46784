"""Evaluation metrics: accuracy, confusion matrix, calibration, temperature scaling.

Everything here is measurement, not training, so it works on plain NumPy copies of the tensors
(no graph is recorded) and accepts tensors, NumPy arrays or lists. Counts come back as int64
tensors, per-class scores and bin data as float tensors, single numbers as Python floats.

Conventions used throughout:

- ``output`` may be class scores (logits or probabilities) of shape ``(N, C)`` -- the predicted
  class is the arg-max of the last dimension -- or already predicted labels of shape ``(N,)``.
- Calibration functions take ``probs`` of shape ``(N, C)`` (rows summing to 1) or, for a binary
  classifier, ``(N,)`` holding P(class 1). Pass ``from_logits=True`` to give raw scores instead.
- A model's *confidence* on an example is the probability it gives to the class it predicts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from glasstorch import Tensor

__all__ = [
    "accuracy",
    "confusion_matrix",
    "precision_recall_f1",
    "classification_report",
    "softmax",
    "softmax_confidence",
    "nll",
    "expected_calibration_error",
    "maximum_calibration_error",
    "reliability_diagram",
    "ReliabilityDiagram",
    "fit_temperature",
    "apply_temperature",
    "selective_accuracy",
]


def _np(x) -> np.ndarray:
    """A NumPy view/copy of a tensor, array or list (never part of the autograd graph)."""
    if isinstance(x, Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def _tensor(a: np.ndarray) -> Tensor:
    from glasstorch import from_numpy

    return from_numpy(np.ascontiguousarray(a))


def _float_tensor(a: np.ndarray) -> Tensor:
    # per-class scores and bin data in the default dtype, as torch would hand them back
    from glasstorch import get_default_dtype

    return _tensor(np.asarray(a, dtype=np.float64)).to(get_default_dtype())


def _labels(output, target=None, threshold: float | None = None) -> np.ndarray:
    """Predicted labels from scores (N, C), binary scores (N,) with a threshold, or labels."""
    out = _np(output)
    tgt = None if target is None else _np(target)
    if out.ndim >= 1 and tgt is not None and out.ndim == tgt.ndim + 1:
        if out.shape[-1] != 1:
            return out.argmax(-1)
        out = out[..., 0]  # a binary head with one output column
    if threshold is not None:
        return (out > threshold).astype(np.int64)
    if np.issubdtype(out.dtype, np.floating):
        if tgt is None and out.ndim == 2:
            return out.argmax(-1)
        if not np.all(out == np.round(out)):
            # scores of a binary classifier: refuse to guess whether they are logits or probs
            raise ValueError("these look like binary scores, not labels: pass threshold=0.0 "
                             "for logits or threshold=0.5 for probabilities")
    return out.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# classification scores
# ---------------------------------------------------------------------------------------------


def accuracy(output, target, *, threshold: float | None = None) -> float:
    """Share of examples whose predicted class equals the target.

    ``output`` is ``(N, C)`` scores (arg-max is taken), ``(N,)`` labels, or ``(N,)`` binary
    scores with ``threshold`` (e.g. 0.5 for probabilities, 0.0 for logits).
    """
    tgt = _np(target)
    pred = _labels(output, tgt, threshold)
    if pred.shape != tgt.shape:
        raise ValueError(f"accuracy: predictions of shape {pred.shape} do not match targets of "
                         f"shape {tgt.shape}")
    if tgt.size == 0:
        return float("nan")
    return float(np.mean(pred == tgt))


def confusion_matrix(output, target, num_classes: int | None = None, *,
                     threshold: float | None = None) -> Tensor:
    """``(C, C)`` int64 counts: row = true class, column = predicted class."""
    tgt = _np(target).astype(np.int64).reshape(-1)
    pred = _labels(output, _np(target), threshold).astype(np.int64).reshape(-1)
    if num_classes is None:
        out = _np(output)
        from_scores = out.ndim == _np(target).ndim + 1
        num_classes = int(max(tgt.max(initial=-1), pred.max(initial=-1)) + 1)
        if from_scores:
            num_classes = max(num_classes, out.shape[-1])
    if (tgt < 0).any() or (pred < 0).any() or (tgt >= num_classes).any() or (
            pred >= num_classes).any():
        raise ValueError(f"confusion_matrix: labels must lie in [0, {num_classes})")
    # one bincount over the pair index true*C + pred counts every (true, pred) cell at once
    counts = np.bincount(tgt * num_classes + pred, minlength=num_classes * num_classes)
    return _tensor(counts.reshape(num_classes, num_classes).astype(np.int64))


def precision_recall_f1(output, target, num_classes: int | None = None, *,
                        threshold: float | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Per-class precision, recall and F1 (0 where a ratio has no examples), from the
    confusion matrix: precision = TP / predicted, recall = TP / actual."""
    cm = _np(confusion_matrix(output, target, num_classes, threshold=threshold)).astype(np.float64)
    tp = np.diag(cm)
    predicted = cm.sum(0)
    actual = cm.sum(1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return _float_tensor(precision), _float_tensor(recall), _float_tensor(f1)


def classification_report(output, target, class_names: list[str] | None = None,
                          num_classes: int | None = None, *,
                          threshold: float | None = None, digits: int = 3) -> str:
    """A text table: precision, recall, F1 and support (examples) of every class, then the
    accuracy and the macro average (each class counts the same) and the weighted average
    (each class counts by its support)."""
    if num_classes is None and class_names is not None:
        num_classes = len(class_names)
    cm = _np(confusion_matrix(output, target, num_classes, threshold=threshold))
    precision, recall, f1 = (_np(t) for t in precision_recall_f1(
        output, target, cm.shape[0], threshold=threshold))
    support = cm.sum(1)
    names = list(class_names) if class_names is not None else [str(c) for c in range(len(cm))]
    width = max(12, *(len(n) for n in names))
    head = f"{'':>{width}}  {'precision':>9}  {'recall':>9}  {'f1':>9}  {'support':>7}"
    row = lambda name, p, r, f, n: (  # noqa: E731
        f"{name:>{width}}  {p:>9.{digits}f}  {r:>9.{digits}f}  {f:>9.{digits}f}  {n:>7d}")
    lines = [head, ""]
    lines += [row(n, p, r, f, int(s)) for n, p, r, f, s in
              zip(names, precision, recall, f1, support)]
    total = int(support.sum())
    acc = float(np.trace(cm) / total) if total else float("nan")
    weights = support / total if total else np.zeros_like(precision)
    lines += ["",
              f"{'accuracy':>{width}}  {'':>9}  {'':>9}  {acc:>9.{digits}f}  {total:>7d}",
              row("macro avg", precision.mean(), recall.mean(), f1.mean(), total),
              row("weighted avg", (precision * weights).sum(), (recall * weights).sum(),
                  (f1 * weights).sum(), total)]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# probabilities and confidence
# ---------------------------------------------------------------------------------------------


def _softmax_np(z: np.ndarray, axis: int = -1) -> np.ndarray:
    z = z - z.max(axis=axis, keepdims=True)  # shifting by the max keeps exp from overflowing
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax(logits, dim: int = -1) -> Tensor:
    """Probabilities from scores (a detached copy; use ``torch.softmax`` inside a model)."""
    z = _np(logits)
    return _tensor(_softmax_np(z.astype(np.promote_types(z.dtype, np.float32)), dim))


def _probs(probs, from_logits: bool) -> np.ndarray:
    """(N, C) float64 probabilities; a binary (N,) column P(1) becomes [1 - p, p]."""
    p = _np(probs).astype(np.float64)
    if p.ndim == 1:
        if from_logits:
            p = 1.0 / (1.0 + np.exp(-p))
        return np.stack([1.0 - p, p], axis=1)
    if p.ndim != 2:
        raise ValueError(f"expected probabilities of shape (N, C) or (N,), got {p.shape}")
    return _softmax_np(p, 1) if from_logits else p


def softmax_confidence(logits, dim: int = -1) -> tuple[Tensor, Tensor]:
    """``(confidence, prediction)``: the largest softmax probability of each row and its class."""
    p = _np(softmax(logits, dim))
    return _tensor(p.max(dim)), _tensor(p.argmax(dim).astype(np.int64))


def _conf_correct(probs, target, from_logits: bool) -> tuple[np.ndarray, np.ndarray]:
    p = _probs(probs, from_logits)
    tgt = _np(target).astype(np.int64).reshape(-1)
    if p.shape[0] != tgt.shape[0]:
        raise ValueError(f"{p.shape[0]} predictions but {tgt.shape[0]} targets")
    return p.max(1), (p.argmax(1) == tgt).astype(np.float64)


def nll(logits, target, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the targets under softmax(logits / temperature)."""
    z = _np(logits).astype(np.float64) / temperature
    tgt = _np(target).astype(np.int64).reshape(-1)
    z = z - z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return float(-logp[np.arange(len(tgt)), tgt].mean())


# ---------------------------------------------------------------------------------------------
# calibration
# ---------------------------------------------------------------------------------------------


@dataclass
class ReliabilityDiagram:
    """Per-bin data of a reliability diagram (equal-width confidence bins over [0, 1]).

    Bin ``b`` holds the examples with ``edges[b] < confidence <= edges[b+1]`` (a confidence of
    exactly 0 goes to the first bin). Empty bins have count 0 and confidence/accuracy 0.
    """

    edges: Tensor        # (n_bins + 1,) bin boundaries
    confidence: Tensor   # (n_bins,) mean confidence of the examples in each bin
    accuracy: Tensor     # (n_bins,) share of them that were predicted correctly
    counts: Tensor       # (n_bins,) int64 number of examples per bin
    ece: float           # expected calibration error: sum_b counts_b / N * |acc_b - conf_b|
    mce: float           # maximum calibration error: max over non-empty bins of |acc_b - conf_b|

    @property
    def gaps(self) -> Tensor:
        """accuracy - confidence per bin (negative: over-confident)."""
        return self.accuracy - self.confidence


def _bins(conf: np.ndarray, correct: np.ndarray, n_bins: int):
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # side="left" counts interior edges strictly below the confidence: bins are (lo, hi]
    idx = np.searchsorted(edges[1:-1], conf, side="left")
    counts = np.bincount(idx, minlength=n_bins)
    conf_sum = np.bincount(idx, weights=conf, minlength=n_bins)
    acc_sum = np.bincount(idx, weights=correct, minlength=n_bins)
    safe = np.maximum(counts, 1)
    mean_conf = np.where(counts > 0, conf_sum / safe, 0.0)
    mean_acc = np.where(counts > 0, acc_sum / safe, 0.0)
    return edges, mean_conf, mean_acc, counts


def reliability_diagram(probs, target, n_bins: int = 15, *,
                        from_logits: bool = False) -> ReliabilityDiagram:
    """Bin the predictions by confidence; per bin, the mean confidence vs the accuracy.

    A perfectly calibrated model has accuracy == confidence in every bin (the diagonal).
    """
    conf, correct = _conf_correct(probs, target, from_logits)
    edges, mean_conf, mean_acc, counts = _bins(conf, correct, n_bins)
    n = max(len(conf), 1)
    gap = np.abs(mean_acc - mean_conf)
    ece = float(np.sum(counts / n * gap))
    mce = float(gap[counts > 0].max()) if (counts > 0).any() else 0.0
    return ReliabilityDiagram(_float_tensor(edges), _float_tensor(mean_conf),
                              _float_tensor(mean_acc), _tensor(counts.astype(np.int64)),
                              ece, mce)


def expected_calibration_error(probs, target, n_bins: int = 15, *,
                               from_logits: bool = False) -> float:
    """ECE: the count-weighted mean gap |accuracy - confidence| over equal-width bins."""
    return reliability_diagram(probs, target, n_bins, from_logits=from_logits).ece


def maximum_calibration_error(probs, target, n_bins: int = 15, *,
                              from_logits: bool = False) -> float:
    """MCE: the largest gap |accuracy - confidence| over the non-empty bins."""
    return reliability_diagram(probs, target, n_bins, from_logits=from_logits).mce


# ---------------------------------------------------------------------------------------------
# temperature scaling
# ---------------------------------------------------------------------------------------------


def apply_temperature(logits, temperature: float) -> Tensor:
    """``logits / temperature``: T > 1 softens the probabilities, T < 1 sharpens them."""
    return _tensor(_np(logits) / temperature)


def fit_temperature(logits, target, *, bounds: tuple[float, float] = (0.01, 100.0),
                    tol: float = 1e-6) -> float:
    """The temperature T > 0 that minimises the NLL of softmax(logits / T) on held-out data.

    Fit it on a validation set, then divide the test logits by it: the predicted classes do not
    change (dividing by T keeps the arg-max), only the confidences do.

    The NLL is a convex function of 1/T, hence unimodal in log T, so a golden-section search
    over log T inside ``bounds`` finds the minimum without gradients or a line-search
    optimizer. The result is clipped to ``bounds``.
    """
    z = _np(logits).astype(np.float64)
    tgt = _np(target).astype(np.int64).reshape(-1)
    if z.ndim == 1:  # binary logits: the two-class scores are [0, z]
        z = np.stack([np.zeros_like(z), z], axis=1)
    picked = z[np.arange(len(tgt)), tgt]

    def loss(log_t: float) -> float:
        s = z / math.exp(log_t)
        m = s.max(1)
        lse = m + np.log(np.exp(s - m[:, None]).sum(1))
        return float(np.mean(lse - picked / math.exp(log_t)))

    lo, hi = math.log(bounds[0]), math.log(bounds[1])
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    while hi - lo > tol:
        if fa <= fb:  # the minimum is left of b
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    return float(math.exp((lo + hi) / 2))


# ---------------------------------------------------------------------------------------------
# abstaining: answer only when confident
# ---------------------------------------------------------------------------------------------


def selective_accuracy(probs, target, thresholds=None, *,
                       from_logits: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """For each confidence threshold t, answer only the examples with confidence >= t.

    Returns ``(thresholds, coverage, accuracy)``: the share of examples answered and the accuracy
    on those (NaN where nothing is answered). Raising t trades coverage for accuracy.
    """
    conf, correct = _conf_correct(probs, target, from_logits)
    t = np.linspace(0.0, 1.0, 21) if thresholds is None else _np(thresholds).astype(np.float64)
    answered = conf[None, :] >= t[:, None]
    n_ans = answered.sum(1)
    coverage = n_ans / max(len(conf), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.where(n_ans > 0, (answered * correct[None, :]).sum(1) / n_ans, np.nan)
    return _float_tensor(t), _float_tensor(coverage), _float_tensor(acc)
