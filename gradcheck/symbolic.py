"""The symbolic leg: SymPy differentiates a derivation's element-wise forward.

The forward and the non-zero entries of its Jacobian are turned into Python with ``lambdify``
(evaluated in mpmath at 40 digits, so the exact formula has no float overflow at logits of
±1000), and the compiled code is cached on disk, marshalled so that a warm run neither
differentiates nor compiles.  The key (:func:`gradcheck.fingerprint.cache_key`) covers the
Python and SymPy versions, the derivation's source, code, closure and hyperparameters and the
shapes.  Files are written atomically so that parallel pytest workers can share the cache.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import marshal
import math
import os
import sys
import tempfile
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import platformdirs
import sympy as sp

from gradcheck.fingerprint import cache_key, unwrap
from gradcheck.misuse import as_expressions

SYMBOLIC_DIGITS = 40
# The leg's entry is a marshalled code object, readable only by the Python that wrote it
CODE_PURPOSE = f"code {sys.implementation.cache_tag} {importlib.util.MAGIC_NUMBER.hex()}"


def cache_dir() -> Path:
    """``$TRIGRAD_CACHE_DIR``, else the platform's cache folder for trigrad (platformdirs:
    ``~/.cache/trigrad`` or ``$XDG_CACHE_HOME/trigrad`` on Linux, ``~/Library/Caches/trigrad``
    on macOS, ``%LOCALAPPDATA%\\trigrad\\Cache`` on Windows)."""
    if os.environ.get("TRIGRAD_CACHE_DIR"):
        return Path(os.environ["TRIGRAD_CACHE_DIR"])
    return Path(platformdirs.user_cache_dir("trigrad", appauthor=False))


def symbols_like(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of real symbols ``name_i_j`` with the given shape."""
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        suffix = "_".join(map(str, index))
        out[index] = sp.Symbol(f"{name}_{suffix}" if suffix else name, real=True)
    return out


def read_cache(key: str, binary: bool = False) -> str | bytes | None:
    """The cached text (bytes if ``binary``) for ``key``, or None (always for a ``-`` key)."""
    path = cache_dir() / key
    if "-" in key or not path.exists():
        return None
    return path.read_bytes() if binary else path.read_text(encoding="utf-8")


