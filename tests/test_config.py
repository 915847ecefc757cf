"""Config: defaults, ``--set`` overrides, one-line errors naming the field and
what is allowed, TOML round trips and the rules that span several fields."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui_nn.config import (
    FIELDS,
    SPECS,
    Config,
    ConfigError,
    DataConfig,
    NetworkConfig,
    TrainingConfig,
)
from tui_nn.data import DATASETS

# The curriculum's hand-set XOR (section 2), W as fan_in x fan_out.
XOR_WEIGHTS = (
    (((5.0, -7.0), (5.0, -7.0)), (-8.0, 3.0)),
    (((-11.0,), (-11.0,)), (6.0,)),
)


def xor_by_hand() -> Config:
    cfg = Config(
        name="xor by hand",
        description="weights from the lecture notes",
        data=DataConfig(dataset="xor-table"),
        network=NetworkConfig(hidden=(2,), activation="step", output="step", loss="mse"),
        training=TrainingConfig(epochs=0),
        weights=XOR_WEIGHTS,
    )
    return cfg.validate()


def error_of(assignments: list[str], base: Config | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        (base or Config()).with_overrides(assignments)
    message = str(info.value)
    assert "\n" not in message  # one line
    return message


# --- defaults and overrides ----------------------------------------------------


def test_defaults_are_valid() -> None:
    cfg = Config()
    assert cfg.validate() is cfg
    for spec in FIELDS:
        assert spec.check(spec.default) == spec.default, spec.path
        assert cfg.get(spec.path) == spec.default, spec.path
        assert spec.help and "\n" not in spec.help


def test_with_overrides_sets_and_parses() -> None:
    base = Config()
    cfg = base.with_overrides(["training.learning_rate=0.1", "network.hidden=8,8"])
    assert cfg.training.learning_rate == 0.1
    assert cfg.network.hidden == (8, 8)
    assert cfg.get("network.hidden") == (8, 8)
    # The original is untouched (configs are values).
    assert base.training.learning_rate == 0.03 and base.network.hidden == (4, 2)
    cfg = base.with_overrides(
        [
            " training.batch_norm = yes",
            "network.activation=relu,tanh",
            "data.features=x1,x2,x1*x2",
            "training.optimizer=adam",
            "network.hidden=",
            "network.activation=relu",
        ]
    )
    assert cfg.training.batch_norm is True
    assert cfg.data.features == ("x1", "x2", "x1*x2")
    assert cfg.training.optimizer == "adam"
    assert cfg.network.hidden == () and cfg.network.activation == "relu"
    cfg = base.with_overrides(["network.hidden=5 3", "network.activation=relu,tanh"])
    assert cfg.network.hidden == (5, 3)
    assert cfg.network.activations() == ("relu", "tanh")


# --- errors name the field and what is allowed ----------------------------------


@pytest.mark.parametrize(
    "assignment,path,allowed",
    [
        ("training.learning_rate=20", "training.learning_rate", "1e-05 to 10"),
        ("training.learning_rate=0", "training.learning_rate", "1e-05 to 10"),
        ("training.batch_size=0", "training.batch_size", "1 to 10000"),
        ("data.noise=0.7", "data.noise", "0 to 0.5"),
        ("data.points=3", "data.points", "4 to 10000"),
        ("training.dropout=0.95", "training.dropout", "0 to 0.9"),
        ("network.hidden=0", "network.hidden", "1 to 512"),
        ("network.hidden=8,600", "network.hidden", "1 to 512"),
        ("network.hidden=1,1,1,1,1,1,1,1,1", "network.hidden", "0 to 8"),
        ("training.batch_size=abc", "training.batch_size", "1 to 10000"),
        ("training.learning_rate=fast", "training.learning_rate", "1e-05 to 10"),
        ("training.learning_rate=nan", "training.learning_rate", "1e-05 to 10"),
        ("training.batch_norm=maybe", "training.batch_norm", "true or false"),
        ("network.hidden=4,x", "network.hidden", "8,8"),
    ],
)
def test_range_and_type_errors(assignment: str, path: str, allowed: str) -> None:
    message = error_of([assignment])
    assert path in message
    assert allowed in message


def test_unknown_choice_lists_every_choice() -> None:
    message = error_of(["data.dataset=foo"])
    assert "data.dataset" in message and "foo" in message
    for name in DATASETS:
        assert name in message
    message = error_of(["training.optimizer=lbfgs"])
    assert "training.optimizer" in message
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "perceptron"):
        assert name in message
    message = error_of(["network.activation=softmax"])  # output only
    assert "network.activation" in message and "relu" in message


def test_activation_list_length_must_match_hidden_layers() -> None:
    message = error_of(["network.hidden=4,4", "network.activation=relu,tanh,relu"])
    assert "network.activation" in message
    assert "3" in message and "2 hidden layers" in message


def test_unknown_key_is_named_without_a_wrong_guess() -> None:
    message = error_of(["training.lr=0.1"])
    assert "training.lr" in message
    assert "did you mean" not in message
    # A key that exists in another section is pointed out.
    message = error_of(["data.seed=3"])
    assert "data.seed" in message and "training.seed" in message


def test_set_without_equals_sign() -> None:
    message = error_of(["training.learning_rate"])
    assert "training.learning_rate" in message
    assert "section.key=value" in message


def test_with_value_checks_types_too() -> None:
    with pytest.raises(ConfigError, match="training.batch_size"):
        Config().with_value("training.batch_size", True)
    with pytest.raises(ConfigError, match="training.batch_size"):
        Config().with_value("training.batch_size", 2.5)
    assert Config().with_value("training.batch_size", 4.0).training.batch_size == 4
    with pytest.raises(ConfigError, match="data.features"):
        Config().with_value("data.features", ["x1", "x1"])  # twice
    with pytest.raises(ConfigError, match="data.features"):
        Config().with_value("data.features", [])


# --- TOML -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        Config(),
        xor_by_hand(),
        Config().with_overrides(
            [
                "data.dataset=spiral3",
                "data.noise=0.25",
                "data.features=x1,x2,sin(x1)",
                "network.hidden=6,5,4",
                "network.activation=relu,leaky_relu,swish",
                "network.leaky_slope=0.2",
                "training.optimizer=adam",
                "training.learning_rate=0.003",
                "training.regularization=l2",
                "training.regularization_rate=0.001",
                "training.dropout=0.2",
                "training.batch_norm=true",
                "training.seed=4294967295",
                "training.epsilon=1e-12",
            ]
        ),
        Config().with_overrides(
            ["data.dataset=and-table", "network.hidden=", "network.output=step", "training.optimizer=perceptron"]
        ),
    ],
    ids=["defaults", "xor-by-hand", "many-settings", "perceptron"],
)
def test_toml_round_trip(cfg: Config) -> None:
    text = cfg.to_toml()
    back = Config.from_toml(text)
    assert back == cfg
    assert back.to_toml() == text


def test_toml_round_trip_keeps_hand_set_weights_exactly() -> None:
    cfg = replace(xor_by_hand(), weights=((((0.1, -1e-7), (3.25, 1e300)), (-8.0, 1 / 3)),) + XOR_WEIGHTS[1:])
    back = Config.from_toml(cfg.to_toml())
    assert back.weights == cfg.weights


@pytest.mark.parametrize(
    "text,named",
    [
        ("foo = 1", "'foo'"),
        ("[model]\nx = 1", "'model'"),
        ("[training]\nlr = 0.1", "training.lr"),
        ("[data]\nseed = 1", "data.seed"),
        ("[weights]\nW0 = [[1.0, 2.0]]\nb0 = [1.0]\nW7 = [[1.0]]", "weights.W7"),
        ("[weights]\nW1 = [[1.0]]\nb1 = [1.0]", "weights.W1"),  # W0 missing
    ],
)
def test_unknown_toml_keys_are_refused(text: str, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_toml(text, source="my.toml")
    assert named in str(info.value)
    assert "my.toml" in str(info.value)


@pytest.mark.parametrize(
    "text,path",
    [
        ('[training]\nlearning_rate = "0.1"', "training.learning_rate"),
        ("[training]\nbatch_size = 2.5", "training.batch_size"),
        ("[training]\nbatch_size = true", "training.batch_size"),
        ("[training]\nlearning_rate = 20.0", "training.learning_rate"),
        ('[network]\nhidden = "8,8"', "network.hidden"),
        ('[weights]\nW0 = [["a"]]\nb0 = [1.0]', "weights.W0"),
        ("training = 3", "[training]"),
        ("name = 3", "name"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_bad_toml_values_are_refused(text: str, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_toml(text)
    assert path in str(info.value)


def test_non_finite_hand_set_weights_are_refused() -> None:
    # Regression: nan/inf weights were accepted and the trainer started from NaN outputs.
    text = xor_by_hand().to_toml().replace("6.0,\n]", "nan,\n]")
    assert "nan" in text
    with pytest.raises(ConfigError, match="weights"):
        Config.from_toml(text)


# --- rules across fields ------------------------------------------------------------


def test_bce_needs_a_sigmoid_output() -> None:
    message = error_of(["data.dataset=circle", "network.loss=bce", "network.output=tanh"])
    assert "network.output" in message and "sigmoid" in message
    # With auto it picks the sigmoid itself.
    cfg = Config().with_overrides(["network.loss=bce"])
    assert cfg.output_and_loss() == ("sigmoid", "bce")


def test_multiclass_needs_softmax() -> None:
    message = error_of(["data.dataset=spiral3", "network.output=tanh", "network.loss=mse"])
    assert "network.output" in message and "softmax" in message
    message = error_of(["data.dataset=iris", "network.output=sigmoid", "network.loss=mse"])
    assert "softmax" in message
    assert Config().with_overrides(["data.dataset=iris"]).output_and_loss() == ("softmax", "cce")


def test_perceptron_needs_no_hidden_layers() -> None:
    message = error_of(["data.dataset=and-table", "network.output=step", "training.optimizer=perceptron"])
    assert "perceptron" in message and "network.hidden" in message
    Config().with_overrides(
        ["data.dataset=and-table", "network.hidden=", "network.output=step", "training.optimizer=perceptron"]
    )


def test_step_cannot_be_trained_by_gradient_descent() -> None:
    for extra in (["network.activation=step"], ["network.output=step"]):
        for opt in ("sgd", "adam"):
            message = error_of(["data.dataset=xor-table", "training.epochs=10", f"training.optimizer={opt}", *extra])
            assert "step" in message and "training.optimizer" in message and opt in message
    # Zero epochs (hand-set weights) is fine.
    Config().with_overrides(["data.dataset=xor-table", "training.epochs=0", "network.activation=step"])


def test_batch_norm_needs_two_samples_per_batch() -> None:
    message = error_of(["training.batch_norm=true", "training.batch_size=1"])
    assert "training.batch_norm" in message and "training.batch_size" in message
    Config().with_overrides(["training.batch_norm=true", "training.batch_size=2"])


def test_batch_size_cannot_exceed_the_training_set() -> None:
    # 500 points * 0.5 = 250 training rows.
    message = error_of(["training.batch_size=251"])
    assert "training.batch_size" in message and "1 to 250" in message
    Config().with_overrides(["training.batch_size=250"])


def test_live_flags() -> None:
    assert SPECS["training.learning_rate"].live
    assert not SPECS["network.hidden"].live
    assert not SPECS["network.activation"].live
