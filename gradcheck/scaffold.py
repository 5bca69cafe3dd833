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

RESERVED = {
    "report",
    "new",
    "bench",
}  # the CLI's subcommands: a layer of that name could not be checked
KINDS = ("elementwise", "row")

LAYER = '''"""{name}: TODO one line: what it computes and its PyTorch twin, e.g. "as
``torch.nn.functional.{name}``".

Forward::

    {forward_maths}          TODO: the forward, as on paper

Backward, with g = ∂L/∂y::

{backward_maths}
"""

import numpy as np

from gradcheck import Case, rand_normal


def forward({signature}):
    raise NotImplementedError(
        "{module}: write forward({arguments}) -> (y, cache): y with NumPy, and in cache "
        "whatever backward needs; never modify an input in place"
    )


def backward(grad_output: np.ndarray, cache) -> tuple[{grad_types}]:
    raise NotImplementedError(
        "{module}: write backward(grad_output, cache) -> ({grads},): one gradient per input "
        "of forward, in its order, each shaped like that input"
    )


def torch_reference({torch_signature}):
    raise NotImplementedError(
        "{module}: write torch_reference({arguments}): the same function in torch (import "
        "torch inside the function: torch is optional)"
    )


CASES = [
    # small, so that SymPy differentiates every element; add shapes that expose bugs{shape_hint}
    Case({small}),
    Case({odd}),
    # realistic: checked against finite differences only
    Case({large}, symbolic=False),
]

# the size a real workload has, for the benchmarks (never checked)
BENCHMARK = Case({benchmark}, symbolic=False)
'''

DERIVATION = '''"""{name} in SymPy: the forward element by element, and its closed index form.

Closed index form::

{formula_maths}          TODO: the rule, as on paper
"""

import numpy as np
import sympy as sp

from gradcheck import Formula, delta, elementwise, indices

{index_names} = indices("{index_string}")
{bases}

# TODO: replace each symbol TODO by the derivative, written with the arrays' elements
FORMULAS = {{
{formulas}
}}


def expressions({symbols_signature}) -> np.ndarray:
    raise NotImplementedError(
        "{derivation_module}: write expressions({arguments}): the forward on arrays of SymPy "
        "symbols, element by element, with SymPy functions (sp.exp, sp.tanh, sp.Piecewise), "
        "e.g. elementwise(lambda v: sp.tanh(v), x)"
    )


def jacobian({symbols_signature}) -> tuple[np.ndarray, ...]:
    raise NotImplementedError(
        "{derivation_module}: write jacobian({arguments}): FORMULAS evaluated at the inputs' "
        "shapes, one block per input, e.g. FORMULAS['x'].evaluate({{'x': x}}, y_shape, x.shape)"
    )
'''


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


def _shapes(rows: tuple[int, ...], features: int, count: int) -> str:
    """Draws for x of shape ``rows + (features,)`` and parameters of shape ``(features,)``."""
    x = f"rand_normal({', '.join(map(str, (*rows, features)))})"
    return ", ".join([x] + [f"rand_normal({features})"] * (count - 1))


def render(name: str, module: str, derivation_module: str, inputs: Sequence[str], kind: str):
    """The two files' text: ``(layer, derivation)``."""
    params, row = list(inputs[1:]), kind == "row"
    axis = ", *, axis: int = -1" if row else ""
    y = (
        "y[b, i] = f(x[b, :], ...)[i]   (each output reads row b along axis)"
        if row
        else ("y[b, i] = f(x[b, i]" + "".join(f", {p}[i]" for p in params) + ")")
    )
    rule = "δ(b, c) (...)" if row else "δ(b, c) δ(i, j) f'(x[b, i])"
    backward_maths = "\n".join(f"    ∂L/∂{p} = TODO" for p in inputs)
    formula_maths = "\n".join(
        f"    ∂y[b, i]/∂x[c, j] = {rule}" if p == "x" else f"    ∂y[b, i]/∂{p}[k] = TODO"
        for p in inputs
    )
    x_deltas = "delta(b, c)" if row else "delta(b, c) * delta(i, j)"
    formulas = ",\n".join(
        f'    "x": Formula(y[b, i], x[c, j], {x_deltas} * sp.Symbol("TODO"))'
        if p == "x"
        else f'    "{p}": Formula(y[b, i], {p}[k], sp.Symbol("TODO"))'
        for p in inputs
    )
    fields = {
        "name": name,
        "module": module,
        "derivation_module": derivation_module,
        "forward_maths": y,
        "backward_maths": backward_maths,
        "formula_maths": formula_maths,
        "signature": ", ".join(f"{p}: np.ndarray" for p in inputs) + axis,
        "torch_signature": ", ".join(inputs) + (", *, axis=-1" if row else ""),
        "symbols_signature": ", ".join(inputs) + (", *, axis=-1" if row else ""),
        "arguments": ", ".join(inputs),
        "grads": ", ".join(f"grad_{p}" for p in inputs),
        "grad_types": ", ".join(["np.ndarray"] * len(inputs)),
        "shape_hint": "\n    # TODO: give each parameter its shape" if params else "",
        "small": _shapes((2,), 3, len(inputs)),
        "odd": _shapes((3, 1) if row else (1,), 5, len(inputs)),
        "large": _shapes((64,), 33, len(inputs)),
        "benchmark": _shapes((256,), 1024, len(inputs)),
        "index_names": "b, i, c, j, k",
        "index_string": "b i c j k",
        "bases": "\n".join(f'{p} = sp.IndexedBase("{p}")' for p in ["y", *inputs]),
        "formulas": formulas,
    }
    return LAYER.format(**fields), DERIVATION.format(**fields)


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
