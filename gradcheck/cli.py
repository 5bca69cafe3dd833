"""``python -m gradcheck [NAMES ...] [--json] [--seed N] [--layers PKG] [--derivations PKG]``.

Checks the layers of the project's collection (``[tool.trigrad]`` in its pyproject.toml, else
``./layers`` and ``./derivations``): one row per case (layer, case, largest relative error of
each pair of legs, whether the closed index form is proven, verdict), then the report of every
failing case.  Exit status: 0 all passed, 1 a check failed, 2 a usage error.

Two subcommands, chosen by the first argument (no layer may be called ``report`` or ``new``):
``python -m gradcheck report [NAMES] [--out DIR]`` writes a Markdown and HTML report, and
``python -m gradcheck new NAME`` writes the skeleton of a new layer and its derivation into the
collection.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from gradcheck.collection import Collection, CollectionError, find_collection
from gradcheck.textout import echo

SUBCOMMANDS = ("report", "new")
LEGEND = "bw~sym, bw~num, sym~num: largest relative error between backward, symbolic, numeric"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a usage line, never a traceback
        self.print_usage(sys.stderr)
        echo(f"error: {message}", sys.stderr)
        raise SystemExit(2)


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every default shown, the description's paragraphs kept as written."""


def _seed(text: str) -> int:
    """An argparse type: NumPy's generators take seeds >= 0 only."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _parser(prog: str, description: str) -> _Parser:
    parser = _Parser(prog=prog, description=description, formatter_class=_Help)
    where = parser.add_argument_group("collection (default: [tool.trigrad] in pyproject.toml)")
    where.add_argument("--layers", metavar="PKG", help="the package of layer modules")
    where.add_argument(
        "--derivations", metavar="PKG", help="the package of derivation modules, if any"
    )
    return parser


def _collection(args: argparse.Namespace) -> Collection:
    return find_collection(layers=args.layers, derivations=args.derivations)


def _names(args: argparse.Namespace, collection: Collection) -> list[str] | None:
    """The layers asked for, all by default; None (after saying why) if any is unknown."""
    known = collection.names()
    if not known:
        echo(
            f"error: {collection.layers!r} ({collection.source}) holds no layer: a layer is a "
            "module with forward() and backward()",
            sys.stderr,
        )
        return None
    unknown = [n for n in args.names if n not in known]
    if unknown:
        hint = ""
        if any("." in n for n in unknown):
            hint = f"; for another package's layers pass --layers {unknown[0].rsplit('.', 1)[0]}"
        echo(
            f"error: unknown layer {', '.join(unknown)} in {collection.layers!r} "
            f"({collection.source}); known: {', '.join(known)}{hint}",
            sys.stderr,
        )
        return None
    return list(args.names) or known


def _check(argv: Sequence[str]) -> int:
    from gradcheck import __version__
    from gradcheck.registry import check_case, get_layer
    from gradcheck.report import PAIRS
    from gradcheck.results import results

    parser = _parser("python -m gradcheck", __doc__.split("\n\n", 2)[1])
    parser.epilog = "also: python -m gradcheck report --help, python -m gradcheck new --help"
    parser.add_argument("names", nargs="*", metavar="NAME", help="layers to check (default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--seed", type=_seed, default=0, help="seed for samples and probes")
    args = parser.parse_args(argv)
    collection = _collection(args)
    if (names := _names(args, collection)) is None:
        return 2
    layers = [get_layer(name, collection) for name in names]
    rows = [(layer, case) for layer in layers for case in layer.cases]
    widths = (
        max([len("layer"), *(len(layer.name) for layer, _ in rows)]),
        max([len("case"), *(len(case.id) for _, case in rows)]),
    )
    if not args.json:
        head = "  ".join(f"{p:>9}" for p in ("bw~sym", "bw~num", "sym~num"))
        echo(f"{'layer':<{widths[0]}}  {'case':<{widths[1]}}  {head}  proof  verdict")
    checked = []
    for layer, case in rows:
        report = check_case(layer, case, seed=args.seed)
        checked.append((layer.name, case.id, report))
        if not args.json:
            errors = "  ".join(
                f"{report.errors[p]:9.1e}" if p in report.errors else f"{'-':>9}" for p in PAIRS
            )
            proof = {"proved": "yes", None: "-"}.get(report.proof, "NO")
            verdict = "pass" if report.passed else "FAIL"
            row = f"{layer.name:<{widths[0]}}  {case.id:<{widths[1]}}  {errors}  {proof:>5}"
            echo(f"{row}  {verdict}")
            sys.stdout.flush()
    failed = [report for _, _, report in checked if not report.passed]
    if args.json:
        data = results(checked, seed=args.seed, collection=collection, version=__version__)
        echo(json.dumps(data, indent=1, ensure_ascii=not _utf8(sys.stdout)))
    else:
        for report in failed:
            echo(f"\n{report}")
        echo(f"\n{LEGEND}\n{len(checked) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _utf8(stream: object) -> bool:
    return "utf" in (getattr(stream, "encoding", "") or "").lower()


def _report(argv: Sequence[str]) -> int:
    from gradcheck.document import write_report

    parser = _parser(
        "python -m gradcheck report",
        "Check layers and write report.md and report.html (formulas in LaTeX, the error of "
        "each pair of legs, kinks, proof, verdict) into DIR, with an error-vs-step PNG for "
        "each failing layer.  Exit 0 all passed, 1 a check failed, 2 a usage error.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="layers (default: all)")
    parser.add_argument("--out", default="gradcheck-report", metavar="DIR", help="where to write")
    parser.add_argument("--seed", type=_seed, default=0, help="seed for samples and probes")
    args = parser.parse_args(argv)
    collection = _collection(args)
    if (names := _names(args, collection)) is None:
        return 2
    try:
        files, passed = write_report(names, args.out, seed=args.seed, collection=collection)
    except OSError as error:
        out = Path(args.out)
        reason = error.strerror or error
        if out.exists() and not out.is_dir():
            reason = "it is a file, not a directory"
        parser.print_usage(sys.stderr)
        echo(f"error: cannot write the report to {out}: {reason}", sys.stderr)
        return 2
    for file in files:
        echo(f"wrote {file}")
    return 0 if passed else 1


def _new(argv: Sequence[str]) -> int:
    from gradcheck.scaffold import KINDS, ScaffoldError, create, next_steps

    parser = _parser(
        "python -m gradcheck new",
        "Write NAME.py into the collection's layers package and its derivations package, with "
        "the contract's skeleton and registered cases.  Every part raises NotImplementedError "
        "saying what to write next, so the checks fail until it is filled in.  Existing files "
        "are never overwritten; with no collection to write into, nothing is written.",
    )
    parser.add_argument("name", metavar="NAME", help="the layer's name, a Python identifier")
    parser.add_argument(
        "--inputs",
        default="x",
        metavar="NAMES",
        help="the differentiable inputs, comma-separated, x first: e.g. x,weight,bias",
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="elementwise",
        help="elementwise: y[i] = f(x[i]); row: each output reads a whole row along an axis",
    )
    args = parser.parse_args(argv)
    try:
        collection = _collection(args)
        written = create(args.name, collection, inputs=args.inputs.split(","), kind=args.kind)
    except (ScaffoldError, CollectionError) as error:
        echo(f"error: {error}; nothing written", sys.stderr)
        return 2
    for path in written:
        echo(f"wrote {path}")
    echo(next_steps(args.name, collection))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = {"report": _report, "new": _new}.get(argv[0] if argv else "", None)
    try:
        return command(argv[1:]) if command else _check(argv)
    except CollectionError as error:
        echo(f"error: {error}", sys.stderr)
        return 2
