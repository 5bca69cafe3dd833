"""Adapters: layers written in other styles, checked by :func:`gradcheck.check` unchanged.

* :func:`from_object` — an object with ``forward(x)`` and ``backward(dy)`` methods (or other
  names) that keeps its own cache, and keeps its parameters and their gradients wherever its
  framework does: attributes (``W``, ``dW``), dicts (``params['W']``), parameter objects
  (``weight.data``, ``weight.grad``), getters and setters, or an optimizer's update call.
  The object's state, and the global random generators, are snapshot when it is adapted and
  restored around every call (:mod:`gradcheck.snapshot`, :mod:`gradcheck.capture`), so that
  checking it leaves it as it was and every forward computes the same function.
* :func:`from_objects` — a list of such layer objects, composed into one network whose failure
  :func:`gradcheck.network.first_wrong_stage` localises.
* Function styles (column-major layers, losses returning ``(loss, dx)``, activation pairs) are
  in :mod:`gradcheck.functions`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradcheck.capture import optimizer_updates, random_state, replayed
from gradcheck.functions import from_column_major  # noqa: F401  (documented here before)
from gradcheck.paths import PathError, Specs, accesses, parameter, roots
from gradcheck.sequential import Stage, compose
from gradcheck.snapshot import State
from gradcheck.stale import warn_of_stale_state


@dataclass(frozen=True)
class ObjectStage(Stage):
    """A :class:`~gradcheck.sequential.Stage` adapted from an object; ``values`` are the
    object's parameters when it was adapted."""

    values: tuple[np.ndarray, ...] = ()


def object_stage(
    obj: Any,
    params: Specs = ("W", "b"),
    grads: Specs | None = None,
    *,
    state: Sequence[str] | None = None,
    name: str | None = None,
    forward: str = "forward",
    backward: str = "backward",
    forward_args: Sequence[Any] = (),
    forward_kwargs: Mapping[str, Any] | None = None,
    backward_args: Sequence[Any] = (),
    backward_kwargs: Mapping[str, Any] | None = None,
    grads_from: str | Sequence[str] | Callable[[Any], Sequence[Any]] | None = None,
) -> ObjectStage:
    """One layer object as a network stage (see :func:`from_object` for the arguments)."""
    kind = type(obj).__name__
    for method in (forward, backward):
        if not callable(getattr(obj, method, None)):
            raise TypeError(
                f"{kind} has no {method}() method: adapt an object with both, or name its "
                "methods with forward='...', backward='...'"
            )
    params_ = accesses(params, "params")
    updates = accesses([grads_from] if isinstance(grads_from, str) else grads_from, "grads_from")
    if callable(grads_from) or updates:
        grads_ = []
    elif grads is None:  # the TinyNN convention: W's gradient in dW
        plain = [p.path for p in params_ if p.path.isidentifier()]
        if len(plain) < len(params_):
            raise ValueError(
                "name where the gradients are, grads=(...), for parameters given by paths "
                f"{tuple(p.path for p in params_)}; or grads_from='W_opt.update'"
            )
        grads_ = accesses([f"d{path}" for path in plain], "grads")
    else:
        grads_ = accesses(grads, "grads")
    if len(params_) != len(grads_) and not (callable(grads_from) or updates):
        raise ValueError(
            f"{len(params_)} params {tuple(p.path for p in params_)} but {len(grads_)} grads "
            f"{tuple(g.path for g in grads_)}; or name the optimizer update that receives them, "
            "grads_from='W_opt.update'"
        )
    for param in params_:
        try:
            param.read(obj)
        except PathError:
            raise ValueError(
                f"{kind} has no attribute {param.path!r}; name its parameters with params=(...), "
                "or pass params=(), grads=() for a layer without any"
            ) from None
    values = tuple(parameter(obj, p) for p in params_)
    saved = State(obj, state, roots([*params_, *grads_, *updates]))
    snapshot, randomness = saved.save(), random_state()
    f_kwargs, b_kwargs = dict(forward_kwargs or {}), dict(backward_kwargs or {})
    first_call = [True]

    def run_forward(x: Any, *param_values: Any) -> tuple[Any, Any]:
        saved.restore(snapshot)
        try:
            for param, value in zip(params_, param_values, strict=True):
                param.set(obj, value)  # uncopied, like x: a forward writing into them is seen
            with replayed(randomness):
                y = getattr(obj, forward)(x, *forward_args, **f_kwargs)
            after = saved.save()
            if first_call.pop() if first_call else False:
                warn_of_stale_state(kind, snapshot, after)
            return np.array(y), after
        finally:
            saved.restore(snapshot)

    def run_backward(grad_output: Any, after_forward: Any) -> tuple:
        saved.restore(after_forward)
        try:
            with replayed(randomness), optimizer_updates(obj, updates, params_) as captured:
                grad_x = getattr(obj, backward)(np.array(grad_output), *backward_args, **b_kwargs)
            if grad_x is None:
                raise TypeError(f"{kind}.{backward} returned None; it must return ∂L/∂x")
            if callable(grads_from):
                grads = tuple(grads_from(obj))
            elif updates:
                missing = [p.name for k, p in enumerate(params_) if k not in captured]
                if missing:
                    raise TypeError(
                        f"{kind}.{backward} never passed a gradient for {', '.join(missing)} "
                        f"to {', '.join(u.path for u in updates)}"
                    )
                grads = tuple(captured[k] for k in range(len(params_)))
            else:
                grads = tuple(g.read(obj) for g in grads_)
            return (np.array(grad_x), *(np.array(g) for g in grads))
        finally:
            saved.restore(snapshot)

    inputs = ("x", *(p.name for p in params_))
    run_forward.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in inputs]
    )
    return ObjectStage(name or kind, run_forward, run_backward, inputs, values)


