"""Named extensions of one kind: activations, losses, optimizers, initialisers, datasets.

Each kind keeps one ``Registry``; adding an extension is one ``register`` (a
class with a ``name``) or one ``add`` (any object under a name), and every
reader (the config's choices, the CLI's help, the settings form) asks the
registry, so nothing else needs an edit. An unknown name is refused with the
list of known ones, in the words every registry shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar, Generic, TypeVar, cast

__all__ = ["Extension", "Registry", "UnknownName"]

T = TypeVar("T")
C = TypeVar("C")


class Extension:
    """Base of a registered class: the name it is registered under, and a line for people."""

    name: ClassVar[str]
    description: ClassVar[str]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class UnknownName(ValueError):
    """A name no extension of this kind was registered under."""


class Registry(Generic[T]):
    """An ordered map from names to extensions of one kind.

    ``version`` counts changes, so readers that derive tables from a registry
    (the config's fields) know when to derive them again.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self.version = 0

    def add(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is registered already")
        self._items[name] = item
        self.version += 1
        return item

    def register(self, cls: C) -> C:
        """Class decorator: register ``cls`` under its ``name`` attribute."""
        self.add(str(getattr(cls, "name")), cast(T, cls))
        return cls

    def remove(self, name: str) -> None:
        """Take an extension out again (tests register throw-away ones)."""
        del self._items[name]
        self.version += 1

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise UnknownName(f"unknown {self.kind} {name!r}: allowed {', '.join(self._items)}") from None

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def names(self, where: Callable[[T], bool] | None = None) -> tuple[str, ...]:
        """Registered names in order, optionally only those whose extension passes ``where``."""
        return tuple(n for n, item in self._items.items() if where is None or where(item))

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def values(self) -> list[T]:
        return list(self._items.values())
