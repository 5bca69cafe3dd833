"""float32 in, float32 out: no layer silently upcasts (a float64 constant or buffer would).

Every registered layer runs forward and backward on float32 inputs of its first case; the
output and every gradient must stay float32.  Float hyperparameters (soft targets) are float32
too, as a float32 training loop would pass them.
"""

import numpy as np
import pytest

from gradcheck.registry import get_layer, layer_names


def _float32(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float32)
    return value


@pytest.mark.parametrize("name", layer_names())
def test_float32_in_float32_out(name):
    module = get_layer(name).module
    inputs, hyper = module.CASES[0].sample(seed=0)
    inputs = [a.astype(np.float32) for a in inputs]
    hyper = {k: _float32(v) for k, v in hyper.items()}

    output, cache = module.forward(*inputs, **hyper)
    assert np.asarray(output).dtype == np.float32, f"{name} forward returned {output.dtype}"

    rng = np.random.default_rng(1)
    grad_output = rng.standard_normal(np.shape(output)).astype(np.float32)
    grads = module.backward(grad_output, cache)
    dtypes = [str(np.asarray(g).dtype) for g in grads]
    assert dtypes == ["float32"] * len(inputs), f"{name} backward returned {dtypes}"
