"""SymPy's expressions in the user's names: ``weight[0]``, ``x[0, 2]`` for the symbols the
symbolic leg differentiates (``a1_0``, ``a0_0_2``), so that a disproof reads as the layer does."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

SIMPLIFY_LIMIT = (
    400  # operations: past this, simplify may take minutes; the raw difference is shown
)


def renamer(symbols: Sequence[np.ndarray], names: Sequence[str]) -> dict[sp.Symbol, sp.Expr]:
    """Each input's symbols to ``name[index]`` (a plain ``name`` for a 0-d input)."""
    mapping: dict[sp.Symbol, sp.Expr] = {}
    for array, name in zip(symbols, names, strict=True):
        base = sp.IndexedBase(name)
        for index, symbol in np.ndenumerate(np.asarray(array, dtype=object)):
            mapping[symbol] = base[index] if index else sp.Symbol(name)
    return mapping


def difference(closed: sp.Expr, derivative: sp.Expr) -> sp.Expr:
    """``closed - derivative``, simplified when that is cheap."""
    gap = sp.sympify(closed) - sp.sympify(derivative)
    if sp.count_ops(gap) > SIMPLIFY_LIMIT:
        return gap
    return sp.simplify(gap)
