"""``python -m gradcheck [NAMES ...] [--json] [--seed N] [--layers PKG] [--derivations PKG]``.

Checks the layers of the project's collection (``[tool.trigrad]`` in its pyproject.toml, else
``./layers`` and ``./derivations``): one row per case (layer, case, largest relative error of
each pair of legs, whether the closed index form is proven, verdict), then the report of every
failing case.  Exit status: 0 all passed, 1 a check failed, 2 a usage error.

Three subcommands, chosen by the first argument (no layer may be called by their names):
``python -m gradcheck report [NAMES] [--out DIR]`` writes a Markdown and HTML report,
``python -m gradcheck new NAME`` writes the skeleton of a new layer and its derivation into the
collection, and ``python -m gradcheck bench [NAMES]`` times every layer beside torch.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from gradcheck.collection import CollectionError
from gradcheck.commandline import chosen_names, collection_of, count, parser
from gradcheck.progress import Progress
from gradcheck.textout import echo

LEGEND = (
    "bw~sym, bw~num, sym~num: largest relative error between backward, symbolic, numeric; "
    "proof: all = the closed index form is proven for every size, yes = at the case's shapes"
)


def _check(argv: Sequence[str]) -> int:
    from gradcheck import __version__
    from gradcheck.describe import proof_cell, proven_for_all_sizes
    from gradcheck.registry import check_case, get_layer
    from gradcheck.report import PAIRS
    from gradcheck.results import results

    arguments = parser("python -m gradcheck", __doc__.split("\n\n", 1)[1])
    arguments.epilog = "also: python -m gradcheck report|new|bench --help"
    arguments.add_argument(
        "names", nargs="*", metavar="NAME", help="layers to check (default: all)"
    )
    arguments.add_argument("--json", action="store_true", help="print one JSON object instead")
    arguments.add_argument("--seed", type=count, default=0, help="seed for samples and probes")
    args = arguments.parse_args(argv)
    collection = collection_of(args)
    names, problems = chosen_names(args, collection)
    layers = [get_layer(name, collection) for name in names]
    rows = [(layer, case) for layer in layers for case in layer.cases]
    widths = (
        max([len("layer"), *(len(layer.name) for layer, _ in rows)]),
        max([len("case"), *(len(case.id) for _, case in rows)]),
    )
    if not args.json:
        head = "  ".join(f"{p:>9}" for p in ("bw~sym", "bw~num", "sym~num"))
        echo(f"{'layer':<{widths[0]}}  {'case':<{widths[1]}}  {head}  proof  verdict")
    checked, progress = [], Progress(len(rows))  # a line on a terminal's stderr only
    all_sizes: dict[str, bool] = {}
    for layer, case in rows:
        progress.step(f"{layer.name} {case.id}")
        report = check_case(layer, case, seed=args.seed)
        checked.append((layer.name, case.id, report))
        if not args.json:
            errors = "  ".join(
                f"{report.errors[p]:9.1e}" if p in report.errors else f"{'-':>9}" for p in PAIRS
            )
            if report.proof == "proved" and layer.name not in all_sizes:
                all_sizes[layer.name] = proven_for_all_sizes(layer)
            proof = proof_cell(report.proof, all_sizes.get(layer.name, False))
            verdict = "pass" if report.passed else "FAIL"
            row = f"{layer.name:<{widths[0]}}  {case.id:<{widths[1]}}  {errors}  {proof:>5}"
            progress.close()  # the row replaces the progress line, which the next step redraws
            echo(f"{row}  {verdict}")
    progress.close()
    failed = [report for _, _, report in checked if not report.passed]
    if args.json:
        data = results(
            checked, seed=args.seed, collection=collection, version=__version__, problems=problems
        )
        echo(json.dumps(data, indent=1, ensure_ascii=not _utf8(sys.stdout)))
    else:
        for report in failed:
            echo(f"\n{report}")
        errors = f", {len(problems)} could not be checked" if problems else ""
        echo(f"\n{LEGEND}\n{len(checked) - len(failed)} passed, {len(failed)} failed{errors}")
    return 1 if failed or problems else 0


def _utf8(stream: object) -> bool:
    return "utf" in (getattr(stream, "encoding", "") or "").lower()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from gradcheck import subcommands

    commands = {"report": subcommands.report, "new": subcommands.new, "bench": subcommands.bench}
    command = commands.get(argv[0] if argv else "")
    try:
        return command(argv[1:]) if command else _check(argv)
    except CollectionError as error:
        echo(f"error: {error}", sys.stderr)
        return 2
    except SystemExit as stop:  # a usage error already said, or --help: its status
        return int(stop.code or 0)
