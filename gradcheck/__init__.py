"""trigrad's gradient checker: closed form, SymPy and finite differences must agree.

>>> from gradcheck import check, assert_gradients, Case, rand_normal, Formula, delta

Everything a user writes against is importable from here; the API reference (``docs/api.md``)
is generated from the docstrings of these names.  The names are loaded on first use, so that
importing :mod:`gradcheck` (which pytest does in every project where trigrad is installed, for
its plugin) costs nothing and never imports NumPy, SymPy or a collection of layers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> the module that defines it, in the order the API reference lists them
PUBLIC = {
    # checking
    "check": "gradcheck.checker",
    "assert_gradients": "gradcheck.checker",
    "bind": "gradcheck.checker",
    "Report": "gradcheck.report",
    "Failure": "gradcheck.report",
    "Kink": "gradcheck.report",
    # cases and the draws they sample from
    "Case": "gradcheck.cases",
    "Draw": "gradcheck.cases",
    "rand_normal": "gradcheck.cases",
    "rand_positive": "gradcheck.cases",
    "rand_away_from_zero": "gradcheck.cases",
    "rand_distinct": "gradcheck.cases",
    "rand_probabilities": "gradcheck.cases",
    "rand_unit_interval": "gradcheck.cases",
    "rand_int": "gradcheck.cases",
    "rand_mask": "gradcheck.cases",
    # writing a derivation
    "Formula": "gradcheck.formula",
    "delta": "gradcheck.formula",
    "indices": "gradcheck.formula",
    "elementwise": "gradcheck.formula",
    "exact": "gradcheck.formula",
    "relu_expr": "gradcheck.formula",
    # networks and layers written in other styles
    "compose": "gradcheck.sequential",
    "bound": "gradcheck.sequential",
    "Stage": "gradcheck.sequential",
    "first_wrong_stage": "gradcheck.network",
    "from_object": "gradcheck.adapters",
    "from_objects": "gradcheck.adapters",
    "from_column_major": "gradcheck.functions",
    "from_loss": "gradcheck.functions",
    "from_elementwise": "gradcheck.functions",
    "StaleStateWarning": "gradcheck.stale",
    # collections of layers
    "find_collection": "gradcheck.collection",
    "Collection": "gradcheck.collection",
    "layer_names": "gradcheck.registry",
    "get_layer": "gradcheck.registry",
    "check_layer": "gradcheck.registry",
}

__all__ = list(PUBLIC)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("trigrad")
    except PackageNotFoundError:  # a clone used without installing it
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    if name not in PUBLIC:
        raise AttributeError(f"module 'gradcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(PUBLIC[name]), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(PUBLIC))


if TYPE_CHECKING:  # what type checkers and editors see; tests/test_api.py keeps it in step
    from gradcheck.adapters import from_object, from_objects
    from gradcheck.cases import (
        Case,
        Draw,
        rand_away_from_zero,
        rand_distinct,
        rand_int,
        rand_mask,
        rand_normal,
        rand_positive,
        rand_probabilities,
        rand_unit_interval,
    )
    from gradcheck.checker import assert_gradients, bind, check
    from gradcheck.collection import Collection, find_collection
    from gradcheck.formula import Formula, delta, elementwise, exact, indices, relu_expr
    from gradcheck.functions import from_column_major, from_elementwise, from_loss
    from gradcheck.network import first_wrong_stage
    from gradcheck.registry import check_layer, get_layer, layer_names
    from gradcheck.report import Failure, Kink, Report
    from gradcheck.sequential import Stage, bound, compose
    from gradcheck.stale import StaleStateWarning
