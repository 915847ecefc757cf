"""The run configuration: one validated object that presets load into, the app
edits and the CLI reads.

Every field is declared once in ``FIELDS`` with its default, its range or
choices and a one-line help. Parsing (``--set``, TOML, form inputs) and
validation all go through ``FieldSpec.parse`` / ``FieldSpec.check``, so an
error reads the same wherever it happens::

    training.learning_rate = 20 is out of range: allowed 1e-05 to 10
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from typing import Any, Iterable, Mapping

import tomli_w

from .data import DATASETS, feature_names
from .engine.activations import hidden_activation_names, output_activation_names
from .engine.initializers import INITIALIZERS
from .engine.losses import LOSSES
from .engine.optimizers import OPTIMIZERS

__all__ = [
    "Config",
    "ConfigError",
    "DataConfig",
    "FIELDS",
    "FieldSpec",
    "NetworkConfig",
    "TrainingConfig",
    "TRAINING_RULES",
    "resolve_output_and_loss",
]

# Training modes that are not gradient descent: they live beside the optimizers
# in `training.optimizer` because that is where a learner looks for them.
TRAINING_RULES = ("perceptron",)
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 512
REGULARIZATIONS = ("none", "l1", "l2")


class ConfigError(ValueError):
    """A one-line, user-facing message naming the field, the value and what is allowed."""


def format_value(value: Any) -> str:
    """A setting's value as a user would type it: 0.1, 8,8, true."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(value: Any) -> Any:
    # Quote text where a number was wanted: `"0.1"` is not `0.1`.
    return repr(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class FieldSpec:
    """One setting: where it lives, its type, default, allowed values and help."""

    section: str
    key: str
    kind: str  # int | float | bool | str | choice | int_list | name_list | names
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    # Changing it while training runs keeps the weights (the app relies on this).
    live: bool = False
    # Learning rates and their kind move in multiples, not steps.
    log_scale: bool = False

    @property
    def path(self) -> str:
        return f"{self.section}.{self.key}"

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "int_list":
            return f"0 to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_NEURONS} neurons, e.g. 8,8"
        if self.low is not None:
            return f"{format_value(self.low)} to {format_value(self.high)}"
        return "any text"

    def error(self, value: Any, why: str) -> ConfigError:
        return ConfigError(f"{self.path} = {format_value(value)} {why}")

    def parse(self, text: str) -> Any:
        """Parse the text a user typed (``--set``, a form field) and check it."""
        text = text.strip()
        try:
            if self.kind == "int":
                value: Any = int(text)
            elif self.kind == "float":
                value = float(text)
            elif self.kind == "bool":
                low = text.lower()
                if low not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ValueError
                value = low in ("true", "1", "yes", "on")
            elif self.kind == "int_list":
                parts = [p for p in text.strip("[]").replace(" ", ",").split(",") if p]
                if text.lower() in ("", "none", "[]"):
                    parts = []
                value = [int(p) for p in parts]
            elif self.kind in ("name_list", "names"):
                parts = [p.strip() for p in text.split(",") if p.strip()]
                value = parts[0] if self.kind == "names" and len(parts) == 1 else parts
            else:
                value = text
        except ValueError:
            raise ConfigError(
                f"{self.path} = {text!r} is not {self._kind_words()}: allowed {self.allowed()}"
            ) from None
        return self.check(value)

    def _kind_words(self) -> str:
        return {
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "int_list": "a list of whole numbers like 8,8",
        }.get(self.kind, "valid")

    def check(self, value: Any) -> Any:
        """Validate a value from TOML or ``parse``; returns it normalised."""
        k = self.kind
        if k == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise self.error(_shown(value), f"is not a whole number: allowed {self.allowed()}")
            self._check_range(value)
        elif k == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.error(_shown(value), f"is not a number: allowed {self.allowed()}")
            value = float(value)
            if not math.isfinite(value):
                raise self.error(value, f"is not finite: allowed {self.allowed()}")
            self._check_range(value)
        elif k == "bool":
            if not isinstance(value, bool):
                raise self.error(value, "is not true or false")
        elif k in ("str", "choice"):
            if not isinstance(value, str):
                raise self.error(value, "is not text")
            if self.choices and value not in self.choices:
                raise self.error(value, f"is not allowed: {self.allowed()}")
        elif k == "int_list":
            if not isinstance(value, (list, tuple)) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                raise self.error(value, "is not a list of whole numbers like [8, 8]")
            if len(value) > MAX_HIDDEN_LAYERS:
                raise self.error(
                    value, f"has {len(value)} layers: allowed 0 to {MAX_HIDDEN_LAYERS}"
                )
            for v in value:
                if not 1 <= v <= MAX_NEURONS:
                    raise self.error(
                        value, f"has a layer of {v} neurons: allowed 1 to {MAX_NEURONS} each"
                    )
            value = tuple(value)
        elif k in ("name_list", "names"):
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
                raise self.error(value, f"is not a name or list of names: allowed {self.allowed()}")
            for v in items:
                if self.choices and v not in self.choices:
                    raise self.error(v, f"is not allowed: {self.allowed()}")
            if k == "name_list":
                if not items:
                    raise self.error(value, f"is empty: pick at least one of {', '.join(self.choices)}")
                if len(set(items)) != len(items):
                    raise self.error(value, "names one item twice")
                value = tuple(items)
            else:
                if not items:
                    raise self.error(value, f"is empty: allowed {self.allowed()}")
                value = items if isinstance(items, str) else (
                    items[0] if len(items) == 1 else tuple(items)
                )
        return value

    def _check_range(self, value: float) -> None:
        if self.low is not None and not (self.low <= value <= self.high):
            raise self.error(value, f"is out of range: allowed {self.allowed()}")


def _datasets() -> tuple[str, ...]:
    return tuple(DATASETS)


FIELDS: tuple[FieldSpec, ...] = (
    # data
    FieldSpec("data", "dataset", "choice", "spiral", "the data set", choices=_datasets()),
    FieldSpec("data", "points", "int", 500, "number of points, train and test together", 4, 10000),
    FieldSpec("data", "noise", "float", 0.0, "noise added to 2-D data", 0.0, 0.5),
    FieldSpec("data", "train_ratio", "float", 0.5, "share of points used for training", 0.1, 0.9),
    FieldSpec(
        "data", "features", "name_list", ("x1", "x2"),
        "input features computed from the 2-D point", choices=feature_names(),
    ),
    FieldSpec("data", "csv", "str", "", "a CSV file of your own (with data.dataset = csv)"),
    FieldSpec("data", "target", "str", "", "the CSV column to predict"),
    # network
    FieldSpec("network", "hidden", "int_list", (4, 2), "neurons in each hidden layer"),
    FieldSpec(
        "network", "activation", "names", "tanh",
        "hidden activation: one name, or one per hidden layer",
        choices=hidden_activation_names(),
    ),
    FieldSpec(
        "network", "output", "choice", "auto", "output activation (auto: from the task)",
        choices=("auto", *output_activation_names()),
    ),
    FieldSpec(
        "network", "loss", "choice", "auto", "loss function (auto: from the task)",
        choices=("auto", *LOSSES),
    ),
    FieldSpec("network", "init", "choice", "glorot", "weight initialisation", choices=tuple(INITIALIZERS)),
    FieldSpec("network", "leaky_slope", "float", 0.01, "negative slope of leaky_relu", 0.0, 1.0),
    # training
    FieldSpec(
        "training", "optimizer", "choice", "sgd", "how weights are updated",
        choices=(*OPTIMIZERS, *TRAINING_RULES),
    ),
    FieldSpec(
        "training", "learning_rate", "float", 0.03, "step size", 1e-5, 10.0, live=True, log_scale=True
    ),
    FieldSpec("training", "batch_size", "int", 10, "samples per update", 1, 10000, live=True),
    FieldSpec("training", "epochs", "int", 1000, "passes over the training data", 0, 1_000_000, live=True),
    FieldSpec(
        "training", "regularization", "choice", "none", "weight penalty",
        choices=REGULARIZATIONS, live=True,
    ),
    FieldSpec(
        "training", "regularization_rate", "float", 0.0, "strength of the weight penalty",
        0.0, 10.0, live=True,
    ),
    FieldSpec("training", "dropout", "float", 0.0, "share of hidden neurons dropped while training", 0.0, 0.9),
    FieldSpec("training", "batch_norm", "bool", False, "normalise each hidden layer per mini-batch"),
    FieldSpec("training", "seed", "int", 0, "seeds the data, weights, shuffling and dropout", 0, 2**32 - 1),
    FieldSpec("training", "momentum", "float", 0.9, "momentum / nesterov: velocity kept per step", 0.0, 0.999, live=True),
    FieldSpec("training", "beta1", "float", 0.9, "adam: decay of the gradient average", 0.0, 0.999, live=True),
    FieldSpec("training", "beta2", "float", 0.999, "adam: decay of the squared-gradient average", 0.0, 0.99999, live=True),
    FieldSpec("training", "rho", "float", 0.9, "rmsprop: decay of the squared-gradient average", 0.0, 0.999, live=True),
    FieldSpec("training", "epsilon", "float", 1e-8, "adagrad/rmsprop/adam: keeps divisions finite", 1e-12, 0.1, live=True),
)
SPECS: dict[str, FieldSpec] = {f.path: f for f in FIELDS}


def _defaults(section: str) -> dict[str, Any]:
    return {f.key: f.default for f in FIELDS if f.section == section}


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "spiral"
    points: int = 500
    noise: float = 0.0
    train_ratio: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    csv: str = ""
    target: str = ""


@dataclass(frozen=True)
class NetworkConfig:
    hidden: tuple[int, ...] = (4, 2)
    activation: str | tuple[str, ...] = "tanh"
    output: str = "auto"
    loss: str = "auto"
    init: str = "glorot"
    leaky_slope: float = 0.01

    def activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden)
        return tuple(self.activation)


