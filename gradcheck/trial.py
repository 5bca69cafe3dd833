"""What one check works on (:class:`Trial`) and what each of its stages finds (:class:`Findings`).

A :class:`Trial` is built once per check, after the layer's forward has run and kept its
contract: the float64 inputs and their names, the output and cache of the forward, the output
probes every leg is compared on, the step and the forward's measured round-off.  The stages of
:mod:`gradcheck.checker` take it and return :class:`Findings`; only the checker turns them into
a :class:`~gradcheck.report.Report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from gradcheck.contract import run_forward
from gradcheck.numeric import EPS, forward_noise
from gradcheck.precision import precision
from gradcheck.projection import Projector
from gradcheck.report import Failure, Kink
from gradcheck.steps import step_note
from gradcheck.tolerance import EXACT_RTOL

MAX_ONE_HOT_OUTPUTS = 256
RANDOM_PROBES = 3


class ForwardRaised(Exception):
    """The forward raised at inputs moved from the sample: a finding, never a crash."""

    def __init__(self, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")


@dataclass
class Findings:
    """What one stage found: failures, largest errors per pair of legs, kinks and notes, and
    the parts of the report's heading it adds (``method``, ``elements``, ``proof``)."""

    failures: list[Failure] = field(default_factory=list)
    errors: dict[str, float] = field(default_factory=dict)
    kinks: list[Kink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    method: str = ""
    elements: int | None = None
    proof: str | None = None


@dataclass
class Trial:
    """One check's sample: float64 ``arrays`` named ``names``, the forward's ``output`` (float64)
    and ``cache`` there, and the output ``probes`` ``v`` (rows) that every leg computes
    ``v·∂y/∂x`` for.  ``one_hot`` says the probes are the identity (the whole Jacobian);
    ``project`` that the inputs are too large for one difference per element."""

    forward: Callable
    backward: Callable
    arrays: list[np.ndarray]
    names: list[str]
    output: np.ndarray
    cache: Any
    probes: np.ndarray
    one_hot: bool
    project: bool
    step: float
    seed: int

    @classmethod
    def build(
        cls,
        forward: Callable,
        backward: Callable,
        arrays: list[np.ndarray],
        names: list[str],
        ran: tuple[np.ndarray, Any],
        *,
        step: float,
        seed: int,
        project: bool,
    ) -> Trial:
        """The trial for a forward that ran (``ran`` is its output and cache)."""
        output, cache = ran
        output = output.astype(np.float64)
        m = output.size
        one_hot = m <= MAX_ONE_HOT_OUTPUTS and not project
        if one_hot:
            probes = np.eye(m)
        else:
            probes = np.random.default_rng(seed).standard_normal((RANDOM_PROBES, m))
        return cls(
            forward, backward, arrays, names, output, cache, probes, one_hot, project, step, seed
        )

    @property
    def probe_label(self) -> str:
        return "one-hot probes" if self.one_hot else f"{RANDOM_PROBES} random output probes"

    # how far two calls at the same inputs differ, per output; whether forward writes into
    # its inputs (then each call gets copies)
    jitter: np.ndarray | None = None
    copies: bool = False
    # the precision the layer computes in (gradcheck.precision): unit round-off, tolerance
    # between exact legs, and a floor under each output's round-off (None for float64)
    eps: float = EPS
    rtol: float = EXACT_RTOL
    floor: np.ndarray | None = None

    def f(self, xs: list[np.ndarray]) -> np.ndarray:
        """The forward's output at ``xs``, flattened, in float64: what finite differences see."""
        if self.copies:
            xs = [x.copy() for x in xs]
        try:
            return np.asarray(self.forward(*xs)[0], dtype=np.float64).reshape(-1)
        except Exception as error:
            raise ForwardRaised(error) from error

    @cached_property
    def noise(self) -> np.ndarray:
        """The forward's round-off per output, measured (:func:`gradcheck.numeric.forward_noise`)
        and at least the difference between two calls; taken on first use, after the backward
        has run on the cache."""
        measured = forward_noise(self.f, self.arrays, self.seed)
        for floor in (self.jitter, self.floor):
            measured = measured if floor is None else np.maximum(measured, floor)
        return measured

    def step_notes(self) -> Findings:
        """Notes on the inputs that mix scales, naming the step each part of them got."""
        notes = [step_note(n, a, self.step) for n, a in zip(self.names, self.arrays, strict=True)]
        return Findings(notes=[n for n in notes if n])

    def projector(self) -> Projector:
        """Directional differences along patterns over all elements (steps per element)."""
        return Projector(self.f, self.arrays, self.probes, self.step, self.noise)


def begin(
    forward: Callable,
    backward: Callable,
    arrays: list[np.ndarray],
    names: list[str],
    *,
    step: float,
    seed: int,
    project: bool,
) -> tuple[Trial | None, Findings]:
    """Run the forward under its contract; the trial (None when nothing can be checked), and
    every contract problem seen."""
    ran = run_forward(forward, arrays, names)
    found = Findings(list(ran.problems))
    if ran.output is None:
        return None, found
    largest = float(ran.jitter.max())
    if largest > 0:
        found.notes.append(
            f"forward's output differs between calls by up to {largest:.1e} "
            f"({largest / float(np.abs(ran.output).max()):.0e} of its largest): round-off, "
            "tolerated; finite differences' budget includes it"
        )
    options = {"step": step, "seed": seed, "project": project}
    trial = Trial.build(forward, backward, arrays, names, (ran.output, ran.cache), **options)
    trial.jitter, trial.copies = ran.jitter.reshape(-1), ran.mutates
    # a float32 layer is checked at float32's resolution, and says so (gradcheck.precision)
    calibration = precision(trial.f, arrays, trial.output, ran.output.dtype, step, seed)
    trial.step, trial.rtol, trial.eps = calibration.step, calibration.rtol, calibration.eps
    trial.floor = calibration.floor
    found.notes += [calibration.note] if calibration.note else []
    return trial, found
