"""cs231n style: ``layer_forward(x, w, b) -> (out, cache)``, ``layer_backward(dout, cache)``,
and losses that return their gradient: ``softmax_loss(x, y) -> (loss, dx)``."""

import numpy as np


def affine_forward(x, w, b):
    """x (N, d1, ..., dk) flattened to (N, D); w (D, M); b (M,)."""
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache, bug=False):
    x, w, _ = cache
    rows = x.reshape(x.shape[0], -1)
    dw = rows.T @ dout / (len(x) if bug else 1)  # the bug: a mean where the loss has one
    return (dout @ w.T).reshape(x.shape), dw, dout.sum(axis=0)


def softmax_loss(x, y, bug=False):
    """Mean cross-entropy of scores x (N, C) against integer labels y (N,), and dL/dx."""
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(x)
    loss = -log_probs[np.arange(n), y].mean()
    dx = np.exp(log_probs)
    dx[np.arange(n), y] -= 1
    return loss, dx if bug else dx / n  # the bug: the mean's 1/N forgotten


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(y, bug=False):
    """The derivative from the output: y (1 - y)."""
    return y * (1 - y) if not bug else y * (1 + y)
