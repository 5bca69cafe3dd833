"""trigrad's gradient checker: closed form, SymPy and finite differences must agree.

>>> from gradcheck import check, check_layer, assert_gradients
"""

from gradcheck.cases import Case
from gradcheck.checker import assert_gradients, bind, check
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
    "get_layer",
    "layer_names",
]
