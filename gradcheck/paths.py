"""Where a framework keeps a parameter or its gradient, as something that reads and writes it.

Frameworks keep their arrays in attributes (``W``), in dicts (``params['W']``), in parameter
objects (``weight.data``, ``weight.grad``), or behind methods.  An :class:`Access` reads and
writes one of them on a given object, from a path written as Python would (attributes, string
or integer subscripts: ``layers[0].params['W']``) or from a ``(getter, setter)`` pair of
callables.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcheck.arrays import real_array

_CONTAINERS = {"data", "value", "grad", "params", "param", "grads", "weights", "values"}


class PathError(ValueError):
    """A path that is not an attribute path, or that the object does not have."""


def _steps(path: str) -> list[tuple[str, Any]]:
    """``"params['W'].data"`` as ``[("attr", "params"), ("item", "W"), ("attr", "data")]``."""
    try:
        node = ast.parse(path.strip(), mode="eval").body
    except SyntaxError:
        node = None
    steps: list[tuple[str, Any]] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            steps.append(("attr", node.attr))
        elif isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str | int):
            steps.append(("item", node.slice.value))
        else:
            node = None
            break
        node = node.value
    if not isinstance(node, ast.Name):
        raise PathError(
            f"{path!r} is not an attribute path: write it as Python would, from the object, "
            "e.g. 'W', \"params['W']\", 'weight.data' or 'layers[0].bias'"
        )
    return [("attr", node.id), *reversed(steps)]


def _name(steps: list[tuple[str, Any]]) -> str:
    """The input's name for reports: the last key or attribute that is not a container word
    (``params['W']`` is W, ``weight.data`` is weight)."""
    for _, key in reversed(steps):
        if isinstance(key, str) and key not in _CONTAINERS:
            return key
    return str(steps[-1][1])


def _step(value: Any, step: tuple[str, Any]) -> Any:
    kind, key = step
    return getattr(value, key) if kind == "attr" else value[key]


@dataclass(frozen=True)
class Access:
    """Read (and, for a parameter, write) one array of an object.

    ``name`` names it in reports; ``path`` is how the user wrote it, for messages.
    """

    name: str
    path: str
    get: Callable[[Any], Any]
    set: Callable[[Any, Any], None]

    def read(self, obj: Any) -> Any:
        try:
            return self.get(obj)
        except (AttributeError, KeyError, IndexError, TypeError) as error:
            raise PathError(
                f"{type(obj).__name__} has no {self.path} ({type(error).__name__}: {error})"
            ) from None


def access(spec: str | tuple[Callable, Callable] | Access, name: str | None = None) -> Access:
    """An :class:`Access` from a path, a ``(getter, setter)`` pair or an Access.

    ``getter(obj) -> array`` and ``setter(obj, array)``; ``name`` overrides the report's name.
    """
    if isinstance(spec, Access):
        return spec if name is None else Access(name, spec.path, spec.get, spec.set)
    if isinstance(spec, tuple) and len(spec) == 2 and all(map(callable, spec)):
        getter, setter = spec
        label = name or getattr(getter, "__name__", "param").removeprefix("get_")
        return Access(label, f"{label} (getter)", getter, setter)
    if not isinstance(spec, str):
        raise PathError(
            f"{spec!r}: name a parameter by a path such as \"params['W']\" or 'weight.data', "
            "or by a (getter, setter) pair of callables"
        )
    steps = _steps(spec)

    def get(obj: Any) -> Any:
        value = obj
        for step in steps:
            value = _step(value, step)
        return value

    def put(obj: Any, value: Any) -> None:
        parent = obj
        for step in steps[:-1]:
            parent = _step(parent, step)
        kind, key = steps[-1]
        if kind == "attr":
            setattr(parent, key, value)
        else:
            parent[key] = value

    return Access(name or _name(steps), spec, get, put)


Spec = str | tuple[Callable, Callable] | Access
Specs = Sequence[Spec] | Mapping[str, Spec]


def accesses(specs: Specs | None, what: str) -> list[Access]:
    if specs is None:
        return []
    if isinstance(specs, str):
        raise TypeError(f"{what}={specs!r}: pass a sequence of names, e.g. {what}=({specs!r},)")
    if isinstance(specs, Mapping):
        return [access(spec, name) for name, spec in specs.items()]
    return [access(spec) for spec in specs]


def parameter(obj: Any, param: Access) -> np.ndarray:
    """The parameter as a float64 array, refused with its path named unless it holds real
    numbers (a dict of weights, a string or None would fail inside NumPy)."""
    array, found = real_array(param.read(obj))
    if array is None:
        raise TypeError(
            f"{type(obj).__name__}.{param.path} is {found}, not a real numeric array: params="
            "(...) must name the parameter arrays themselves, e.g. \"params['W']\" or 'weight.data'"
        )
    return np.array(array, dtype=np.float64)


def roots(accesses: Sequence[Access]) -> list[str]:
    """The attributes of the object that the paths start from, for a named state list."""
    return [a.path.split(".")[0].split("[")[0] for a in accesses if not a.path.endswith("(getter)")]
