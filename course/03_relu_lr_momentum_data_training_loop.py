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
# # Chapter 3: ReLU, learning rate and momentum, datasets and the training loop
#
# **By the end of this chapter you can**
#
# 1. explain why *ReLU* is the default activation for hidden layers: its gradient is 1 for
#    every positive input, while the sigmoid's is at most 0.25, so a deep stack of sigmoids
#    lets the gradient fade away before it reaches the first layers;
# 2. recognise a *learning rate* that is too small (slow), about right, too large
#    (oscillating) or far too large (diverging), from the numbers a few steps print;
# 3. write SGD with *momentum* by hand as PyTorch does (a velocity that accumulates past
#    gradients) and show where it helps: across a bump into a better minimum, and along a
#    long narrow valley;
# 4. wrap tensors in a *TensorDataset* (or write your own `Dataset`) and serve it in shuffled
#    mini-batches with a *DataLoader*;
# 5. write the complete training loop, with a validation pass each epoch, and train a digit
#    classifier to over 95% validation accuracy in a second.
#
# Runs on glasstorch; set `COURSE_BACKEND=torch` (or change the marked import line) for
# PyTorch. The printed numbers are the same on both.
#
# The labs `glasstorch lab activations`, `glasstorch lab learning-rate`,
# `glasstorch lab momentum` and `glasstorch lab dataloader` draw the pictures that go with
# this chapter.

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
# ## 1. ReLU and why hidden layers use it
#
# **ReLU** (rectified linear unit) outputs `max(0, z)`: zero for negative inputs, the input
# itself for positive ones. Its derivative is 0 or 1. The sigmoid's derivative is
# `s * (1 - s)`, which is at most 0.25 (at z = 0) and nearly 0 for large |z|.
# Autograd tells us both derivatives at once: `backward` on a sum gives each element's own
# derivative. ReLU's backward is `ReluBackward0` in `glasstorch/_ops/pointwise/nodes.py`.

# %%
z = torch.linspace(-4, 4, 9, requires_grad=True)
torch.relu(z).sum().backward()
print("z                ", z.detach())
print("d relu / dz      ", z.grad)
z.grad = None
torch.sigmoid(z).sum().backward()
print("d sigmoid / dz   ", z.grad)
print("largest sigmoid slope:", round(z.grad.max().item(), 4))

# %% [markdown]
# Backpropagation multiplies one such derivative per layer. Through ten sigmoid layers the
# gradient reaching the first layers is tiny compared with the last ones': the *vanishing
# gradient*, and those early layers barely learn. Below, two ten-layer networks that differ
# only in their activation, both initialised with `nn.init.kaiming_normal_` (the
# initialisation designed for ReLU, `glasstorch/nn/init.py`), same data, same seeds. We print
# the gradient norm of each hidden layer's weights, from the first layer to the last.

# %%
def deep_net(activation, depth=10, width=32):
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
    return nn.Sequential(*layers, nn.Linear(width, 1))


for activation in [nn.Sigmoid, nn.ReLU]:
    torch.manual_seed(0)
    net = deep_net(activation)
    x = torch.randn(64, 32)
    net(x).pow(2).mean().backward()
    norms = [m.weight.grad.norm().item() for m in net if isinstance(m, nn.Linear)][:-1]
    print(f"{activation.__name__:8s} gradient norms, layer 1 -> 10:",
          " ".join(f"{n:.1e}" for n in norms))
    print(f"{'':8s} first / last hidden layer: {norms[0] / norms[-1]:.1e}")

# %% [markdown]
# One thing to watch with ReLU: a neuron whose pre-activation is negative for every input
# outputs 0 and gets gradient 0, so it never recovers (a "dead" ReLU). A too-large learning
# rate can kill many at once. `nn.LeakyReLU` keeps a small slope for negative inputs instead.

# %%
print("leaky relu:", nn.LeakyReLU(negative_slope=0.1)(torch.tensor([-2.0, -0.5, 0.0, 1.5])))

# %% [markdown]
# ## 2. The learning rate
#
# The **learning rate** `lr` scales each step: `parameter <- parameter - lr * gradient`.
# Too small and training crawls; too large and each step overshoots the minimum, bouncing
# from side to side or flying off. Minimise `f(w) = (w - 3)^2` from `w = 0` with
# `torch.optim.SGD` and four learning rates (for this function any `lr` above 1 diverges):

# %%
def minimise_quadratic(lr, steps=20):
    w = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((w - 3) ** 2).sum()
        loss.backward()
        optimizer.step()
        history.append(w.item())
    return history, loss.item()


