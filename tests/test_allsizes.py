"""Proofs at every size: the reductions, every registered derivation, the cache, the status."""

import importlib
import json

import pytest
import sympy as sp

from gradcheck import allsizes
from gradcheck.allsizes import PROVEN, prove_derivation
from gradcheck.allsizes.indicators import Nonneg, Whole, decide, inside
from gradcheck.allsizes.sums import reduce_sums
from gradcheck.formula import Formula, IndexForward, delta, indices, sizes
from gradcheck.registry import derivation_names

# every registered derivation: the issue asks for all of them, conv2d and pooling included
ALL_SIZES = derivation_names()


@pytest.mark.parametrize("name", ALL_SIZES)
def test_every_registered_formula_is_proven_for_all_sizes(name, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))  # cold: really prove it
    derivation = importlib.import_module(f"derivations.{name}")
    verdicts = prove_derivation(derivation)
    assert [v.input for v in verdicts] == list(derivation.FORMULAS)
    assert all(v.status == PROVEN for v in verdicts), verdicts
    assert all(v.seconds < 10 for v in verdicts)


def test_the_delta_rule_keeps_the_window_as_an_indicator():
    k, u, i = indices("k u i")
    K, H = sizes("K H")
    x = sp.IndexedBase("x")
    s = sp.Symbol("s", integer=True)
    ranges = {u: (0, H - 1)}
    # Σ_k x[k] δ(u, i s + k) = x[u - i s] [0 ≤ u - i s ≤ K - 1]
    total = reduce_sums(sp.Sum(x[k] * delta(u, i * s + k), (k, 0, K - 1)), ranges)
    assert total == x[u - i * s] * Nonneg(u - i * s) * Nonneg(K - 1 - u + i * s)
    # a dilation d: only every d-th offset, an integrality indicator
    d = sp.Symbol("d", integer=True, positive=True)
    total = reduce_sums(sp.Sum(x[k] * delta(u, d * k), (k, 0, K - 1)), ranges)
    assert total.has(Whole(u / d))
    # a sum over the index's own range drops its guard; a constant sums to its count
    assert reduce_sums(sp.Sum(x[k] * delta(u, k), (k, 0, H - 1)), ranges) == x[u]
    assert reduce_sums(sp.Sum(x[u], (k, 0, K - 1)), ranges) == K * x[u]


def test_guards_are_decided_from_the_ranges_only():
    u = indices("u")[0]
    H = sizes("H")[0]
    ranges = {u: (0, H - 1)}
    assert decide(inside(u, 0, H - 1), ranges) == 1
    assert decide(inside(u + H, 0, H - 1), ranges) == 0
    assert decide(inside(u + 1, 0, H - 1), ranges) == Nonneg(H - 2 - u)


def test_a_cold_proof_is_cached_and_a_warm_one_reads_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    derivation = importlib.import_module("derivations.softmax")
    cold = prove_derivation(derivation)
    (entry,) = list(tmp_path.iterdir())
    assert json.loads(entry.read_text())[0]["status"] == PROVEN

    def refuse(*_):
        raise AssertionError("proved again despite the cache")

    monkeypatch.setattr(allsizes, "prove_formula", refuse)
    assert prove_derivation(derivation) == cold


SQUARE_MEAN = """
import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, indices, sizes

i, k = indices("i k")
(N,) = sizes("N")
pred, L = sp.IndexedBase("pred"), sp.Symbol("L")

# 2 pred[i] / N, written as pred[i]: right at N = 2 only
FORMULAS = {"pred": Formula(L, pred[i], pred[i])}
INDEX_FORWARD = IndexForward({L: sp.Sum(pred[k] ** 2, (k, 0, N - 1)) / N}, {"pred": (N,)})


def expressions(pred):
    return np.asarray(sp.Add(*(pred * pred)) / pred.size, dtype=object)


def jacobian(pred):
    return (FORMULAS["pred"].evaluate({"pred": pred}, (), pred.shape),)
"""


