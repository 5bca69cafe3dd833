"""Exact proofs: equal expressions reduce to zero, different ones never do."""

import re

import numpy as np
import pytest
import sympy as sp

from gradcheck.formula import Formula, delta, indices
from gradcheck.proof import prove, rational_zero, reduces_to_zero

x0, x1, v, eps = sp.symbols("x0 x1 v eps", real=True)
eps_exact = sp.Rational(1, 10**5)
s0 = sp.exp(x0) / (sp.exp(x0) + sp.exp(x1))


@pytest.mark.parametrize(
    "difference",
    [
        sp.expand((x0 + x1) ** 3) - (x0 + x1) ** 3,
        sp.diff(s0, x0) - s0 * (1 - s0),  # softmax: needs exp -> u > 0 and cancel
        sp.diff(1 / sp.sqrt(v**2 + eps_exact), v) + v / (v**2 + eps_exact) ** sp.Rational(3, 2),
    ],
    ids=["polynomial", "softmax", "inverse-sqrt"],
)
def test_equal_expressions_reduce_to_zero(difference):
    assert reduces_to_zero(difference)


r = sp.sqrt(2) * x0 * x1 / 2  # attention's scaled score
den = sp.exp(x0) + sp.exp(x1)


@pytest.mark.parametrize(
    "difference",
    [
        # softmax's diagonal: exp(2 x0) beside exp(x0), as SymPy's derivative writes it
        (1 - sp.exp(x0) / den) * sp.exp(x0) / den - sp.exp(x0) / den + sp.exp(2 * x0) / den**2,
        sp.exp(r) * (sp.exp(r) - 1) - sp.exp(2 * r) + sp.exp(r),
        sp.exp(-x0) * (sp.exp(x0) + 1) - 1 - sp.exp(-x0),
    ],
    ids=["softmax-diagonal", "scaled-exponent", "negative-exponent"],
)
def test_exponentials_of_multiples_are_powers_of_one_positive_symbol(difference):
    # reduction 1 alone (no expand or simplify): exp(2r) = exp(r)**2 and exp(-r) = 1/exp(r)
    assert difference != 0 and rational_zero(difference)


@pytest.mark.parametrize(
    "difference",
    [
        sp.diff(s0, x0) - s0 * (1 + s0),
        # an eps inside vs outside the square root: 1e-5 apart, never equal
        1 / sp.sqrt(v**2 + eps_exact) - 1 / (sp.sqrt(v**2) + eps_exact),
        x0 - x1,
    ],
    ids=["softmax-sign", "eps-inside-vs-outside-sqrt", "different-symbols"],
)
def test_different_expressions_do_not(difference):
    assert not reduces_to_zero(difference)


def test_prove_finds_the_wrong_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    i, j = indices("i j")
    xb, yb = sp.IndexedBase("x"), sp.IndexedBase("y")
    square = Formula(yb[i], xb[j], delta(i, j) * 2 * xb[i])
    wrong = Formula(yb[i], xb[j], delta(i, j) * 2 * xb[j] + delta(i, 1) * delta(j, 0))

    def expressions(x):
        return x * x

    def right_jacobian(x):
        return (square.evaluate({"x": x}, x.shape, x.shape),)

    def wrong_jacobian(x):
        return (wrong.evaluate({"x": x}, x.shape, x.shape),)

    assert prove(expressions, right_jacobian, [(3,)]) == []
    (disproof,) = prove(expressions, wrong_jacobian, [(3,)])
    assert (disproof.output_index, disproof.input_index) == ((1,), (0,))


def test_formula_reads_outside_and_fractional_indices_as_zero():
    i, j = indices("i j")
    xb, yb = sp.IndexedBase("x"), sp.IndexedBase("y")
    x = np.array(sp.symbols("a b c"), dtype=object)
    # y[i] = x[(i - 1) / 2]: shifted and dilated, like a padded, dilated convolution
    block = Formula(yb[i], xb[j], xb[(i - 1) / 2]).evaluate({"x": x}, (6,), (3,))
    assert list(block[:, 0]) == [0, x[0], 0, x[1], 0, x[2]]


def test_a_disproof_speaks_the_users_names_and_gives_the_difference(tmp_path, monkeypatch):
    """A derivation with no index-form forward (a user's) is disproved at the sample's shapes:
    the message names weight[1] and x[0, 1], never SymPy's a1_1 and a0_0_1."""
    from types import SimpleNamespace

    from gradcheck import check, elementwise

    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))  # a proof, not a cached verdict
    b, i, c, j, k = indices("b i c j k")
    y, x, weight = sp.IndexedBase("y"), sp.IndexedBase("x"), sp.IndexedBase("weight")
    wrong = {  # ∂y[b,i]/∂x[c,j] is δ δ w[i]: this one squares it
        "x": Formula(y[b, i], x[c, j], delta(b, c) * delta(i, j) * weight[i] ** 2),
        "weight": Formula(y[b, i], weight[k], delta(i, k) * x[b, i]),
    }

    def jacobian(x_, w_):
        return tuple(
            wrong[n].evaluate({"x": x_, "weight": w_}, x_.shape, a.shape)
            for n, a in (("x", x_), ("weight", w_))
        )

    derivation = SimpleNamespace(
        expressions=lambda x_, w_: elementwise(
            lambda a, b_: a * b_, x_, np.broadcast_to(w_, x_.shape)
        ),
        jacobian=jacobian,
    )

    def forward(x, weight):
        return x * weight, (x, weight)

    def backward(g, cache):
        return g * cache[1], (g * cache[0]).sum(axis=0)

    rng = np.random.default_rng(0)
    report = check(forward, backward, [rng.normal(size=(2, 3)), rng.normal(size=3)], derivation)
    assert report.proof == "disproved" and report.blame == "derivation"
    text = str(report)
    assert "weight[" in text and "a0_" not in text and "a1_" not in text
    assert re.search(r"closed form − derivative = .*weight\[\d\]", text)
