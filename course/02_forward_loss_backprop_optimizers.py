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
# # Chapter 2: The forward pass, loss functions, backpropagation and optimizers
#
# **By the end of this chapter you can**
#
# 1. follow a *forward pass* through a network layer by layer and say the shape at each step;
# 2. choose a *loss function*: *mean squared error* for numbers, *cross-entropy* for classes
#    (fed with raw scores, never with softmax outputs), binary cross-entropy with logits for
#    yes/no questions; and compute each by hand;
# 3. say what a *gradient* is, get it from autograd with `loss.backward()`, and read it from
#    `.grad`;
# 4. write *backpropagation* for a two-layer network by hand with the chain rule and check that
#    it gives exactly the gradients autograd finds;
# 5. explain what an *optimizer* does, do one SGD step by hand, and train a classifier with
#    `torch.optim.SGD` and `torch.optim.Adam`.
#
# Runs on glasstorch; set `COURSE_BACKEND=torch` (or change the marked import line) for
# PyTorch. The printed numbers are the same on both.

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
# We use the iris flowers again (150 flowers, 4 measurements, 3 species), split into a
# training and a test part, and standardised (each measurement rescaled to mean 0 and
# standard deviation 1, using the training part's statistics only). The data comes from
# `glasstorch.datasets`; `to_backend` hands it over as tensors of whichever library runs.

# %%
import glasstorch.datasets  # noqa: E402  the course's bundled data; works with either backend


def to_backend(t):
    """A tensor of the running library (glasstorch or torch) with the same values."""
    return torch.tensor(t.numpy())


iris = glasstorch.datasets.load_iris()
train_part, test_part = glasstorch.datasets.train_test_split(iris, test_size=0.3, seed=0,
                                                             stratify=True)
scaler = glasstorch.datasets.Standardize().fit(train_part)
x_train = to_backend(scaler(train_part.features))
y_train = to_backend(train_part.targets)
x_test = to_backend(scaler(test_part.features))
y_test = to_backend(test_part.targets)
print("train", tuple(x_train.shape), "test", tuple(x_test.shape))

# %% [markdown]
# ## 1. The forward pass
#
# The **forward pass** sends inputs through the network, layer after layer, with the
# current parameters, to get the outputs. `model(x)` calls each module of the `Sequential` in
# turn (`Sequential.forward` in `glasstorch/nn/modules/container.py`); doing it by hand shows
# the shape at each step.

# %%
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
x = x_train[:4]
h = model[0](x)
print("after Linear(4, 8):", tuple(h.shape))
a = model[1](h)
print("after ReLU:        ", tuple(a.shape), "fraction of zeros", (a == 0).float().mean().item())
out = model[2](a)
print("after Linear(8, 3):", tuple(out.shape))
print(out)
print("same as model(x):", torch.equal(out, model(x)))

# %% [markdown]
# ## 2. Loss functions
#
# A **loss function** turns predictions and the true targets into one number that is
# small when the predictions are good. Training means changing the parameters to make it
# smaller. The losses live in `glasstorch/nn/modules/loss.py` (the modules) and
# `glasstorch/nn/functional.py` (`mse_loss`, `cross_entropy`, ...).
#
# **Mean squared error** is for predicting numbers (regression): the average of the squared
# differences between predictions and targets.

# %%
pred = torch.tensor([2.5, 0.0, 2.1, 7.8])
target = torch.tensor([3.0, -0.5, 2.0, 7.0])
mse_by_hand = ((pred - target) ** 2).mean()
mse_loss = nn.MSELoss()(pred, target)
print(f"mse loss by hand {mse_by_hand.item():.4f}  nn.MSELoss {mse_loss.item():.4f}")

# %% [markdown]
# **Cross-entropy loss** is for choosing one of several classes. The network outputs one raw
# score (*logit*) per class; cross-entropy applies softmax to turn them into probabilities and
# takes minus the log of the probability given to the true class, averaged over the batch.
# A confident right answer costs almost nothing; a confident wrong answer costs a lot.

# %%
logits = torch.tensor([[2.0, 0.5, -1.0],
                       [0.1, 0.2, 3.0],
                       [1.0, 1.0, 1.0]])
