"""Text for any terminal: a report's ∂, δ and σ where the stream can encode them, ASCII names
where it cannot (``d y[0,1]/d x[0,2]``), never a ``UnicodeEncodeError``."""

from __future__ import annotations

import sys
from typing import TextIO

_SUBSCRIPTS = {chr(0x2080 + d): str(d) for d in range(10)}
ASCII = str.maketrans(
    {
        "∂": "d ",
        "·": "*",
        "×": "x",
        "δ": "delta",
        "ε": "eps",
        "θ": "theta",
        "σ": "sigma",
        "μ": "mu",
        "γ": "gamma",
        "β": "beta",
        "Σ": "sum",
        "ᵀ": "^T",
        "²": "^2",
        "³": "^3",
        "⁴": "^4",
        "½": "1/2",
        "√": "sqrt",
        "∛": "cbrt",
        "±": "+/-",
        "≈": "~=",
        "∝": "~",
        "≤": "<=",
        "≥": ">=",
        "→": "->",
        "−": "-",
        "–": "-",
        "—": "--",
        "…": "...",
        **_SUBSCRIPTS,
    }
)


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` as ``stream`` can encode it: unchanged, else with ASCII names, and any other
    character escaped (``\\u2207``)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        return text.translate(ASCII).encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: ASCII is safe everywhere
        return text.translate(ASCII).encode("ascii", "backslashreplace").decode("ascii")


def echo(text: str = "", stream: TextIO | None = None) -> None:
    """``print(text)`` to ``stream`` (default stdout) that cannot fail on its encoding."""
    stream = stream or sys.stdout
    print(for_stream(text, stream), file=stream, flush=True)  # piped too: each line as it comes
