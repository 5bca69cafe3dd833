"""Wrong closed index forms, planted: each fails the all-size proof naming the differing term."""

import importlib

import sympy as sp

from gradcheck.allsizes import prove_formula
from gradcheck.formula import Formula, IndexForward, delta


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
