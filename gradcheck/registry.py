"""Every layer in ``layers/`` with its derivation in ``derivations/``, found by module name.

A module ``layers/<name>.py`` that defines ``forward`` and ``backward`` is a layer; its
``CASES`` list says where to check it, and ``derivations/<name>.py`` (when present) is its
symbolic twin.  Nothing else registers a layer: adding the two files is enough.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import partial
from types import ModuleType

import derivations
import layers
from gradcheck.cases import Case
from gradcheck.checker import bind, check
from gradcheck.contract import input_names
from gradcheck.report import Report


def _public_modules(package: ModuleType) -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")
    )


def layer_names() -> list[str]:
    """Names of the modules in ``layers/`` that define ``forward`` and ``backward``."""
    names = []
    for name in _public_modules(layers):
        module = importlib.import_module(f"layers.{name}")
        if hasattr(module, "forward") and hasattr(module, "backward"):
            names.append(name)
    return names


def derivation_names() -> list[str]:
    return _public_modules(derivations)


@dataclass(frozen=True)
class Layer:
    """A registered layer: its module, its derivation module (or None) and its cases."""

    name: str
    module: ModuleType
    derivation: ModuleType | None

    @property
    def cases(self) -> list[Case]:
        return list(getattr(self.module, "CASES", []))

    @property
    def input_names(self) -> list[str]:
        count = len(self.cases[0].inputs) if self.cases else 1
        return input_names(self.module.forward, count)


def get_layer(name: str) -> Layer:
    """The registered layer called ``name``; ``KeyError`` listing the known names otherwise."""
    known = layer_names()
    if name not in known:
        raise KeyError(f"unknown layer {name!r}; known layers: {', '.join(known)}")
    module = importlib.import_module(f"layers.{name}")
    derivation = None
    if name in derivation_names():
        derivation = importlib.import_module(f"derivations.{name}")
    return Layer(name, module, derivation)


def check_case(layer: Layer, case: Case, *, seed: int = 0, symbolic: bool = True) -> Report:
    """Check one registered case; the symbolic leg runs where the case is small enough."""
    inputs, hyper = case.sample(seed)
    use_derivation = symbolic and case.symbolic and layer.derivation is not None
    report = check(
        partial(layer.module.forward, **hyper),
        layer.module.backward,
        inputs,
        bind(layer.derivation, **hyper) if use_derivation else None,
        seed=seed,
        names=layer.input_names,
        name=f"{layer.name}-{case.id}",
    )
    if layer.derivation is not None and not use_derivation:
        # say why the derivation was left out, in place of check()'s "no derivation" note (absent
        # when the check stopped early or projected): other notes must survive
        report.notes = [n for n in report.notes if not n.startswith("no derivation")]
        report.notes.append(
            "shapes above SymPy's budget: backward checked against finite differences only"
        )
    return report


def check_layer(name: str, *, seed: int = 0) -> list[Report]:
    """Check every registered case of a layer; one report per case."""
    layer = get_layer(name)
    if not layer.cases:
        raise ValueError(f"layer {name!r} registers no CASES in layers/{name}.py")
    return [check_case(layer, case, seed=seed) for case in layer.cases]
