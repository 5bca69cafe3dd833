"""Whether a value is an array of real numbers, and what it is otherwise, for messages that
name a wrong argument instead of failing inside NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np


def real_array(value: Any) -> tuple[np.ndarray | None, str]:
    """``(array, "")`` for real numbers (floats or integers); ``(None, what it is)`` otherwise:
    "of dtype <U5", "a dict", "a list" (a ragged one)."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # a ragged list
        array = np.asarray(None)
    if np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer):
        return array, ""
    return None, f"of dtype {array.dtype}" if array.dtype != object else f"a {type(value).__name__}"
