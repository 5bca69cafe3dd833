"""A failed all-size proof in the user's names: the term by which the closed form differs.

The difference is written ``Σ c_M M`` over candidate products ``M`` of the arrays the closed
form reads (σ[n], x̂[n,i], γ[i], ...), the closed form's own terms, and each array with one
index swapped for another of the same range (a transposed index).  The coefficients ``c_M``
must be free of the arrays and sums: a linear system once every candidate and the difference
are rational functions of the same opaque symbols.  When it has no solution, the difference is
shown with its sums written out.
"""

from __future__ import annotations

from itertools import combinations

import sympy as sp

from gradcheck.allsizes.indicators import Nonneg, Ranges, Whole
from gradcheck.allsizes.prover import expand_definitions, expanded_indices
from gradcheck.allsizes.sums import canonical, guarded, opaque, reduce_sums
from gradcheck.formula import IndexForward


def _monomials(atoms: list[sp.Expr]) -> list[sp.Expr]:
    """1, a, 1/a, a b, a/b, a², ... over the arrays the closed form reads (degree ≤ 2)."""
    found = [sp.S.One]
    for a in atoms:
        found += [a, 1 / a, a**2]
    for a, b in combinations(atoms, 2):
        found += [a * b, a / b, b / a, 1 / (a * b)]
    return found


def _terms(closed: sp.Expr) -> list[sp.Expr]:
    """The closed form's terms, without their factors free of arrays (sizes, constants)."""
    found = []
    for term in sp.Add.make_args(sp.expand(closed)):
        _, arrays = sp.factor(term).as_independent(sp.Indexed, as_Add=False)
        if arrays != 1:
            found.append(arrays)
    return found


def _parameter_roots(expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Symbol, sp.Expr]]:
    """``√d`` and other roots of sizes and hyperparameters as symbols, so that they stay in
    the coefficients (only roots of sums and arrays are opaque); returns the way back."""
    roots, replace = {}, {}
    for p in expr.atoms(sp.Pow):
        if p.exp.is_Rational and p.exp.q == 2 and not p.base.has(sp.Indexed, sp.Sum):
            if any(str(s).startswith("_") for s in p.base.free_symbols):
                continue
            root = roots.setdefault(p.base, sp.Symbol(f"sqrt({p.base})", positive=True))
            replace[p] = root ** (2 * p.exp)
    return expr.xreplace(replace), {r: sp.sqrt(b) for b, r in roots.items()}


def _neighbours(atoms: list[sp.Indexed], ranges: Ranges) -> list[sp.Indexed]:
    """The atoms, then each with one index swapped for another of the same range (y[b,j] for
    y[b,i]): a wrong form is often a right one with an index transposed."""
    found = list(atoms)
    for atom in atoms:
        for position, index in enumerate(atom.indices):
            for other in ranges:
                if other != index and index in ranges and ranges[other] == ranges[index]:
                    moved = list(atom.indices)
                    moved[position] = other
                    candidate = atom.base[tuple(moved)]
                    if candidate not in found and isinstance(other, sp.Symbol):
                        found.append(candidate)
    return found


def explain(delta: sp.Expr, closed: sp.Expr, forward: IndexForward, ranges: Ranges) -> str:
    """The difference ``delta`` in the user's names.

    Written as ``Σ c_M M`` over products ``M`` of the arrays the closed form reads (σ[n],
    x̂[n,i], γ[i], ...), with coefficients ``c_M`` free of the arrays: a linear system in the
    ``c_M`` once both sides are rational functions of the same opaque symbols.  Falls back to
    ``delta`` with its sums written out.
    """
    from gradcheck.proof import _without_exp, _without_half_powers

    atoms = _neighbours(sorted(closed.atoms(sp.Indexed), key=sp.default_sort_key), ranges)[:4]
    monomials = list(dict.fromkeys(_monomials(atoms) + _terms(closed)))
    unknowns = sp.symbols(f"_c0:{len(monomials)}")
    expanded = [guarded(expand_definitions(m, forward), forward.shapes, ranges) for m in monomials]
    delta = expanded_indices(delta)
    total = delta - sum(c * reduce_sums(m, ranges) for c, m in zip(unknowns, expanded, strict=True))
    folded, _ = opaque(canonical(total))
    folded, roots = _parameter_roots(folded)
    numerator, _ = sp.fraction(sp.together(_without_half_powers(_without_exp(folded))))
    numerator = sp.expand(numerator)
    generators = [
        g
        for g in numerator.atoms(sp.Symbol, sp.Indexed, sp.Function)
        if g not in unknowns and (str(g).startswith("_") or not isinstance(g, sp.Symbol))
    ]
    generators = [g for g in generators if not any(g != h and h.has(g) for h in generators)]
    try:
        equations = sp.Poly(numerator, *generators).coeffs() if generators else [numerator]
        solution = next(iter(sp.linsolve(equations, unknowns)), None)
    except (sp.PolynomialError, sp.GeneratorsNeeded):
        solution = None
    if solution is not None:
        free = {
            u: sp.S.Zero for u in set().union(*(e.free_symbols for e in solution)) & set(unknowns)
        }
        coefficients = [sp.factor(sp.sympify(c).xreplace(free).xreplace(roots)) for c in solution]
        terms = [(c, m) for c, m in zip(coefficients, monomials, strict=True) if c != 0]
        if all(not c.has(sp.Add) for c, _ in terms):  # 1/D, -1, 2: one product reads well
            return _unguarded(sp.Add(*(c * m for c, m in terms)))
        text = " + ".join(f"({_unguarded(c)})*{_unguarded(m)}" for c, m in terms)
        return text.replace("+ (-", "- (")
    folded, names = opaque(canonical(delta))
    return _unguarded(sp.factor(sp.cancel(sp.together(folded))).xreplace(names))


def _unguarded(expr: sp.Expr) -> str:
    """The text of ``expr`` without its guards: an element outside its array reads 0 anyway."""
    stripped = expr.xreplace({g: sp.S.One for g in expr.atoms(Nonneg, Whole)})
    # a guard that is the whole difference (a causal mask left out) stays, shown as [e >= 0]
    expr = stripped if sp.cancel(stripped) != 0 else expr
    return sp.sstr(
        expr.xreplace(
            {e: e.base[tuple(map(sp.together, e.indices))] for e in expr.atoms(sp.Indexed)}
        )
    )
