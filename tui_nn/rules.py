"""Rules for settings: one object per constraint, as scikit-learn's
``_parameter_constraints`` are, with the parser, the check and the words that
describe what is allowed.

A rule checks a value from TOML or Python (``check``) or text a user typed in
``--set`` or a form field (``parse``), and returns it normalised (a list of
layer sizes becomes a tuple, 4.0 becomes 4 for a whole number). A refused
value raises ``ConfigError`` with one line that names the setting, the value
and what is allowed::

    training.learning_rate = 20 is out of range: allowed 1e-05 to 10

Every setting of a run is declared once with its rule (see ``config.py``,
``data/settings.py`` and the optimizers' hyperparameters); presets, ``--set``,
the settings form and the data generators all check values through it.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

from .i18n import N_, _

__all__ = [
    "ConfigError",
    "name_shown",
    "printable",
    "quoted",
    "Section",
    "Setting",
    "setting",
    "Flag",
    "Interval",
    "LayerSizes",
    "Options",
    "PerLayer",
    "Rule",
    "Selection",
    "Text",
    "format_value",
]

T = TypeVar("T")


class ConfigError(ValueError):
    """A one-line, user-facing message naming the setting, the value and what is allowed."""


def printable(text: str) -> str:
    """``text`` with control characters (newlines, escape sequences) shown as
    escapes: a message stays one line and cannot steer the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def quoted(text: str, limit: int = 40) -> str:
    """A name from a file (a key, a column) as an error shows it: quoted,
    escaped, and cut to ``limit`` characters."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    return "'" + printable(cut).replace("'", "\\'") + "'"


_PLAIN = re.compile(r"[\w.^*()+/-]{1,40}")


def name_shown(text: str) -> str:
    """A key or column name as a message shows it: as it is when it is a plain
    name (x1, training.seed), else quoted and escaped."""
    return text if _PLAIN.fullmatch(text) else quoted(text)


def format_value(value: object, *, quote_text: bool = False) -> str:
    """A setting's value as a user would type it: 0.1, 8,8, true.

    ``quote_text`` quotes text where a number or a name was wanted (errors
    show ``'0.1'`` for text, ``0.1`` for a number).
    """
    if isinstance(value, str):
        return quoted(value, 60) if quote_text else printable(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        digits = str(abs(int(value))) if int(value).bit_length() < 14000 else ""
        if not digits or len(digits) > 15:  # a 300-digit number is shown by its size
            size = f"{'-' if value < 0 else ''}1e+{len(digits) - 1 if digits else 'many'}"
            return _("{number} (about)").format(number=size)
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):g}"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return repr(value)


class Rule(Generic[T]):
    """One constraint on a setting's value."""

    # Words for "what this is", used when typed text cannot be read at all
    # (marked for translation here, translated where a message is made).
    kind_words = N_("valid")

    def check(self, value: object, path: str) -> T:
        raise NotImplementedError

    def parse(self, text: str, path: str) -> T:
        """Read text as a user typed it, then check it."""
        return self.check(text.strip(), path)

    def allowed(self) -> str:
        raise NotImplementedError

    def refuse(self, path: str, value: object, message: str, **fields: object) -> ConfigError:
        """``message`` (translated, naming ``{path}`` and ``{value}``) for ``value`` at ``path``."""
        return ConfigError(message.format(path=path, value=format_value(value, quote_text=True), **fields))

    def unreadable(self, path: str, text: str) -> ConfigError:
        return ConfigError(_("{path} = {value} is not {kind}: allowed {allowed}").format(
            path=path, value=repr(text), kind=_(self.kind_words), allowed=self.allowed()))


def _number(value: float) -> str:
    return format_value(value)


