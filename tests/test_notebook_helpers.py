"""The notebooks open with a few lines of public API, and show long entries readably."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import gradcheck.notebook as notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_first_code_cell_is_a_few_imports_of_public_api(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    modules = re.findall(r"^(?:from|import) (gradcheck[.\w]*)", first, re.M)
    assert modules and set(modules) <= {"gradcheck", "gradcheck.notebook"}, modules
    assert "def " not in first and len(first.splitlines()) <= 25


def test_a_long_entry_is_shown_as_its_common_subexpressions(monkeypatch):
    shown = []
    monkeypatch.setattr(notebook, "_display", lambda latex, mathml="": shown.append(latex))
    x = sp.symbols("x0:6")
    norm = sp.sqrt(sum(v**2 for v in x) / 6 + sp.Rational(1, 10**5))
    long = sp.diff(x[0] / norm * sp.exp(x[1] / norm), x[0]) * sp.log(1 + norm**2)
    assert len(sp.latex(long)) > notebook.LONG
    notebook.show("d", long)
    assert len(shown) > 1 and shown[-1].startswith("d = ")  # s0 = ..., then d in terms of s
    assert all(len(line) <= notebook.LONG for line in shown)
    assert not any("characters of LaTeX" in line for line in shown)


def test_a_short_entry_is_one_line(monkeypatch):
    shown = []
    monkeypatch.setattr(notebook, "_display", lambda *equation: shown.append(equation))
    notebook.show_entries("y", np.array([sp.tanh(sp.Symbol("x"))], dtype=object))
    ((latex, mathml),) = shown
    assert latex == r"y_{0} = \tanh{\left(x \right)}"
    assert mathml.startswith("<msub><mi>y</mi><mn>0</mn></msub><mo>=</mo>") and "\\" not in mathml


def test_equations_reach_the_notebook_as_mathml_and_latex(monkeypatch):
    """The HTML output (MathML, rendered without MathJax) is what an HTML export keeps."""
    pytest.importorskip("IPython", reason="the notebooks extra installs IPython")
    import IPython.display

    bundles = []
    monkeypatch.setattr(IPython.display, "display", lambda b, raw: bundles.append(b))
    notebook.show_formula(__import__("derivations.softmax").softmax.FORMULAS["x"])
    (bundle,) = bundles
    assert bundle["text/html"].startswith('<math display="block"><mfrac>')
    assert "\\" not in bundle["text/html"] and bundle["text/latex"].startswith("$$\\frac")
