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
# # Chapter 1: Tensors, linear layers and activations
#
# **By the end of this chapter you can**
#
# 1. create a *tensor*, read its shape and dtype, index it, reshape it, and predict the
#    shape of an operation on two tensors of different shapes (broadcasting);
# 2. compute what one *neuron* computes (a weighted sum of its inputs plus a bias, passed
#    through an activation function) by hand, and the same thing for a whole layer with a
#    matrix product;
# 3. explain what `nn.Linear(in_features, out_features)` stores (a weight of shape
#    `(out_features, in_features)` and a bias of shape `(out_features,)`) and check that it
#    computes `y = x @ W.T + b`;
# 4. explain why a *neural network* needs a non-linear *activation function* between its
#    linear layers, and use ReLU, sigmoid, tanh and softmax;
# 5. stack layers into a small network with `nn.Sequential` and count its parameters.
#
# The whole chapter runs on **glasstorch**, a readable re-implementation of PyTorch on NumPy.
# Change the one marked import line (or set the environment variable `COURSE_BACKEND=torch`)
# and the same code runs on real PyTorch and prints the same numbers.
#
# Run it with `python course/01_tensors_linear_layers_activations.py`, or open the notebook
# `course/notebooks/01_tensors_linear_layers_activations.ipynb` in Jupyter. Every concept
# names the glasstorch file that implements it: open that file and read the code, it is short. `glasstorch explain TERM` in a terminal
# does the same from the installed package.

# %%
import os

if os.environ.get("COURSE_BACKEND") == "torch":
    import torch
else:
    import glasstorch as torch  # the only line to change to run on PyTorch: `import torch`

nn = torch.nn  # write `torch.nn...`: `from torch import nn` would always import real PyTorch

print("running on", torch.__name__)

# %% [markdown]
# ## 1. Tensors
#
# A **tensor** is a multi-dimensional array of numbers of one *dtype*: a scalar has 0
# dimensions, a vector 1, a matrix 2, a batch of images 4. It is the one data structure of
# **PyTorch**, the deep-learning framework this course teaches: data, model weights and
# their gradients are all tensors.
#
# In glasstorch a tensor is a NumPy array plus the bookkeeping autograd needs:
# `glasstorch/_tensor.py` (the class), `glasstorch/_creation.py` (`tensor`, `zeros`,
# `arange`, ...), `glasstorch/_ops/` (the operations).

# %%
x = torch.tensor([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0]])
print(x)
print("shape", x.shape, "ndim", x.ndim, "dtype", x.dtype, "numel", x.numel())

labels = torch.tensor([3, 0, 7])
print("integer data gets dtype", labels.dtype)  # int64: class labels are stored like this

# %% [markdown]
# Indexing works like NumPy: a row, a column, a slice. `reshape` changes the shape without
# changing the numbers (their count must stay the same).

# %%
print("row 1:", x[1])
print("column 2:", x[:, 2])
print("element (0, 1):", x[0, 1].item())  # .item() turns a one-element tensor into a float
print(x.reshape(3, 2))
print("sum of each column:", x.sum(dim=0))
print("mean of each row:  ", x.mean(dim=1))

# %% [markdown]
# **Element-wise** arithmetic pairs up elements. When the shapes differ, PyTorch
# **broadcasts**: it lines the shapes up from the right, and a dimension of size 1 (or a
# missing one) is stretched to match. Below, a row of 3 numbers is added to each of the 2 rows.
# Broadcasting is what lets one bias vector be added to a whole batch of examples.

# %%
row = torch.tensor([10.0, 20.0, 30.0])
print(x + row)                      # (2, 3) + (3,) -> (2, 3)
col = torch.tensor([[100.0], [200.0]])
print(x + col)                      # (2, 3) + (2, 1) -> (2, 3)
print(x * 2 - 1)

# %% [markdown]
# The **matrix product** `a @ b` needs the inner sizes to agree: (2, 3) @ (3, 4) -> (2, 4).
# Each output element is a dot product of a row of `a` with a column of `b`.

# %%
torch.manual_seed(0)  # a fixed seed makes the "random" numbers the same on every run
w = torch.randn(3, 4)
print(w)
print("x @ w has shape", (x @ w).shape)
print(x @ w)

# %% [markdown]
# ## 2. A neuron
#
# A **neuron** computes a weighted sum of its inputs, adds a bias, and usually passes the
# result (the *pre-activation*) through an activation function:
# `output = activation(w1*x1 + w2*x2 + w3*x3 + b)`.

# %%
inputs = torch.tensor([0.5, -1.0, 2.0])
weights = torch.tensor([0.2, 0.4, -0.1])
bias = torch.tensor(0.3)
pre_activation = (weights * inputs).sum() + bias
print("weighted sum + bias:", round(pre_activation.item(), 4))
print("after sigmoid:      ", round(torch.sigmoid(pre_activation).item(), 4))

