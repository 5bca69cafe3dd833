"""How much work a forward+backward pass is, to turn a time into a rate against a limit.

Products (dense, matmul, conv2d, attention) are counted in floating-point operations of their
matrix products and compared with the measured matmul peak.  Every other layer is memory-bound
and counted in bytes: the least traffic any implementation needs, each differentiable input
read once and its gradient written once, the output written once and its gradient read once,
2 (Σ|inputs| + |output|) elements, compared with the measured copy bandwidth.  A layer that is
not listed here is memory-bound by default, so a new layer gets a rate with no edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import prod

import numpy as np

from gradcheck.benchmark import Workload


@dataclass(frozen=True)
class Work:
    amount: float
    unit: str  # "FLOP" (against the matmul peak) or "B" (against the copy bandwidth)


def _dense(w: Workload) -> float:
    x, weight, _ = w.inputs
    return 3 * 2.0 * (x.size // x.shape[-1]) * weight.shape[0] * weight.shape[1]


def _matmul(w: Workload) -> float:
    a, b = (np.atleast_2d(m) for m in w.inputs)
    batch = prod(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    return 3 * 2.0 * batch * a.shape[-2] * a.shape[-1] * b.shape[-1]


def _conv2d(w: Workload) -> float:
    _, weight, _ = w.inputs
    output = np.shape(w.grad_output)
    return 3 * 2.0 * prod(output) * prod(weight.shape[1:])


def _attention(w: Workload) -> float:
    q, k, v = w.inputs
    batch = prod(np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2]))
    pairs = batch * q.shape[-2] * k.shape[-2]
    # forward q kᵀ and P v; backward Pᵀ g, g vᵀ, dS k and dSᵀ q
    return 2.0 * pairs * (3 * q.shape[-1] + 3 * v.shape[-1])


FLOPS: dict[str, Callable[[Workload], float]] = {
    "dense": _dense,
    "matmul": _matmul,
    "conv2d": _conv2d,
    "attention": _attention,
}


def work(w: Workload) -> Work:
    """The layer's forward+backward work: FLOP for products, least bytes moved otherwise."""
    if w.name in FLOPS:
        return Work(FLOPS[w.name](w), "FLOP")
    itemsize = w.inputs[0].dtype.itemsize
    return Work(2.0 * itemsize * (w.elements + int(np.size(w.grad_output))), "B")
