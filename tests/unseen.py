"""Layers the registry does not have, right and wrong, for the checker's own tests.

Nothing in trigrad was tuned to them: each is written here from its textbook definition, as a
user would bring it.  Each wrong variant's docstring names the real-world pattern.
"""

from __future__ import annotations

import numpy as np

# --- SiLU: y = x σ(x), y' = σ + x σ (1 - σ) ---------------------------------------------------


def silu(x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))  # σ(x) without overflow at either end
    return x * s, (x, s)


def silu_backward(grad_output, cache):
    x, s = cache
    return (grad_output * (s + x * s * (1.0 - s)),)


def silu_backward_constant_off(grad_output, cache):
    """SiLU backward with the curvature term's constant off by 1e-4 relative (a typo'd digit)."""
    x, s = cache
    return (grad_output * (s + 1.0001 * x * s * (1.0 - s)),)


# --- RMSNorm over the last axis: y = x / r, r = √(mean(x²) + eps) --------------------------------

RMS_EPS = 1e-5


def rms_norm(x):
    r = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + RMS_EPS)
    return x / r, (x, r)


def rms_norm_backward(grad_output, cache):
    x, r = cache
    d = x.shape[-1]
    inner = np.sum(grad_output * x, axis=-1, keepdims=True)
    return (grad_output / r - x * inner / (d * r**3),)


def rms_norm_backward_without_eps(grad_output, cache):
    """RMSNorm backward recomputing r without eps: right for the forward without eps only."""
    x, _ = cache
    d = x.shape[-1]
    r = np.sqrt(np.mean(x * x, axis=-1, keepdims=True))
    inner = np.sum(grad_output * x, axis=-1, keepdims=True)
    return (grad_output / r - x * inner / (d * r**3),)


# --- hardtanh: clip to [-1, 1], slope 1 strictly inside ----------------------------------------


def hardtanh(x):
    return np.clip(x, -1.0, 1.0), x


def hardtanh_backward(grad_output, x):
    return (grad_output * (np.abs(x) < 1.0),)


def hardtanh_from_output(x):
    y = np.clip(x, -1.0, 1.0)
    return y, y


def hardtanh_backward_mask_from_output(grad_output, y):
    """hardtanh backward masking with |y| <= 1 on the clipped output: always true, slope 1."""
    return (grad_output * (np.abs(y) <= 1.0),)


# --- ELU: x for x > 0, α (eˣ - 1) below ---------------------------------------------------------

ALPHA = 1.0


def elu(x):
    return np.where(x > 0, x, ALPHA * np.expm1(np.minimum(x, 0.0))), x


def elu_backward(grad_output, x):
    return (grad_output * np.where(x > 0, 1.0, ALPHA * np.exp(np.minimum(x, 0.0))),)


# --- L2 normalisation of rows: y = x / ‖x‖ -----------------------------------------------------


def l2_normalize(x):
    norm = np.sqrt(np.sum(x * x, axis=-1, keepdims=True))
    return x / norm, (x, norm)


def l2_normalize_backward(grad_output, cache):
    x, norm = cache
    y = x / norm
    return ((grad_output - y * np.sum(grad_output * y, axis=-1, keepdims=True)) / norm,)


# --- ReLU with its mask read from a low-precision copy of the output ---------------------------


def relu_keeping_half_output(x):
    y = np.maximum(x, 0.0)
    return y, y.astype(np.float16)


def relu_backward_from_half_output(grad_output, y_half):
    """ReLU backward masking with y > 0 on a float16 copy of y: tiny positives round to 0."""
    return (grad_output * (y_half > 0),)


def relu_keeping_input(x):
    return np.maximum(x, 0.0), x


def relu_backward(grad_output, x):
    return (grad_output * (x > 0),)


def silu_backward_clipping_grad_output(grad_output, cache):
    """SiLU backward with grad_output clipped to [-1, 1] (gradient clipping in the wrong place)."""
    return silu_backward(np.clip(grad_output, -1.0, 1.0), cache)


def l2_normalize_backward_half_grad_output(grad_output, cache):
    """L2 normalisation backward on grad_output rounded to float16 (a mixed-precision buffer)."""
    return l2_normalize_backward(grad_output.astype(np.float16).astype(np.float64), cache)


# --- a squared-error loss: L = Σ (x - t)² / n, with t bound -----------------------------------


def squared_error(x, target):
    return np.array(np.mean((x - target) ** 2)), (x, target)


def squared_error_backward(grad_output, cache):
    x, target = cache
    return (grad_output * 2.0 * (x - target) / x.size,)


