"""``python -m gradcheck report``: every layer's formula and verdict, as Markdown and HTML.

For each layer: its Jacobian in closed index form (LaTeX), and per registered case the method,
the largest relative error of each pair of legs, the kinks found, the proof status and the
verdict.  A failing layer also gets its error-vs-step curve as a PNG next to the report
(:mod:`gradcheck.stepplot`; matplotlib is the optional ``report`` extra).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

from gradcheck.collection import Collection
from gradcheck.describe import (
    formulas,
    math_blocks,
    proof_cell,
    proof_status,
    proven_for_all_sizes,
    summary,
)
from gradcheck.progress import Progress
from gradcheck.registry import Layer, check_case, get_layer, layer_names
from gradcheck.render import Block, to_html, to_markdown
from gradcheck.report import PAIRS, Report
from gradcheck.stepplot import error_vs_step, save_plot

PLOT_NEEDS_EXTRA = (
    "The error-vs-step plot needs matplotlib, which is not installed: "
    "`pip install 'trigrad[report]'` and run the report again."
)


def _error(report: Report, pair: str) -> str:
    return f"{report.errors[pair]:.1e}" if pair in report.errors else "-"


def _kinks(report: Report) -> str:
    return str(len(report.kinks)) if report.kinks else "-"


def _plot(layer: Layer, report: Report, seed: int, out: Path) -> list[Block]:
    """The failing case's error-vs-step curve as a PNG, or a paragraph saying why there is none."""
    if report.failures[0].index is None:
        return [("p", f"No error-vs-step plot: {report.failures[0].message}.")]
    case = next(c for c in layer.cases if f"{layer.name}-{c.id}" == report.name)
    inputs, hyper = case.sample(seed)
    worst = report.failures[0]
    try:  # at the worst element: that input element moved, that output probed
        curve = error_vs_step(
            partial(layer.module.forward, **hyper), layer.module.backward, inputs,
            element=(layer.input_names.index(worst.input), worst.index), output=worst.output,
        )  # fmt: skip
    except Exception as error:
        return [("p", f"No error-vs-step plot: {type(error).__name__}: {error}")]
    file = re.sub(r"[^A-Za-z0-9_.-]+", "_", report.name) + "-error-vs-step.png"
    title = f"{report.name}: the central difference at {worst.where()}"
    try:
        save_plot(curve, out / file, title)
    except ImportError:
        return [("p", PLOT_NEEDS_EXTRA)]
    alt = f"error against step size for {report.name} at {worst.where()}"
    return [("img", file, alt), ("p", f"At `{worst.where()}`: {curve.caption()}")]


def by_input(layer: Layer, report: Report, seed: int) -> str:
    """``x: 100 of 400 with a failure; weight: 0 of 100``: which input elements failed."""
    case = next((c for c in layer.cases if f"{layer.name}-{c.id}" == report.name), None)
    wrong = [(f.input, f.index) for f in report.failures if f.index is not None]
    if case is None or not wrong:
        return ""
    inputs, _ = case.sample(seed)
    parts = []
    for name, array in zip(layer.input_names, inputs, strict=True):
        count = len({index for input_, index in wrong if input_ == name})
        parts.append(f"`{name}`: {count} of {array.size}")
    return "; ".join(parts)


@dataclass
class LayerResult:
    """A layer and the reports of its registered cases."""

    layer: Layer
    reports: list[Report]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.reports)


def run(
    names: Sequence[str],
    seed: int = 0,
    stream: TextIO | None = None,
    collection: Collection | None = None,
) -> list[LayerResult]:
    """Check every case of the named layers, with a progress bar on a terminal ``stream``."""
    layers = [get_layer(name, collection) for name in names]
    progress = Progress(sum(len(layer.cases) for layer in layers), stream)
    results = []
    for layer in layers:
        reports = []
        for case in layer.cases:
            progress.step(f"{layer.name}-{case.id}")
            reports.append(check_case(layer, case, seed=seed))
        results.append(LayerResult(layer, reports))
    progress.close()
    return results


