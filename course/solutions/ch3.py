"""Reference solutions for the exercises of chapter 3 (ReLU, learning rate, momentum, data)."""

import os

if os.environ.get("COURSE_BACKEND") == "torch":
    import torch
else:
    import glasstorch as torch


def gradient_descent(grad, x0, lr, steps):
    """Return x after `steps` updates x <- x - lr * grad(x), starting from x0."""
    x = x0
    for _ in range(steps):
        x = x - lr * grad(x)
    return x


def momentum_descent(grad, x0, lr, momentum, steps):
    """Return x after `steps` SGD-with-momentum updates (PyTorch's rule), from x0."""
    x, velocity = x0, 0.0
    for _ in range(steps):
        velocity = momentum * velocity + grad(x)
        x = x - lr * velocity
    return x


def make_loader(x, y, batch_size, seed):
    """A shuffling DataLoader over TensorDataset(x, y), reproducible from `seed`."""
    return torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )


def train_one_epoch(model, loader, loss_fn, optimizer):
    """Train for one pass over `loader`; return the mean loss per example (a float)."""
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    return total / count


def evaluate(model, x, y, loss_fn):
    """(loss, accuracy) of `model` on (x, y) as floats, in eval mode, without a graph."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = loss_fn(logits, y).item()
        accuracy = (logits.argmax(dim=1) == y).float().mean().item()
    return loss, accuracy