lr_histories = {}
for lr, verdict in [(0.01, "too small"), (0.3, "about right"), (0.95, "too large"),
                    (1.05, "diverges")]:
    history, final_loss = minimise_quadratic(lr)
    lr_histories[f"lr {lr} ({verdict})"] = history
    path = ", ".join(f"{v:.2f}" for v in history[:5])
    print(f"lr {lr:<5} ({verdict:11s}) w: {path}, ... -> {history[-1]:.3f}"
          f"  final loss {final_loss:.4g}")

# %% [markdown]
# ## 3. Momentum
#
# **Momentum** gives the parameters a velocity. PyTorch's SGD keeps a buffer `v` per
# parameter and, at each step, `v <- momentum * v + gradient`, then
# `parameter <- parameter - lr * v` (`glasstorch/optim/sgd.py`, the `momentum_buffer` in the
# optimizer's `state`). Gradients that keep pointing the same way add up and speed the
# descent; gradients that flip sign cancel out and damp oscillations.
#
# First the rule by hand, checked against `torch.optim.SGD`:

# %%
def f(x):
    return x ** 4 + x ** 3 - 5 * x ** 2   # a local minimum at x = 1.25, the global one at x = -2


x_by_hand = torch.tensor(2.5)
velocity = torch.tensor(0.0)
x_opt = torch.tensor(2.5, requires_grad=True)
opt = torch.optim.SGD([x_opt], lr=0.01, momentum=0.9)
for _ in range(5):
    x_leaf = x_by_hand.clone().requires_grad_(True)
    f(x_leaf).backward()
    velocity = 0.9 * velocity + x_leaf.grad
    x_by_hand = x_by_hand - 0.01 * velocity

    opt.zero_grad()
    f(x_opt).backward()
    opt.step()
print(f"after 5 steps: by hand x = {x_by_hand.item():.6f}, optim.SGD x = {x_opt.item():.6f}")
print("optimizer's velocity buffer:", round(opt.state[x_opt]["momentum_buffer"].item(), 4))

# %% [markdown]
# Now roll down `f(x) = x^4 + x^3 - 5x^2` from `x = 2.5`. Plain gradient descent stops in the
# first dip it finds (x = 1.25, f = -3.42). With enough momentum the parameter carries its
# speed over the bump at x = 0 and settles in the deeper minimum (x = -2, f = -12).

# %%
for momentum in [0.0, 0.5, 0.9]:
    x = torch.tensor(2.5, requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.01, momentum=momentum)
    for _ in range(100):
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        opt.step()
    print(f"momentum {momentum}: x = {x.item():.4f}, loss f(x) = {f(x).item():.4f}")


def draw_learning_rates(ax):
    for label, history in lr_histories.items():
        ax.plot(range(1, len(history) + 1), history, marker=".", label=label)
    ax.axhline(3, color="gray", linestyle=":")
    ax.set(xlabel="step", ylabel="w", ylim=(-10, 15), title="minimising (w - 3)^2")


save_plot("ch3_learning_rates", draw_learning_rates)

# %% [markdown]
# In a long narrow valley, `f(a, b) = a^2 + 25 b^2`, the learning rate must be small to
# stay stable across the steep direction `b` (here it must stay below 0.04), which makes
# progress along the flat direction `a` slow. Momentum accumulates the small, consistent steps
# along `a`, while the back-and-forth steps across `b` cancel. (Too much momentum for a given
# learning rate overshoots in its turn: try `lr=0.035` with momentum 0.5 and 0.9.)

# %%
for momentum in [0.0, 0.5, 0.9]:
    p = torch.tensor([10.0, 1.0], requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.01, momentum=momentum)
    for _ in range(60):
        opt.zero_grad()
        loss = p[0] ** 2 + 25 * p[1] ** 2
        loss.backward()
        opt.step()
    print(f"valley, momentum {momentum}: after 60 steps loss {loss.item():.4f}, "
          f"point ({p[0].item():.3f}, {p[1].item():.3f})")

# %% [markdown]
# ## 4. Datasets and the DataLoader
#
# A `Dataset` is anything with `__len__` and `__getitem__(i)` returning one example.
# A **TensorDataset** wraps tensors that share their first dimension (features and labels)
# so that `dataset[i]` is the pair `(features[i], labels[i])`
# (`glasstorch/utils/data/dataset.py`).

# %%
torch.manual_seed(0)
features = torch.arange(20.0).reshape(10, 2)
labels = torch.arange(10) % 3
dataset = torch.utils.data.TensorDataset(features, labels)
print("len", len(dataset), "item 4:", dataset[4])


