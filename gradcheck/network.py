"""Localise a network's failure: the first layer whose backward disagrees at its own input.

A network built by :func:`gradcheck.compose` carries its layers in
``forward.stages``.  When the network as a whole fails, each layer k is checked on its own,
``check(stage_k.forward, stage_k.backward, [a_{k-1}, *θ_k])``, at the activation
``a_{k-1} = f_{k-1}(... f_1(x, θ_1) ...)`` it receives in this very network, in forward order.
Errors that cancel between layers, or that only one layer's input triggers, are found where
they are made, not where they show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradcheck.checker import check
from gradcheck.report import Report


def stage_reports(
    forward: Callable, inputs: Sequence[Any], *, stop_at_first_failure: bool = True, **check_args
) -> list[tuple[str, Report]]:
    """``(label, report)`` for each layer of a composed network, in forward order.

    ``label`` reads "layer k of n (name)".  ``check_args`` (``seed``, ``step``) go to
    :func:`gradcheck.check`.  Stops after the first failing layer unless told otherwise.
    """
    stages = getattr(forward, "stages", None)
    if not stages:
        raise TypeError("forward carries no stages: build the network with gradcheck.compose")
    expected = 1 + sum(len(stage.params) for stage in stages)
    if len(inputs) != expected:
        raise TypeError(
            f"the network takes {expected} inputs (x and its layers' parameters), got {len(inputs)}"
        )
    arrays = [np.asarray(a, dtype=np.float64) for a in inputs]
    activation, start, results = arrays[0], 1, []
    for k, stage in enumerate(stages, start=1):
        params = arrays[start : start + len(stage.params)]
        start += len(stage.params)
        label = f"layer {k} of {len(stages)} ({stage.name})"
        names = [f"{n}{k}" for n in stage.inputs]
        report = check(
            stage.forward, stage.backward, [activation, *params],
            names=names, name=label, **check_args,
        )  # fmt: skip
        results.append((label, report))
        if not report.passed and stop_at_first_failure:
            break
        activation = np.asarray(stage.forward(activation, *params)[0], dtype=np.float64)
    return results


def first_wrong_stage(
    forward: Callable, backward: Callable, inputs: Sequence[Any], **check_args
) -> str | None:
    """A sentence naming the first layer of a composed network that fails its own check.

    Parameters
    ----------
    forward, backward : the pair returned by :func:`gradcheck.compose`
        Only ``forward.stages`` is used: the composed backward is the layers' backwards
        chained, so a wrong gradient is made by one of them.
    inputs : sequence of arrays
        ``x`` and every layer's parameters, as given to :func:`gradcheck.check`.
    **check_args
        ``seed``, ``step``: as for :func:`gradcheck.check`.

    Returns
    -------
    str or None
        "layer 2 of 3 (dense) is the first whose backward disagrees: <worst element>", a
        sentence saying no single layer fails, or None when ``forward`` has no stages.
    """
    if not getattr(forward, "stages", None):
        return None
    results = stage_reports(forward, inputs, **check_args)
    label, report = results[-1]
    if report.passed:
        return (
            f"each of the {len(results)} layers passes its own check at the input it receives: "
            "no single layer's backward is wrong, so a failure of the whole network comes from "
            "finite differences across layers (a kink within the step, or round-off)"
        )
    worst = report.failures[0]
    if worst.blame == "backward":
        return f"{label} is the first whose backward disagrees: {worst}"
    return f"{label} is the first that fails its own check (blame {worst.blame}): {worst}"
