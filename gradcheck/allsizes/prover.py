"""Prove one closed index form equal to the derivative of the index-form forward, at every size.

For ``Formula(y[b,i], x[c,j], value)`` and the forward ``y[b,i] = f``:

1. the auxiliary arrays (σ, x̂, p, ...) are replaced by their definitions on both sides, and
   every element read is guarded by its axis (:mod:`gradcheck.allsizes.indicators`);
2. ``∂f/∂x[c,j]`` is SymPy's ``diff`` (a ``Sum`` differentiates term by term into δ's);
3. both sides' sums are reduced (:mod:`gradcheck.allsizes.sums`), with every index in its range;
4. the δ's left between free indices are decided case by case (``c = b`` or ``c ≠ b``, ...);
5. in each case, with sums as opaque symbols, the difference must be the zero rational function
   (:func:`gradcheck.proof.rational_zero`), in every branch of a Piecewise.

Each step is an identity given the index ranges, so a zero difference is a proof for all sizes.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from gradcheck.allsizes.indicators import Ranges, decide, from_piecewise
from gradcheck.allsizes.sums import (
    canonical,
    fresh_dummies,
    guarded,
    opaque,
    reduce_sums,
    shape_of,
)
from gradcheck.formula import Formula, IndexForward

Pair = tuple[sp.Expr, sp.Expr]


def _name(element: sp.Expr) -> str:
    return str(element.base.label) if isinstance(element, sp.Indexed) else str(element)


def expand_definitions(expr: sp.Expr, forward: IndexForward) -> sp.Expr:
    """Every read of a defined array replaced by its definition, recursively."""
    definitions = {_name(lhs): (lhs, rhs) for lhs, rhs in forward.definitions.items()}
    for _ in range(20):  # definitions nest (x̂ reads σ reads μ), never circularly
        found = {
            e: definitions[_name(e)]
            for e in expr.atoms(sp.Indexed, sp.Symbol)
            if _name(e) in definitions
            and (isinstance(e, sp.Indexed) or e == definitions[_name(e)][0])
        }
        if not found:
            return expr
        replace = {}
        for element, (lhs, rhs) in found.items():
            indices = getattr(lhs, "indices", ())
            replace[element] = fresh_dummies(from_piecewise(rhs)).xreplace(
                dict(zip(indices, element.indices, strict=True)) if indices else {}
            )
        expr = expr.xreplace(replace)
    raise ValueError("the definitions of the auxiliary arrays refer to each other in a cycle")


def ranges_of(formula: Formula, forward: IndexForward) -> Ranges:
    """Each free index of the formula's output and input over its axis."""
    ranges: Ranges = {}
    for element in (formula.output, formula.input):
        if isinstance(element, sp.Indexed):
            sizes = shape_of(_name(element), forward.shapes)
            for index, size in zip(element.indices, sizes, strict=True):
                ranges[index] = (sp.S.Zero, size - 1)
    return ranges


def _with_values(ranges: Ranges, exprs: Pair, forward: IndexForward) -> Ranges:
    found = {e for x in exprs for e in x.atoms(sp.Indexed) if _name(e) in forward.values}
    return {**ranges, **{e: forward.values[_name(e)] for e in found}}


def sides(formula: Formula, forward: IndexForward) -> tuple[Pair, Ranges]:
    """(closed form, derivative of the forward), both expanded, guarded and reduced."""
    lhs = forward.output
    value = fresh_dummies(forward.definitions[lhs])
    if isinstance(lhs, sp.Indexed):
        value = value.xreplace(dict(zip(lhs.indices, formula.output.indices, strict=True)))
    ranges = _with_values(ranges_of(formula, forward), (formula.value, value), forward)
    shapes = forward.shapes
    # guarded before and after expanding: an auxiliary array read off its axis is 0, as in
    # Formula.evaluate, not its definition continued
    closed, value = (
        from_piecewise(expand_definitions(guarded(e, shapes, ranges), forward))
        for e in (formula.value, value)
    )
    ranges = _with_values(ranges, (closed, value), forward)
    closed, value = (guarded(e, shapes, ranges) for e in (closed, value))
    derivative = sp.diff(value, formula.input)
    return (
        decide(reduce_sums(closed, ranges), ranges),
        decide(reduce_sums(derivative, ranges), ranges),
    ), ranges


def _bound_symbols(expr: sp.Expr) -> set[sp.Symbol]:
    return {var for s in expr.atoms(sp.Sum) for var, *_ in s.limits}


def cases(
    pair: Pair, ranges: Ranges, prefer: set, unequal: tuple = (), chosen: tuple = ()
) -> Iterator:
    """(conditions, pair) for every consistent choice of the δ's between free indices."""
    bound = _bound_symbols(pair[0]) | _bound_symbols(pair[1])
    deltas = {d for e in pair for d in e.atoms(sp.KroneckerDelta) if not d.free_symbols & bound}
    if not deltas:
        yield chosen, pair
        return
    delta = min(deltas, key=sp.default_sort_key)
    p, q = delta.args
    if isinstance(p, sp.Symbol) and (p in prefer or not isinstance(q, sp.Symbol)):
        p, q = q, p
    substitution = {q: p} if isinstance(q, sp.Symbol) else {delta: sp.S.One}
    if not any(a.xreplace(substitution) == b.xreplace(substitution) for a, b in unequal):
        same = tuple(decide(e.xreplace(substitution), ranges) for e in pair)
        moved = tuple((a.xreplace(substitution), b.xreplace(substitution)) for a, b in unequal)
        yield from cases(same, ranges, prefer, moved, (*chosen, sp.Eq(q, p)))
    other = tuple(e.xreplace({delta: sp.S.Zero}) for e in pair)
    yield from cases(other, ranges, prefer, (*unequal, (p, q)), (*chosen, sp.Ne(q, p)))


def expanded_indices(expr: sp.Expr) -> sp.Expr:
    """Every element's indices expanded: ``W[(u + p)/d]`` and ``W[u/d + p/d]`` are one read."""
    return expr.xreplace(
        {e: e.base[tuple(sp.expand(i) for i in e.indices)] for e in expr.atoms(sp.Indexed)}
    )


def describe_case(conditions: tuple) -> str:
    """``c = b, j ≠ i``: the choice of δ's a case stands for."""
    return ", ".join(f"{c.lhs} {'=' if isinstance(c, sp.Eq) else '≠'} {c.rhs}" for c in conditions)


def is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` (sums reduced) is zero in every branch, as a rational function."""
    from gradcheck.proof import rational_zero  # proof.py calls this package

    folded, _ = opaque(canonical(expanded_indices(expr)))
    folded = sp.piecewise_fold(folded)
    branches = [b.expr for b in folded.args] if isinstance(folded, sp.Piecewise) else [folded]
    return all(b == 0 or rational_zero(b) for b in branches)
