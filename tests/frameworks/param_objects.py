"""Parameter objects holding ``.data`` and an accumulated ``.grad``, weight (out, in)."""

import numpy as np


class Parameter:
    def __init__(self, data):
        self.data = data
        self.grad = np.zeros_like(data)


class Linear:
    def __init__(self, n_in, n_out, rng, bug=False):
        self.weight = Parameter(rng.standard_normal((n_out, n_in)))
        self.bias = Parameter(rng.standard_normal(n_out))
        self.bug = bug

    def forward(self, x):
        self.input = x
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad):
        self.weight.grad += grad.T @ self.input
        self.bias.grad += grad.sum(axis=0)
        weight = self.weight.data.T if self.bug else self.weight.data  # the bug: a transpose
        return grad @ weight
