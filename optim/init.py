"""Weight initialisers with torch's fan conventions (``torch.nn.init``).

A weight has shape ``(out, in, *kernel)`` — ``(out, in)`` for a dense layer, ``(out, in, kh,
kw)`` for a 2-D convolution — and each output sums ``in · prod(kernel)`` products::

    fan_in  = in  · prod(kernel)
    fan_out = out · prod(kernel)

He (Kaiming) initialisation keeps the variance of the activations constant through layers
followed by a (leaky) ReLU; Xavier (Glorot) balances the forward and the backward pass.  The
random source is always an explicit ``np.random.Generator``, so a seed reproduces the weights.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np


def fan_in_and_fan_out(shape: Sequence[int]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``, as torch computes it.

    Raises
    ------
    TypeError
        For a shape that is not a sequence of ints (a lone int included: see :func:`he_normal`).
    ValueError
        For a negative size, or fewer than 2 dimensions: a bias or a scalar has no fan.
    """
    return _fans("fan_in_and_fan_out", shape)


def he_normal(
    shape: Sequence[int],
    *,
    rng: np.random.Generator,
    a: float = 0.0,
    mode: str = "fan_in",
    dtype: type | np.dtype = np.float64,
) -> np.ndarray:
    """He normal, as ``torch.nn.init.kaiming_normal_(w, a, mode)``::

        w ~ N(0, σ²),   σ = gain / √fan,   gain = √(2 / (1 + a²))

    Parameters
    ----------
    shape : sequence of int
        ``(out, in, *kernel)``, sizes >= 0.  A tuple, never a lone int: torch's initialisers
        take a tensor, whose shape is always a tuple, and an int would be a 1-D bias shape,
        which has no fan.
    rng : np.random.Generator
        The random source, e.g. ``np.random.default_rng(0)``.
    a : float
        The negative slope of the leaky ReLU that follows; 0 (the default) is ReLU, gain √2.
    mode : {"fan_in", "fan_out"}
        ``fan_in`` keeps the forward activations' variance, ``fan_out`` the gradients'.
    dtype : floating dtype
        Of the result; the draw is made in float64 and rounded.
    """
    rng, dtype = _source("he_normal", rng), _floating("he_normal", dtype)
    shape = _shape("he_normal", shape)
    std = _gain(a) / math.sqrt(_fan("he_normal", shape, mode))
    return (std * rng.standard_normal(shape)).astype(dtype, copy=False)


def he_uniform(
    shape: Sequence[int],
    *,
    rng: np.random.Generator,
    a: float = 0.0,
    mode: str = "fan_in",
    dtype: type | np.dtype = np.float64,
) -> np.ndarray:
    """He uniform, as ``torch.nn.init.kaiming_uniform_(w, a, mode)``::

        w ~ U(−b, b),   b = gain · √(3 / fan),   gain = √(2 / (1 + a²))

    so that the standard deviation b / √3 equals He normal's.  Arguments as :func:`he_normal`.
    """
    rng, dtype = _source("he_uniform", rng), _floating("he_uniform", dtype)
    shape = _shape("he_uniform", shape)
    bound = _gain(a) * math.sqrt(3.0 / _fan("he_uniform", shape, mode))
    return rng.uniform(-bound, bound, shape).astype(dtype, copy=False)


def xavier_uniform(
    shape: Sequence[int],
    *,
    rng: np.random.Generator,
    gain: float = 1.0,
    dtype: type | np.dtype = np.float64,
) -> np.ndarray:
    """Xavier (Glorot) uniform, as ``torch.nn.init.xavier_uniform_(w, gain)``::

        w ~ U(−b, b),   b = gain · √(6 / (fan_in + fan_out))

    i.e. standard deviation gain · √(2 / (fan_in + fan_out)).  ``shape``, ``rng`` and
    ``dtype`` as :func:`he_normal`; ``gain`` scales the bound (1 by default, as torch).
    """
    rng, dtype = _source("xavier_uniform", rng), _floating("xavier_uniform", dtype)
    shape = _shape("xavier_uniform", shape)
    fan_in, fan_out = _fans("xavier_uniform", shape)
    bound = float(gain) * math.sqrt(6.0 / max(fan_in + fan_out, 1))  # 0 only for a 0-size w
    return rng.uniform(-bound, bound, shape).astype(dtype, copy=False)


def _gain(a: float) -> float:
    return math.sqrt(2.0 / (1.0 + float(a) ** 2))


def _fans(name: str, shape: Sequence[int]) -> tuple[int, int]:
    shape = _shape(name, shape)
    if len(shape) < 2:
        raise ValueError(
            f"{name}: fans need a weight shape (out, in, *kernel) of at least 2 dimensions, got "
            f"{shape}: initialise biases directly (zeros, or uniform with the layer's bound)"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(name: str, shape: Sequence[int], mode: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{name}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = _fans(name, shape)[0 if mode == "fan_in" else 1]
    # A zero-size weight has fan 0 but no element to draw: any finite scale will do
    # (torch returns such a tensor untouched).
    return fan or 1


def _shape(name: str, shape: Sequence[int]) -> tuple[int, ...]:
    """The shape as a tuple of ints, refused with the fix where NumPy would fail obscurely
    (an int: "not iterable"; a negative size: "negative dimensions") or truncate (2.5)."""
    try:
        sizes = tuple(shape)
        dims = tuple(operator.index(n) for n in sizes if not isinstance(n, bool))
    except TypeError:
        sizes, dims = (), None
    if dims is None or len(dims) != len(sizes):
        fix = "pass e.g. (out, in)"
        if hasattr(shape, "__index__"):  # a lone int would be a 1-D shape: no fan
            fix = f"pass ({shape}, n_in) for {shape} outputs, not the int alone"
        raise TypeError(
            f"{name}: shape must be a tuple of ints (out, in, *kernel), got {shape!r}: {fix}"
        )
    if any(n < 0 for n in dims):
        raise ValueError(
            f"{name}: shape {dims} has a negative size: every size in (out, in, *kernel) "
            "must be >= 0"
        )
    return dims


def _source(name: str, rng: np.random.Generator) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name}: rng must be a np.random.Generator, got {type(rng).__name__}: "
            "pass rng=np.random.default_rng(seed)"
        )
    return rng


def _floating(name: str, dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(
            f"{name}: weights need a floating dtype, got {dtype}: pass dtype=np.float64"
        )
    return dtype
