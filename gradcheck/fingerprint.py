"""Stable text fingerprints of values and functions, and the on-disk symbolic cache key.

Two derivations may share a module and a ``__qualname__`` yet compute different things: two
lambdas in one file, closures from one factory (``make(2)``, ``make(3)``), a partial binding
another hyperparameter.  A function is therefore fingerprinted by its code, defaults, closure
cells and partial arguments, recursively.  A fingerprint must be the same in every process,
so anything whose text could name a memory address or depend on hash order has none
(``None``): a stale Jacobian is worse than a cold run.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import types
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

CACHE_FORMAT = "2"
_PLAIN = (type(None), bool, int, float, complex, str, bytes, range, slice, type(...), np.generic)


def fingerprint(value: Any) -> str | None:
    """Text that is equal for equal values in any process, or None when none is reliable.

    Parameters
    ----------
    value
        A hyperparameter, closure value or function: plain scalars, strings, NumPy arrays and
        scalars, SymPy objects, lists, tuples, sets and dicts of these, functions, partials,
        classes and modules.

    Returns
    -------
    str or None
        None for any other object (its ``repr`` may hold an address or hide its state).
    """
    return _fingerprint(value, frozenset())


def _join(tag: str, items: Any, seen: frozenset[int]) -> str | None:
    parts = [_fingerprint(v, seen) for v in items]
    return None if None in parts else tag + "(" + ",".join(parts) + ")"


def _fingerprint(value: Any, seen: frozenset[int]) -> str | None:
    if isinstance(value, _PLAIN):
        return repr(value)
    if isinstance(value, sp.Basic):
        return sp.srepr(value)  # srepr keeps assumptions (real=True), which str drops
    if isinstance(value, np.ndarray) and value.dtype == object:
        return _join(f"objects{value.shape}", value.ravel(), seen)
    if isinstance(value, np.ndarray):
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return f"array{value.dtype}{value.shape}{digest}"
    if id(value) in seen:
        # a function reaching itself through its closure (recursion): already being described
        return "<recursive>" if callable(value) else None
    seen = seen | {id(value)}
    if isinstance(value, list | tuple):
        return _join(type(value).__name__, value, seen)
    if isinstance(value, set | frozenset | dict):
        items = value.items() if isinstance(value, dict) else value
        parts = [_fingerprint(v, seen) for v in items]
        return None if None in parts else type(value).__name__ + "{" + ",".join(sorted(parts)) + "}"
    if isinstance(value, functools.partial):
        return _join("partial", (value.func, value.args, value.keywords), seen)
    if isinstance(value, types.MethodType):
        return _join("method", (value.__func__, value.__self__), seen)
    if isinstance(value, types.FunctionType):
        return _function(value, seen)
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    if isinstance(value, types.BuiltinFunctionType) and not isinstance(
        value.__self__, types.ModuleType | None
    ):
        return None  # a bound method such as rng.random: its object's state is unknown
    if isinstance(value, type | types.BuiltinFunctionType | np.ufunc):
        # library code (sympy.exp is a class): its name, and the library's version elsewhere
        return f"{getattr(value, '__module__', None)}.{value.__qualname__}"
    return None


def _function(function: types.FunctionType, seen: frozenset[int]) -> str | None:
    cells = []
    for cell in function.__closure__ or ():
        try:
            cells.append(cell.cell_contents)
        except ValueError:  # a cell not yet assigned when the closure was made
            cells.append("<empty cell>")
    parts = [_code(function.__code__), _join("defaults", function.__defaults__ or (), seen)]
    parts += [_fingerprint(function.__kwdefaults__ or {}, seen), _join("closure", cells, seen)]
    # the function's own module, when it is not the derivation's: a helper defined elsewhere
    parts.append(_module_source(function))
    return None if None in parts else "function(" + ",".join(parts) + ")"


def _code(code: types.CodeType) -> str:
    consts = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):  # nested lambdas and comprehensions
            consts.append(_code(const))
        elif isinstance(const, frozenset):  # `x in {"a", "b"}`: order varies with the hash seed
            consts.append("frozenset" + repr(sorted(map(repr, const))))
        else:
            consts.append(repr(const))
    text = f"{code.co_code.hex()}|{consts}|{code.co_firstlineno}|{code.co_names}"
    return hashlib.sha256(text.encode()).hexdigest()


def _module_source(function: types.FunctionType) -> str | None:
    # not memoised: inspect re-reads a module file edited during a session, and so must the key
    module = inspect.getmodule(function)
    try:
        return hashlib.sha256(inspect.getsource(module).encode()).hexdigest()
    except (OSError, TypeError):  # no source (python -c, a notebook cell): no reliable key
        return None


def unwrap(function: Callable) -> tuple[Callable, tuple, dict]:
    """A partial's innermost function, with its bound positional and keyword arguments."""
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
        return inspect.getsource(importlib.import_module("gradcheck.formula"))
    except ImportError:  # a user's own package named derivations: theirs has no helpers
        return ""


def cache_key(function: Callable, shapes: Sequence[tuple[int, ...]], purpose: str) -> str:
    """A digest of everything the symbolic result depends on.

    That is the derivation's module source, its code, closure and bound hyperparameters
    (:func:`fingerprint`) and the shapes.  When some part has no reliable
    fingerprint, the key is unique to this call and contains ``-``, which names no cache file:
    :func:`gradcheck.symbolic.read_cache` misses and ``write_cache`` does nothing.
    """
    base, args, keywords = unwrap(function)
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
