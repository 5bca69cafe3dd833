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


class Help(argparse.ArgumentDefaultsHelpFormatter):
    """Plain text: every default shown once, each paragraph of a description wrapped."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        empty = action.default is None or action.default is False or action.default == []
        if empty or "default" in text:  # (0 == False: identity, so that a 0 default shows)
            return text  # nothing to show, or said in the text already
        return super()._get_help_string(action) or text

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        fill = super()._fill_text  # zero-argument super() does not reach into a comprehension
        return "\n\n".join(fill(p, width, indent) for p in text.replace("``", "").split("\n\n"))


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


def chosen_names(args: argparse.Namespace, collection: Collection) -> tuple[list[str], list[str]]:
    """The layers asked for (all by default) that can be checked, and what is wrong with the
    others (a module that cannot be imported, a layer without CASES), each said on stderr.
    ``SystemExit(2)`` after saying why, when a name is unknown or there is no layer at all."""
    collection.validate()
    known, broken = collection.scan()
    if not known and not broken:
        echo(
            f"error: {collection.layers!r} ({collection.source}) holds no layer: a layer is a "
            "module with forward() and backward()",
            sys.stderr,
        )
        raise SystemExit(2)
    unknown = [n for n in args.names if n not in known and n not in broken]
    if unknown:
        hint = ""
        if any("." in n for n in unknown):
            hint = f"; for another package's layers pass --layers {unknown[0].rsplit('.', 1)[0]}"
        echo(
            f"error: unknown layer {', '.join(unknown)} in {collection.layers!r} "
            f"({collection.source}); known: {', '.join(known)}{hint}",
            sys.stderr,
        )
        raise SystemExit(2)
    wanted = list(args.names) or sorted([*known, *broken])
    problems = [broken[n] for n in wanted if n in broken]
    empty = [
        n for n in wanted if n in known and not getattr(collection.layer_module(n), "CASES", [])
    ]
    problems += [f"{collection.layers}.{n} registers no CASES: nothing is checked" for n in empty]
    for problem in problems:
        echo(f"error: {problem}", sys.stderr)
    return [n for n in wanted if n in known and n not in empty], problems
