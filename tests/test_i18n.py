"""Messages in English and Korean: the catalogs are complete and current, the
compiled catalog is the source's, the language follows the locale and a
switch, Korean words keep to the room their place on screen has, the trainer
words its notes in the app's language, and no module hides gettext's ``_``."""

from __future__ import annotations

import ast
import functools
import gettext
import importlib.util
import queue
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polib
import pytest
from rich.cells import cell_len

import tui_nn
from tui_nn import i18n
from tui_nn.config import ConfigError, Config
from tui_nn.i18n import _, language_from_env, set_language

ROOT = Path(tui_nn.__file__).resolve().parent
PO = ROOT / "locale" / "ko" / "LC_MESSAGES" / "tui-nn.po"
MO = PO.with_suffix(".mo")


def _catalogs_tool():  # tools/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("catalogs", ROOT.parent / "tools" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def korean() -> Iterator[None]:
    set_language("ko")
    try:
        yield
    finally:
        set_language("en")


@functools.cache
def _korean_catalog() -> dict[str, str]:
    return {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if not e.obsolete}


def ko(msgid: str) -> str:
    """``msgid``'s Korean, from the catalog itself."""
    text = _korean_catalog().get(msgid, "")
    assert text, msgid
    return text


# ---- the catalogs -------------------------------------------------------------------


def test_the_catalogs_are_current_and_every_message_is_translated(capsys):
    # --check: the .pot is what the source holds; every Korean entry is translated,
    # not fuzzy, with the same {fields} as its English.
    assert _catalogs_tool().main(["--check"]) == 0, capsys.readouterr().err


def test_the_check_finds_a_missing_translation_and_different_fields():
    tool = _catalogs_tool()
    pot = tool.template({("Paused at epoch {epoch}.", None): [("x.py", 1)], ("Training.", None): [("x.py", 2)]})
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Paused at epoch {epoch}.", msgstr="에포크 {n}에서 일시정지."))
    problems = tool.problems(po, pot)
    assert any("fields differ" in p for p in problems) and any("untranslated: 'Training.'" in p for p in problems)


