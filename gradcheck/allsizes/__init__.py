"""Proofs at every size: each closed index form equals the derivative of the index-form forward.

A derivation states ``INDEX_FORWARD`` (:class:`gradcheck.formula.IndexForward`) beside its
``FORMULAS``; :func:`prove_derivation` proves each formula for symbolic sizes (``N``, ``D``,
``C``, ...) with the index ranges as the only assumptions (see :mod:`.prover`).  A derivation
without an index form keeps the proof at its registered shapes (:mod:`gradcheck.proof`).
Results are cached on disk under the derivation's fingerprint, like the shape proofs.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

import sympy as sp

from gradcheck.allsizes.explain import explain
from gradcheck.allsizes.prover import cases, describe_case, is_zero, sides
from gradcheck.fingerprint import cache_key
from gradcheck.formula import Formula, IndexForward
from gradcheck.symbolic import read_cache, write_cache

PROVEN, DISPROVED = "proven for all sizes", "disproved"
NOT_STATED, FAILED = "no index-form forward", "index form failed"


@dataclass(frozen=True)
class Verdict:
    """The all-size result of one formula: ``status`` is one of the constants above."""

    input: str
    status: str
    detail: str = ""
    seconds: float = 0.0


def _in_case(value: sp.Expr, conditions: tuple, equal_only: bool = False) -> sp.Expr:
    """The closed form, in the user's names, where the δ's take the case's values."""
    for condition in conditions:
        if equal_only and not isinstance(condition, sp.Eq):
            continue
        q, p = condition.args
        if isinstance(condition, sp.Eq) and isinstance(q, sp.Symbol):
            value = value.xreplace({q: p})
        elif isinstance(condition, sp.Eq):
            value = value.xreplace({sp.KroneckerDelta(q, p): 1, sp.KroneckerDelta(p, q): 1})
        else:
            value = value.xreplace({sp.KroneckerDelta(q, p): 0, sp.KroneckerDelta(p, q): 0})
    return value


def prove_formula(formula: Formula, forward: IndexForward) -> str | None:
    """None when ``formula.value`` is ``∂output/∂input`` of the forward at every size; else
    the first case where it is not, with the closed form and the term that differs."""
    (closed, derivative), ranges = sides(formula, forward)
    prefer = set(getattr(formula.input, "indices", ()))
    for conditions, (mine, theirs) in cases((closed, derivative), ranges, prefer):
        difference = mine - theirs
        if is_zero(difference):
            continue
        where = describe_case(conditions)
        here = _in_case(formula.value, conditions)
        term = explain(difference, _in_case(formula.value, conditions, True), forward, ranges)
        return (
            f"∂{formula.output}/∂{formula.input}{' where ' * bool(where)}{where}: the closed "
            f"form {sp.sstr(here)} "
            f"is not the derivative of the forward; closed form − derivative = {term}"
        )
    return None


def _prover_source() -> str:
    here = Path(__file__).parent
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(here.glob("*.py")))).hexdigest()


def prove_derivation(derivation: ModuleType) -> list[Verdict]:
    """One :class:`Verdict` per entry of ``FORMULAS``, proven or read from the cache."""
    formulas = getattr(derivation, "FORMULAS", {})
    forward = getattr(derivation, "INDEX_FORWARD", None)
    if forward is None:
        return [Verdict(name, NOT_STATED) for name in formulas]
    # the statements themselves too: a module's source alone misses a rebuilt namespace
    stated = sp.srepr((list(formulas.items()), forward))
    purpose = f"all sizes {_prover_source()} {hashlib.sha256(stated.encode()).hexdigest()}"
    key = cache_key(derivation.jacobian, [], purpose)
    cached = read_cache(key)
    if cached is not None:
        return [Verdict(**v) for v in json.loads(cached)]
    # several forwards (attention's causal mode): the formula must hold for each
    forwards = forward if isinstance(forward, dict) else {"": forward}
    verdicts = []
    for name, formula in formulas.items():
        start = time.perf_counter()
        status, detail = PROVEN, ""
        for mode, one in forwards.items():
            try:
                found = prove_formula(formula, one)
            except Exception as error:  # a malformed index form: the proof at the shapes stands
                status, detail = FAILED, f"does not reduce: {type(error).__name__}: {error}"
                break
            if found is not None:
                status, detail = DISPROVED, f"{mode + ': ' if mode else ''}{found}"
                break
        notes = "; ".join(dict.fromkeys(f.note for f in forwards.values() if f.note))
        verdicts.append(Verdict(name, status, detail or notes, time.perf_counter() - start))
    write_cache(key, json.dumps([asdict(v) for v in verdicts]))
    return verdicts
