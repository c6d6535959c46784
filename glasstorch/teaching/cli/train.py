"""``glasstorch train``: the course's training loop on a bundled dataset (or your CSV), end to end.

It is written as a PyTorch course script would be (Dataset -> DataLoader -> model -> loss ->
optimizer -> epochs), so reading ``_train`` below is reading a PyTorch training script. Around
it sit the things a script usually skips: every option is checked before any work, each run
gets its own folder, files are written atomically, Ctrl-C saves the last finished epoch, and
``--resume`` continues a run exactly where it stopped.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time

import glasstorch as torch
from glasstorch.teaching.cli._common import (
    ACTIVATIONS,
    CHECKPOINT,
    FORMAT,
    IMAGE_DATASETS,
    INTERRUPTED,
    Task,
    build_model,
    clone_state,
    fail,
    load_data,
    one_line_errors,
    read_checkpoint,
    run_name,
    save_checkpoint,
    save_figure,
    split,
    write_json,
)

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad")
DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 0.05}
DEFAULT_LR_CNN = {"sgd": 0.03}  # the CNN's SGD steps smaller (others as DEFAULT_LR)
DEFAULT_EPOCHS = 20

# Settings that train each bundled dataset well with the default MLP (128 hidden, ReLU) and
# SGD with momentum 0.9; an option given on the command line always wins. Measured with
# seeds 0-4 on the validation split (docs/cli.md lists the scores).
DATASET_DEFAULTS: dict[str, dict] = {
    "digits": {"epochs": 20, "lr": {"sgd": 0.05}},
    "iris": {"epochs": 20, "lr": {"sgd": 0.05}},
    "wine": {"epochs": 15, "lr": {"sgd": 0.05}},
    "breast_cancer": {"epochs": 15, "lr": {"sgd": 0.05}},
    # 353 noisy examples: a step 50 times smaller than the others and weight decay keep the
    # MLP from chasing the noise (lr 0.05 without decay ends near R^2 0.2, or diverges)
    "diabetes": {"epochs": 20, "lr": {"sgd": 0.001}, "weight_decay": 0.01},
}

# Options that define the model or the data: a resumed run takes them from its checkpoint.
FIXED_WHEN_RESUMING = ("dataset", "csv", "target", "task", "model", "hidden", "channels",
                       "activation", "optimizer", "momentum", "batch_size", "dropout",
                       "weight_decay", "val_fraction", "seed")


def register(sub) -> None:
    from glasstorch import datasets

    p = sub.add_parser(
        "train",
        help="train an MLP (or a CNN) on a bundled dataset (digits by default) or your CSV",
        description="Train a multi-layer perceptron, or a small convolutional network on the "
        "digit images, on a dataset that ships with glasstorch (or on your own CSV file), with "
        "a train/validation split. Prints the loss and score of every epoch, then saves a "
        "checkpoint in PyTorch's file format, the history as JSON and a PNG of the learning "
        "curves in a new folder per run (runs/<dataset>-<model>/run-001, run-002 ...). "
        "Ctrl-C stops cleanly and saves the last finished epoch; --resume continues it.",
    )
    one_line_errors(p, "train")
    data = p.add_argument_group("data")
    data.add_argument("--dataset", default=None, choices=datasets.available(),
                      help="which bundled dataset to learn (default: digits); the loss and "
                      "output layer follow its task: cross-entropy for classes, "
                      "BCE-with-logits for yes/no, MSE for numbers")
    data.add_argument("--csv", default=None, metavar="FILE",
                      help="learn from your own CSV file instead: a header row, numeric "
                      "feature columns and a --target column (numbers or class names)")
    data.add_argument("--target", default=None, metavar="COLUMN",
                      help="with --csv: the column to predict")
    data.add_argument("--task", default=None, choices=("classification", "regression"),
                      help="with --csv: what the target is (default: guessed; words or up to "
                      "20 distinct whole numbers are classes, other numbers a regression)")
    data.add_argument("--val-fraction", type=float, default=None,
                      help="share of the data held out for validation (default: 0.2)")
    model = p.add_argument_group("model")
    model.add_argument("--model", default=None, choices=("mlp", "cnn"),
                       help="mlp (default): Linear layers on the features; cnn: convolution "
                       "blocks (3x3 convolution, activation, 2x2 max pooling) on images, then "
                       "a Linear layer (image datasets only: digits)")
    model.add_argument("--hidden", default=None,
                       help="hidden layer widths of the MLP, comma-separated (default: 128; "
                       "e.g. 256,128 for two layers; 0 or empty for a linear model)")
    model.add_argument("--channels", default=None,
                       help="feature maps of the CNN's convolution blocks, comma-separated "
                       "(default: 16,32; each block halves the image's height and width)")
    model.add_argument("--activation", default=None, choices=sorted(ACTIVATIONS),
                       help="the non-linearity after every hidden layer (default: relu)")
    model.add_argument("--dropout", type=float, default=None,
                       help="probability in [0, 1) of zeroing each hidden activation (the CNN: "
                       "each feature going into its Linear layer) while training "
                       "(regularisation; default 0 disables)")
    opt = p.add_argument_group("optimisation")
    opt.add_argument("--optimizer", default=None, choices=OPTIMIZERS,
                     help="the update rule for the parameters (default: sgd)")
    opt.add_argument("--lr", type=float, default=None,
                     help="learning rate: the step size of every update (default: per "
                     "dataset for SGD, see docs/cli.md, 0.03 for the CNN; 0.05 for Adagrad, "
                     "0.001 for Adam, AdamW and RMSprop)")
    opt.add_argument("--momentum", type=float, default=None,
                     help="momentum of SGD and RMSprop: how much of the previous step is kept "
                     "(default: 0.9)")
    opt.add_argument("--weight-decay", type=float, default=None,
                     help="L2 penalty on the weights added by the optimizer (regularisation; "
                     "default: per dataset, usually 0)")
    opt.add_argument("--epochs", type=int, default=None,
                     help="passes over the training data (default: per dataset, 20 for "
                     "digits); with --resume: how many more")
    opt.add_argument("--batch-size", type=int, default=None,
                     help="examples per gradient step, a mini-batch (default: 32)")
    opt.add_argument("--seed", type=int, default=None,
                     help="random seed (default: 0): the same seed gives the same run (and "
                     "the same numbers as PyTorch)")
    run = p.add_argument_group("running")
    run.add_argument("--workers", type=int, default=0,
                     help="DataLoader worker processes (default: 0 loads in the main process)")
    run.add_argument("--out", default=None, metavar="DIR",
                     help="folder for the checkpoint, curves and history (default: a new "
                     "runs/<dataset>-<model>/run-NNN for every run)")
    run.add_argument("--overwrite", action="store_true",
                     help="allow --out to name a folder that already holds a checkpoint (it "
                     "is replaced only when the new run finishes)")
    run.add_argument("--resume", default=None, metavar="CHECKPOINT",
                     help="continue a run from its checkpoint file or run folder: the model, "
                     "optimizer, epoch count and random state, so 2 + 2 epochs give the same "
                     "weights as 4; the results go to a new run folder (or --out)")
    run.add_argument("--no-progress", action="store_true",
                     help="do not draw progress bars (they are also off when stderr is not a "
                     "terminal)")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bars and no model printout: only the epoch lines and "
                     "where the files went")
    p.set_defaults(run=run_command)


# ---------------------------------------------------------------------------------------------
# checking every option before any work
# ---------------------------------------------------------------------------------------------


def _ints(option: str, text: str, *, allow_linear: bool) -> list[int]:
    parts = [s.strip() for s in text.split(",")]
    if allow_linear and (text.strip() in ("", "0")):
        return []
    widths = []
    for s in parts:
        if not re.fullmatch(r"[+]?\d+", s) or int(s) <= 0:
            what = "an empty entry" if not s else repr(s)
            fail("train", f"argument {option}: expected positive whole numbers separated by "
                 f"commas (e.g. 64,32), got {what} in {text!r}")
        widths.append(int(s))
    return widths


def _check_numbers(args) -> None:
    def bad(option: str, rule: str, value) -> None:
        fail("train", f"argument {option}: must be {rule}, got {value}")

    if args.lr is not None and not (math.isfinite(args.lr) and args.lr > 0):
        bad("--lr", "a positive number (e.g. 0.01)", args.lr)
    if args.epochs is not None and args.epochs <= 0:
        bad("--epochs", "at least 1", args.epochs)
    if args.batch_size is not None and args.batch_size <= 0:
        bad("--batch-size", "at least 1", args.batch_size)
    if args.dropout is not None and not 0 <= args.dropout < 1:
        bad("--dropout", "in [0, 1) (a probability; 1 would zero everything)", args.dropout)
    if args.momentum is not None and not (math.isfinite(args.momentum) and args.momentum >= 0):
        bad("--momentum", "0 or more", args.momentum)
    if args.weight_decay is not None and not (math.isfinite(args.weight_decay)
                                              and args.weight_decay >= 0):
        bad("--weight-decay", "0 or more", args.weight_decay)
    if args.val_fraction is not None and not 0 < args.val_fraction < 1:
        bad("--val-fraction", "between 0 and 1 (e.g. 0.2)", args.val_fraction)
    if args.workers < 0:
        bad("--workers", "0 or more", args.workers)
    if args.seed is not None and not 0 <= args.seed < 2**63:
        bad("--seed", "0 or more", args.seed)


def _check_out(out: str, overwrite: bool) -> None:
    if os.path.exists(out) and not os.path.isdir(out):
        fail("train", f"argument --out: {out} is a file, not a folder")
    existing = os.path.abspath(out)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        fail("train", f"argument --out: cannot create {out}: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail("train", f"argument --out: {existing} is not writable")
    if os.path.isfile(os.path.join(out, CHECKPOINT)) and not overwrite:
        fail("train", f"argument --out: {out} already holds a checkpoint of another run; pass "
             "--overwrite to replace it, or leave out --out to get a new run folder")


def _config(args) -> dict:
    """The run settings, from the options and the dataset's defaults (nothing loaded yet)."""
    if args.csv is not None and args.dataset is not None:
        fail("train", "argument --csv: give either --csv FILE or --dataset NAME, not both")
    if args.csv is None and (args.target is not None or args.task is not None):
        fail("train", "argument --target/--task: only used with --csv FILE")
    if args.csv is not None and args.target is None:
        fail("train", "argument --csv: also name the column to predict with --target COLUMN")
    if args.csv is not None and not os.path.isfile(args.csv):
        fail("train", f"argument --csv: no such file: {args.csv}")
    dataset = None if args.csv else (args.dataset or "digits")
    model = args.model or "mlp"
    if model == "cnn" and dataset not in IMAGE_DATASETS:
        fail("train", f"argument --model: cnn needs images, and "
             f"{dataset or os.path.basename(args.csv)} has none: use --dataset digits (8x8 "
             "images), or --model mlp for this dataset")
    defaults = DATASET_DEFAULTS.get(dataset or "", {})
    optimizer = args.optimizer or "sgd"
    default_lr = DEFAULT_LR_CNN.get(optimizer) if model == "cnn" else None
    default_lr = default_lr or defaults.get("lr", {}).get(optimizer) or DEFAULT_LR[optimizer]
    pick = lambda value, default: default if value is None else value  # noqa: E731
    return {
        "format": FORMAT,
        "dataset": dataset,
        "csv": os.path.abspath(args.csv) if args.csv else None,
        "target": args.target,
        "csv_task": args.task,
        "model": model,
        "hidden": _ints("--hidden", pick(args.hidden, "128"), allow_linear=True),
        "channels": _ints("--channels", pick(args.channels, "16,32"), allow_linear=False),
        "activation": args.activation or "relu",
        "dropout": pick(args.dropout, 0.0),
        "optimizer": optimizer,
        "lr": pick(args.lr, default_lr),
        "momentum": pick(args.momentum, 0.9),
        "weight_decay": pick(args.weight_decay, defaults.get("weight_decay", 0.0)),
        "epochs": pick(args.epochs, defaults.get("epochs", DEFAULT_EPOCHS)),
        "batch_size": pick(args.batch_size, 32),
        "val_fraction": pick(args.val_fraction, 0.2),
        "seed": pick(args.seed, 0),
    }


