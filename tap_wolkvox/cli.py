"""The ``tap-wolkvox`` command: the tap, started without importing what a tap never runs.

Importing singer-sdk imports its target and BATCH machinery with it: ``upath`` (and through it
``fsspec``) for BATCH files, ``joblib`` for a target's parallel sinks; ``backoff`` imports
``asyncio`` for its async retries. A run of this tap uses none of them (it offers no BATCH, and
retries synchronously), yet importing them was 0.2 G of the 1.5 G instructions an empty run
cost. The command puts a stand-in in their place before singer-sdk is imported
(:func:`defer_unused_imports`); the first use of a stand-in imports the real module, so
nothing changes for code that does use them, only when the price is paid.

Only the command does this: importing :mod:`tap_wolkvox` as a library leaves the imports alone.
Which names the SDK takes from these modules when imported is a seam (T10 in ``sdk.py``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Sequence

#: The modules a tap run imports but never uses, with the names that the modules importing them
#: take at once (``from joblib import Parallel``): those names are handed out as
#: :class:`Later` callables, which import the module when called.
UNUSED: t.Final[dict[str, frozenset[str]]] = {
    "upath": frozenset({"UPath"}),
    "joblib": frozenset({"Parallel", "delayed", "parallel_config"}),
    "asyncio": frozenset(),
}


class Deferred(types.ModuleType):
    """A stand-in for a module, which imports the real one at its first use.

    Reading any attribute but the names handed out as :class:`Later` imports the real module
    and reads it there; the real module then replaces the stand-in in ``sys.modules``. The
    stand-in is an (empty) package, so that ``from module import name`` asks it for the name
    instead of looking for a submodule; importing a submodule imports the real module first
    (:class:`SubmoduleFinder`).
    """

    def __init__(self, name: str, names: frozenset[str]) -> None:
        """A stand-in for the module ``name``, handing out ``names`` as :class:`Later`."""
        super().__init__(name)
        self.__path__: list[str] = []
        self._deferred_names = names
        self._deferred_real: types.ModuleType | None = None

    def load(self) -> types.ModuleType:
        """The real module, imported now if it was not yet."""
        if self._deferred_real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            self._deferred_real = importlib.import_module(self.__name__)
        return self._deferred_real

    def __getattr__(self, name: str) -> t.Any:
        """Only called for what the stand-in lacks: a :class:`Later`, or the real attribute."""
        if self._deferred_real is None and name in self._deferred_names:
            return Later(self, name)
        return getattr(self.load(), name)


class Later:
    """A name taken from a :class:`Deferred` module: calling it imports the module, then calls."""

    def __init__(self, module: Deferred, name: str) -> None:
        """The name ``name`` of ``module``."""
        self._module = module
        self._name = name

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Call the real object."""
        return getattr(self._module.load(), self._name)(*args, **kwargs)

    def __getattr__(self, name: str) -> t.Any:
        """An attribute of the real object."""
        return getattr(getattr(self._module.load(), self._name), name)


class _Existing(importlib.abc.Loader):
    """Loads a module that importing its real parent has already imported: that module."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = sys.modules[spec.name]
        self._spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self._spec  # the import set it to this loader's


class SubmoduleFinder(importlib.abc.MetaPathFinder):
    """Imports the real package before one of its submodules is imported."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,  # noqa: ARG002 - the stand-in's (empty) path
        target: types.ModuleType | None = None,  # noqa: ARG002
    ) -> importlib.machinery.ModuleSpec | None:
        """The submodule's spec, in the real package, when its package is a stand-in."""
        parent, _, _ = fullname.rpartition(".")
        stand_in = sys.modules.get(parent)
        if not isinstance(stand_in, Deferred):
            return None
        real = stand_in.load()
        if fullname in sys.modules:  # the real package imported it
            return importlib.util.spec_from_loader(fullname, _Existing())
        return importlib.machinery.PathFinder.find_spec(fullname, real.__path__)


def defer_unused_imports() -> None:
    """Put stand-ins in the place of :data:`UNUSED` modules not imported yet."""
    for name, names in UNUSED.items():
        if name not in sys.modules:
            sys.modules[name] = Deferred(name, names)
    if not any(isinstance(finder, SubmoduleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SubmoduleFinder())


def main() -> None:
    """Run the tap's command line."""
    defer_unused_imports()
    from tap_wolkvox.tap import TapWolkvox  # noqa: PLC0415 - after the stand-ins

    TapWolkvox.cli()
