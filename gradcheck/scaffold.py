"""``python -m gradcheck new NAME``: the skeleton of a layer and its derivation, written into
the project's collection (:mod:`gradcheck.collection`).

Three shapes of layer, the commonest: element-wise ``y[i] = f(x[i])`` (the default), one with
parameters (``--inputs x,weight,bias``), and a reduction along an axis (``--kind row``: each
output reads a whole row, as softmax or a norm does); the two options combine.  Every function
raises ``NotImplementedError`` saying what to write next, and each index form is the symbol
``TODO``, so the checks fail, with those messages, until the layer is filled in: a skeleton
never passes.
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from pathlib import Path

from gradcheck.collection import HOW_TO_NAME, Collection
from gradcheck.skeleton import render

RESERVED = {
    "report",
    "new",
    "bench",
}  # the CLI's subcommands: a layer of that name could not be checked
KINDS = ("elementwise", "row")


class ScaffoldError(ValueError):
    """A name that cannot be a layer, or a file that already exists."""


def _identifier(name: str, what: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a Python identifier; {what}: use letters, digits and "
            "underscores, e.g. softplus or leaky_relu"
        )


def validate(name: str, inputs: Sequence[str] = ("x",)) -> None:
    """Raise :class:`ScaffoldError` unless ``name`` can name a layer module with ``inputs``."""
    _identifier(name, "a layer is a module")
    if name.startswith("_"):
        raise ScaffoldError(f"{name!r} starts with '_': the registry skips private modules")
    if name in RESERVED:
        raise ScaffoldError(f"{name!r} is a subcommand of python -m gradcheck; choose another name")
    for given in inputs:
        _identifier(given, "each of --inputs names a parameter of forward")
    if not inputs or inputs[0] != "x" or len(set(inputs)) != len(inputs):
        raise ScaffoldError(
            f"--inputs {','.join(inputs)}: the inputs are distinct names, x first, then the "
            "parameters, e.g. --inputs x,weight,bias"
        )
    if {"y", "grad_output", "cache", "axis"} & set(inputs):
        raise ScaffoldError("--inputs may not use y, grad_output, cache or axis: they are taken")


def create(
    name: str, collection: Collection, *, inputs: Sequence[str] = ("x",), kind: str = "elementwise"
) -> list[Path]:
    """Write ``<name>.py`` into the collection's layers package (and derivations package, when
    it has one); never overwrite, and write nothing when any file exists."""
    inputs = [p.strip() for p in inputs]
    validate(name, inputs)
    if kind not in KINDS:
        raise ScaffoldError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    layer_folder, derivation_folder = collection.folders()
    if "site-packages" in layer_folder.parts:
        raise ScaffoldError(
            f"{collection.layers!r} is imported from {layer_folder}, an installed copy: install "
            "your project with pip install -e . so that new files land in your source tree"
        )
    layer_text, derivation_text = render(
        name, f"{collection.layers}.{name}", f"{collection.derivations}.{name}", inputs, kind
    )
    files = {layer_folder / f"{name}.py": layer_text}
    if derivation_folder is not None:
        files[derivation_folder / f"{name}.py"] = derivation_text
    existing = [str(path) for path in files if path.exists()]
    if existing:
        raise ScaffoldError(f"{' and '.join(existing)} already exist")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent == derivation_folder and not (path.parent / "__init__.py").exists():
            (path.parent / "__init__.py").write_text('"""Derivations of the layers."""\n')
        path.write_text(text, encoding="utf-8")
    return list(files)


def next_steps(name: str, collection: Collection) -> str:
    """What to do after the files are written."""
    lines = [
        "next: fill in every TODO (each raises NotImplementedError until written), then",
        f"  python -m gradcheck {name}",
    ]
    if collection.derivations is None:
        lines.append(
            "  (no derivations package: backward is checked against finite differences only; "
            f"{HOW_TO_NAME.split(', or')[0]})"
        )
    if collection.source.startswith("[tool.trigrad]"):
        lines.append(f"  pytest -k {name}   (one test per case)")
    if (collection.root / "notebooks" / "families.py").is_file():  # a clone of trigrad
        lines += [
            f"  add {name!r} to a family (and MATRIX_FORM) in notebooks/families.py, then",
            "  python notebooks/build.py   (the notebooks and the README's layer table)",
            f"  python -m pytest -q tests -k {name}",
        ]
    return "\n".join(lines)
