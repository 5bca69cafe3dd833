"""``python -m gradcheck --json``: every case's verdict as one JSON object.

The object's schema is ``gradcheck/results.schema.json`` (shipped with the package and
documented in the README); ``tests/test_cli.py`` validates real output against it.  Numbers
that are not finite (a backward that returned ``inf``) are written as the strings ``"inf"``,
``"-inf"`` and ``"nan"``, so that the output is strict JSON.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from gradcheck.collection import Collection
from gradcheck.report import Report

SCHEMA_VERSION = 1


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _clean(value: Any) -> Any:
    """Tuples as lists and non-finite floats as strings, all the way down."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return _number(value)


def case_record(layer: str, case: str, report: Report) -> dict[str, Any]:
    """One case: its verdict, the error of each pair of legs, kinks, and failures with blame."""
    failures = []
    for failure in report.failures:
        record = asdict(failure)
        record["element"] = failure.where() or None
        failures.append(record)
    return _clean(
        {
            "layer": layer,
            "case": case,
            "verdict": "pass" if report.passed else "fail",
            "blame": report.blame,
            "method": report.method,
            "elements": report.elements,
            "errors": dict(report.errors),
            "proof": report.proof,
            "kinks": [asdict(kink) for kink in report.kinks],
            "failures": failures,
            "notes": list(report.notes),
        }
    )


def results(
    checked: Sequence[tuple[str, str, Report]],
    *,
    seed: int,
    collection: Collection,
    version: str,
    problems: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole run: version, seed, collection, a summary, one record per case, and the
    layers that could not be checked at all (``problems``)."""
    per_layer: dict[str, dict[str, int]] = {}
    for layer, _, report in checked:
        counts = per_layer.setdefault(layer, {"passed": 0, "failed": 0})
        counts["passed" if report.passed else "failed"] += 1
    failed = sum(not report.passed for _, _, report in checked)
    return {
        "schema": SCHEMA_VERSION,
        "trigrad": version,
        "seed": seed,
        "collection": collection.describe(),
        "summary": {"passed": len(checked) - failed, "failed": failed, "layers": per_layer},
        "cases": [case_record(*item) for item in checked],
        "problems": list(problems),
    }
