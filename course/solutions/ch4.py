"""Reference solutions for the exercises of chapter 4 (evaluation, overfitting, hallucination)."""

import os

if os.environ.get("COURSE_BACKEND") == "torch":
    import torch
else:
    import glasstorch as torch


def accuracy(logits, targets):
    """Share of rows whose arg-max equals the target (a float)."""
    return (logits.argmax(dim=1) == targets).float().mean().item()


def confusion_matrix(preds, targets, num_classes):
    """int64 tensor (C, C): [true, predicted] counts."""
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    for t, p in zip(targets.tolist(), preds.tolist()):
        matrix[t, p] += 1
    return matrix


def expected_calibration_error(probs, targets, n_bins):
    """ECE of class probabilities `probs` (N, C) against `targets` (N,), as a float."""
    conf, pred = probs.max(dim=1)
    correct = (pred == targets).float()
    ece = 0.0
    for b in range(n_bins):
        in_bin = (conf > b / n_bins) & (conf <= (b + 1) / n_bins)
        n = int(in_bin.sum().item())
        if n:
            gap = abs(conf[in_bin].mean().item() - correct[in_bin].mean().item())
            ece += n / len(targets) * gap
    return ece


def predict_or_abstain(logits, threshold):
    """Arg-max class per row (int64), or -1 where max softmax probability < threshold."""
    conf, pred = torch.softmax(logits, dim=1).max(dim=1)
    return torch.where(conf >= threshold, pred, torch.full_like(pred, -1))


def early_stopping(val_losses, patience):
    """(stop_epoch, best_epoch), epochs numbered from 1."""
    best_epoch, best_loss, waited = 0, float("inf"), 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_epoch, best_loss, waited = epoch, loss, 0
        else:
            waited += 1
            if waited == patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
