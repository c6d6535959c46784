"""The everyday words of the course, as glossary entries: epoch, batch size, logits, dropout ...

The course glossary names 24 big ideas; the course code, the README and the labs use many more
words around them. Each entry here works like one in :mod:`glasstorch.teaching.glossary` (which
imports :data:`WORDS` and appends them to its terms): a one-line definition, a few sentences,
the glasstorch objects that implement it (their source is printed by ``glasstorch explain``)
and a short live demo that returns its key numbers.
"""

from __future__ import annotations

from glasstorch.teaching._term import Out, Term, _arr, _torch

__all__ = ["WORDS", "COURSE_WORDS"]


# ---------------------------------------------------------------------------------------------
# demos: short, seeded, real numbers
# ---------------------------------------------------------------------------------------------


def _toy_loader(batch_size: int = 4, n: int = 10):
    torch = _torch()
    from_data = torch.utils.data
    ds = from_data.TensorDataset(torch.arange(float(n)).reshape(n, 1), torch.arange(n) % 2)
    return ds, from_data.DataLoader(ds, batch_size=batch_size, shuffle=True,
                          generator=torch.Generator().manual_seed(0))


def _demo_epoch(out: Out) -> dict[str, float]:
    ds, loader = _toy_loader()
    seen = []
    for epoch in range(2):
        rows = sorted(int(v) for xb, _ in loader for v in xb.flatten().tolist())
        seen.append(len(rows))
        out(f"epoch {epoch}: {len(loader)} batches, every one of the {len(ds)} examples once: "
            f"{rows}")
    return {"examples_per_epoch": float(seen[0]), "batches": float(len(loader))}


def _demo_batch_size(out: Out) -> dict[str, float]:
    ds, _ = _toy_loader()
    DataLoader = _torch().utils.data.DataLoader  # noqa: N806  (the class, under its own name)
    counts = {}
    for bs in (1, 3, 4, 10):
        sizes = [len(xb) for xb, _ in DataLoader(ds, batch_size=bs)]
        counts[bs] = len(sizes)
        out(f"batch_size={bs:<2} -> {len(sizes)} batches per epoch, sizes {sizes}")
    out("the last batch is smaller unless drop_last=True; one optimizer step per batch")
    return {"batches_bs3": float(counts[3]), "batches_bs10": float(counts[10])}


def _demo_mini_batch(out: Out) -> dict[str, float]:
    _, loader = _toy_loader()
    xb, yb = next(iter(loader))
    out(f"one mini-batch from a DataLoader(batch_size=4, shuffle=True): x {tuple(xb.shape)} "
        f"= {xb.flatten().tolist()}, y = {yb.tolist()}")
    out("default_collate stacked 4 examples of shape (1,) into one tensor of shape (4, 1)")
    return {"rows": float(xb.shape[0])}


def _demo_iteration(out: Out) -> dict[str, float]:
    torch = _torch()
    _, loader = _toy_loader(batch_size=4, n=10)
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.01)
    steps = 0
    for _ in range(3):
        for xb, _y in loader:
            opt.zero_grad()
            ((xb.flatten() - w) ** 2).mean().backward()
            opt.step()
            steps += 1
    out(f"3 epochs x {len(loader)} batches = {steps} iterations (optimizer steps); "
        f"w moved to {w.item():.4f}")
    return {"iterations": float(steps)}


def _demo_logits(out: Out) -> dict[str, float]:
    torch = _torch()
    logits = torch.tensor([[2.0, -1.0, 0.5]])
    p = torch.softmax(logits, dim=1)
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor([0]))
    out(f"logits (raw scores, any real numbers): {logits[0].tolist()}")
    out(f"softmax(logits) = {_arr(p[0])}  (probabilities, sum {p.sum().item():.4f})")
    out(f"cross_entropy(logits, class 0) = {loss.item():.4f} = -log {p[0, 0].item():.4f}; "
        "pass logits, not probabilities, to the loss")
    return {"loss": float(loss.item()), "p0": float(p[0, 0].item())}


def _demo_dropout(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(0)
    drop = torch.nn.Dropout(p=0.5)
    x = torch.ones(10)
    y = drop(x)
    out(f"Dropout(p=0.5) in training mode on ten 1s: {_arr(y)}")
    out("  about half are zeroed, the others scaled by 1 / (1 - p) = 2 so the mean stays 1")
    drop.eval()
    z = drop(x)
    out(f"after .eval(): {_arr(z)}  (dropout does nothing at evaluation time)")
    return {"zeros": float((y == 0).sum().item()), "eval_sum": float(z.sum().item())}


def _demo_weight_decay(out: Out) -> dict[str, float]:
    torch = _torch()
    norms = {}
    for wd in (0.0, 0.1):
        w = torch.tensor([3.0, -2.0], requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1, weight_decay=wd)
        for _ in range(20):
            opt.zero_grad()
            (0 * w).sum().backward()  # a loss that does not care about w: only decay acts
            opt.step()
        norms[wd] = w.norm().item()
        out(f"weight_decay={wd}: with a zero loss gradient, 20 SGD steps take w from "
            f"[3, -2] to {_arr(w.detach())}")
    out("each step adds wd * w to the gradient: w shrinks by (1 - lr * wd) = 0.99 per step")
    return {"norm_0": norms[0.0], "norm_decay": norms[0.1]}


def _demo_regularization(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 8).reshape(8, 1)
    feats = torch.cat([x ** k for k in range(1, 8)], dim=1)  # a degree-7 polynomial
    y = x + 0.3 * torch.randn(8, 1)
    sizes = {}
    for wd in (0.0, 0.05):
        torch.manual_seed(1)
        model = torch.nn.Linear(7, 1)
        opt = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=wd)
        for _ in range(500):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(feats), y)
            loss.backward()
            opt.step()
        sizes[wd] = model.weight.abs().sum().item()
        out(f"weight_decay={wd:<4}: train loss {loss.item():.4f}, sum |weights| {sizes[wd]:.3f}")
    out("the penalty trades a little training loss for smaller, smoother weights")
    return {"size_plain": sizes[0.0], "size_decay": sizes[0.05]}


