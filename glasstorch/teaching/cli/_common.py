"""What ``train``, ``predict`` and ``evaluate`` share: one-line errors, atomic file writes,
the run settings stored in a checkpoint, and rebuilding the model and data from them.

A checkpoint written by ``glasstorch train`` is one ``torch.save`` dict of tensors and plain
Python values (so real PyTorch loads it with ``torch.load(path, weights_only=True)``)::

    model_state_dict, optimizer_state_dict   the weights and the optimizer's buffers
    epoch                                    epochs completed
    config                                   the run settings (dataset, model shape, split ...)
    feature_mean, feature_std                the standardisation fitted on the training split
    target_mean, target_std                  (regression) the target's, as Python floats
    rng_state                                the global random generator (uint8 tensor)
    history                                  losses and scores per epoch
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any, NoReturn

import glasstorch as torch
from glasstorch import nn

CHECKPOINT = "checkpoint.pt"
INTERRUPTED = "checkpoint-interrupted.pt"
FORMAT = 1  # bump when the checkpoint's keys change meaning

ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "silu": nn.SiLU,
}
IMAGE_DATASETS = ("digits",)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------


def fail(command: str, message: str) -> NoReturn:
    """The argparse way: ``glasstorch COMMAND: error: MESSAGE`` on stderr, exit status 2."""
    print(f"glasstorch {command}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def one_line_errors(parser: Any, command: str) -> None:
    """Make argparse's own errors (a bad number, an unknown choice) one line too, without the
    usage block: the error names the option, and ``--help`` is there for the rest."""
    parser.error = lambda message: fail(command, message)


# ---------------------------------------------------------------------------------------------
# atomic writes: a file is either the old one or the complete new one, never half written
# ---------------------------------------------------------------------------------------------


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def atomic_write(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file in the same folder, then rename it onto
    ``path`` (``os.replace`` is atomic within one file system); on any error the temporary
    file is removed and ``path`` is left as it was."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_checkpoint(obj: dict, path: str) -> None:
    atomic_write(path, lambda tmp: torch.save(obj, tmp))


def write_json(obj: Any, path: str) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")

    atomic_write(path, write)


def save_figure(fig: Any, path: str) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))


def clone_state(obj: Any) -> Any:
    """A deep copy of a state dict (tensors cloned), so later training steps cannot change it."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        return {k: clone_state(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clone_state(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(clone_state(v) for v in obj)
    return obj


# ---------------------------------------------------------------------------------------------
# checkpoints
# ---------------------------------------------------------------------------------------------


def find_checkpoint(command: str, path: str, newest: bool = False) -> str:
    """A checkpoint file, or a run folder: its checkpoint.pt, else its interrupted one (with
    ``newest``, whichever of the two was written last: the one to continue from)."""
    if os.path.isdir(path):
        found = [os.path.join(path, name) for name in (CHECKPOINT, INTERRUPTED)
                 if os.path.isfile(os.path.join(path, name))]
        if not found:
            fail(command, f"{path} holds no {CHECKPOINT} or {INTERRUPTED}")
        return max(found, key=os.path.getmtime) if newest else found[0]
    if not os.path.isfile(path):
        fail(command, f"no such checkpoint: {path}")
    return path


def read_checkpoint(command: str, path: str, newest: bool = False) -> tuple[str, dict]:
    """``(file, checkpoint dict)``, loaded with the safe loader; a one-line error if the file
    is not a checkpoint of ``glasstorch train``."""
    path = find_checkpoint(command, path, newest)
    try:
        ckpt = torch.load(path, weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file gets the same one-line answer
        fail(command, f"cannot read {path} as a checkpoint: {type(e).__name__}: {e}")
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("config"), dict) \
            or ckpt["config"].get("format") != FORMAT:
        fail(command, f"{path} was not written by this version of `glasstorch train` "
             "(it has no run settings inside)")
    return path, ckpt


# ---------------------------------------------------------------------------------------------
# the task, the model and the data, from the run settings
# ---------------------------------------------------------------------------------------------


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


def build_mlp(n_in: int, hidden: list[int], n_out: int, activation: str,
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


def build_model(cfg: dict) -> nn.Sequential:
    if cfg["model"] == "cnn":
        return build_cnn(tuple(cfg["image_shape"]), cfg["channels"], cfg["n_out"],
                         cfg["activation"], cfg["dropout"])
    return build_mlp(cfg["num_features"], cfg["hidden"], cfg["n_out"], cfg["activation"],
                     cfg["dropout"])


def load_data(command: str, cfg: dict):
    """The whole dataset the run learns from: a bundled one by name, or the learner's CSV."""
    from glasstorch import datasets

    if cfg.get("csv"):
        try:
            return datasets.load_csv(cfg["csv"], cfg["target"], cfg.get("csv_task"))
        except (OSError, ValueError) as e:
            fail(command, str(e))
    return datasets.load(cfg["dataset"])


def split(cfg: dict, data):
    """The run's train/validation split: the same seed and fraction give the same examples."""
    from glasstorch import datasets

    return datasets.train_test_split(data, test_size=cfg["val_fraction"], seed=cfg["seed"],
                                     stratify=data.task != "regression")


def standardise(ckpt: dict, x):
    """Features as the model saw them in training."""
    return (x - ckpt["feature_mean"]) / ckpt["feature_std"]


def run_name(cfg: dict) -> str:
    """``digits``, or the CSV file's name without ``.csv``."""
    if cfg.get("csv"):
        return os.path.splitext(os.path.basename(cfg["csv"]))[0]
    return cfg["dataset"]


def load_run(command: str, path: str):
    """``(file, checkpoint, model)``: the trained model rebuilt from its settings, in eval mode."""
    path, ckpt = read_checkpoint(command, path)
    model = build_model(ckpt["config"])
    model.load_state_dict(ckpt["model_state_dict"])
    model.eval()
    return path, ckpt, model


def outputs(ckpt: dict, model, features):
    """The model's answers for raw (unstandardised) features: class probabilities (N, C) for
    classification, values in the target's own units (N,) for a regression."""
    with torch.no_grad():
        out = model(standardise(ckpt, features))
    kind = ckpt["config"]["task"]
    if kind == "multiclass":
        return out.softmax(1)
    if kind == "binary":
        p = out.reshape(-1).sigmoid()
        return torch.stack([1 - p, p], 1)
    return out.reshape(-1) * ckpt["target_std"] + ckpt["target_mean"]


def class_names(cfg: dict) -> list[str]:
    names = cfg.get("class_names")
    return list(names) if names else [str(c) for c in range(max(cfg["n_out"], 2))]
