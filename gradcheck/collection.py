"""Where layers come from: a *collection*, a package of layer modules and, optionally, a package
of derivation modules with the same names.

A project names its collection in its ``pyproject.toml``::

    [tool.trigrad]
    layers = "mynn.layers"
    derivations = "mynn.derivations"   # optional

found in the nearest ``pyproject.toml`` walking up from the working directory (the first one
found is the project's: a table further up belongs to another project).  Without the table the
collection is ``layers`` and ``derivations`` importable from the project's root, which is how a
clone of trigrad checks its own reference layers.  ``--layers PKG`` and ``--derivations PKG``
override both on the command line; then ``--layers`` alone has no derivations, so that a layer
is never paired with another package's derivation of the same name.

Nothing here is imported when :mod:`gradcheck` is: a collection is imported when it is first
asked for its layers, with the project's root (and ``src/`` below it) added to ``sys.path``
only if the package cannot be imported otherwise.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from gradcheck.pyproject import CollectionError, project, table

__all__ = ["Collection", "CollectionError", "configured", "find_collection"]

HOW_TO_NAME = (
    'name one in your pyproject.toml, [tool.trigrad] layers = "yourpackage.layers" (and '
    'derivations = "yourpackage.derivations"), or pass --layers PKG'
)


@dataclass(frozen=True)
class Collection:
    """A package of layer modules and an optional package of derivation modules.

    Attributes
    ----------
    layers, derivations : str, str or None
        Dotted package names, e.g. ``"mynn.layers"``.
    root : Path
        The project's root: the folder of its ``pyproject.toml``, else the working directory.
    source : str
        How it was named, for messages: ``"[tool.trigrad] in /p/pyproject.toml"``, ``"--layers"``
        or ``"the default"``.
    extend_path : bool
        Whether the root may join ``sys.path`` to import the packages: yes for the command
        line, no inside pytest, where the project's tests import it as they always do.
    """

    layers: str
    derivations: str | None
    root: Path
    source: str
    extend_path: bool = True

    @property
    def named(self) -> bool:
        """Whether the packages were named (a table, --layers), not taken by default: then a
        derivations package that is missing is a mistake to report, not an option."""
        return self.source != "the default"

    def _import(self, package: str) -> ModuleType:
        """Import ``package``; the project's root, then its ``src/``, join ``sys.path`` only if
        the package is missing without them."""
        folders = [f for f in (self.root, self.root / "src") if f.is_dir() and self.extend_path]
        while True:
            try:
                return importlib.import_module(package)
            except ModuleNotFoundError as error:
                if not (error.name and (package + ".").startswith(error.name + ".")):
                    raise  # the package itself imports something missing: the user's traceback
                missing = error
            while folders and str(folders[0]) in sys.path:
                folders.pop(0)
            if not folders:
                fix = (
                    "run from its root"
                    if self.extend_path
                    else ('add pythonpath = ["."] to [tool.pytest.ini_options]')
                )
                raise CollectionError(
                    f"cannot import {package!r}, named by {self.source}, from {self.root}: "
                    f"{missing}; install your project (pip install -e .) or {fix}, "
                    f"or {HOW_TO_NAME}"
                ) from None
            sys.path.insert(0, str(folders.pop(0)))
            importlib.invalidate_caches()

    def layer_package(self) -> ModuleType:
        """The layers package, imported; :class:`CollectionError` if it is not a package."""
        package = self._import(self.layers)
        if not hasattr(package, "__path__"):
            raise CollectionError(
                f"{self.layers!r} (named by {self.source}) is a module, not a package of layer "
                f"modules: {HOW_TO_NAME}"
            )
        return package

    def modules(self) -> dict[str, Path]:
        """Every public module of the layers package, by name, with its file: not imported."""
        package = self.layer_package()
        found = {}
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                spec = importlib.util.find_spec(f"{self.layers}.{info.name}")
                found[info.name] = Path(spec.origin) if spec and spec.origin else None
        return found

    def scan(self) -> tuple[list[str], dict[str, str]]:
        """The layers (modules that define ``forward`` and ``backward``), and the modules that
        cannot be imported, each with what went wrong: one broken module stops no other."""
        names, broken = [], {}
        for name in self.modules():
            try:
                module = importlib.import_module(f"{self.layers}.{name}")
            except Exception as error:  # the user's module: say what, never stop the others
                broken[name] = (
                    f"cannot import {self.layers}.{name}: {type(error).__name__}: {error}"
                )
                continue
            if callable(getattr(module, "forward", None)) and callable(
                getattr(module, "backward", None)
            ):
                names.append(name)
        return names, broken

    def names(self) -> list[str]:
        """The layers: public modules of the package that define ``forward`` and ``backward``
        (modules that cannot be imported are left out: see :meth:`scan`)."""
        return self.scan()[0]

    def validate(self) -> None:
        """Import the packages now, so that a misnamed one is reported before any check."""
        self.layer_package()
        if self.derivations is not None and self.named:
            self._import(self.derivations)

    def layer_module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{self.layers}.{name}")

    def derivation_module(self, name: str) -> ModuleType | None:
        """``derivations.<name>``, or None when the collection has none of that name."""
        if self.derivations is None:
            return None
        try:
            package = self._import(self.derivations)
        except CollectionError:
            if self.named:
                raise  # named, so expected: a typo must not drop the symbolic leg silently
            return None  # the default's derivations are optional: the check says so
        if not any(m.name == name for m in pkgutil.iter_modules(package.__path__)):
            return None
        return importlib.import_module(f"{self.derivations}.{name}")

    def derivation_names(self) -> list[str]:
        if self.derivations is None:
            return []
        try:
            package = self._import(self.derivations)
        except CollectionError:
            return []
        return sorted(
            m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")
        )

    def folders(self) -> tuple[Path, Path | None]:
        """Where the layer modules (and derivation modules) live, for ``new`` to write into."""
        layers = Path(self.layer_package().__path__[0])
        if self.derivations is None:
            return layers, None
        try:
            return layers, Path(self._import(self.derivations).__path__[0])
        except CollectionError:
            # a configured derivations package not written yet: beside the layers package
            tail = self.derivations.rsplit(".", 1)[-1]
            return layers, layers.parent / tail

    def describe(self) -> dict[str, str | None]:
        return {"layers": self.layers, "derivations": self.derivations, "source": self.source}


def find_collection(
    start: Path | str | None = None,
    *,
    layers: str | None = None,
    derivations: str | None = None,
    extend_path: bool = True,
) -> Collection:
    """The collection for the project at ``start`` (default: the working directory).

    ``layers`` and ``derivations`` override the project's ``[tool.trigrad]`` table, as
    ``--layers`` and ``--derivations`` do on the command line.  ``extend_path=False`` imports
    the packages only as the process already can (inside pytest).
    """
    root, pyproject = project(Path(start or Path.cwd()).resolve())
    if layers is not None:
        return Collection(layers, derivations, root, "--layers", extend_path)
    found = table(pyproject) if pyproject is not None else None
    if found is not None:
        where = f"[tool.trigrad] in {pyproject}"
        derivations = derivations or found.get("derivations")
        return Collection(found["layers"], derivations, root, where, extend_path)
    source = "--derivations" if derivations else "the default"
    return Collection("layers", derivations or "derivations", root, source, extend_path)


def configured(start: Path | str | None = None) -> bool:
    """Whether the project at ``start`` names its collection in a ``[tool.trigrad]`` table."""
    _, pyproject = project(Path(start or Path.cwd()).resolve())
    return pyproject is not None and table(pyproject) is not None
