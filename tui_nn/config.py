"""The run configuration: one validated object that presets load into, the app
edits and the CLI reads.

Every setting is declared once, with its rule, default and help: the data
settings in ``data/settings.py``, the network and training settings below,
and each optimizer's hyperparameters on the optimizer's class. ``FIELDS`` and
``SPECS`` list them all (re-derived when an optimizer is registered), and
parsing (``--set``, TOML, form inputs) and validation all go through the
rules, so an error reads the same wherever it happens::

    training.learning_rate = 20 is out of range: allowed 1e-05 to 10
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, overload

import tomli_w

from .data import DATASETS, DataConfig
from .data.settings import SEED
from .engine.activations import ACTIVATIONS, hidden_activation_names, output_activation_names
from .engine.initializers import INITIALIZERS
from .engine.losses import LOSSES
from .engine.optimizers import OPTIMIZERS
from .i18n import N_, _
from .rules import (
    ConfigError,
    Flag,
    Interval,
    LayerSizes,
    Options,
    PerLayer,
    Section,
    Setting,
    format_value,
    name_shown,
    printable,
    quoted,
    setting,
)

__all__ = [
    "Config",
    "ConfigError",
    "DataConfig",
    "FIELDS",
    "NetworkConfig",
    "SPECS",
    "Setting",
    "TrainingConfig",
    "TRAINING_RULES",
    "Weights",
    "format_value",
    "resolve_output_and_loss",
]

# Training modes that are not gradient descent: they live beside the optimizers
# in `training.optimizer` because that is where a learner looks for them.
TRAINING_RULES = ("perceptron",)
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 512
REGULARIZATIONS = ("none", "l1", "l2")

# Hand-set weights: ((W0, b0), (W1, b1), ...), W as fan_in x fan_out rows.
Weights = tuple[tuple[tuple[tuple[float, ...], ...], tuple[float, ...]], ...]


@dataclass(frozen=True)
class NetworkConfig(Section):
    section_name: ClassVar[str] = "network"

    hidden: tuple[int, ...] = setting(
        LayerSizes(MAX_HIDDEN_LAYERS, MAX_NEURONS), (4, 2), N_("neurons in each hidden layer")
    )
    activation: str | tuple[str, ...] = setting(
        PerLayer(Options(hidden_activation_names)), "tanh", N_("hidden activation: one name, or one per hidden layer")
    )
    output: str = setting(
        Options(lambda: ("auto", *output_activation_names())), "auto", N_("output activation (auto: from the task)")
    )
    loss: str = setting(Options(lambda: ("auto", *LOSSES.names())), "auto", N_("loss function (auto: from the task)"))
    init: str = setting(Options(INITIALIZERS.names), "glorot", N_("weight initialisation"))
    init_seed: int = setting(
        Interval(int, 0, 2**32 - 1), 0, N_("which draw of initial weights: 0 is the seed's own first one")
    )
    leaky_slope: float = setting(Interval(float, 0.0, 1.0), 0.01, N_("negative slope of leaky_relu"))

    def activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden)
        return tuple(self.activation)


@dataclass(frozen=True)
class TrainingConfig(Section):
    section_name: ClassVar[str] = "training"

    optimizer: str = setting(
        Options(lambda: (*OPTIMIZERS.names(), *TRAINING_RULES)), "sgd", N_("how weights are updated")
    )
    learning_rate: float = setting(Interval(float, 1e-5, 10.0), 0.03, N_("step size"), live=True, log_scale=True)
    batch_size: int = setting(Interval(int, 1, 10000), 10, N_("samples per update"), live=True)
    epochs: int = setting(Interval(int, 0, 1_000_000), 1000, N_("passes over the training data"), live=True)
    regularization: str = setting(Options(REGULARIZATIONS), "none", N_("weight penalty"), live=True)
    regularization_rate: float = setting(
        Interval(float, 0.0, 10.0), 0.0, N_("strength of the weight penalty"), live=True
    )
    dropout: float = setting(Interval(float, 0.0, 0.9), 0.0, N_("share of hidden neurons dropped while training"))
    batch_norm: bool = setting(Flag(), False, N_("normalise each hidden layer per mini-batch"))
    seed: int = setting(SEED, 0, N_("seeds the data, weights, shuffling and dropout"))
    shuffle: str = setting(
        Options(("epoch", "once")), "epoch",
        N_("reshuffle the training rows every epoch, or keep one shuffled order (as TF Playground does)"), live=True,
    )
    # The optimizers' hyperparameters that differ from their declared
    # defaults, as sorted (name, value) pairs: one canonical form, so two
    # configs that mean the same compare equal.
    hyper: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        specs = _hyperparameters()
        for name, value in self.hyper:
            if name not in specs:
                raise ConfigError(_("unknown setting {path}: see `tui-nn train --help`").format(
                    path=repr(f"training.{name}")))
            specs[name].check(value)

    def hyperparameter(self, name: str) -> float:
        for key, value in self.hyper:
            if key == name:
                return value
        return float(_hyperparameters()[name].default)

    def hyperparameters(self) -> dict[str, float]:
        """Every declared hyperparameter with its value in this run."""
        return {name: self.hyperparameter(name) for name in _hyperparameters()}

    def with_hyperparameter(self, name: str, value: float) -> "TrainingConfig":
        spec = _hyperparameters()[name]
        kept = [(k, v) for k, v in self.hyper if k != name]
        if value != spec.default:
            kept.append((name, float(value)))
        return replace(self, hyper=tuple(sorted(kept)))


_SECTIONS: dict[str, type[Section]] = {"data": DataConfig, "network": NetworkConfig, "training": TrainingConfig}


# ---- the table of every setting ----------------------------------------------------

_table_version = -1
_table: tuple[Setting, ...] = ()
_hyper: dict[str, Setting] = {}


def _refresh() -> None:
    """Derive the settings table again if an optimizer was registered since."""
    global _table_version, _table, _hyper
    if _table_version == OPTIMIZERS.version:
        return
    hyper: dict[str, Setting] = {}
    for cls in OPTIMIZERS.values():
        for hp in cls.hyperparameters:
            spec = Setting("training", hp.name, hp.rule, hp.default, hp.help, live=True)
            known = hyper.setdefault(hp.name, spec)
            if (known.rule, known.default) != (spec.rule, spec.default):
                raise ValueError(f"training.{hp.name} is declared twice with different rules or defaults")
    static = tuple(s for section in _SECTIONS.values() for s in section.settings())
    _table, _hyper, _table_version = (*static, *hyper.values()), hyper, OPTIMIZERS.version


def _hyperparameters() -> dict[str, Setting]:
    _refresh()
    return _hyper


class _FieldList(Sequence[Setting]):
    """Every setting in display order: data, network, training, hyperparameters."""

    @overload
    def __getitem__(self, i: int) -> Setting: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Setting]: ...

    def __getitem__(self, i: int | slice) -> Setting | Sequence[Setting]:
        _refresh()
        return _table[i]

    def __len__(self) -> int:
        _refresh()
        return len(_table)


class _SpecMap(Mapping[str, Setting]):
    """Every setting by its dotted path (``training.learning_rate``)."""

    def __getitem__(self, path: str) -> Setting:
        _refresh()
        for spec in _table:
            if spec.path == path:
                return spec
        raise KeyError(path)

    def __iter__(self) -> Iterator[str]:
        _refresh()
        return iter([s.path for s in _table])

    def __len__(self) -> int:
        _refresh()
        return len(_table)


FIELDS: Sequence[Setting] = _FieldList()
SPECS: Mapping[str, Setting] = _SpecMap()


def optimizer_fields(optimizer: str) -> tuple[str, ...]:
    """Paths of the hyperparameters ``optimizer`` uses (none for the perceptron)."""
    cls = OPTIMIZERS.get(optimizer)
    return tuple(f"training.{n}" for n in cls.hyperparameter_names()) if cls else ()


def hyperparameter_paths() -> tuple[str, ...]:
    return tuple(f"training.{n}" for n in _hyperparameters())


# ---- output activation and loss ----------------------------------------------------


def resolve_output_and_loss(task: str, output: str, loss: str) -> tuple[str, str]:
    """Fill ``auto`` from what the activations and losses declare, then check the pair."""
    if output == "auto":
        fused = LOSSES[loss].fused_output if loss != "auto" else None
        defaults = ACTIVATIONS.names(lambda c: task in c.default_for)
        if not fused and not defaults:  # a CSV's task ("auto") is known once the file is read
            raise ConfigError(_("network.output = auto is chosen once the data is read (task {task})").format(
                task=task))
        output = fused or defaults[0]
    out_cls = ACTIVATIONS[output]
    if loss == "auto":
        loss = out_cls.default_loss
    loss_cls = LOSSES[loss]
    if task not in out_cls.output_tasks:
        allowed = ", ".join(ACTIVATIONS.names(lambda c: c.output_ok and task in c.output_tasks))
        if task == "multiclass":
            message = _("network.output = {output} cannot give several classes: allowed {allowed}")
        else:
            message = _("network.output = {output} does not fit {task}: allowed {allowed}")
        raise ConfigError(message.format(output=output, task=task, allowed=allowed))
    if task not in loss_cls.tasks:
        allowed = ", ".join(LOSSES.names(lambda c: task in c.tasks))
        raise ConfigError(_("network.loss = {loss} does not fit {task} data: allowed {allowed}").format(
            loss=loss, task=task, allowed=allowed))
    if loss_cls.outputs is not None and output not in loss_cls.outputs:
        raise ConfigError(
            _("network.output = {output} does not go with network.loss = {loss}: allowed {allowed}").format(
                output=output, loss=loss, allowed=", ".join(sorted(loss_cls.outputs)))
        )
    return output, loss


# ---- the whole run ---------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """A whole run: what a preset holds, what the app edits, what the CLI reads."""

    name: str = "untitled"
    description: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    weights: Weights | None = None  # None: the initialiser draws them

    # ---- access by dotted path ------------------------------------------
    def get(self, path: str) -> Any:
        spec = _spec(path)
        if path in hyperparameter_paths():
            return self.training.hyperparameter(spec.key)
        return getattr(getattr(self, spec.section), spec.key)

    def with_value(self, path: str, value: Any) -> "Config":
        """A copy with one field set (checked); cross-field checks via ``validate``."""
        spec = _spec(path)
        value = spec.check(value)
        if path in hyperparameter_paths():
            return replace(self, training=self.training.with_hyperparameter(spec.key, value))
        section = replace(getattr(self, spec.section), **{spec.key: value})
        return replace(self, **{spec.section: section})

    def with_text(self, path: str, text: str) -> "Config":
        """A copy with one field set from user text, e.g. ``network.hidden`` = ``8,8``."""
        return self.with_value(path, _spec(path).parse(text))

    def with_overrides(self, assignments: Iterable[str]) -> "Config":
        """Apply ``section.key=value`` strings (the CLI's ``--set``), then validate."""
        cfg = self
        for item in assignments:
            path, sep, text = item.partition("=")
            if not sep:
                raise ConfigError(
                    _("--set {item}: expected section.key=value, e.g. training.learning_rate=0.1").format(
                        item=repr(item)))
            cfg = cfg.with_text(path.strip(), text)
        return cfg.validate()

    # ---- validation across fields ---------------------------------------
    def validate(self) -> "Config":
        """Checks that involve several fields; returns self so calls chain."""
        net, tr, data = self.network, self.training, self.data
        acts = net.activations()
        if not isinstance(net.activation, str) and len(acts) != len(net.hidden):
            raise ConfigError(
                _("network.activation lists {names} names for {layers} hidden layers: give one name, "
                  "or one per layer").format(names=len(acts), layers=len(net.hidden))
            )
        info = DATASETS[data.dataset]
        # A CSV's task is known only once it is read; the trainer checks it then.
        task = info.task if info.task != "auto" else "binary"
        output, _loss = (
            resolve_output_and_loss(task, net.output, net.loss) if info.task != "auto" else (net.output, net.loss)
        )
        if tr.optimizer in TRAINING_RULES:
            if net.hidden:
                raise ConfigError(_(
                    "training.optimizer = perceptron trains a single layer: set network.hidden = [] "
                    "(a perceptron cannot learn XOR; that is the lesson)"
                ))
            if task != "binary":
                raise ConfigError(_("training.optimizer = perceptron needs two-class data"))
            if output != "step":
                raise ConfigError(_("training.optimizer = perceptron needs network.output = step"))
        elif ("step" in acts or output == "step") and tr.epochs > 0:
            raise ConfigError(_(
                "network.activation/output = step has no gradient for training.optimizer = {optimizer}: "
                "use another activation, training.optimizer = perceptron, or training.epochs = 0 with "
                "hand-set weights"
            ).format(optimizer=tr.optimizer))
        if tr.batch_norm and tr.batch_size < 2:
            raise ConfigError(_(
                "training.batch_norm needs training.batch_size >= 2 (statistics of one sample are zero)"))
        if data.dataset == "csv" and (not data.csv or not data.target):
            raise ConfigError(_("data.dataset = csv needs data.csv (a file) and data.target (a column)"))
        if not info.fixed_points and info.is_2d:
            n_train = max(1, round(data.points * data.train_ratio))
            if tr.batch_size > n_train:
                raise ConfigError(_(
                    "training.batch_size = {size} is out of range: allowed 1 to {most} (the training set's size)"
                ).format(size=tr.batch_size, most=n_train))
        return self

    def output_and_loss(self, task: str | None = None) -> tuple[str, str]:
        """The output activation and loss, ``auto`` resolved for ``task``."""
        task = task or DATASETS[self.data.dataset].task
        return resolve_output_and_loss(task, self.network.output, self.network.loss)

    # ---- TOML -------------------------------------------------------------
    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any], *, source: str = "preset") -> "Config":
        """Build from a parsed TOML document; unknown keys are errors (typos matter)."""
        cfg = cls()
        extra = set(doc) - {"name", "description", "data", "network", "training", "weights"}
        if extra:
            raise ConfigError(_(
                "{source}: unknown key {key}: allowed name, description, [data], [network], [training], [weights]"
            ).format(source=source, key=quoted(sorted(extra)[0])))
        for key in ("name", "description"):
            if key in doc:
                if not isinstance(doc[key], str):
                    raise ConfigError(_("{source}: {key} must be text").format(source=source, key=key))
                cfg = replace(cfg, **{key: doc[key]})
        for section in _SECTIONS:
            table = doc.get(section, {})
            if not isinstance(table, Mapping):
                raise ConfigError(_("{source}: [{section}] must be a table").format(source=source, section=section))
            for key, value in table.items():
                path = f"{section}.{key}"
                if path not in SPECS:
                    known = ", ".join(f.key for f in FIELDS if f.section == section)
                    raise ConfigError(_("{source}: unknown setting {path}: allowed {allowed}").format(
                        source=source, path=f"{section}.{name_shown(key)}", allowed=known))
                cfg = cfg.with_value(path, value)
        if "weights" in doc:
            cfg = replace(cfg, weights=_parse_weights(doc["weights"], source))
        return cfg.validate()

    @classmethod
    def from_toml(cls, text: str, *, source: str = "preset") -> "Config":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(_("{source}: not valid TOML: {error}").format(
                source=source, error=printable(str(exc)))) from None
        except ValueError as exc:  # an integer of more than 4300 digits
            raise ConfigError(_("{source}: not a usable preset: {error}").format(
                source=source, error=printable(str(exc)).split(';')[0])) from None
        except RecursionError:
            raise ConfigError(_("{source}: not a usable preset: arrays or tables nested too deeply").format(
                source=source)) from None
        return cls.from_mapping(doc, source=source)

    def to_mapping(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "description": self.description}
        for section in _SECTIONS:
            table = {}
            for spec in FIELDS:
                if spec.section == section:
                    value = self.get(spec.path)
                    table[spec.key] = list(value) if isinstance(value, tuple) else value
            doc[section] = table
        if self.weights is not None:
            doc["weights"] = {}
            for k, (W, b) in enumerate(self.weights):
                doc["weights"][f"W{k}"] = [list(r) for r in W]
                doc["weights"][f"b{k}"] = list(b)
        return doc

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_mapping())