def squared_error_backward_unit_upstream(grad_output, cache):
    """Loss backward using sign(grad_output): right for the usual upstream 1.0, wrong scaled."""
    x, target = cache
    return (np.sign(grad_output) * 2.0 * (x - target) / x.size,)


# --- ELU keeping its input in a module-level variable --------------------------------------------

_LAST_INPUT = None


def elu_remembering_input(x):
    global _LAST_INPUT
    _LAST_INPUT = x.copy()
    return elu(x)[0], None


def elu_backward_from_last_input(grad_output, _cache):
    """ELU backward reading the input the last forward call saw, not its own cache."""
    return elu_backward(grad_output, _LAST_INPUT)


# --- an LSTM cell object that keeps its cache on itself ------------------------------------------


class LSTMCell:
    """One LSTM step on x (batch, n) with a zero initial state; gates i, f, g, o stacked in W."""

    def __init__(self, n: int, hidden: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.W = rng.standard_normal((n, 4 * hidden)) / np.sqrt(n)
        self.b = rng.standard_normal(4 * hidden) * 0.1
        self.hidden = hidden
        self.dW = self.db = None
        self.saved = None

    def forward(self, x):
        z = x @ self.W + self.b
        h = self.hidden
        i, f, o = (1 / (1 + np.exp(-z[:, k * h : (k + 1) * h])) for k in (0, 1, 3))
        g = np.tanh(z[:, 2 * h : 3 * h])
        c = i * g  # f · c_prev with c_prev = 0
        self.saved = (x, i, f, g, o, np.tanh(c))
        return o * np.tanh(c)

    def backward(self, dh):
        x, i, f, g, o, tc = self.saved
        do = dh * tc
        dc = dh * o * (1 - tc**2)
        di, dg = dc * g, dc * i
        dz = np.concatenate(
            [di * i * (1 - i), np.zeros_like(f), dg * (1 - g**2), do * o * (1 - o)], axis=1
        )
        self.dW, self.db = x.T @ dz, dz.sum(axis=0)
        return dz @ self.W.T


# --- a 1-D convolution computed in float32, as frameworks do -------------------------------------


def _columns(x, k):
    """im2col: (batch, channels, length) -> (batch, out_length, channels * k)."""
    b, c, n = x.shape
    windows = np.stack([x[:, :, j : j + n - k + 1] for j in range(k)], axis=-1)
    return windows.transpose(0, 2, 1, 3).reshape(b, n - k + 1, c * k)


def conv1d_float32(x, w):
    """y (batch, out, length - k + 1) from float32 buffers: the result stays float32."""
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    cols = _columns(x32, w.shape[-1])
    y = cols @ w32.reshape(w.shape[0], -1).T
    return y.transpose(0, 2, 1), (cols, x32.shape, w32)


def conv1d_float32_backward(grad_output, cache):
    cols, x_shape, w32 = cache
    g = grad_output.astype(np.float32).transpose(0, 2, 1)  # (batch, positions, out)
    grad_w = np.einsum("bpo,bpc->oc", g, cols).reshape(w32.shape)
    grad_cols = g @ w32.reshape(w32.shape[0], -1)  # (batch, positions, channels * k)
    b, c, n = x_shape
    k = w32.shape[-1]
    grad_x = np.zeros(x_shape, np.float32)
    windows = grad_cols.reshape(b, n - k + 1, c, k)
    for j in range(k):
        grad_x[:, :, j : j + n - k + 1] += windows[..., j].transpose(0, 2, 1)
    return grad_x, grad_w


def conv1d_float32_backward_flipped_taps(grad_output, cache):
    """Conv backward pairing input windows with the kernel's taps reversed (correlation vs
    convolution): right for symmetric kernels only."""
    cols, x_shape, w32 = cache
    grad_x, grad_w = conv1d_float32_backward(grad_output, (cols, x_shape, w32[..., ::-1]))
    return grad_x, grad_w


def conv1d_half_float32(x, w):
    """The same convolution with im2col in float32 but the product in float64."""
    cols = _columns(x.astype(np.float32), w.shape[-1]).astype(np.float64)
    return (cols @ w.reshape(w.shape[0], -1).T).transpose(0, 2, 1), (cols, x.shape, w)


def conv1d_half_float32_backward(grad_output, cache):
    cols, x_shape, w = cache
    grad_x, grad_w = conv1d_float32_backward(grad_output, (cols, x_shape, w))
    return grad_x.astype(np.float64), grad_w.astype(np.float64)


def conv1d_half_float32_backward_weight_scaled(grad_output, cache):
    """Conv backward with the weight gradient 0.1% too large (a mis-set loss scale)."""
    grad_x, grad_w = conv1d_half_float32_backward(grad_output, cache)
    return grad_x, 1.001 * grad_w
