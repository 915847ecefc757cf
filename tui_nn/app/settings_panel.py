"""The settings panel: forms for data, network and training, built from the
config's field specs so every value is checked by the same code as presets
and ``--set``.

The panel never changes the run itself: it posts ``SettingChanged`` with a
new, validated Config, and the app decides whether that is a live change or
a reset. A refused value is put back in place and the reason is posted as
``SettingRefused``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Switch, TabbedContent, TabPane
from textual.widgets.selection_list import Selection

from ..config import SPECS, Config, ConfigError, Setting, format_value, hyperparameter_paths, optimizer_fields
from ..data import DATASETS
from ..file_access import readable
from ..i18n import N_, _
from ..rules import Flag, Options, PerLayer, Text
from ..rules import Selection as SelectionRule
from .messages import SettingChanged, SettingRefused
from .widgets.language import FollowsLanguage


def tabs() -> dict[str, tuple[str, ...]]:
    """Which fields each tab shows, in order (by the tab's title in English, which
    names its id; ``_(title)`` is what the tab says). Batch size sits with the data
    as in TensorFlow Playground; every optimizer hyperparameter the registry declares
    follows the optimizer's other settings."""
    return {
        N_("Data"): (
            "data.dataset", "data.points", "data.noise", "data.train_ratio",
            "training.batch_size", "training.shuffle", "data.features", "data.csv", "data.target",
        ),
        N_("Network"): (
            "network.hidden", "network.activation", "network.output", "network.loss",
            "network.init", "network.init_seed", "network.leaky_slope",
        ),
        N_("Training"): (
            "training.optimizer", "training.learning_rate", "training.regularization",
            "training.regularization_rate", "training.dropout", "training.batch_norm",
            *hyperparameter_paths(), "training.seed", "training.epochs",
        ),
    }


# Each setting's label in the form (the label column is 14 cells wide: a longer
# label wraps between words). A setting missing here (a hyperparameter an
# optimizer registers later) is labelled by its key.
LABELS = {
    "data.dataset": N_("dataset"), "data.points": N_("points"), "data.noise": N_("noise"),
    "data.train_ratio": N_("train ratio"), "training.batch_size": N_("batch size"),
    "training.shuffle": N_("shuffle"), "data.features": N_("features"), "data.csv": N_("CSV file"),
    "data.target": N_("target"), "network.hidden": N_("hidden"), "network.activation": N_("activation"),
    "network.output": N_("output"), "network.loss": N_("loss"), "network.init": N_("init"),
    "network.init_seed": N_("init seed"), "network.leaky_slope": N_("leaky slope"),
    "training.optimizer": N_("optimizer"), "training.learning_rate": N_("learning rate"),
    "training.regularization": N_("regularization"), "training.regularization_rate": N_("regularization rate"),
    "training.dropout": N_("dropout"), "training.batch_norm": N_("batch norm"), "training.seed": N_("seed"),
    "training.epochs": N_("epochs"), "training.momentum": N_("momentum"),
}


# The form's buttons: (words, tooltip) by id.
BUTTONS = {
    "add-layer": (N_("+ layer"), N_("Add a hidden layer (copies the last one's size)")),
    "remove-layer": (N_("- layer"), N_("Remove the last hidden layer")),
    "regenerate": (N_("Regenerate (g)"), N_("Draw new data with the next seed and reset")),
}


def _button(wid: str) -> Button:
    words, tip = BUTTONS[wid]
    button = Button(_(words), id=wid)
    button.tooltip = _(tip)
    return button


def label(spec: Setting) -> str:
    """The form's label for ``spec``, in the current language."""
    declared = LABELS.get(spec.path)
    return _(declared) if declared else spec.key.replace("_", " ")


def tooltip(spec: Setting) -> str:
    return _("{path}: {help}. Allowed: {allowed}.").format(path=spec.path, help=spec.help, allowed=spec.allowed())


def widget_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


class SpecValidator(Validator):
    """Checks typed text with the field's own rule (the one --set uses)."""

    def __init__(self, spec: Setting) -> None:
        super().__init__()
        self.spec = spec

    def validate(self, value: str) -> ValidationResult:
        try:
            self.spec.parse(value)
        except ConfigError as exc:
            return self.failure(str(exc))
        return self.success()