def test_the_compiled_catalog_is_the_source_entry_by_entry():
    po = polib.pofile(str(PO))
    with open(MO, "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    entries = [e for e in po if not e.obsolete and e.msgid]
    assert len(entries) > 300
    for entry in entries:
        if entry.msgid_plural:
            for n, want in ((1, entry.msgstr_plural[0]), (5, entry.msgstr_plural[0])):
                assert mo.ngettext(entry.msgid, entry.msgid_plural, n) == want, entry.msgid
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid
    assert "fuzzy" not in {flag for e in entries for flag in e.flags}


# ---- choosing the language --------------------------------------------------------------


@pytest.mark.parametrize("environ, expected", [
    ({"LANGUAGE": "ko:en"}, "ko"),
    ({"LANGUAGE": "fr:ko"}, "ko"),  # the first language of the list this program has
    ({"LANGUAGE": "en_GB:ko"}, "en"),
    ({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),  # LC_ALL over LANG
    ({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),
    ({"LC_MESSAGES": "ko_KR", "LANG": "C"}, "ko"),
    ({"LANG": "ko_KR.UTF-8"}, "ko"),
    ({"LANG": "ko_KR.eucKR@euro"}, "ko"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "POSIX", "LANGUAGE": ""}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # a language this program does not have
    ({"LANGUAGE": "xx"}, "en"),
    ({}, "en"),
])
def test_the_language_follows_the_locale(environ, expected):
    assert language_from_env(environ) == expected


def test_an_unknown_language_is_refused_naming_the_ones_there_are():
    with pytest.raises(ValueError) as refused:
        set_language("xx")
    assert "'xx'" in str(refused.value) and "en" in str(refused.value) and "ko" in str(refused.value)
    assert i18n.language() == "en"


def test_a_switch_words_messages_in_the_new_language_and_back():
    seen: list[str] = []
    stop = i18n.on_change(seen.append)
    try:
        set_language("ko")
        assert _("Paused at epoch {epoch}.").format(epoch=3) == "에포크 3에서 일시정지했습니다."
        assert i18n.ngettext("{count} more layer", "{count} more layers", 2).format(count=2) == "층 2개 더"
        with pytest.raises(ConfigError) as refused:
            Config().with_text("training.learning_rate", "20")
        # The path and the allowed range stay as a user types them.
        assert str(refused.value) == "training.learning_rate = 20: 범위를 벗어났습니다. 허용: 1e-05 ~ 10"
        set_language("en")
        assert _("Paused at epoch {epoch}.").format(epoch=3) == "Paused at epoch 3."
        with pytest.raises(ConfigError) as refused:
            Config().with_text("training.learning_rate", "20")
        assert str(refused.value) == "training.learning_rate = 20 is out of range: allowed 1e-05 to 10"
    finally:
        stop()
        set_language("en")
    assert seen == ["ko", "en"]


def test_declared_words_are_translated_where_shown(korean):
    from tui_nn.config import SPECS
    from tui_nn.data import DATASETS

    assert SPECS["training.learning_rate"].help == "한 번에 움직이는 크기"
    assert SPECS["training.learning_rate"].help_message == "step size"
    assert SPECS["training.beta1"].help == "adam: 기울기 평균의 감쇠"  # an optimizer's own hyperparameter
    assert _(DATASETS["spiral"].description) == "서로 감긴 두 나선: 어려운 문제"


def test_the_status_line_and_the_charts_speak_korean(korean):
    from tui_nn.app.status import figures
    from tui_nn.io.presets import load_preset
    from tui_nn.training import Trainer
    from tui_nn.training.state import RunState

    snap = Trainer(load_preset("circle")).snapshot()
    running = replace(snap, run=replace(snap.run, state=RunState.RUNNING, epochs_per_second=0.62))
    line = figures(running)
    assert line.startswith("▶ 학습 중 · 에포크 0 · 0.6 에포크/초 · 손실 ") and "정확도" in line and "학습률 " in line


def test_the_built_in_classes_are_named_in_the_learners_language(korean, capsys, tmp_path):
    """The colours the built-in sets name their classes by are words to translate
    on screen, and stay English in the data; a CSV's own labels are shown as they are."""
    import json

    from rich.style import Style

    from tui_nn.app.widgets.colors import StyleCache
    from tui_nn.app.widgets.decision_grid import caption_segments
    from tui_nn.cli.main import main
    from tui_nn.data.synthetic import shown_class_name
    from tui_nn.io.presets import load_preset
    from tui_nn.render.field import ColourField
    from tui_nn.training import Trainer

    snap = Trainer(load_preset("spiral3")).snapshot()
    colours = ColourField()
    field = colours.field(snap, None)
    assert field is not None
    caption = "".join(seg.text for seg in caption_segments(snap, field, "truecolor", Style(), StyleCache(), colours,
                                                           show_test=True))
    assert all(ko(name) in caption for name in ("orange", "blue", "green")), caption
    assert "orange" not in caption
    assert main(["--lang", "ko", "backprop", "spiral3", "--sample", "0"]) == 0
    assert f"0: {ko('orange')})" in capsys.readouterr().out
    assert main(["--lang", "ko", "backprop", "spiral3", "--sample", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["label_name"] == "orange"  # the data's own word
    assert shown_class_name("setosa") == "setosa" and shown_class_name("output") == "output"


@pytest.mark.parametrize("command", [[], ["train"], ["data"], ["serve"], ["compare"], ["backprop"], ["lessons"]])
def test_the_command_lines_help_is_korean_throughout(command, capsys):
    """argparse's own words too (cli/argparse_words.py), and English again with --lang en."""
    from tui_nn.cli.main import main

    try:
        with pytest.raises(SystemExit) as done:
            main(["--lang", "ko", *command, "--help"])
        assert done.value.code == 0
        shown = capsys.readouterr().out
        assert shown.startswith(ko("usage: ")) and ko("options") + ":" in shown
        assert ko("show this help message and exit") in shown
        english = ["usage:", "positional arguments", "options:", "show this help", "train a preset", "export the data",
                   "list the built-in", "print one JSON", "save the trained", "start from a saved", "continue a saved",
                   "save the whole run", "where to write", "override ", " the ", " a "]
        assert [words for words in english if words in shown] == [], shown
    finally:
        set_language("en")
    with pytest.raises(SystemExit):
        main(["--lang", "en", *command, "--help"])
    assert capsys.readouterr().out.startswith("usage: ")


def test_argparse_errors_are_korean(capsys):
    from tui_nn.cli.main import main

    try:
        with pytest.raises(SystemExit) as done:
            main(["--lang", "ko", "train", "--epochs", "x"])
        assert done.value.code == 2
        said = capsys.readouterr().err.strip()
        assert said == "tui-nn: 오류: 인수 --epochs: 올바른 int 값이 아닙니다: 'x' (tui-nn --help 참고)"
        with pytest.raises(SystemExit):
            main(["--lang", "ko", "data", "spiral"])
        assert ko("the following arguments are required: %s") % "--out" in capsys.readouterr().err
    finally:
        set_language("en")


# ---- room on screen ------------------------------------------------------------------------

# The translations whose place has a fixed width, with the cells they may take
# there (Korean syllables take two cells each). Status line and footer: as
# wide as the English, a little slack at most; the form's labels: the label
# column (14 cells; wider ones would wrap); tab titles and buttons: the sidebar.
STATUS_WORDS = ["PAUSED", "RUNNING", "FINISHED", "DIVERGED", "ERROR", "epoch {epoch}", "batch {done}/{total}",
                "{speed} epochs/s", "loss {train} / {test}", "acc {train} / {test}", "lr {rate}", "pace {pace}"]
FOOTER_WORDS = ["Play", "Epoch", "Batch", "Pace", "LR", "Help", "Reset", "Settings", "Quit"]
FORM_LABELS = 14
TAB_TITLES = ["Data", "Network", "Training"]
BUTTONS = ["+ layer", "- layer", "Regenerate (g)"]
CHART_SHORT = ["tr", "te", "acc {train}/{test}", "ep {epoch}", "grad", "w RMS", "in", "out", "out w", "in w"]


def _bare(text: str) -> int:
    """Cells of a message without its {fields} (they are the same in both languages)."""
    import re

    return cell_len(re.sub(r"\{[^{}]*\}", "", text))


@pytest.mark.parametrize("msgid", STATUS_WORDS)
def test_status_line_words_keep_their_width(msgid):
    assert _bare(ko(msgid)) <= _bare(msgid) + 4, ko(msgid)


def test_the_footer_keeps_its_width():
    assert sum(cell_len(ko(m)) for m in FOOTER_WORDS) <= sum(cell_len(m) for m in FOOTER_WORDS) + 2
    for msgid in FOOTER_WORDS:
        assert cell_len(ko(msgid)) <= max(cell_len(msgid) + 2, 6), ko(msgid)  # "LR": 학습률


def test_form_labels_fit_the_label_column():
    from tui_nn.app.settings_panel import LABELS

    for msgid in LABELS.values():
        assert cell_len(ko(msgid)) <= FORM_LABELS, ko(msgid)


@pytest.mark.parametrize("msgid, room", [*((t, 8) for t in TAB_TITLES), *((b, 14) for b in BUTTONS)])
def test_tab_titles_and_buttons_fit_the_sidebar(msgid, room):
    assert cell_len(ko(msgid)) <= room, ko(msgid)


@pytest.mark.parametrize("msgid", CHART_SHORT)
def test_short_forms_stay_short(msgid):
    # The shortest forms are what a narrow panel falls back on ("acc": 정확도).
    assert _bare(ko(msgid)) <= _bare(msgid) + 3, ko(msgid)


def test_korean_is_laid_out_by_cells(korean):
    from rich.style import Style

    from tui_nn.app.widgets.network_labels import NetworkLabels
    from tui_nn.app.widgets.colors import StyleCache

    # The link legend and the network's "more layers" marker fit the width in cells.
    labels = NetworkLabels(StyleCache())
    for width in (20, 30, 44, 60, 90):
        strip = labels.legend("truecolor", Style(), width)
        assert strip.cell_length <= width


# ---- the trainer words its notes in the app's language -----------------------------------------


def test_a_session_words_its_notes_in_the_language_it_is_sent():
    from tui_nn.io.presets import load_preset
    from tui_nn.session import Session
    from tui_nn.session.protocol import Pause, SetLanguage, Snapshot, Stop

    events: queue.Queue[object] = queue.Queue()
    session = Session(load_preset("circle"), events.put)
    thread = threading.Thread(target=session.run, daemon=True)
    thread.start()
    try:
        first = events.get(timeout=30)
        assert isinstance(first, Snapshot) and first.run.note == "Paused at epoch 0: press space to train."
        session.send(SetLanguage("ko"))
        session.send(Pause())
        notes = []
        while not notes or notes[-1] != "에포크 0에서 일시정지했습니다. 스페이스 키로 학습을 시작합니다.":
            event = events.get(timeout=30)
            if isinstance(event, Snapshot):
                notes.append(event.run.note)
    finally:
        session.send(Stop())
        thread.join(30)
        set_language("en")


def test_the_trainer_process_follows_a_switch_in_the_app():
    from tui_nn.io.presets import load_preset
    from tui_nn.session.process import SessionProcess
    from tui_nn.session.protocol import Pause, Snapshot

    process = SessionProcess(load_preset("circle").with_overrides(["training.epochs=0"]))
    notes: queue.Queue[str] = queue.Queue()

    def deliver(event: object) -> None:
        if isinstance(event, Snapshot):
            notes.put(event.run.note)

    relay = threading.Thread(target=process.receive, args=(deliver,), daemon=True)
    relay.start()
    try:
        assert notes.get(timeout=30).startswith("Paused at epoch 0")
        set_language("ko")  # the app switches: the trainer is told
        process.send(Pause())
        while not notes.get(timeout=30).startswith("에포크 0에서 일시정지"):
            pass
    finally:
        set_language("en")
        process.stop()
        relay.join(30)


# ---- gettext's _ stays gettext's ----------------------------------------------------------------


def _binds_underscore(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, (ast.Store, ast.Del)):
            lines.append(node.lineno)
        elif isinstance(node, ast.arg) and node.arg == "_":
            lines.append(node.lineno)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            lines += [node.lineno for a in node.names if (a.asname or a.name) == "_" and
                      not (isinstance(node, ast.ImportFrom) and (node.module or "").endswith("i18n"))]
        elif isinstance(node, ast.ExceptHandler) and node.name == "_":
            lines.append(node.lineno)
    return lines


def _translates(tree: ast.AST) -> bool:
    return any(isinstance(node, ast.ImportFrom) and (node.module or "").endswith("i18n")
               and any(a.name == "_" for a in node.names) for node in ast.walk(tree))


def test_no_module_that_translates_binds_underscore():
    # `for _ in ...` or `a, _ = ...` in a module that translates makes `_` an int
    # or a tuple there, and the next `_("...")` fails.
    found, translating = [], 0
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        if _translates(tree):
            translating += 1
            found += [f"{path.relative_to(ROOT.parent)}:{line}" for line in _binds_underscore(tree)]
    assert translating > 40 and found == []


def test_the_scan_sees_every_way_of_binding_underscore():
    for source in ("for _ in x: pass", "a, _ = b", "_ = 1", "with f() as _: pass", "[0 for _ in x]",
                   "lambda _: 0", "def f(_): pass", "try:\n  pass\nexcept E as _:\n  pass", "from m import _"):
        assert _binds_underscore(ast.parse(source)), source
    assert not _binds_underscore(ast.parse("from ..i18n import _\nprint(_('x'))"))

