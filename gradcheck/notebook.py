"""Walking a derivation in Jupyter: what the notebooks in ``notebooks/`` use, importable by any.

    from gradcheck.notebook import show, show_entries, show_derivatives, show_formula

A long expression is shown in a readable form: its common subexpressions pulled out by SymPy's
``cse`` and shown one per line (``s₀ = ...``), then the expression in terms of them.  The
symbolic machinery a walk-through needs is re-exported here: :func:`symbols_like`,
:func:`sympy_jacobian`, :func:`prove` (at the registered shapes), :func:`derivation_steps` and
:func:`prove_derivation` (for all sizes), :func:`error_vs_step` and :func:`draw`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy as sp

from gradcheck.allsizes import prove_derivation
from gradcheck.allsizes.steps import derivation_steps
from gradcheck.formula import Formula
from gradcheck.proof import prove
from gradcheck.stepplot import draw, error_vs_step
from gradcheck.symbolic import symbols_like, sympy_jacobian

__all__ = [
    "derivation_steps", "draw", "error_vs_step", "prove", "prove_derivation", "show",
    "show_derivatives", "show_entries", "show_formula", "symbols_like", "sympy_jacobian",
]  # fmt: skip

LONG = 700  # characters of LaTeX worth reading on one line


def _display(latex: str) -> None:
    from IPython.display import Math, display  # the notebooks extra

    display(Math(latex))


def show(lhs: str, expr: Any) -> None:
    """Display ``lhs = expr`` as maths; a long one with its common subexpressions pulled out.
    The sample's exact rationals (targets) are shown to 4 digits."""
    expr = sp.sympify(expr)
    expr = expr.xreplace({r: sp.Float(r, 4) for r in expr.atoms(sp.Rational) if r.q > 1000})
    latex = sp.latex(expr)
    if len(latex) <= LONG:
        _display(f"{lhs} = {latex}")
        return
    names = sp.numbered_symbols("s")
    shared, (reduced,) = sp.cse(expr, symbols=names)
    for symbol, value in shared:
        _display(f"{sp.latex(symbol)} = {sp.latex(value)}")
    _display(f"{lhs} = {sp.latex(reduced)}")


def _subscript(index: tuple[int, ...]) -> str:
    return "_{" + ",".join(map(str, index)) + "}" if index else ""


def show_entries(name: str, array: np.ndarray, limit: int = 2) -> None:
    """The first entries of an object array of expressions."""
    for index in list(np.ndindex(array.shape))[:limit]:
        show(name + _subscript(index), array[index])


def show_derivatives(name: str, block: np.ndarray, out_ndim: int, limit: int = 2) -> None:
    """How sparse one Jacobian block is, and its shortest non-zero entries."""
    nonzero = [i for i in np.ndindex(block.shape) if block[i] != 0]
    print(f"d y / d {name}: {len(nonzero)} of {block.size} entries are non-zero")
    for index in sorted(nonzero, key=lambda i: len(str(block[i])))[:limit]:
        out, inp = _subscript(index[:out_ndim]), _subscript(index[out_ndim:])
        show(rf"\frac{{\partial y{out}}}{{\partial {name}{inp}}}", block[index])


def show_formula(formulas: Sequence[Formula] | Formula) -> None:
    """Display closed index forms as a reader writes them."""
    for formula in [formulas] if isinstance(formulas, Formula) else formulas:
        _display(formula.latex())
