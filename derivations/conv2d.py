"""2-D convolution, element-wise (x read as 0 outside its H×W: zero padding)::

    y[n,o,i,j] = bias[o] + Σ_c Σ_k Σ_l W[o,c,k,l] x[n, c, i s_h + k d_h - p_h, j s_w + l d_w - p_w]

Closed index form (s stride, p padding, d dilation; an index outside an array, or fractional,
reads as 0, which is what padding and dilation need)::

    ∂y[n,o,i,j]/∂x[m,c,u,v]  = δ(n,m) W[o, c, (u + p_h - i s_h)/d_h, (v + p_w - j s_w)/d_w]
    ∂y[n,o,i,j]/∂W[r,c,k,l]  = δ(o,r) x[n, c, i s_h + k d_h - p_h, j s_w + l d_w - p_w]
    ∂y[n,o,i,j]/∂bias[r]     = δ(o,r)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

n, m, o, r, c, i, j, u, v, k, l = indices("n m o r c i j u v k l")
s_h, s_w, p_h, p_w, d_h, d_w = sp.symbols("s_h s_w p_h p_w d_h d_w", integer=True)
x, W, bias, y = (sp.IndexedBase(name) for name in ("x", "W", "bias", "y"))

FORMULAS = {
    "x": Formula(
        y[n, o, i, j],
        x[m, c, u, v],
        delta(n, m) * W[o, c, (u + p_h - i * s_h) / d_h, (v + p_w - j * s_w) / d_w],
    ),
    "weight": Formula(
        y[n, o, i, j],
        W[r, c, k, l],
        delta(o, r) * x[n, c, i * s_h + k * d_h - p_h, j * s_w + l * d_w - p_w],
    ),
    "bias": Formula(y[n, o, i, j], bias[r], delta(o, r)),
}


N, C, O, H, W_in, K_h, K_w, H_out, W_out = sizes("N C O H W_in K_h K_w H_out W_out")
# The forward at every size, stride, padding and dilation (d ≠ 0); x reads 0 outside H x W_in
INDEX_FORWARD = IndexForward(
    {
        y[n, o, i, j]: bias[o]
        + sp.Sum(
            W[o, c, k, l] * x[n, c, i * s_h + k * d_h - p_h, j * s_w + l * d_w - p_w],
            (l, 0, K_w - 1),
            (k, 0, K_h - 1),
            (c, 0, C - 1),
        )
    },
    {"x": (N, C, H, W_in), "W": (O, C, K_h, K_w), "bias": (O,), "y": (N, O, H_out, W_out)},
    note="every stride and padding, dilations d_h, d_w ≠ 0",
)


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _out_shape(x, weight, stride, padding, dilation) -> tuple[int, int, int, int]:
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    kh, kw = weight.shape[2:]
    oh = (x.shape[2] + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (x.shape[3] + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    return (x.shape[0], weight.shape[0], oh, ow)


def expressions(x, weight, bias, *, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    shape = _out_shape(x, weight, stride, padding, dilation)
    _, in_c, height, width = x.shape
    out = np.empty(shape, dtype=object)
    for nn, oo, ii, jj in np.ndindex(shape):
        terms = [bias[oo]]
        for cc, kk, ll in np.ndindex(in_c, *weight.shape[2:]):
            row, col = ii * sh + kk * dh - ph, jj * sw + ll * dw - pw
            if 0 <= row < height and 0 <= col < width:  # outside: zero padding
                terms.append(weight[oo, cc, kk, ll] * x[nn, cc, row, col])
        out[nn, oo, ii, jj] = sp.Add(*terms)
    return out


def jacobian(x, weight, bias, *, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    hyper = {s_h: sh, s_w: sw, p_h: ph, p_w: pw, d_h: dh, d_w: dw}
    out = _out_shape(x, weight, stride, padding, dilation)
    arrays = {"x": x, "W": weight, "bias": bias}
    blocks = []
    for name, a in (("x", x), ("weight", weight), ("bias", bias)):
        formula = FORMULAS[name]
        bound = Formula(formula.output, formula.input, formula.value.subs(hyper))
        blocks.append(bound.evaluate(arrays, out, a.shape))
    return tuple(blocks)
