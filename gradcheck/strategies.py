"""The numeric leg's strategies, behind one interface: ``strategy.run(trial, exact) -> Findings``.

* :class:`ElementWise`: one Richardson difference per input element (:mod:`gradcheck.numeric`).
* :class:`Grouped`: elements whose outputs are disjoint move together, one difference per group
  (:mod:`gradcheck.grouping`); on any failure, :class:`ElementWise` again, so that the report
  names the wrong element and not a sibling.
* :class:`Projected`: inputs too large for either, compared along random directions
  (:mod:`gradcheck.projection`).

:func:`choose` picks the cheapest one the trial allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gradcheck.grouping import column_groups, grouped_differences, sparsity_pattern
from gradcheck.kinks import confirm_kinks
from gradcheck.legs import Exact
from gradcheck.numeric import NumericResult, central_differences
from gradcheck.projection import DIRECTIONS
from gradcheck.trial import Findings, Trial
from gradcheck.verdict import compare_projected, verdicts

PATTERN_LIMIT = 16_000_000  # outputs × elements: bytes of a boolean sparsity pattern


def confirm(trial: Trial, numeric: NumericResult) -> None:
    """Every kink a strategy saw, confirmed or judged at a step that no longer crosses it."""
    confirm_kinks(trial.f, trial.arrays, trial.probes, trial.step, trial.noise, numeric)


class Strategy(Protocol):
    def run(self, trial: Trial, exact: Exact) -> Findings:
        """The numeric leg's verdicts against the exact legs, with the method it adds."""
        ...


class ElementWise:
    """One difference per element: the reference every other strategy falls back to."""

    def run(self, trial: Trial, exact: Exact) -> Findings:
        numeric = central_differences(trial.f, trial.arrays, trial.probes, trial.step, trial.noise)
        confirm(trial, numeric)
        return verdicts(numeric, trial, exact)


@dataclass
class Grouped:
    """Groups of elements with disjoint outputs, read off the Jacobian's sparsity ``pattern``."""

    pattern: np.ndarray
    groups: list[np.ndarray]

    def run(self, trial: Trial, exact: Exact) -> Findings:
        shapes = [a.shape for a in trial.arrays]
        numeric, missing = grouped_differences(
            trial.projector(), self.pattern, shapes, self.groups, trial.seed
        )
        confirm(trial, numeric)
        found = verdicts(numeric, trial, exact)
        plural = "group of elements" if len(self.groups) == 1 else "groups of elements"
        method = f", {len(self.groups)} {plural} with disjoint outputs"
        if found.failures or missing:
            # Groups trusted the backward's sparsity; with the backward in doubt, difference one
            # element at a time, so that the report names the wrong element and not a sibling.
            found = ElementWise().run(trial, exact)
            method += ", then one element at a time after a failure"
        found.method = method
        return found


class Projected:
    """Random input directions: two legs, backward against finite differences."""

    def run(self, trial: Trial, exact: Exact) -> Findings:
        found = compare_projected(trial, exact)
        found.method = f" x {DIRECTIONS} random input directions"
        return found


def choose(trial: Trial, exact: Exact) -> Strategy:
    """Projected for inputs too large, grouped where the sparsity allows, else element-wise."""
    if trial.project:
        return Projected()
    pattern = sparsity_pattern(
        exact.closed, trial.one_hot, exact.blocks, trial.backward, trial.output, trial.cache,
        trial.arrays, PATTERN_LIMIT,
    )  # fmt: skip
    groups = None if pattern is None else column_groups(pattern)
    # a scalar loss has a dense row: groups of one element each, and in-place steps are cheaper
    if groups is None or 2 * len(groups) > pattern.shape[1]:
        return ElementWise()
    return Grouped(pattern, groups)
