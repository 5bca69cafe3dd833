"""``python -m gradcheck [NAMES ...] [--json] [--seed N]``: check registered layers.

Prints one row per case (layer, case, largest relative error of each pair of legs, whether the
closed index form is proven, verdict),
then the report of every failing case.  Exit status: 0 all passed, 1 a check failed,
2 a usage error (an unknown layer name lists the known ones).

Two subcommands, chosen by the first argument (no layer may be called ``report`` or ``new``):
``python -m gradcheck report [NAMES] [--out DIR]`` writes a Markdown and HTML report, and
``python -m gradcheck new NAME`` writes the skeleton of a new layer and its derivation.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from gradcheck.registry import check_case, get_layer, layer_names
from gradcheck.report import PAIRS, Report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a usage line, never a traceback
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


SUBCOMMANDS = ("report", "new")


def _seed(text: str) -> int:
    """An argparse type: NumPy's generators take seeds >= 0 only."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m gradcheck",
        description=__doc__.split("\n\n")[0],
        epilog="also: python -m gradcheck report --help, python -m gradcheck new --help",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="layers to check (default: all)")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument("--seed", type=_seed, default=0, help="seed for samples and probes")
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m gradcheck report",
        description="Check layers and write report.md and report.html (formulas in LaTeX, the "
        "error of each pair of legs, kinks, proof, verdict) into DIR, with an error-vs-step "
        "PNG for each failing layer.  Exit 0 all passed, 1 a check failed, 2 a usage error.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="layers (default: all)")
    parser.add_argument("--out", default="gradcheck-report", metavar="DIR", help="%(default)s")
    parser.add_argument("--seed", type=_seed, default=0, help="seed for samples and probes")
    return parser


def _new(argv: Sequence[str]) -> int:
    from gradcheck.scaffold import ScaffoldError, create, next_steps, registry_finds

    parser = _Parser(
        prog="python -m gradcheck new",
        description="Write layers/NAME.py and derivations/NAME.py, under the CURRENT DIRECTORY "
        "(run it from the root of a trigrad checkout, where the registry finds them; not into "
        "the installed packages), with the contract's skeleton and registered cases.  Every "
        "part raises NotImplementedError saying what to write, so the checks fail until it is "
        "filled in.  Existing files are never overwritten.",
    )
    parser.add_argument("name", metavar="NAME", help="the layer's name, a Python identifier")
    args = parser.parse_args(argv)
    try:
        written = create(args.name, Path.cwd())
    except ScaffoldError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if not registry_finds(Path.cwd()):
        import layers

        print(
            f"warning: Python imports the layers package from {layers.__path__[0]}, not from"
            f" ./layers, so the registry will not find {args.name!r}: run this from the root"
            " of a trigrad clone installed with pip install -e .",
            file=sys.stderr,
        )
    print(next_steps(args.name))
    return 0


def _unknown(names: Sequence[str], known: Sequence[str]) -> int | None:
    unknown = [n for n in names if n not in known]
    if unknown:
        print(
            f"error: unknown layer {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr
        )
        return 2
    return None


def _report(argv: Sequence[str]) -> int:
    from gradcheck.document import write_report

    parser = _report_parser()
    args = parser.parse_args(argv)
    known = layer_names()
    if (status := _unknown(args.names, known)) is not None:
        return status
    try:
        files, passed = write_report(args.names or known, args.out, seed=args.seed)
    except OSError as error:
        out = Path(args.out)
        reason = error.strerror or error
        if out.exists() and not out.is_dir():
            reason = "it is a file, not a directory"
        parser.print_usage(sys.stderr)
        print(f"error: cannot write the report to {out}: {reason}", file=sys.stderr)
        return 2
    for file in files:
        print(f"wrote {file}")
    return 0 if passed else 1


def _row(report: Report) -> str:
    errors = "  ".join(
        f"{report.errors[p]:9.1e}" if p in report.errors else f"{'-':>9}" for p in PAIRS
    )
    layer, _, case = report.name.partition("-")
    proof = {"proved": "yes", None: "-"}.get(report.proof, "NO")
    return f"{layer:<34} {case:<28} {errors}  {proof:>5}  {'pass' if report.passed else 'FAIL'}"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["report"]:
        return _report(argv[1:])
    if argv[:1] == ["new"]:
        return _new(argv[1:])
    args = _parser().parse_args(argv)
    known = layer_names()
    if (status := _unknown(args.names, known)) is not None:
        return status
    reports = []
    for name in args.names or known:
        layer = get_layer(name)
        reports += [check_case(layer, case, seed=args.seed) for case in layer.cases]
    if args.json:
        json.dump([r.to_dict() for r in reports], sys.stdout, indent=1, default=str)
        print()
    else:
        header = "  ".join(f"{p:>9}"[-9:] for p in ("bw~sym", "bw~num", "sym~num"))
        print(f"{'layer':<34} {'case':<28} {header}  proof  verdict")
        for report in reports:
            print(_row(report))
        failed = [r for r in reports if not r.passed]
        for report in failed:
            print(f"\n{report}")
        print(f"\n{len(reports) - len(failed)} passed, {len(failed)} failed")
    return 1 if any(not r.passed for r in reports) else 0
