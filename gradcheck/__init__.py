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
    "GradientCheckFailed": "gradcheck.report",
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
    "IndexForward": "gradcheck.formula",
    "sizes": "gradcheck.formula",
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
    "check_case": "gradcheck.registry",
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


# What type checkers see ("X as X": explicit re-exports, for mypy --strict); tests/test_api.py
# keeps it in step with PUBLIC.
if TYPE_CHECKING:
    from gradcheck.adapters import (
        from_object as from_object,
    )
    from gradcheck.adapters import (
        from_objects as from_objects,
    )
    from gradcheck.cases import (
        Case as Case,
    )
    from gradcheck.cases import (
        Draw as Draw,
    )
    from gradcheck.cases import (
        rand_away_from_zero as rand_away_from_zero,
    )
    from gradcheck.cases import (
        rand_distinct as rand_distinct,
    )
    from gradcheck.cases import (
        rand_int as rand_int,
    )
    from gradcheck.cases import (
        rand_mask as rand_mask,
    )
    from gradcheck.cases import (
        rand_normal as rand_normal,
    )
    from gradcheck.cases import (
        rand_positive as rand_positive,
    )
    from gradcheck.cases import (
        rand_probabilities as rand_probabilities,
    )
    from gradcheck.cases import (
        rand_unit_interval as rand_unit_interval,
    )
    from gradcheck.checker import (
        assert_gradients as assert_gradients,
    )
    from gradcheck.checker import (
        bind as bind,
    )
    from gradcheck.checker import (
        check as check,
    )
    from gradcheck.collection import (
        Collection as Collection,
    )
    from gradcheck.collection import (
        find_collection as find_collection,
    )
    from gradcheck.formula import (
        Formula as Formula,
    )
    from gradcheck.formula import (
        IndexForward as IndexForward,
    )
    from gradcheck.formula import (
        delta as delta,
    )
    from gradcheck.formula import (
        elementwise as elementwise,
    )
    from gradcheck.formula import (
        exact as exact,
    )
    from gradcheck.formula import (
        indices as indices,
    )
    from gradcheck.formula import (
        relu_expr as relu_expr,
    )
    from gradcheck.formula import (
        sizes as sizes,
    )
    from gradcheck.functions import (
        from_column_major as from_column_major,
    )
    from gradcheck.functions import (
        from_elementwise as from_elementwise,
    )
    from gradcheck.functions import (
        from_loss as from_loss,
    )
    from gradcheck.network import (
        first_wrong_stage as first_wrong_stage,
    )
    from gradcheck.registry import (
        check_case as check_case,
    )
    from gradcheck.registry import (
        check_layer as check_layer,
    )
    from gradcheck.registry import (
        get_layer as get_layer,
    )
    from gradcheck.registry import (
        layer_names as layer_names,
    )
    from gradcheck.report import (
        Failure as Failure,
    )
    from gradcheck.report import (
        GradientCheckFailed as GradientCheckFailed,
    )
    from gradcheck.report import (
        Kink as Kink,
    )
    from gradcheck.report import (
        Report as Report,
    )
    from gradcheck.sequential import (
        Stage as Stage,
    )
    from gradcheck.sequential import (
        bound as bound,
    )
    from gradcheck.sequential import (
        compose as compose,
    )
    from gradcheck.stale import (
        StaleStateWarning as StaleStateWarning,
    )