def _demo_gradient_descent(out: Out) -> dict[str, float]:
    torch = _torch()
    w = torch.tensor(0.0, requires_grad=True)
    out("minimise (w - 3)^2 from w = 0, lr = 0.25: w <- w - lr * grad")
    for i in range(4):
        loss = (w - 3) ** 2
        loss.backward()
        with torch.no_grad():
            w -= 0.25 * w.grad
        out(f"  step {i + 1}: grad {w.grad.item():+.3f}  w -> {w.item():.4f}")
        w.grad = None
    return {"w": float(w.item())}


def _demo_parameters(out: Out) -> dict[str, float]:
    torch = _torch()
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    total = 0
    for name, p in model.named_parameters():
        out(f"{name:9s} {type(p).__name__} shape {tuple(p.shape)} requires_grad "
            f"{p.requires_grad}")
        total += p.numel()
    out(f"{total} learnable numbers; model.parameters() is what the optimizer receives")
    return {"parameters": float(total)}


def _demo_weights(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(0)
    layer = torch.nn.Linear(16, 3)
    bound = 1 / 16 ** 0.5
    w = layer.weight
    out(f"nn.Linear(16, 3).weight: shape {tuple(w.shape)} (out, in), drawn uniform in "
        f"+-1/sqrt(16) = +-{bound}")
    out(f"  min {w.min().item():.4f}, max {w.max().item():.4f}; "
        f"row 0 = {_arr(w[0, :4].detach())} ...")
    return {"max_abs": float(w.abs().max().item()), "bound": bound}


def _demo_bias(out: Out) -> dict[str, float]:
    torch = _torch()
    with_b, without = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1, bias=False)
    zero = torch.zeros(1, 2)
    out(f"Linear(2, 1) on the input 0 gives its bias: {with_b(zero).item():.4f} "
        f"(bias = {with_b.bias.item():.4f})")
    out(f"Linear(2, 1, bias=False) on 0 gives {without(zero).item()}: the line must pass "
        "through the origin")
    return {"no_bias_at_zero": float(without(zero).item())}


def _demo_probabilities(out: Out) -> dict[str, float]:
    torch = _torch()
    logits = torch.tensor([[1.0, 2.0, 4.0], [0.0, 0.0, 0.0]])
    p = torch.softmax(logits, dim=1)
    conf, pred = p.max(dim=1)
    for i in range(2):
        out(f"logits {logits[i].tolist()} -> probabilities {_arr(p[i])}, predicted class "
            f"{pred[i].item()} with probability {conf[i].item():.4f}")
    out(f"each row sums to 1: {_arr(p.sum(dim=1))}")
    return {"row_sum": float(p.sum(dim=1)[0].item()), "uniform": float(conf[1].item())}


def _demo_one_hot(out: Out) -> dict[str, float]:
    torch = _torch()
    y = torch.tensor([0, 2, 1])
    oh = torch.nn.functional.one_hot(y, num_classes=3)
    out(f"labels {y.tolist()} -> one_hot(labels, num_classes=3) =")
    for row in oh.tolist():
        out(f"  {row}")
    out(f"dtype {oh.dtype}; cross_entropy takes the class indices directly, no one-hot needed")
    return {"sum": float(oh.sum().item())}


def _demo_split(out: Out) -> dict[str, float]:
    torch = _torch()
    ds = torch.utils.data.TensorDataset(torch.arange(100.0))
    parts = torch.utils.data.random_split(ds, [0.7, 0.15, 0.15],
                                          generator=torch.Generator().manual_seed(0))
    names = ("train", "validation", "test")
    for name, part in zip(names, parts):
        out(f"{name:10s} {len(part):3d} examples, first indices {list(part.indices[:5])}")
    overlap = set(parts[0].indices) & set(parts[1].indices)
    out(f"no example is in two parts (overlap {len(overlap)}); tune on validation, report test")
    return {"train": float(len(parts[0])), "overlap": float(len(overlap))}


def _demo_generalization(out: Out) -> dict[str, float]:
    torch = _torch()
    from glasstorch.teaching import metrics

    torch.manual_seed(0)
    x = torch.randn(400, 2)
    y = (x[:, 0] + x[:, 1] > 0).long()  # a real rule, so there is something to generalise
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(100):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x[:200]), y[:200]).backward()
        opt.step()
    with torch.no_grad():
        tr = metrics.accuracy(model(x[:200]), y[:200])
        te = metrics.accuracy(model(x[200:]), y[200:])
    out(f"trained on 200 points of the rule x0 + x1 > 0: train accuracy {tr:.3f}, "
        f"accuracy on 200 unseen points {te:.3f}")
    out("a small gap means it learned the rule, not the examples")
    return {"train_acc": tr, "test_acc": te}


def _demo_early_stopping(out: Out) -> dict[str, float]:
    torch = _torch()
    F = torch.nn.functional
    torch.manual_seed(0)
    def noisy(n):  # the rule x0 > 0 with a tenth of the labels flipped: easy to overfit
        x = torch.randn(n, 2)
        return x, (x[:, 0] > 0).long() ^ (torch.rand(n) < 0.1).long()

    x, y = noisy(30)
    xv, yv = noisy(400)
    model = torch.nn.Sequential(torch.nn.Linear(2, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 128), torch.nn.ReLU(), torch.nn.Linear(128, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    best, best_epoch, best_state, patience = float("inf"), 0, None, 10
    for epoch in range(1, 201):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        with torch.no_grad():
            val = F.cross_entropy(model(xv), yv).item()
        if val < best:
            best, best_epoch = val, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_state)
    out(f"validation loss was best ({best:.4f}) at epoch {best_epoch}; no improvement for "
        f"{patience} epochs, so training stopped at epoch {epoch} and the best weights were "
        "restored")
    return {"best_epoch": float(best_epoch), "stopped": float(epoch)}


def _demo_checkpoint(out: Out) -> dict[str, float]:
    import io

    torch = _torch()
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 5}, buf)
    out(f"torch.save wrote {len(buf.getvalue())} bytes (PyTorch's zip format)")
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)
    fresh = torch.nn.Linear(3, 2)
    fresh.load_state_dict(ckpt["model"])
    diff = (fresh.weight - model.weight).abs().max().item()
    out(f"loaded keys {sorted(ckpt)}; restored weights differ by {diff}")
    return {"diff": float(diff), "epoch": float(ckpt["epoch"])}


