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
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

HOW_TO_NAME = (
    'name one in your pyproject.toml, [tool.trigrad] layers = "yourpackage.layers" (and '
    'derivations = "yourpackage.derivations"), or pass --layers PKG'
)
KEYS = {"layers", "derivations"}


class CollectionError(LookupError):
    """A collection that cannot be found or imported; the message says how to name one."""


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
    """

    layers: str
    derivations: str | None
    root: Path
    source: str

    def _import(self, package: str) -> ModuleType:
        """Import ``package``; the project's root, then its ``src/``, join ``sys.path`` only if
        the package is missing without them."""
        folders = [f for f in (self.root, self.root / "src") if f.is_dir()]
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
                raise CollectionError(
                    f"cannot import {package!r}, named by {self.source}, from {self.root}: "
                    f"{missing}; install your project (pip install -e .) or run from its root, "
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

    def names(self) -> list[str]:
        """The layers: public modules of the package that define ``forward`` and ``backward``."""
        package = self.layer_package()
        names = []
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{self.layers}.{info.name}")
            if callable(getattr(module, "forward", None)) and callable(
                getattr(module, "backward", None)
            ):
                names.append(info.name)
        return names

    def layer_module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{self.layers}.{name}")

    def derivation_module(self, name: str) -> ModuleType | None:
        """``derivations.<name>``, or None when the collection has none of that name."""
        if self.derivations is None:
            return None
        try:
            package = self._import(self.derivations)
        except CollectionError:
            return None  # derivations are optional: the check says "no derivation"
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


def _project(start: Path) -> tuple[Path, Path | None]:
    """The project's root and its pyproject.toml: the nearest one at or above ``start``."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder, folder / "pyproject.toml"
    return start, None


def _table(pyproject: Path) -> dict | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CollectionError(f"cannot read {pyproject}: {error}") from None
    table = data.get("tool", {}).get("trigrad")
    if table is None:
        return None
    unknown = sorted(set(table) - KEYS)
    wrong = [k for k in sorted(KEYS & set(table)) if not isinstance(table[k], str)]
    if unknown or wrong or "layers" not in table:
        problem = (
            f"unknown key {unknown[0]!r}"
            if unknown
            else f"{wrong[0]} must be a string"
            if wrong
            else "no layers key"
        )
        raise CollectionError(
            f"[tool.trigrad] in {pyproject}: {problem}; it takes layers = "
            '"yourpackage.layers" and, optionally, derivations = "yourpackage.derivations"'
        )
    return table


def find_collection(
    start: Path | str | None = None, *, layers: str | None = None, derivations: str | None = None
) -> Collection:
    """The collection for the project at ``start`` (default: the working directory).

    ``layers`` and ``derivations`` override the project's ``[tool.trigrad]`` table, as
    ``--layers`` and ``--derivations`` do on the command line.
    """
    root, pyproject = _project(Path(start or Path.cwd()).resolve())
    if layers is not None:
        return Collection(layers, derivations, root, "--layers")
    table = _table(pyproject) if pyproject is not None else None
    if table is not None:
        where = f"[tool.trigrad] in {pyproject}"
        return Collection(table["layers"], derivations or table.get("derivations"), root, where)
    return Collection("layers", derivations or "derivations", root, "the default")


def configured(start: Path | str | None = None) -> bool:
    """Whether the project at ``start`` names its collection in a ``[tool.trigrad]`` table."""
    _, pyproject = _project(Path(start or Path.cwd()).resolve())
    return pyproject is not None and _table(pyproject) is not None
