"""Index arithmetic as indicators: ``[e ≥ 0]`` and ``[e is an integer]``, for integer ``e``.

An element read at index ``e`` of an axis of size ``S`` is guarded by ``[e ≥ 0] [S-1-e ≥ 0]``
(and ``[e ∈ ℤ]`` for a fractional index), which is what "outside reads as 0" means.  A guard
is decided, and dropped or zeroed, from the index ranges alone: ``e = c₀ + Σ cₛ s`` with every
``s`` in ``[loₛ, hiₛ]`` is at least ``c₀ + Σ min(cₛ loₛ, cₛ hiₛ)``.  What cannot be decided
stays a factor, and equal guards on the two sides of a proof cancel.
"""

from __future__ import annotations

import sympy as sp

Ranges = dict[sp.Expr, tuple[sp.Expr, sp.Expr]]


class Nonneg(sp.Function):
    """``[e ≥ 0]`` for an integer expression ``e``: 1 or 0."""

    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_nonnegative:
            return sp.S.One
        if arg.is_negative:
            return sp.S.Zero
        return None

    def _sympystr(self, printer: sp.printing.StrPrinter) -> str:
        return f"[{printer.doprint(self.args[0])} >= 0]"

    def _latex(self, printer: sp.printing.LatexPrinter) -> str:
        return rf"\left[{printer.doprint(self.args[0])} \geq 0\right]"


class Whole(sp.Function):
    """``[e ∈ ℤ]``: 1 or 0 (a dilated convolution reads only every d-th weight)."""

    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        if arg.is_integer:
            return sp.S.One
        if arg.is_Rational:
            return sp.S.Zero
        return None

    def _sympystr(self, printer: sp.printing.StrPrinter) -> str:
        return f"[{printer.doprint(self.args[0])} is an integer]"

    def _latex(self, printer: sp.printing.LatexPrinter) -> str:
        return rf"\left[{printer.doprint(self.args[0])} \in \mathbb{{Z}}\right]"


def inside(index: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    """``[lo ≤ index ≤ hi]``, with ``[index ∈ ℤ]`` when the index may be fractional."""
    index = sp.expand(index)
    guard = Nonneg(sp.expand(index - lo)) * Nonneg(sp.expand(hi - index))
    return guard if index.is_integer else guard * Whole(index)


def _bound(expr: sp.Expr, ranges: Ranges, lower: bool) -> sp.Expr | None:
    """The least (``lower``) or greatest value of a linear ``expr`` over the ranges, or None."""
    expr = sp.expand(expr)
    bound = expr
    for s in expr.atoms(sp.Symbol, sp.Indexed) & ranges.keys():
        c = expr.coeff(s)
        if c == 0:  # n in t[n]: only inside an element, bounded through it
            continue
        if c.has(*ranges.keys()):
            return None
        lo, hi = ranges[s]
        if c.is_positive:
            bound = bound - c * s + c * (lo if lower else hi)
        elif c.is_negative:
            bound = bound - c * s + c * (hi if lower else lo)
        else:
            return None
    bound = sp.expand(bound)
    return None if bound.has(*ranges.keys()) else bound


def _integral_over(expr: sp.Expr, ranges: Ranges) -> bool:
    """True when ``expr`` is an integer combination of ranged (integer) indices and arrays."""
    expr = sp.expand(expr)
    keys = expr.atoms(sp.Symbol, sp.Indexed) & ranges.keys()
    rest = expr.xreplace({k: sp.S.Zero for k in keys})
    return rest.is_integer is True and all(expr.coeff(k).is_integer for k in keys)


def decide(expr: sp.Expr, ranges: Ranges) -> sp.Expr:
    """Every guard that the ranges decide, replaced by its value; powers of a guard by it."""
    replace = {}
    for g in expr.atoms(Nonneg):
        low, high = _bound(g.args[0], ranges, True), _bound(g.args[0], ranges, False)
        if low is not None and low.is_nonnegative:
            replace[g] = sp.S.One
        elif high is not None and high.is_negative:
            replace[g] = sp.S.Zero
    for w in expr.atoms(Whole):
        if _integral_over(w.args[0], ranges):
            replace[w] = sp.S.One
    expr = expr.xreplace(replace) if replace else expr
    powers = {
        p: p.base
        for p in expr.atoms(sp.Pow)
        if isinstance(p.base, Nonneg | Whole | sp.KroneckerDelta)
    }
    powers = {p: b for p, b in powers.items() if p.exp.is_positive and p.exp.is_integer}
    return expr.xreplace(powers) if powers else expr


def _integral(relation: sp.Basic) -> bool:
    return not relation.atoms(sp.Indexed) and all(s.is_integer for s in relation.free_symbols)


def from_piecewise(expr: sp.Expr) -> sp.Expr:
    """``Piecewise((f, a ≥ 0 ∧ b < S), (0, True))`` over integers as ``f`` times ``Nonneg``'s.

    Only conditions on index arithmetic are rewritten; ``x[i] > 0`` stays a Piecewise.
    """
    replace = {}
    for p in expr.atoms(sp.Piecewise):
        if len(p.args) != 2 or p.args[1].expr != 0 or p.args[1].cond != sp.true:
            continue
        condition = p.args[0].cond
        relations = condition.args if isinstance(condition, sp.And) else (condition,)
        if not all(isinstance(r, sp.core.relational.Relational) for r in relations):
            continue
        if not all(_integral(r) for r in relations):
            continue
        factors = []
        for r in relations:
            gap = {
                sp.GreaterThan: r.lhs - r.rhs,
                sp.StrictGreaterThan: r.lhs - r.rhs - 1,
                sp.LessThan: r.rhs - r.lhs,
                sp.StrictLessThan: r.rhs - r.lhs - 1,
            }.get(type(r))
            if gap is None:
                break
            factors.append(Nonneg(sp.expand(gap)))
        else:
            replace[p] = from_piecewise(p.args[0].expr) * sp.Mul(*factors)
    return expr.xreplace(replace) if replace else expr
