"""``python -m gradcheck [NAMES ...] [--json] [--seed N]``: check registered layers.

Prints one row per case (layer, case, largest relative error of each pair of legs, whether the
closed index form is proven, verdict),
then the report of every failing case.  Exit status: 0 all passed, 1 a check failed,
2 a usage error (an unknown layer name lists the known ones).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from gradcheck.registry import check_case, get_layer, layer_names
from gradcheck.report import PAIRS, Report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a usage line, never a traceback
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gradcheck", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="layers to check (default: all)")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    parser.add_argument("--seed", type=int, default=0, help="seed for samples and probes")
    return parser


def _row(report: Report) -> str:
    errors = "  ".join(
        f"{report.errors[p]:9.1e}" if p in report.errors else f"{'-':>9}" for p in PAIRS
    )
    layer, _, case = report.name.partition("-")
    proof = {"proved": "yes", None: "-"}.get(report.proof, "NO")
    return f"{layer:<34} {case:<28} {errors}  {proof:>5}  {'pass' if report.passed else 'FAIL'}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    known = layer_names()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(
            f"error: unknown layer {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr
        )
        return 2
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
