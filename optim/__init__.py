"""Optimizers, initialisers and gradient clipping in plain NumPy, step for step as PyTorch.

Optimizers are pure functions of plain data::

    state = None
    for batch in batches:
        grads = ...  # dict name -> gradient, same shapes as params
        params, state = optim.adam(params, grads, state, lr=1e-3)

Each returns new parameter arrays and a state of dicts, ints and arrays, and leaves its
arguments untouched.  Hyperparameter names and defaults are torch's.
"""

from optim._adam import adam, adamw
from optim._sgd import sgd
from optim.clip import clip_grad_norm
from optim.init import fan_in_and_fan_out, he_normal, he_uniform, xavier_uniform

__all__ = [
    "adam",
    "adamw",
    "clip_grad_norm",
    "fan_in_and_fan_out",
    "he_normal",
    "he_uniform",
    "sgd",
    "xavier_uniform",
]
