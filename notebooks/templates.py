"""The code cells of the notebooks, as ``str.format`` templates (``{name}``: the layer), and
the text of the error-vs-step section.  ``build.py`` assembles them."""

SETUP = '''import inspect
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

from gradcheck import bind, check
from gradcheck.allsizes import prove_derivation
from gradcheck.allsizes.steps import derivation_steps
from gradcheck.proof import prove
from gradcheck.registry import check_case, get_layer
from gradcheck.stepplot import draw, error_vs_step
from gradcheck.symbolic import symbols_like, sympy_jacobian

LONG = 700  # characters of LaTeX worth reading


def show(lhs, expr):
    """Display lhs = expr, as LaTeX when it is short enough to read.  The sample's exact
    rationals (targets) are shown to 4 digits."""
    expr = sp.sympify(expr)
    expr = expr.xreplace({r: sp.Float(r, 4) for r in expr.atoms(sp.Rational) if r.q > 1000})
    latex = sp.latex(expr)
    if len(latex) > LONG:
        print(f"{lhs} = ({len(latex)} characters of LaTeX) {str(expr)[:200]}...")
    else:
        display(Math(f"{lhs} = {latex}"))


def subscript(index):
    return "_{" + ",".join(map(str, index)) + "}" if index else ""


def show_entries(name, array, limit=2):
    """The first entries of an object array of expressions."""
    for index in list(np.ndindex(array.shape))[:limit]:
        show(name + subscript(index), array[index])


def show_derivatives(name, block, out_ndim, limit=2):
    """How sparse one Jacobian block is, and its shortest non-zero entries."""
    nonzero = [i for i in np.ndindex(block.shape) if block[i] != 0]
    print(f"d y / d {name}: {len(nonzero)} of {block.size} entries are non-zero")
    for index in sorted(nonzero, key=lambda i: len(str(block[i])))[:limit]:
        out, inp = subscript(index[:out_ndim]), subscript(index[out_ndim:])
        show(rf"\\frac{{\\partial y{out}}}{{\\partial {name}{inp}}}", block[index])


def tanh_after(first, **hyper):
    """y = tanh(first(inputs)): the chain rule, as a layer of its own."""
    from layers import tanh

    def forward(*inputs):
        z, first_cache = first.forward(*inputs, **hyper)
        y, tanh_cache = tanh.forward(z)
        return y, (first_cache, tanh_cache)

    def backward(grad_output, cache):
        first_cache, tanh_cache = cache
        (grad_z,) = tanh.backward(grad_output, tanh_cache)
        return first.backward(grad_z, first_cache)

    return forward, backward'''

WALK = """layer = get_layer("{name}")
print(inspect.getdoc(layer.module).split("\\n\\n")[0], end="\\n\\n")
inputs, hyper = layer.cases[0].sample(seed=0)
symbols = [symbols_like(n, a.shape) for n, a in zip(layer.input_names, inputs, strict=True)]
y = np.asarray(layer.derivation.expressions(*symbols, **hyper), dtype=object)
print(f"case {{layer.cases[0].id}}: inputs {{[a.shape for a in inputs]}} -> y {{y.shape}}")
show_entries("y", y)"""

JACOBIAN = """blocks = sympy_jacobian(y, symbols)
for name, block in zip(layer.input_names, blocks, strict=True):
    show_derivatives(name, block, y.ndim)"""

INDEX_FORM = """for formula in layer.derivation.FORMULAS.values():
    display(Math(formula.latex()))
bound = bind(layer.derivation, **hyper)
disproofs = prove(bound.expressions, bound.jacobian, [a.shape for a in inputs])
print("proof:", disproofs or "every entry equals SymPy's derivative")"""

ALL_SIZES = """for lhs, expr in derivation_steps(layer.derivation):
    if expr is None:
        print(lhs)
    else:
        show(lhs, expr)
for verdict in prove_derivation(layer.derivation):
    note = f" ({{verdict.detail}})" if verdict.detail else ""
    print(f"{{verdict.input}}: {{verdict.status}}{{note}}")"""

CURVE = """curves = {{
    "backward as written": error_vs_step(forward, backward, inputs),
    "backward off by 0.1%": error_vs_step(
        forward, lambda g, cache: tuple(1.001 * d for d in backward(g, cache)), inputs
    ),
}}
round_off, truncation = curves["backward as written"].slopes()
print(f"slopes: round-off {{round_off:.2f}}, truncation {{truncation:.2f}}")
assert -1.4 < round_off < -0.6 and 1.7 < truncation < 2.3, "not the V of a right backward"
figure, axes = plt.subplots(1, 2, figsize=(13, 4.5))
for ax, (title, curve) in zip(axes, curves.items(), strict=True):
    draw(curve, ax, f"{label}: {{title}}")
plt.show()"""

PLAIN = """layer = get_layer("{name}")
inputs, hyper = layer.cases[0].sample(seed=0)
forward, backward = partial(layer.module.forward, **hyper), layer.module.backward"""

CHAINED = '''import layers.{name}

layer = get_layer("{name}")
inputs, hyper = layer.cases[0].sample(seed=0)
forward, backward = tanh_after(layers.{name}, **hyper)
print(check(forward, backward, inputs, name="tanh({name})"))
alone = error_vs_step(partial(layer.module.forward, **hyper), layer.module.backward, inputs)
print("{name} alone, slopes (round-off, truncation):", alone.slopes())
assert np.isnan(alone.slopes()[1]), "a bilinear layer has no truncation error"'''

V_TEXT = (
    "## Error against step size\n\nThe numeric leg divides by the step h. Truncation error "
    "falls as h² (slope 2 on log-log axes), round-off grows as ε/h (slope -1): the error is "
    "a V with its bottom near h ≈ ∛ε ≈ 1e-5, and the checker's default h = 1e-3 times the "
    "input's spread, refined by Richardson extrapolation, sits on the right branch. Against a "
    "wrong backward (right) the curve levels off at the size of the bug instead of falling."
)
