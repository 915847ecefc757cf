"""Property-based tests of every loader and of the trainer: whatever comes in,
the outcome is a valid run or the one-line error (a ConfigError, DataError or
BadFile, which the CLI turns into exit status 2), never another exception and
never a hang. Bounded so the suite stays quick (the example counts are below)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_nn.config import FIELDS, Config, ConfigError
from tui_nn.data import DataError
from tui_nn.data.tabular import parse_csv
from tui_nn.io.files import BadFile
from tui_nn.io.model_files import load_model, save_model
from tui_nn.io.presets import load_preset, preset_dir
from tui_nn.io.session_files import load_session, save_session
from tui_nn.training import Trainer

def bounded(examples: int) -> settings:
    # Derandomized: CI sees the same examples every run; no deadline on a slow machine.
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
EXPECTED = (ConfigError, DataError, BadFile)


def one_line(exc: Exception) -> None:
    text = str(exc)
    assert text and "\n" not in text and "\x1b" not in text


# ---- TOML presets -------------------------------------------------------------------

scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                      max_leaves=12)
keys = st.sampled_from([f.key for f in FIELDS] + ["name", "description", "W0", "b0", "x", "\n", "\x1b["])


def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    assert isinstance(v, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


@bounded(300)
@given(st.lists(st.tuples(st.sampled_from(["", "data", "network", "training", "weights", "extra"]), keys, values),
                max_size=6))
def test_any_toml_preset_is_a_config_or_a_one_line_error(entries) -> None:
    tables: dict[str, list[str]] = {}
    for table, key, value in entries:
        tables.setdefault(table, []).append(f"{json.dumps(key)} = {toml_value(value)}")
    text = "\n".join(tables.get("", [])) + "\n" + "\n".join(
        f"[{t}]\n" + "\n".join(lines) for t, lines in tables.items() if t
    )
    try:
        Config.from_toml(text, source="fuzz.toml").validate()
    except EXPECTED as exc:
        one_line(exc)


PRESET_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(preset_dir().glob("*.toml"))]


@bounded(300)
@given(st.sampled_from(PRESET_TEXTS), st.integers(min_value=0, max_value=2000), st.text(max_size=30))
def test_a_mangled_builtin_preset_is_a_config_or_a_one_line_error(text: str, at: int, insert: str) -> None:
    at = min(at, len(text))
    try:
        Config.from_toml(text[:at] + insert + text[at:], source="mangled.toml")
    except EXPECTED as exc:
        one_line(exc)


# ---- --set ----------------------------------------------------------------------------

paths = st.sampled_from([f.path for f in FIELDS] + ["training.lr", "data", "x.y", ""])
texts = st.one_of(st.text(max_size=30), st.from_regex(r"-?\d{1,400}(\.\d*)?(e-?\d{1,4})?", fullmatch=True),
                  st.sampled_from(["nan", "inf", "-0", "8,8", "[]", "true", "relu,tanh", "x1,x1", "1e309"]))


@bounded(400)
@given(st.lists(st.tuples(paths, texts), max_size=4))
def test_any_set_is_a_config_or_a_one_line_error(pairs) -> None:
    try:
        Config().with_overrides([f"{p}={t}" for p, t in pairs])
    except EXPECTED as exc:
        one_line(exc)


# ---- CSV ---------------------------------------------------------------------------------

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=6), st.sampled_from(["", " ", "1e308", "-1e200", "NaN", "a,b", '"', "\n", "\x1b["]),
)


@bounded(400)
@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=0, max_size=12), st.sampled_from(["y", "x", "a,b"]))
def test_any_csv_is_a_table_or_a_one_line_error(rows, target: str) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)  # the first row is the header
    try:
        table = parse_csv(io.StringIO(buf.getvalue(), newline=""), "fuzz.csv", target)
    except DataError as exc:
        one_line(exc)
        return
    assert np.all(np.isfinite(table.X)) and len(table.X) == len(table.y)


# ---- .npz model and session files ----------------------------------------------------------

arrays = st.one_of(
    st.builds(lambda s, d: np.zeros(s, dtype=d),
              st.lists(st.integers(0, 5), max_size=3).map(tuple),
              st.sampled_from(["f8", "f4", "i8", "u1", "c16", "U3", "?", "O"])),
    st.just(np.array("[data]\ndataset = 'xor'")), st.just(np.array(7)), st.just(np.array([np.nan])),
)


@bounded(200)
@given(st.dictionaries(st.sampled_from(["W0", "b0", "W1", "b1", "config", "epoch", "x"]), arrays, max_size=6))
def test_any_npz_is_a_model_or_a_one_line_error(tmp_path_factory, members) -> None:
    path = tmp_path_factory.mktemp("npz") / "m.npz"
    try:
        np.savez(path, **members)
    except ValueError:
        return  # numpy refuses to write it (object arrays need pickle)
    try:
        load_model(path)
    except BadFile as exc:
        one_line(exc)


@bounded(200)
@given(st.binary(max_size=600), st.integers(0, 4000))
def test_damaged_model_bytes_are_refused_in_one_line(tmp_path_factory, junk: bytes, at: int) -> None:
    path = tmp_path_factory.mktemp("npz") / "m.npz"
    save_model(path, Trainer(load_preset("xor").with_overrides(["training.epochs=0"])))
    data = bytearray(path.read_bytes())
    at = min(at, len(data))
    data[at : at + len(junk)] = junk
    path.write_bytes(bytes(data))
    try:
        load_model(path)
    except BadFile as exc:
        one_line(exc)


SESSION_EDITS = st.sampled_from(["drop", "shape", "dtype", "json", "state"])


@bounded(120)
@given(st.lists(st.tuples(SESSION_EDITS, st.integers(0, 40)), min_size=1, max_size=3))
def test_an_edited_session_resumes_or_is_refused_in_one_line(tmp_path_factory, edits) -> None:
    path = tmp_path_factory.mktemp("ses") / "s.npz"
    trainer = Trainer(load_preset("xor").with_overrides(["training.epochs=0", "training.optimizer=adam"]))
    trainer.run(3)
    save_session(path, trainer)
    members = dict(np.load(path))
    names = sorted(members)
    for edit, i in edits:
        name = names[i % len(names)]
        if edit == "drop":
            members.pop(name, None)
        elif edit == "shape" and name in members:
            members[name] = np.zeros((i % 4 + 1,))
        elif edit == "dtype" and name in members:
            members[name] = members[name].astype("f4") if members[name].dtype.kind == "f" else np.array([i])
        elif edit == "json":
            members["session"] = np.array(str(members.get("session", ""))[: i * 20])
        else:
            try:
                doc = json.loads(str(members["session"])) if "session" in members else {}
            except ValueError:
                continue  # an earlier edit already cut the record
            if isinstance(doc, dict) and isinstance(doc.get("state"), dict) and doc["state"]:
                key = sorted(doc["state"])[i % len(doc["state"])]
                doc["state"][key] = [None, "x", -1, 1e308][i % 4]
                members["session"] = np.array(json.dumps(doc))
    np.savez(path, **members)
    try:
        load_session(path)
    except BadFile as exc:
        one_line(exc)


# ---- the trainer on any valid configuration ---------------------------------------------------

small_configs = st.fixed_dictionaries({
    "data.dataset": st.sampled_from(["circle", "xor", "gauss", "spiral", "plane", "moons", "spiral3",
                                     "xor-table", "iris", "diabetes"]),
    "data.points": st.integers(20, 120),
    "data.noise": st.floats(0, 0.5),
    "network.hidden": st.lists(st.integers(1, 6), max_size=3).map(lambda h: ",".join(map(str, h))),
    "network.activation": st.sampled_from(["tanh", "relu", "sigmoid", "leaky_relu", "softplus", "swish", "linear"]),
    "training.optimizer": st.sampled_from(["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]),
    "training.learning_rate": st.sampled_from([1e-5, 0.01, 0.3, 3.0, 10.0]),
    "training.batch_size": st.integers(1, 10),
    "training.regularization": st.sampled_from(["none", "l1", "l2"]),
    "training.regularization_rate": st.sampled_from([0.0, 0.01, 3.0]),
    "training.dropout": st.sampled_from([0.0, 0.5]),
    "training.batch_norm": st.booleans(),
    "training.shuffle": st.sampled_from(["epoch", "once"]),
})


@bounded(150)
@given(small_configs, st.integers(0, 2**32 - 1))
def test_any_valid_configuration_trains_or_is_refused(values, seed: int) -> None:
    overrides = [f"{k}={v}" for k, v in values.items()] + [f"training.seed={seed}"]
    if values["training.batch_norm"]:
        overrides.append("training.batch_size=2")
    try:
        config = Config().with_overrides(overrides)
        trainer = Trainer(config)
    except EXPECTED as exc:
        one_line(exc)
        return
    result = trainer.run(2)
    assert result.status in ("ok", "diverged")
    assert np.all(np.isfinite(trainer.network.params))  # a divergence rolls back to finite weights
    trainer.train_step()
    trainer.snapshot((6, 6))