def _resume_config(args) -> tuple[dict, dict]:
    given = [name for name in FIXED_WHEN_RESUMING if getattr(args, name) is not None]
    if given:
        option = "--" + given[0].replace("_", "-")
        fail("train", f"argument {option}: cannot be changed with --resume (a resumed run "
             "keeps its model and data; only --epochs, --lr and the running options apply)")
    path, ckpt = read_checkpoint("train", args.resume, newest=True)
    cfg = dict(ckpt["config"])
    done = int(ckpt["epoch"])
    more = args.epochs if args.epochs is not None else cfg["epochs"] - done
    if more <= 0:
        fail("train", f"argument --resume: {path} already finished its {done} epochs; pass "
             "--epochs N to train N more")
    cfg["epochs"] = done + more
    if args.lr is not None:
        cfg["lr"] = args.lr
    cfg["resumed_from"] = os.path.abspath(path)
    return cfg, ckpt


def _new_run_folder(cfg: dict) -> str:
    """runs/<name>-<model>/run-NNN with the next free number; made here, so two runs started
    at once never share a folder."""
    root = os.path.join("runs", f"{run_name(cfg)}-{cfg['model']}")
    _check_out(root, overwrite=True)
    os.makedirs(root, exist_ok=True)
    numbers = [int(m.group(1)) for m in map(re.compile(r"run-(\d+)$").match, os.listdir(root))
               if m]
    n = max(numbers, default=0) + 1
    while True:
        folder = os.path.join(root, f"run-{n:03d}")
        try:
            os.makedirs(folder)
            return folder
        except FileExistsError:
            n += 1


