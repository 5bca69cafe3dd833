"""The code cells of the notebooks, as ``str.format`` templates (``{name}``: the layer), and
the text of the error-vs-step section.  ``build.py`` assembles them."""

SETUP = """import inspect
from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from gradcheck import {gradcheck_names}
from gradcheck.notebook import (
    derivation_steps,
    draw,
    error_vs_step,
    prove,
    prove_derivation,
    show,
    show_derivatives,
    show_entries,
    show_formula,
    symbols_like,
    sympy_jacobian,
)"""

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

INDEX_FORM = """show_formula(list(layer.derivation.FORMULAS.values()))
derivation = bind(layer.derivation, **hyper)
disproofs = prove(derivation.expressions, derivation.jacobian, [a.shape for a in inputs])
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

CHAINED = '''layer = get_layer("{name}")
inputs, hyper = layer.cases[0].sample(seed=0)
forward, backward = compose(bound(layer.module, **hyper), get_layer("tanh").module)
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