def _demo_state_dict(out: Out) -> dict[str, float]:
    torch = _torch()
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    sd = model.state_dict()
    for k, v in sd.items():
        out(f"  {k:28s} {tuple(v.shape)}")
    out("parameters and buffers (BatchNorm's running statistics) by name; "
        "load_state_dict puts them back")
    return {"entries": float(len(sd))}


def _demo_inference(out: Out) -> dict[str, float]:
    torch = _torch()
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    model.eval()
    with torch.inference_mode():
        y = model(torch.ones(1, 2))
    out(f"model.eval() + torch.inference_mode(): y.requires_grad = {y.requires_grad}, "
        f"y.grad_fn = {y.grad_fn}")
    same = bool(torch.equal(y, model(torch.ones(1, 2)).detach()))
    out(f"the same input gives the same output every time (dropout is off): {same}")
    return {"requires_grad": float(y.requires_grad), "same": float(same)}


def _demo_eval_mode(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.5))
    x = torch.ones(1, 4)
    a, b = model(x).detach(), model(x).detach()
    out(f"train mode (model.training={model.training}): two calls differ: "
        f"{not torch.equal(a, b)}")
    model.eval()
    c, d = model(x).detach(), model(x).detach()
    out(f"eval mode (model.training={model.training}): two calls agree: {torch.equal(c, d)}")
    out("model.eval() switches Dropout off and makes BatchNorm use its running statistics; "
        "model.train() switches back")
    return {"eval_equal": float(torch.equal(c, d))}


def _demo_no_grad(out: Out) -> dict[str, float]:
    torch = _torch()
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * 3).sum()
    with torch.no_grad():
        z = (w * 3).sum()
    out(f"outside no_grad: y.requires_grad = {y.requires_grad}, grad_fn = "
        f"{type(y.grad_fn).__name__}")
    out(f"inside  no_grad: z.requires_grad = {z.requires_grad}, grad_fn = {z.grad_fn}")
    out("no graph is recorded: use it for evaluation and for updating weights by hand")
    return {"recorded": float(y.requires_grad), "no_grad": float(z.requires_grad)}