# ---------------------------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------------------------


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


def run_command(args) -> int:
    _check_numbers(args)
    if args.resume is not None:
        cfg, resumed = _resume_config(args)
    else:
        cfg, resumed = _config(args), None
    if args.out is not None:
        _check_out(args.out, args.overwrite)
    data = load_data("train", cfg)
    if cfg["model"] == "cnn":
        side = min(data.images.shape[1:])
        if 2 ** len(cfg["channels"]) > side:
            fail("train", f"argument --channels: {len(cfg['channels'])} blocks would pool the "
                 f"{side}x{side} images below one pixel; use at most "
                 f"{int(math.log2(side))} numbers")
    out_dir = args.out if args.out is not None else _new_run_folder(cfg)
    os.makedirs(out_dir, exist_ok=True)
    try:
        return _train(args, cfg, data, resumed, out_dir)
    except OSError as e:  # a full disk or a folder removed mid-run: one line, not a traceback
        print(f"glasstorch train: error: could not write to {out_dir}: {e}", file=sys.stderr)
        return 1


def _prepare(cfg: dict, data, resumed: dict | None):
    """Split, then standardise with statistics of the training part only."""
    from glasstorch import datasets

    train_set, val_set = split(cfg, data)
    cfg.update(num_features=data.num_features, task=data.task,
               feature_names=list(data.feature_names), class_names=data.class_names,
               image_shape=None if data.images is None else list(data.images.shape[1:]))
    scaler = datasets.Standardize()
    if resumed is not None:
        scaler.mean, scaler.std = resumed["feature_mean"], resumed["feature_std"]
        y_mean, y_std = resumed.get("target_mean"), resumed.get("target_std")
    else:
        scaler.fit(train_set)
        if cfg["model"] == "cnn":
            # images are normalised with one mean and std for all pixels, as image pipelines
            # do, so that neighbouring pixels keep their relative brightness for convolutions
            pixels = train_set.tensors[0]
            scaler.mean = torch.full_like(scaler.mean, pixels.mean().item())
            scaler.std = torch.full_like(scaler.std, pixels.std(correction=0).item())
        y_mean = y_std = None
        if data.task == "regression":
            y = train_set.tensors[1]
            y_mean, y_std = y.mean().item(), y.std().item()
    train_set, val_set = scaler.transform(train_set), scaler.transform(val_set)
    if data.task == "regression":
        # predict standardised targets, so one learning rate suits targets of any size; the
        # R^2 score does not depend on the scale, and predict turns outputs back into units
        train_set = torch.utils.data.TensorDataset(
            train_set.tensors[0], (train_set.tensors[1] - y_mean) / y_std)
        val_set = torch.utils.data.TensorDataset(
            val_set.tensors[0], (val_set.tensors[1] - y_mean) / y_std)
    return train_set, val_set, scaler, y_mean, y_std


