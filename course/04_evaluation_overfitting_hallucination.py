# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 4: Evaluation, overfitting and how to fight it, hallucination
#
# **By the end of this chapter you can**
#
# 1. evaluate a classifier honestly: on data it never trained on, in `eval()` mode, with
#    accuracy, a confusion matrix and per-class recall;
# 2. recognise *overfitting* in the numbers (training loss falling while validation loss
#    rises), and fight it with more data, weight decay, dropout and early stopping;
# 3. explain *hallucination*: a model answers, confidently, even when the input is nothing it
#    has learned (noise, or a class it never saw), because softmax always hands out
#    probability 1 among the classes it knows;
# 4. measure whether confidence can be trusted (a reliability table, the expected calibration
#    error), improve it with temperature scaling, and let the model abstain below a
#    confidence threshold, trading coverage for accuracy.
#
# Runs on glasstorch; set `COURSE_BACKEND=torch` (or change the marked import line) for
# PyTorch. The printed numbers are the same on both.
#
# `glasstorch/teaching/metrics.py` implements the measurements of this chapter (accuracy, confusion
# matrix, calibration error, temperature scaling) for the `glasstorch` command; here we write
# them by hand. The labs `glasstorch lab overfitting` and `glasstorch lab hallucination` plot
# the curves.

# %%
import os

if os.environ.get("COURSE_BACKEND") == "torch":
    import torch
else:
    import glasstorch as torch  # the only line to change to run on PyTorch: `import torch`

nn = torch.nn  # write `torch.nn...`: `from torch import nn` would always import real PyTorch
F = torch.nn.functional

print("running on", torch.__name__)

# %% [markdown]
# Figures (they need matplotlib). In a Jupyter notebook they appear below the cell that draws
# them. Run as a script, the chapter draws nothing unless you set `COURSE_PLOTS` to a
# directory: then it saves its plots there as PNG files (in a notebook too).

# %%
PLOTS = os.environ.get("COURSE_PLOTS")


def in_notebook():
    """Whether this code runs in a Jupyter notebook (whose kernel is IPython's ZMQ shell)."""
    try:
        shell = get_ipython()  # noqa: F821  a builtin only when IPython runs the code
    except NameError:
        return False
    return type(shell).__name__ == "ZMQInteractiveShell"


def save_plot(name, draw):
    """Call draw(ax) on a new figure; show it in a notebook, save it as COURSE_PLOTS/name.png
    if asked to."""
    notebook = in_notebook()
    if not PLOTS and not notebook:
        return
    try:
        from matplotlib.figure import Figure  # not pyplot: no window, no global state
    except ImportError:
        if PLOTS:
            raise
        print("(install matplotlib to see the figure)")
        return

    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    draw(ax)
    ax.legend()
    fig.tight_layout()
    if PLOTS:
        os.makedirs(PLOTS, exist_ok=True)
        path = os.path.join(PLOTS, f"{name}.png")
        fig.savefig(path, dpi=100)
        print("saved", path)
    if notebook:
        import io

        from IPython.display import Image, display

        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=100)
        display(Image(png.getvalue()))

# %% [markdown]
# The digits again, split three ways: a *training* set to fit the parameters, a
# *validation* set to make choices (when to stop, which regularisation, which temperature),
# and a *test* set looked at once, at the end, for the number we report. Choosing anything
# by looking at the test set would make its number optimistic.

# %%
import glasstorch.datasets  # noqa: E402  the course's bundled data; works with either backend


def to_backend(t):
    """A tensor of the running library (glasstorch or torch) with the same values."""
    return torch.tensor(t.numpy())


digits = glasstorch.datasets.load_digits()
rest, test_part = glasstorch.datasets.train_test_split(digits, test_size=0.2, seed=0,
                                                       stratify=True)
train_part, val_part = glasstorch.datasets.train_test_split(rest, test_size=0.25, seed=0,
                                                            stratify=True)
