"""Round-off allowed between two exact computations of the same numbers.

Two exact computations of ``v·J`` (the backward and SymPy's Jacobian, or the backward twice)
agree to round-off: ``1e-10 (|v|·|J| + 1e-3 max(max |v|·|J|, natural))`` per entry, far below
what finite differences resolve.  The floor follows the largest terms around an entry, not the
entry: a backward works from the forward's rounded outputs and shares row-level sums (softmax's
Σ g·y), so in a saturated softmax, whose entries are all ~1e-9, 1 - y_i still carries 1e-16 of
absolute error.  ``natural`` is the size a gradient has before any saturation,
``max|v| · spread(y) / spread(x)``.
"""

from __future__ import annotations

import numpy as np

EXACT_RTOL = 1e-10
BLOCK_FLOOR = 1e-3


def exact_tolerance(
    scale: np.ndarray, natural: float = 0.0, rtol: float = EXACT_RTOL
) -> np.ndarray:
    """The round-off allowed per entry of terms of size ``scale`` (``|v|·|J|``, or ``|y|``);
    ``rtol`` is 1e-10 for float64 layers (:mod:`gradcheck.precision` for float32 ones)."""
    floor = BLOCK_FLOOR * max(float(np.max(scale)), natural)
    # the symbolic leg has 40 digits: 1e-30 is far above its noise and far below float64's
    return rtol * (scale + floor) + 1e-30
