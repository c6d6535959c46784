"""``glasstorch train``: the course's training loop on a bundled dataset, end to end.

It is written exactly as a PyTorch course script would be (Dataset -> DataLoader -> model ->
loss -> optimizer -> epochs), so reading this file is reading a PyTorch training script.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import glasstorch as torch
from glasstorch import nn

ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "silu": nn.SiLU,
}
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 0.05}
DEFAULT_LR_CNN = {"sgd": 0.03}  # the CNN's SGD steps smaller (others as DEFAULT_LR)


def register(sub) -> None:
    from glasstorch import datasets

    p = sub.add_parser(
        "train",
        help="train an MLP (or a CNN) on a bundled dataset (digits by default)",
        description="Train a multi-layer perceptron, or a small convolutional network on the "
        "digit images, on a dataset that ships with glasstorch, with a train/validation split. "
        "Prints the loss and accuracy of every epoch, then saves a checkpoint in PyTorch's file "
        "format and a PNG of the learning curves.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--dataset", default="digits", choices=datasets.available(),
                   help="which bundled dataset to learn; the loss and output layer follow its "
                   "task: cross-entropy for classes, BCE-with-logits for yes/no, MSE for numbers")
    p.add_argument("--model", default="mlp", choices=("mlp", "cnn"),
                   help="mlp: Linear layers on the features; cnn: convolution blocks (3x3 "
                   "convolution, activation, 2x2 max pooling) on images, then a Linear layer "
                   "(image datasets only: digits)")
    p.add_argument("--hidden", default="128",
                   help="hidden layer widths of the MLP, comma-separated (e.g. 256,128 for two "
                   "layers; 0 or empty for a linear model)")
    p.add_argument("--channels", default="16,32",
                   help="feature maps of the CNN's convolution blocks, comma-separated (each "
                   "block halves the image's height and width)")
    p.add_argument("--activation", default="relu", choices=sorted(ACTIVATIONS),
                   help="the non-linearity after every hidden layer")
    p.add_argument("--optimizer", default="sgd", choices=OPTIMIZERS,
                   help="the update rule for the parameters")
    p.add_argument("--lr", type=float, default=None,
                   help="learning rate: the step size of every update (default: 0.05 for SGD "
                   "(0.03 for the CNN) and Adagrad, 0.001 for Adam, AdamW and RMSprop)")
    p.add_argument("--momentum", type=float, default=0.9,
                   help="momentum of SGD and RMSprop: how much of the previous step is kept")
    p.add_argument("--epochs", type=int, default=20,
                   help="passes over the training data")
    p.add_argument("--batch-size", type=int, default=32,
                   help="examples per gradient step (a mini-batch)")
    p.add_argument("--dropout", type=float, default=0.0,
                   help="probability of zeroing each hidden activation (the CNN: each feature "
                   "going into its Linear layer) while training (regularisation; 0 disables)")
    p.add_argument("--weight-decay", type=float, default=0.0,
                   help="L2 penalty on the weights added by the optimizer (regularisation)")
    p.add_argument("--val-fraction", type=float, default=0.2,
                   help="share of the data held out for validation")
    p.add_argument("--seed", type=int, default=0,
                   help="random seed: the same seed gives the same run (and the same numbers "
                   "as PyTorch)")
    p.add_argument("--workers", type=int, default=0,
                   help="DataLoader worker processes (0 loads in the main process)")
    p.add_argument("--out", default=None,
                   help="folder for the checkpoint, curves and history (default: "
                   "runs/<dataset>)")
    p.add_argument("--no-progress", action="store_true",
                   help="do not draw progress bars (they are also off when output is not a "
                   "terminal)")
    p.set_defaults(run=run)


def build_model(n_in: int, hidden: list[int], n_out: int, activation: str,
                dropout: float) -> nn.Sequential:
    """Linear -> activation (-> Dropout) for each hidden width, then a Linear output layer."""
    layers: list[nn.Module] = []
    width = n_in
    for h in hidden:
        layers += [nn.Linear(width, h), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def build_cnn(image_shape: tuple[int, int], channels: list[int], n_out: int,
              activation: str, dropout: float) -> nn.Sequential:
    """Pixel rows (N, H*W) viewed as images (N, 1, H, W); then per block a 3x3 convolution
    (padding 1 keeps the size), the activation and 2x2 max pooling (halves it); then the
    feature maps flattened into a Linear layer (Dropout before it)."""
    height, width = image_shape
    layers: list[nn.Module] = [nn.Unflatten(1, (1, height, width))]
    maps = 1
    for c in channels:
        layers += [nn.Conv2d(maps, c, 3, padding=1), ACTIVATIONS[activation](), nn.MaxPool2d(2)]
        maps, height, width = c, height // 2, width // 2
    layers.append(nn.Flatten())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(maps * height * width, n_out))
    return nn.Sequential(*layers)


def make_optimizer(name: str, params, lr: float, momentum: float, weight_decay: float):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    return torch.optim.Adagrad(params, lr=lr, weight_decay=weight_decay)


class Task:
    """What a dataset's targets mean: how many outputs, which loss, which score."""

    def __init__(self, kind: str, num_classes: int | None) -> None:
        self.kind = kind
        if kind == "multiclass":
            self.n_out, self.loss = num_classes, nn.CrossEntropyLoss()
            self.score_name = "acc"
        elif kind == "binary":
            self.n_out, self.loss = 1, nn.BCEWithLogitsLoss()
            self.score_name = "acc"
        else:
            self.n_out, self.loss = 1, nn.MSELoss()
            self.score_name = "R2"

    def prepare(self, output, target):
        """Shape the model output and target the way the loss expects."""
        if self.kind == "multiclass":
            return output, target
        return output, target.float().reshape(output.shape)  # (N, 1) both: no broadcasting

    def correct(self, output, target) -> float:
        """Number of right answers in a batch (classification only)."""
        if self.kind == "multiclass":
            return (output.argmax(1) == target).sum().item()
        return ((output > 0).long().reshape(target.shape) == target).sum().item()


