"""Tools for writing derivations: element-wise forwards and Jacobians in index notation.

A :class:`Formula` is the sentence a reader writes on paper, for example the softmax rule
``∂y[b,i]/∂x[c,j] = δ(b,c) y[b,i] (δ(i,j) - y[b,j])``.  The same SymPy object is printed as
LaTeX and evaluated entry by entry at concrete shapes, so what the notebooks show is what the
tests prove equal to SymPy's own derivative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import prod

import numpy as np
import sympy as sp

delta = sp.KroneckerDelta


def indices(names: str) -> tuple[sp.Symbol, ...]:
    """Integer index symbols, e.g. ``b, i, j = indices("b i j")``."""
    return sp.symbols(names, integer=True, seq=True)


def exact(values: np.ndarray) -> np.ndarray:
    """Float hyperparameters (targets) as exact rationals: SymPy ``Float``s defeat exact proofs.

    The checker usually passes float arrays as symbols already (so one lambdified Jacobian and
    one proof serve every target); those are returned as they are.
    """
    values = np.asarray(values)
    if values.dtype == object:
        return values
    return elementwise(lambda v: sp.Rational(float(v)), values.astype(np.float64))


def elementwise(function: Callable[..., sp.Expr], *arrays: np.ndarray) -> np.ndarray:
    """Apply a scalar SymPy function to every element of object arrays of equal shape."""
    shape = np.shape(arrays[0])
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        out[index] = function(*(a[index] for a in arrays))
    return out


def relu_expr(v: sp.Expr) -> sp.Expr:
    """max(v, 0) as a Piecewise: its derivative is 0 at v = 0, where ``Max`` would give 1/2."""
    return sp.Piecewise((v, v > 0), (0, True))


def _merge_leading(shape: tuple[int, ...], rank: int) -> tuple[int, ...]:
    """Fold leading axes into one so that an array of any batch rank has ``rank`` axes."""
    if rank == 0:
        if shape != ():
            raise ValueError(f"a scalar in the formula, but an array of shape {shape}")
        return ()
    if len(shape) < rank:
        raise ValueError(f"the formula indexes {rank} axes, but the array has shape {shape}")
    return (prod(shape[: len(shape) - rank + 1]),) + tuple(shape[len(shape) - rank + 1 :])


def _lookup(element: sp.Indexed, arrays: dict[str, np.ndarray]) -> sp.Expr:
    """An array element, or 0 outside the array (zero padding) or at a fractional index."""
    array = arrays[str(element.base.label)]
    position = []
    for value, size in zip(element.indices, array.shape, strict=True):
        if not value.is_integer or not 0 <= int(value) < size:
            return sp.Integer(0)
        position.append(int(value))
    return array[tuple(position)]


@dataclass(frozen=True)
class Formula:
    """One Jacobian block in index notation: ``∂output/∂input = value``.

    ``output`` and ``input`` are ``Indexed`` (``y[b, i]``, ``W[p, q]``) or a plain ``Symbol`` for
    a 0-d array; ``value`` may index any array passed to :meth:`evaluate` by its base name.
    An index outside an array reads as 0, which is how padding and dilation are written.
    """

    output: sp.Expr
    input: sp.Expr
    value: sp.Expr

    def mathml(self) -> str:
        """The formula as a block of MathML, which browsers render without a script."""
        from gradcheck.mathml import to_mathml  # only reports need it

        def partial(e: sp.Expr) -> str:
            return f"<mrow><mo>∂</mo>{to_mathml(e)}</mrow>"

        return (
            f'<math display="block"><mfrac>{partial(self.output)}{partial(self.input)}</mfrac>'
            f"<mo>=</mo>{to_mathml(self.value)}</math>"
        )

    def latex(self) -> str:
        return (
            rf"\frac{{\partial {sp.latex(self.output)}}}{{\partial {sp.latex(self.input)}}}"
            rf" = {sp.latex(self.value)}"
        )

    def evaluate(
        self,
        arrays: dict[str, np.ndarray],
        out_shape: tuple[int, ...],
        in_shape: tuple[int, ...],
    ) -> np.ndarray:
        """The block at concrete shapes: an object array of shape ``out_shape + in_shape``.

        Arrays with more axes than the formula indexes have their leading axes folded into the
        first index, so one formula serves a batch of any rank.
        """
        out_index = getattr(self.output, "indices", ())
        in_index = getattr(self.input, "indices", ())
        used = {str(e.base.label): len(e.indices) for e in self.value.atoms(sp.Indexed)}
        folded = {
            name: np.reshape(a, _merge_leading(np.shape(a), used[name]))
            for name, a in arrays.items()
            if name in used
        }
        out_folded = _merge_leading(tuple(out_shape), len(out_index))
        in_folded = _merge_leading(tuple(in_shape), len(in_index))
        block = np.empty(out_folded + in_folded, dtype=object)
        for o in np.ndindex(out_folded):
            for i in np.ndindex(in_folded):
                binding = dict(zip(out_index, map(sp.Integer, o), strict=True))
                binding.update(zip(in_index, map(sp.Integer, i), strict=True))
                entry = self.value.xreplace(binding)
                elements = entry.atoms(sp.Indexed)
                if elements:
                    entry = entry.xreplace({e: _lookup(e, folded) for e in elements})
                block[o + i] = entry
        return block.reshape(tuple(out_shape) + tuple(in_shape))


@dataclass(frozen=True)
class IndexForward:
    """The forward in index notation over symbolic sizes, for the proof at every size.

    ``definitions`` maps ``y[b, i]`` (or a scalar ``L``) to its value, written with ``Sum`` over
    symbolic ranges, e.g. ``exp(x[b, i]) / Sum(exp(x[b, k]), (k, 0, C - 1))``; the first entry is
    the output, the others define the auxiliary arrays that ``FORMULAS`` read (σ, x̂, p, ...).
    ``shapes`` gives every indexed array's shape in size symbols (``{"x": (B, C)}``): an index
    ranges over its axis, the only assumption of the proof.  ``values`` bounds integer arrays
    used as indices (``{"t": (0, C - 1)}``).  An array that is neither defined nor
    differentiated is a constant; ``note`` states any further assumption in words.
    An element read outside its array, or at a fractional index, is 0, as in :class:`Formula`.
    """

    definitions: dict[sp.Expr, sp.Expr]
    shapes: dict[str, tuple[sp.Expr, ...]]
    values: dict[str, tuple[sp.Expr, sp.Expr]] = field(default_factory=dict)
    note: str = ""

    @property
    def output(self) -> sp.Expr:
        return next(iter(self.definitions))


def sizes(names: str) -> tuple[sp.Symbol, ...]:
    """Positive integer size symbols, e.g. ``N, D = sizes("N D")``."""
    return sp.symbols(names, integer=True, positive=True, seq=True)
