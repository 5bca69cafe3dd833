"""Every layer of a collection with its derivation, found by module name.

A module ``<layers>/<name>.py`` that defines ``forward`` and ``backward`` is a layer; its
``CASES`` list says where to check it, and ``<derivations>/<name>.py`` (when present) is its
symbolic twin.  Nothing else registers a layer: adding the two files is enough.  Which packages
those are is the collection's business (:mod:`gradcheck.collection`): every function here takes
``collection=``, by default the one the working directory's project names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from types import ModuleType

from gradcheck.cases import Case
from gradcheck.checker import bind, check
from gradcheck.collection import Collection, find_collection
from gradcheck.contract import input_names
from gradcheck.report import Report


def layer_names(collection: Collection | None = None) -> list[str]:
    """Names of the collection's modules that define ``forward`` and ``backward``."""
    return (collection or find_collection()).names()


def derivation_names(collection: Collection | None = None) -> list[str]:
    """Names of the collection's derivation modules."""
    return (collection or find_collection()).derivation_names()


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


def get_layer(name: str, collection: Collection | None = None) -> Layer:
    """The layer called ``name``; ``KeyError`` listing the known names otherwise."""
    collection = collection or find_collection()
    known = collection.names()
    if name not in known:
        raise KeyError(f"unknown layer {name!r}; known layers: {', '.join(known)}")
    return Layer(name, collection.layer_module(name), collection.derivation_module(name))


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


def kink_problem(report: Report, case: Case) -> str | None:
    """Why a passing registered case still fails, or None: kinks were found where the case
    draws none, or none where it samples one on purpose (``at_kink=True``)."""
    if bool(report.kinks) != case.at_kink:
        if case.at_kink:
            return "the case samples a kink (at_kink=True), but the check found none"
        return (
            "kinks were found, but the case is drawn away from them: draw from a domain that "
            "keeps away from kinks by more than the step, or mark the case at_kink=True"
        )
    return None


def check_layer(name: str, *, seed: int = 0, collection: Collection | None = None) -> list[Report]:
    """Check every registered case of a layer; one report per case."""
    layer = get_layer(name, collection)
    if not layer.cases:
        raise ValueError(f"layer {name!r} registers no CASES in {layer.module.__file__}")
    return [check_case(layer, case, seed=seed) for case in layer.cases]
