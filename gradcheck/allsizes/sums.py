"""Sums over symbolic ranges, reduced to a normal form that two equal expressions share.

The reduction ``sp.simplify`` lacks (it raises inside ``sum_simplify`` on layer norm):

* linearity: ``Σ_k (a f(k) + g(k)) = a Σ_k f(k) + Σ_k g(k)``, and ``Σ_{k=lo}^{hi} a = (hi-lo+1) a``;
* the delta rule: ``Σ_{k=lo}^{hi} f(k) δ(c k + e, u) = f(k*) [lo ≤ k* ≤ hi] [k* ∈ ℤ]`` with
  ``k* = (u - e)/c``, the guard decided from the index ranges where it can be;
* what remains, ``Σ_k f(k)`` with ``f`` free of δ, is named by its canonical form (bound
  variables renamed ``_k0, _k1, ...``) and becomes one opaque symbol.
"""

from __future__ import annotations

import sympy as sp

from gradcheck.allsizes.indicators import Ranges, decide, inside

_fresh = iter(range(10**9))


def fresh_dummies(expr: sp.Expr) -> sp.Expr:
    """Every bound variable renamed to a new symbol, so a substituted index is never captured."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Sum):
        return expr
    if isinstance(expr, sp.Sum):
        renamed = {v: sp.Symbol(f"{v.name}_{next(_fresh)}", integer=True) for v, *_ in expr.limits}
        body = fresh_dummies(expr.function).xreplace(renamed)
        return sp.Sum(body, *((renamed[v], lo, hi) for v, lo, hi in expr.limits))
    return expr.func(*(fresh_dummies(a) for a in expr.args))


def shape_of(name: str, shapes: dict[str, tuple]) -> tuple:
    """The symbolic shape of array ``name``; a ValueError naming it when none is given."""
    if name not in shapes:
        raise ValueError(f"INDEX_FORWARD gives no shape for {name}: add it to shapes")
    return shapes[name]


def guarded(expr: sp.Expr, shapes: dict[str, tuple], ranges: Ranges) -> sp.Expr:
    """Every element read ``a[e, ...]`` times the guard that ``e`` lies on its axis."""
    if isinstance(expr, sp.Sum):
        inner = dict(ranges)
        for var, lo, hi in expr.limits:
            inner[var] = (lo, hi)
        return sp.Sum(guarded(expr.function, shapes, inner), *expr.limits)
    if isinstance(expr, sp.Indexed):
        sizes = shape_of(str(expr.base.label), shapes)
        guard = sp.Mul(*(inside(e, 0, n - 1) for e, n in zip(expr.indices, sizes, strict=True)))
        return decide(guard, ranges) * expr
    if not expr.args or isinstance(expr, sp.KroneckerDelta):
        return expr
    return expr.func(*(guarded(a, shapes, ranges) for a in expr.args))


def _solve(delta: sp.KroneckerDelta, var: sp.Symbol) -> sp.Expr | None:
    """``k*`` with ``δ(...)`` true exactly at ``var = k*``, when the delta is linear in ``var``."""
    gap = sp.expand(delta.args[0] - delta.args[1])
    coefficient = gap.coeff(var)
    rest = sp.expand(gap - coefficient * var)
    if coefficient == 0 or coefficient.has(var) or rest.has(var):
        return None
    return sp.expand(-rest / coefficient)


def _one_sum(body: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr, ranges: Ranges) -> sp.Expr:
    total = []
    for term in sp.Add.make_args(sp.expand_mul(body)):
        if var not in term.free_symbols:
            total.append((hi - lo + 1) * term)
            continue
        factors = sp.Mul.make_args(term)
        deltas = [f for f in factors if isinstance(f, sp.KroneckerDelta) and var in f.free_symbols]
        solved = [(d, _solve(d, var)) for d in deltas]
        solved = [(d, k) for d, k in solved if k is not None]
        if solved:
            delta, value = solved[0]
            rest = sp.Mul(*(f for f in factors if f is not delta))
            total.append(decide(rest.xreplace({var: value}) * inside(value, lo, hi), ranges))
            continue
        constant = sp.Mul(*(f for f in factors if var not in f.free_symbols))
        varying = sp.Mul(*(f for f in factors if var in f.free_symbols))
        total.append(constant * sp.Sum(varying, (var, lo, hi)))
    return sp.Add(*total)


def reduce_sums(expr: sp.Expr, ranges: Ranges) -> sp.Expr:
    """``expr`` with every sum reduced (innermost first) by linearity and the delta rule."""
    if not expr.has(sp.Sum):
        return expr
    if isinstance(expr, sp.Sum):
        inner = dict(ranges)
        for var, lo, hi in expr.limits:
            inner[var] = (lo, hi)
        result = reduce_sums(expr.function, inner)
        for var, lo, hi in expr.limits:  # the first limit is the innermost sum
            result = _one_sum(result, var, lo, hi, inner)
        return result
    return expr.func(*(reduce_sums(a, ranges) for a in expr.args))


def canonical(expr: sp.Expr, depth: int = 0) -> sp.Expr:
    """Bound variables renamed by nesting depth, so equal sums compare equal."""
    if isinstance(expr, sp.Sum):
        ((var, lo, hi),) = expr.limits
        new = sp.Symbol(f"_k{depth}", integer=True)
        return sp.Sum(canonical(expr.function.xreplace({var: new}), depth + 1), (new, lo, hi))
    if not expr.args or not expr.has(sp.Sum):
        return expr
    return expr.func(*(canonical(a, depth) for a in expr.args))


def opaque(expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Symbol, sp.Expr]]:
    """Every outermost sum as a symbol ``_S0, _S1, ...``; returns the expression and the names."""
    outer = [
        s for s in expr.atoms(sp.Sum) if not any(s != t and t.has(s) for t in expr.atoms(sp.Sum))
    ]
    names = {s: sp.Symbol(f"_S{n}") for n, s in enumerate(sorted(outer, key=sp.default_sort_key))}
    return expr.xreplace(names), {v: k for k, v in names.items()}
