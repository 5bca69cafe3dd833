"""Formulas as MathML, which browsers render natively: a report shows its maths offline.

SymPy's presentation printer, taught the four things index notation needs: Kronecker's δ
with its indices as a subscript, ``y[b, i]`` as ``y`` with subscript ``b,i``, a Piecewise as a
brace of cases, and SymPy's ``xhat`` as x̂ (as its LaTeX printer does).
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter

_ACCENTS = {"hat": "^", "bar": "¯", "tilde": "~", "dot": "˙"}


class IndexPrinter(MathMLPresentationPrinter):
    """Presentation MathML for the closed index forms of :class:`gradcheck.Formula`."""

    def _element(self, tag: str, *children, text: str | None = None):
        element = self.dom.createElement(tag)
        if text is not None:
            element.appendChild(self.dom.createTextNode(text))
        for child in children:
            element.appendChild(child)
        return element

    def _subscripted(self, base, subscripts):
        row = self._element("mrow")
        for k, index in enumerate(subscripts):
            if k:
                row.appendChild(self._element("mo", text=","))
            row.appendChild(self._print(index))
        return self._element("msub", base, row)

    def _print_KroneckerDelta(self, e):
        return self._subscripted(self._element("mi", text="δ"), e.args)

    def _print_Indexed(self, e):
        return self._subscripted(self._print(e.base.label), e.indices)

    def _print_Symbol(self, sym, style="plain"):
        for name, mark in _ACCENTS.items():
            if sym.name.endswith(name) and len(sym.name) > len(name):
                base = self._print(sp.Symbol(sym.name[: -len(name)]))
                return self._element("mover", base, self._element("mo", text=mark))
        return super()._print_Symbol(sym, style)

    def _print_Piecewise(self, e):
        table = self._element("mtable")
        for value, condition in e.args:
            when = self._element("mtext", text="otherwise")
            if condition is not sp.true:
                when = self._element(
                    "mrow", self._element("mtext", text="if\u00a0"), self._print(condition)
                )
            cells = [self._element("mtd", self._print(value)), self._element("mtd", when)]
            table.appendChild(self._element("mtr", *cells))
        return self._element("mrow", self._element("mo", text="{"), table)


def to_mathml(expression: sp.Basic) -> str:
    """The expression as presentation MathML (without the enclosing ``<math>``)."""
    return IndexPrinter({"order": "none"}).doprint(expression)
