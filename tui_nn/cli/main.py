"""Command line: ``tui-nn [PRESET]`` opens the app; ``train``, ``data`` and
``presets`` work without a screen.

Exit status: 0 done; 2 bad input (preset, CSV, ``--set``, model file) with one
line on stderr and no traceback; 3 the run diverged.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from ..config import FIELDS, Config, ConfigError, format_value
from ..i18n import LANGUAGES, N_, _, set_language
from ..rules import printable
from ..data import DataError
from ..io.presets import DEFAULT_PRESET, list_presets, load_preset
from .argparse_words import translate_argparse

if TYPE_CHECKING:
    from ..training import RunResult, Trainer

EXIT_OK, EXIT_BAD_INPUT, EXIT_DIVERGED = 0, 2, 3
COMMANDS = ("train", "data", "presets", "compare", "lessons", "backprop", "serve")


class BadInput(Exception):
    """Anything the user gave that cannot be used; becomes exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with the one-line error the rest of the CLI gives, in the CLI's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        translate_argparse()
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        print("tui-nn: " + _("error: {message} (see tui-nn --help)").format(message=message), file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _settings_help() -> str:
    lines = [_("settings for --set (section.key=value):")]
    for f in FIELDS:
        shown = format_value(f.default) or _("(empty)")
        lines.append(f"  {f.path:<30} {_(f.help)} [" + _("{allowed}; default {default}").format(
            allowed=f.allowed(), default=shown) + "]")
    return "\n".join(lines)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("preset", nargs="?", default=DEFAULT_PRESET,
                   help=_("a built-in preset name or a .toml file (default: {preset})").format(preset=DEFAULT_PRESET))
    p.add_argument("--seed", type=int, help=_("override training.seed"))
    p.add_argument("--data", metavar="FILE.csv", help=_("train on your own CSV (with --target)"))
    p.add_argument("--target", metavar="COLUMN", help=_("the CSV column to predict"))
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help=_("override a setting, e.g. --set training.learning_rate=0.1 (repeatable)"))
    p.add_argument("--lang", choices=tuple(LANGUAGES), help=_("the language of every text (default: the locale's)"))


