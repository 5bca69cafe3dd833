"""SymPy twins of the layers, one module each: ``expressions(*symbols, **hyper)`` writes the
forward element-wise, ``jacobian(*symbols, **hyper)`` states its Jacobian in closed index form,
and ``FORMULAS`` holds those index forms (see :mod:`gradcheck.formula`)."""
