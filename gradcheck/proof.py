"""Prove a derivation's closed index form exactly equal to SymPy's derivative of its forward.

Equality is decided by algebra, never by evaluating at points.  ``simplify`` alone gives up on
softmax and normalisation layers, so each difference goes through cheap exact reductions first:

1. ``exp(q r) -> u**(q L)`` with ``u = exp(r/L) > 0`` and ``B**(p/2) -> s**p`` with ``s > 0``
   for every square-rooted ``B``; what remains is a rational function, zero exactly when its
   numerator over a common denominator expands to zero.  This proves dense, matmul, softmax,
   log-softmax, the losses, sigmoid, attention and the norms without a single gcd;
2. ``expand``, then ``simplify`` as a last resort.

A proved result is recorded in the on-disk cache, so a warm run proves nothing again.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from gradcheck.fingerprint import cache_key, unwrap
from gradcheck.symbolic import Derivative, read_cache, symbolic_hyper, write_cache


def _is_zero(expr: sp.Expr) -> bool:
    return expr == 0


def _without_exp(expr: sp.Expr) -> sp.Expr:
    """Every ``exp(q·r)``, ``q`` rational, as ``u**(q·L)`` with ``u = exp(r/L) > 0``.

    ``L`` is the least common denominator of the ``q`` seen with ``r``, so the powers are
    integers: ``exp(2r)``, ``exp(r)`` and ``exp(-r/2)`` become ``u**4``, ``u**2`` and ``u**-1``.
    Unrelated symbols for them would lose ``exp(2r) = exp(r)²``, which softmax's squares and
    attention's scaled scores need.  Substituting ``exp(r/L)`` back gives ``expr`` exactly, so
    a rational function in ``u`` that is zero proves ``expr`` zero.
    """
    expr = sp.expand(expr, power_exp=True, mul=False, multinomial=False)
    split = {}
    for e in expr.atoms(sp.exp):
        q, r = e.args[0].as_coeff_Mul()
        split[e] = (q, r) if q.is_Rational else (sp.S.One, e.args[0])  # a Float stays whole
    lcd: dict[sp.Expr, int] = {}
    for q, r in split.values():
        lcd[r] = sp.ilcm(lcd.get(r, 1), q.q)
    u = {r: sp.Symbol(f"_u{n}", positive=True) for n, r in enumerate(lcd)}
    return expr.xreplace({e: u[r] ** (q * lcd[r]) for e, (q, r) in split.items()})


def _without_half_powers(expr: sp.Expr) -> sp.Expr:
    """Every power of a square-rooted base ``B`` as a power of ``s = √B > 0``.

    SymPy merges ``B**(-1/2) · B**(-1/2)`` into ``B**(-1)``, so integer powers of such a base
    are rewritten too, or ``cancel`` would treat ``s`` and ``B`` as unrelated.
    """
    bases = {p.base for p in expr.atoms(sp.Pow) if p.exp.is_Rational and p.exp.q == 2}
    roots = {base: sp.Symbol(f"_s{n}", positive=True) for n, base in enumerate(bases)}
    replacements = {
        p: roots[p.base] ** (2 * p.exp)
        for p in expr.atoms(sp.Pow)
        if p.base in roots and p.exp.is_Rational
    }
    return expr.xreplace(replacements)


def rational_zero(difference: sp.Expr) -> bool:
    """Reduction 1: True when ``difference`` is zero as a rational function of ``u`` and ``s``."""
    # a rational function is zero exactly when its numerator expands to zero: no gcd needed
    numerator, _ = sp.fraction(sp.together(_without_half_powers(_without_exp(difference))))
    return _is_zero(sp.expand(numerator))


def reduces_to_zero(difference: sp.Expr) -> bool:
    """True when ``difference`` is identically zero by one of the reductions above."""
    difference = sp.sympify(difference)
    if _is_zero(difference) or rational_zero(difference):
        return True
    return _is_zero(sp.expand(difference)) or _is_zero(sp.simplify(difference))


@dataclass(frozen=True)
class Disproof:
    """An entry where the closed index form and SymPy's derivative could not be shown equal."""

    input: int
    output_index: tuple[int, ...]
    input_index: tuple[int, ...]
    closed: sp.Expr
    sympy: sp.Expr
    message: str | None = None  # the whole explanation, for a disproof at every size


def all_sizes_disproofs(jacobian: Callable) -> list[Disproof]:
    """The formulas of ``jacobian``'s derivation that its ``INDEX_FORWARD`` disproves at some
    size (:mod:`gradcheck.allsizes`); none when it states no index-form forward."""
    from gradcheck.allsizes import DISPROVED, prove_derivation  # it imports rational_zero

    module = inspect.getmodule(unwrap(jacobian)[0])
    if module is None or not hasattr(module, "INDEX_FORWARD"):
        return []
    found = []
    for k, verdict in enumerate(prove_derivation(module)):
        if verdict.status == DISPROVED:
            found.append(Disproof(k, (), (), sp.nan, sp.nan, f"closed index form {verdict.detail}"))
    return found


def prove(
    expressions: Callable,
    jacobian: Callable,
    shapes: Sequence[tuple[int, ...]],
    derivative: Derivative | None = None,
) -> list[Disproof]:
    """Compare ``jacobian`` (closed index form) with ``diff`` of ``expressions`` entry by entry.

    Returns the first entry that differs (empty when proved), or where the derivation states
    an ``INDEX_FORWARD``, the formulas the all-size proof disproves, in index form (their
    message says which term differs): a wrong formula usually differs
    in many entries, and each costs a ``simplify`` before it is given up on.  Raises
    ``ValueError`` when the closed form has the wrong number or shape of blocks.
    ``derivative`` is SymPy's derivative of ``expressions``, shared with the symbolic leg.
    """
    derivative = derivative or Derivative(expressions, shapes)
    expressions = derivative.expressions
    jacobian, _, _ = symbolic_hyper(jacobian)
    key = cache_key(jacobian, shapes, "proof") + cache_key(expressions, shapes, "proof")[:8]
    if read_cache(key) == "proved":
        return all_sizes_disproofs(jacobian)
    symbols, out, expected = derivative.value()  # the leg's, when it was cold too
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
                # the all-size proof names the differing term in index form, when it has one
                return all_sizes_disproofs(jacobian) or [
                    Disproof(k, index[:split], index[split:], mine[index], theirs[index])
                ]
    write_cache(key, "proved")
    return all_sizes_disproofs(jacobian)
