"""What a check found, in a form a person reads in a few lines and a program reads as data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Blame = Literal["backward", "derivation", "numeric", "forward"]
PAIRS = ("backward~symbolic", "backward~numeric", "symbolic~numeric")


def _index(index: tuple[int, ...] | None) -> str:
    return "" if index is None else "[" + ",".join(map(str, index)) + "]"


@dataclass
class Failure:
    """One wrong gradient element, or a broken contract when ``index`` is None.

    ``output`` is the output element whose gradient was probed (a one-hot probe), or None when
    a random combination of outputs ``v·y`` was probed.  ``budget`` is the error the comparison
    allowed: round-off for backward vs symbolic, the finite-difference error estimate otherwise.
    """

    blame: Blame
    message: str
    input: str | None = None
    index: tuple[int, ...] | None = None
    output: tuple[int, ...] | None = None
    backward: float | None = None
    symbolic: float | None = None
    numeric: float | None = None
    abs_error: float = 0.0
    rel_error: float = 0.0
    budget: float = 0.0

    def where(self) -> str:
        if self.input is None:
            return ""
        target = f"y{_index(self.output)}" if self.output is not None else "(v·y)"
        return f"∂{target}/∂{self.input}{_index(self.index)}"

    def __str__(self) -> str:
        if self.index is None:
            return f"[{self.blame}] {self.message}"
        values = ", ".join(
            f"{leg} {value + 0.0:.10g}"  # + 0.0: -0.0 prints as 0
            for leg, value in (
                ("backward", self.backward),
                ("symbolic", self.symbolic),
                ("numeric", self.numeric),
            )
            if value is not None
        )
        return (
            f"{self.where()}: {values}; abs error {self.abs_error:.2e}, rel error "
            f"{self.rel_error:.2e}, budget {self.budget:.2e} -> blame {self.blame}"
        )


@dataclass
class Kink:
    """An element where the function is not differentiable at the sample."""

    input: str
    index: tuple[int, ...]
    left: float
    right: float
    distance: float | None = None  # from the sample to the kink, as refined steps confirmed it

    def __str__(self) -> str:
        at = "" if self.distance is None else f", {self.distance:.1e} away"
        return (
            f"{self.input}{_index(self.index)}: left slope {self.left:.4g}, right {self.right:.4g}"
            + at
        )


@dataclass
class Report:
    """The verdict of one check.

    ``errors`` holds, per pair of legs, the largest relative error (see :mod:`gradcheck.verdict`);
    a pair that was not compared is absent.  ``proof`` says whether the derivation's closed
    index form was proven equal to SymPy's derivative at the case's shapes (and, where the
    derivation states an ``INDEX_FORWARD``, not disproved for any size): "proved",
    "disproved", "failed" (its ``jacobian()`` raised) or None (no closed form given).
    """

    name: str = "layer"
    failures: list[Failure] = field(default_factory=list)
    kinks: list[Kink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: dict[str, float] = field(default_factory=dict)
    method: str = "one-hot probes"
    elements: int = 0
    proof: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def blame(self) -> Blame | None:
        return self.failures[0].blame if self.failures else None

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        pairs = ", ".join(f"{p} {self.errors[p]:.1e}" for p in PAIRS if p in self.errors)
        head = "PASS" if self.passed else "FAIL"
        probed = f" ({self.method}, {self.elements} gradient elements)" if self.elements else ""
        lines = [f"{head} {self.name}{probed}"]  # a broken contract probes nothing
        if self.failures:
            worst = self.failures[0]
            count = sum(f.index is not None for f in self.failures)
            lines[0] += f": blame {worst.blame}"
            if count:
                lines[0] += f", {count} wrong element{'s' * (count != 1)}"
            lines.append(f"  worst: {worst}")  # the element most over its budget
            elements = [f for f in self.failures if f.index is not None]
            largest = max(elements, key=lambda f: f.abs_error, default=worst)
            if largest is not worst and largest.abs_error > worst.abs_error:
                lines.append(f"  largest error: {largest}")
            others = {f.message for f in self.failures[1:] if f.index is None}
            lines += [f"  also: {m}" for m in sorted(others)[:3]]
        if pairs:
            lines.append(f"  relative error by pair: {pairs}")
        if self.proof:
            lines.append(f"  closed index form: {self.proof}")
        if self.kinks:
            shown = "; ".join(map(str, self.kinks[:3]))
            more = f" (+{len(self.kinks) - 3} more)" if len(self.kinks) > 3 else ""
            lines.append(f"  kinks, not differentiable here: {shown}{more}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["passed"] = self.passed
        return data


class GradientCheckFailed(AssertionError):
    """A failed check, raised by :func:`gradcheck.assert_gradients` and the pytest items.

    Its text is the report's (and ``problem`` when the failure is not the report's verdict), so
    that pytest shows what went wrong and nothing of trigrad's insides; ``report`` is the
    :class:`Report` itself.
    """

    def __init__(self, report: Report, problem: str | None = None) -> None:
        text = str(report) if problem is None else f"{report}\n  {problem}"
        super().__init__(text)
        self.report = report