class SettingsPanel(FollowsLanguage, VerticalScroll):
    """Three tabs of settings; edits become SettingChanged messages."""

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self._syncing = False
        self._tabs = tabs()
        self._options: dict[str, list[tuple[str, str]]] = {}  # what each list shows
        # "csv" picked before its file was named: its two fields show, to be filled first.
        self._csv_wanted = config.data.dataset == "csv"

    def compose(self) -> ComposeResult:
        with TabbedContent(id="settings-tabs"):
            for title, paths in self._tabs.items():
                with TabPane(_(title), id=f"tab-{title.lower()}"):
                    for path in paths:
                        yield from self._field(SPECS[path])
                    if title == "Network":
                        with Horizontal(classes="buttons"):
                            yield _button("add-layer")
                            yield _button("remove-layer")
                    if title == "Data":
                        yield _button("regenerate")

    def _field(self, spec: Setting) -> ComposeResult:
        """One labelled control on one line (the feature list below its label)."""
        wid = widget_id(spec.path)
        tip = tooltip(spec)
        name = Label(label(spec), classes="field-label", id=f"{wid}-label")
        name.tooltip = tip
        control = _control(spec, self.config.get(spec.path), wid, self.config)
        if isinstance(control, Select):
            self._options[spec.path] = _select_options(spec, self.config.get(spec.path), self.config)
        control.tooltip = tip
        listed = isinstance(spec.rule, SelectionRule)
        row = Vertical if listed else Horizontal
        with row(classes="field", id=f"{wid}-row"):
            yield name
            yield control
            if listed:
                # The list's ticks differ only by colour; say it in words too
                # (NO_COLOR and 16-colour terminals).
                yield Label(_using(self.config.get(spec.path)), id=f"{wid}-summary", classes="summary")

    def on_mount(self) -> None:
        self._update_visibility()

    def language_changed(self) -> None:
        """Every label, tab title, button, tooltip and list entry in the current language."""
        tabbed = self.query_one("#settings-tabs", TabbedContent)
        for title, paths in self._tabs.items():
            tabbed.get_tab(f"tab-{title.lower()}").label = _(title)
            for path in paths:
                spec = SPECS[path]
                wid = widget_id(path)
                name = self.query_one(f"#{wid}-label", Label)
                name.update(label(spec))
                name.tooltip = self.query_one(f"#{wid}").tooltip = tooltip(spec)
                control = self.query_one(f"#{wid}")
                if isinstance(control, Input) and isinstance(spec.rule, Text):
                    control.placeholder = spec.allowed()
        for wid, (words, tip) in BUTTONS.items():
            button = self.query_one(f"#{wid}", Button)
            button.label, button.tooltip = _(words), _(tip)
        self.sync(self.config)  # the lists' words ("auto: sigmoid") and the features' summary

    # ---- keeping the form in step with the config ---------------------------
    def sync(self, config: Config) -> None:
        """Show ``config`` in every control (after a preset load or a reset)."""
        self.config = config
        self._syncing = True
        try:
            for paths in self._tabs.values():
                for path in paths:
                    self._show(path, config.get(path))
        finally:
            self._syncing = False
        self._update_visibility()

    def _show(self, path: str, value: Any) -> None:
        widget = self.query_one(f"#{widget_id(path)}")
        if isinstance(widget, Select):
            options = _select_options(SPECS[path], value, self.config)
            shown = ",".join(value) if isinstance(value, tuple) else value
            # New options pass through a blank value: no Changed may escape.
            with widget.prevent(Select.Changed):
                if options != self._options.get(path):
                    widget.set_options(options)
                    self._options[path] = options
                if widget.value != shown:
                    widget.value = shown
        elif isinstance(widget, Switch):
            widget.value = bool(value)
        elif isinstance(widget, SelectionList):
            wanted = set(value)
            if set(widget.selected) != wanted:
                widget.deselect_all()
                for name in value:
                    widget.select(name)
            self.query_one(f"#{widget_id(path)}-summary", Label).update(_using(value))
        elif isinstance(widget, Input):
            text = format_value(value)
            if widget.value != text:
                widget.value = text

    def _update_visibility(self) -> None:
        """Show only the fields that matter for the current choices."""
        cfg = self.config
        info = DATASETS[cfg.data.dataset]
        used = optimizer_fields(cfg.training.optimizer)
        shown = {path: path in used for path in hyperparameter_paths()}
        shown.update({
            "data.points": not info.fixed_points,
            "data.noise": not info.fixed_points,
            "data.features": info.is_2d,
            "network.leaky_slope": "leaky_relu" in cfg.network.activations(),
            "data.csv": cfg.data.dataset == "csv" or self._csv_wanted,
            "data.target": cfg.data.dataset == "csv" or self._csv_wanted,
        })
        for path, show in shown.items():
            self.query_one(f"#{widget_id(path)}-row").display = show
        for path in ("network.output", "network.loss"):
            self._show(path, cfg.get(path))  # "auto" names what it resolves to

    # ---- edits ----------------------------------------------------------------
    def _apply(self, path: str, make: Callable[[Config], Config]) -> None:
        if self._syncing:
            return
        old = self.config
        try:
            new = make(old)
            if path == "data.csv" and new.data.csv:
                readable(new.data.csv, _("CSV file"))  # served to a browser: refused here, at once
            if new.get(path) == old.get(path):
                # A control reporting the value it was given (a Select does so
                # when it mounts): nothing changed, and nothing may be reset.
                return
            # Hand-set weights stay: the trainer keeps them if they still fit
            # the network, and says so if it has to draw new ones.
            new = new.validate()
        except ConfigError as exc:
            self._show(path, old.get(path))  # refused in place: the old value returns
            self.post_message(SettingRefused(path, str(exc)))
            return
        if new == old:
            return
        self.config = new
        self._update_visibility()
        if isinstance(SPECS[path].rule, SelectionRule):
            self.query_one(f"#{widget_id(path)}-summary", Label).update(_using(new.get(path)))
        self.post_message(SettingChanged(path, new))

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        path = _path_of(event.select.id)
        if path and event.value is not Select.BLANK:
            if path == "data.dataset":
                self._csv_wanted = event.value == "csv"
            # Text: the rule reads "relu,tanh" (one per layer) as well as one name.
            self._apply(path, lambda c: c.with_text(path, str(event.value)))
            if path == "data.dataset":
                self._update_visibility()  # refused for want of a file: its fields appear

    @on(Switch.Changed)
    def _switch(self, event: Switch.Changed) -> None:
        path = _path_of(event.switch.id)
        if path:
            self._apply(path, lambda c: c.with_value(path, event.value))

    @on(SelectionList.SelectedChanged)
    def _features(self, event: SelectionList.SelectedChanged) -> None:
        path = _path_of(event.selection_list.id)
        if path:
            rule = SPECS[path].rule
            assert isinstance(rule, SelectionRule)
            order = rule.options.names()
            chosen = [name for name in order if name in event.selection_list.selected]
            self._apply(path, lambda c: c.with_value(path, chosen))

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _input(self, event: Input.Submitted | Input.Blurred) -> None:
        path = _path_of(event.input.id)
        if not path:
            return
        text = event.input.value
        if format_value(self.config.get(path)) == text.strip():
            return
        self._apply(path, lambda c: c.with_text(path, text))

    @on(Button.Pressed, "#add-layer")
    def _add_layer(self) -> None:
        hidden = list(self.config.network.hidden)
        hidden.append(hidden[-1] if hidden else 4)
        self._apply("network.hidden", lambda c: _with_hidden(c, hidden))
        self._show("network.hidden", self.config.network.hidden)

    @on(Button.Pressed, "#remove-layer")
    def _remove_layer(self) -> None:
        hidden = list(self.config.network.hidden)[:-1]
        self._apply("network.hidden", lambda c: _with_hidden(c, hidden))
        self._show("network.hidden", self.config.network.hidden)


