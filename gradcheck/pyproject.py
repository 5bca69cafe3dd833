"""A project's ``pyproject.toml``: the nearest one at or above a folder, and its
``[tool.trigrad]`` table, checked key by key (a misspelt table name is a question, not
silence)."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

KEYS = {"layers", "derivations"}


class CollectionError(LookupError):
    """A collection that cannot be found, read or imported; the message says how to name one."""


def project(start: Path) -> tuple[Path, Path | None]:
    """The project's root and its pyproject.toml: the nearest one at or above ``start``."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder, folder / "pyproject.toml"
    return start, None


def table(pyproject: Path) -> dict | None:
    """The ``[tool.trigrad]`` table, or None; :class:`CollectionError` if it is malformed."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CollectionError(f"cannot read {pyproject}: {error}") from None
    tools = data.get("tool", {})
    table = tools.get("trigrad")
    if table is None:
        near = difflib.get_close_matches("trigrad", list(tools), n=1, cutoff=0.7)
        if near:
            raise CollectionError(f"[tool.{near[0]}] in {pyproject}: did you mean [tool.trigrad]?")
        return None
    unknown = sorted(set(table) - KEYS)
    wrong = [k for k in sorted(KEYS & set(table)) if not isinstance(table[k], str)]
    if unknown or wrong or "layers" not in table:
        problem = (
            f"unknown key {unknown[0]!r}"
            if unknown
            else f"{wrong[0]} must be a string"
            if wrong
            else "no layers key"
        )
        raise CollectionError(
            f"[tool.trigrad] in {pyproject}: {problem}; it takes layers = "
            '"yourpackage.layers" and, optionally, derivations = "yourpackage.derivations"'
        )
    return table