# %% [markdown]
# ## 3. The linear layer, `nn.Linear`
#
# A **linear layer** is many neurons side by side, all reading the same inputs. Stack their
# weight vectors as rows of a matrix `W` of shape `(out_features, in_features)` and their
# biases into a vector `b`; for a batch `x` of shape `(N, in_features)` the layer computes
# the affine map `y = x @ W.T + b`, of shape `(N, out_features)`.
#
# Source: `glasstorch/nn/modules/linear.py` (the module: it creates the two `Parameter`s and
# initialises them) and `linear` in `glasstorch/nn/functional.py` (the computation).

# %%
torch.manual_seed(0)
layer = nn.Linear(in_features=3, out_features=2)
print(layer)
print("weight", layer.weight.shape, "bias", layer.bias.shape)
print(layer.weight)
print(layer.bias)

y = layer(x)
by_hand = x @ layer.weight.T + layer.bias
print(y)
print("same as x @ W.T + b:", torch.allclose(y, by_hand))

# %% [markdown]
# The weights start random, not zero: if every neuron started equal they would all receive
# the same gradient and stay equal forever. PyTorch's default draws them uniformly from
# `[-1/sqrt(in_features), 1/sqrt(in_features)]` (see `reset_parameters` in `linear.py` and
# `kaiming_uniform_` in `glasstorch/nn/init.py`), which keeps outputs at a sensible scale.

# %%
big = nn.Linear(100, 50)
bound = 1 / 100 ** 0.5
print(f"largest |weight|: {big.weight.abs().max().item():.5f} <= bound {bound:.5f}")
print("number of parameters:", sum(p.numel() for p in big.parameters()), "= 100*50 + 50")

# %% [markdown]
# ## 4. Why we need activation functions
#
# Two linear layers in a row are still one linear layer:
# `(x @ W1.T + b1) @ W2.T + b2 = x @ (W2 @ W1).T + (b1 @ W2.T + b2)`.
# However many you stack, without something non-linear in between the network can only draw
# straight lines (planes) through the data.

# %%
torch.manual_seed(1)
first, second = nn.Linear(3, 5), nn.Linear(5, 2)
stacked = second(first(x))
w_merged = second.weight @ first.weight
b_merged = first.bias @ second.weight.T + second.bias
print("two layers == one merged layer:", torch.allclose(stacked, x @ w_merged.T + b_merged,
                                                       atol=1e-6))

# %% [markdown]
# An **activation function** is a fixed non-linear function applied element-wise to a
# layer's outputs (its *pre-activations*). With it between the linear layers, the network can
# bend its decision boundaries and fit curved relationships. The four you will meet first:
#
# | name | formula | output range | typical use |
# |---|---|---|---|
# | **ReLU** | `max(0, z)` | [0, inf) | hidden layers (the default choice) |
# | **sigmoid** | `1 / (1 + exp(-z))` | (0, 1) | the output of a binary classifier |
# | tanh | `(e^z - e^-z) / (e^z + e^-z)` | (-1, 1) | hidden layers, older networks |
# | **softmax** | `exp(z_i) / sum_j exp(z_j)` | (0, 1), sums to 1 | multi-class probabilities |
#
# Source: the modules in `glasstorch/nn/modules/activation.py`, the functions (`relu`,
# `sigmoid`, `softmax`, ...) in `glasstorch/nn/functional.py`.

# %%
z = torch.linspace(-3, 3, 7)
print("z      ", z)
print("relu   ", torch.relu(z))
print("sigmoid", torch.sigmoid(z))
print("tanh   ", torch.tanh(z))

relu_module = nn.ReLU()  # the same function as a layer, to put in nn.Sequential
print("nn.ReLU() gives the same:", torch.equal(relu_module(z), torch.relu(z)))

# %% [markdown]
# **Softmax** works on a whole vector of scores at once: it exponentiates (so everything is
# positive) and divides by the total (so the result sums to 1). It turns a classifier's raw
# scores, the *logits*, into a probability distribution over the classes. Adding the same
# number to every score changes nothing, and the largest score always gets the largest
# probability.

# %%
logits = torch.tensor([2.0, 1.0, 0.1])
probs = torch.softmax(logits, dim=0)
print("softmax", probs, "sum", round(probs.sum().item(), 4))
print("shifted by +100:", torch.softmax(logits + 100, dim=0))
# sigmoid is softmax over two classes with scores (z, 0)
print("sigmoid(2) =", round(torch.sigmoid(torch.tensor(2.0)).item(), 4),
      "= softmax([2, 0])[0] =", round(torch.softmax(torch.tensor([2.0, 0.0]), dim=0)[0].item(), 4))

# %% [markdown]
# ## 5. A small neural network
#
# A **neural network** is layers of neurons connected one after another: linear layers with
# activation functions between them. `nn.Sequential` chains modules so that the output of one
# is the input of the next (`glasstorch/nn/modules/container.py`). **Deep learning** is the
# training of networks with many such layers, which learn features of the data layer by layer
# instead of having them designed by hand.
#
# Here is a network for the iris flowers (4 measurements per flower, 3 species). It is not
# trained yet, so its probabilities are close to uniform guesses; chapter 2 trains it.

# %%
import glasstorch.datasets  # noqa: E402  the course's bundled data; works with either backend

