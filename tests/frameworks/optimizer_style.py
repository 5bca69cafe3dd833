"""Other method names, gradients handed straight to an optimizer, dropout from np.random:

self.W = self.W_opt.update(self.W, grad_w)
"""

import copy

import numpy as np


class SGD:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate

    def update(self, w, grad_wrt_w):
        return w - self.learning_rate * grad_wrt_w


class Dense:
    def __init__(self, n_in, n_units, rng, bug=False):
        self.W = rng.uniform(-1, 1, (n_in, n_units)) / np.sqrt(n_in)
        self.w0 = np.zeros((1, n_units))
        self.bug = bug

    def initialize(self, optimizer):
        self.W_opt, self.w0_opt = copy.copy(optimizer), copy.copy(optimizer)

    def forward_pass(self, X, training=True):
        self.layer_input = X
        return X.dot(self.W) + self.w0

    def backward_pass(self, accum_grad):
        W = self.W
        grad_w = self.layer_input.T.dot(accum_grad)
        grad_w0 = np.sum(accum_grad, axis=0, keepdims=True) * (0.5 if self.bug else 1.0)
        self.W = self.W_opt.update(self.W, grad_w)
        self.w0 = self.w0_opt.update(self.w0, grad_w0)
        return accum_grad.dot(W.T)


class Dropout:
    def __init__(self, p=0.5, bug=False):
        self.p, self.bug = p, bug

    def forward_pass(self, X, training=True):
        c = 1 - self.p
        if training:
            self._mask = np.random.uniform(size=X.shape) > self.p
            c = self._mask
        return X * c

    def backward_pass(self, accum_grad):
        return accum_grad if self.bug else accum_grad * self._mask  # the bug: mask ignored
