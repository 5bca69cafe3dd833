"""Proofs at every size: right index forms are proven, wrong ones fail naming the term."""

import importlib
import json

import pytest
import sympy as sp

from gradcheck import allsizes
from gradcheck.allsizes import PROVEN, prove_derivation, prove_formula
from gradcheck.allsizes.indicators import Nonneg, Whole, decide, inside
from gradcheck.allsizes.sums import reduce_sums
from gradcheck.formula import Formula, IndexForward, delta, indices, sizes
from gradcheck.registry import derivation_names

# the list: every layer the all-size proof must cover
ALL_SIZES = derivation_names()


@pytest.mark.parametrize("name", ALL_SIZES)
def test_every_registered_formula_is_proven_for_all_sizes(name, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))  # cold: really prove it
    derivation = importlib.import_module(f"derivations.{name}")
    verdicts = prove_derivation(derivation)
    assert [v.input for v in verdicts] == list(derivation.FORMULAS)
    assert all(v.status == PROVEN for v in verdicts), verdicts
    assert all(v.seconds < 10 for v in verdicts)


def _planted(name: str, key: str, value: sp.Expr) -> str | None:
    derivation = importlib.import_module(f"derivations.{name}")
    right = derivation.FORMULAS[key]
    return prove_formula(Formula(right.output, right.input, value), derivation.INDEX_FORWARD)


def test_layer_norm_without_the_mean_term_fails_naming_it():
    from derivations.layer_norm import D, gamma, i, j, m, n, sigma, xhat

    # the right form has - 1/D inside the bracket: the mean's share
    wrong = delta(n, m) * gamma[i] / sigma[n] * (delta(i, j) - xhat[n, i] * xhat[n, j] / D)
    message = _planted("layer_norm", "x", wrong)
    print(message)
    assert message.startswith("∂y[n, i]/∂x[m, j] where j = i, m = n: the closed form")
    assert message.endswith("closed form − derivative = gamma[i]/(D*sigma[n])")


def test_batch_norm_with_a_wrong_count_fails_naming_each_term_and_its_coefficient():
    from derivations.batch_norm import M

    right = importlib.import_module("derivations.batch_norm").FORMULAS["x"]
    message = _planted("batch_norm", "x", right.value.xreplace({M: M - 1}))  # Bessel's M - 1
    print(message)
    assert message.endswith(
        "closed form − derivative = (-1/(M*(M - 1)))*gamma[c]/sigma[c]"
        " - (1/(M*(M - 1)))*gamma[c]*xhat[n, c]**2/sigma[c]"
    )


def test_attention_without_the_scale_fails_naming_both_terms():
    from derivations import attention

    right = attention.FORMULAS["k"]
    wrong = Formula(right.output, right.input, right.value * sp.sqrt(attention.d))
    message = prove_formula(wrong, attention.INDEX_FORWARD["causal=True"])
    print(message)
    assert message.endswith(
        "closed form − derivative = ((sqrt(d) - 1)/sqrt(d))*P[b, i, j]*q[b, i, n]*v[b, j, e]"
        " - ((sqrt(d) - 1)/sqrt(d))*P[b, i, j]*q[b, i, n]*y[b, i, e]"
    )


def test_dense_with_a_transposed_weight_fails_naming_both_elements():
    from derivations.dense import W, b, c, o, q

    message = _planted("dense", "x", delta(b, c) * W[q, o])
    print(message)
    assert "where c = b" in message
    assert message.endswith("closed form − derivative = -W[o, q] + W[q, o]")


def test_matmul_with_the_wrong_delta_fails_naming_the_case_and_term():
    from derivations.matmul import b, k, l, m, n

    # δ(k, l) where δ(i, l) belongs: l indexes a's rows, which are y's rows i
    message = _planted(
        "matmul", "a", delta(n, m) * delta(k, l) * b[n, sp.Symbol("j", integer=True), k]
    )
    print(message)
    assert "where l = i, k ≠ i, m = n: the closed form 0 is not" in message
    assert message.endswith("closed form − derivative = -b[n, j, k]")


def test_softmax_with_y_i_for_y_j_fails_naming_the_products():
    from derivations.softmax import b, c, i, j, y

    message = _planted("softmax", "x", delta(b, c) * y[b, i] * (delta(i, j) - y[b, i]))
    print(message)
    assert "where c = b, j ≠ i" in message
    assert message.endswith("closed form − derivative = -y[b, i]**2 + y[b, i]*y[b, j]")


def test_conv2d_with_stride_and_padding_swapped_fails():
    from derivations.conv2d import W, c, d_h, d_w, i, j, m, n, o, p_h, p_w, s_h, s_w, u, v

    wrong = delta(n, m) * W[o, c, (u + s_h - i * p_h) / d_h, (v + p_w - j * s_w) / d_w]
    message = _planted("conv2d", "x", wrong)
    print(message)
    assert message.endswith(
        "closed form − derivative = W[o, c, (-i*p_h + s_h + u)/d_h, (-j*s_w + p_w + v)/d_w]"
        " - W[o, c, (-i*s_h + p_h + u)/d_h, (-j*s_w + p_w + v)/d_w]"
    )


def test_gelu_tanh_mode_is_proven_for_all_sizes_and_every_kappa():
    from derivations import gelu

    formula = gelu.TANH_FORMULAS["x"]
    assert prove_formula(formula, gelu.TANH_INDEX_FORWARD) is None
    wrong = Formula(formula.output, formula.input, formula.value.xreplace({gelu.kappa: 0}))
    assert "kappa" in prove_formula(wrong, gelu.TANH_INDEX_FORWARD)


def test_index_forward_proves_for_symbolic_hyperparameters():
    # leaky_relu's α stays a symbol: the proof holds for every negative slope
    from derivations.leaky_relu import alpha, i, j, x

    assert (
        _planted("leaky_relu", "x", delta(i, j) * sp.Piecewise((1, x[i] > 0), (alpha, True)))
        is None
    )
    wrong = delta(i, j) * sp.Piecewise((1, x[i] > 0), (alpha**2, True))
    assert "alpha" in _planted("leaky_relu", "x", wrong)


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


def test_the_causal_mask_is_part_of_the_attention_proof():
    from derivations import attention

    causal = attention.INDEX_FORWARD["causal=True"]
    unmasked = sp.IndexedBase("P_open")
    b, i, j = attention.b, attention.i, attention.j
    weights = attention.INDEX_FORWARD["causal=False"].definitions[attention.P[b, i, j]]
    forward = IndexForward(
        {**causal.definitions, unmasked[b, i, j]: weights},
        causal.shapes | {"P_open": causal.shapes["P"]},
    )
    right = attention.FORMULAS["v"]
    assert prove_formula(right, forward) is None
    wrong = Formula(right.output, right.input, right.value.xreplace({attention.P: unmasked}))
    message = prove_formula(wrong, forward)
    print(message)
    assert "where c = b, f = e: the closed form P_open[b, i, j] is not" in message
    assert "[i - j >= 0]" in message


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
