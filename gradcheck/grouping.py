"""Structure-aware finite differences: perturb many elements at once (Curtis–Powell–Reid).

Most Jacobians are sparse: diagonal for element-wise layers, block-diagonal over the batch,
local for convolution and pooling.  Elements whose output footprints do not overlap can be
moved together: each changed output then belongs to exactly one of them, so one Richardson
difference (6 forward calls) serves a whole group instead of one element.  Groups are formed
greedily, first fit, over the elements in order.

The footprints come from the Jacobian's sparsity pattern: the backward's own (one-hot probes),
united with SymPy's where a derivation is given.  Trusting the backward's pattern is safe:

* a dependency it misses between an output and an element grouped with that output's owner
  adds to the owner's estimate, which then disagrees with the backward (each element moves by
  its own random multiple of its step, so even a permutation within a group shows);
* an output that changes but belongs to no element of the group is reported outright,
  unless it is a kink of the element that moves it (relu at 0: slope 0 by convention).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcheck.numeric import SIDES, NumericResult
from gradcheck.projection import Projector


def sparsity_pattern(
    closed: list[np.ndarray],
    one_hot: bool,
    blocks: list[np.ndarray] | None,
    backward: Callable,
    output: np.ndarray,
    cache: Any,
    arrays: list[np.ndarray],
    limit: int,
) -> np.ndarray | None:
    """The Jacobian's sparsity, ``(outputs, elements)``: the backward's, united with SymPy's.

    None where it cannot be read cheaply: random probes and more than ``limit`` outputs ×
    elements (the pattern's bytes), or a backward that fails on a unit probe.
    """
    m, n = output.size, sum(a.size for a in arrays)
    if not one_hot:
        if m * n > limit:
            return None
        # the contract was checked on the probes; these calls only read the sparsity
        pattern = np.zeros((m, n), bool)
        for o in range(m):
            unit = np.zeros(m)
            unit[o] = 1.0
            try:
                grads = backward(unit.reshape(output.shape), cache)
                pattern[o] = np.concatenate([np.ravel(g) != 0 for g in grads])
            except Exception:
                return None
    else:
        pattern = np.concatenate([c.reshape(m, -1) != 0 for c in closed], axis=1)
    if blocks is not None:
        pattern |= np.concatenate([b.reshape(m, -1) != 0 for b in blocks], axis=1)
    return pattern


def column_groups(pattern: np.ndarray) -> list[np.ndarray]:
    """Greedy first-fit groups of columns (elements) whose nonzero rows (outputs) are disjoint."""
    outputs, elements = pattern.shape
    taken = np.zeros((elements, outputs), bool)  # row g: the outputs group g already owns
    group_of = np.empty(elements, int)
    count = 0
    for e in range(elements):
        rows = np.flatnonzero(pattern[:, e])
        free = np.flatnonzero(~taken[:count, rows].any(axis=1))
        g = int(free[0]) if free.size else count
        count = max(count, g + 1)
        taken[g, rows] = True
        group_of[e] = g
    return [np.flatnonzero(group_of == g) for g in range(count)]


@dataclass
class Unexplained:
    """An output that moved when a group moved, though no element of it should move it."""

    position: int
    output: int


def grouped_differences(
    projector: Projector,
    pattern: np.ndarray,
    shapes: list[tuple[int, ...]],
    groups: list[np.ndarray],
    seed: int = 0,
) -> tuple[NumericResult, list[Unexplained]]:
    """Numeric ``probes @ ∂f/∂x_e`` for every element, one difference per group.

    ``pattern`` is ``(outputs, elements)`` over the flattened, joined inputs and ``groups``
    its :func:`column_groups`.  Returns the per-input results (as
    :func:`gradcheck.numeric.central_differences` does) and the outputs no element explains.
    """
    probes = projector.probes
    n = pattern.shape[1]
    value, budget = np.zeros((len(probes), n)), np.zeros((len(probes), n))
    kink, sides = np.zeros(n, bool), [np.full((len(probes), n), np.nan) for _ in SIDES]
    suspect = np.zeros(n, bool)
    unexplained = []
    # Each element moves by its own random multiple of its step: were the pattern wrong, a
    # change credited to the wrong element would carry the wrong weight and show.  With equal
    # steps a permutation of gradients within a group would pass.
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, n)
    for group in groups:
        u = np.zeros(n)
        u[group] = weights[group]
        d = projector.along(u, per_output=True)
        owned = pattern[:, group].any(axis=1)
        for output in np.flatnonzero(~owned & ((np.abs(d.value) > d.budget) | d.kinked)):
            # locate the culprit: the element whose own difference moves this output
            for e in group:
                single = np.zeros(n)
                single[e] = 1.0
                alone = projector.along(single, per_output=True)
                if alone.kinked[output]:
                    # relu at 0: the convention gives slope 0, the one-sided slopes do not
                    kink[e] = True
                    _kinked_rows(sides, e, probes, alone, [output], projector.scale[e])
                    break
                if abs(alone.value[output]) > alone.budget[output]:
                    unexplained.append(Unexplained(int(e), int(output)))
                    break
        for e in group:
            rows = pattern[:, e]
            h = projector.scale[e] * weights[e]
            value[:, e] = probes[:, rows] @ d.value[rows] / h
            budget[:, e] = np.abs(probes[:, rows]) @ d.budget[rows] / h
            suspect[e] = (rows & d.suspect).any()
            hits = np.flatnonzero(rows & d.kinked)
            if hits.size and not kink[e]:
                kink[e] = True
                _kinked_rows(sides, e, probes, d, hits, h)
    result = NumericResult()
    start = 0
    for shape in shapes:
        part = slice(start, start + int(np.prod(shape)))
        result.append(
            value[:, part], budget[:, part], kink[part], *(s[:, part] for s in sides), shape,
            suspect[part],
        )  # fmt: skip
        start = part.stop
    return result, unexplained


def _kinked_rows(sides: list, e: int, probes: np.ndarray, d, outputs, h: float) -> None:
    """Element ``e``'s one-sided slopes and their slack in the probe rows that see its kinked
    ``outputs`` (a bound for one-hot probes, where a row is an output; random probes mix them)."""
    weights = probes[:, outputs]
    rows = np.abs(weights).sum(axis=1) > 0
    estimates = (weights @ d.left[outputs], weights @ d.right[outputs])
    estimates += (np.abs(weights) @ d.slack[outputs],)
    for side, estimate in zip(sides, estimates, strict=True):
        side[:, e] = np.where(rows, estimate / h, side[:, e])
