"""What the app opens: a preset, a lesson (its preset, its text beside the plots;
the next and the previous; the text shown and hidden with `e`), and the
language, switched live."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.app import App
from textual.binding import Binding

from ..config import Config, ConfigError, Weights
from ..i18n import LANGUAGES, _, language, set_language
from ..io.presets import folder_presets, list_presets, load_preset
from ..lessons import LESSONS, Lesson, get_lesson
from ..session.protocol import Command, Pause
from ..training.compare import parse_vary
from .bindings import translated
from .dialogs.path_dialog import PathDialog
from .screens.compare import CompareScreen
from .widgets.lesson_panel import LessonPanel

__all__ = ["OpenActions"]

PaletteEntry = tuple[str, str, Callable[[], object]]


class OpenActions(App[None]):
    """The app supplies ``_set_config``, ``lesson_panel`` and ``redraw_all``."""

    config: Config
    lesson: Lesson | None = None
    lesson_panel: LessonPanel
    # The app's own bindings in English, as declared: translated from these at each switch.
    _english_bindings: dict[str, list[Binding]] | None = None

    start_weights: Weights | None = None

    def _set_config(self, config: Config, *, reason: str, live_path: str | None = None) -> None:
        raise NotImplementedError

    def load_preset(self, name: str) -> None:
        try:
            config = load_preset(name)
        except ConfigError as exc:
            self.notify(str(exc), severity="error")
            return
        self.sub_title = config.name
        self.start_weights = config.weights
        self._set_config(config, reason=_("Loaded preset {name}.").format(name=config.name))

    pace: float | None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The playground's priority keys (space) belong to the compare screen's runs there.
        if isinstance(self.screen, CompareScreen) and self.screen.blocks(action):
            return False
        # The footer names "e Lesson" while a lesson is open, "s Settings" otherwise;
        # the key not named acts through its hidden twin (bindings.py).
        if action == "toggle_settings" and self.lesson is not None:
            return False
        if action == "explain" and self.lesson is None:
            return False
        return super().check_action(action, parameters)

    def action_toggle_settings(self) -> None:
        if self.screen.has_class("-lesson"):
            # The settings take the lesson's place (shown by the toggle when narrow,
            # by its absence when wide: see app.tcss).
            self.screen.remove_class("-lesson")
            self.screen.set_class(self.screen.has_class("-narrow"), "-settings-toggled")
            return
        self.screen.toggle_class("-settings-toggled")

    def action_toggle_settings_key(self) -> None:
        self.action_toggle_settings()

    def action_explain_key(self) -> None:
        self.action_explain()

    async def back_to_playground(self) -> None:
        """Close the compare screen (and stop its runs) if it is up."""
        while isinstance(self.screen, CompareScreen):
            self.screen.stop_runs()
            await self.pop_screen()

    def open_compare_for(self, lesson: Lesson) -> None:
        """Lessons that vary a setting open their runs side by side, the main run paused."""
        if lesson.vary is None:
            return
        path, values = lesson.vary
        self.open_compare(load_preset(lesson.preset), path, values, _(lesson.title))

    def open_compare(self, config: Config, path: str, values: tuple[str, ...], title: str = "") -> None:
        try:
            screen = CompareScreen(config, path, values, pace=self.pace, title=title)
        except ConfigError as exc:
            self.notify(str(exc), severity="error")
            return
        self._send(Pause())
        self.push_screen(screen)

    def action_compare(self) -> None:
        """Ask which setting to vary, then compare the current set-up's runs."""
        def answered(text: str | None) -> None:
            if not text:
                return
            try:
                path, values = parse_vary(text, self.config)
            except ConfigError as exc:
                self.notify(str(exc), title=_("Not compared"), severity="error")
                return
            self.open_compare(self.config, path, values)

        self.push_screen(PathDialog(_("Compare runs: one setting and 2 to 6 values"),
                                    "training.optimizer=sgd,momentum,adam",
                                    hint=_("Enter to compare, Escape to cancel")), answered)

    def _send(self, command: Command) -> None:
        raise NotImplementedError

    # From EditActions (declared, not defined here: this mixin comes first in the MRO).
    action_landscape: Callable[[], None]
    open_optimizer_paths: Callable[[], None]

    async def open_lesson(self, key: str | int) -> None:
        """Open lesson ``key`` (its number or id): its preset, and its text beside the plots."""
        await self.back_to_playground()
        try:
            lesson = get_lesson(key)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        self.lesson = lesson
        self.refresh_bindings()
        self.load_preset(lesson.preset)
        self.lesson_panel.show(lesson)
        self.screen.add_class("-lesson")
        self.sub_title = _("Lesson {number}: {title}").format(number=lesson.number, title=_(lesson.title))
        if lesson.vary is not None:
            self.open_compare_for(lesson)

    def action_explain(self) -> None:
        if self.lesson is None:
            self.notify(_("No lesson is open: ctrl+p and type 'lesson', or start with tui-nn --lesson 1."))
            return
        self.screen.toggle_class("-lesson")
        if self.screen.has_class("-lesson") and self.screen.has_class("-narrow"):
            self.screen.remove_class("-settings-toggled")  # one panel on the left at 80 columns

    async def action_next_lesson(self) -> None:
        number = self.lesson.number + 1 if self.lesson is not None else 1
        if number > len(LESSONS):
            self.notify(_("That was the last lesson."))
            return
        await self.open_lesson(number)

    async def action_previous_lesson(self) -> None:
        number = self.lesson.number - 1 if self.lesson is not None else 1
        if number < 1:
            self.notify(_("This is the first lesson."))
            return
        await self.open_lesson(number)

    def open_commands(self) -> list[PaletteEntry]:
        """The palette's entries for lessons, presets and languages."""
        items: list[PaletteEntry] = [
            (_("Compare runs"), _("Two to six runs of this set-up, one setting varied"), self.action_compare),
            (_("Loss landscape"), _("The loss around the weights, with the path the optimizer took (L)"),
             self.action_landscape),
            (_("Optimizer paths"), _("SGD, momentum and Adam from one start on one loss landscape"),
             self.open_optimizer_paths),
        ]
        for lesson in LESSONS:
            title = _("Lesson {number}: {title}").format(number=lesson.number, title=_(lesson.title))
            items.append((title, _(lesson.look), partial(self.open_lesson, lesson.number)))
        for p in list_presets():
            items.append((_("Load preset: {name}").format(name=p.name), p.description,
                          partial(self.load_preset, p.name)))
        for p in folder_presets():  # served with a teacher's folder: its presets too
            items.append((_("Load preset: {name} (teacher's folder)").format(name=p.name), p.description,
                          partial(self.load_preset, str(p.path))))
        for code, name in LANGUAGES.items():
            if code != language():
                items.append((_("Language: {name}").format(name=name), _("Switch every text to {name}").format(
                    name=name), partial(self.switch_language, code)))
        return items

    # ---- language ------------------------------------------------------------------
    def translate_bindings(self) -> None:
        """The app's key descriptions (footer, help) in the current language."""
        if self._english_bindings is None:
            self._english_bindings = {k: list(v) for k, v in self._bindings.key_to_bindings.items()}
        for key, bindings in self._english_bindings.items():
            self._bindings.key_to_bindings[key] = translated(bindings)

    async def switch_language(self, code: str) -> None:
        """Every text in ``code``'s language, now: keys, panels, the lesson, the status."""
        await self.back_to_playground()  # its panels are built for the playground's screen
        set_language(code)
        self.translate_bindings()
        await self.redraw_all()
        self.refresh_bindings()
        self.notify(_("Language: {name}").format(name=LANGUAGES[code]))

    async def redraw_all(self) -> None:
        raise NotImplementedError
