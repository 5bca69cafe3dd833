"""Naive loop implementations of five representative kernels: the baseline the layers beat.

Each is what a first version reads like: Python loops over every output (and window, and
kernel offset), one scalar at a time, with the layer's signature and cache contract, so the
comparison can time both on the same inputs and check that they agree.  SIZES are small on
purpose: the loops take milliseconds there and minutes at the realistic sizes.
"""

from __future__ import annotations

import math

import numpy as np

from gradcheck.cases import Case, rand_normal


def dense_forward(x, weight, bias):
    batch, inputs = x.shape
    y = np.zeros((batch, weight.shape[0]), dtype=x.dtype)
    for b in range(batch):
        for o in range(weight.shape[0]):
            total = bias[o]
            for i in range(inputs):
                total += x[b, i] * weight[o, i]
            y[b, o] = total
    return y, (x, weight)


def dense_backward(g, cache):
    x, weight = cache
    grad_x, grad_w = np.zeros_like(x), np.zeros_like(weight)
    grad_b = np.zeros(weight.shape[0], dtype=g.dtype)
    for b in range(x.shape[0]):
        for o in range(weight.shape[0]):
            grad_b[o] += g[b, o]
            for i in range(x.shape[1]):
                grad_x[b, i] += g[b, o] * weight[o, i]
                grad_w[o, i] += g[b, o] * x[b, i]
    return grad_x, grad_w, grad_b


def conv2d_forward(x, weight, bias, *, padding=0):
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    oh, ow = h + 2 * padding - kh + 1, w + 2 * padding - kw + 1
    y = np.zeros((n, o, oh, ow), dtype=x.dtype)
    for b in range(n):
        for f in range(o):
            for i in range(oh):
                for j in range(ow):
                    total = bias[f]
                    for ch in range(c):
                        for k in range(kh):
                            for l in range(kw):
                                u, v = i + k - padding, j + l - padding
                                if 0 <= u < h and 0 <= v < w:
                                    total += weight[f, ch, k, l] * x[b, ch, u, v]
                    y[b, f, i, j] = total
    return y, (x, weight, padding)


def conv2d_backward(g, cache):
    x, weight, padding = cache
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    grad_x, grad_w = np.zeros_like(x), np.zeros_like(weight)
    grad_b = np.zeros(o, dtype=g.dtype)
    for b in range(n):
        for f in range(o):
            for i in range(g.shape[2]):
                for j in range(g.shape[3]):
                    grad_b[f] += g[b, f, i, j]
                    for ch in range(c):
                        for k in range(kh):
                            for l in range(kw):
                                u, v = i + k - padding, j + l - padding
                                if 0 <= u < h and 0 <= v < w:
                                    grad_w[f, ch, k, l] += g[b, f, i, j] * x[b, ch, u, v]
                                    grad_x[b, ch, u, v] += g[b, f, i, j] * weight[f, ch, k, l]
    return grad_x, grad_w, grad_b


def max_pool2d_forward(x, *, kernel_size):
    n, c, h, w = x.shape
    k = kernel_size
    y = np.zeros((n, c, h // k, w // k), dtype=x.dtype)
    where = {}
    for b in range(n):
        for ch in range(c):
            for i in range(h // k):
                for j in range(w // k):
                    best, at = -math.inf, None
                    for a in range(k):
                        for d in range(k):
                            if x[b, ch, i * k + a, j * k + d] > best:
                                best, at = x[b, ch, i * k + a, j * k + d], (i * k + a, j * k + d)
                    y[b, ch, i, j], where[b, ch, i, j] = best, at
    return y, (x.shape, x.dtype, where)


def max_pool2d_backward(g, cache):
    shape, dtype, where = cache
    grad_x = np.zeros(shape, dtype=dtype)
    for (b, ch, i, j), (u, v) in where.items():
        grad_x[b, ch, u, v] += g[b, ch, i, j]
    return (grad_x,)


def softmax_forward(x, *, axis=-1):
    y = np.zeros_like(x)
    for r in range(x.shape[0]):
        top = max(x[r])
        exps = [math.exp(value - top) for value in x[r]]
        total = sum(exps)
        for j, e in enumerate(exps):
            y[r, j] = e / total
    return y, y


def softmax_backward(g, y):
    grad = np.zeros_like(y)
    for r in range(y.shape[0]):
        dot = sum(g[r, j] * y[r, j] for j in range(y.shape[1]))
        for j in range(y.shape[1]):
            grad[r, j] = y[r, j] * (g[r, j] - dot)
    return (grad,)


def attention_forward(q, k, v, *, causal=False):
    batch, tq, d = q.shape
    tk, dv = k.shape[1], v.shape[2]
    weights = np.zeros((batch, tq, tk), dtype=q.dtype)
    y = np.zeros((batch, tq, dv), dtype=q.dtype)
    for b in range(batch):
        for i in range(tq):
            scores = [
                sum(q[b, i, a] * k[b, j, a] for a in range(d)) / math.sqrt(d) for j in range(tk)
            ]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            for j in range(tk):
                weights[b, i, j] = exps[j] / sum(exps)
            for c in range(dv):
                y[b, i, c] = sum(weights[b, i, j] * v[b, j, c] for j in range(tk))
    return y, (q, k, v, weights)


def attention_backward(g, cache):
    q, k, v, weights = cache
    batch, tq, d = q.shape
    tk, dv = k.shape[1], v.shape[2]
    grad_q, grad_k, grad_v = np.zeros_like(q), np.zeros_like(k), np.zeros_like(v)
    for b in range(batch):
        for i in range(tq):
            grad_p = [sum(g[b, i, c] * v[b, j, c] for c in range(dv)) for j in range(tk)]
            dot = sum(grad_p[j] * weights[b, i, j] for j in range(tk))
            for j in range(tk):
                grad_s = weights[b, i, j] * (grad_p[j] - dot) / math.sqrt(d)
                for c in range(dv):
                    grad_v[b, j, c] += weights[b, i, j] * g[b, i, c]
                for a in range(d):
                    grad_q[b, i, a] += grad_s * k[b, j, a]
                    grad_k[b, j, a] += grad_s * q[b, i, a]
    return grad_q, grad_k, grad_v


KERNELS = {
    "dense": (dense_forward, dense_backward),
    "conv2d": (conv2d_forward, conv2d_backward),
    "max_pool2d": (max_pool2d_forward, max_pool2d_backward),
    "softmax": (softmax_forward, softmax_backward),
    "attention": (attention_forward, attention_backward),
}

SIZES = {
    "dense": Case(rand_normal(8, 32), rand_normal(16, 32), rand_normal(16)),
    "conv2d": Case(rand_normal(2, 3, 8, 8), rand_normal(4, 3, 3, 3), rand_normal(4), padding=1),
    "max_pool2d": Case(rand_normal(2, 4, 8, 8), kernel_size=2),
    "softmax": Case(rand_normal(8, 32), axis=-1),
    "attention": Case(rand_normal(2, 8, 4), rand_normal(2, 8, 4), rand_normal(2, 8, 4)),
}