def test_a_form_right_at_the_checked_shape_but_not_at_every_size_fails_the_check(
    tmp_path, monkeypatch
):
    import numpy as np

    from gradcheck import check

    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "square_mean_at_two.py").write_text(SQUARE_MEAN)
    monkeypatch.syspath_prepend(str(tmp_path))
    derivation = importlib.import_module("square_mean_at_two")

    def forward(x):
        return np.asarray(np.mean(x * x)), x

    def backward(g, x):
        return (g * 2 * x / x.size,)

    report = check(forward, backward, [np.array([0.3, -1.2])], derivation, names=["pred"])
    print(report)
    assert not report.passed and report.blame == "derivation"
    assert report.failures[0].message == (
        "closed index form ∂L/∂pred[i]: the closed form pred[i] is not the derivative of the "
        "forward; closed form − derivative = ((N - 2)/N)*pred[i]"
    )


def test_the_proof_status_says_all_sizes_or_the_registered_shapes():
    from types import SimpleNamespace

    from gradcheck.describe import proof_status
    from gradcheck.registry import Layer, get_layer

    relu = get_layer("relu")
    assert proof_status(relu) == [PROVEN]
    assert proof_status(get_layer("max_pool2d")) == [
        f"{PROVEN} (given F, the first-maximum indicator, piecewise constant in x: no ties)"
    ]
    # the same formulas without an index-form forward: proven at the registered shapes only
    bare = SimpleNamespace(FORMULAS=relu.derivation.FORMULAS, jacobian=relu.derivation.jacobian)
    (status,) = proof_status(Layer("relu", relu.module, bare))
    shapes = "; ".join(dict.fromkeys(c.id.split("-")[0] for c in relu.cases if c.symbolic))
    assert status == f"proven at shapes ({shapes}): no index-form forward"


def test_the_report_lists_each_formula_proven_for_all_sizes(tmp_path):
    from gradcheck.document import write_report

    write_report(["dense"], tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    for name in ("x", "weight", "bias"):
        assert f"* {name}: {PROVEN}" in markdown


def test_an_index_form_that_does_not_reduce_keeps_the_proof_at_the_shapes(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from gradcheck.allsizes import FAILED
    from gradcheck.describe import proof_status
    from gradcheck.registry import Layer, get_layer

    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    relu = get_layer("relu")
    forward = relu.derivation.INDEX_FORWARD
    # y's shape forgotten: the guard of y[i] cannot be written
    broken = IndexForward(forward.definitions, {"x": forward.shapes["x"]})
    derivation = SimpleNamespace(
        FORMULAS=relu.derivation.FORMULAS, INDEX_FORWARD=broken, jacobian=relu.derivation.jacobian
    )
    (verdict,) = prove_derivation(derivation)
    assert verdict.status == FAILED
    assert (
        verdict.detail
        == "does not reduce: ValueError: INDEX_FORWARD gives no shape for y: add it to shapes"
    )
    (status,) = proof_status(Layer("relu", relu.module, derivation))
    assert status.startswith("proven at shapes (") and status.endswith(f"): {FAILED}")
    # the real one, sharing the jacobian and so the module source, is not served that entry
    assert prove_derivation(relu.derivation)[0].status == PROVEN


def test_the_notebook_steps_show_each_case_equal_or_different():
    from types import SimpleNamespace

    from gradcheck.allsizes.steps import derivation_steps

    softmax = importlib.import_module("derivations.softmax")
    headings = [text for text, expr in derivation_steps(softmax) if expr is None]
    assert headings[0] == "the forward in index form"
    cases = [h for h in headings if h.startswith("case ")]
    assert cases == [
        "case c = b, j = i: closed form, then derivative (equal)",
        "case c = b, j ≠ i: closed form, then derivative (equal)",
        "case c ≠ b: closed form, then derivative (equal)",
    ]
    from derivations.softmax import b, c, i, j, y

    wrong = Formula(y[b, i], softmax.FORMULAS["x"].input, delta(b, c) * y[b, i] * delta(i, j))
    planted = SimpleNamespace(FORMULAS={"x": wrong}, INDEX_FORWARD=softmax.INDEX_FORWARD)
    headings = [text for text, expr in derivation_steps(planted) if expr is None]
    assert "case c = b, j ≠ i: closed form, then derivative (DIFFERENT)" in headings