def _demo_broadcasting(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.zeros(4, 3)
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x + b
    out(f"(4, 3) + (3,) -> {tuple(y.shape)}: b is repeated along the first dimension")
    y.sum().backward()
    out(f"backward sums the gradient back over that dimension: b.grad = {b.grad.tolist()}")
    wrong = torch.zeros(4, 1) - torch.zeros(4)
    out(f"a classic mistake: (4, 1) - (4,) broadcasts to {tuple(wrong.shape)}, not (4,)")
    return {"grad": float(b.grad[0].item()), "wrong_numel": float(wrong.numel())}


def _demo_dtype(out: Out) -> dict[str, float]:
    torch = _torch()
    a, i = torch.tensor([1.5]), torch.tensor([2])
    out(f"torch.tensor([1.5]).dtype = {a.dtype}; torch.tensor([2]).dtype = {i.dtype}")
    out(f"float32 + int64 -> {(a + i).dtype}; .double() -> {a.double().dtype}; "
        f"eps of float32 = {torch.finfo(torch.float32).eps:.3g}")
    out(f"labels for cross_entropy are int64 ({torch.long}); inputs and weights float32")
    return {"float_bits": float(torch.finfo(a.dtype).bits)}


def _demo_device(out: Out) -> dict[str, float]:
    torch = _torch()
    t = torch.ones(2)
    out(f"t.device = {t.device}; torch.cuda.is_available() = {torch.cuda.is_available()}")
    out(f"t.to('cpu') is t: {t.to('cpu') is t}; the usual line "
        "device = 'cuda' if torch.cuda.is_available() else 'cpu' picks the CPU here")
    return {"cuda": float(torch.cuda.is_available())}


def _demo_shape(out: Out) -> dict[str, float]:
    torch = _torch()
    t = torch.arange(24).reshape(2, 3, 4)
    out(f"t.shape = {t.shape}; t.ndim = {t.ndim}; t.numel() = {t.numel()}")
    out(f"t.reshape(6, 4): {tuple(t.reshape(6, 4).shape)}; t.flatten(1): "
        f"{tuple(t.flatten(1).shape)}; t[0]: {tuple(t[0].shape)}; "
        f"t.unsqueeze(0): {tuple(t.unsqueeze(0).shape)}")
    return {"numel": float(t.numel())}


def _demo_seed(out: Out) -> dict[str, float]:
    torch = _torch()
    torch.manual_seed(42)
    a = torch.rand(3)
    torch.manual_seed(42)
    b = torch.rand(3)
    c = torch.rand(3)
    out(f"manual_seed(42); rand(3) = {_arr(a)}")
    out(f"manual_seed(42); rand(3) = {_arr(b)}  (the same: {torch.equal(a, b)})")
    out(f"next rand(3)             = {_arr(c)}  (the stream moves on)")
    out("the same seed gives the same numbers as PyTorch's torch.manual_seed(42)")
    return {"same": float(torch.equal(a, b))}


def _demo_normalization(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.tensor([[1.0, 100.0], [2.0, 300.0], [3.0, 200.0]])
    z = (x - x.mean(0)) / x.std(0)
    out(f"features on different scales: {x.tolist()}")
    out(f"standardised (x - mean) / std per column: {_arr(z, 3).replace(chr(10), '')}")
    bn = torch.nn.BatchNorm1d(2)
    y = bn(x).detach()
    out(f"nn.BatchNorm1d does the same inside a network: column means {_arr(y.mean(0), 3)}, "
        f"stds {_arr(y.std(0, unbiased=False), 3)}")
    return {"mean": float(z.mean(0).abs().max().item())}


def _demo_vanishing(out: Out) -> dict[str, float]:
    torch = _torch()
    grads = {}
    for act in ("sigmoid", "relu"):
        torch.manual_seed(0)
        layers = []
        for _ in range(10):
            layers += [torch.nn.Linear(16, 16),
                       torch.nn.Sigmoid() if act == "sigmoid" else torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers)
        model(torch.randn(8, 16)).sum().backward()
        first = model[0].weight.grad.abs().mean().item()
        last = model[18].weight.grad.abs().mean().item()
        grads[act] = first / last
        out(f"10 layers with {act:7s}: mean |grad| layer 1 {first:.2e}, layer 10 {last:.2e} "
            f"(ratio {first / last:.2e})")
    out("each sigmoid multiplies the gradient by at most 0.25: early layers barely learn")
    return {"sigmoid_ratio": grads["sigmoid"], "relu_ratio": grads["relu"]}


def _demo_accuracy(out: Out) -> dict[str, float]:
    torch = _torch()
    from glasstorch.teaching import metrics

    logits = torch.tensor([[2.0, 0.1], [0.3, 0.9], [1.0, 1.5], [0.2, -1.0]])
    y = torch.tensor([0, 1, 0, 0])
    pred = logits.argmax(dim=1)
    acc = metrics.accuracy(logits, y)
    out(f"predictions argmax(logits, 1) = {pred.tolist()}, labels {y.tolist()}")
    out(f"accuracy = (pred == y).float().mean() = {(pred == y).float().mean().item()} "
        f"= metrics.accuracy {acc}")
    return {"accuracy": acc}


def _demo_hyperparameter(out: Out) -> dict[str, float]:
    torch = _torch()
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    group = opt.param_groups[0]
    out("chosen by you, not learned: " + ", ".join(
        f"{k}={group[k]}" for k in ("lr", "momentum", "weight_decay")))
    out("also: batch_size, epochs, hidden sizes, dropout p; pick them on validation data")
    return {"lr": float(group["lr"])}


def _demo_argmax(out: Out) -> dict[str, float]:
    torch = _torch()
    logits = torch.tensor([[0.1, 2.5, -1.0], [3.0, 0.0, 0.2]])
    pred = logits.argmax(dim=1)
    out(f"logits {_arr(logits, 2).replace(chr(10), '')} -> argmax(dim=1) = {pred.tolist()} "
        f"(the class index with the highest score), dtype {pred.dtype}")
    return {"first": float(pred[0].item())}


def _demo_requires_grad(out: Out) -> dict[str, float]:
    torch = _torch()
    w = torch.tensor(2.0, requires_grad=True)
    x = torch.tensor(5.0)
    y = w * x
    y.backward()
    out(f"w (requires_grad=True), x (False): y = w * x; after y.backward(): w.grad = "
        f"{w.grad.item()}, x.grad = {x.grad}")
    out(f"w.is_leaf = {w.is_leaf}; y.is_leaf = {y.is_leaf}, y.grad_fn = "
        f"{type(y.grad_fn).__name__}; y.detach().requires_grad = {y.detach().requires_grad}")
    return {"grad": float(w.grad.item())}


def _demo_adam(out: Out) -> dict[str, float]:
    torch = _torch()
    finals = {}
    for name in ("SGD", "Adam"):
        p = torch.tensor([-4.0, 1.0], requires_grad=True)
        opt = getattr(torch.optim, name)([p], lr=0.05)
        for _ in range(50):
            opt.zero_grad()
            (0.5 * (p[0] ** 2 + 25 * p[1] ** 2)).backward()
            opt.step()
        finals[name] = abs(p[0].item()) + abs(p[1].item())
        out(f"{name:4s} lr=0.05, 50 steps on 0.5 (x^2 + 25 y^2) from (-4, 1): "
            f"({p[0].item():+.4f}, {p[1].item():+.4f})")
    out("SGD's step is lr * grad: fast along the steep y, slow along the flat x; Adam divides "
        "by a running RMS of the gradient, so each coordinate moves about lr per step")
    return {"adam": finals["Adam"]}


def _demo_tanh(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0], requires_grad=True)
    y = torch.tanh(x)
    y.sum().backward()
    out(f"tanh(x)  = {_arr(y.detach())}  (between -1 and 1, centred on 0)")
    out(f"gradient = {_arr(x.grad)}  = 1 - tanh(x)^2, 1 at 0, small in the tails")
    return {"grad0": float(x.grad[2].item())}


def _demo_zero_grad(out: Out) -> dict[str, float]:
    torch = _torch()
    w = torch.tensor(1.0, requires_grad=True)
    (3 * w).backward()
    (3 * w).backward()
    out(f"two backward calls without zero_grad: w.grad = {w.grad.item()} (3 + 3: gradients add)")
    opt = torch.optim.SGD([w], lr=0.1)
    opt.zero_grad()
    out(f"after optimizer.zero_grad(): w.grad = {w.grad}")
    return {"accumulated": 6.0}


def _demo_convolution(out: Out) -> dict[str, float]:
    torch = _torch()
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    conv = torch.nn.Conv2d(1, 1, kernel_size=3, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
        y = conv(x)
    out(f"4x4 image 0..15, a 3x3 kernel of ones (sums each 3x3 window): output shape "
        f"{tuple(y.shape)}")
    out(f"{y[0, 0].tolist()}  (top-left = 0+1+2+4+5+6+8+9+10 = 45)")
    pool = torch.nn.functional.max_pool2d(x, 2)
    out(f"max_pool2d(x, 2) keeps the largest of each 2x2 block: {pool[0, 0].tolist()}")
    return {"top_left": float(y[0, 0, 0, 0].item())}


def _demo_scheduler(out: Out) -> dict[str, float]:
    torch = _torch()
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        opt.step()  # (a real loop would train an epoch here)
        lrs.append(opt.param_groups[0]["lr"])
        sched.step()
    out(f"StepLR(step_size=2, gamma=0.5) from lr 0.1, lr used in epochs 1..6: {lrs}")
    out("halved every 2 epochs: large steps early, fine steps late")
    return {"last_lr": lrs[-1]}


def _demo_label(out: Out) -> dict[str, float]:
    torch = _torch()
    from glasstorch import datasets

    ds = datasets.load_iris()
    x, y = ds[0]
    out(f"iris: {len(ds)} examples; example 0 has features {_arr(x, 2)} (inputs) and label "
        f"{y.item()} (the answer to learn)")
    out(f"classification labels are class indices of dtype {y.dtype}; regression targets "
        f"are floats ({torch.float32})")
    return {"n": float(len(ds))}


# ---------------------------------------------------------------------------------------------
# the words
# ---------------------------------------------------------------------------------------------

WORDS: tuple[Term, ...] = (
    Term(
        "Epoch",
        "One full pass of training over every example of the training set.",
        "A DataLoader yields len(loader) = ceil(N / batch_size) batches per epoch and, with "
        "shuffle=True, a new order every epoch. Training runs for several epochs; loss and "
        "accuracy are usually reported once per epoch.",
        ("glasstorch.utils.data.dataloader.DataLoader.__len__",
         "glasstorch.utils.data.dataloader.DataLoader.__iter__"),
        _demo_epoch,
        ("epochs", "num_epochs", "n_epochs", "training epoch", "pass over the data"),
    ),
    Term(
        "Batch size",
        "How many examples are processed together in one forward and backward pass, i.e. "
        "between two optimizer steps.",
        "The DataLoader's batch_size groups indices into batches (BatchSampler) and stacks "
        "the examples (default_collate). Larger batches give smoother gradient estimates and "
        "fewer steps per epoch; smaller ones give more, noisier steps.",
        ("glasstorch.utils.data.sampler.BatchSampler.__iter__",),
        _demo_batch_size,
        ("batch_size", "batch-size", "batchsize", "batch sizes", "--batch-size"),
    ),
    Term(
        "Mini-batch",
        "A small random subset of the training set whose average loss gives the gradient for "
        "one optimizer step.",
        "The DataLoader makes mini-batches: a sampler picks indices, default_collate stacks "
        "the chosen examples into tensors with a leading batch dimension. Stochastic gradient "
        "descent is gradient descent on mini-batches.",
        ("glasstorch.utils.data._utils.collate.default_collate",
         "glasstorch.utils.data.sampler.BatchSampler.__iter__"),
        _demo_mini_batch,
        ("minibatch", "mini batch", "mini-batches", "minibatches", "mini batches", "batch",
         "batches", "batching", "shuffle", "shuffling", "shuffle=True", "sampler",
         "samplers"),
    ),
    Term(
        "Iteration",
        "One training step: one mini-batch through forward, backward and optimizer.step(); an "
        "epoch has len(loader) iterations.",
        "Learning-rate schedulers and logging often count iterations (steps) rather than "
        "epochs. Each step runs Optimizer.step once, which updates every parameter.",
        ("glasstorch.optim.optimizer.Optimizer.step",),
        _demo_iteration,
        ("iterations", "step", "steps", "training step", "training steps", "update step"),
    ),
    Term(
        "Logits",
        "The raw, unnormalised scores a classifier outputs, one per class; softmax turns them "
        "into probabilities.",
        "Classification models end with a Linear layer and no softmax: F.cross_entropy takes "
        "the logits and applies log_softmax itself, which is more stable numerically. Feeding "
        "it probabilities instead is a common mistake the coach warns about.",
        ("glasstorch.nn.functional.cross_entropy",
         "glasstorch._ops.reduction.functions.softmax"),
        _demo_logits,
        ("logit", "raw scores", "scores", "unnormalized scores", "unnormalised scores",
         "pre-softmax"),
    ),
    Term(
        "Dropout",
        "A layer that, in training mode, zeroes each value with probability p and scales the "
        "rest by 1/(1-p); in eval mode it passes values unchanged.",
        "Because a random subset of units disappears at every step, no unit can rely on a "
        "particular other one, which reduces overfitting. The 1/(1-p) scaling keeps the "
        "expected value the same, so nothing changes at evaluation time except that the "
        "noise stops (call model.eval()).",
        ("glasstorch.nn.modules.dropout.Dropout", "glasstorch.nn.functional.dropout"),
        _demo_dropout,
        ("nn.Dropout", "F.dropout", "dropout layer", "dropout rate", "drop out", "--dropout"),
    ),
    Term(
        "Weight decay",
        "An optimizer option that pulls every weight towards zero each step: it adds "
        "weight_decay * w to the gradient (L2 regularization).",
        "With SGD this is the same as adding (weight_decay / 2) * ||w||^2 to the loss. AdamW "
        "applies the decay directly to the weights instead (decoupled). It is handled for "
        "every optimizer in Optimizer.step, before the optimizer's own update rule.",
        ("glasstorch.optim.optimizer.Optimizer.step",),
        _demo_weight_decay,
        ("weight_decay", "weight-decay", "l2 regularization", "l2 regularisation", "l2 penalty",
         "ridge", "--weight-decay", "decoupled weight decay"),
    ),
    Term(
        "Regularization",
        "Anything that discourages a model from fitting the training data too closely, to make "
        "it generalise better: weight decay, dropout, early stopping, data augmentation.",
        "Regularization usually raises the training loss a little and lowers the validation "
        "loss. In glasstorch weight decay lives in Optimizer.step and dropout in "
        "nn.functional.dropout.",
        ("glasstorch.optim.optimizer.Optimizer.step", "glasstorch.nn.functional.dropout"),
        _demo_regularization,
        ("regularisation", "regularizer", "regulariser", "regularize", "regularise",
         "regularizations"),
    ),
    Term(
        "Gradient descent",
        "Minimising a function by repeatedly stepping against its gradient: w <- w - lr * grad.",
        "Computed on the whole dataset this is (full-batch) gradient descent; on mini-batches "
        "it is stochastic gradient descent (optim.SGD). The gradient points uphill, so the "
        "minus sign walks downhill.",
        ("glasstorch.optim.sgd.SGD._update",),
        _demo_gradient_descent,
        ("gd", "gradient-descent", "full batch gradient descent", "batch gradient descent",
         "steepest descent", "descent", "local minimum", "local minima", "minimum",
         "convergence", "converge"),
    ),
    Term(
        "Parameters",
        "The learnable numbers of a model (weights and biases): tensors wrapped as "
        "nn.Parameter, which requires grad and registers itself with its Module.",
        "Assigning a Parameter as a Module attribute registers it; model.parameters() walks "
        "all sub-modules recursively and is what the optimizer is given. Buffers "
        "(BatchNorm's running mean) are saved but not learned.",
        ("glasstorch.nn.parameter.Parameter", "glasstorch.nn.modules.module.Module.parameters"),
        _demo_parameters,
        ("parameter", "nn.Parameter", "model.parameters", "parameters()", "learnable parameters",
         "params", "param", "trainable parameters"),
    ),
    Term(
        "Weights",
        "The multiplying parameters of a layer (nn.Linear's weight of shape (out, in)); each "
        "says how strongly one input affects one output.",
        "They start random (Kaiming-uniform in +-1/sqrt(in_features) for Linear, like "
        "PyTorch) so that neurons differ, and are then changed by the optimizer. "
        "'The weights' also often means all the parameters of a model.",
        ("glasstorch.nn.modules.linear.Linear.reset_parameters",),
        _demo_weights,
        ("weight", "weight matrix", "layer.weight", "initialization", "initialisation",
         "weight initialization", "init"),
    ),
    Term(
        "Bias",
        "The additive parameter of a neuron: a learned number added after the weighted sum, "
        "so the output need not be 0 when the inputs are 0.",
        "nn.Linear has a bias of shape (out_features,) unless bias=False; it is broadcast over "
        "the batch in forward and its gradient is summed over the batch in backward.",
        ("glasstorch.nn.modules.linear.Linear.__init__",),
        _demo_bias,
        ("biases", "bias term", "layer.bias", "intercept", "offset"),
    ),
    Term(
        "Probabilities",
        "Numbers between 0 and 1 that sum to 1 over the classes; a classifier's softmax output "
        "read as how likely each class is.",
        "softmax turns logits into probabilities (sigmoid does it for one binary output). The "
        "largest one is the prediction and its value the model's confidence, which is not the "
        "same as being right (see calibration and hallucination).",
        ("glasstorch._ops.reduction.functions.softmax",
         "glasstorch.teaching.metrics.softmax_confidence"),
        _demo_probabilities,
        ("probability", "class probabilities", "predicted probabilities", "probs", "confidence",
         "probability distribution"),
    ),
    Term(
        "One-hot encoding",
        "Writing class k of C as a vector of C zeros with a 1 at position k.",
        "F.one_hot(labels, num_classes) builds it (as int64). PyTorch's cross_entropy takes "
        "class indices directly, so one-hot targets are only needed for losses like MSE on "
        "classes or for soft labels.",
        ("glasstorch.nn.functional.one_hot",),
        _demo_one_hot,
        ("one-hot", "one hot", "onehot", "one_hot", "F.one_hot", "one-hot vector"),
    ),
    Term(
        "Train/validation/test split",
        "Dividing the data into a training set (to fit), a validation set (to choose "
        "hyperparameters and stop) and a test set (to report the final score once).",
        "random_split shuffles the indices with a generator and returns Subsets that share no "
        "example. Deciding anything on the test set makes its score optimistic.",
        ("glasstorch.utils.data.dataset.random_split",
         "glasstorch.utils.data.dataset.Subset.__getitem__"),
        _demo_split,
        ("train test split", "train/test split", "validation", "validation set",
         "validation split", "test set", "training set", "train set", "held-out data",
         "holdout", "random_split", "val", "validation data", "test data", "training data",
         "dev set", "split"),
    ),
    Term(
        "Generalization",
        "How well a model does on new data it was not trained on; the goal of training.",
        "It is measured on held-out data (validation or test accuracy). The gap between "
        "training and held-out scores shows overfitting; regularization, more data and "
        "smaller models narrow it.",
        ("glasstorch.teaching.metrics.accuracy", "glasstorch.teaching.cli.train.evaluate"),
        _demo_generalization,
        ("generalisation", "generalize", "generalise", "generalizes", "unseen data",
         "generalization error", "generalization gap", "underfitting", "underfit"),
    ),
    Term(
        "Early stopping",
        "Stop training when the validation loss has not improved for a few epochs (the "
        "patience) and keep the weights from the best epoch.",
        "It needs a validation evaluation every epoch (model.eval() and no_grad) and a saved "
        "copy of the best state_dict; it is a form of regularization that costs nothing.",
        ("glasstorch.teaching.cli.train.evaluate",
         "glasstorch.nn.modules.module.Module._save_to_state_dict"),
        _demo_early_stopping,
        ("early-stopping", "earlystopping", "patience", "early stop", "stop early"),
    ),
    Term(
        "Checkpoint",
        "A file holding a model's state_dict (and often the optimizer's, the epoch...) so "
        "training can be resumed or the model reused.",
        "torch.save writes PyTorch's zip format (a pickle plus one file per tensor), so "
        "glasstorch checkpoints load in PyTorch and back; torch.load(..., weights_only=True) "
        "reads them without running arbitrary pickled code.",
        ("glasstorch.serialization.save",),
        _demo_checkpoint,
        ("checkpoints", "torch.save", "torch.load", "save", "load", "saving", "loading",
         "weights_only",
         "model file", "checkpointing", ".pt", ".pth"),
    ),
    Term(
        "state_dict",
        "An ordered dict from names ('0.weight', '1.running_mean') to tensors: everything a "
        "module or optimizer needs to be rebuilt.",
        "Module.state_dict collects parameters and persistent buffers of every sub-module "
        "under dotted names; load_state_dict copies them back (strict=True checks that the "
        "names match). Optimizers have one too, with their momentum buffers.",
        ("glasstorch.nn.modules.module.Module._save_to_state_dict",),
        _demo_state_dict,
        ("state dict", "state_dicts", "statedict", "load_state_dict", "model.state_dict",
         "optimizer.state_dict"),
    ),
    Term(
        "Inference",
        "Using a trained model to make predictions, without training it: eval mode and no "
        "gradient recording.",
        "torch.inference_mode() (like no_grad, stricter) stops the graph from being recorded, "
        "which saves memory and time; model.eval() turns off dropout and fixes BatchNorm.",
        ("glasstorch.autograd.grad_mode.inference_mode",
         "glasstorch.nn.modules.module.Module.eval"),
        _demo_inference,
        ("inference_mode", "torch.inference_mode", "prediction", "predictions", "predict",
         "making predictions", "testing"),
    ),
    Term(
        "Eval mode",
        "The mode set by model.eval(): Dropout stops dropping and BatchNorm uses its running "
        "statistics; model.train() switches back.",
        "Module.train(mode) sets the training flag on the module and every sub-module; only "
        "layers that behave differently (Dropout, BatchNorm) read it. It does not turn off "
        "gradients: combine it with no_grad for evaluation.",
        ("glasstorch.nn.modules.module.Module.train",
         "glasstorch.nn.modules.module.Module.eval"),
        _demo_eval_mode,
        ("eval", "model.eval", "model.eval()", "evaluation mode", "train mode", "training mode",
         "model.train", "model.train()", "module.training"),
    ),
    Term(
        "no_grad",
        "A context manager (with torch.no_grad():) inside which operations record no graph: "
        "results have requires_grad=False.",
        "Autograd checks the grad mode before recording a node, so inside no_grad nothing is "
        "kept for backward. Use it for evaluation and for changing parameters by hand.",
        ("glasstorch.autograd.grad_mode.no_grad",),
        _demo_no_grad,
        ("torch.no_grad", "no grad", "nograd", "with torch.no_grad", "set_grad_enabled",
         "enable_grad"),
    ),
    Term(
        "Broadcasting",
        "How operations combine tensors of different shapes: align trailing dimensions and "
        "repeat dimensions of size 1 (or missing ones) to match.",
        "(4, 3) + (3,) adds the row to every row. In backward the gradient of the smaller "
        "operand is summed over the repeated dimensions (sum_to). Unintended broadcasting, "
        "such as (N, 1) against (N,), is a classic silent bug.",
        ("glasstorch.autograd.engine.sum_to",),
        _demo_broadcasting,
        ("broadcast", "broadcasts", "broadcasted", "broadcast_to", "broadcast shapes"),
    ),
    Term(
        "dtype",
        "The number type of a tensor's elements: float32 (the default for floats), float64, "
        "int64 (the default for integers, and for class labels), bool ...",
        "Operations on mixed dtypes promote (int64 + float32 gives float32) by PyTorch's rules "
        "(promote_types). glasstorch supports float32/float64 and the integer and bool dtypes "
        "on the CPU.",
        ("glasstorch._dtype.dtype", "glasstorch._dtype.promote_types"),
        _demo_dtype,
        ("dtypes", "data type", "float32", "float64", "int64", "torch.float32", "torch.long",
         "torch.float", "type promotion", "precision"),
    ),
    Term(
        "Device",
        "Where a tensor's memory and computation live: 'cpu' or a GPU ('cuda'). glasstorch "
        "runs on the CPU only.",
        "torch.device('cpu') and .to('cpu') work as in PyTorch, and "
        "torch.cuda.is_available() is False, so the usual device-selection line picks the "
        "CPU; asking for CUDA fails like a CPU-only PyTorch does.",
        ("glasstorch._device.device.__init__", "glasstorch._tensor.Tensor.to"),
        _demo_device,
        ("devices", "torch.device", "cuda", "gpu", "cpu", ".to(device)", "to(device)", "mps"),
    ),
    Term(
        "Shape",
        "The size of a tensor along each dimension, a torch.Size such as (batch, features).",
        "Most errors beginners meet are shape errors (mat1 and mat2 shapes cannot be "
        "multiplied). reshape/view, flatten, unsqueeze and squeeze change the shape without "
        "changing the numbers.",
        ("glasstorch._size.Size", "glasstorch._tensor.Tensor.view"),
        _demo_shape,
        ("shapes", "size", "torch.Size", ".shape", "dimension", "dimensions", "dim", "ndim",
         "reshape", "view", "flatten", "unsqueeze", "squeeze", "nn.Flatten"),
    ),
    Term(
        "Seed",
        "The starting value of the random number generator: the same seed gives the same "
        "random numbers, initial weights and shuffles, so runs can be repeated.",
        "torch.manual_seed(s) reseeds the default generator (PyTorch's Mersenne Twister, "
        "reproduced bit for bit, so glasstorch gives PyTorch's numbers); a DataLoader can "
        "take its own torch.Generator.",
        ("glasstorch._random.manual_seed",),
        _demo_seed,
        ("seeds", "manual_seed", "torch.manual_seed", "random seed", "reproducibility",
         "random numbers", "random number generator", "rng",
         "reproducible", "--seed", "generator", "torch.Generator"),
    ),
    Term(
        "Normalization",
        "Rescaling values to a standard range, usually mean 0 and standard deviation 1: of "
        "the input features before training, or inside the network (BatchNorm, LayerNorm).",
        "Inputs on very different scales make gradient descent zig-zag; standardising them "
        "fixes that. nn.BatchNorm1d normalises each feature over the batch and keeps running "
        "statistics for eval mode; LayerNorm normalises each example over its features.",
        ("glasstorch.nn.functional.batch_norm", "glasstorch.nn.functional.layer_norm"),
        _demo_normalization,
        ("normalisation", "normalize", "normalise", "standardization", "standardisation",
         "standardize", "feature scaling", "batch norm", "batchnorm", "batch normalization",
         "nn.BatchNorm1d", "layer norm", "layernorm", "nn.LayerNorm", "z-score"),
    ),
    Term(
        "Vanishing gradients",
        "Gradients that shrink layer by layer on the way back, so the first layers of a deep "
        "network hardly learn.",
        "Backpropagation multiplies by each layer's local derivative; sigmoid's is at most "
        "0.25, so ten sigmoid layers can shrink the gradient a millionfold. ReLU (derivative "
        "1 where active), good initialisation, normalization and residual connections help. "
        "The opposite, exploding gradients, is tamed by clip_grad_norm_.",
        ("glasstorch._ops.pointwise.nodes.SigmoidBackward0",
         "glasstorch.nn.utils.clip_grad.clip_grad_norm_"),
        _demo_vanishing,
        ("vanishing", "vanishing gradient", "vanishing gradient problem", "exploding gradients",
         "exploding gradient", "gradient clipping", "clip_grad_norm_", "saturation"),
    ),
    Term(
        "Accuracy",
        "The fraction of examples whose predicted class (the argmax of the logits) equals the "
        "label.",
        "It is easy to read but ignores confidence and can mislead on unbalanced classes (see "
        "the confusion matrix and precision/recall in glasstorch.metrics). Compute it in eval "
        "mode under no_grad.",
        ("glasstorch.teaching.metrics.accuracy",),
        _demo_accuracy,
        ("acc", "accuracies", "train accuracy", "validation accuracy", "test accuracy",
         "metrics", "metric", "error rate", "confusion matrix", "confusion_matrix",
         "precision and recall", "recall", "f1", "f1 score"),
    ),
    Term(
        "Hyperparameter",
        "A setting chosen before training rather than learned: learning rate, batch size, "
        "number of epochs, hidden sizes, dropout p, weight decay.",
        "Optimizers keep theirs in param_groups (lr, momentum, weight_decay), which "
        "schedulers change during training. Choose them by their validation score, never the "
        "test score.",
        ("glasstorch.optim.optimizer.Optimizer.zero_grad", "glasstorch.optim.sgd.SGD._update"),
        _demo_hyperparameter,
        ("hyperparameters", "hyper-parameter", "hyper-parameters", "hyperparams",
         "param_groups", "hyperparameter tuning"),
    ),
    Term(
        "argmax",
        "The index of the largest value (along a dimension): for logits of shape (N, C), "
        "argmax(dim=1) is each example's predicted class.",
        "Softmax keeps the order of the scores, so the argmax of the logits and of the "
        "probabilities agree. argmax has no gradient; train with a loss, report accuracy.",
        ("glasstorch._ops.reduction.functions.argmax",),
        _demo_argmax,
        ("torch.argmax", ".argmax", "predicted class", "arg max", "max"),
    ),
    Term(
        "requires_grad",
        "A tensor flag: when True, operations on it are recorded so backward() can compute "
        "its .grad. Parameters have it on; data does not.",
        "The result of an operation requires grad if any input does and grad mode is on; it "
        "then has a grad_fn (a node of the graph) and is not a leaf. detach() returns the "
        "same numbers cut off from the graph.",
        ("glasstorch._tensor.Tensor.requires_grad_", "glasstorch._tensor.Tensor.detach"),
        _demo_requires_grad,
        ("requires grad", "requires_grad_", "detach", ".detach()", "grad_fn", "leaf",
         "leaf tensor", "is_leaf", "computational graph", "computation graph", "graph",
         "item", ".item()"),
    ),
    Term(
        "zero_grad",
        "optimizer.zero_grad() clears every parameter's .grad before the next backward, "
        "because backward adds into .grad instead of replacing it.",
        "Forgetting it sums the gradients of all past batches, so the steps grow and "
        "training goes wrong; the coach warns about it. With set_to_none=True (the default) "
        "the .grad becomes None.",
        ("glasstorch.optim.optimizer.Optimizer.zero_grad",),
        _demo_zero_grad,
        ("zero grad", "optimizer.zero_grad", "zero_grad()", "model.zero_grad",
         "gradient accumulation", "accumulate gradients"),
    ),
    Term(
        "Adam",
        "An optimizer that scales each parameter's step by running averages of its gradient "
        "(momentum) and squared gradient, so every coordinate moves at about lr.",
        "Its two moments live in optimizer.state[p] ('exp_avg', 'exp_avg_sq') with a bias "
        "correction for the first steps. It needs little tuning, which is why lr=1e-3 Adam is "
        "a common default; AdamW decouples its weight decay.",
        ("glasstorch.optim.adam.Adam._update",),
        _demo_adam,
        ("torch.optim.Adam", "optim.Adam", "adamw", "optim.AdamW", "adaptive optimizer"),
    ),
    Term(
        "Tanh",
        "tanh(x) = (e^x - e^-x) / (e^x + e^-x): squashes numbers into (-1, 1) around 0; its "
        "derivative is 1 - tanh(x)^2.",
        "It is a zero-centred sigmoid (tanh(x) = 2 sigmoid(2x) - 1) and is used inside RNNs "
        "and LSTMs; in deep feed-forward stacks ReLU trains faster.",
        ("glasstorch._ops.pointwise.nodes.TanhBackward0",),
        _demo_tanh,
        ("nn.Tanh", "torch.tanh", "F.tanh", "hyperbolic tangent"),
    ),
    Term(
        "Convolution",
        "A layer that slides a small learned kernel over an image and computes a weighted sum "
        "at each position, so the same weights detect a pattern anywhere.",
        "nn.Conv2d(in_channels, out_channels, kernel_size) in glasstorch unfolds every window "
        "into a column (im2col) and does one matrix product; pooling (max_pool2d) then keeps "
        "the strongest response in each block. glasstorch train --model cnn uses both.",
        ("glasstorch.nn.modules.conv.Conv2d", "glasstorch.nn.functional.conv2d",
         "glasstorch.nn.functional.max_pool2d"),
        _demo_convolution,
        ("conv", "conv2d", "nn.Conv2d", "convolutional", "cnn", "convolutional neural network",
         "kernel", "filter", "pooling", "max pooling", "maxpool", "nn.MaxPool2d"),
    ),
    Term(
        "Learning-rate scheduler",
        "An object that changes the optimizer's learning rate as training goes on, typically "
        "lowering it: scheduler.step() once per epoch (or per iteration) after optimizer.step().",
        "Schedulers write the new rate into optimizer.param_groups[i]['lr']. StepLR multiplies "
        "it by gamma every step_size epochs; CosineAnnealingLR, OneCycleLR and "
        "ReduceLROnPlateau (which watches the validation loss) are other shapes.",
        ("glasstorch.optim.lr_scheduler.StepLR",),
        _demo_scheduler,
        ("scheduler", "schedulers", "lr scheduler", "lr_scheduler", "learning rate scheduler",
         "learning-rate schedulers", "learning rate schedule", "StepLR", "lr schedule",
         "learning rate decay", "annealing"),
    ),
    Term(
        "Labels",
        "The correct answers that come with training examples: class indices for "
        "classification, numbers for regression (also called targets).",
        "A TensorDataset pairs features (the inputs, one row per example) with labels; the "
        "loss compares the model's output with them. Class labels are int64 indices "
        "0..C-1, as cross_entropy expects.",
        ("glasstorch.utils.data.dataset.TensorDataset",),
        _demo_label,
        ("label", "targets", "target", "ground truth", "classes", "class", "features",
         "feature", "inputs", "examples", "samples", "classification", "regression"),
    ),
)

# Words the course code uses (course/*.py); tests/test_glossary_words.py checks that each one
# still occurs in the course and that ``glasstorch explain`` knows it.
COURSE_WORDS: tuple[str, ...] = (
    "epoch", "batch_size", "logits", "dropout", "weight_decay", "regularisation", "mini-batch",
    "parameters", "weight", "bias", "probabilities", "validation", "early stopping",
    "state_dict", "inference", "no_grad", "broadcasting", "dtype", "seed", "vanishing",
    "accuracy", "argmax", "requires_grad", "zero_grad", "detach", "adam", "tanh", "labels",
    "targets", "features", "confidence", "calibration", "test set", "autograd", "shuffle",
)
