"""NumPy layers, one module each: ``forward(*inputs, **hyper) -> (output, cache)`` and
``backward(grad_output, cache) -> tuple`` with one gradient per input, plus the ``CASES`` they
are checked at (see :mod:`gradcheck.cases`)."""