def from_object(
    obj: Any,
    x: np.ndarray,
    params: Specs = ("W", "b"),
    grads: Specs | None = None,
    **options: Any,
) -> tuple[Callable, Callable, list[np.ndarray]]:
    """``(forward, backward, inputs)`` for ``check`` from a layer object that keeps its cache.

    Parameters
    ----------
    obj : object
        With ``obj.forward(x) -> y`` and ``obj.backward(dy) -> dx``, the backward leaving
        ``∂L/∂θ`` where ``grads`` says (or handing it to an optimizer, ``grads_from``).
    x : ndarray
        The input to check at.
    params, grads : sequences, or dicts from the report's names
        Where the parameters (differentiated as inputs after ``x``) and, pairwise, their
        gradients after ``backward`` are: attribute paths (``"W"``, ``"params['W']"``,
        ``"weight.data"``, ``"weight.grad"``) or ``(getter, setter)`` pairs of callables.
        By default ``W`` and ``b``, with gradients ``d`` + the parameter's name (``dW``).
    state : sequence of attribute names, optional
        What to snapshot and restore; default every attribute (a deep copy of ``__dict__``).
        A list must name every attribute forward writes (caches, running statistics).
    forward, backward : str
        The methods' names (``"forward_pass"``, ``"backward_pass"``).
    forward_args, forward_kwargs, backward_args, backward_kwargs : optional
        Passed on every call after ``x`` (after ``dy``): ``forward_kwargs={"training": True}``.
    grads_from : str, sequence of str, or callable, optional
        For a layer that hands its gradients to an optimizer instead of storing them: the
        update method(s) called as ``update(param, grad)`` (``"W_opt.update"``), captured for
        the backward call; or ``grads_from(obj) -> gradients`` in ``params`` order.

    Returns
    -------
    forward, backward : obeying the layer contract
    inputs : ``[x, *parameters]``, the object's current parameters
    """
    stage = object_stage(obj, params, grads, **options)
    return stage.forward, stage.backward, [np.asarray(x), *stage.values]


def from_objects(
    x: np.ndarray,
    *objects: Any,
    params: Sequence[str] = ("W", "b"),
    grads: Sequence[str] = ("dW", "db"),
) -> tuple[Callable, Callable, list[np.ndarray]]:
    """A network of layer objects (``Dense, ReLU, Dense, MSE``) as ``(forward, backward,
    inputs)``, composed so that ``first_wrong_stage`` can name the wrong layer.

    Each object's parameters are the names in ``params`` it has (a ReLU has none), paired with
    ``grads``; pass an :func:`object_stage` instead of an object to name them explicitly.
    """
    stages = []
    for obj in objects:
        if not isinstance(obj, ObjectStage):
            pairs = [(p, g) for p, g in zip(params, grads, strict=True) if hasattr(obj, p)]
            obj = object_stage(obj, [p for p, _ in pairs], [g for _, g in pairs])
        stages.append(obj)
    forward, backward = compose(*stages)
    return forward, backward, [np.asarray(x), *(v for s in stages for v in s.values)]
