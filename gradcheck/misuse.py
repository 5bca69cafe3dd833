"""Messages for a derivation written wrongly: what it returned or raised, and how to fix it.

The usual mistakes are NumPy or ``math`` functions applied to symbols, which fail deep inside
NumPy or SymPy with a message about floats or truth values.  These messages name the mistake,
the line of the derivation that made it, and the SymPy function to use instead.
"""

from __future__ import annotations

import numbers
import os
import reprlib
import traceback
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp

EXPECTED = (
    "expressions() must return a NumPy object array of SymPy expressions with the layer's "
    "output shape"
)
_HINT = "use SymPy functions such as sympy.exp, sympy.tanh and sympy.Piecewise on symbols"
# (text in the error, the mistake it reveals)
_MISTAKES = [
    ("ufunc", "NumPy's functions need numbers"),
    ("object arrays", "NumPy's functions need numbers"),
    ("convert expression to", "math's functions and float() need numbers"),
    ("truth value of Relational", "np.where, if and max() need a comparison that is true or false"),
]
# Frames in these are the machinery's or a library's; the derivation's line is outside them.
_LIBRARIES = tuple(
    str(Path(path).parent) + os.sep
    for path in (__file__, mpmath.__file__, np.__file__, sp.__file__)
)


class DerivationError(ValueError):
    """A derivation returned something the symbolic leg cannot use; the message says what."""


def _describe(value: Any) -> str:
    return "None" if value is None else f"{type(value).__name__} {reprlib.repr(value)}"


def as_expressions(value: Any) -> np.ndarray:
    """What ``expressions()`` returned, as an object array of SymPy expressions or numbers.

    Raises
    ------
    DerivationError
        When it is not an array, nested sequence or single expression of those, naming what it
        was instead.
    """
    if not isinstance(value, np.ndarray | list | tuple | sp.Basic | numbers.Number):
        raise DerivationError(f"{EXPECTED}; it returned {_describe(value)}")
    try:
        out = np.asarray(value, dtype=object)
    except ValueError as error:  # NumPy refuses ragged nesting
        raise DerivationError(f"{EXPECTED}; it returned ragged nested sequences") from error
    for index in np.ndindex(out.shape):
        if not isinstance(out[index], sp.Basic | numbers.Number):
            element = f"[{', '.join(map(str, index))}]"
            raise DerivationError(f"{EXPECTED}; its element {element} is {_describe(out[index])}")
    return out


def explain(what: str, error: Exception) -> str:
    """The message for a derivation's ``what`` (``"expressions()"``) that raised ``error``.

    Names the derivation's line that raised, and hints at the fix for the usual mistakes.
    """
    if isinstance(error, DerivationError):
        return f"derivation's {error}"
    message = f"derivation's {what} failed: {type(error).__name__}: {error}"
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(_LIBRARIES)
        and Path(frame.filename).parts[-2:] != ("gradcheck", "formula.py")  # elementwise()
    ]
    if ours:
        where = "/".join(Path(ours[-1].filename).parts[-2:])  # derivations/x.py, not x.py
        message += f" (at {where}:{ours[-1].lineno})"
    if isinstance(error, NameError):
        return message + "; define or import that name in the derivation's module"
    for marker, mistake in _MISTAKES:
        if marker in str(error):
            return f"{message}; {mistake}: {_HINT}, not math's or NumPy's"
    return message
