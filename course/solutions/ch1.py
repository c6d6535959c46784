"""Reference solutions for the exercises of chapter 1 (tensors, linear layers, activations)."""

import os

if os.environ.get("COURSE_BACKEND") == "torch":
    import torch
else:
    import glasstorch as torch

nn = torch.nn


def affine(x, weight, bias):
    """Return x @ weight.T + bias."""
    return x @ weight.T + bias


def relu(z):
    """Return max(0, z) element-wise, same shape and dtype as z."""
    return torch.where(z > 0, z, torch.zeros_like(z))


def softmax(z):
    """Softmax over the last dimension; must not overflow for scores like 1000."""
    shifted = z - z.max(dim=-1, keepdim=True).values  # the largest score becomes 0: exp <= 1
    e = torch.exp(shifted)
    return e / e.sum(dim=-1, keepdim=True)


def count_parameters(model):
    """Total number of learnable values (an int)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def make_mlp(n_in, n_hidden, n_out):
    """nn.Sequential(Linear(n_in, n_hidden), ReLU(), Linear(n_hidden, n_out))."""
    return nn.Sequential(nn.Linear(n_in, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_out))
