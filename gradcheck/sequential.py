"""Layers chained into a network that obeys the layer contract itself.

``compose(dense, relu, dense, bound(cross_entropy, target=t))`` returns ``(forward, backward)``
for the function ``L = f₄(f₃(f₂(f₁(x, W₁, b₁)), W₃, b₃))``, whose inputs are ``x`` followed by
every layer's parameters in order (``x, weight1, bias1, weight3, bias3``: a parameter's suffix
is its layer's position).  Backward is the chain rule, run from the last layer to the first::

    g_n = grad_output,   (g_{k-1}, ∂L/∂θ_k) = backward_k(g_k, cache_k),   ∂L/∂x = g_0

so ``gradcheck.check(forward, backward, inputs)`` checks a network exactly like one layer, and
``forward.stages`` lets :func:`gradcheck.network.first_wrong_stage` check each layer at the
input it really receives.

A layer is a module with ``forward(x, *params, **hyper)`` and ``backward`` (``layers.dense``),
or :func:`bound` of one with its hyperparameters (targets, masks, axis); its parameters are the
forward's positional arguments after ``x``.  The network's forward takes hyperparameters too,
``forward(x, *params, target=t)``: each goes to every layer whose forward has that keyword,
overriding a value bound there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any


@dataclass(frozen=True)
class Stage:
    """One layer of a network: its name, its two functions and its inputs' names.

    ``forward(x, *params) -> (y, cache)`` and ``backward(grad_y, cache) -> (grad_x,
    *grad_params)``, hyperparameters already bound.  ``inputs`` names ``x`` and then the
    parameters, in the forward's order.
    """

    name: str
    forward: Callable
    backward: Callable
    inputs: tuple[str, ...]

    @property
    def params(self) -> tuple[str, ...]:
        return self.inputs[1:]


def _positional_names(forward: Callable, owner: str) -> tuple[str, ...]:
    """The forward's positional parameters; raise if a required keyword is left unbound."""
    parameters = inspect.signature(forward).parameters.values()
    unbound = [p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
    if unbound:
        wanted = ", ".join(f"{n}=..." for n in unbound)
        raise TypeError(
            f"layer {owner} needs {wanted}: bind it with bound(layers.{owner}, {wanted})"
        )
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        raise TypeError(
            f"layer {owner}'s forward takes *args, so its parameters cannot be counted: "
            "wrap it in a Stage(name, forward, backward, inputs=('x', 'weight', ...))"
        )
    names = tuple(
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    )
    if not names:
        raise TypeError(f"layer {owner}'s forward takes no positional input x")
    return names


def _keywords(forward: Callable) -> frozenset[str] | None:
    """The keyword-only hyperparameters a stage's forward takes; None if it takes **kwargs."""
    try:
        parameters = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: no keywords
        return frozenset()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.kind is p.KEYWORD_ONLY)


def _layer_name(layer: Any) -> str:
    return getattr(layer, "__name__", type(layer).__name__).rsplit(".", 1)[-1]


def bound(layer: Any, **hyper: Any) -> Stage:
    """A layer with hyperparameters bound, as ``functools.partial`` binds a function.

    ``bound(layers.cross_entropy, target=t)`` and ``bound(layers.softmax, axis=0)`` are
    network stages; so is ``bound(layers.dense)`` (nothing to bind).  Binding a
    :class:`Stage` again adds to its hyperparameters.
    """
    if isinstance(layer, Stage):
        return Stage(layer.name, partial(layer.forward, **hyper), layer.backward, layer.inputs)
    name = _layer_name(layer)
    forward, backward = getattr(layer, "forward", None), getattr(layer, "backward", None)
    if not (callable(forward) and callable(backward)):
        raise TypeError(
            f"{name!r} is not a layer: a layer is a module with forward and backward, such as "
            "layers.dense, or bound(layers.cross_entropy, target=t)"
        )
    forward = partial(forward, **hyper)
    try:
        inputs = _positional_names(forward, name)
    except ValueError:  # no signature (a builtin): one input, no parameters
        inputs = ("x",)
    return Stage(name, forward, backward, inputs)