def evaluate(model, loader, task: Task) -> tuple[float, float]:
    """Mean loss and score over a loader, in eval mode and without recording gradients."""
    model.eval()
    total, n, correct = 0.0, 0, 0.0
    targets, outputs = [], []
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            total += task.loss(*task.prepare(out, y)).item() * len(y)
            n += len(y)
            if task.kind == "regression":
                targets.append(y.reshape(out.shape))
                outputs.append(out)
            else:
                correct += task.correct(out, y)
    model.train()
    if task.kind == "regression":
        y, p = torch.cat(targets), torch.cat(outputs)
        r2 = 1 - ((y - p) ** 2).sum().item() / max(((y - y.mean()) ** 2).sum().item(), 1e-12)
        return total / n, r2
    return total / n, correct / n


def run(args) -> int:
    from glasstorch import datasets

    hidden = [int(h) for h in args.hidden.split(",") if h.strip() and int(h) > 0]
    cnn = args.model == "cnn"
    default_lr = (DEFAULT_LR_CNN if cnn else {}).get(args.optimizer, DEFAULT_LR[args.optimizer])
    lr = args.lr if args.lr is not None else default_lr
    out_dir = args.out or os.path.join("runs", args.dataset)
    os.makedirs(out_dir, exist_ok=True)
    progress = not args.no_progress and sys.stderr.isatty()

    torch.manual_seed(args.seed)
    data = datasets.load(args.dataset)
    if cnn and getattr(data, "images", None) is None:
        print(f"--model cnn needs images, and {args.dataset} has none: use --dataset digits "
              "(8x8 images), or --model mlp for this dataset")
        return 2
    train_set, val_set = datasets.train_test_split(
        data, test_size=args.val_fraction, seed=args.seed,
        stratify=data.task != "regression")
    scaler = datasets.Standardize().fit(train_set)
    if cnn:
        # images are normalised with one mean and std for all pixels, as image pipelines do,
        # so that neighbouring pixels keep their relative brightness for the convolutions
        pixels = train_set.tensors[0]
        scaler.mean = torch.full_like(scaler.mean, pixels.mean().item())
        scaler.std = torch.full_like(scaler.std, pixels.std(correction=0).item())
    train_set, val_set = scaler.transform(train_set), scaler.transform(val_set)
    if data.task == "regression":
        # predict standardised targets; the R2 score does not depend on the scale
        y_mean, y_std = train_set.tensors[1].mean(), train_set.tensors[1].std()
        train_set = torch.utils.data.TensorDataset(
            train_set.tensors[0], (train_set.tensors[1] - y_mean) / y_std)
        val_set = torch.utils.data.TensorDataset(
            val_set.tensors[0], (val_set.tensors[1] - y_mean) / y_std)
    task = Task(data.task, data.num_classes)

    train_loader = torch.utils.data.DataLoader(
        train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
    train_eval_loader = torch.utils.data.DataLoader(train_set, batch_size=512)
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=512)

    if cnn:
        channels = [int(c) for c in args.channels.split(",") if c.strip()]
        model = build_cnn(tuple(data.images.shape[1:]), channels, task.n_out, args.activation,
                          args.dropout)
    else:
        model = build_model(data.num_features, hidden, task.n_out, args.activation,
                            args.dropout)
    optimizer = make_optimizer(args.optimizer, model.parameters(), lr, args.momentum,
                               args.weight_decay)
    print(f"dataset {args.dataset}: {len(train_set)} train / {len(val_set)} validation "
          f"examples, {data.num_features} features, task {data.task}")
    print(model)
    print(f"loss {type(task.loss).__name__}, optimizer {type(optimizer).__name__} lr={lr}"
          + (f" momentum={args.momentum}" if args.optimizer in ("sgd", "rmsprop") else ""))

    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [],
                                       f"train_{task.score_name}": [],
                                       f"val_{task.score_name}": []}
    bar = _progress_factory(progress)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        for x, y in bar(train_loader, desc=f"epoch {epoch}/{args.epochs}"):
            optimizer.zero_grad()
            loss = task.loss(*task.prepare(model(x), y))  # forward pass
            loss.backward()                                # backpropagation
            optimizer.step()                               # gradient step
            if not math.isfinite(loss.item()):
                print(f"the loss became {loss.item()} in epoch {epoch}: the learning rate "
                      f"({lr}) is probably too large; try --lr {lr / 10:g}")
                return 1
        train_loss, train_score = evaluate(model, train_eval_loader, task)
        val_loss, val_score = evaluate(model, val_loader, task)
        for key, value in zip(history, (train_loss, val_loss, train_score, val_score)):
            history[key].append(value)
        s = task.score_name
        print(f"epoch {epoch:3d}  train loss {train_loss:.4f}  {s} {train_score:.4f}  |  "
              f"val loss {val_loss:.4f}  {s} {val_score:.4f}")
    elapsed = time.perf_counter() - start

    ckpt = os.path.join(out_dir, "checkpoint.pt")
    torch.save({
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "epochs": args.epochs,
        "config": {k: v for k, v in vars(args).items() if k != "run"},
        "feature_mean": scaler.mean,
        "feature_std": scaler.std,
        "history": history,
    }, ckpt)
    with open(os.path.join(out_dir, "history.json"), "w") as f:
        json.dump(history, f, indent=1)
    curves = os.path.join(out_dir, "learning_curves.png")
    shape = f"CNN {args.channels}" if cnn else args.hidden
    _plot(history, task.score_name, curves, f"{args.dataset}: {shape} {args.activation}, "
          f"{args.optimizer} lr={lr}")
    print(f"trained {args.epochs} epochs in {elapsed:.1f} s; final validation "
          f"{task.score_name} {history[f'val_{task.score_name}'][-1]:.4f}")
    print(f"checkpoint (PyTorch format, torch.load(..., weights_only=True)): {ckpt}")
    print(f"learning curves: {curves}")
    print(f"history: {os.path.join(out_dir, 'history.json')}")
    return 0


def _progress_factory(enabled: bool):
    if not enabled:
        return lambda it, desc: it
    try:
        from tqdm import tqdm
    except ImportError:
        return lambda it, desc: it
    return lambda it, desc: tqdm(it, desc=desc, leave=False, unit="batch")


def _plot(history: dict, score: str, path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(epochs, history["train_loss"], label="train")
    a.plot(epochs, history["val_loss"], label="validation")
    a.set_xlabel("epoch")
    a.set_ylabel("loss")
    a.set_title("loss")
    a.legend()
    b.plot(epochs, history[f"train_{score}"], label="train")
    b.plot(epochs, history[f"val_{score}"], label="validation")
    b.set_xlabel("epoch")
    b.set_ylabel(score)
    b.set_title("accuracy" if score == "acc" else "R² (1 = perfect)")
    b.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