@dataclass(frozen=True)
class TrainingConfig:
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    epochs: int = 1000
    regularization: str = "none"
    regularization_rate: float = 0.0
    dropout: float = 0.0
    batch_norm: bool = False
    seed: int = 0
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.9
    epsilon: float = 1e-8

    def optimizer_params(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in ("momentum", "beta1", "beta2", "rho", "epsilon")}


_SECTIONS = {"data": DataConfig, "network": NetworkConfig, "training": TrainingConfig}

# The defaults in FIELDS and in the dataclasses must agree; checked at import so
# that a new field cannot be half-added.
for _spec in FIELDS:
    _dc_default = {f.name: f.default for f in fields(_SECTIONS[_spec.section])}[_spec.key]
    assert _dc_default == _spec.default, _spec.path


def resolve_output_and_loss(task: str, output: str, loss: str) -> tuple[str, str]:
    """Fill ``auto`` with the usual pairing for the task, then check the pair."""
    auto_output = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[task]
    if output == "auto":
        output = {"bce": "sigmoid", "cce": "softmax"}.get(loss, auto_output)
    if loss == "auto":
        loss = {"sigmoid": "bce", "softmax": "cce"}.get(output, "mse")
        if task == "regression" or output in ("linear", "tanh", "step"):
            loss = "mse"
    if task == "multiclass" and output != "softmax":
        raise ConfigError(f"network.output = {output} cannot give several classes: use softmax")
    lcls = LOSSES[loss]
    if task not in lcls.tasks:
        allowed = ", ".join(n for n, c in LOSSES.items() if task in c.tasks)
        raise ConfigError(f"network.loss = {loss} does not fit {task} data: allowed {allowed}")
    if lcls.outputs is not None and output not in lcls.outputs:
        raise ConfigError(
            f"network.output = {output} does not go with network.loss = {loss}: "
            f"allowed {', '.join(sorted(lcls.outputs))}"
        )
    if task == "regression" and output in ("softmax", "step", "sigmoid"):
        raise ConfigError(f"network.output = {output} does not fit regression: allowed linear, tanh")
    return output, loss


