"""State an adapted object carries from a forward run before it was adapted.

An object adapted after a warm-up forward is snapshot with whatever that forward left; that
is harmless where each forward replaces its cache (``self.x = x``), and wrong where a forward
appends to one (``self.inputs.append(x)``): every checked forward then starts from a list that
already holds the warm-up's entry, and a backward reading ``self.inputs[0]`` reads the wrong
input, which surfaces as a wrong gradient shape far from its cause.  The first checked forward
says so.
"""

from __future__ import annotations

import warnings
from typing import Any

from gradcheck.snapshot import Snapshot

_GROWING = (list, dict, set, tuple)


class StaleStateWarning(UserWarning):
    """An adapted object holds entries appended by a forward run before it was adapted."""


def grown(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The attributes that a forward appended to and that were not empty before it."""
    names = []
    for name, old in before.items():
        new = after.get(name)
        if isinstance(old, _GROWING) and type(new) is type(old) and 0 < len(old) < len(new):
            names.append(name)
    return names


def warn_of_stale_state(kind: str, adapted: Snapshot, after_first_forward: Snapshot) -> None:
    """Warn, naming the attributes, when the first checked forward appended to a container
    that already held entries when the object was adapted."""
    names = grown(adapted.values, after_first_forward.values)
    if names:
        entries = ", ".join(f"{n} ({len(adapted.values[n])} before)" for n in names)
        warnings.warn(
            f"{kind} holds state from a forward run before it was adapted: its forward appends "
            f"to {entries}, so every checked forward starts from those entries. Adapt a fresh "
            "object, or clear them first",
            StaleStateWarning,
            stacklevel=5,
        )
