"""``python -m gradcheck new NAME``: the skeleton of a layer and its derivation.

Both files follow the contract (forward, backward, torch_reference, CASES, BENCHMARK;
expressions, FORMULAS, jacobian) for a one-input element-wise layer, the commonest kind.
Every function raises ``NotImplementedError`` saying what to write, and the index form is the
symbol ``TODO``, so the checks fail, with those messages, until the layer is filled in: a
skeleton never passes.
"""

from __future__ import annotations

import keyword
from pathlib import Path

RESERVED = {"report", "new"}  # the CLI's subcommands: a layer of that name could not be checked

LAYER = '''"""{name}: TODO one line: what it computes and its PyTorch twin, e.g. "as
``torch.nn.functional.{name}``: y = f(x)".

Backward, with g = ∂L/∂y::

    ∂L/∂x = g · f'(x)          TODO: the rule backward implements
"""

import numpy as np

from gradcheck.cases import Case, rand_normal


def forward(x: np.ndarray):
    raise NotImplementedError(
        "layers/{name}.py: write forward(x) -> (y, cache): y from x with NumPy, and in cache "
        "whatever backward needs (x, y, or both); never modify x in place"
    )


def backward(grad_output: np.ndarray, cache) -> tuple[np.ndarray]:
    raise NotImplementedError(
        "layers/{name}.py: write backward(grad_output, cache) -> (grad_x,): a tuple with one "
        "gradient per input of forward, each shaped like that input"
    )


def torch_reference(x):
    raise NotImplementedError(
        "layers/{name}.py: write torch_reference(x): the same function in torch (import torch "
        "inside the function: torch is optional), e.g. torch.nn.functional.{name}(x)"
    )


CASES = [
    # small, so that SymPy differentiates every element; add shapes that expose bugs
    Case(rand_normal(2, 3)),
    # realistic: checked against finite differences only
    Case(rand_normal(64, 33), symbolic=False),
]

# the size a real workload has, for the benchmarks (never checked)
BENCHMARK = Case(rand_normal(256, 1024), symbolic=False)
'''

DERIVATION = '''"""{name}, element-wise: y[i] = f(x[i]).  TODO: the forward, as on paper.

Closed index form::

    ∂y[i]/∂x[j] = δ(i,j) f'(x[i])          TODO: the rule, as on paper
"""

import numpy as np
import sympy as sp

from gradcheck.formula import Formula, delta, elementwise, indices

i, j = indices("i j")
x, y = sp.IndexedBase("x"), sp.IndexedBase("y")

# TODO: replace the symbol TODO by f'(x[i]) written with x[i] (or with y[i], passed to evaluate)
FORMULAS = {{"x": Formula(y[i], x[j], delta(i, j) * sp.Symbol("TODO"))}}


def expressions(x: np.ndarray) -> np.ndarray:
    raise NotImplementedError(
        "derivations/{name}.py: write expressions(x): the forward on an array of SymPy symbols, "
        "element by element, with SymPy functions, e.g. elementwise(lambda v: sp.tanh(v), x)"
    )


def jacobian(x: np.ndarray) -> tuple[np.ndarray]:
    raise NotImplementedError(
        "derivations/{name}.py: write jacobian(x): FORMULAS evaluated at x's shape, e.g. "
        "(FORMULAS['x'].evaluate({{'x': x}}, x.shape, x.shape),)"
    )
'''


class ScaffoldError(ValueError):
    """A name that cannot be a layer, or a file that already exists."""


def validate(name: str) -> None:
    """Raise :class:`ScaffoldError` unless ``name`` can name a layer module."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a Python identifier; a layer is a module: use letters, digits "
            "and underscores, e.g. softplus or leaky_relu"
        )
    if name.startswith("_"):
        raise ScaffoldError(f"{name!r} starts with '_': the registry skips private modules")
    if name in RESERVED:
        raise ScaffoldError(f"{name!r} is a subcommand of python -m gradcheck; choose another name")


def create(name: str, root: Path) -> list[Path]:
    """Write ``root/layers/<name>.py`` and ``root/derivations/<name>.py``; never overwrite."""
    validate(name)
    files = {
        root / "layers" / f"{name}.py": LAYER.format(name=name),
        root / "derivations" / f"{name}.py": DERIVATION.format(name=name),
    }
    existing = [str(path) for path in files if path.exists()]
    if existing:
        raise ScaffoldError(f"{' and '.join(existing)} already exist; nothing written")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(files)


def registry_finds(root: Path) -> bool:
    """Whether the ``layers`` package Python imports is ``root/layers``, where ``create`` writes:
    from a folder other than a clone's root, or with trigrad installed without ``-e``, the
    registry would never see the new files."""
    import layers

    target = (root / "layers").resolve()
    return any(Path(path).resolve() == target for path in layers.__path__)


def next_steps(name: str) -> str:
    """What to do after the files are written, in the README's order."""
    return (
        f"next: fill in every TODO (each raises NotImplementedError until written), then\n"
        f"  python -m gradcheck {name}\n"
        f"  add {name!r} to a family (and MATRIX_FORM) in notebooks/families.py, then\n"
        f"  python notebooks/build.py   (the notebooks and the README's layer table)\n"
        f"  python -m pytest -q tests -k {name}"
    )
