"""The symbolic leg: SymPy differentiates a derivation's element-wise forward.

The Jacobian is turned into Python source with ``lambdify`` (evaluated in mpmath at 40 digits,
so the exact formula has no float overflow at logits of ±1000) and the source is cached on
disk, keyed by the SymPy version, the derivation's source, code, closure and hyperparameters
and the shapes: a warm run does no differentiation.  Files are written atomically so that
parallel pytest workers can share the cache.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import inspect
import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from gradcheck.fingerprint import fingerprint
from gradcheck.misuse import as_expressions

CACHE_FORMAT = "2"
SYMBOLIC_DIGITS = 40


def cache_dir() -> Path:
    """``$TRIGRAD_CACHE_DIR``, else ``$XDG_CACHE_HOME/trigrad``, else ``~/.cache/trigrad``."""
    if os.environ.get("TRIGRAD_CACHE_DIR"):
        return Path(os.environ["TRIGRAD_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "trigrad"


def symbols_like(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of real symbols ``name_i_j`` with the given shape."""
    out = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        suffix = "_".join(map(str, index))
        out[index] = sp.Symbol(f"{name}_{suffix}" if suffix else name, real=True)
    return out


def _unwrap(function: Callable) -> tuple[Callable, tuple, dict]:
    args: tuple = ()
    keywords: dict = {}
    while isinstance(function, functools.partial):
        args = function.args + args
        keywords = {**function.keywords, **keywords}
        function = function.func
    return function, args, keywords


def _helpers_source() -> str:
    # derivations call the shared helpers (elementwise, Formula): their source is part of the
    # result.  Imported, not looked up in sys.modules, which lacks it in a user's fresh process.
    try:
        return inspect.getsource(importlib.import_module("derivations._index"))
    except ImportError:  # a user's own package named derivations: theirs has no helpers
        return ""


def cache_key(function: Callable, shapes: Sequence[tuple[int, ...]], purpose: str) -> str:
    """A digest of everything the symbolic result depends on.

    That is the derivation's module source, its code, closure and bound hyperparameters
    (:mod:`gradcheck.fingerprint`) and the shapes.  When some part has no reliable
    fingerprint, the key is unique to this call and contains ``-``, which names no cache file:
    :func:`read_cache` misses and :func:`write_cache` does nothing.
    """
    base, args, keywords = _unwrap(function)
    module = inspect.getmodule(base)
    try:
        source = inspect.getsource(module) if module else inspect.getsource(base)
    except (OSError, TypeError):
        source = None
    parts = [source, fingerprint(base), fingerprint(args), fingerprint(keywords)]
    if None in parts:
        return "-" + uuid.uuid4().hex[:31]
    parts = [CACHE_FORMAT, sp.__version__, purpose, _helpers_source(), base.__qualname__, *parts]
    parts.append(repr(list(map(tuple, shapes))))
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def read_cache(key: str) -> str | None:
    """The cached text for ``key``, or None (always for a key containing ``-``)."""
    path = cache_dir() / key
    return path.read_text() if "-" not in key and path.exists() else None


def write_cache(key: str, text: str) -> None:
    """Write through a temporary file and ``os.replace``, so readers never see half a file."""
    if "-" in key:  # see cache_key: nothing reliable to key on
        return
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    with os.fdopen(handle, "w") as f:
        f.write(text)
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


# The last derivative, by cache key: a check's leg and proof both need SymPy's Jacobian of the
# same forward, and differentiating is most of a cold check.  One entry, as a check is done with
# it before the next check starts.
_LAST: dict[str, tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]] = {}


def derivative(
    expressions: Callable, shapes: Sequence[tuple[int, ...]]
) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]:
    """Symbols ``a{k}_...`` of the given shapes, ``expressions`` of them, and their Jacobian.

    The result is kept in memory under :func:`cache_key` until another derivative is taken
    (never when the key is unique to the call), so the caller must not modify it.
    """
    key = cache_key(expressions, shapes, "derivative")
    if key in _LAST:
        return _LAST[key]
    symbols = [symbols_like(f"a{k}", tuple(s)) for k, s in enumerate(shapes)]
    out = as_expressions(expressions(*symbols))
    result = (symbols, out, sympy_jacobian(out, symbols))
    _LAST.clear()
    if "-" not in key:
        _LAST[key] = result
    return result


def symbolic_hyper(function: Callable) -> tuple[Callable, list[np.ndarray], list[np.ndarray]]:
    """Rebind a derivation's float-array hyperparameters (soft targets) as symbols.

    They do not change an expression's structure, so the lambdified Jacobian takes them as
    arguments and a proof holds for every value: one cache entry serves every target.
    Returns the rebound function, the symbol arrays and the values, in the same order.
    """
    base, args, keywords = _unwrap(function)
    symbols, values = [], []
    for name, value in sorted(keywords.items()):
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            keywords[name] = symbols_like(f"h_{name}", value.shape)
            symbols.append(keywords[name])
            values.append(value)
    return functools.partial(base, *args, **keywords), symbols, values


def _compile(source: str, name: str) -> Callable:
    namespace: dict[str, Any] = {}
    exec("from mpmath import *", namespace)  # the names lambdify's mpmath printer refers to
    exec(source, namespace)
    return namespace[name]


class SymbolicLeg:
    """The derivation's forward and SymPy Jacobian, evaluable at numeric inputs."""

    def __init__(self, expressions: Callable, shapes: Sequence[tuple[int, ...]]):
        self.shapes = [tuple(s) for s in shapes]
        expressions, self._hyper_symbols, self._hyper_values = symbolic_hyper(expressions)
        key = cache_key(expressions, self.shapes, "lambdify")
        source = read_cache(key)
        if source is None:
            source = self._generate(expressions)
            write_cache(key, source)
        self.out_shape = tuple(
            ast.literal_eval(source.splitlines()[0].removeprefix("# output shape "))
        )
        self._function = _compile(source, "_lambdifygenerated")

    def _generate(self, expressions: Callable) -> str:
        symbols, out, blocks = derivative(expressions, self.shapes)
        flat_args = [s for a in symbols + self._hyper_symbols for s in a.ravel()]
        outputs = [sp.sympify(e) for e in out.ravel()]
        for block in blocks:
            outputs += [sp.sympify(e) for e in block.ravel()]
        function = sp.lambdify(flat_args, outputs, modules="mpmath", cse=True)
        header = f"# output shape {out.shape}\n"
        return header + inspect.getsource(function)

    def __call__(self, inputs: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """(forward value, Jacobian blocks shaped ``out + in``) at the given float inputs."""
        args = [mpmath.mpf(float(v)) for a in [*inputs, *self._hyper_values] for v in np.ravel(a)]
        with mpmath.workdps(SYMBOLIC_DIGITS):
            values = np.array([float(v) for v in self._function(*args)], dtype=np.float64)
        out_shape = self.out_shape
        out_size = int(np.prod(out_shape))
        forward, rest = values[:out_size].reshape(out_shape), values[out_size:]
        blocks, start = [], 0
        for shape in self.shapes:
            size = out_size * int(np.prod(shape))
            blocks.append(rest[start : start + size].reshape(out_shape + shape))
            start += size
        return forward, blocks
