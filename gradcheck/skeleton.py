"""The text of a new layer's two files, for ``python -m gradcheck new`` (:mod:`scaffold`).

The files are written as ruff and black write Python at their default width, so that they pass
a user's linter unchanged; every function raises ``NotImplementedError`` saying what to write.
"""

from __future__ import annotations

from collections.abc import Sequence

LAYER = '''"""{name}: TODO one line: what it computes and its PyTorch twin, e.g. "as
``torch.nn.functional.{name}``".

Forward (TODO: the forward, as on paper)::

    {forward_maths}

Backward, with g = ∂L/∂y::

{backward_maths}
"""

import numpy as np
from gradcheck import Case, rand_normal


{forward_def}
{forward_error}


{backward_def}
{backward_error}


{torch_def}
{torch_error}


CASES = [
    # small, so that SymPy differentiates every element; add shapes that expose bugs{shape_hint}
{cases}
]

# the size a real workload has, for the benchmarks (never checked)
{benchmark}
'''

DERIVATION = '''"""{name} in SymPy: the forward element by element, and its closed index form.

Closed index form (TODO: the rule, as on paper)::

{formula_maths}
"""

import numpy as np
import sympy as sp
from gradcheck import Formula, delta, indices

b, i, c, j, k = indices("b i c j k")
{bases}

# TODO: replace each symbol TODO by the derivative, written with the arrays' elements
FORMULAS = {{
{formulas}
}}

# Optional: the forward over symbolic sizes proves FORMULAS for every size, not only
# at the cases' shapes (README, "Proofs for all sizes"). With
# from gradcheck import IndexForward, sizes:
#   B, D = sizes("B D")
#   INDEX_FORWARD = IndexForward({{y[b, i]: ...}}, {{"x": (B, D), "y": (B, D)}})


{expressions_def}
{expressions_error}


{jacobian_def}
{jacobian_error}
'''

WIDTH = 88  # ruff's and black's default: the files pass them unconfigured


def _raise(message: str) -> str:
    """``raise NotImplementedError(...)`` with the message as string literals that fit."""
    lines, line = [], ""
    for word in message.split(" "):
        if line and len(line) + len(word) + 1 > WIDTH - 12:
            lines.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    quoted = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    body = "\n".join(f'        "{line}"' for line in quoted)
    return f"    raise NotImplementedError(\n{body}\n    )"


def _call(head: str, arguments: list[str], tail: str = "", indent: str = "") -> str:
    """``head(arguments)tail`` as ruff formats it: on one line, else the arguments on a line of
    their own, else one per line with a trailing comma."""
    one_line = f"{indent}{head}({', '.join(arguments)}){tail}"
    if len(one_line) <= WIDTH:
        return one_line
    inner = f"{indent}    {', '.join(arguments)}"
    if len(inner) <= WIDTH:
        return f"{indent}{head}(\n{inner}\n{indent}){tail}"
    each = "".join(f"{indent}    {a},\n" for a in arguments)
    return f"{indent}{head}(\n{each}{indent}){tail}"


def _draws(rows: tuple[int, ...], features: int, count: int) -> list[str]:
    """Draws for x of shape ``rows + (features,)`` and parameters of shape ``(features,)``."""
    x = f"rand_normal({', '.join(map(str, (*rows, features)))})"
    return [x] + [f"rand_normal({features})"] * (count - 1)


def _equation(inputs: Sequence[str], row: bool) -> str:
    if row:
        return "y[b, i] = f(x[b, :])[i]   (output i of row b reads the whole row)"
    equation = "y[b, i] = f(x[b, i]" + "".join(f", {p}[i]" for p in inputs[1:]) + ")"
    return equation if len(equation) < WIDTH - 8 else "y[b, i] = f(x[b, i], each parameter at [i])"


