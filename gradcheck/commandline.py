"""What every ``python -m gradcheck`` command shares: a parser that exits 2 with a usage line,
help that shows every default, and the collection and layer names a command works on."""

from __future__ import annotations

import argparse
import sys

from gradcheck.collection import Collection, find_collection
from gradcheck.textout import echo


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a usage line, never a traceback
        self.print_usage(sys.stderr)
        echo(f"error: {message}", sys.stderr)
        raise SystemExit(2)


class Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every default shown, the description's paragraphs kept as written."""


def count(text: str) -> int:
    """An argparse type for seeds and repeats: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def parser(prog: str, description: str) -> Parser:
    """A command's parser, with the collection's two options every command takes."""
    made = Parser(prog=prog, description=description, formatter_class=Help)
    where = made.add_argument_group("collection (default: [tool.trigrad] in pyproject.toml)")
    where.add_argument("--layers", metavar="PKG", help="the package of layer modules")
    where.add_argument(
        "--derivations", metavar="PKG", help="the package of derivation modules, if any"
    )
    return made


def collection_of(args: argparse.Namespace) -> Collection:
    return find_collection(layers=args.layers, derivations=args.derivations)


def chosen_names(args: argparse.Namespace, collection: Collection) -> list[str] | None:
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