iris = glasstorch.datasets.load_iris()
features = torch.tensor(iris.features.numpy())  # to the backend's own tensor type
species = torch.tensor(iris.targets.numpy())
print("iris:", features.shape, features.dtype, species.shape, species.dtype, iris.class_names)

torch.manual_seed(0)
model = nn.Sequential(
    nn.Linear(4, 16),
    nn.ReLU(),
    nn.Linear(16, 3),
)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()))

batch = features[:5]
scores = model(batch)
print("logits of 5 flowers, shape", scores.shape)
print(scores)
print("probabilities:")
print(torch.softmax(scores, dim=1))
print("predicted species:", scores.argmax(dim=1).tolist(), "true:", species[:5].tolist())

# %% [markdown]
# ## Exercises
#
# Fill in each function, then run this file again: the last cell checks your answers and says
# which ones pass. (Reference solutions: `course/solutions/ch1.py`. Try first!)
#
# **1.1** `affine(x, weight, bias)`: what `nn.Linear` computes, written with `@`, `.T`, `+`.
#
# **1.2** `relu(z)`: ReLU without `torch.relu`/`nn.ReLU` (hint: `torch.where`, `clamp`, or
# multiply by a comparison).
#
# **1.3** `softmax(z)`: softmax over the last dimension without `torch.softmax`. Make it
# work for large scores such as 1000 too (hint: subtracting the maximum changes nothing).
#
# **1.4** `count_parameters(model)`: the number of learnable numbers in a model.
#
# **1.5** `make_mlp(n_in, n_hidden, n_out)`: an `nn.Sequential` of Linear, ReLU, Linear.

# %%
def affine(x, weight, bias):
    """Return x @ weight.T + bias."""
    raise NotImplementedError("exercise 1.1: write your code here")


def relu(z):
    """Return max(0, z) element-wise, same shape and dtype as z."""
    raise NotImplementedError("exercise 1.2: write your code here")


def softmax(z):
    """Softmax over the last dimension; must not overflow for scores like 1000."""
    raise NotImplementedError("exercise 1.3: write your code here")


def count_parameters(model):
    """Total number of learnable values (an int)."""
    raise NotImplementedError("exercise 1.4: write your code here")


def make_mlp(n_in, n_hidden, n_out):
    """nn.Sequential(Linear(n_in, n_hidden), ReLU(), Linear(n_hidden, n_out))."""
    raise NotImplementedError("exercise 1.5: write your code here")


# %% [markdown]
# The checks. Each raises an `AssertionError` that says what is wrong, and returns quietly
# when your function is right.

# %%
def check_affine(fn):
    torch.manual_seed(3)
    lin = nn.Linear(4, 3)
    xb = torch.randn(5, 4)
    with torch.no_grad():
        out = fn(xb, lin.weight, lin.bias)
        expected = lin(xb)
    assert tuple(out.shape) == (5, 3), f"expected shape (5, 3), got {tuple(out.shape)}"
    assert torch.allclose(out, expected, atol=1e-6), "values differ from nn.Linear's output"


def check_relu(fn):
    z = torch.tensor([[-2.0, -0.5, 0.0], [0.5, 3.0, -1e-3]])
    out = fn(z)
    assert tuple(out.shape) == (2, 3), f"shape changed to {tuple(out.shape)}"
    assert out.dtype == z.dtype, f"dtype changed to {out.dtype}"
    assert torch.equal(out, torch.relu(z)), f"relu({z.tolist()}) gave {out.tolist()}"


def check_softmax(fn):
    torch.manual_seed(4)
    z = torch.randn(4, 5) * 3
    out = fn(z)
    assert tuple(out.shape) == (4, 5), f"expected shape (4, 5), got {tuple(out.shape)}"
    assert torch.allclose(out, torch.softmax(z, dim=-1), atol=1e-6), "values differ"
    big_scores = fn(torch.tensor([1000.0, 999.0, 0.0]))
    assert not torch.isnan(big_scores).any(), "scores of 1000 overflow: subtract the max first"
    assert torch.allclose(big_scores, torch.softmax(torch.tensor([1000.0, 999.0, 0.0]), dim=0))


def check_count_parameters(fn):
    net = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    n = fn(net)
    assert int(n) == 64 * 32 + 32 + 32 * 10 + 10, f"expected 2410, got {n}"
    assert int(fn(nn.Linear(3, 1, bias=False))) == 3, "a Linear(3, 1, bias=False) has 3"


def check_make_mlp(fn):
    net = fn(8, 20, 3)
    assert isinstance(net, nn.Sequential), f"expected nn.Sequential, got {type(net).__name__}"
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "ReLU", "Linear"], f"layers are {kinds}"
    assert (net[0].in_features, net[0].out_features) == (8, 20), "first layer sizes"
    assert (net[2].in_features, net[2].out_features) == (20, 3), "last layer sizes"
    assert tuple(net(torch.zeros(2, 8)).shape) == (2, 3), "output shape for a batch of 2"


EXERCISES = {
    "affine": check_affine,
    "relu": check_relu,
    "softmax": check_softmax,
    "count_parameters": check_count_parameters,
    "make_mlp": check_make_mlp,
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