labels = torch.tensor([0, 2, 1])
log_probs = torch.log_softmax(logits, dim=1)
ce_by_hand = -log_probs[torch.arange(3), labels].mean()
ce_loss = nn.CrossEntropyLoss()(logits, labels)
print(f"cross-entropy loss by hand {ce_by_hand.item():.4f}  nn.CrossEntropyLoss {ce_loss.item():.4f}")

confident = torch.tensor([[6.0, 0.0, 0.0]])
print(f"confident and right: loss {F.cross_entropy(confident, torch.tensor([0])).item():.4f}")
print(f"confident and wrong: loss {F.cross_entropy(confident, torch.tensor([1])).item():.4f}")

# %% [markdown]
# **Do not put softmax before `nn.CrossEntropyLoss`.** It already contains the softmax (as a
# numerically safe `log_softmax`). Feeding it probabilities applies softmax twice: every
# "probability" gets squashed towards uniform, the loss can never get near 0, and the
# gradients shrink.

# %%
wrong = nn.CrossEntropyLoss()(torch.softmax(confident, dim=1), torch.tensor([0]))
print(f"right answer, logits in: loss {F.cross_entropy(confident, torch.tensor([0])).item():.4f}")
print(f"right answer, softmax first: loss {wrong.item():.4f}  (stuck far above 0)")

# %% [markdown]
# For a yes/no question the network outputs one logit; the **sigmoid** turns it into the
# probability of "yes", and binary cross-entropy compares it to the 0/1 target.
# `nn.BCEWithLogitsLoss` does both in one numerically safe step, so feed it logits.

# %%
bin_logits = torch.tensor([1.5, -0.3, 4.0])
bin_targets = torch.tensor([1.0, 0.0, 0.0])
p = torch.sigmoid(bin_logits)
bce_by_hand = -(bin_targets * torch.log(p) + (1 - bin_targets) * torch.log(1 - p)).mean()
bce = nn.BCEWithLogitsLoss()(bin_logits, bin_targets)
print(f"binary cross-entropy loss by hand {bce_by_hand.item():.4f}  BCEWithLogitsLoss {bce.item():.4f}")

# %% [markdown]
# ## 3. Gradients and autograd
#
# The **gradient** of the loss with respect to a parameter is the derivative: how much the
# loss changes when that parameter is nudged. Its sign says which way is uphill; stepping the
# other way lowers the loss. For a tensor of parameters, the gradient is a tensor of the same
# shape.
#
# A tensor created with `requires_grad=True` makes every operation on it record itself in a
# graph; `backward()` walks that graph from the loss back to the leaves and stores each
# gradient in `.grad`. This is autograd: `glasstorch/autograd/engine.py` (the backward walk)
# and the `Backward` nodes of `glasstorch/autograd/function.py` and `glasstorch/_ops/`.

# %%
w = torch.tensor(3.0, requires_grad=True)
y = w ** 2 + 2 * w        # dy/dw = 2w + 2 = 8 at w = 3
y.backward()
print("y =", y.item(), " dy/dw from autograd =", w.grad.item())

# %%
loss = F.cross_entropy(model(x_train), y_train)
print(f"initial training loss {loss.item():.4f}, computed by", loss.grad_fn.name())


# %% [markdown]
# ## 4. Backpropagation by hand
#
# **Backpropagation** computes the gradient of the loss with respect to every parameter by
# applying the chain rule backwards, from the loss towards the input, reusing each layer's
# result for the layer before it. Reading the graph autograd records (printed below) from
# the top down is exactly the order backpropagation visits the operations. Here it is
# written out for
# `out = relu(x @ W1.T + b1) @ W2.T + b2` with the mean squared error, then compared with what
# autograd finds.

# %%
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
xs = torch.randn(5, 2)
ys = torch.randn(5, 1)

loss = F.mse_loss(net(xs), ys)
net.zero_grad()
loss.backward()
print(f"two-layer net: loss {loss.item():.4f}")


def show_graph(fn, depth=0):
    """Print the backward graph under `fn`, one node per line."""
    # PyTorch prefixes the C++ name of the node that stores a leaf's gradient
    # ("torch::autograd::AccumulateGrad"); print the plain name on both backends.
    print("  " * depth + fn.name().removeprefix("torch::autograd::"))
    for child, _ in fn.next_functions:
        if child is not None:
            show_graph(child, depth + 1)


print("the graph autograd recorded, from the loss back to the parameters:")
show_graph(loss.grad_fn)