scaler = glasstorch.datasets.Standardize().fit(train_part)
x_train, y_train = to_backend(scaler(train_part.features)), to_backend(train_part.targets)
x_val, y_val = to_backend(scaler(val_part.features)), to_backend(val_part.targets)
x_test, y_test = to_backend(scaler(test_part.features)), to_backend(test_part.targets)
print("train", len(y_train), "validation", len(y_val), "test", len(y_test))


def fit(model, x, y, epochs, lr=0.05, weight_decay=0.0, batch_size=64, seed=0, report=None,
        val=None):
    """Train with mini-batch SGD + momentum; optionally print progress every `report` epochs.

    Returns the validation loss (on `val`, default the validation set) after every epoch.
    """
    x_v, y_v = val if val is not None else (x_val, y_val)
    gen = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                         batch_size=batch_size, shuffle=True, generator=gen)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9,
                                weight_decay=weight_decay)
    val_losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
        train_loss, train_acc = evaluate(model, x, y)
        val_loss, val_acc = evaluate(model, x_v, y_v)
        val_losses.append(val_loss)
        if report and epoch % report == 0:
            print(f"  epoch {epoch:3d}: train loss {train_loss:.4f} acc {train_acc:.3f} | "
                  f"val loss {val_loss:.4f} acc {val_acc:.3f}")
    return val_losses