def _chain_names(stages: Sequence[Stage]) -> list[str]:
    names = [stages[0].inputs[0]]
    for k, stage in enumerate(stages, start=1):
        names += [f"{p}{k}" for p in stage.params]
    if len(set(names)) != len(names):  # e.g. x plus a parameter called x1: fall back to numbers
        names = [names[0]] + [f"input{k}" for k in range(1, len(names))]
    return names


def compose(*layers: Any) -> tuple[Callable, Callable]:
    """Chain layers into ``(forward, backward)`` obeying the layer contract.

    Parameters
    ----------
    *layers : module or Stage
        In the order data flows, e.g. ``layers.dense, layers.relu, layers.dense,
        bound(layers.cross_entropy, target=t)``.

    Returns
    -------
    forward : ``forward(x, *params, **hyper) -> (y, caches)``
        ``params`` are every layer's parameters in layer order; ``caches`` holds each
        layer's cache.  ``forward.stages`` is the tuple of :class:`Stage`.  Each keyword in
        ``hyper`` goes to every layer whose forward takes it (``eps=1e-3`` reaches every
        normalisation layer), overriding a value :func:`bound` gave it; to set one layer
        only, bind it there.  A keyword no layer takes is a ``TypeError``.
    backward : ``backward(grad_y, caches) -> (grad_x, *grad_params)``
        The layers' backwards in reverse order, each fed the gradient the next one returned.

    Required hyperparameters (a loss's ``target``) must still be bound here, so that
    ``gradcheck.check``, which calls ``forward(*inputs)``, can run the network.
    """
    if not layers:
        raise ValueError("compose() needs at least one layer, e.g. compose(layers.dense)")
    stages = tuple(bound(layer) if not isinstance(layer, Stage) else layer for layer in layers)
    names = _chain_names(stages)
    counts = [len(stage.params) for stage in stages]
    label = "-".join(stage.name for stage in stages)
    takes = [_keywords(stage.forward) for stage in stages]
    known = sorted(set().union(*(t for t in takes if t is not None)))

    def forward(*inputs: Any, **hyper: Any) -> tuple[Any, list]:
        if len(inputs) != len(names):
            raise TypeError(
                f"network {label} takes {len(names)} inputs ({', '.join(names)}), got {len(inputs)}"
            )
        unknown = [k for k in hyper if k not in known]
        if unknown and None not in takes:
            accepted = f"its layers take {', '.join(known)}" if known else "no layer takes any"
            raise TypeError(
                f"network {label} got keyword {unknown[0]!r}, which none of its layers' forwards "
                f"takes ({accepted}): pass a layer's own hyperparameters with bound(layer, ...)"
            )
        y, caches, start = inputs[0], [], 1
        for stage, count, keys in zip(stages, counts, takes, strict=True):
            given = hyper if keys is None else {k: v for k, v in hyper.items() if k in keys}
            y, cache = stage.forward(y, *inputs[start : start + count], **given)
            caches.append(cache)
            start += count
        return y, caches

    def backward(grad_output: Any, caches: Sequence) -> tuple:
        grad, per_stage = grad_output, []
        for k in reversed(range(len(stages))):
            grads = tuple(stages[k].backward(grad, caches[k]))
            if len(grads) != 1 + counts[k]:
                raise ValueError(
                    f"layer {k + 1} of {len(stages)} ({stages[k].name}) returned {len(grads)} "
                    f"gradients for its {1 + counts[k]} inputs {stages[k].inputs}"
                )
            grad = grads[0]
            per_stage.append(grads[1:])
        return (grad,) + tuple(g for grads in reversed(per_stage) for g in grads)

    signature = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in names]
    if known or None in takes:
        signature.append(inspect.Parameter("hyper", inspect.Parameter.VAR_KEYWORD))
    forward.__signature__ = inspect.Signature(signature)
    for function in (forward, backward):
        function.stages = stages
        function.__qualname__ = function.__name__ = f"{label}.{function.__name__}"
    return forward, backward
