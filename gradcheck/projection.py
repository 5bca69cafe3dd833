"""Random projections: checking inputs too large for one difference per element.

Finite differences per element need ``6 n`` forward calls; for a million elements that is
hours.  Instead compare ``v·J u`` for a few random output probes ``v`` and input directions
``u``: backward gives ``(Jᵀ v)·u`` exactly, finite differences along ``u`` give the same number
with the budget of :mod:`gradcheck.numeric`, in 6 forward calls per direction.  A wrong
gradient changes ``(Jᵀv)·u`` for almost every ``u``.

On a failure the worst element is found by bisection: restrict ``u`` to one half of its
support, keep the half whose discrepancy is larger relative to its budget, and repeat down to
one element (``6 log₂ n`` more forward calls), whose three values the report then shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradcheck.numeric import Directional, directional_difference
from gradcheck.steps import element_step

DIRECTIONS = 4


@dataclass
class Located:
    """The element bisection ended on: flat position, its numeric estimate and budget."""

    position: int
    numeric: float
    budget: float


class Projector:
    """Directional derivatives of ``v·f`` along patterns over the flattened, joined inputs."""

    def __init__(
        self,
        f: Callable[[list[np.ndarray]], np.ndarray],
        arrays: Sequence[np.ndarray],
        probes: np.ndarray,
        step: float,
        noise_floor: np.ndarray | None = None,
    ):
        self.f, self.probes, self.noise_floor = f, probes, noise_floor
        self.shapes = [a.shape for a in arrays]
        self.sizes = [a.size for a in arrays]
        self.x = np.concatenate([a.reshape(-1) for a in arrays])
        # per-element step scales, as element-wise differences would use
        self.scale = np.concatenate([element_step(a, step).reshape(-1) for a in arrays])
        self.y0 = self._evaluate(self.x)

    def _evaluate(self, flat: np.ndarray) -> np.ndarray:
        parts = np.split(flat, np.cumsum(self.sizes)[:-1])
        return self.f([p.reshape(s) for p, s in zip(parts, self.shapes, strict=True)])

    def along(self, u: np.ndarray, per_output: bool = False) -> Directional:
        """``probes @ J u`` (or ``J u`` per output) by Richardson differences, ``u`` in units of
        the element steps."""
        direction = u * self.scale

        def shifted(t: float) -> np.ndarray:
            return self._evaluate(self.x + t * direction)

        probes = None if per_output else self.probes
        return directional_difference(shifted, self.y0, probes, 1.0, self.noise_floor)

    def locate(self, closed: np.ndarray, u: np.ndarray, probe: int) -> Located:
        """Bisect the support of ``u`` towards the worst element for one probe.

        ``v·J u`` is linear in ``u``, so one half's discrepancy and budget give the other's by
        difference: one directional difference per level, not two.
        """
        support = np.flatnonzero(u)
        whole = self.along(u)
        gap = closed[probe] @ (u * self.scale) - whole.value[probe]
        budget = whole.budget[probe]
        while support.size > 1:
            first, second = np.array_split(support, 2)
            part = np.zeros_like(u)
            part[first] = u[first]
            d = self.along(part)
            first_gap = closed[probe] @ (part * self.scale) - d.value[probe]
            candidates = [(first, first_gap, d.budget[probe]), (second, gap - first_gap, budget)]
            support, gap, budget = max(candidates, key=lambda c: abs(c[1]) / (c[2] + 1e-300))
        e = int(support[0])
        unit = np.zeros_like(u)
        unit[e] = 1.0
        d = self.along(unit)
        return Located(e, d.value[probe] / self.scale[e], d.budget[probe] / self.scale[e])

    def unravel(self, position: int) -> tuple[int, tuple[int, ...]]:
        """(input number, index within it) of a flat position."""
        starts = np.cumsum([0] + self.sizes)
        k = int(np.searchsorted(starts, position, side="right") - 1)
        index = np.unravel_index(position - starts[k], self.shapes[k])
        return k, tuple(int(i) for i in index)


def random_directions(size: int, seed: int, count: int = DIRECTIONS) -> np.ndarray:
    """Gaussian directions: no structure a bug could hide from."""
    return np.random.default_rng(seed + 1).standard_normal((count, size))