class Squares(torch.utils.data.Dataset):
    """A dataset computed on the fly: example i is (i, i**2)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return torch.tensor([float(i)]), torch.tensor([float(i * i)])


print("Squares(5)[3] =", Squares(5)[3])

# %% [markdown]
# A **DataLoader** draws examples from a dataset in mini-batches: it picks the indices
# (in order, or reshuffled at the start of every epoch with `shuffle=True`), fetches the
# examples and stacks them into batch tensors (`glasstorch/utils/data/dataloader.py`,
# `sampler.py`, `_utils/collate.py`). With `N` examples and batch size `B` an epoch has
# `ceil(N / B)` batches, the last one smaller unless `drop_last=True`.

# %%
loader = torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=True)
for epoch in range(2):
    print(f"epoch {epoch}:")
    for xb, yb in loader:
        print("   batch of", len(xb), "labels", yb.tolist(), "first feature", xb[:, 0].tolist())
print("batches per epoch:", len(loader),
      "with drop_last:", len(torch.utils.data.DataLoader(dataset, batch_size=4, drop_last=True)))

# %% [markdown]
# Shuffling matters: mini-batches drawn in a fixed order (say, all 0s, then all 1s) would
# pull the model back and forth. Drawing different random batches each epoch gives
# **stochastic gradient descent** its noisy but unbiased gradient estimates.
#
# ## 5. The training loop
#
# Everything together on the bundled handwritten digits (1797 images of 8x8 pixels, 10
# classes). We hold out 20% as a *validation* set the model never trains on; it tells us how
# well the model does on digits it has not seen. Each epoch:
#
# 1. `model.train()`, then for every mini-batch: forward pass, loss, `zero_grad`, `backward`,
#    `step`;
# 2. `model.eval()` and `torch.no_grad()`: loss and accuracy on the validation set.
#
# `glasstorch train` on the command line runs this same loop with options. In a notebook,
# `glasstorch.teaching.live.LivePlot` draws the learning curves while such a loop runs:
# `live.update(epoch, train_loss=..., val_loss=..., val_acc=...)` once per epoch
# (see `docs/jupyter.md`).

# %%
import glasstorch.datasets  # noqa: E402  the course's bundled data; works with either backend


def to_backend(t):
    """A tensor of the running library (glasstorch or torch) with the same values."""
    return torch.tensor(t.numpy())


digits = glasstorch.datasets.load_digits()
train_part, val_part = glasstorch.datasets.train_test_split(digits, test_size=0.2, seed=0,
                                                            stratify=True)
scaler = glasstorch.datasets.Standardize().fit(train_part)
x_train, y_train = to_backend(scaler(train_part.features)), to_backend(train_part.targets)
x_val, y_val = to_backend(scaler(val_part.features)), to_backend(val_part.targets)
print("train", tuple(x_train.shape), "validation", tuple(x_val.shape))

torch.manual_seed(0)
train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_train, y_train),
                                           batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

for epoch in range(1, 9):
    model.train()
    total, count = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)   # the batch mean times its size: a sum over examples
        count += len(xb)
    model.eval()
    with torch.no_grad():
        val_logits = model(x_val)
        val_loss = loss_fn(val_logits, y_val).item()
        val_acc = (val_logits.argmax(dim=1) == y_val).float().mean().item()
    print(f"epoch {epoch}: train loss {total / count:.4f}  val loss {val_loss:.4f}  "
          f"val accuracy {val_acc:.4f}")

# %% [markdown]
# ## Exercises
#
# Fill in each function and run the file again; the last cell checks your answers.
# (Reference solutions: `course/solutions/ch3.py`.)
#
# **3.1** `gradient_descent(grad, x0, lr, steps)`: plain gradient descent on a function of one
# number, given its derivative `grad`; return the final `x` (Python floats are fine).
#
# **3.2** `momentum_descent(grad, x0, lr, momentum, steps)`: the same with PyTorch's momentum
# rule (velocity starts at 0; `v = momentum * v + g`; `x = x - lr * v`).
#
# **3.3** `make_loader(x, y, batch_size, seed)`: a DataLoader over `(x, y)` that shuffles,
# and shuffles the same way every time it is built with the same seed (hint: the `generator`
# argument and `torch.Generator().manual_seed(seed)`).
#
# **3.4** `train_one_epoch(model, loader, loss_fn, optimizer)`: one epoch of training; return
# the mean loss per example (weight each batch's loss by its size).
#
# **3.5** `evaluate(model, x, y, loss_fn)`: return `(loss, accuracy)` as Python floats,
# in evaluation mode and without recording a graph.

# %%
def gradient_descent(grad, x0, lr, steps):
    """Return x after `steps` updates x <- x - lr * grad(x), starting from x0."""
    raise NotImplementedError("exercise 3.1: write your code here")


def momentum_descent(grad, x0, lr, momentum, steps):
    """Return x after `steps` SGD-with-momentum updates (PyTorch's rule), from x0."""
    raise NotImplementedError("exercise 3.2: write your code here")


def make_loader(x, y, batch_size, seed):
    """A shuffling DataLoader over TensorDataset(x, y), reproducible from `seed`."""
    raise NotImplementedError("exercise 3.3: write your code here")


def train_one_epoch(model, loader, loss_fn, optimizer):
    """Train for one pass over `loader`; return the mean loss per example (a float)."""
    raise NotImplementedError("exercise 3.4: write your code here")


def evaluate(model, x, y, loss_fn):
    """(loss, accuracy) of `model` on (x, y) as floats, in eval mode, without a graph."""
    raise NotImplementedError("exercise 3.5: write your code here")


# %% [markdown]
# The checks: each raises an `AssertionError` explaining what is wrong, or returns quietly.

# %%
def check_gradient_descent(fn):
    def grad(x):
        return 2 * (x - 3)   # the derivative of (x - 3)^2

    for lr, steps in [(0.1, 10), (0.4, 3), (1.1, 5)]:
        expected = 3 + (0 - 3) * (1 - 2 * lr) ** steps
        got = float(fn(grad, 0.0, lr, steps))
        assert abs(got - expected) < 1e-6, f"lr={lr}, {steps} steps: expected {expected}, got {got}"


def check_momentum_descent(fn):
    def grad(x):
        return 4 * x ** 3 + 3 * x ** 2 - 10 * x

    for momentum in [0.0, 0.9]:
        x = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([x], lr=0.01, momentum=momentum)
        for _ in range(30):
            opt.zero_grad()
            (x ** 4 + x ** 3 - 5 * x ** 2).backward()
            opt.step()
        got = float(fn(grad, 2.5, 0.01, momentum, 30))
        assert abs(got - x.item()) < 1e-6, f"momentum={momentum}: expected {x.item()}, got {got}"


def check_make_loader(fn):
    x = torch.arange(23.0).reshape(23, 1)
    y = torch.arange(23)
    loader = fn(x, y, 5, seed=1)
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3], "expected batches of 5,5,5,5,3"
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(23)), "every example exactly once per epoch"
    assert seen.tolist() != list(range(23)), "the loader does not shuffle"
    for xb, yb in batches:
        assert torch.equal(xb[:, 0].long(), yb), "features and labels got separated"
    again = torch.cat([b[1] for b in fn(x, y, 5, seed=1)])
    assert torch.equal(again, seen), "the same seed must give the same order"
    other = torch.cat([b[1] for b in fn(x, y, 5, seed=2)])
    assert not torch.equal(other, seen), "a different seed should give another order"


