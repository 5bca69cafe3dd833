"""trigrad's gradient checker: closed form, SymPy and finite differences must agree.

>>> from gradcheck import check, check_layer, assert_gradients
"""

from gradcheck.adapters import from_column_major, from_object, from_objects
from gradcheck.cases import Case
from gradcheck.checker import assert_gradients, bind, check
from gradcheck.network import first_wrong_stage
from gradcheck.registry import check_layer, get_layer, layer_names
from gradcheck.report import Failure, Kink, Report

__all__ = [
    "Case",
    "Failure",
    "Kink",
    "Report",
    "assert_gradients",
    "bind",
    "check",
    "check_layer",
    "first_wrong_stage",
    "from_column_major",
    "from_object",
    "from_objects",
    "get_layer",
    "layer_names",
]
