"""The all-size proof of a derivation, step by step, as the notebooks show it.

Each step is ``(left-hand side in LaTeX, expression)`` or ``(text, None)`` for a heading:
the forward in index form, the derivative SymPy takes of it with the sums reduced, the closed
form with its auxiliary arrays expanded, and each case of the δ's with both sides, whose
difference is the zero rational function.
"""

from __future__ import annotations

from types import ModuleType

import sympy as sp

from gradcheck.allsizes.prover import cases, describe_case, is_zero, sides
from gradcheck.formula import Formula, IndexForward

Step = tuple[str, sp.Expr | None]


def _forwards(derivation: ModuleType) -> dict[str, IndexForward]:
    forward = derivation.INDEX_FORWARD
    return forward if isinstance(forward, dict) else {"": forward}


def formula_steps(formula: Formula, forward: IndexForward) -> list[Step]:
    """The steps proving one formula against one forward."""
    d = rf"\frac{{\partial {sp.latex(formula.output)}}}{{\partial {sp.latex(formula.input)}}}"
    (closed, derivative), ranges = sides(formula, forward)
    found: list[Step] = [
        (f"{d}, SymPy's diff of the forward, sums reduced (δ rule, linearity)", None),
        (d, derivative),
        ("the closed index form, auxiliary arrays expanded", None),
        (d, closed),
    ]
    prefer = set(getattr(formula.input, "indices", ()))
    for conditions, (mine, theirs) in cases((closed, derivative), ranges, prefer):
        where = describe_case(conditions) or "every index"
        verdict = "equal" if is_zero(mine - theirs) else "DIFFERENT"
        found += [(f"case {where}: closed form, then derivative ({verdict})", None)]
        found += [(d, mine), (d, theirs)]
    return found


def derivation_steps(derivation: ModuleType) -> list[Step]:
    """The forward, then every formula's steps, for each forward the derivation states."""
    found: list[Step] = []
    for mode, forward in _forwards(derivation).items():
        found.append((f"the forward in index form{' (' + mode + ')' if mode else ''}", None))
        found += [(sp.latex(lhs), rhs) for lhs, rhs in forward.definitions.items()]
        for formula in derivation.FORMULAS.values():
            found += formula_steps(formula, forward)
    return found
