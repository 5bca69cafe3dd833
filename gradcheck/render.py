"""One document, two renderings: a list of blocks written out as Markdown or as HTML.

A block is a tuple whose first item names its kind::

    ("h1" | "h2" | "h3", text[, id])   ("p", text)   ("pre", text)   ("math", latex, mathml)
    ("table", header, rows)             ("list", items)                 ("img", file, alt)

Text may hold `code` in backticks; a table cell may be a link, ``("a", text, href)``.  Maths is
MathML in HTML, which browsers render natively (no script, no network: a report opened
offline or from a CI artifact shows its formulas), and the ``$$`` LaTeX blocks that GitHub
renders in Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

Block = tuple[Any, ...]

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; }
td.FAIL, td.NO { color: #b00; font-weight: bold; } td.PASS { color: #070; }
pre { background: #f6f6f6; padding: 0.5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
math[display="block"] { margin: 0.6rem 0; font-size: 1.15rem; }
img { max-width: 100%; }
"""


MARKED = {"PASS", "FAIL", "NO"}


def _cell(text: Any) -> str:
    if isinstance(text, tuple):  # a link
        return f"[{_cell(text[1])}]({text[2]})"
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as GitHub-flavoured Markdown."""
    out = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + rest[0])
        elif kind == "p":
            out.append(rest[0])
        elif kind == "pre":
            out.append(f"```\n{rest[0]}\n```")
        elif kind == "math":
            out.append(f"$$\n{rest[0]}\n$$")  # GitHub renders LaTeX, not MathML
        elif kind == "table":
            header, rows = rest
            lines = ["| " + " | ".join(map(_cell, header)) + " |"]
            lines.append("| " + " | ".join("---" for _ in header) + " |")
            lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
            out.append("\n".join(lines))
        elif kind == "list":
            out.append("\n".join(f"* {item}" for item in rest[0]))
        elif kind == "img":
            file, alt = rest
            out.append(f"![{alt}]({file})")
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return "\n\n".join(out) + "\n"


def _inline(text: str) -> str:
    """Escape text for HTML, then turn `code` spans into <code> elements."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text), quote=False))


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")


def _html_cell(cell: Any) -> str:
    if isinstance(cell, tuple):  # ("a", text, href)
        return f'<td><a href="{html.escape(cell[2])}">{_inline(cell[1])}</a></td>'
    if cell in MARKED:  # verdicts carry a class, so that the style sheet colours them
        return f'<td class="{cell}">{cell}</td>'
    return f"<td>{_inline(cell)}</td>"


def to_html(blocks: Sequence[Block], title: str) -> str:
    """The blocks as one standalone HTML page that loads nothing: maths in MathML."""
    body = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            anchor = rest[1] if len(rest) > 1 else _anchor(rest[0])
            body.append(f'<{kind} id="{anchor}">{_inline(rest[0])}</{kind}>')
        elif kind == "p":
            body.append(f"<p>{_inline(rest[0])}</p>")
        elif kind == "pre":
            body.append(f"<pre>{html.escape(rest[0], quote=False)}</pre>")
        elif kind == "math":
            latex, mathml = rest
            body.append(f'<div class="math" title="{html.escape(latex)}">{mathml}</div>')
        elif kind == "table":
            header, rows = rest
            head = "".join(f"<th>{_inline(h)}</th>" for h in header)
            lines = [f"<table>\n<tr>{head}</tr>"]
            for row in rows:
                cells = "".join(_html_cell(c) for c in row)
                lines.append(f"<tr>{cells}</tr>")
            body.append("\n".join(lines) + "\n</table>")
        elif kind == "list":
            items = "".join(f"<li>{_inline(item)}</li>" for item in rest[0])
            body.append(f"<ul>{items}</ul>")
        elif kind == "img":
            file, alt = (html.escape(str(v)) for v in rest)
            body.append(f'<p><a href="{file}"><img src="{file}" alt="{alt}"></a></p>')
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
