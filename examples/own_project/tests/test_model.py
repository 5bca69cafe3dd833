"""mynn's own tests: trigrad's fixture checks a layer written outside the collection too."""

from functools import partial

import numpy as np


def swish(x, beta=1.0):
    s = 1 / (1 + np.exp(-beta * x))
    return x * s, (x, s, beta)


def swish_backward(grad_output, cache):
    x, s, beta = cache
    return (grad_output * (s + beta * x * s * (1 - s)),)


def test_swish(gradcheck):
    x = np.random.default_rng(0).standard_normal((4, 5))
    gradcheck(partial(swish, beta=1.5), swish_backward, [x])
