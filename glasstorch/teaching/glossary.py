"""The course glossary, tied to the code: every term with its definition, the glasstorch objects
that implement it, and a small live demonstration.

``glasstorch glossary`` lists the terms and ``glasstorch explain TERM`` prints one of them with
the source code of its implementation (read from the installed package by :mod:`inspect` when
the command runs, so it can never go stale) and the output of its demo.

Each :class:`Term` names its implementation by dotted paths (``"glasstorch.optim.sgd.SGD"``);
:func:`resolve` imports them. Each demo is a function ``demo(out) -> dict``: it writes lines
through ``out`` and returns its key numbers, which the tests check.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
from typing import Any

import numpy as np

from glasstorch.teaching._term import Out, Term, _arr, _f, _torch  # noqa: F401  (Out: demos)
from glasstorch.teaching._words import WORDS

__all__ = ["Term", "TERMS", "COURSE_TERMS", "lookup", "close_matches", "normalize", "resolve",
           "source_of", "markdown"]

# ---------------------------------------------------------------------------------------------
# looking terms up
# ---------------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """The lookup key of a term: lower case, letters and digits only ("nn.Linear" -> "nnlinear")."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _keys(text: str) -> list[str]:
    """Lookup keys to try for what the user typed, most literal first."""
    key = normalize(text)
    keys = [key]
    for prefix in ("glasstorch", "torch"):  # "torch.nn.Linear" means nn.Linear
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            keys.append(key[len(prefix):])
    more = []
    for k in keys:
        if k.endswith("es") and len(k) > 4:  # plurals: "tensors", "losses"
            more.append(k[:-2])
        if k.endswith("s") and len(k) > 3:
            more.append(k[:-1])
    return keys + more


def _index() -> dict[str, Term]:
    index: dict[str, Term] = {}
    for term in TERMS:
        for text in (term.name, *term.aliases):
            index.setdefault(normalize(text), term)
    return index


def lookup(text: str) -> Term | None:
    """The term a user means by ``text`` (case, spacing, punctuation and aliases forgiven)."""
    index = _index()
    for key in _keys(text):
        if key in index:
            return index[key]
    return None


def close_matches(text: str, n: int = 5) -> list[str]:
    """Names of the terms whose name or an alias resembles ``text`` (for "did you mean")."""
    index = _index()
    key = normalize(text)
    hits = difflib.get_close_matches(key, list(index), n=3 * n, cutoff=0.6)
    # a word typed inside a longer name ("entropy") is a good hint too
    if len(key) >= 3:
        hits += [k for k in index if key in k and k not in hits]
    names: list[str] = []
    for k in hits:
        name = index[k].name
        if name not in names:
            names.append(name)
    return names[:n]