def render(
    name: str, module: str, derivation_module: str, inputs: Sequence[str], kind: str
) -> tuple[str, str]:
    """The two files' text: ``(layer, derivation)``."""
    row, arguments = kind == "row", ", ".join(inputs)
    grads = ", ".join(f"grad_{p}" for p in inputs) + ("," if len(inputs) == 1 else "")
    returns = ", ".join(["np.ndarray"] * len(inputs))
    signature = [f"{p}: np.ndarray" for p in inputs] + (["*", "axis: int = -1"] if row else [])
    x_deltas = "delta(b, c)" if row else "delta(b, c) * delta(i, j)"
    formulas = [
        _call(
            '"x": Formula', ["y[b, i]", "x[c, j]", f'{x_deltas} * sp.Symbol("TODO")'], ",", "    "
        )
        if p == "x"
        else _call(f'"{p}": Formula', ["y[b, i]", f"{p}[k]", 'sp.Symbol("TODO")'], ",", "    ")
        for p in inputs
    ]
    symbols = [*inputs, *(["*", "axis=-1"] if row else [])]
    rule = "δ(b, c) (TODO)" if row else "δ(b, c) δ(i, j) f'(x[b, i])"
    fields = {
        "name": name,
        "forward_maths": _equation(inputs, row),
        "backward_maths": "\n".join(f"    ∂L/∂{p} = TODO" for p in inputs),
        "formula_maths": "\n".join(
            f"    ∂y[b, i]/∂x[c, j] = {rule}" if p == "x" else f"    ∂y[b, i]/∂{p}[k] = TODO"
            for p in inputs
        ),
        "forward_def": _call("def forward", signature, ":"),
        "forward_error": _raise(
            f"{module}: write forward({arguments}) -> (y, cache): y with NumPy, and in "
            "cache whatever backward needs; never modify an input in place"
        ),
        "backward_def": _call(
            "def backward", ["grad_output: np.ndarray", "cache"], f" -> tuple[{returns}]:"
        ),  # fmt: skip
        "backward_error": _raise(
            f"{module}: write backward(grad_output, cache) -> ({grads}): one gradient per "
            "input of forward, in its order, each shaped like that input"
        ),
        "torch_def": _call("def torch_reference", symbols, ":"),
        "torch_error": _raise(
            f"{module}: write torch_reference({arguments}): the same function in torch "
            "(import torch inside the function: torch is optional)"
        ),
        "shape_hint": "\n    # TODO: give each parameter its shape" if inputs[1:] else "",
        "cases": "\n".join(
            [
                _call("Case", _draws((2,), 3, len(inputs)), ",", "    "),
                _call("Case", _draws((3, 1) if row else (1,), 5, len(inputs)), ",", "    "),
                "    # realistic: checked against finite differences only",
                _call("Case", [*_draws((64,), 33, len(inputs)), "symbolic=False"], ",", "    "),
            ]
        ),
        "benchmark": _call(
            "BENCHMARK = Case", [*_draws((256,), 1024, len(inputs)), "symbolic=False"]
        ),
        "bases": "\n".join(f'{p} = sp.IndexedBase("{p}")' for p in ["y", *inputs]),
        "formulas": "\n".join(formulas),
        "expressions_def": _call("def expressions", symbols, " -> np.ndarray:"),
        "jacobian_def": _call("def jacobian", symbols, " -> tuple[np.ndarray, ...]:"),
        "expressions_error": _raise(
            f"{derivation_module}: write expressions({arguments}): the forward on arrays of "
            "SymPy symbols, element by element, with SymPy functions (sp.exp, sp.tanh, "
            "sp.Piecewise), e.g. elementwise(lambda v: sp.tanh(v), x) with "
            "from gradcheck import elementwise"
        ),
        "jacobian_error": _raise(
            f"{derivation_module}: write jacobian({arguments}): FORMULAS evaluated at the "
            "inputs' shapes, one block per input, e.g. "
            "FORMULAS['x'].evaluate({'x': x}, y_shape, x.shape)"
        ),
    }
    return LAYER.format(**fields), DERIVATION.format(**fields)