def evaluate(model, x, y):
    """(mean cross-entropy loss, accuracy) without recording a graph, in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return (F.cross_entropy(logits, y).item(),
                (logits.argmax(dim=1) == y).float().mean().item())


# %% [markdown]
# ## 1. Evaluation
#
# Train a modest network, then measure it on the validation set. `model.eval()` switches
# layers that behave differently in training (dropout, batch norm) to their inference
# behaviour; `torch.no_grad()` skips recording the graph, since no `backward` will follow.

# %%
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
fit(model, x_train, y_train, epochs=6, report=2)

model.eval()
with torch.no_grad():
    val_pred = model(x_val).argmax(dim=1)
print("validation accuracy:", round((val_pred == y_val).float().mean().item(), 4))

# %% [markdown]
# Accuracy is one number. The **confusion matrix** shows which mistakes: row = true class,
# column = predicted class, so the diagonal counts the correct answers. Dividing the
# diagonal by the row sums gives each class's *recall*: the share of that digit recognised.

# %%
confusion = torch.zeros(10, 10, dtype=torch.int64)
for true, pred in zip(y_val.tolist(), val_pred.tolist()):
    confusion[true, pred] += 1
print(confusion)
classes = torch.arange(10)
right = confusion[classes, classes]          # the diagonal
recall = right.float() / confusion.sum(dim=1).float()
print("recall per digit:", [round(r, 3) for r in recall.tolist()])
off_diagonal = confusion.clone()
off_diagonal[classes, classes] = 0
worst = off_diagonal.argmax().item()
print(f"most frequent mistake: {worst // 10} read as {worst % 10} "
      f"({off_diagonal.max().item()} times)")

# %% [markdown]
# ## 2. Overfitting
#
# **Overfitting** is a model doing well on the data it trained on and worse on new data,
# because it has memorised the particular examples (their noise and quirks) instead of the
# pattern. It gets likely when the model has many parameters for little data. Below: 120
# training digits (about 12 per class) and a network with 85 000 parameters. The training
# loss heads to 0 and the training accuracy reaches 100%, while the validation loss stalls far
# above it and the validation accuracy stays below 90%: that gap is the overfitting. (On
# harder data the validation loss also turns and climbs as the model grows confident about
# its memorised answers; on the digits it mostly flattens.)

# %%
small_x, small_y = x_train[:120], y_train[:120]


def big_model(dropout=0.0):
    layers = [nn.Linear(64, 256), nn.ReLU(), nn.Dropout(dropout),
              nn.Linear(256, 256), nn.ReLU(), nn.Dropout(dropout),
              nn.Linear(256, 10)]
    return nn.Sequential(*[m for m in layers if not (isinstance(m, nn.Dropout) and dropout == 0)])


torch.manual_seed(0)
overfit = big_model()
print("parameters:", sum(p.numel() for p in overfit.parameters()))
plain_curve = fit(overfit, small_x, small_y, epochs=60, lr=0.02, batch_size=32, report=10)

# %% [markdown]
# ### How to fight it
#
# * **More data**: the best cure when you can get it: the same network on all training
#   digits.
# * **Weight decay** (L2 regularisation): the optimizer also pulls every weight towards 0 a
#   little at each step (`weight_decay` in `glasstorch/optim/sgd.py` adds
#   `weight_decay * parameter` to the gradient), which favours smoother functions.
# * **Dropout**: during training, `nn.Dropout(p)` zeroes each activation with probability
#   `p` and scales the others by `1 / (1 - p)`, so no neuron can rely on any particular other
#   one; in `eval()` mode it does nothing (`glasstorch/nn/modules/dropout.py`).
# * **Early stopping**: keep the parameters from the epoch with the best validation loss and
#   stop once it has not improved for `patience` epochs.
#
# Same seeds, same 60 epochs:

# %%
print("dropout in training mode zeroes and rescales:")
torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
print("  train:", drop(torch.ones(8)))
drop.eval()
print("  eval: ", drop(torch.ones(8)))

results, curves = {}, {}
for name, make, data, wd in [
    ("no regularisation", lambda: big_model(), (small_x, small_y), 0.0),
    ("weight decay 1e-2", lambda: big_model(), (small_x, small_y), 1e-2),
    ("dropout 0.5", lambda: big_model(dropout=0.5), (small_x, small_y), 0.0),
    ("more data (all)", lambda: big_model(), (x_train, y_train), 0.0),
]:
    torch.manual_seed(0)
    net = make()
    curve = fit(net, *data, epochs=60 if len(data[1]) == 120 else 10, lr=0.02,
                batch_size=32, weight_decay=wd)
    results[name], curves[name] = evaluate(net, x_val, y_val), curve
    print(f"{name:18s}: final val loss {results[name][0]:.4f} acc {results[name][1]:.3f}")



def draw_validation_curves(ax):
    for label, curve in curves.items():
        ax.plot(range(1, len(curve) + 1), curve, label=label)
    ax.set(xlabel="epoch", ylabel="validation loss", title="overfitting and its remedies")


save_plot("ch4_overfitting", draw_validation_curves)

# %% [markdown]
# Each remedy narrows the gap a little; more data narrows it most. Early stopping needs no
# retraining: it reads the validation curve. Here it is on the unregularised run's curve,
# with a patience of 5 epochs: it stops early, saving the remaining epochs, and keeps the
# best parameters seen. In a real loop you would save
# `copy.deepcopy(model.state_dict())` at each new best and `load_state_dict` it at the end.

# %%
best_epoch, best_loss, waited = 0, float("inf"), 0
for epoch, loss in enumerate(plain_curve, start=1):
    if loss < best_loss:
        best_epoch, best_loss, waited = epoch, loss, 0
    else:
        waited += 1
        if waited == 5:
            break
print(f"early stopping: stop at epoch {epoch}, keep epoch {best_epoch} "
      f"(val loss {best_loss:.4f} instead of {plain_curve[-1]:.4f} after 60)")

# %% [markdown]
# ## 3. Hallucination
#
# **Hallucination** is a model producing a confident answer that is wrong or made up, often
# because the question falls in a gap of its training data. Classifiers show the mechanism in
# miniature: softmax shares out probability 1 among the classes the model knows, so there is
# no way to say "none of these" or "I don't know", and nothing forces the confidence to be
# low on inputs unlike anything in training.
#
# We train a classifier on the digits 0-8 only (9 classes) and then show it 9s, which it has
# never seen, and pure noise.

# %%
def without_nines(x, y):
    keep = y != 9
    return x[keep], y[keep]


x_train9, y_train9 = without_nines(x_train, y_train)
x_val9, y_val9 = without_nines(x_val, y_val)
x_test9, y_test9 = without_nines(x_test, y_test)
nines = x_test[y_test == 9]

torch.manual_seed(0)
clf = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 9))
fit(clf, x_train9, y_train9, epochs=30, lr=0.05, val=(x_val9, y_val9))
clf.eval()
torch.manual_seed(1)
noise = torch.randn(200, 64) * 2


def confidence_and_label(x):
    with torch.no_grad():
        probs = torch.softmax(clf(x), dim=1)
    return probs.max(dim=1)


for name, x in [("digits 0-8 (test)", x_test9), ("9s (never seen)", nines), ("noise", noise)]:
    conf, label = confidence_and_label(x)
    counts = [(label == c).sum().item() for c in range(9)]
    print(f"{name:18s}: mean confidence {conf.mean().item():.3f}, "
          f"confidence > 0.9 on {(conf > 0.9).float().mean().item():.0%}, "
          f"most often called {max(range(9), key=counts.__getitem__)}")
print("test accuracy on digits 0-8:", round(evaluate(clf, x_test9, y_test9)[1], 4))

# %% [markdown]
# The model answers every 9 and every noise image with one of the digits it knows, and much
# of the time it is sure. A language model hallucinates in the same way: it always produces
# the most likely next words, whether or not its training data contained the answer.
#
# ### Is the confidence at least calibrated?
#
# A model is *calibrated* when, among the answers it gives with confidence 0.8, about 80% are
# right. The **reliability table** groups predictions by confidence and compares each group's
# average confidence with its accuracy; the **expected calibration error (ECE)** is the
# average gap, weighted by group size.
#
# On familiar inputs the digit classifier above is well calibrated. The overfitted network of
# section 2 is not: it has seen each of its 120 training digits many times and been rewarded
# for ever higher confidence on them, so its confidence on new digits runs ahead of its
# accuracy.

# %%
def reliability(logits, y, n_bins=5, temperature=1.0):
    probs = torch.softmax(logits / temperature, dim=1)
    conf, pred = probs.max(dim=1)
    correct = (pred == y).float()
    ece = 0.0
    rows = []
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        in_bin = (conf > lo) & (conf <= hi)
        n = int(in_bin.sum().item())
        if n == 0:
            continue
        avg_conf, acc = conf[in_bin].mean().item(), correct[in_bin].mean().item()
        ece += n / len(y) * abs(avg_conf - acc)
        rows.append(f"  confidence ({lo:.1f}, {hi:.1f}]: {n:4d} predictions, "
                    f"mean confidence {avg_conf:.3f}, accuracy {acc:.3f}")
    return ece, rows


overfit.eval()
with torch.no_grad():
    val_logits, test_logits = overfit(x_val), overfit(x_test)
ece, rows = reliability(test_logits, y_test)
print("\n".join(rows))
print(f"expected calibration error: {ece:.4f}")

# %% [markdown]
# **Temperature scaling** divides all logits by one number `T` before the softmax: `T > 1`
# softens overconfident probabilities, `T < 1` sharpens them, and the predicted class never
# changes. We choose `T` on the validation set by minimising the cross-entropy loss, letting
# autograd and an optimizer find it (optimising `log T` keeps `T` positive).

# %%
log_t = torch.zeros(1, requires_grad=True)
opt = torch.optim.Adam([log_t], lr=0.05)
for step in range(150):
    opt.zero_grad()
    nll = F.cross_entropy(val_logits / log_t.exp(), y_val)
    nll.backward()
    opt.step()
temperature = log_t.exp().item()
print(f"temperature {temperature:.3f}")
for t_name, t in [("T = 1", 1.0), (f"T = {temperature:.2f}", temperature)]:
    test_loss = F.cross_entropy(test_logits / t, y_test).item()
    print(f"{t_name}: test loss {test_loss:.4f}, ECE {reliability(test_logits, y_test, 5, t)[0]:.4f}")

# %% [markdown]
# ### Letting the model abstain
#
# Calibration makes the confidence meaningful; a threshold makes it useful: answer only when
# the confidence is at least `threshold`, otherwise say "I don't know". Raising the threshold
# lowers *coverage* (the share of inputs answered) and raises the accuracy of the answers
# given. It also lets some unfamiliar inputs through: a high confidence is not a guarantee.
# Back to the classifier of the digits 0-8, with the 9s and the noise it should refuse:

# %%
def coverage_and_accuracy(logits, y, threshold, t):
    conf, pred = torch.softmax(logits / t, dim=1).max(dim=1)
    answered = conf >= threshold
    coverage = answered.float().mean().item()
    accuracy = (pred[answered] == y[answered]).float().mean().item() if answered.any() else 1.0
    return coverage, accuracy


with torch.no_grad():
    digit_logits = clf(x_test9)
    nine_conf = torch.softmax(clf(nines), dim=1).max(dim=1).values
    noise_conf = torch.softmax(clf(noise), dim=1).max(dim=1).values
for threshold in [0.0, 0.5, 0.9, 0.99]:
    cov, acc = coverage_and_accuracy(digit_logits, y_test9, threshold, 1.0)
    print(f"threshold {threshold:4.2f}: answers {cov:.1%} of digits 0-8 with accuracy {acc:.3f}; "
          f"still answers {(nine_conf >= threshold).float().mean().item():.1%} of 9s, "
          f"{(noise_conf >= threshold).float().mean().item():.1%} of noise")

# %% [markdown]
# Remedies for hallucination therefore come in layers: cover the inputs you expect with
# training data (the 9s), measure and calibrate the confidence, let the model abstain, and
# check inputs that look unlike the training data before trusting any answer.
#
# ## Exercises
#
# Fill in each function and run the file again; the last cell checks your answers.
# (Reference solutions: `course/solutions/ch4.py`.)
#
# **4.1** `accuracy(logits, targets)`: the share of rows whose largest logit is at the target
# class, as a Python float.
#
# **4.2** `confusion_matrix(preds, targets, num_classes)`: an int64 tensor `(C, C)` whose
# entry `[t, p]` counts the examples of true class `t` predicted as `p`.
#
# **4.3** `expected_calibration_error(probs, targets, n_bins)`: with `n_bins` equal-width
# confidence bins `(0, 1/n], (1/n, 2/n], ...`, the sum over bins of
# `(examples in bin / all examples) * |mean confidence - accuracy|` (a float).
#
# **4.4** `predict_or_abstain(logits, threshold)`: the predicted classes (int64), with `-1`
# wherever the softmax confidence is below `threshold`.
#
# **4.5** `early_stopping(val_losses, patience)`: read the losses epoch by epoch (epochs
# numbered from 1) and stop after `patience` epochs without a new best; return
# `(stop_epoch, best_epoch)`. If it never stops, `stop_epoch` is the last epoch.

# %%
def accuracy(logits, targets):
    """Share of rows whose arg-max equals the target (a float)."""
    raise NotImplementedError("exercise 4.1: write your code here")


def confusion_matrix(preds, targets, num_classes):
    """int64 tensor (C, C): [true, predicted] counts."""
    raise NotImplementedError("exercise 4.2: write your code here")


def expected_calibration_error(probs, targets, n_bins):
    """ECE of class probabilities `probs` (N, C) against `targets` (N,), as a float."""
    raise NotImplementedError("exercise 4.3: write your code here")


def predict_or_abstain(logits, threshold):
    """Arg-max class per row (int64), or -1 where max softmax probability < threshold."""
    raise NotImplementedError("exercise 4.4: write your code here")


def early_stopping(val_losses, patience):
    """(stop_epoch, best_epoch), epochs numbered from 1."""
    raise NotImplementedError("exercise 4.5: write your code here")


# %% [markdown]
# The checks: each raises an `AssertionError` explaining what is wrong, or returns quietly.

# %%
def check_accuracy(fn):
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0], [0.2, 0.1]])
    targets = torch.tensor([0, 1, 1, 1])
    got = fn(logits, targets)
    assert isinstance(got, float), f"return a Python float, got {type(got).__name__}"
    assert abs(got - 0.5) < 1e-9, f"expected 0.5, got {got}"


def check_confusion_matrix(fn):
    torch.manual_seed(12)
    targets = torch.randint(0, 4, (50,))
    preds = torch.where(torch.rand(50) < 0.7, targets, torch.randint(0, 4, (50,)))
    cm = fn(preds, targets, 4)
    assert tuple(cm.shape) == (4, 4), f"expected shape (4, 4), got {tuple(cm.shape)}"
    assert cm.dtype == torch.int64, f"expected int64 counts, got {cm.dtype}"
    assert cm.sum().item() == 50, "every example must be counted once"
    for t in range(4):
        for p in range(4):
            n = ((targets == t) & (preds == p)).sum().item()
            assert cm[t, p].item() == n, f"entry [{t}, {p}] should be {n}: rows are true classes"
    assert tuple(fn(torch.tensor([0]), torch.tensor([0]), 3).shape) == (3, 3), "use num_classes"


def check_expected_calibration_error(fn):
    torch.manual_seed(13)
    probs = torch.softmax(torch.randn(200, 3) * 2, dim=1)
    targets = torch.randint(0, 3, (200,))
    conf, pred = probs.max(dim=1)
    correct = (pred == targets).float()
    expected = 0.0
    for b in range(10):
        in_bin = (conf > b / 10) & (conf <= (b + 1) / 10)
        if in_bin.any():
            gap = (conf[in_bin].mean() - correct[in_bin].mean()).abs().item()
            expected += in_bin.float().mean().item() * gap
    got = float(fn(probs, targets, 10))
    assert abs(got - expected) < 1e-5, f"expected {expected:.5f}, got {got:.5f}"
    sure_and_right = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert abs(float(fn(sure_and_right, torch.tensor([0, 1]), 10))) < 1e-6, (
        "confidence 1 and always right is perfectly calibrated: ECE 0")
    assert abs(float(fn(sure_and_right, torch.tensor([1, 0]), 10)) - 1.0) < 1e-6, (
        "confidence 1 and always wrong: ECE 1")
    # under-confident in one bin, over-confident in another: the gaps must not cancel
    mixed = torch.tensor([[0.55, 0.45], [0.55, 0.45], [0.95, 0.05], [0.95, 0.05]])
    got = float(fn(mixed, torch.tensor([0, 0, 0, 1]), 10))
    assert abs(got - 0.45) < 1e-5, f"expected 0.45 (two bins, each gap 0.45), got {got:.5f}"


def check_predict_or_abstain(fn):
    logits = torch.tensor([[3.0, 0.0, 0.0], [0.1, 0.2, 0.0], [0.0, 0.0, 5.0]])
    got = fn(logits, 0.8)
    assert got.dtype == torch.int64, f"expected int64, got {got.dtype}"
    assert got.tolist() == [0, -1, 2], f"expected [0, -1, 2], got {got.tolist()}"
    assert fn(logits, 0.0).tolist() == [0, 1, 2], "threshold 0 answers everything"
    tricky = torch.tensor([[2.0, 2.0, 2.0], [0.5, -5.0, -5.0]])
    got = fn(tricky, 0.8).tolist()
    assert got == [-1, 0], (f"expected [-1, 0] for {tricky.tolist()}, got {got}: "
                            "threshold the softmax probabilities, not the logits")


def check_early_stopping(fn):
    cases = [
        ([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], 3, (6, 3)),
        ([1.0, 0.8, 0.7, 0.75, 0.72, 0.69, 0.9], 3, (7, 6)),
        ([0.5, 0.6, 0.7], 1, (2, 1)),
        ([0.5, 0.4, 0.3], 2, (3, 3)),
    ]
    for losses, patience, expected in cases:
        got = tuple(fn(losses, patience))
        assert got == expected, f"losses {losses}, patience {patience}: expected {expected}, got {got}"


EXERCISES = {
    "accuracy": check_accuracy,
    "confusion_matrix": check_confusion_matrix,
    "expected_calibration_error": check_expected_calibration_error,
    "predict_or_abstain": check_predict_or_abstain,
    "early_stopping": check_early_stopping,
}


def run_checks(namespace):
    """Check every exercise function found in `namespace`; print one line per exercise."""
    for name, check in EXERCISES.items():
        try:
            check(namespace[name])
            print(f"exercise {name}: passed")
        except NotImplementedError:
            print(f"exercise {name}: not attempted yet")
        except Exception as error:  # a wrong answer can fail in many ways
            print(f"exercise {name}: not yet ({type(error).__name__}: {error})")


run_checks(globals())