def _train(args, cfg: dict, data, resumed: dict | None, out_dir: str) -> int:
    torch.manual_seed(cfg["seed"])
    train_set, val_set, scaler, y_mean, y_std = _prepare(cfg, data, resumed)
    task = Task(data.task, data.num_classes)
    cfg["n_out"] = task.n_out

    train_loader = torch.utils.data.DataLoader(
        train_set, batch_size=cfg["batch_size"], shuffle=True, num_workers=args.workers)
    train_eval_loader = torch.utils.data.DataLoader(train_set, batch_size=512)
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=512)

    model = build_model(cfg)
    optimizer = make_optimizer(cfg["optimizer"], model.parameters(), cfg["lr"],
                               cfg["momentum"], cfg["weight_decay"])
    s = task.score_name
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], f"train_{s}": [],
                                       f"val_{s}": []}
    first = 1
    if resumed is not None:
        model.load_state_dict(resumed["model_state_dict"])
        optimizer.load_state_dict(resumed["optimizer_state_dict"])
        for group in optimizer.param_groups:  # --lr may change on resuming
            group["lr"] = cfg["lr"]
        history = {k: list(v) for k, v in resumed["history"].items()}
        first = int(resumed["epoch"]) + 1
        torch.set_rng_state(resumed["rng_state"])

    name = run_name(cfg)
    print(f"dataset {name}: {len(train_set)} train / {len(val_set)} validation "
          f"examples, {data.num_features} features, task {data.task}")
    if not args.quiet:
        print(model)
    print(f"loss {type(task.loss).__name__}, optimizer {type(optimizer).__name__} "
          f"lr={cfg['lr']:g}"
          + (f" momentum={cfg['momentum']:g}" if cfg["optimizer"] in ("sgd", "rmsprop") else "")
          + (f" weight_decay={cfg['weight_decay']:g}" if cfg["weight_decay"] else ""))
    if resumed is not None:
        print(f"resuming from {cfg['resumed_from']} after epoch {first - 1}")

    def checkpoint(epoch: int) -> dict:
        """Everything needed to continue after ``epoch``, copied so training cannot change it."""
        return {
            "model_state_dict": clone_state(model.state_dict()),
            "optimizer_state_dict": clone_state(optimizer.state_dict()),
            "epoch": epoch,
            "epochs": epoch,
            "config": dict(cfg),
            "feature_mean": scaler.mean,
            "feature_std": scaler.std,
            "target_mean": y_mean,
            "target_std": y_std,
            "rng_state": torch.from_numpy(torch.get_rng_state().copy()),
            "history": {k: list(v) for k, v in history.items()},
        }

    progress = not (args.no_progress or args.quiet) and sys.stderr.isatty()
    last_finished = checkpoint(first - 1)
    label = "R^2" if s == "R2" else s
    start = time.perf_counter()
    epoch = first
    try:
        for epoch in range(first, cfg["epochs"] + 1):
            model.train()
            if not _one_epoch(model, optimizer, task, train_loader, epoch, cfg, progress):
                return 1
            train_loss, train_score = evaluate(model, train_eval_loader, task)
            val_loss, val_score = evaluate(model, val_loader, task)
            for key, value in zip(history, (train_loss, val_loss, train_score, val_score)):
                history[key].append(value)
            print(f"epoch {epoch:3d}  train loss {train_loss:.4f}  {label} {train_score:.4f}  |"
                  f"  val loss {val_loss:.4f}  {label} {val_score:.4f}", flush=True)
            last_finished = checkpoint(epoch)
    except KeyboardInterrupt:
        path = os.path.join(out_dir, INTERRUPTED)
        save_checkpoint(last_finished, path)
        print(f"\ninterrupted in epoch {epoch}: saved the model after epoch "
              f"{last_finished['epoch']} to {path} (continue with: glasstorch train --resume "
              f"{path})", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - start

    ckpt = os.path.join(out_dir, CHECKPOINT)
    history_path = os.path.join(out_dir, "history.json")
    curves = os.path.join(out_dir, "learning_curves.png")
    write_json(history, history_path)
    shape = f"CNN {cfg['channels']}" if cfg["model"] == "cnn" else f"MLP {cfg['hidden']}"
    _plot(history, s, curves, f"{name}: {shape} {cfg['activation']}, "
          f"{cfg['optimizer']} lr={cfg['lr']:g}")
    save_checkpoint(last_finished, ckpt)  # last: a folder with checkpoint.pt is a finished run
    n = cfg["epochs"] - first + 1
    print(f"trained {n} epoch{'s' * (n != 1)} in {elapsed:.1f} s; final validation "
          f"{label} {history[f'val_{s}'][-1]:.4f}")
    print(f"saved the run in {out_dir}")
    print(f"checkpoint (PyTorch format, torch.load(..., weights_only=True)): {ckpt}")
    print(f"learning curves: {curves}")
    print(f"history: {history_path}")
    return 0


def _one_epoch(model, optimizer, task: Task, loader, epoch: int, cfg: dict,
               progress: bool) -> bool:
    """One pass over the training data; False if the loss stopped being a number."""
    bar = None
    batches = loader
    if progress:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            bar = batches = tqdm(loader, desc=f"epoch {epoch}/{cfg['epochs']}", leave=False,
                                 unit="batch", file=sys.stderr)
    total, seen = 0.0, 0
    try:
        for i, (x, y) in enumerate(batches):
            optimizer.zero_grad()
            loss = task.loss(*task.prepare(model(x), y))  # forward pass
            loss.backward()                                # backpropagation
            optimizer.step()                               # gradient step
            value = loss.item()
            if not math.isfinite(value):
                lr = cfg["lr"]
                print(f"the loss became {value} in epoch {epoch}: the learning rate ({lr:g}) "
                      f"is probably too large; try --lr {lr / 10:g}")
                return False
            total, seen = total + value * len(y), seen + len(y)
            if bar is not None:  # drawn at tqdm's next refresh (a few times a second), and
                # at the last batch, so that the epoch's final running loss is always shown
                bar.set_postfix(loss=f"{total / seen:.4f}", refresh=i + 1 == len(loader))
    finally:
        if bar is not None:
            bar.close()
    return True


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
    try:
        save_figure(fig, path)
    finally:
        plt.close(fig)

