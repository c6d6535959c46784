"""glasstorch.viz: the drawn graph is the graph autograd recorded, with PyTorch's node names."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import glasstorch
from glasstorch.viz import make_dot

SVG = "{http://www.w3.org/2000/svg}"


def _walk(loss) -> list:
    """Every node reachable from loss.grad_fn, each once (the reference walk)."""
    seen, order, stack = set(), [], [loss.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        order.append(fn)
        stack.extend(n for n, _ in fn.next_functions)
    return order


def _mlp(lib, widths, activation="ReLU", seed=0):
    nn = lib.nn
    lib.manual_seed(seed)
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), getattr(nn, activation)()]
    model = nn.Sequential(*layers[:-1])
    x = lib.randn(5, widths[0])
    return model, nn.functional.mse_loss(model(x), lib.randn(5, widths[-1]))


def test_mlp_graph_has_torchs_node_names():
    model, loss = _mlp(glasstorch, [4, 3, 2])
    g = make_dot(loss, params=dict(model.named_parameters()))
    t_model, t_loss = _mlp(torch, [4, 3, 2])
    torch_names = {type(fn).__name__ for fn in _walk(t_loss)}
    assert g.node_names == {type(fn).__name__ for fn in _walk(loss)}
    assert g.node_names == torch_names
    assert {"AddmmBackward0", "ReluBackward0", "TBackward0", "AccumulateGrad",
            "MseLossBackward0"} <= g.node_names


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5),
       st.sampled_from(["ReLU", "Sigmoid", "Tanh"]))
def test_every_recorded_node_is_drawn_once(widths, activation):
    model, loss = _mlp(glasstorch, widths, activation)
    nodes = _walk(loss)
    g = make_dot(loss, params=dict(model.named_parameters()))
    ops = [n for n in g.nodes.values() if n.kind == "fn"]
    assert sorted(n.name for n in ops) == sorted(type(fn).__name__ for fn in nodes)
    # one edge per (input node, node) pair recorded in next_functions, plus node -> output
    expected = {(id(nxt), id(fn)) for fn in nodes for nxt, _ in fn.next_functions
                if nxt is not None}
    drawn = {(a, b) for a, b, kind in g.edges if kind == "data" and not b.startswith("out")
             and g.nodes[a].kind == "fn"}
    assert drawn == {(str(a), str(b)) for a, b in expected}
    # every parameter appears as a named leaf with its shape
    text = g.text()
    for name, p in model.named_parameters():
        shape = "(" + ", ".join(map(str, p.shape)) + ")"
        assert f"{name} {shape}" in text
        leaf = g.nodes[str(id(p))]
        assert leaf.kind == "leaf" and leaf.label == [name, shape]
    svg = ET.fromstring(g.svg())
    titles = [el.findtext(f"{SVG}title") for el in svg.iter(f"{SVG}g")
              if "node" in (el.get("class") or "").split()]
    assert len(titles) == len(g.nodes)


def test_text_tree_and_svg_for_cross_entropy_mlp():
    glasstorch.manual_seed(0)
    nn = glasstorch.nn
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    loss = nn.functional.cross_entropy(model(glasstorch.randn(5, 4)),
                                       glasstorch.tensor([0, 1, 0, 1, 1]))
    g = make_dot(loss, params=dict(model.named_parameters()), show_saved=True)
    names = [type(fn).__name__ for fn in _walk(loss)]
    text = str(g)
    for name in names:
        assert name in text
    lines = text.splitlines()
    assert lines[0] == "output ()"
    assert lines[1].startswith("└── " + type(loss.grad_fn).__name__)
    # the saved arrays of every node are listed with their shapes
    for fn in _walk(loss):
        for arr in getattr(fn, "saved", ()) or ():
            if isinstance(arr, np.ndarray):
                assert "(" + ", ".join(map(str, arr.shape)) + ")" in text

    svg_text = g.svg()
    root = ET.fromstring(svg_text)
    assert root.tag == f"{SVG}svg"
    drawn_text = {el.text for el in root.iter(f"{SVG}text")}
    for name in names:
        assert name in drawn_text
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert name in drawn_text
    kinds = [el.get("class") for el in root.iter(f"{SVG}g") if el.get("class", "").startswith(
        "node ")]
    assert kinds.count("node fn") == len(names)
    assert "node saved" in kinds and "node output" in kinds and "node leaf" in kinds
    assert len(list(root.iter(f"{SVG}path"))) >= len(g.edges)


def test_shared_nodes_are_marked_and_released_saves_reported():
    w = glasstorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (w * w).sum() + w.sum()
    text = make_dot(y, {"w": w}).text()
    assert text.count("AccumulateGrad [1]") == 3
    assert text.count("(shown above)") == 2
    assert "<- w (3)" in text
    plain = make_dot(y, {"w": w}).text(ascii=True)
    assert plain.isascii() and len(plain.splitlines()) == len(text.splitlines())
    y.backward()
    after = make_dot(y, {"w": w}, show_saved=True, show_grads=True)
    assert "released" in after.text()
    assert "grad norm" in after.text()
    ET.fromstring(after.svg())


def test_multiple_outputs_attrs_and_leaf_output():
    a = glasstorch.randn(3, requires_grad=True)
    b = a.exp()
    c = a.softmax(0)
    g = make_dot((b, c), show_attrs=True)
    text = g.text()
    assert text.startswith("output 0 (3)")
    assert "output 1 (3)" in text
    assert {"ExpBackward0", "SoftmaxBackward0", "AccumulateGrad"} == g.node_names
    g_leaf = make_dot(a)
    assert g_leaf.text() == "output (3)"
    with pytest.raises(TypeError):
        make_dot(3.0)


def test_long_chain_needs_no_recursion():
    x = glasstorch.ones(2, requires_grad=True)
    y = x
    for _ in range(1500):
        y = y * 1.0001
    g = make_dot(y.sum())
    assert g.text().count("MulBackward0") == 1500
    ET.fromstring(g.svg())


def test_save_formats(tmp_path):
    model, loss = _mlp(glasstorch, [3, 4, 2])
    g = make_dot(loss, params=dict(model.named_parameters()), show_saved=True)
    svg = g.save(tmp_path / "g.svg")
    ET.parse(svg)
    dot = open(g.save(tmp_path / "g.dot")).read()
    assert dot.startswith("digraph {") and "AddmmBackward0" in dot
    assert open(g.save(tmp_path / "g.txt")).read().strip() == g.text()
    assert g.render(str(tmp_path / "r"), format="svg").endswith("r.svg")
    pytest.importorskip("matplotlib")
    import matplotlib.image

    png = g.save(tmp_path / "g.png")
    img = matplotlib.image.imread(png)
    assert img.shape[0] > 50 and img.shape[1] > 50
    assert img[..., :3].std() > 0.05  # not blank
    with pytest.raises(ValueError):
        g.save(tmp_path / "g.xyz")