def _select_options(spec: Setting, value: Any, config: Config) -> list[tuple[str, str]]:
    """(label, value) of each choice: "auto" says what it resolves to; a
    per-layer setting lists its names, plus the mix in force if there is one."""
    rule = spec.rule
    if isinstance(rule, PerLayer):
        options = [(n, n) for n in rule.options.names()]
        if isinstance(value, tuple):
            options.append((_("per layer: {names}").format(names=",".join(value)), ",".join(value)))
        return options
    assert isinstance(rule, Options)
    options = [(c, c) for c in rule.names()]
    if spec.path in ("network.output", "network.loss"):
        try:
            resolved = config.output_and_loss()
        except (ConfigError, KeyError):
            return options  # a CSV's task is known only once it is read
        options[0] = (_("auto: {name}").format(name=resolved[0 if spec.path == "network.output" else 1]), "auto")
    return options


def _control(spec: Setting, value: Any, wid: str, config: Config) -> Widget:
    """The form control a setting's rule calls for: a list for names (a hidden
    activation too: no free text to guess), a switch, a checklist, or text."""
    rule = spec.rule
    if isinstance(rule, (Options, PerLayer)):
        shown = ",".join(value) if isinstance(value, tuple) else value
        return Select(_select_options(spec, value, config), value=shown, allow_blank=False, id=wid, compact=True)
    if isinstance(rule, Flag):
        return Switch(value=value, id=wid)
    if isinstance(rule, SelectionRule):
        return SelectionList(
            *(Selection(name, name, name in value) for name in rule.options.names()),
            id=wid, classes="features", compact=True,
        )
    return Input(
        format_value(value), id=wid, validators=[SpecValidator(spec)],
        validate_on=["changed", "submitted", "blur"], compact=True,
        placeholder=spec.allowed() if isinstance(rule, Text) else "",
    )


def _using(names: Iterable[str]) -> str:
    return _("using: {names}").format(names=", ".join(names))


def _with_hidden(config: Config, hidden: list[int]) -> Config:
    cfg = config.with_value("network.hidden", hidden)
    act = cfg.network.activation
    if not isinstance(act, str):
        # Per-layer activations follow the layer count: extend with the last.
        acts = list(act)[: len(hidden)] or ["tanh"]
        acts += [acts[-1]] * (len(hidden) - len(acts))
        cfg = cfg.with_value("network.activation", acts[0] if len(set(acts)) == 1 else acts)
    return cfg


def _path_of(wid: str | None) -> str | None:
    if not wid or not wid.startswith("f-"):
        return None
    section, _dash, key = wid[2:].partition("-")
    path = f"{section}.{key.replace('-', '_')}"
    return path if path in SPECS else None
