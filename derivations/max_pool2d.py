"""2-D max pooling, element-wise.  Window (i, j) holds the in-range x[n,c,u,v] with
i s_h - p_h ≤ u < i s_h - p_h + k_h (likewise v); the -∞ padding never wins, so it is left out.

The maximum is written as  y = Σ_e x_e · A_e  over the window's elements e in row-major order,
where A_e = 1 when x_e is the window's *first* maximum (x_e > every earlier element,
x_e ≥ every later one: torch's tie rule) and 0 otherwise, as a Piecewise.  (A nested pairwise
Piecewise max turns into ITE conditions whose derivative SymPy cannot compare in reasonable time;
Max would differentiate to Heaviside.)

Closed index form, with the auxiliary array A[n,c,i,j,u,v] = the indicator above for
x[n,c,u,v] in window (i, j), 0 outside the window::

    ∂y[n,c,i,j]/∂x[m,e,u,v] = δ(n,m) δ(c,e) A[n,c,i,j,u,v]
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, IndexForward, delta, indices, sizes

n, m, c, e, i, j, u, v = indices("n m c e i j u v")
x, y, A = sp.IndexedBase("x"), sp.IndexedBase("y"), sp.IndexedBase("A")

FORMULAS = {
    "x": Formula(y[n, c, i, j], x[m, e, u, v], delta(n, m) * delta(c, e) * A[n, c, i, j, u, v])
}


N, C, H, W, H_out, W_out, k_h, k_w = sizes("N C H W H_out W_out k_h k_w")
s_h, s_w, p_h, p_w = sp.symbols("s_h s_w p_h p_w", integer=True)
a, b = indices("a b")
F = sp.IndexedBase("F")


def _window(offset: sp.Expr, size: sp.Expr) -> sp.Piecewise:
    return sp.Piecewise((1, sp.And(offset >= 0, offset < size)), (0, True))


# The forward at every size, kernel, stride and padding: y = Σ over the window of x · A, with
# A = [in window] · F and F the first-maximum indicator, piecewise constant in x (its
# derivative is 0 away from ties, where the layer has a kink)
INDEX_FORWARD = IndexForward(
    {
        y[n, c, i, j]: sp.Sum(
            x[n, c, i * s_h + a - p_h, j * s_w + b - p_w]
            * A[n, c, i, j, i * s_h + a - p_h, j * s_w + b - p_w],
            (b, 0, k_w - 1),
            (a, 0, k_h - 1),
        ),
        A[n, c, i, j, u, v]: _window(u + p_h - i * s_h, k_h)
        * _window(v + p_w - j * s_w, k_w)
        * F[n, c, i, j, u, v],
    },
    {"x": (N, C, H, W), "y": (N, C, H_out, W_out), "A": (N, C, H_out, W_out, H, W)}
    | {"F": (N, C, H_out, W_out, H, W)},
    note="given F, the first-maximum indicator, piecewise constant in x: no ties",
)


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _windows(shape, kernel_size, stride, padding):
    """Output shape and, per output (i, j), the in-range input positions (u, v), row-major."""
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = _pair(kernel_size if stride is None else stride)
    (ph, pw) = _pair(padding)
    height, width = shape[2:]
    oh, ow = (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    windows = {}
    for ii, jj in np.ndindex(oh, ow):
        rows = [r for r in range(ii * sh - ph, ii * sh - ph + kh) if 0 <= r < height]
        cols = [q for q in range(jj * sw - pw, jj * sw - pw + kw) if 0 <= q < width]
        windows[ii, jj] = [(r, q) for r in rows for q in cols]
    return (shape[0], shape[1], oh, ow), windows


def _first_max(values: list[sp.Expr]) -> list[sp.Expr]:
    """Per element, 1 if it is the first maximum of ``values``, else 0 (a Piecewise)."""
    return [
        sp.Piecewise(
            (1, sp.And(*(a > b for b in values[:k]), *(a >= b for b in values[k + 1 :]))),
            (0, True),
        )
        for k, a in enumerate(values)
    ]


def expressions(x, *, kernel_size, stride=None, padding=0):
    shape, windows = _windows(x.shape, kernel_size, stride, padding)
    out = np.empty(shape, dtype=object)
    for nn, cc, ii, jj in np.ndindex(shape):
        values = [x[nn, cc, r, q] for r, q in windows[ii, jj]]
        out[nn, cc, ii, jj] = sp.Add(
            *(a * w for a, w in zip(values, _first_max(values), strict=True))
        )
    return out


def jacobian(x, *, kernel_size, stride=None, padding=0):
    shape, windows = _windows(x.shape, kernel_size, stride, padding)
    indicator = np.full(shape + x.shape[2:], sp.Integer(0), dtype=object)
    for nn, cc, ii, jj in np.ndindex(shape):
        values = [x[nn, cc, r, q] for r, q in windows[ii, jj]]
        for (r, q), w in zip(windows[ii, jj], _first_max(values), strict=True):
            indicator[nn, cc, ii, jj, r, q] = w
    return (FORMULAS["x"].evaluate({"A": indicator}, shape, x.shape),)