@dataclass(frozen=True)
class Config:
    """A whole run: what a preset holds, what the app edits, what the CLI reads."""

    name: str = "untitled"
    description: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    # Hand-set weights: ((W0, b0), (W1, b1), ...) as nested tuples; None = init.
    weights: tuple | None = None

    # ---- access by dotted path ------------------------------------------
    def get(self, path: str) -> Any:
        spec = _spec(path)
        return getattr(getattr(self, spec.section), spec.key)

    def with_value(self, path: str, value: Any) -> "Config":
        """A copy with one field set (checked); cross-field checks via ``validate``."""
        spec = _spec(path)
        value = spec.check(value)
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
                raise ConfigError(f"--set {item!r}: expected section.key=value, e.g. training.learning_rate=0.1")
            cfg = cfg.with_text(path.strip(), text)
        return cfg.validate()

    # ---- validation across fields ---------------------------------------
    def validate(self) -> "Config":
        """Checks that involve several fields; returns self so calls chain."""
        net, tr, data = self.network, self.training, self.data
        acts = net.activations()
        if not isinstance(net.activation, str) and len(acts) != len(net.hidden):
            raise ConfigError(
                f"network.activation lists {len(acts)} names for {len(net.hidden)} hidden "
                f"layers: give one name, or one per layer"
            )
        info = DATASETS[data.dataset]
        # A CSV's task is known only once it is read; the trainer checks it then.
        task = info.task if info.task != "auto" else "binary"
        output, loss = (
            resolve_output_and_loss(task, net.output, net.loss)
            if info.task != "auto"
            else (net.output, net.loss)
        )
        if tr.optimizer == "perceptron":
            if net.hidden:
                raise ConfigError(
                    "training.optimizer = perceptron trains a single layer: set network.hidden = [] "
                    "(a perceptron cannot learn XOR; that is the lesson)"
                )
            if task != "binary":
                raise ConfigError("training.optimizer = perceptron needs two-class data")
            if output != "step":
                raise ConfigError("training.optimizer = perceptron needs network.output = step")
        elif ("step" in acts or output == "step") and tr.epochs > 0:
            raise ConfigError(
                "network.activation/output = step has no gradient for "
                f"training.optimizer = {tr.optimizer}: use another activation, "
                "training.optimizer = perceptron, or training.epochs = 0 with hand-set weights"
            )
        if tr.batch_norm and tr.batch_size < 2:
            raise ConfigError("training.batch_norm needs training.batch_size >= 2 (statistics of one sample are zero)")
        if data.dataset == "csv" and (not data.csv or not data.target):
            raise ConfigError("data.dataset = csv needs data.csv (a file) and data.target (a column)")
        if not info.fixed_points and info.is_2d:
            n_train = max(1, round(data.points * data.train_ratio))
            if tr.batch_size > n_train:
                raise ConfigError(
                    f"training.batch_size = {tr.batch_size} is out of range: allowed 1 to {n_train} "
                    f"(the training set's size)"
                )
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
            raise ConfigError(
                f"{source}: unknown key {sorted(extra)[0]!r}: allowed name, description, "
                "[data], [network], [training], [weights]"
            )
        for key in ("name", "description"):
            if key in doc:
                if not isinstance(doc[key], str):
                    raise ConfigError(f"{source}: {key} must be text")
                cfg = replace(cfg, **{key: doc[key]})
        for section in _SECTIONS:
            table = doc.get(section, {})
            if not isinstance(table, Mapping):
                raise ConfigError(f"{source}: [{section}] must be a table")
            for key, value in table.items():
                path = f"{section}.{key}"
                if path not in SPECS:
                    known = ", ".join(f.key for f in FIELDS if f.section == section)
                    raise ConfigError(f"{source}: unknown setting {path}: allowed {known}")
                cfg = cfg.with_value(path, value)
        if "weights" in doc:
            cfg = replace(cfg, weights=_parse_weights(doc["weights"], source))
        return cfg.validate()

    @classmethod
    def from_toml(cls, text: str, *, source: str = "preset") -> "Config":
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from None
        return cls.from_mapping(doc, source=source)

    def to_mapping(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "description": self.description}
        for section in _SECTIONS:
            table = {}
            for spec in FIELDS:
                if spec.section != section:
                    continue
                value = self.get(spec.path)
                if isinstance(value, tuple):
                    value = list(value)
                table[spec.key] = value
            doc[section] = table
        if self.weights is not None:
            doc["weights"] = {}
            for k, (W, b) in enumerate(self.weights):
                doc["weights"][f"W{k}"] = [list(r) for r in W]
                doc["weights"][f"b{k}"] = list(b)
        return doc

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_mapping())