def _tiny_problem():
    torch.manual_seed(11)
    x = torch.randn(50, 3)
    y = (x.sum(dim=1) > 0).long()
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
    return x, y, model


def check_train_one_epoch(fn):
    results = []
    for use_reference in (True, False):
        x, y, model = _tiny_problem()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
        if use_reference:
            total = 0.0
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = nn.CrossEntropyLoss()(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(xb)
            mean = total / 50
        else:
            mean = fn(model, loader, nn.CrossEntropyLoss(), optimizer)
        results.append((float(mean), [p.detach().clone() for p in model.parameters()]))
    (ref_loss, ref_params), (loss, params) = results
    assert abs(loss - ref_loss) < 1e-5, f"mean loss: expected {ref_loss:.5f}, got {loss:.5f}"
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(params, ref_params)), (
        "the parameters after one epoch differ: zero_grad, backward and step once per batch")


def check_evaluate(fn):
    x, y, model = _tiny_problem()
    model = nn.Sequential(model, nn.Dropout(p=0.5))
    model.train()
    loss, acc = fn(model, x, y, nn.CrossEntropyLoss())
    model.eval()
    with torch.no_grad():
        logits = model(x)
        ref_loss = nn.CrossEntropyLoss()(logits, y).item()
        ref_acc = (logits.argmax(dim=1) == y).float().mean().item()
    assert isinstance(loss, float) and isinstance(acc, float), "return two Python floats"
    assert abs(loss - ref_loss) < 1e-5, f"loss: expected {ref_loss:.5f}, got {loss:.5f} (eval mode?)"
    assert abs(acc - ref_acc) < 1e-6, f"accuracy: expected {ref_acc:.4f}, got {acc:.4f}"


EXERCISES = {
    "gradient_descent": check_gradient_descent,
    "momentum_descent": check_momentum_descent,
    "make_loader": check_make_loader,
    "train_one_epoch": check_train_one_epoch,
    "evaluate": check_evaluate,
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
