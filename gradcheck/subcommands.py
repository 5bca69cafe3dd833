"""``python -m gradcheck report``, ``new`` and ``bench``: the report, a new layer's
skeleton, and the layers timed beside torch (see :mod:`gradcheck.cli`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from gradcheck.collection import CollectionError
from gradcheck.commandline import chosen_names, collection_of, count, parser
from gradcheck.textout import echo


def report(argv: Sequence[str]) -> int:
    from gradcheck.document import write_report

    arguments = parser(
        "python -m gradcheck report",
        "Check layers and write report.md and report.html (formulas in MathML, the error of "
        "each pair of legs, kinks, proof, verdict) into DIR, with an error-vs-step PNG for "
        "each failing layer.  Exit 0 all passed, 1 a check failed, 2 a usage error.",
    )
    arguments.add_argument("names", nargs="*", metavar="NAME", help="layers (default: all)")
    arguments.add_argument(
        "--out", default="gradcheck-report", metavar="DIR", help="where to write"
    )
    arguments.add_argument("--seed", type=count, default=0, help="seed for samples and probes")
    args = arguments.parse_args(argv)
    collection = collection_of(args)
    names, problems = chosen_names(args, collection)
    try:
        files, passed = write_report(names, args.out, seed=args.seed, collection=collection)
    except OSError as error:
        out = Path(args.out)
        reason = error.strerror or error
        if out.exists() and not out.is_dir():
            reason = "it is a file, not a directory"
        arguments.print_usage(sys.stderr)
        echo(f"error: cannot write the report to {out}: {reason}", sys.stderr)
        return 2
    for file in files:
        echo(f"wrote {file}")
    return 0 if passed and not problems else 1


def new(argv: Sequence[str]) -> int:
    from gradcheck.scaffold import KINDS, ScaffoldError, create, next_steps

    arguments = parser(
        "python -m gradcheck new",
        "Write NAME.py into the collection's layers package and its derivations package, with "
        "the contract's skeleton and registered cases.  Every part raises NotImplementedError "
        "saying what to write next, so the checks fail until it is filled in.  Existing files "
        "are never overwritten; with no collection to write into, nothing is written.",
    )
    arguments.add_argument("name", metavar="NAME", help="the layer's name, a Python identifier")
    arguments.add_argument(
        "--inputs",
        default="x",
        metavar="NAMES",
        help="the differentiable inputs, comma-separated, x first: e.g. x,weight,bias",
    )
    arguments.add_argument(
        "--kind",
        choices=KINDS,
        default="elementwise",
        help="elementwise: y[i] = f(x[i]); row: each output reads a whole row along an axis",
    )
    args = arguments.parse_args(argv)
    try:
        collection = collection_of(args)
        written = create(args.name, collection, inputs=args.inputs.split(","), kind=args.kind)
    except (ScaffoldError, CollectionError) as error:
        echo(f"error: {error}; nothing written", sys.stderr)
        return 2
    echo(f"collection: {collection.layers} ({collection.source})")
    for path in written:
        echo(f"wrote {path}")
    echo(next_steps(args.name, collection))
    return 0


def bench(argv: Sequence[str]) -> int:
    import os

    import numpy as np

    from gradcheck.benchmark import DTYPES, TorchSide, table

    arguments = parser(
        "python -m gradcheck bench",
        "Time forward and forward+backward of each layer at its BENCHMARK size (else its "
        "largest case), in float32 and float64, beside its torch_reference where torch is "
        "installed; best of N interleaved samples, in milliseconds.  It measures and reports, "
        "never asserts: on a shared machine, read the ratios.",
    )
    arguments.add_argument("names", nargs="*", metavar="NAME", help="layers (default: all)")
    arguments.add_argument("--repeat", type=count, default=5, help="samples per timing; best kept")
    arguments.add_argument("--dtype", choices=DTYPES, action="append", help="default: both")
    arguments.add_argument("--no-torch", action="store_true", help="leave torch out")
    args = arguments.parse_args(argv)
    collection = collection_of(args)
    names, problems = chosen_names(args, collection)
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch_side = None if args.no_torch else TorchSide.load(threads or 1)
    rows = table(
        names, collection, repeat=max(args.repeat, 1), dtypes=args.dtype or DTYPES,
        torch_side=torch_side,
    )  # fmt: skip
    torch = torch_side.version if torch_side else "not installed (pip install torch)"
    echo(f"NumPy {np.__version__}; torch {torch}; best of {max(args.repeat, 1)}, milliseconds\n")
    header = ["layer", "dtype", "size", "forward", "fwd+bwd", "torch fwd+bwd", "ratio"]
    for row in [header, ["---"] * len(header), *rows]:
        echo("| " + " | ".join(row) + " |")
    return 1 if problems else 0
