"""Gradient clipping by the global norm, as ``torch.nn.utils.clip_grad_norm_``."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from optim._checks import real_arrays


def clip_grad_norm(
    grads: Mapping[str, np.ndarray],
    max_norm: float,
    norm_type: float = 2.0,
    *,
    error_if_nonfinite: bool = False,
) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients by one factor so that their joint p-norm is at most ``max_norm``.

    With ‖·‖_p the p-norm of all gradients' elements taken together (the max |g| for
    p = inf)::

        N = ‖ (‖g_1‖_p, ..., ‖g_k‖_p) ‖_p = ‖ all elements ‖_p
        c = max_norm / (N + 10⁻⁶)
        g_i ← c · g_i        only if c < 1

    The 10⁻⁶ is torch's: it keeps c finite for N = 0, and makes a clipped norm end slightly
    below ``max_norm`` (by the factor N / (N + 10⁻⁶)).  A NaN norm makes c NaN and every
    gradient NaN, and an infinite norm makes c = 0, as torch does.

    Parameters
    ----------
    grads : dict of str to ndarray
        The gradients, by name.  Not modified.
    max_norm : float
        The largest allowed total norm, >= 0.
    norm_type : float
        p > 0, or ``float("inf")`` (``math.inf``) for the max norm.
    error_if_nonfinite : bool
        Raise instead of scaling when N is NaN or infinite.

    Returns
    -------
    clipped : dict of str to ndarray
        New arrays, of the gradients' dtypes (float64 for integer gradients).
    total_norm : float
        N, before clipping.

    Raises
    ------
    ValueError
        On ``grads`` not a dict of real arrays (a None gradient included: leave its key out),
        a negative ``max_norm``, a ``norm_type`` that is not positive, or (with
        ``error_if_nonfinite``) a non-finite N.
    """
    max_norm, p = float(max_norm), float(norm_type)
    if not max_norm >= 0.0:
        raise ValueError(f"clip_grad_norm: max_norm must be >= 0, got {max_norm}")
    if not p > 0.0:
        raise ValueError(f"clip_grad_norm: norm_type must be > 0 or math.inf, got {norm_type}")
    arrays = {
        key: g if np.issubdtype(g.dtype, np.floating) else g.astype(np.float64)
        for key, g in real_arrays("clip_grad_norm", grads).items()
    }
    # Norm of the per-array norms, as torch does: the same number as the norm of all
    # elements, and in float64 here whatever the gradients' dtype.
    norms = [_norm(g.astype(np.float64, copy=False).ravel(), p) for g in arrays.values()]
    total = _norm(np.array(norms, dtype=np.float64), p)
    if error_if_nonfinite and not math.isfinite(total):
        raise ValueError(
            f"clip_grad_norm: the total {p}-norm of the gradients is {total}, so they cannot "
            "be clipped: find the non-finite gradient, or pass error_if_nonfinite=False"
        )
    coef = max_norm / (total + 1e-6)
    # `not coef >= 1` is also true for a NaN coef: torch's clamp(coef, max=1) keeps NaN too.
    if not coef >= 1.0:
        with np.errstate(invalid="ignore"):  # inf · 0 = NaN is the documented result
            return {key: (coef * g).astype(g.dtype, copy=False) for key, g in arrays.items()}, total
    return {key: g.copy() for key, g in arrays.items()}, total


def _norm(x: np.ndarray, p: float) -> float:
    # A vector's ord=inf norm is max |x|, which NumPy refuses for an empty array; torch
    # calls the norm of nothing 0.
    return float(np.linalg.norm(x, ord=p)) if x.size else 0.0
