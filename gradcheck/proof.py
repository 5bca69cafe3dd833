"""Prove a derivation's closed index form exactly equal to SymPy's derivative of its forward.

Equality is decided by algebra, never by evaluating at points.  ``simplify`` alone gives up on
softmax and normalisation layers, so each difference goes through cheap exact reductions first:

1. ``expand``: proves polynomial layers (dense, matmul, losses without logs);
2. ``exp(x_k) -> u_k > 0`` then ``cancel``: softmax, log-softmax, cross-entropy, sigmoid;
3. ``B**(p/2) -> s**p`` with ``s > 0`` for every square-rooted ``B``, then ``cancel``: norms;
4. ``simplify`` as a last resort.

A proved result is recorded in the on-disk cache, so a warm run proves nothing again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from gradcheck.symbolic import cache_key, read_cache, symbols_like, sympy_jacobian, write_cache


def _is_zero(expr: sp.Expr) -> bool:
    return expr == 0


def _without_exp(expr: sp.Expr) -> sp.Expr:
    expr = sp.expand(expr, power_exp=True, mul=False, multinomial=False)
    positives = {e: sp.Symbol(f"_u{n}", positive=True) for n, e in enumerate(expr.atoms(sp.exp))}
    return expr.xreplace(positives)


def _without_half_powers(expr: sp.Expr) -> sp.Expr:
    roots: dict[sp.Expr, sp.Symbol] = {}
    replacements = {}
    for power in expr.atoms(sp.Pow):
        exponent = power.exp
        if exponent.is_Rational and exponent.q == 2:
            root = roots.setdefault(power.base, sp.Symbol(f"_s{len(roots)}", positive=True))
            replacements[power] = root ** (exponent * 2)
    return expr.xreplace(replacements)


def reduces_to_zero(difference: sp.Expr) -> bool:
    """True when ``difference`` is identically zero by one of the reductions above."""
    difference = sp.sympify(difference)
    if _is_zero(difference) or _is_zero(sp.expand(difference)):
        return True
    reduced = _without_half_powers(_without_exp(difference))
    if _is_zero(sp.cancel(sp.together(reduced))):
        return True
    return _is_zero(sp.simplify(difference))


@dataclass(frozen=True)
class Disproof:
    """An entry where the closed index form and SymPy's derivative could not be shown equal."""

    input: int
    output_index: tuple[int, ...]
    input_index: tuple[int, ...]
    closed: sp.Expr
    sympy: sp.Expr


def prove(
    expressions: Callable, jacobian: Callable, shapes: Sequence[tuple[int, ...]]
) -> list[Disproof]:
    """Compare ``jacobian`` (closed index form) with ``diff`` of ``expressions`` entry by entry.

    Returns the first entry that differs (empty when proved): a wrong formula usually differs
    in many entries, and each costs a ``simplify`` before it is given up on.  Raises
    ``ValueError`` when the closed form has the wrong number or shape of blocks.
    """
    key = cache_key(jacobian, shapes, "proof") + cache_key(expressions, shapes, "proof")[:8]
    if read_cache(key) == "proved":
        return []
    symbols = [symbols_like(f"a{k}", tuple(s)) for k, s in enumerate(shapes)]
    out = np.asarray(expressions(*symbols), dtype=object)
    expected = sympy_jacobian(out, symbols)
    closed = tuple(jacobian(*symbols))
    if len(closed) != len(expected):
        raise ValueError(
            f"jacobian() returned {len(closed)} blocks for {len(expected)} inputs: "
            "return one block per input, in input order"
        )
    for k, (mine, theirs) in enumerate(zip(closed, expected, strict=True)):
        mine = np.asarray(mine, dtype=object)
        if mine.shape != theirs.shape:
            raise ValueError(
                f"jacobian() block {k} has shape {mine.shape}; expected output + input shape "
                f"{theirs.shape}"
            )
        for index in np.ndindex(theirs.shape):
            if not reduces_to_zero(sp.sympify(mine[index]) - theirs[index]):
                split = out.ndim
                return [Disproof(k, index[:split], index[split:], mine[index], theirs[index])]
    write_cache(key, "proved")
    return []
