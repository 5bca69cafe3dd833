"""2-D average pooling, element-wise (x read as 0 outside its H×W: zero padding, counted in the
divisor as torch's count_include_pad=True)::

    y[n,c,i,j] = (1 / (k_h k_w)) Σ_{a < k_h, b < k_w} x[n, c, i s_h + a - p_h, j s_w + b - p_w]

Closed index form (s stride, p padding, k kernel size)::

    ∂y[n,c,i,j]/∂x[m,e,u,v]
        = δ(n,m) δ(c,e) 1[0 ≤ u + p_h - i s_h < k_h] 1[0 ≤ v + p_w - j s_w < k_w] / (k_h k_w)
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

n, m, c, e, i, j, u, v = indices("n m c e i j u v")
s_h, s_w, p_h, p_w = sp.symbols("s_h s_w p_h p_w", integer=True)
k_h, k_w = sp.symbols("k_h k_w", integer=True, positive=True)
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")


N, C, H, W, H_out, W_out = sizes("N C H W H_out W_out")
a, b = indices("a b")
# The forward at every size, kernel, stride and padding; x reads 0 outside H x W
INDEX_FORWARD = IndexForward(
    {
        y[n, c, i, j]: sp.Sum(
            x[n, c, i * s_h + a - p_h, j * s_w + b - p_w], (b, 0, k_w - 1), (a, 0, k_h - 1)
        )
        / (k_h * k_w)
    },
    {"x": (N, C, H, W), "y": (N, C, H_out, W_out)},
)


def _inside(offset: sp.Expr, size: sp.Expr) -> sp.Piecewise:
    """1 when a kernel offset lies in [0, size), else 0."""
    return sp.Piecewise((1, sp.And(offset >= 0, offset < size)), (0, True))


FORMULAS = {
    "x": Formula(
        y[n, c, i, j],
        x[m, e, u, v],
        delta(n, m)
        * delta(c, e)
        * _inside(u + p_h - i * s_h, k_h)
        * _inside(v + p_w - j * s_w, k_w)
        / (k_h * k_w),
    )
}


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _hyper(kernel_size, stride, padding) -> dict[sp.Symbol, int]:
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    (ph, pw) = _pair(padding)
    return {k_h: kh, k_w: kw, s_h: sh, s_w: sw, p_h: ph, p_w: pw}


def _out_shape(shape, hyper) -> tuple[int, int, int, int]:
    oh = (shape[2] + 2 * hyper[p_h] - hyper[k_h]) // hyper[s_h] + 1
    ow = (shape[3] + 2 * hyper[p_w] - hyper[k_w]) // hyper[s_w] + 1
    return (shape[0], shape[1], oh, ow)


def expressions(x, *, kernel_size, stride=None, padding=0):
    hyper = _hyper(kernel_size, stride, padding)
    (kh, kw, sh, sw, ph, pw) = hyper.values()
    shape = _out_shape(x.shape, hyper)
    height, width = x.shape[2:]
    out = np.empty(shape, dtype=object)
    for nn, cc, ii, jj in np.ndindex(shape):
        terms = [
            x[nn, cc, ii * sh + a - ph, jj * sw + b - pw]
            for a, b in np.ndindex(kh, kw)
            if 0 <= ii * sh + a - ph < height and 0 <= jj * sw + b - pw < width
        ]
        out[nn, cc, ii, jj] = sp.Add(*terms) * sp.Rational(1, kh * kw)
    return out


def jacobian(x, *, kernel_size, stride=None, padding=0):
    hyper = _hyper(kernel_size, stride, padding)
    formula = FORMULAS["x"]
    bound = Formula(formula.output, formula.input, formula.value.subs(hyper))
    return (bound.evaluate({}, _out_shape(x.shape, hyper), x.shape),)