def _layer_blocks(result: LayerResult, seed: int, out: Path) -> list[Block]:
    layer = result.layer
    blocks: list[Block] = [
        ("h2", f"{layer.name}: {'PASS' if result.passed else 'FAIL'}", f"layer-{layer.name}"),
        ("p", summary(layer)),
    ]
    found = formulas(layer)
    if not found:
        blocks.append(("p", f"No derivation: derivations/{layer.name}.py is missing."))
    blocks += math_blocks(layer)
    statuses = proof_status(layer)
    if statuses:  # what each formula is proven for: every size, or the registered shapes
        names = list(getattr(layer.derivation, "FORMULAS", {}))
        blocks.append(("list", [f"{n}: {s}" for n, s in zip(names, statuses, strict=False)]))
    header = ["case", "method", *PAIRS, "kinks", "proof", "verdict"]
    all_sizes = proven_for_all_sizes(layer)
    rows = [
        [r.name.removeprefix(f"{layer.name}-"), r.method, *(_error(r, p) for p in PAIRS)]
        + [_kinks(r), proof_cell(r.proof, all_sizes), "PASS" if r else "FAIL"]
        for r in result.reports
    ]
    blocks.append(("table", header, rows))
    kinks = [f"{r.name}: {k}" for r in result.reports for k in r.kinks]
    if kinks:
        blocks += [("p", "Kinks (not differentiable at the sample; finite differences skipped):")]
        blocks.append(("list", kinks[:10] + ([f"... {len(kinks) - 10} more"] * (len(kinks) > 10))))
    failed = [r for r in result.reports if not r.passed]
    for report in failed:
        blocks.append(("pre", str(report)))
        wrong = by_input(layer, report, seed)
        if wrong:
            blocks.append(("p", f"Input elements with a failure: {wrong}."))
    if failed:
        blocks += _plot(layer, failed[0], seed, out)
    return blocks


def document(results: Sequence[LayerResult], seed: int, out: Path) -> list[Block]:
    """The whole report as blocks (see :mod:`gradcheck.render`); writes plots into ``out``."""
    cases = [r for result in results for r in result.reports]
    failed = [r for r in cases if not r.passed]
    blocks: list[Block] = [
        ("h1", "trigrad gradient report"),
        (
            "p",
            f"{len(results)} layers, {len(cases)} cases (seed {seed}): {len(cases) - len(failed)}"
            f" passed, {len(failed)} failed. Each case compares the layer's backward, SymPy's "
            "derivative of the derivation and central finite differences; the error columns "
            "are the largest relative error of each pair of legs (- where the pair was not "
            "compared). proof: the closed index form shown was proven equal to SymPy's "
            "derivative at the case's shapes; the list under each layer's formulas says which "
            "are also proven for all sizes.",
        ),
        (
            "table",
            ["layer", "cases", "failed", "verdict"],
            [
                [("a", r.layer.name, f"#layer-{r.layer.name}"), len(r.reports)]
                + [sum(not x.passed for x in r.reports)]
                + ["PASS" if r.passed else "FAIL"]
                for r in results
            ],
        ),
    ]
    for result in results:
        blocks += _layer_blocks(result, seed, out)
    return blocks


def write_report(
    names: Sequence[str] | None = None,
    out: str | Path = "gradcheck-report",
    *,
    seed: int = 0,
    stream: TextIO | None = None,
    collection: Collection | None = None,
) -> tuple[list[Path], bool]:
    """Check the layers and write ``report.md``, ``report.html`` and any plots into ``out``.

    Returns the files written and whether every case passed.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = run(names or layer_names(collection), seed, stream, collection)
    blocks = document(results, seed, out)
    markdown, page = out / "report.md", out / "report.html"
    markdown.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks, "trigrad gradient report"), encoding="utf-8")
    plots = sorted(out / b[1] for b in blocks if b[0] == "img")
    return [markdown, page, *plots], all(r.passed for r in results)
