"""Snapshot an object's state and restore it: what lets a stateful layer object be checked.

An adapted object (:mod:`gradcheck.adapters`) is restored around every call, so thousands of
finite-difference calls leave its running statistics, step counters and random generators
exactly as they were, and every forward computes the same function of its inputs.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

_ABSENT = object()  # an attribute the object did not have: restoring it means deleting it


class Snapshot:
    """Saved attribute values.  Never handed out uncopied, so it is immutable: a deep copy of
    it (``check`` copies caches to catch a backward mutating them) is itself, and compares
    equal, even when it holds generators or other objects without ``==``."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def __deepcopy__(self, memo: dict) -> Snapshot:
        return self


class State:
    """Save and restore an object's attributes: all of ``__dict__``, or the ones named."""

    def __init__(self, obj: Any, names: Sequence[str] | None, extra: Sequence[str]):
        if names is None and not hasattr(obj, "__dict__"):
            raise TypeError(
                f"{type(obj).__name__} has no __dict__ (it uses __slots__): pass "
                "state=('attribute', ...) naming every attribute forward writes"
            )
        self.obj = obj
        self.names = None if names is None else tuple(dict.fromkeys([*names, *extra]))

    def save(self) -> Snapshot:
        """A deep copy of the attributes, taken now."""
        if self.names is None:
            values = vars(self.obj)
        else:
            values = {n: getattr(self.obj, n, _ABSENT) for n in self.names}
        memo: dict = {}  # one memo: attributes sharing an array still share it in the copy
        saved = {}
        for name, value in values.items():
            try:
                saved[name] = value if value is _ABSENT else copy.deepcopy(value, memo)
            except Exception as error:  # a lock, a file, a socket: whatever deepcopy refuses
                kind = type(self.obj).__name__
                raise TypeError(
                    f"cannot snapshot {kind}.{name} ({type(error).__name__}: {error}): pass "
                    "state=(...) naming the attributes forward writes (its cache, running "
                    f"statistics), without {name!r}"
                ) from error
        return Snapshot(saved)

    def restore(self, saved: Snapshot) -> None:
        """Put the attributes back as they were in ``saved``, deleting any it lacked."""
        # copies again: the object may mutate what it is given back in place
        if self.names is None:
            vars(self.obj).clear()
            vars(self.obj).update(copy.deepcopy(saved.values))
            return
        for name, value in saved.values.items():
            if value is not _ABSENT:
                setattr(self.obj, name, copy.deepcopy(value))
            elif hasattr(self.obj, name):
                delattr(self.obj, name)
