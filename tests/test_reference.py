"""Every layer against its PyTorch twin: forward values and every gradient, every case.

Runs in ``tox -e reference`` (and CI); skipped, with the reason shown, where torch is absent.
The output gradient is random — all-ones would make softmax and batch-norm input gradients
exactly zero and hide their bugs.
"""

import numpy as np
import pytest

from gradcheck.registry import get_layer, layer_names

torch = pytest.importorskip("torch", reason="the reference extra (torch) is not installed")

pytestmark = pytest.mark.reference

CASES = [(name, case) for name in layer_names() for case in get_layer(name).cases]


def _close(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12 * scale, err_msg=what)


@pytest.mark.parametrize("name, case", CASES, ids=[f"{name}-{case.id}" for name, case in CASES])
def test_matches_torch(name, case):
    module = get_layer(name).module
    inputs, hyper = case.sample(seed=0)
    output, cache = module.forward(*inputs, **hyper)
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    expected = module.torch_reference(*tensors, **hyper)
    _close(output, expected.detach().numpy(), f"{name} forward")

    grad_output = np.random.default_rng(1).standard_normal(np.shape(output))
    grads = module.backward(grad_output, cache)
    expected_grads = torch.autograd.grad(
        expected, tensors, grad_outputs=torch.tensor(grad_output), allow_unused=True
    )
    for k, (ours, theirs) in enumerate(zip(grads, expected_grads, strict=True)):
        theirs = np.zeros_like(inputs[k]) if theirs is None else theirs.numpy()
        _close(ours, theirs, f"{name} gradient {k}")