with torch.no_grad():
    W1, b1, W2, b2 = net[0].weight, net[0].bias, net[2].weight, net[2].bias
    # forward, keeping every intermediate
    z1 = xs @ W1.T + b1
    a1 = torch.relu(z1)
    out = a1 @ W2.T + b2
    # backward: d(loss)/d(each), from the end to the start
    d_out = 2 * (out - ys) / out.numel()   # mean of squares
    d_W2 = d_out.T @ a1
    d_b2 = d_out.sum(dim=0)
    d_a1 = d_out @ W2
    d_z1 = d_a1 * (z1 > 0).float()         # relu passes the gradient only where z1 > 0
    d_W1 = d_z1.T @ xs
    d_b1 = d_z1.sum(dim=0)

for name, ours, param in [("W1", d_W1, W1), ("b1", d_b1, b1), ("W2", d_W2, W2), ("b2", d_b2, b2)]:
    diff = (ours - param.grad).abs().max().item()
    first = [round(v, 4) for v in ours.flatten()[:3].tolist()]
    print(f"d loss / d {name}: chain rule {first} ... matches autograd: {diff < 1e-6}")
print("autograd's d loss / d W1:")
print(net[0].weight.grad)

# %% [markdown]
# Gradients **accumulate**: `backward()` adds to `.grad`, it does not overwrite it. That is
# why every training step starts with `optimizer.zero_grad()` (or `model.zero_grad()`).

# %%
w = torch.tensor(3.0, requires_grad=True)
(w ** 2).backward()
print("after one backward:", w.grad.item())
(w ** 2).backward()
print("after two backwards:", w.grad.item(), "(added up)")
w.grad = None  # what zero_grad() does by default
print("after zero_grad:", w.grad)

# %% [markdown]
# ## 5. Optimizers
#
# An **optimizer** uses the gradients to update the parameters. The simplest is gradient
# descent: `parameter <- parameter - learning_rate * gradient`. **Stochastic gradient
# descent (SGD)** does this with gradients measured on a random mini-batch of the data rather
# than the whole data set (chapter 3). Read `glasstorch/optim/sgd.py`: without momentum, the
# step is one line. `glasstorch/optim/optimizer.py` holds what all optimizers share
# (`zero_grad`, parameter groups, `state_dict`).

# %%
torch.manual_seed(0)
p1 = torch.randn(3, requires_grad=True)
p2 = p1.detach().clone().requires_grad_(True)
lr = 0.1

(p1 ** 2).sum().backward()
with torch.no_grad():           # the update itself must not be recorded by autograd
    p1 -= lr * p1.grad

optimizer = torch.optim.SGD([p2], lr=lr)
(p2 ** 2).sum().backward()
optimizer.step()
print("by hand     ", p1)
print("optim.SGD   ", p2)
print("identical:", torch.equal(p1, p2))

# %% [markdown]
# Now the whole recipe: forward pass, loss, `zero_grad`, `backward`, `step`, repeated. We
# train the iris network with full-batch SGD, then again from the same start with **Adam**,
# an optimizer that adapts a step size for each parameter from running averages of its
# gradients (`glasstorch/optim/adam.py`).

