"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW``.

The two differ only in where the weight decay λ enters: Adam adds λθ to the gradient, so the
decay is rescaled by the adaptive denominator like any gradient; AdamW shrinks θ directly
(Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from optim._checks import State, check_hyper, check_step, fresh, previous


def _step(
    optimizer: str,
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    state: State | None,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    amsgrad: bool,
    maximize: bool,
    decoupled: bool,
) -> tuple[dict[str, np.ndarray], State]:
    lr = check_hyper("lr", lr)
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):  # a lone float, or not two of them
        raise ValueError(
            f"{optimizer}: betas must be a pair (β₁, β₂), got {betas!r}: pass e.g. "
            "betas=(0.9, 0.999)"
        ) from None
    beta1 = check_hyper("betas[0]", beta1, below_one=True)
    beta2 = check_hyper("betas[1]", beta2, below_one=True)
    eps = check_hyper("eps", eps)
    weight_decay = check_hyper("weight_decay", weight_decay)
    grads, old = check_step(optimizer, params, grads, state)
    new_params, new_state = fresh(params, old)
    buffers = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if amsgrad else ())

    for key, g in grads.items():
        theta = new_params[key]
        # A max_exp_avg_sq left over from amsgrad steps is ignored, as torch ignores it.
        entry = previous(optimizer, new_state, key, buffers, theta, ("max_exp_avg_sq",))
        t = int(entry["step"]) + 1
        if maximize:
            g = -g
        if weight_decay != 0.0:
            if decoupled:
                theta = theta * (1.0 - lr * weight_decay)
            else:
                g = g + weight_decay * theta
        m = beta1 * entry["exp_avg"] + (1.0 - beta1) * g
        v = beta2 * entry["exp_avg_sq"] + (1.0 - beta2) * (g * g)
        updated = {"step": t, "exp_avg": m, "exp_avg_sq": v}
        if amsgrad:
            # The running maximum is of the uncorrected v: its correction uses the current t.
            v = np.maximum(entry["max_exp_avg_sq"], v)
            updated["max_exp_avg_sq"] = v
        # ε is added to √v̂ = √v / √(1−β₂ᵗ), not to √v as in the paper's "efficient" variant:
        # the two differ by a factor √(1−β₂ᵗ) on ε, large in early steps; torch does this.
        step_size = lr / (1.0 - beta1**t)
        denominator = np.sqrt(v) / math.sqrt(1.0 - beta2**t) + eps
        new_params[key] = theta - step_size * (m / denominator)
        new_state[key] = updated
    return new_params, new_state


def adam(
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    state: State | None = None,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
) -> tuple[dict[str, np.ndarray], State]:
    """One Adam step, identical to ``torch.optim.Adam.step`` (Kingma & Ba, 2015).

    For each parameter θ with gradient g, at its t-th step (t = 1, 2, ...; m_0 = v_0 = 0)::

        g ← −g                                   if maximize
        g ← g + λ θ                              weight decay λ (L2 penalty λ/2 ‖θ‖²), or
        θ ← θ (1 − γ λ)                          with decoupled_weight_decay, as AdamW
        m_t = β₁ m_(t−1) + (1 − β₁) g
        v_t = β₂ v_(t−1) + (1 − β₂) g ⊙ g
        m̂_t = m_t / (1 − β₁ᵗ)
        v̂_t = v_t / (1 − β₂ᵗ)   or, with amsgrad,   v̂_t = max(v_1, ..., v_t) / (1 − β₂ᵗ)
        θ ← θ − γ m̂_t / (√v̂_t + ε)

    Parameters
    ----------
    params, grads : dict of str to ndarray
        The parameters and the loss gradients, by name.  Every gradient must name a parameter
        of the same shape; a parameter without a gradient is left unchanged (frozen) and its
        t does not advance, as in torch.
    state : dict or None
        ``None`` on the first step, afterwards the state the previous step returned.
    lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay
        γ, (β₁, β₂), ε, λ and the flags above, with torch's names and defaults;
        ``decoupled_weight_decay=True`` makes the step :func:`adamw`'s, as in torch.

    Returns
    -------
    params : dict of str to ndarray
        New arrays, of the parameters' dtypes; the arguments are not modified.
    state : dict of str to dict
        Plain data: ``state[name] = {"step": t, "exp_avg": m_t, "exp_avg_sq": v_t}``, plus
        ``"max_exp_avg_sq"`` with amsgrad.

    Raises
    ------
    ValueError
        On a gradient without a parameter, a shape mismatch, a hyperparameter out of range,
        or a state from another optimizer or with amsgrad switched.
    """
    decoupled = bool(decoupled_weight_decay)
    return _step(
        "adam", params, grads, state, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled
    )


def adamw(
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    state: State | None = None,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    maximize: bool = False,
) -> tuple[dict[str, np.ndarray], State]:
    """One AdamW step, identical to ``torch.optim.AdamW.step``: decoupled weight decay.

    For each parameter θ with gradient g, at its t-th step (t = 1, 2, ...; m_0 = v_0 = 0)::

        g ← −g                                   if maximize
        θ ← θ (1 − γ λ)                          weight decay λ, outside the gradient
        m_t = β₁ m_(t−1) + (1 − β₁) g
        v_t = β₂ v_(t−1) + (1 − β₂) g ⊙ g
        m̂_t = m_t / (1 − β₁ᵗ)
        v̂_t = v_t / (1 − β₂ᵗ)   or, with amsgrad,   v̂_t = max(v_1, ..., v_t) / (1 − β₂ᵗ)
        θ ← θ − γ m̂_t / (√v̂_t + ε)

    Parameters, return values and errors are those of :func:`adam` (``weight_decay`` defaults
    to 1e-2, as in torch).
    """
    return _step(
        "adamw", params, grads, state, lr, betas, eps, weight_decay, amsgrad, maximize, True
    )