_COMMAND_LIST = (
    ("tui-nn [PRESET]", N_("open the playground (default preset: spiral)")),
    ("tui-nn --lesson N", N_("open lesson N (1 to 13) with its text")),
    ("tui-nn lessons [ID]", N_("list the lessons, or print one")),
    ("tui-nn train PRESET ...", N_("train without a screen and report")),
    ("tui-nn compare PRESET --vary K=A,B", N_("runs side by side, one setting varied")),
    ("tui-nn backprop PRESET --sample I", N_("one example's forward and backward pass in numbers")),
    ("tui-nn data PRESET --out FILE.csv", N_("write the data as the network sees it")),
    ("tui-nn presets", N_("list the built-in presets")),
    ("tui-nn serve [PRESET]", N_("a playground per browser tab, for a class")),
    ("--lang en|ko", N_("the language (default: the locale's)")),
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tui-nn",
        description=_("A neural-network playground for the terminal."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_("commands:") + "\n" + "".join(f"  {usage:<36} {_(what)}\n" for usage, what in _COMMAND_LIST),
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    train = sub.add_parser(
        "train", help=_("train a preset headless"), epilog=_settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_run_options(train)
    train.add_argument("--epochs", type=int, help=_("override training.epochs"))
    train.add_argument("--json", action="store_true", help=_("print one JSON object with the results"))
    train.add_argument("--save", metavar="MODEL.npz", help=_("save the trained model"))
    train.add_argument("--load", metavar="MODEL.npz", help=_("start from a saved model's weights"))
    train.add_argument("--resume", metavar="SESSION.npz",
                       help=_("continue a saved session exactly where it stopped (--epochs: how many more)"))
    train.add_argument("--save-session", metavar="SESSION.npz",
                       help=_("save the whole run (weights, optimizer, random streams, history) to resume later"))
    data = sub.add_parser("data", help=_("export the data set as CSV"))
    _add_run_options(data)
    data.add_argument("--out", required=True, metavar="FILE.csv", help=_("where to write the CSV"))
    sub.add_parser("presets", help=_("list the built-in presets"))
    from .compare_cmd import add_compare_parser

    add_compare_parser(sub)
    from .lessons_cmd import add_lessons_parser

    add_lessons_parser(sub)
    from .backprop_cmd import add_backprop_parser

    add_backprop_parser(sub)
    from .serve_cmd import add_serve_parser

    add_serve_parser(sub)
    return parser


def _config_from(args: argparse.Namespace) -> Config:
    cfg = load_preset(args.preset)
    overrides = list(args.overrides)
    if args.data or args.target:
        if not (args.data and args.target):
            raise BadInput("--data FILE.csv and --target COLUMN go together")
        overrides += ["data.dataset=csv", f"data.csv={args.data}", f"data.target={args.target}"]
    if args.seed is not None:
        overrides.append(f"training.seed={args.seed}")
    if getattr(args, "epochs", None) is not None:
        overrides.append(f"training.epochs={args.epochs}")
    return cfg.with_overrides(overrides)


def _language(argv: list[str]) -> list[str]:
    """Sets the language from ``--lang CODE`` (anywhere) or the locale; ``argv`` without it."""
    code = None
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang" and i + 1 < len(argv):
            code, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--lang="):
            code = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    try:
        set_language(code)
    except ValueError:
        set_language(None)
        raise BadInput(_("--lang {code!r}: allowed are {allowed}").format(code=code, allowed=", ".join(LANGUAGES)))
    return rest


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        argv = _language(argv)
    except BadInput as exc:
        print(f"tui-nn: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if argv and argv[0] in COMMANDS or any(a in ("-h", "--help") for a in argv[:1]):
        args = build_parser().parse_args(argv)
    else:
        app_parser = _Parser(prog="tui-nn", add_help=False)
        _add_run_options(app_parser)
        app_parser.add_argument("--resume", metavar="SESSION.npz", help=_("continue a saved session"))
        app_parser.add_argument("--autosave", type=float, default=60.0, metavar="SECONDS",
                                help=_("save the session every SECONDS while training (0: never)"))
        app_parser.add_argument("--lesson", metavar="N|ID", help=_("open a lesson: its preset and its text"))
        args = app_parser.parse_args(argv)
        args.command = "app"
    try:
        if args.command == "presets":
            return cmd_presets()
        if args.command == "train":
            return cmd_train(args)
        if args.command == "data":
            return cmd_data(args)
        if args.command == "compare":
            from .compare_cmd import cmd_compare

            return cmd_compare(args, summary_dict)
        if args.command == "lessons":
            from .lessons_cmd import cmd_lessons

            return cmd_lessons(args)
        if args.command == "backprop":
            from .backprop_cmd import cmd_backprop

            return cmd_backprop(args)
        if args.command == "serve":
            from .serve_cmd import cmd_serve

            return cmd_serve(args)
        return cmd_app(args)
    except (ConfigError, DataError, BadInput) as exc:
        # One line, whatever a file put in it (newlines, escape sequences).
        print("tui-nn: " + _("error: {message}").format(message=printable(str(exc))), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def cmd_presets() -> int:
    presets = list_presets()
    width = max((len(p.name) for p in presets), default=0)
    for p in presets:
        print(f"{p.name:<{width}}  {p.description}")
    return EXIT_OK


def cmd_app(args: argparse.Namespace) -> int:
    from ..io.files import BadFile
    from ..io.session_files import autosave_path, session_summary
    from ..training import build_dataset_for

    lesson = None
    if args.lesson:
        from ..lessons import get_lesson

        try:
            lesson = get_lesson(int(args.lesson) if args.lesson.isdigit() else args.lesson)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        if args.preset == DEFAULT_PRESET:
            args.preset = lesson.preset
    # Bad input fails here, before the screen changes: the settings and the data.
    try:
        config = session_summary(args.resume).config if args.resume else _config_from(args)
    except BadFile as exc:
        raise BadInput(str(exc)) from None
    build_dataset_for(config)
    autosave = (autosave_path(), args.autosave) if args.autosave > 0 else None
    offer = None
    if autosave is not None and not args.resume and autosave[0].exists():
        try:
            offer = session_summary(autosave[0])  # a run cut off last time: offer to go on
        except BadFile:
            autosave[0].unlink(missing_ok=True)
    from ..app import run_app  # the UI is imported only when it is wanted

    run_app(config, autosave=autosave, resume=args.resume, offer=offer, lesson=lesson)
    return EXIT_OK


def cmd_data(args: argparse.Namespace) -> int:
    from ..training import build_dataset_for

    config = _config_from(args)
    ds = build_dataset_for(config)
    from ..engine.activations import get_activation
    from ..io.data_csv import write_data_csv
    from ..training.targets import Targets

    output, _loss = config.output_and_loss(ds.task)
    try:
        out = write_data_csv(ds, Targets(ds, get_activation(output)), args.out)
    except OSError as exc:
        raise BadInput(_("cannot write {path}: {reason}").format(path=args.out, reason=exc.strerror)) from None
    print(_("wrote {rows} rows to {path}").format(rows=len(ds.X_train) + len(ds.X_test), path=out), file=sys.stderr)
    return EXIT_OK


def _trainer_for(args: argparse.Namespace) -> tuple["Trainer", int]:
    """The trainer to run and how many epochs: from a session, a model file or the preset."""
    from ..io.files import BadFile
    from ..io.model_files import apply_model, load_model
    from ..training import Trainer

    try:
        if args.resume:
            if args.load or args.overrides or args.data or args.seed is not None:
                raise BadInput(_("--resume continues a session as it was saved: no --load, --set, --data or --seed"))
            from ..io.session_files import load_session

            trainer, _summary = load_session(args.resume, track_layers=False)
            return trainer, args.epochs if args.epochs is not None else trainer.config.training.epochs
        cfg = _config_from(args)
        trainer = Trainer(cfg)
        if args.load:
            saved, arrays, epoch = load_model(args.load)
            _check_same_model(saved, cfg, args.load)
            apply_model(trainer, arrays, epoch, args.load)
    except BadFile as exc:
        raise BadInput(str(exc)) from None
    return trainer, cfg.training.epochs


def cmd_train(args: argparse.Namespace) -> int:
    from ..io.model_files import save_model

    trainer, epochs = _trainer_for(args)
    if args.json:
        result = trainer.run(epochs)
    else:
        from .report import run_with_progress

        result = run_with_progress(trainer, epochs)
    for path, save in ((args.save, save_model), (args.save_session, _save_session)):
        if path:
            try:
                save(path, trainer)
            except OSError as exc:
                raise BadInput(_("cannot write {path}: {reason}").format(path=printable(path), reason=exc.strerror)) \
                    from None
    if args.json:
        print(json.dumps(summary_dict(trainer, result), allow_nan=False))
    else:
        from .report import print_summary

        print_summary(trainer, result, saved=args.save)
    if result.status == "diverged":
        if args.json:
            print(f"tui-nn: {result.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return EXIT_OK


def _save_session(path: str, trainer: "Trainer") -> object:
    from ..io.session_files import save_session

    return save_session(path, trainer)


def _check_same_model(saved: Config, cfg: Config, source: str) -> None:
    """A model continues only in the network and on the inputs it was made for."""
    for path in ("network.hidden", "network.activation", "network.output", "network.loss",
                 "data.dataset", "data.features", "training.batch_norm"):
        if saved.get(path) != cfg.get(path):
            raise BadInput(_(
                "{source} was trained with {path} = {saved}, this run has {now}: use the same preset and "
                "--set options").format(source=source, path=path, saved=format_value(saved.get(path)),
                                        now=format_value(cfg.get(path))))


def summary_dict(trainer: "Trainer", result: "RunResult") -> dict[str, Any]:
    last = result.last
    out: dict[str, Any] = {
        "preset": trainer.config.name,
        "dataset": trainer.dataset.name,
        "task": trainer.task,
        "epochs": result.epochs,
        "total_epochs": trainer.epoch,
        "train_loss": _num(last.train_loss),
        "test_loss": _num(last.test_loss),
    }
    if trainer.task == "regression":
        r2_train, r2_test = trainer.r2()
        out.update(train_rmse=_num(last.train_metric), test_rmse=_num(last.test_metric),
                   train_r2=_num(r2_train), test_r2=_num(r2_test))
    else:
        out.update(train_accuracy=_num(last.train_metric), test_accuracy=_num(last.test_metric))
    out.update(
        seconds=result.seconds,
        epochs_per_second=_num(result.epochs_per_second) if result.epochs else 0.0,
        status=result.status,
        seed=trainer.config.training.seed,
        parameters=trainer.network.n_params,
        engine=trainer.engine,
    )
    if result.status == "diverged":
        out["message"] = result.message
    return out


def _num(x: float) -> float | None:
    # JSON has no NaN/Infinity; null says "no finite value".
    return float(x) if x == x and abs(x) != float("inf") else None


if __name__ == "__main__":
    sys.exit(main())
