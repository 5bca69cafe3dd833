"""Stochastic gradient descent with momentum, as ``torch.optim.SGD``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from optim._checks import State, check_hyper, check_step, fresh, previous


def sgd(
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, np.ndarray],
    state: State | None = None,
    *,
    lr: float = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> tuple[dict[str, np.ndarray], State]:
    """One SGD step, identical to ``torch.optim.SGD.step``.

    For each parameter θ with gradient g, at its t-th step (t = 1, 2, ...)::

        g ← −g                                  if maximize
        g ← g + λ θ                             weight decay λ (L2 penalty λ/2 ‖θ‖²)
        b_1 = g,   b_t = μ b_{t−1} + (1 − τ) g  momentum μ, dampening τ (if μ ≠ 0)
        g ← g + μ b_t   (nesterov)   or   g ← b_t
        θ ← θ − γ g                             learning rate γ

    The first buffer is the gradient itself, undamped — torch's convention, which differs
    from ``b_0 = 0`` whenever τ ≠ 0.

    Parameters
    ----------
    params, grads : dict of str to ndarray
        The parameters and the loss gradients, by name.  Every gradient must name a parameter
        of the same shape; a parameter without a gradient is left unchanged (frozen).
    state : dict or None
        ``None`` on the first step, afterwards the state the previous step returned.
    lr, momentum, dampening, weight_decay, nesterov, maximize
        γ, μ, τ, λ and the flags above, with torch's names and defaults.

    Returns
    -------
    params : dict of str to ndarray
        New arrays, of the parameters' dtypes; the arguments are not modified.
    state : dict of str to dict
        Plain data: ``state[name] = {"step": int, "momentum_buffer": ndarray}`` (no buffer
        when μ = 0).

    Raises
    ------
    ValueError
        On a gradient without a parameter, a shape mismatch, a negative hyperparameter, or
        nesterov without momentum or with dampening (as torch).
    """
    lr = check_hyper("lr", lr)
    momentum = check_hyper("momentum", momentum)
    dampening = float(dampening)
    weight_decay = check_hyper("weight_decay", weight_decay)
    if nesterov and (momentum <= 0.0 or dampening != 0.0):
        raise ValueError(
            f"sgd: nesterov momentum requires a momentum and zero dampening (got momentum="
            f"{momentum}, dampening={dampening}): pass momentum > 0 and dampening=0, or "
            "nesterov=False"
        )
    grads, old = check_step("sgd", params, grads, state)
    new_params, new_state = fresh(params, old)

    for key, g in grads.items():
        theta = new_params[key]
        # A buffer is checked only if this step reads it: one carried over while momentum
        # is 0 is kept untouched, as torch keeps it.
        has_buffer = momentum != 0.0 and "momentum_buffer" in new_state.get(key, {})
        buffers = ("momentum_buffer",) if has_buffer else ()
        # new_state holds copies: nothing carried over shares an array with the caller's.
        entry = dict(previous("sgd", new_state, key, buffers, theta, ("momentum_buffer",)))
        entry["step"] = int(entry["step"]) + 1
        if maximize:
            g = -g
        if weight_decay != 0.0:
            g = g + weight_decay * theta
        if momentum != 0.0:
            if has_buffer:
                buffer = momentum * entry["momentum_buffer"] + (1.0 - dampening) * g
            else:
                buffer = g.copy()  # b_1 = g, undamped; also after steps taken with μ = 0
            entry["momentum_buffer"] = buffer
            g = g + momentum * buffer if nesterov else buffer
        new_params[key] = theta - lr * g
        new_state[key] = entry
    return new_params, new_state
