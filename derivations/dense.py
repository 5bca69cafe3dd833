"""Dense layer, element-wise: y[b,o] = Σ_q x[b,q] W[o,q] + bias[o].

Closed index form (b, c batch; o, p outputs; q in-features)::

    ∂y[b,o]/∂x[c,q] = δ(b,c) W[o,q]
    ∂y[b,o]/∂W[p,q] = δ(o,p) x[b,q]
    ∂y[b,o]/∂bias[p] = δ(o,p)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

b, c, o, p, q = indices("b c o p q")
x, W, bias, y = (
    sp.IndexedBase("x"),
    sp.IndexedBase("W"),
    sp.IndexedBase("bias"),
    sp.IndexedBase("y"),
)

FORMULAS = {
    "x": Formula(y[b, o], x[c, q], delta(b, c) * W[o, q]),
    "weight": Formula(y[b, o], W[p, q], delta(o, p) * x[b, q]),
    "bias": Formula(y[b, o], bias[p], delta(o, p)),
}


B, I, O = sizes("B I O")
# The forward over B rows, I in-features and O out-features, for the proof at every size
INDEX_FORWARD = IndexForward(
    {y[b, o]: sp.Sum(x[b, q] * W[o, q], (q, 0, I - 1)) + bias[o]},
    {"x": (B, I), "W": (O, I), "bias": (O,), "y": (B, O)},
)


def expressions(x, weight, bias):
    return np.asarray(x.dot(weight.T) + bias, dtype=object)


def jacobian(x, weight, bias):
    out = (x.shape[:-1]) + (weight.shape[0],)
    arrays = {"x": x, "W": weight, "bias": bias}
    return tuple(
        FORMULAS[name].evaluate(arrays, out, a.shape)
        for name, a in (("x", x), ("weight", weight), ("bias", bias))
    )
