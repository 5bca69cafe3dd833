"""Scaled dot-product attention, element-wise (b: the leading axes, broadcast and folded)::

    s[b,i,j] = Σ_n q[b,i,n] k[b,j,n] / √d
    P[b,i,j] = exp(s[b,i,j]) / Σ_l exp(s[b,i,l])       (causal: only keys j, l ≤ i)
    y[b,i,e] = Σ_j P[b,i,j] v[b,j,e]

A causally masked key is left out of the softmax sums, which is what its -∞ score means, and
its weight P[b,i,j] is 0.

Closed index form, with auxiliary arrays P (the attention weights above, 0 where masked) and
y (the output); b, c batch; i, m queries; j, l keys; n features of q and k; e, f of v::

    ∂y[b,i,e]/∂q[c,m,n] = δ(b,c) δ(i,m) Σ_l P[b,i,l] (v[b,l,e] - y[b,i,e]) k[b,l,n] / √d
    ∂y[b,i,e]/∂k[c,j,n] = δ(b,c) P[b,i,j] (v[b,j,e] - y[b,i,e]) q[b,i,n] / √d
    ∂y[b,i,e]/∂v[c,j,f] = δ(b,c) δ(e,f) P[b,i,j]

The sum over keys runs to T_k - 1, bound (with d) at evaluation.
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, elementwise, indices, sizes

b, c, i, m, j, l, n, e, f = indices("b c i m j l n e f")
d = sp.Symbol("d", positive=True, integer=True)
T_k = sp.Symbol("T_k", positive=True, integer=True)
q, k, v, P, y = (sp.IndexedBase(name) for name in ("q", "k", "v", "P", "y"))

FORMULAS = {
    "q": Formula(
        y[b, i, e],
        q[c, m, n],
        delta(b, c)
        * delta(i, m)
        * sp.Sum(P[b, i, l] * (v[b, l, e] - y[b, i, e]) * k[b, l, n], (l, 0, T_k - 1))
        / sp.sqrt(d),
    ),
    "k": Formula(
        y[b, i, e],
        k[c, j, n],
        delta(b, c) * P[b, i, j] * (v[b, j, e] - y[b, i, e]) * q[b, i, n] / sp.sqrt(d),
    ),
    "v": Formula(y[b, i, e], v[c, j, f], delta(b, c) * delta(e, f) * P[b, i, j]),
}


B, T_q, E = sizes("B T_q E")
s = sp.IndexedBase("s")
_SHAPES = {"q": (B, T_q, d), "k": (B, T_k, d), "v": (B, T_k, E), "y": (B, T_q, E)}
_SHAPES |= {"P": (B, T_q, T_k), "s": (B, T_q, T_k)}
_SCORES = sp.Sum(q[b, i, n] * k[b, j, n], (n, 0, d - 1)) / sp.sqrt(d)
_OUTPUT = sp.Sum(P[b, i, j] * v[b, j, e], (j, 0, T_k - 1))


def _kept(value: sp.Expr, key: sp.Expr) -> sp.Expr:
    """``value`` for a key the causal mask keeps (key ≤ query i), else 0."""
    return sp.Piecewise((value, key <= i), (0, True))


# The forward over B batches, T_q queries, T_k keys, d features and E values, in both modes,
# for the proof at every size
INDEX_FORWARD = {
    "causal=False": IndexForward(
        {
            y[b, i, e]: _OUTPUT,
            P[b, i, j]: sp.exp(s[b, i, j]) / sp.Sum(sp.exp(s[b, i, l]), (l, 0, T_k - 1)),
            s[b, i, j]: _SCORES,
        },
        _SHAPES,
    ),
    "causal=True": IndexForward(
        {
            y[b, i, e]: _OUTPUT,
            P[b, i, j]: _kept(sp.exp(s[b, i, j]), j)
            / sp.Sum(_kept(sp.exp(s[b, i, l]), l), (l, 0, T_k - 1)),
            s[b, i, j]: _SCORES,
        },
        _SHAPES,
    ),
}


def _weights(q: np.ndarray, k: np.ndarray, causal: bool) -> np.ndarray:
    """P as an object array (..., T_q, T_k); masked entries are exactly 0."""
    scores = np.einsum("...in,...jn->...ij", q, k) / sp.sqrt(q.shape[-1])
    exps = elementwise(sp.exp, scores)
    if causal:
        exps = np.where(np.tril(np.ones(exps.shape[-2:], dtype=bool)), exps, sp.Integer(0))
    return exps / exps.sum(axis=-1, keepdims=True)


def expressions(q: np.ndarray, k: np.ndarray, v: np.ndarray, *, causal: bool = False) -> np.ndarray:
    return np.einsum("...ij,...je->...ie", _weights(q, k, causal), v)


def _sum_to(block: np.ndarray, out_ndim: int, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a block taken w.r.t. a broadcast input over the copies of each of its elements."""
    extra = block.ndim - out_ndim - len(shape)
    block = block.sum(axis=tuple(range(out_ndim, out_ndim + extra)))
    stretched = tuple(
        out_ndim + a for a, size in enumerate(shape) if size == 1 and block.shape[out_ndim + a] > 1
    )
    return block.sum(axis=stretched, keepdims=True)


def jacobian(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, *, causal: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # The formulas index one batch axis: broadcast the leading axes as the layer does, fold
    # them into one (a batch of one when there are none), and sum each block back over the
    # copies broadcasting made of its input (the chain rule through np.broadcast_to).
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    full = [np.broadcast_to(a, batch + a.shape[-2:]) for a in (q, k, v)]
    qb, kb, vb = (a.reshape((-1,) + a.shape[-2:]) for a in full)
    weights = _weights(qb, kb, causal)
    arrays = {"q": qb, "k": kb, "v": vb, "P": weights, "y": np.einsum("bij,bje->bie", weights, vb)}
    out_shape = batch + (q.shape[-2], v.shape[-1])
    bind = {d: q.shape[-1], T_k: k.shape[-2]}
    blocks = []
    for name, a, ab, a_full in zip("qkv", (q, k, v), (qb, kb, vb), full, strict=True):
        formula = FORMULAS[name]
        # doit() turns the sum over keys into T_k terms that evaluate() can look up.
        bound = Formula(formula.output, formula.input, formula.value.subs(bind).doit())
        block = bound.evaluate(arrays, arrays["y"].shape, ab.shape)
        block = block.reshape(out_shape + a_full.shape)
        blocks.append(_sum_to(block, len(out_shape), a.shape))
    return tuple(blocks)