@dataclass(frozen=True)
class Interval(Rule[Any]):
    """A whole number (``kind=int``) or a real number (``kind=float``) in ``[low, high]``.

    ``high=None`` means no upper bound. Booleans are refused although Python
    counts them as numbers: ``points = true`` is surely a mistake.
    """

    kind: type
    low: float
    high: float | None = None

    @property
    def kind_words(self) -> str:  # type: ignore[override]
        return N_("a whole number") if self.kind is int else N_("a number")

    def allowed(self) -> str:
        if self.high is None:
            return _("{low} or more").format(low=_number(self.low))
        return _("{low} to {high}").format(low=_number(self.low), high=_number(self.high))

    def check(self, value: object, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self.refuse(path, value, _("{path} = {value} is not {kind}: allowed {allowed}"),
                              kind=_(self.kind_words), allowed=self.allowed())
        if self.kind is int:
            if not isinstance(value, numbers.Integral):
                as_float = float(value)
                if not as_float.is_integer():
                    raise self.refuse(path, value, _("{path} = {value} is not a whole number: allowed {allowed}"),
                                      allowed=self.allowed())
                value = int(as_float)
            number: float = int(value)
        else:
            try:
                number = float(value)
            except OverflowError:  # an integer beyond any float: 1 with 309 zeros
                raise self.refuse(path, value, _("{path} = {value} is out of range: allowed {allowed}"),
                                  allowed=self.allowed()) from None
        finite = isinstance(number, int) or math.isfinite(number)  # (a huge int has no float)
        if not (finite and self.low <= number and (self.high is None or number <= self.high)):
            raise self.refuse(path, number, _("{path} = {value} is out of range: allowed {allowed}"),
                              allowed=self.allowed())
        return number

    def parse(self, text: str, path: str) -> Any:
        text = text.strip()
        try:
            value: float = int(text) if self.kind is int else float(text)
        except ValueError:
            raise self.unreadable(path, text) from None
        return self.check(value, path)


@dataclass(frozen=True)
class Options(Rule[str]):
    """One name out of a list; ``choices`` may be a function, read at each check,
    so names registered later (a new activation, a new dataset) are allowed."""

    choices: Sequence[str] | Callable[[], Sequence[str]]

    def names(self) -> tuple[str, ...]:
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def allowed(self) -> str:
        return ", ".join(self.names())

    def check(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise self.refuse(path, value, _("{path} = {value} is not a name: allowed {allowed}"),
                              allowed=self.allowed())
        if value not in self.names():
            raise self.refuse(path, value, _("{path} = {value} is unknown: allowed {allowed}"),
                              allowed=self.allowed())
        return value


class Flag(Rule[bool]):
    kind_words = N_("true or false")

    def allowed(self) -> str:
        return _(self.kind_words)

    def check(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.refuse(path, value, _("{path} = {value} is not true or false"))
        return value

    def parse(self, text: str, path: str) -> bool:
        low = text.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise self.unreadable(path, text.strip())


class Text(Rule[str]):
    def allowed(self) -> str:
        return _("any text")

    def check(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise self.refuse(path, value, _("{path} = {value} is not text"))
        return value


@dataclass(frozen=True)
class LayerSizes(Rule[tuple[int, ...]]):
    """Hidden layer sizes: ``max_layers`` layers at most of 1 to ``max_neurons`` each."""

    max_layers: int
    max_neurons: int
    kind_words = N_("a list of whole numbers like 8,8")

    def allowed(self) -> str:
        return _("0 to {layers} layers of 1 to {neurons} neurons, e.g. 8,8").format(
            layers=self.max_layers, neurons=self.max_neurons)

    def check(self, value: object, path: str) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
        ):
            raise self.refuse(path, value, _("{path} = {value} is not a list of whole numbers like [8, 8]"))
        sizes = tuple(int(v) for v in value)
        if len(sizes) > self.max_layers:
            raise self.refuse(path, sizes, _("{path} = {value} has {count} layers: allowed 0 to {most}"),
                              count=len(sizes), most=self.max_layers)
        for v in sizes:
            if not 1 <= v <= self.max_neurons:
                raise self.refuse(path, sizes,
                                  _("{path} = {value} has a layer of {size} neurons: allowed 1 to {most} each"),
                                  size=v, most=self.max_neurons)
        return sizes

    def parse(self, text: str, path: str) -> tuple[int, ...]:
        text = text.strip()
        if text.lower() in ("", "none", "[]"):
            return ()
        parts = [p for p in text.strip("[]").replace(" ", ",").split(",") if p]
        try:
            sizes = [int(p) for p in parts]
        except ValueError:
            raise self.unreadable(path, text) from None
        return self.check(sizes, path)


def _names(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


@dataclass(frozen=True)
class Selection(Rule[tuple[str, ...]]):
    """Some of the options, at least one, each at most once, in the given order."""

    options: Options

    def allowed(self) -> str:
        return self.options.allowed()

    def check(self, value: object, path: str) -> tuple[str, ...]:
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise self.refuse(path, value, _("{path} = {value} is not a list of names: allowed {allowed}"),
                              allowed=self.allowed())
        if not items:
            raise ConfigError(_("{path} is empty: choose at least one of {allowed}").format(
                path=path, allowed=self.allowed()))
        names = self.options.names()
        seen: set[str] = set()
        for name in items:
            if name not in names:
                raise ConfigError(_("{path}: {name} is unknown: allowed {allowed}").format(
                    path=path, name=repr(name), allowed=self.allowed()))
            if name in seen:
                raise ConfigError(_("{path}: {name} is listed twice: each may appear once").format(
                    path=path, name=repr(name)))
            seen.add(name)
        return tuple(items)

    def parse(self, text: str, path: str) -> tuple[str, ...]:
        return self.check(_names(text), path)


@dataclass(frozen=True)
class PerLayer(Rule[Any]):
    """One name for every layer, or a list with one name per layer."""

    options: Options

    def allowed(self) -> str:
        return self.options.allowed()

    def check(self, value: object, path: str) -> str | tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
            raise self.refuse(path, value, _("{path} = {value} is not a name or a list of names: allowed {allowed}"),
                              allowed=self.allowed())
        if not items:
            raise ConfigError(_("{path} is empty: allowed {allowed}").format(path=path, allowed=self.allowed()))
        for name in items:
            self.options.check(name, path)
        return items[0] if len(items) == 1 else tuple(items)

    def parse(self, text: str, path: str) -> str | tuple[str, ...]:
        return self.check(_names(text), path)


# ---- declaring settings ------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One setting of a run: where it lives, its rule, default and help.

    ``live``: changing it while training runs keeps the weights (the app and
    the trainer rely on this). ``log_scale``: it moves in multiples, not steps
    (learning rates). ``help_message`` is the help as declared (English, marked
    with ``N_``); ``help`` is it in the current language.
    """

    section: str
    key: str
    rule: Rule[Any]
    default: Any
    help_message: str
    live: bool = False
    log_scale: bool = False

    @property
    def path(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def help(self) -> str:
        """The help in the current language."""
        return _(self.help_message)

    def check(self, value: object) -> Any:
        return self.rule.check(value, self.path)

    def parse(self, text: str) -> Any:
        return self.rule.parse(text, self.path)

    def allowed(self) -> str:
        return self.rule.allowed()


@dataclass(frozen=True)
class _Declared:
    rule: Rule[Any]
    help: str
    live: bool
    log_scale: bool


def setting(rule: Rule[Any], default: T, help: str, *, live: bool = False, log_scale: bool = False) -> T:
    """Declare a field of a ``Section`` dataclass: its rule, default and help, once
    (``help`` marked with ``N_``: ``Setting.help`` translates it when shown)."""
    declared = _Declared(rule, help, live, log_scale)
    declared_field: T = dataclasses.field(default=default, metadata={"setting": declared})
    return declared_field


_SECTION_SETTINGS: dict[type, tuple[Setting, ...]] = {}


class Section:
    """Base of a frozen dataclass of settings declared with ``setting``.

    Construction checks every field with its rule (and normalises it), so a
    section cannot hold a value its rules refuse, however it was made:
    ``replace``, TOML, ``--set`` or keyword arguments. ``error`` is the
    exception type its refusals carry (the data layer's own).
    """

    section_name: ClassVar[str]
    error: ClassVar[type[ConfigError]] = ConfigError

    def __post_init__(self) -> None:
        for spec in self.settings():
            value = getattr(self, spec.key)
            try:
                checked = spec.check(value)
            except ConfigError as exc:
                raise self.error(str(exc)) from None
            if checked is not value:
                object.__setattr__(self, spec.key, checked)

    @classmethod
    def settings(cls) -> tuple[Setting, ...]:
        got = _SECTION_SETTINGS.get(cls)
        if got is None:
            got = tuple(
                Setting(cls.section_name, f.name, d.rule, f.default, d.help, d.live, d.log_scale)
                for f in dataclasses.fields(cast(Any, cls))
                if isinstance(d := f.metadata.get("setting"), _Declared)
            )
            _SECTION_SETTINGS[cls] = got
        return got