def _spec(path: str) -> FieldSpec:
    try:
        return SPECS[path]
    except KeyError:
        close = [p for p in SPECS if p.split(".")[-1] == path.split(".")[-1]]
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"unknown setting {path!r}{hint}: see `tui-nn train --help`") from None


def _parse_weights(table: Any, source: str) -> tuple:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: [weights] must be a table of W0, b0, W1, b1, ...")
    layers = []
    k = 0
    while f"W{k}" in table or f"b{k}" in table:
        try:
            W = tuple(tuple(float(v) for v in row) for row in table[f"W{k}"])
            b = tuple(float(v) for v in table[f"b{k}"])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(
                f"{source}: weights.W{k} must be a list of rows of numbers and weights.b{k} a list of numbers"
            ) from None
        if not all(math.isfinite(v) for row in W for v in row) or not all(math.isfinite(v) for v in b):
            raise ConfigError(f"{source}: weights.W{k} and weights.b{k} must be finite numbers")
        layers.append((W, b))
        k += 1
    unknown = set(table) - {f"W{i}" for i in range(k)} - {f"b{i}" for i in range(k)}
    if unknown:
        raise ConfigError(f"{source}: unknown key weights.{sorted(unknown)[0]}: expected W0, b0, W1, b1, ...")
    if not layers:
        raise ConfigError(f"{source}: [weights] is empty: expected W0, b0, W1, b1, ...")
    return tuple(layers)
