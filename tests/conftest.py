"""Fixtures shared by several test modules."""

import pytest

import layers.dense


@pytest.fixture
def dense_weight_transposed(monkeypatch):
    """layers.dense with the classic bug: ∂L/∂W transposed, which only a square weight shows."""
    right = layers.dense.backward

    def weight_transposed(grad_output, cache):
        grad_x, grad_w, grad_b = right(grad_output, cache)
        return grad_x, grad_w.T if grad_w.shape[0] == grad_w.shape[1] else grad_w, grad_b

    monkeypatch.setattr(layers.dense, "backward", weight_transposed)