# %%
def train(model, optimizer, steps=60, every=20):
    loss_fn = nn.CrossEntropyLoss()
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = loss_fn(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        if step % every == 0:
            print(f"  step {step:3d}  train loss {loss.item():.4f}")
    with torch.no_grad():
        accuracy = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    print(f"  test accuracy {accuracy:.4f}")


for name in ["SGD", "Adam"]:
    torch.manual_seed(0)
    clf = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = (torch.optim.SGD(clf.parameters(), lr=0.1) if name == "SGD"
           else torch.optim.Adam(clf.parameters(), lr=0.01))
    print(name, opt.defaults["lr"])
    train(clf, opt)

# %% [markdown]
# ## Exercises
#
# Fill in each function and run the file again; the last cell checks your answers.
# (Reference solutions: `course/solutions/ch2.py`.)
#
# **2.1** `mse(pred, target)`: mean squared error by hand. It must stay differentiable (use
# tensor operations only).
#
# **2.2** `cross_entropy(logits, target)`: cross-entropy for a batch of logits `(N, C)` and
# class indices `(N,)`, by hand, without `log_softmax`/`cross_entropy` (hint: the log of the
# softmax is `z - log(sum(exp(z)))`; subtract the row maximum first for safety).
#
# **2.3** `line_gradients(x, y, w, b)`: for the loss `mean((w * x + b - y) ** 2)` of a line
# fitted to points `(x, y)`, return the pair `(dL/dw, dL/db)` computed with the chain rule, as
# tensors (no `backward`).
#
# **2.4** `sgd_step(params, lr)`: one plain gradient-descent step on every parameter in
# `params`, in place, using its `.grad`.

# %%
def mse(pred, target):
    """Mean of (pred - target) ** 2, as a differentiable 0-d tensor."""
    raise NotImplementedError("exercise 2.1: write your code here")


def cross_entropy(logits, target):
    """Mean over the batch of -log softmax(logits)[i, target[i]]."""
    raise NotImplementedError("exercise 2.2: write your code here")


def line_gradients(x, y, w, b):
    """(dL/dw, dL/db) for L = mean((w * x + b - y) ** 2), by the chain rule."""
    raise NotImplementedError("exercise 2.3: write your code here")


def sgd_step(params, lr):
    """p <- p - lr * p.grad for every p in params, in place, not recorded by autograd."""
    raise NotImplementedError("exercise 2.4: write your code here")


# %% [markdown]
# The checks: each raises an `AssertionError` explaining what is wrong, or returns quietly.

# %%
def check_mse(fn):
    torch.manual_seed(5)
    pred = torch.randn(6, 2, requires_grad=True)
    target = torch.randn(6, 2)
    loss = fn(pred, target)
    assert loss.numel() == 1, f"the loss must be one number, got shape {tuple(loss.shape)}"
    assert torch.allclose(loss, F.mse_loss(pred, target)), "value differs from F.mse_loss"
    loss.backward()
    assert pred.grad is not None, "no gradient reached pred: use tensor operations only"
    assert torch.allclose(pred.grad, 2 * (pred - target).detach() / 12), "gradient differs"


def check_cross_entropy(fn):
    torch.manual_seed(6)
    logits = torch.randn(8, 5) * 2
    target = torch.randint(0, 5, (8,))
    loss = fn(logits, target)
    assert loss.numel() == 1, f"the loss must be one number, got shape {tuple(loss.shape)}"
    assert torch.allclose(loss, F.cross_entropy(logits, target), atol=1e-5), "value differs"
    big = torch.tensor([[1000.0, 0.0], [0.0, 1000.0]])
    big_loss = fn(big, torch.tensor([0, 0]))
    assert torch.isfinite(big_loss), "logits of 1000 overflow: subtract the row max first"
    assert torch.allclose(big_loss, torch.tensor(500.0)), f"expected 500, got {big_loss}"


def check_line_gradients(fn):
    torch.manual_seed(7)
    x, y = torch.randn(10), torch.randn(10)
    w = torch.tensor(0.7, requires_grad=True)
    b = torch.tensor(-0.2, requires_grad=True)
    ((w * x + b - y) ** 2).mean().backward()
    with torch.no_grad():
        dw, db = fn(x, y, w.detach(), b.detach())
    assert torch.allclose(torch.as_tensor(dw), w.grad, atol=1e-5), f"dL/dw: {dw} != {w.grad}"
    assert torch.allclose(torch.as_tensor(db), b.grad, atol=1e-5), f"dL/db: {db} != {b.grad}"


def check_sgd_step(fn):
    torch.manual_seed(8)
    lin = nn.Linear(3, 2)
    twin = nn.Linear(3, 2)
    twin.load_state_dict(lin.state_dict())
    xb = torch.randn(4, 3)
    for m in (lin, twin):
        m(xb).pow(2).mean().backward()
    fn(list(lin.parameters()), 0.5)
    torch.optim.SGD(twin.parameters(), lr=0.5).step()
    for mine, ref in zip(lin.parameters(), twin.parameters()):
        assert torch.allclose(mine, ref), "parameters differ from what torch.optim.SGD gives"
        assert mine.requires_grad and mine.grad_fn is None, "update the leaves in place"


EXERCISES = {
    "mse": check_mse,
    "cross_entropy": check_cross_entropy,
    "line_gradients": check_line_gradients,
    "sgd_step": check_sgd_step,
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
