"""Column-major, one column per example: ``Z = W A + b``, b of shape (n, 1)."""


def linear_forward(A, W, b):
    return W @ A + b, (A, W, b)


def linear_backward(dZ, cache, bug=False):
    A, W, _ = cache
    m = A.shape[1] if bug else 1  # the bug: 1/m here although the cost's gradient has it
    return W.T @ dZ, dZ @ A.T / m, dZ.sum(axis=1, keepdims=True) / m