def _spec(path: str) -> Setting:
    try:
        return SPECS[path]
    except KeyError:
        close = [p for p in SPECS if p.split(".")[-1] == path.split(".")[-1]]
        if close:
            message = _("unknown setting {path} (did you mean {close}?): see `tui-nn train --help`")
        else:
            message = _("unknown setting {path}: see `tui-nn train --help`")
        raise ConfigError(message.format(path=repr(path), close=close[0] if close else "")) from None


def _parse_weights(table: Any, source: str) -> Weights:
    if not isinstance(table, Mapping):
        raise ConfigError(_("{source}: [weights] must be a table of W0, b0, W1, b1, ...").format(source=source))
    layers = []
    k = 0
    while f"W{k}" in table or f"b{k}" in table:
        try:
            W = tuple(tuple(float(v) for v in row) for row in table[f"W{k}"])
            b = tuple(float(v) for v in table[f"b{k}"])
        except (KeyError, TypeError, ValueError, OverflowError):
            raise ConfigError(_(
                "{source}: weights.W{k} must be a list of rows of finite numbers and weights.b{k} a list of numbers"
            ).format(source=source, k=k)) from None
        if not all(math.isfinite(v) for row in W for v in row) or not all(math.isfinite(v) for v in b):
            raise ConfigError(_("{source}: weights.W{k} and weights.b{k} must be finite numbers").format(
                source=source, k=k))
        layers.append((W, b))
        k += 1
    unknown = set(table) - {f"W{i}" for i in range(k)} - {f"b{i}" for i in range(k)}
    if unknown:
        raise ConfigError(_("{source}: unknown key weights.{key}: expected W0, b0, W1, b1, ...").format(
            source=source, key=name_shown(sorted(unknown)[0])))
    if not layers:
        raise ConfigError(_("{source}: [weights] is empty: expected W0, b0, W1, b1, ...").format(source=source))
    return tuple(layers)
