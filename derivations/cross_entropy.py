"""Cross-entropy, element-wise: L = (1/N) Σ_b [ log Σ_k exp(x[b,k]) - x[b, t[b]] ].

Closed index form, with p[b,j] = exp(x[b,j]) / Σ_k exp(x[b,k]) the softmax::

    ∂L/∂x[b,j] = (p[b,j] - δ(j, t[b])) / N
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

b, j = indices("b j")
N = sp.Symbol("N", positive=True, integer=True)
x, p, t, L = sp.IndexedBase("x"), sp.IndexedBase("p"), sp.IndexedBase("t"), sp.Symbol("L")

FORMULAS = {"logits": Formula(L, x[b, j], (p[b, j] - delta(j, t[b])) / N)}


(C,) = sizes("C")
a, k = indices("a k")
# The forward over N rows of C classes, for the proof at every size; t[a] is a class
INDEX_FORWARD = IndexForward(
    {
        L: sp.Sum(sp.log(sp.Sum(sp.exp(x[a, k]), (k, 0, C - 1))) - x[a, t[a]], (a, 0, N - 1)) / N,
        p[b, j]: sp.exp(x[b, j]) / sp.Sum(sp.exp(x[b, k]), (k, 0, C - 1)),
    },
    {"x": (N, C), "p": (N, C), "t": (N,)},
    values={"t": (0, C - 1)},
)


def expressions(logits, *, target):
    rows = [
        sp.log(sp.Add(*map(sp.exp, row))) - row[c] for row, c in zip(logits, target, strict=True)
    ]
    return np.asarray(sp.Add(*rows) / logits.shape[0], dtype=object)


def jacobian(logits, *, target):
    exps = elementwise(sp.exp, logits)
    probs = exps / exps.sum(axis=-1, keepdims=True)
    classes = np.array([sp.Integer(int(c)) for c in target], dtype=object)
    formula = FORMULAS["logits"]
    bound = Formula(formula.output, formula.input, formula.value.subs(N, logits.shape[0]))
    return (bound.evaluate({"p": probs, "t": classes}, (), logits.shape),)