def write_cache(key: str, data: str | bytes) -> None:
    """Write through a temporary file and ``os.replace``, so readers never see half a file."""
    if "-" in key:  # see cache_key: nothing reliable to key on
        return
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    with os.fdopen(handle, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    os.replace(temporary, directory / key)


def sympy_jacobian(expressions: np.ndarray, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``∂expressions[o]/∂inputs[k][i]`` for each input, shaped ``out + in`` (SymPy ``diff``).

    Only the pairs where the symbol occurs are differentiated (most layers are sparse), and of
    a sum only the terms that contain it: SymPy differentiates every term, and a conv2d output
    is a sum of 28 products with each input in one.  The terms left out have derivative 0 and
    ``Add`` drops zeros, so the result is the expression ``diff`` of the whole sum gives.
    """
    flat = expressions.ravel()
    position = {s: (k, i) for k, a in enumerate(inputs) for i, s in enumerate(a.ravel())}
    blocks = [np.full((flat.size, a.size), sp.S.Zero, dtype=object) for a in inputs]
    for o, expr in enumerate(flat):
        if not isinstance(expr, sp.Basic):
            continue
        containing: dict[sp.Symbol, list[sp.Expr]] = {}
        for term in expr.args if isinstance(expr, sp.Add) else (expr,):
            for s in term.free_symbols & position.keys():
                containing.setdefault(s, []).append(term)
        for s, terms in containing.items():
            k, i = position[s]
            blocks[k][o, i] = sp.Add(*[sp.diff(term, s) for term in terms])
    return [b.reshape(expressions.shape + a.shape) for b, a in zip(blocks, inputs, strict=True)]


class Derivative:
    """SymPy's derivative of one forward at given shapes, taken on first use and then kept.

    A check's symbolic leg (when its disk cache is cold) and the proof of the closed index
    form both need it, and differentiating is most of a cold check: :mod:`gradcheck.legs`
    hands the same object to both.  Float-array hyperparameters are rebound as symbols
    (:func:`symbolic_hyper`).  The caller must not modify what :meth:`value` returns.
    """

    def __init__(self, expressions: Callable, shapes: Sequence[tuple[int, ...]]):
        self.shapes = [tuple(s) for s in shapes]
        self.expressions, self.hyper, self.hyper_values = symbolic_hyper(expressions)
        self._value: tuple[list[np.ndarray], np.ndarray, list[np.ndarray]] | None = None

    def value(self) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]:
        """Symbols ``a{k}_...`` of the shapes, ``expressions`` of them, and their Jacobian."""
        if self._value is None:
            symbols = [symbols_like(f"a{k}", s) for k, s in enumerate(self.shapes)]
            out = as_expressions(self.expressions(*symbols))
            self._value = (symbols, out, sympy_jacobian(out, symbols))
        return self._value


def symbolic_hyper(function: Callable) -> tuple[Callable, list[np.ndarray], list[np.ndarray]]:
    """Rebind a derivation's float-array hyperparameters (soft targets) as symbols.

    They do not change an expression's structure, so the lambdified Jacobian takes them as
    arguments and a proof holds for every value: one cache entry serves every target.
    Returns the rebound function, the symbol arrays and the values, in the same order.
    """
    base, args, keywords = unwrap(function)
    symbols, values = [], []
    for name, value in sorted(keywords.items()):
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            keywords[name] = symbols_like(f"h_{name}", value.shape)
            symbols.append(keywords[name])
            values.append(value)
    return functools.partial(base, *args, **keywords), symbols, values


def _generate(derivative: Derivative) -> tuple[tuple[int, ...], bytes, types.CodeType]:
    """Output shape, positions of the non-zero Jacobian entries, compiled lambdified code.

    Only the non-zero entries are lambdified: 28,160 of conv2d's 364,544 at the benchmark's
    sizes.  Generating the rest as literal zeros made a 1.7 MB source whose compilation was
    most of a warm check.  Positions are flat indices into the ``(outputs, all inputs)`` matrix.
    """
    symbols, out, blocks = derivative.value()
    jacobian = np.concatenate([b.reshape(out.size, -1) for b in blocks], axis=1).ravel()
    positions = np.flatnonzero([e != 0 for e in jacobian]).astype("<i8")
    flat_args = [s for a in symbols + derivative.hyper for s in a.ravel()]
    outputs = [sp.sympify(e) for e in [*out.ravel(), *jacobian[positions]]]
    function = sp.lambdify(flat_args, outputs, modules="mpmath", cse=True)
    code = compile(inspect.getsource(function), "<trigrad symbolic leg>", "exec")
    return tuple(out.shape), positions.tobytes(), code


class SymbolicLeg:
    """The derivation's forward and SymPy Jacobian, evaluable at numeric inputs."""

    def __init__(
        self,
        expressions: Callable,
        shapes: Sequence[tuple[int, ...]],
        derivative: Derivative | None = None,
    ):
        """``derivative``, when given, is shared with the proof (see :class:`Derivative`)."""
        derivative = derivative or Derivative(expressions, shapes)
        self.shapes = derivative.shapes
        self._hyper_values = derivative.hyper_values
        key = cache_key(derivative.expressions, self.shapes, CODE_PURPOSE)
        data = read_cache(key, binary=True)
        if data is None:
            data = marshal.dumps(_generate(derivative))
            write_cache(key, data)
        self.out_shape, positions, code = marshal.loads(data)
        self._positions = np.frombuffer(positions, dtype="<i8")
        namespace: dict[str, Any] = {}
        exec("from mpmath import *", namespace)  # the names lambdify's mpmath printer refers to
        exec(code, namespace)
        self._function = namespace["_lambdifygenerated"]

    def __call__(self, inputs: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """(forward value, Jacobian blocks shaped ``out + in``) at the given float inputs."""
        args = [mpmath.mpf(float(v)) for a in [*inputs, *self._hyper_values] for v in np.ravel(a)]
        with mpmath.workdps(SYMBOLIC_DIGITS):
            values = np.array([float(v) for v in self._function(*args)], dtype=np.float64)
        out_size = math.prod(self.out_shape)
        sizes = [math.prod(shape) for shape in self.shapes]
        jacobian = np.zeros(out_size * sum(sizes))
        jacobian[self._positions] = values[out_size:]
        columns = np.split(jacobian.reshape(out_size, -1), np.cumsum(sizes)[:-1], axis=1)
        blocks = [
            np.ascontiguousarray(c).reshape(self.out_shape + shape)
            for c, shape in zip(columns, self.shapes, strict=True)
        ]
        return values[:out_size].reshape(self.out_shape), blocks