def resolve(dotted: str) -> Any:
    """Import the object named by a dotted path: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for name in parts[i:]:
            obj = inspect.getattr_static(obj, name) if isinstance(obj, type) else getattr(
                obj, name)
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if isinstance(obj, property):
            obj = obj.fget
        return obj
    raise ImportError(f"cannot import {dotted!r}")


def source_of(dotted: str) -> tuple[str, int, list[str]]:
    """``(file, first line, source lines)`` of the object, read from the installed files now."""
    obj = resolve(dotted)
    lines, start = inspect.getsourcelines(obj)
    return inspect.getsourcefile(inspect.unwrap(obj)) or "?", start, lines


# ---------------------------------------------------------------------------------------------
# demo helpers
# ---------------------------------------------------------------------------------------------


def _unicode_ok() -> bool:
    """Whether standard output can show box-drawing characters."""
    import sys

    try:
        "└│".encode(getattr(sys.stdout, "encoding", None) or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


# ---------------------------------------------------------------------------------------------
# demos: short, seeded, real numbers
# ---------------------------------------------------------------------------------------------


def _demo_activation(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    x = torch.linspace(-2, 2, 5)
    out(f"x          = {_arr(x)}")
    out(f"relu(x)    = {_arr(torch.relu(x))}")
    out(f"sigmoid(x) = {_arr(torch.sigmoid(x))}")
    out(f"tanh(x)    = {_arr(torch.tanh(x))}")
    torch.manual_seed(0)
    l1, l2 = nn.Linear(3, 4), nn.Linear(4, 2)
    xs = torch.randn(6, 3)
    with torch.no_grad():
        # without an activation, two layers equal ONE linear layer W = W2 W1, b = W2 b1 + b2
        w = l2.weight @ l1.weight
        b = l2.weight @ l1.bias + l2.bias
        one_layer = xs @ w.T + b
        linear_gap = (l2(l1(xs)) - one_layer).abs().max().item()
        relu_gap = (l2(torch.relu(l1(xs))) - one_layer).abs().max().item()
    out("two stacked Linear layers vs the single Linear layer W2 @ W1, W2 @ b1 + b2:")
    out(f"  with no activation between them, max |difference| = {linear_gap:.2e}  (the same map)")
    out(f"  with a ReLU between them,        max |difference| = {relu_gap:.4f}  (something new)")
    return {"linear_gap": linear_gap, "relu_gap": relu_gap}


def _demo_backprop(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    from glasstorch.viz import make_dot

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = torch.randn(5, 3)
    y = torch.randn(5, 1)
    loss = nn.functional.mse_loss(model(x), y)
    out(f"two-layer net 3 -> 4 -> 1, batch of 5, loss = {_f(loss.item())}")
    out("the graph autograd recorded (read bottom-up: forward; top-down: backward):")
    tree = make_dot(loss, dict(model.named_parameters())).text(ascii=not _unicode_ok())
    for line in tree.splitlines():
        out("  " + line)
    loss.backward()

    # the same gradients by the chain rule, written out in NumPy (float64)
    X, Y = x.numpy().astype(np.float64), y.numpy().astype(np.float64)
    W1, b1 = (p.detach().numpy().astype(np.float64) for p in (model[0].weight, model[0].bias))
    W2, b2 = (p.detach().numpy().astype(np.float64) for p in (model[2].weight, model[2].bias))
    z1 = X @ W1.T + b1          # forward, keeping what backward needs
    h = np.maximum(z1, 0)
    z2 = h @ W2.T + b2
    dz2 = 2 * (z2 - Y) / Y.size  # d mean((z2 - y)^2) / d z2
    grads = {
        "2.weight": dz2.T @ h,       # z2 = h W2^T + b2
        "2.bias": dz2.sum(0),
    }
    dh = dz2 @ W2                    # back through the second layer
    dz1 = dh * (z1 > 0)              # ReLU passes the gradient only where it was active
    grads["0.weight"] = dz1.T @ X
    grads["0.bias"] = dz1.sum(0)
    worst = 0.0
    for name, p in model.named_parameters():
        auto = p.grad.numpy().astype(np.float64)
        diff = float(np.abs(auto - grads[name]).max())
        worst = max(worst, diff)
        out(f"{name:9s} autograd   {_arr(auto.ravel()[:4])}")
        out(f"{'':9s} chain rule {_arr(grads[name].ravel()[:4])}   max |diff| {diff:.2e}")
    out(f"max |difference| over all parameters: {worst:.2e}")
    return {"loss": float(loss.item()), "max_diff": worst}


def _demo_cross_entropy(out: Out) -> dict[str, float]:
    torch = _torch()
    loss_fn = torch.nn.CrossEntropyLoss()
    target = torch.tensor([0])
    cases = {"confident and right": [4.0, 0.0, 0.0], "undecided": [0.0, 0.0, 0.0],
             "confident and wrong": [0.0, 4.0, 0.0]}
    vals = {}
    out("3 classes, the true class is 0; the model gives raw scores (logits):")
    for label, scores in cases.items():
        logits = torch.tensor([scores])
        loss = loss_fn(logits, target).item()
        z = np.array(scores, dtype=np.float64)
        by_hand = -(z[0] - np.log(np.exp(z).sum()))  # -log softmax(z)[target]
        p = np.exp(z) / np.exp(z).sum()
        out(f"  {label:20s} logits {scores}  p(true) = {p[0]:.4f}  loss = {loss:.4f}  "
            f"(-log p by hand {by_hand:.4f})")
        vals[label] = loss
    out(f"undecided costs log(3) = {np.log(3):.4f}; being sure and wrong costs the most")
    return {"right": vals["confident and right"], "undecided": vals["undecided"],
            "wrong": vals["confident and wrong"]}


def _demo_dataloader(out: Out) -> dict[str, float]:
    torch = _torch()
    from glasstorch.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(torch.arange(10.0).reshape(10, 1), torch.arange(10) % 2)
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(ds, batch_size=4, shuffle=True, generator=g)
    out(f"10 examples, batch_size=4, shuffle=True -> {len(loader)} batches per epoch")
    sizes = []
    for epoch in range(2):
        for i, (xb, yb) in enumerate(loader):
            sizes.append(len(xb))
            out(f"  epoch {epoch} batch {i}: x = {xb.flatten().tolist()}  y = {yb.tolist()}")
    plain = DataLoader(ds, batch_size=4, drop_last=True)
    batches = [xb.flatten().tolist() for xb, _ in plain]
    out(f"shuffle=False, drop_last=True: {batches}")
    return {"batches_per_epoch": float(len(loader)), "examples_seen": float(sum(sizes))}


def _demo_deep_learning(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    x = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = torch.tensor([0, 1, 1, 0])  # XOR: no straight line separates the classes
    results = {}
    torch.manual_seed(0)
    models = {"linear (no hidden layer)": nn.Linear(2, 2),
              "deep (2 hidden layers)": nn.Sequential(nn.Linear(2, 16), nn.ReLU(),
                                                      nn.Linear(16, 16), nn.ReLU(),
                                                      nn.Linear(16, 2))}
    out("learning XOR from its 4 examples, 300 Adam steps each:")
    for label, model in models.items():
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        for _ in range(300):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        acc = (model(x).argmax(1) == y).float().mean().item()
        out(f"  {label:24s} final loss {loss.item():.4f}  accuracy {acc:.2f}")
        results["linear_acc" if "linear" in label else "deep_acc"] = acc
    out("the layered model learns intermediate features the linear one cannot form")
    return results


def _demo_forward(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = torch.randn(2, 3)
    out(f"input x{tuple(x.shape)} = {_arr(x)}")
    h = x
    with torch.no_grad():
        for i, layer in enumerate(model):
            h = layer(h)
            out(f"after [{i}] {type(layer).__name__:6s} shape {tuple(h.shape)}: {_arr(h)}")
        whole = model(x)
    diff = (whole - h).abs().max().item()
    out(f"model(x) does exactly these steps: max |model(x) - layer by layer| = {diff:.1e}")
    return {"diff": diff}


def _demo_gradient(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    y = torch.tensor([2.0, 3.0, 7.0], dtype=torch.float64)
    w = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    def f(w):
        return ((w * x - y) ** 2).sum()

    loss = f(w)
    loss.backward()
    out(f"f(w) = sum((w*x - y)^2) at w = {w.tolist()}: f = {_f(loss.item())}")
    out(f"autograd   w.grad = {_arr(w.grad, 6)}")
    eps = 1e-6
    fd = []
    with torch.no_grad():
        for i in range(3):
            step = torch.zeros(3, dtype=torch.float64)
            step[i] = eps
            fd.append((f(w + step).item() - f(w - step).item()) / (2 * eps))
    out(f"central differences (f(w+e) - f(w-e)) / 2e, e = {eps}: {_arr(fd, 6)}")
    formula = 2 * (w.detach().numpy() * x.numpy() - y.numpy()) * x.numpy()
    out(f"by the formula 2 (w x - y) x:                      {_arr(formula, 6)}")
    diff = float(np.abs(np.array(fd) - w.grad.numpy()).max())
    out(f"max |autograd - finite differences| = {diff:.2e}; the sign says which way f grows")
    return {"max_diff": diff}


def _demo_hallucination(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    from glasstorch import metrics

    torch.manual_seed(0)
    centers = torch.tensor([[0.0, 3.0], [-3.0, -2.0], [3.0, -2.0]])
    y = torch.arange(3).repeat(100)
    x = centers[y] + torch.randn(300, 2)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    with torch.no_grad():
        conf_train, _ = metrics.softmax_confidence(model(x))
        noise = torch.rand(200, 2) * 60 - 30   # points far from anything it was trained on
        conf_noise, pred_noise = metrics.softmax_confidence(model(noise))
    acc = metrics.accuracy(model(x), y)
    share = (conf_noise > 0.9).float().mean().item()
    out(f"a 3-class classifier trained on 3 clusters: accuracy {acc:.3f}, "
        f"mean confidence {conf_train.mean().item():.3f}")
    out("now 200 points of pure noise, far from the clusters (no right answer exists):")
    out(f"  mean confidence on noise {conf_noise.mean().item():.3f}; "
        f"{share:.0%} of the noise gets a confidence above 0.9")
    counts = np.bincount(pred_noise.numpy(), minlength=3).tolist()
    out(f"  noise labelled as class 0/1/2: {counts} -- softmax has no 'I don't know' output")
    return {"train_acc": acc, "noise_confidence": float(conf_noise.mean().item()),
            "share_over_0.9": share}


def _demo_learning_rate(out: Out) -> dict[str, float]:
    torch = _torch()
    out("minimising f(x) = x^2 from x = 1 with plain SGD (the gradient is 2x):")
    final = {}
    for lr, label in ((0.01, "too small"), (0.3, "about right"), (1.1, "too large")):
        x = torch.tensor([1.0], requires_grad=True)
        opt = torch.optim.SGD([x], lr=lr)
        trace = []
        for _ in range(10):
            opt.zero_grad()
            (x ** 2).sum().backward()
            opt.step()
            trace.append(x.item())
        out(f"  lr={lr:<5} {label:12s} x after steps 1..10: "
            + " ".join(f"{v:+.3g}" for v in trace))
        final[f"lr_{lr}"] = abs(trace[-1])
    out("each step multiplies x by (1 - 2 lr): 0.98 crawls, 0.4 shrinks fast, -1.2 blows up")
    return final


def _demo_linear(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 2)
    x = torch.randn(4, 3)
    y = layer(x)
    W, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    by_hand = x.numpy() @ W.T + b
    out(f"nn.Linear(3, 2): weight {tuple(layer.weight.shape)} (out, in), bias "
        f"{tuple(layer.bias.shape)}, {sum(p.numel() for p in layer.parameters())} parameters")
    out(f"W = {_arr(W)}")
    out(f"b = {_arr(b)}")
    out(f"layer(x) for a batch of 4: {_arr(y.detach())}")
    out(f"x @ W.T + b in NumPy:      {_arr(by_hand)}")
    diff = float(np.abs(y.detach().numpy() - by_hand).max())
    out(f"max |difference| = {diff:.1e};  y.grad_fn = {type(y.grad_fn).__name__}")
    return {"max_diff": diff}


def _demo_loss_function(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    target = torch.tensor([1.0, 2.0, 3.0])
    close = torch.tensor([1.1, 1.9, 3.2], requires_grad=True)
    far = torch.tensor([3.0, 0.0, 5.0])
    mse, l1 = nn.MSELoss(), nn.L1Loss()
    out(f"targets {target.tolist()}")
    vals = {}
    for label, pred in (("close", close), ("far", far)):
        m, a = mse(pred, target), l1(pred, target)
        out(f"  {label:5s} predictions {_arr(pred.detach(), 2)}: MSE {m.item():.4f}  "
            f"L1 {a.item():.4f}")
        vals[label] = m.item()
    loss = mse(close, target)
    loss.backward()
    out(f"a loss is one number (shape {tuple(loss.shape)}); loss.backward() gives each "
        f"prediction its gradient: {_arr(close.grad)}")
    return {"close": vals["close"], "far": vals["far"]}


def _demo_mse(out: Out) -> dict[str, float]:
    torch = _torch()
    pred = torch.tensor([2.5, 0.0, 2.0, 8.0], requires_grad=True)
    target = torch.tensor([3.0, -0.5, 2.0, 7.0])
    loss = torch.nn.MSELoss()(pred, target)
    loss.backward()
    p, t = pred.detach().numpy().astype(np.float64), target.numpy().astype(np.float64)
    by_hand = np.mean((p - t) ** 2)
    out(f"predictions {p.tolist()}, targets {t.tolist()}")
    out(f"nn.MSELoss() = {loss.item():.6f};  mean((p - t)^2) in NumPy = {by_hand:.6f}")
    out(f"gradient autograd {_arr(pred.grad)}  vs 2 (p - t) / n = {_arr(2 * (p - t) / len(p))}")
    out("the miss of 1.0 costs 4x the misses of 0.5: squaring punishes large errors most")
    return {"loss": float(loss.item()), "diff": float(abs(loss.item() - by_hand))}


def _demo_momentum(out: Out) -> dict[str, float]:
    torch = _torch()
    out("f(x, y) = 0.5 (x^2 + 25 y^2), a long narrow valley; start (-4, 1), SGD lr = 0.035")
    finals = {}
    for mom in (0.0, 0.9):
        p = torch.tensor([-4.0, 1.0], requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.035, momentum=mom)
        values = []
        for _ in range(40):
            opt.zero_grad()
            f = 0.5 * (p[0] ** 2 + 25 * p[1] ** 2)
            f.backward()
            opt.step()
            values.append(f.item())
        out(f"  momentum={mom}: f at steps 1,5,10,20,40 = "
            + ", ".join(f"{values[i - 1]:.4g}" for i in (1, 5, 10, 20, 40))
            + f"   end at ({p[0].item():+.3f}, {p[1].item():+.3f})")
        finals[f"momentum_{mom}"] = values[-1]
    out("momentum keeps a running velocity: it speeds along the flat x direction, where "
        "plain SGD crawls")
    return finals


def _demo_neural_network(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    out(repr(model))
    total = 0
    for name, p in model.named_parameters():
        out(f"  {name:9s} {str(tuple(p.shape)):8s} {p.numel():3d} learnable numbers")
        total += p.numel()
    y = model(torch.randn(5, 4))
    out(f"{total} parameters in all; a batch of 5 inputs of size 4 -> output {tuple(y.shape)}")
    return {"parameters": float(total)}


def _demo_neuron(out: Out) -> dict[str, float]:
    torch = _torch()
    neuron = torch.nn.Linear(3, 1)  # one output = one neuron
    with torch.no_grad():
        neuron.weight.copy_(torch.tensor([[0.5, -1.0, 2.0]]))
        neuron.bias.fill_(0.1)
    x = torch.tensor([1.0, 2.0, 3.0])
    z = neuron(x)
    a = torch.sigmoid(z)
    by_hand = 0.5 * 1 - 1.0 * 2 + 2.0 * 3 + 0.1
    out("weights [0.5, -1, 2], bias 0.1, inputs [1, 2, 3]")
    out(f"weighted sum + bias: 0.5*1 - 1*2 + 2*3 + 0.1 = {by_hand:.4f};  neuron(x) = "
        f"{z.item():.4f}")
    out(f"after the sigmoid activation: {a.item():.4f} (1 / (1 + e^-{by_hand:.1f}) = "
        f"{1 / (1 + np.exp(-by_hand)):.4f})")
    return {"z": float(z.item()), "diff": abs(z.item() - by_hand)}


def _demo_optimizer(out: Out) -> dict[str, float]:
    torch = _torch()
    w = torch.tensor(5.0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    out("minimise (w - 2)^2 from w = 5 with SGD(lr=0.1): zero_grad, backward, step")
    first = None
    for i in range(5):
        opt.zero_grad()
        loss = (w - 2) ** 2
        loss.backward()
        g = w.grad.item()
        before = w.item()
        opt.step()
        if first is None:
            first = w.item()
        out(f"  step {i + 1}: loss {loss.item():7.4f}  grad {g:+.4f}  w {before:.4f} -> "
            f"{w.item():.4f}  (= w - lr*grad = {before - 0.1 * g:.4f})")
    return {"first_step": float(first), "final_w": float(w.item())}


def _demo_overfitting(out: Out) -> dict[str, float]:
    torch = _torch()
    nn = torch.nn
    from glasstorch import metrics

    torch.manual_seed(0)
    # the labels are coin flips: there is no pattern, so anything learned is memorised noise
    x_train, y_train = torch.randn(24, 2), torch.randint(0, 2, (24,))
    x_val, y_val = torch.randn(200, 2), torch.randint(0, 2, (200,))
    model = nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                          nn.Linear(128, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    out("an over-sized MLP (17k parameters) on 24 examples whose labels are coin flips:")
    out("  step   train loss  train acc   val loss  val acc")
    for step in range(1, 401):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x_train), y_train)
        loss.backward()
        opt.step()
        if step in (1, 50, 100, 200, 400):
            with torch.no_grad():
                tr, va = model(x_train), model(x_val)
                tr_loss = nn.functional.cross_entropy(tr, y_train).item()
                va_loss = nn.functional.cross_entropy(va, y_val).item()
            tr_acc, va_acc = metrics.accuracy(tr, y_train), metrics.accuracy(va, y_val)
            out(f"  {step:4d}   {tr_loss:10.4f}  {tr_acc:9.3f}  {va_loss:9.4f}  {va_acc:7.3f}")
    out("training accuracy climbs to ~1 while validation stays at chance and its loss grows:")
    out("the model memorised the 24 examples instead of learning anything that generalises")
    return {"train_acc": tr_acc, "val_acc": va_acc, "train_loss": tr_loss, "val_loss": va_loss}


def _demo_pytorch(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(0)
    t = torch.ones(2, 3)
    out(f"tensors:   torch.ones(2, 3).sum() = {t.sum().item()}")
    w = torch.tensor(3.0, requires_grad=True)
    (w ** 2).backward()
    out(f"autograd:  d(w^2)/dw at w = 3 -> w.grad = {w.grad.item()}")
    layer = torch.nn.Linear(4, 2)
    out(f"nn:        nn.Linear(4, 2)(x) has shape {tuple(layer(torch.randn(3, 4)).shape)}; "
        f"{sum(p.numel() for p in layer.parameters())} parameters")
    opt = torch.optim.SGD([w], lr=0.5)
    opt.step()
    out(f"optim:     one SGD step with lr 0.5 moves w from 3 to {w.item()}")
    out(f"this is {torch.__name__} {getattr(torch, '__version__', '')}: replace the import "
        "line by `import torch` and the same lines give the same numbers")
    return {"grad": float(2 * 3.0), "w": float(w.item())}


def _demo_relu(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
    y = torch.nn.ReLU()(x)
    y.sum().backward()
    out(f"x           = {_arr(x.detach())}")
    out(f"ReLU(x)     = {_arr(y.detach())}   (max(0, x))")
    out(f"dReLU/dx    = {_arr(x.grad)}   (1 where x > 0, else 0; at 0 the convention is 0)")
    out(f"y.grad_fn   = {type(y.grad_fn).__name__}")
    return {"grad_sum": float(x.grad.sum().item()), "min_out": float(y.min().item())}


def _demo_sigmoid(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.tensor([-6.0, -2.0, 0.0, 2.0, 6.0], requires_grad=True)
    s = torch.nn.Sigmoid()(x)
    s.sum().backward()
    sn = s.detach().numpy()
    out(f"x             = {_arr(x.detach())}")
    out(f"sigmoid(x)    = {_arr(sn)}  (between 0 and 1)")
    out(f"autograd grad = {_arr(x.grad)}")
    out(f"s (1 - s)     = {_arr(sn * (1 - sn))}  (largest, 0.25, at x = 0; tiny in the tails)")
    diff = float(np.abs(x.grad.numpy() - sn * (1 - sn)).max())
    return {"min": float(sn.min()), "max": float(sn.max()), "grad_diff": diff}


def _demo_softmax(out: Out) -> dict[str, float]:
    torch = _torch()
    scores = torch.tensor([[2.0, 1.0, 0.1]])
    p = torch.nn.Softmax(dim=1)(scores)
    z = scores.numpy()[0].astype(np.float64)
    by_hand = np.exp(z) / np.exp(z).sum()
    shifted = torch.softmax(scores + 100, dim=1)
    out("scores          [2.0, 1.0, 0.1]")
    out(f"softmax         {_arr(p[0], 4)}  sum = {p.sum().item():.6f}")
    out(f"exp / sum exp   {_arr(by_hand, 4)}")
    out(f"scores + 100 -> {_arr(shifted[0], 4)}  (only differences between scores matter)")
    diff = float(np.abs(p.numpy()[0] - by_hand).max())
    return {"sum": float(p.sum().item()), "diff": diff}


def _demo_sgd(out: Out) -> dict[str, float]:
    torch = _torch()
    from glasstorch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    x = torch.rand(64, 1) * 2 - 1
    y = 3 * x + 2 + 0.1 * torch.randn(64, 1)
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    out("fit y = 3x + 2 (+ noise) from 64 points, mini-batches of 16, SGD lr = 0.1")
    for epoch in range(1, 31):
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
        if epoch in (1, 5, 10, 30):
            out(f"  epoch {epoch:2d}: w = {model.weight.item():.4f}  b = {model.bias.item():.4f}"
                f"  last batch loss {loss.item():.4f}")
    w = model.weight.detach().clone()
    g = model.weight.grad.detach().clone()
    opt.step()
    out(f"one more step by hand: w - lr * grad = {(w - 0.1 * g).item():.6f}, "
        f"SGD gave {model.weight.item():.6f}")
    return {"w": float(model.weight.item()), "b": float(model.bias.item())}


def _demo_tensor(out: Out) -> dict[str, float]:
    torch = _torch()
    t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out(f"t = torch.tensor([[1., 2., 3.], [4., 5., 6.]])  shape {tuple(t.shape)}  "
        f"dtype {t.dtype}  ndim {t.ndim}")
    out(f"integers default to {torch.tensor([1, 2]).dtype}; "
        f"t[1, 2] = {t[1, 2].item()}; t.T has shape {tuple(t.T.shape)}")
    col = torch.tensor([[10.0], [20.0]])   # shape (2, 1)
    row = torch.tensor([100.0, 200.0, 300.0])  # shape (3,)
    s = t + col + row
    out("broadcasting (2, 3) + (2, 1) + (3,): size-1 and missing dimensions are repeated")
    for line in repr(s).splitlines():
        out("  " + line)
    ref = t.numpy() + col.numpy() + row.numpy()
    diff = float(np.abs(s.numpy() - ref).max())
    out(f"same as NumPy: max |difference| = {diff}; t.sum(dim=0) = {t.sum(dim=0).tolist()}")
    return {"diff": diff, "numel": float(s.numel())}


def _demo_tensor_dataset(out: Out) -> dict[str, float]:
    torch = _torch()
    from glasstorch.utils.data import DataLoader, TensorDataset

    x = torch.arange(10.0).reshape(5, 2)
    y = torch.tensor([0, 1, 0, 1, 1])
    ds = TensorDataset(x, y)
    out(f"features {tuple(x.shape)}, labels {tuple(y.shape)} -> TensorDataset of len {len(ds)}")
    xi, yi = ds[2]
    out(f"ds[2] = ({xi.tolist()}, {yi.item()})  -- row 2 of every tensor, as a tuple")
    xb, yb = next(iter(DataLoader(ds, batch_size=3)))
    out(f"a DataLoader stacks rows into batches: x {tuple(xb.shape)}, y {yb.tolist()}")
    try:
        TensorDataset(x, torch.zeros(4))
    except AssertionError as e:
        out(f"tensors of different lengths are refused: {e}")
    return {"len": float(len(ds))}


# ---------------------------------------------------------------------------------------------
# the terms
# ---------------------------------------------------------------------------------------------

TERMS: tuple[Term, ...] = (
    Term(
        "Activation function",
        "An element-wise non-linear function placed after a layer (ReLU, sigmoid, tanh...); "
        "without one, any stack of Linear layers collapses into a single Linear layer.",
        "A Linear layer can only rotate, stretch and shift its input, and composing such maps "
        "gives another map of the same kind. Putting a non-linear function between layers "
        "breaks that, so depth can build curved decision boundaries. In glasstorch each "
        "activation is a small Module in nn/modules/activation.py whose forward calls a core "
        "operation; the operation's node (e.g. TanhBackward0) holds the derivative used by "
        "backpropagation.",
        ("glasstorch.nn.modules.activation.Tanh", "glasstorch._ops.pointwise.nodes.TanhBackward0",
         "glasstorch._ops.pointwise.functions.tanh"),
        _demo_activation,
        ("activation", "activations", "activation functions", "nonlinearity",
         "non-linearity", "non linearity", "activation layer"),
    ),
    Term(
        "Backpropagation",
        "Computing the gradient of the loss for every parameter by applying the chain rule "
        "backwards over the graph of operations recorded during the forward pass.",
        "Every operation on a tensor that requires grad records a node (its grad_fn) linked to "
        "the nodes of its inputs. loss.backward() hands the gradient 1.0 to the loss's node; "
        "the engine visits the nodes in reverse topological order, each node turns the "
        "gradient of its output into gradients of its inputs (its backward method), and "
        "AccumulateGrad nodes add the result into each leaf's .grad. Saved intermediate "
        "arrays are released afterwards unless retain_graph=True.",
        ("glasstorch._tensor.Tensor.backward", "glasstorch.autograd.engine.run_backward"),
        _demo_backprop,
        ("backprop", "back propagation", "back-propagation", "backward pass", "backward",
         "autograd", "automatic differentiation", "chain rule", "loss.backward"),
    ),
    Term(
        "Cross-entropy loss",
        "For classification: the mean of -log p(true class), where p is the softmax of the "
        "model's raw scores; nn.CrossEntropyLoss takes logits, not probabilities.",
        "It rewards putting probability on the right class and punishes confident mistakes "
        "without bound (-log p grows to infinity as p goes to 0). glasstorch computes it as "
        "PyTorch does: log_softmax (numerically stable: the maximum is subtracted before exp) "
        "then nll_loss picking the target's entry; together their backward is "
        "softmax(z) - onehot(y). "
        "Because the softmax is inside, a model must not apply softmax itself before this loss.",
        ("glasstorch.nn.modules.loss.CrossEntropyLoss", "glasstorch.nn.functional.cross_entropy"),
        _demo_cross_entropy,
        ("cross entropy", "crossentropy", "cross-entropy", "cross entropy loss",
         "CrossEntropyLoss", "nn.CrossEntropyLoss", "F.cross_entropy", "ce loss", "log loss",
         "nll", "negative log likelihood", "categorical cross entropy"),
    ),
    Term(
        "DataLoader",
        "Turns a Dataset into an iterable of mini-batches: it draws indices (shuffled or in "
        "order), fetches those examples and stacks them into batch tensors.",
        "A sampler yields example indices (a fresh random permutation each epoch when "
        "shuffle=True), a batch sampler groups them batch_size at a time (drop_last drops a "
        "short final batch), the fetcher calls dataset[i] for each and collate_fn stacks the "
        "results. With num_workers > 0 batches are produced in worker processes.",
        ("glasstorch.utils.data.sampler.BatchSampler.__iter__",
         "glasstorch.utils.data.dataloader._SingleProcessDataLoaderIter._next_data",
         "glasstorch.utils.data._utils.fetch._MapDatasetFetcher.fetch"),
        _demo_dataloader,
        ("data loader", "dataloaders", "torch.utils.data.DataLoader", "utils.data.DataLoader",
         "loader"),
    ),
    Term(
        "Deep learning",
        "Machine learning with neural networks of several stacked layers, each learning features "
        "built from the previous layer's, all trained together by gradient descent.",
        "Instead of hand-designing features, a deep model learns a chain of representations: "
        "early layers find simple patterns and later layers combine them. The whole chain is "
        "one differentiable function, so backpropagation trains every layer at once. In "
        "glasstorch such a chain is typically an nn.Sequential of Linear layers and "
        "activations, whose forward passes the input through each module in turn.",
        ("glasstorch.nn.modules.container.Sequential.forward",),
        _demo_deep_learning,
        ("DL", "deep neural network", "deep network", "deep neural networks", "dnn"),
    ),
    Term(
        "Forward pass",
        "Running the inputs through the model's layers in order to get its outputs (and, when "
        "gradients are on, recording the operations that backpropagation will walk back).",
        "Calling model(x) runs Module.__call__, which calls forward (plus any hooks); an "
        "nn.Sequential's forward feeds each layer's output to the next. While it runs, every "
        "operation on tensors that require grad saves what its gradient will need and links "
        "into the autograd graph. Under torch.no_grad() the same computation records nothing, "
        "which is what evaluation uses.",
        ("glasstorch.nn.modules.container.Sequential.forward",
         "glasstorch.nn.modules.linear.Linear.forward"),
        _demo_forward,
        ("forward", "forward propagation", "model(x)", "forward()"),
    ),
    Term(
        "Gradient",
        "For each parameter, how fast the loss changes when that parameter is nudged (a "
        "tensor of partial derivatives shaped like it); training steps the opposite way.",
        "After loss.backward(), each leaf tensor created with requires_grad=True (every "
        "nn.Parameter is) holds its gradient in .grad, with the same shape as the tensor. "
        "Gradients add up across backward calls, which is why training loops call "
        "optimizer.zero_grad(). torch.autograd.grad returns gradients without touching .grad. "
        "Finite differences (f(w+e) - f(w-e)) / 2e approximate the same numbers.",
        ("glasstorch.autograd.engine._accumulate_leaf", "glasstorch.autograd.grad"),
        _demo_gradient,
        ("gradients", "grad", ".grad", "derivative", "partial derivative",
         "torch.autograd.grad", "slope"),
    ),
    Term(
        "Hallucination",
        "A model giving a confident answer that is wrong or made up, typically on inputs unlike "
        "its training data; a softmax classifier always picks some class with some confidence.",
        "Softmax probabilities always sum to 1, and a ReLU network's scores grow with the "
        "distance from the training data, so inputs that resemble nothing it saw can still get "
        "a confidence near 1. Measuring calibration (expected calibration error), rescaling the "
        "logits with a temperature fitted on validation data, and abstaining below a "
        "confidence threshold make such failures visible and rarer; glasstorch.teaching.metrics "
        "implements all three.",
        ("glasstorch.teaching.metrics.softmax_confidence",
         "glasstorch.teaching.metrics.expected_calibration_error",
         "glasstorch.teaching.metrics.fit_temperature"),
        _demo_hallucination,
        ("hallucinations", "hallucinate", "overconfidence", "over-confidence", "confabulation",
         "calibration", "miscalibration"),
    ),
    Term(
        "Learning rate",
        "The number lr that multiplies each gradient step (p <- p - lr * grad): too small and "
        "training crawls, too large and the loss jumps around or diverges.",
        "It is stored per parameter group in optimizer.param_groups[i]['lr'], where learning "
        "rate schedulers change it during training. For plain SGD the update of every "
        "parameter is exactly -lr times its (possibly momentum-smoothed) gradient; adaptive "
        "optimizers like Adam still use lr as the overall step scale.",
        ("glasstorch.optim.sgd.SGD._update",),
        _demo_learning_rate,
        ("lr", "learning rates", "step size", "learning-rate", "eta"),
    ),
    Term(
        "Linear layer (nn.Linear)",
        "nn.Linear(in_features, out_features): y = x W^T + b with a learnable weight W of "
        "shape (out, in) and bias b of shape (out,), applied to the last dimension of x.",
        "Each of the out_features outputs is one neuron's weighted sum of all inputs plus its "
        "bias. The weights start uniform in +-1/sqrt(in_features) (Kaiming-uniform), like "
        "PyTorch. As in PyTorch, a 2-D input x gives one fused node, AddmmBackward0, computing "
        "b + x @ W.t() (the transpose is a TBackward0 view); its backward gives dx = g W, "
        "dW = g^T x and db = the column sums of g.",
        ("glasstorch.nn.modules.linear.Linear", "glasstorch.nn.functional.linear",
         "glasstorch._ops.linalg.nodes.AddmmBackward0", "glasstorch._ops.linalg.functions.addmm"),
        _demo_linear,
        ("nn.Linear", "linear layer", "linear", "linear layers", "fully connected",
         "fully-connected", "fully connected layer", "dense", "dense layer", "fc",
         "affine layer", "F.linear"),
    ),
    Term(
        "Loss function",
        "A function of the predictions and the targets returning one number that is lower for "
        "better predictions; training adjusts the parameters to make it smaller.",
        "In glasstorch a loss is a Module (nn.MSELoss, nn.CrossEntropyLoss, nn.BCELoss...) "
        "whose forward calls the matching function in nn.functional. The reduction argument "
        "chooses 'mean' (default), 'sum' or 'none' (one value per example). Because the result "
        "is a scalar tensor, loss.backward() can start backpropagation from it.",
        ("glasstorch.nn.modules.loss._Loss", "glasstorch.nn.modules.loss.MSELoss"),
        _demo_loss_function,
        ("loss", "losses", "cost function", "objective", "objective function", "criterion",
         "loss functions", "nn.functional losses"),
    ),
    Term(
        "Mean squared error (MSE) loss",
        "For regression: the mean over all elements of (prediction - target)^2; "
        "its gradient with respect to each prediction is 2 (prediction - target) / n.",
        "Squaring makes every error positive and weighs large errors much more than small "
        "ones, so outliers dominate it. nn.MSELoss expects predictions and targets of the "
        "same shape (glasstorch warns when broadcasting would silently compare the wrong "
        "elements); reduction='sum' drops the division by n.",
        ("glasstorch.nn.modules.loss.MSELoss", "glasstorch.nn.functional.mse_loss",
         "glasstorch.nn._ops.loss.MseLossBackward0"),
        _demo_mse,
        ("mse", "MSE loss", "mean squared error", "mean square error", "MSELoss",
         "nn.MSELoss", "F.mse_loss", "squared error", "l2 loss", "mse_loss"),
    ),
    Term(
        "Momentum",
        "An SGD option that keeps a running velocity b <- momentum * b + grad and steps along "
        "b instead of the raw gradient, smoothing noise and speeding along consistent slopes.",
        "With momentum 0.9 the velocity is roughly a sum of the last ten gradients: directions "
        "that agree from step to step build up speed, directions that flip sign (across a "
        "narrow valley) cancel out. glasstorch keeps the velocity of each parameter in "
        "optimizer.state[p]['momentum_buffer']; nesterov=True evaluates the step one velocity "
        "ahead. Adam's first moment is a similar running average.",
        ("glasstorch.optim.sgd.SGD._update",),
        _demo_momentum,
        ("velocity", "heavy ball", "nesterov", "nesterov momentum", "sgd momentum",
         "momentum_buffer"),
    ),
    Term(
        "Neural network",
        "A function built from layers of neurons (Linear layers and activations) whose weights "
        "and biases are parameters learned from data.",
        "In glasstorch a network is an nn.Module: its layers are sub-modules set as attributes "
        "(or held by an nn.Sequential), parameters() finds every learnable tensor in them "
        "recursively, and forward says how data flows through them. print(model) shows the "
        "structure; state_dict() holds the learned numbers that torch.save writes.",
        ("glasstorch.nn.modules.container.Sequential.forward",
         "glasstorch.nn.modules.module.Module.named_parameters"),
        _demo_neural_network,
        ("neural net", "neural networks", "network", "net", "nn", "model", "nn.Module",
         "module", "mlp", "multilayer perceptron", "multi-layer perceptron", "nn.Sequential",
         "sequential", "ann", "layer", "hidden layer", "architecture"),
    ),
    Term(
        "Neuron",
        "One unit of a layer: it multiplies every input by its own weight, adds them up with "
        "a bias (one row of a Linear layer's weight, one bias entry), then usually applies an "
        "activation.",
        "nn.Linear(in, out) is out neurons side by side, each owning one row of the weight "
        "matrix; computing them all at once is the matrix product x W^T. A neuron with a "
        "sigmoid is logistic regression; a network stacks layers of them.",
        ("glasstorch.nn.functional.linear",),
        _demo_neuron,
        ("neurons", "unit", "units", "perceptron", "artificial neuron", "hidden unit"),
    ),
    Term(
        "Optimizer",
        "An object holding the parameters to train that, on step(), updates each of them from "
        "its .grad (and its own state) by a rule such as SGD or Adam.",
        "It is created with model.parameters() and hyperparameters (lr, momentum, "
        "weight_decay...). Every training step is optimizer.zero_grad(), loss.backward(), "
        "optimizer.step(). Per-parameter state (momentum buffers, Adam's moments) lives in "
        "optimizer.state and is saved with optimizer.state_dict().",
        ("glasstorch.optim.optimizer.Optimizer.zero_grad",
         "glasstorch.optim.optimizer.Optimizer.step", "glasstorch.optim.sgd.SGD._update"),
        _demo_optimizer,
        ("optimizers", "optim", "torch.optim", "optimiser", "optimization", "optimisation",
         "optimizer.step", "update rule"),
    ),
    Term(
        "Overfitting",
        "When a model fits its training examples ever better while its results on held-out "
        "data stop improving or get worse: it learned the particular examples, not the rule.",
        "It shows as a gap between training and validation curves and is likeliest with a "
        "large model and little or noisy data. Remedies: more data, a smaller model, weight "
        "decay (an L2 pull towards zero in the optimizer), dropout (randomly zeroing "
        "activations in training mode, nothing in eval mode) and early stopping at the best "
        "validation score.",
        ("glasstorch.nn.modules.dropout.Dropout", "glasstorch.nn.functional.dropout"),
        _demo_overfitting,
        ("overfit", "over-fitting", "over fitting", "overfitted", "memorization",
         "memorisation"),
    ),
    Term(
        "PyTorch",
        "The deep learning library glasstorch re-implements: tensors, autograd, nn and optim, "
        "with the same API, numbers and file formats, so course code runs on either.",
        "PyTorch runs its operations in C++/CUDA; glasstorch writes each one in readable "
        "Python on NumPy, with the forward and the backward of an operation side by side. "
        "`import glasstorch as torch` is the only change a PyTorch course script needs; "
        "checkpoints saved by one load in the other.",
        ("glasstorch._ops.pointwise.nodes.MulBackward0", "glasstorch._tensor.Tensor.backward"),
        _demo_pytorch,
        ("torch", "pytorch library", "glasstorch", "pytorch framework"),
    ),
    Term(
        "ReLU (Rectified Linear Unit)",
        "relu(x) = max(0, x): passes positive values unchanged and turns negatives into 0; "
        "its gradient is 1 where x > 0 and 0 elsewhere.",
        "It is cheap and its gradient does not shrink for positive inputs, unlike sigmoid and "
        "tanh whose slopes vanish in the tails, which is why it is the default hidden-layer "
        "activation. Its node ReluBackward0 saves the output and lets the incoming gradient "
        "through only where the output is positive. Units whose input stays negative get no "
        "gradient at all (dead ReLUs).",
        ("glasstorch.nn.modules.activation.ReLU", "glasstorch._ops.pointwise.nodes.ReluBackward0",
         "glasstorch._ops.pointwise.functions.relu"),
        _demo_relu,
        ("relu", "rectified linear unit", "rectifier", "nn.ReLU", "F.relu", "torch.relu",
         "rectified linear"),
    ),
    Term(
        "Sigmoid",
        "sigmoid(x) = 1 / (1 + e^-x): squashes any number into (0, 1), so one output can be "
        "read as the probability of the positive class.",
        "Its derivative is s (1 - s), at most 0.25 and nearly 0 for large |x|, which slows "
        "learning in deep stacks (vanishing gradients). For binary classification prefer "
        "nn.BCEWithLogitsLoss on raw scores, which applies the sigmoid inside the loss in a "
        "numerically stable way. SigmoidBackward0 saves the output to compute the gradient.",
        ("glasstorch.nn.modules.activation.Sigmoid",
         "glasstorch._ops.pointwise.nodes.SigmoidBackward0",
         "glasstorch._ops.pointwise.functions.sigmoid"),
        _demo_sigmoid,
        ("logistic", "logistic function", "nn.Sigmoid", "torch.sigmoid", "F.sigmoid",
         "sigmoid function", "sigmoid activation"),
    ),
    Term(
        "Softmax",
        "softmax(z)_i = exp(z_i) / sum_j exp(z_j): turns a vector of scores into positive "
        "probabilities that sum to 1, keeping their order.",
        "Adding the same constant to every score changes nothing, which is how glasstorch "
        "keeps exp from overflowing (it subtracts the maximum first). The dim argument says "
        "which dimension sums to 1 (the class dimension, usually 1). Classifiers output raw "
        "scores and let nn.CrossEntropyLoss apply log-softmax; use softmax for reading "
        "probabilities.",
        ("glasstorch.nn.modules.activation.Softmax",
         "glasstorch._ops.reduction.nodes.SoftmaxBackward0",
         "glasstorch._ops.reduction.functions.softmax"),
        _demo_softmax,
        ("soft max", "nn.Softmax", "torch.softmax", "F.softmax", "softmax function",
         "log softmax", "log_softmax", "logsoftmax"),
    ),
    Term(
        "Stochastic Gradient Descent (SGD)",
        "The update p <- p - lr * grad, where the gradient comes from a random mini-batch "
        "rather than the whole dataset (optionally with momentum and weight decay).",
        "Each mini-batch gives a noisy but cheap estimate of the full gradient, so the model "
        "takes many small steps per pass over the data; the noise also helps it leave poor "
        "regions. optim.SGD implements the rule with weight_decay (adds lambda * p to the "
        "gradient), momentum, dampening and Nesterov options, matching PyTorch's step.",
        ("glasstorch.optim.sgd.SGD._update",),
        _demo_sgd,
        ("sgd", "optim.SGD", "torch.optim.SGD", "stochastic gradient descent",
         "mini-batch gradient descent", "minibatch sgd"),
    ),
    Term(
        "Tensor",
        "An n-dimensional array of numbers with a shape and a dtype, plus what autograd needs "
        "(requires_grad, .grad and grad_fn); the object every glasstorch operation works on.",
        "A glasstorch Tensor wraps a NumPy array (._data) and gives it PyTorch's API. Shapes "
        "combine by broadcasting: trailing dimensions are aligned and dimensions of size 1 are "
        "repeated, and in backward the gradient is summed back over the repeated dimensions "
        "(sum_to). Floats default to float32 and integers to int64, like PyTorch.",
        ("glasstorch._tensor.Tensor._from_array", "glasstorch.autograd.engine.sum_to"),
        _demo_tensor,
        ("tensors", "torch.tensor", "torch.Tensor", "array", "ndarray"),
    ),
    Term(
        "TensorDataset",
        "A Dataset made of tensors that share their first dimension: item i is the tuple of "
        "row i of each tensor, e.g. (features[i], label[i]).",
        "It checks that all tensors have the same length, returns that length from len(), and "
        "indexes every tensor with the same index, so a DataLoader can batch features and "
        "labels together. The bundled glasstorch.datasets return TensorDatasets.",
        ("glasstorch.utils.data.dataset.TensorDataset",),
        _demo_tensor_dataset,
        ("tensor dataset", "tensor_dataset", "tensordatasets", "dataset", "datasets",
         "torch.utils.data.TensorDataset", "utils.data.TensorDataset", "Dataset"),
    ),
)

# The everyday words of the course around those ideas (epoch, logits, dropout ...) are entries
# of the same kind, kept in their own module; they come after the course terms.

TERMS = TERMS + WORDS

# The terms of the course glossary (its heading line for each entry, duplicates removed), so
# coverage can be checked without the course files.
COURSE_TERMS: tuple[str, ...] = (
    "Activation function", "Backpropagation", "Cross-entropy loss", "DataLoader",
    "Deep learning", "Forward pass", "Gradient", "Hallucination", "Learning rate",
    "Linear layer (nn.Linear)", "Loss function", "Mean squared error (MSE) loss", "Momentum",
    "Neural network", "Neuron", "Optimizer", "Overfitting", "PyTorch",
    "ReLU (Rectified Linear Unit)", "Sigmoid", "Softmax", "Stochastic Gradient Descent (SGD)",
    "Tensor", "TensorDataset",
)


def markdown() -> str:
    """docs/glossary.md, generated from :data:`TERMS` (``glasstorch glossary --markdown``)."""
    lines = [
        "# Glossary",
        "",
        "<!-- Generated by `glasstorch glossary --markdown` from glasstorch/teaching/glossary.py;",
        "     do not edit by hand (tests/test_cli_explain.py checks it is up to date). -->",
        "",
        "Every term of the course glossary, then the everyday words of the course around them "
        "(epoch, batch size, logits, dropout ...), each with the code that implements it. "
        "`glasstorch explain TERM` prints the same text, the current source of that code with "
        "its file and line numbers, and a small live demonstration.",
        "",
    ]
    for term in TERMS:
        lines += [f"## {term.name}", "", f"**{term.definition}**", "", term.explanation, ""]
        lines.append("Implemented by: " + ", ".join(f"`{d}`" for d in term.implemented_by))
        lines.append("")
        lines.append("Also found as: " + ", ".join(f"`{a}`" for a in term.aliases))
        lines.append("")
        lines.append(f"Try: `glasstorch explain \"{term.name}\"`")
        lines.append("")
    return "\n".join(lines)
