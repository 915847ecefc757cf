"""Tests for tui_nn.data: generators, truth tables, shipped tables, user CSVs, validation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tui_nn.data import DATASETS, FEATURES, DataError, Dataset, build_dataset, feature_names
from tui_nn.data import synthetic

GENERATED = [name for name, info in DATASETS.items() if not info.fixed_points]
TRUTH = ["xor-table", "and-table", "or-table"]
SHIPPED = ["iris", "diabetes"]
ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


def _arrays(ds: Dataset) -> list[np.ndarray | None]:
    return [ds.X_train, ds.y_train, ds.X_test, ds.y_test, ds.raw_train, ds.raw_test]


def _all_raw(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    assert ds.raw_train is not None and ds.raw_test is not None
    return np.vstack((ds.raw_train, ds.raw_test)), np.concatenate((ds.y_train, ds.y_test))


# --- registry and features ---------------------------------------------------


def test_registry_has_exactly_the_agreed_names() -> None:
    assert set(DATASETS) == {
        "circle", "xor", "gauss", "spiral", "plane", "multi-gauss", "moons", "spiral3",
        "xor-table", "and-table", "or-table", "iris", "diabetes", "csv",
    }
    for name, info in DATASETS.items():
        assert info.task in {"binary", "multiclass", "regression", "auto"}, name
        assert info.description and "\n" not in info.description
        assert info.fixed_points == (name in TRUTH + SHIPPED + ["csv"])
        assert info.is_2d == (name not in SHIPPED + ["csv"])


def test_feature_names_in_tf_order() -> None:
    assert feature_names() == ALL_FEATURES
    assert tuple(FEATURES) == ALL_FEATURES


def test_feature_columns_match_hand_values() -> None:
    ds = build_dataset("xor-table", features=ALL_FEATURES)
    got = ds.features(np.array([[1.0, 2.0], [-0.5, 3.0]]))
    expected = np.array(
        [
            [1.0, 2.0, 1.0, 4.0, 2.0, math.sin(1.0), math.sin(2.0)],
            [-0.5, 3.0, 0.25, 9.0, -1.5, math.sin(-0.5), math.sin(3.0)],
        ]
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


def test_feature_order_is_the_order_given() -> None:
    ds = build_dataset("circle", points=40, features=("x1*x2", "x2", "sin(x1)"))
    raw = ds.raw_train
    assert ds.input_names == ("x1*x2", "x2", "sin(x1)")
    np.testing.assert_array_equal(ds.X_train, np.column_stack((raw[:, 0] * raw[:, 1], raw[:, 1], np.sin(raw[:, 0]))))


def test_2d_inputs_are_raw_coordinates_not_standardised() -> None:
    ds = build_dataset("gauss", points=60)
    np.testing.assert_array_equal(ds.X_train, ds.raw_train)
    np.testing.assert_array_equal(ds.X_test, ds.raw_test)


@pytest.mark.parametrize("name", GENERATED + TRUTH)
def test_features_on_plane_points_match_X(name: str) -> None:
    ds = build_dataset(name, points=80, noise=0.3, features=("x2^2", "x1", "sin(x2)", "x1*x2"))
    np.testing.assert_array_equal(ds.features(ds.raw_train), ds.X_train)
    np.testing.assert_array_equal(ds.features(ds.raw_test), ds.X_test)


def test_features_on_a_grid() -> None:
    ds = build_dataset("spiral", points=40, features=("x1", "x1^2", "x1*x2"))
    xs = np.linspace(-ds.extent, ds.extent, 5)
    grid = np.array([(x, y) for y in xs for x in xs])
    X = ds.features(grid)
    assert X.shape == (25, 3)
    np.testing.assert_array_equal(X[:, 1], grid[:, 0] ** 2)
    np.testing.assert_array_equal(X[:, 2], grid[:, 0] * grid[:, 1])


def test_features_refused_for_tabular_data() -> None:
    ds = build_dataset("iris")
    with pytest.raises(DataError, match="iris"):
        ds.features(np.zeros((3, 2)))


@pytest.mark.parametrize(
    ("features", "pattern"),
    [
        ((), r"data\.features is empty.*x1, x2, x1\^2"),
        (("x1", "x3"), r"data\.features: 'x3' is unknown: allowed x1, x2, x1\^2, x2\^2, x1\*x2, sin\(x1\), sin\(x2\)"),
        (("x1", "x2", "x1"), r"data\.features: 'x1' is listed twice"),
    ],
)
def test_bad_features_are_refused(features: tuple[str, ...], pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        build_dataset("circle", features=features)


# --- determinism, shapes, splits ------------------------------------------------


@pytest.mark.parametrize("name", GENERATED + TRUTH + SHIPPED)
def test_same_seed_is_bit_identical(name: str) -> None:
    a = build_dataset(name, points=120, noise=0.2, seed=7)
    b = build_dataset(name, points=120, noise=0.2, seed=7)
    for x, y in zip(_arrays(a), _arrays(b)):
        if x is None:
            assert y is None
        else:
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@pytest.mark.parametrize("name", GENERATED + SHIPPED)
def test_different_seed_gives_different_data(name: str) -> None:
    a = build_dataset(name, points=120, noise=0.2, seed=1)
    b = build_dataset(name, points=120, noise=0.2, seed=2)
    assert not np.array_equal(a.X_train, b.X_train)


@pytest.mark.parametrize("name", GENERATED)
def test_generated_shapes_dtypes_and_labels(name: str) -> None:
    ds = build_dataset(name, points=101, noise=0.1, train_ratio=0.3)
    assert ds.X_train.shape == (30, 2) and ds.X_test.shape == (71, 2)
    assert ds.raw_train.shape == (30, 2) and ds.raw_test.shape == (71, 2)
    assert ds.X_train.dtype == np.float64
    assert ds.y_train.shape == (30,) and ds.y_test.shape == (71,)
    assert ds.is_2d and ds.extent == 6.0 and ds.n_inputs == 2
    assert ds.task == DATASETS[name].task
    _, y = _all_raw(ds)
    if ds.task == "regression":
        assert y.dtype == np.float64 and ds.class_names == () and ds.n_classes == 0
        # TF does not clamp plane's (x + y) / 10: at noise 0.1 it can reach 1.2 * 1.1.
        assert np.all(np.abs(y) <= 1.32 + 1e-12)
    else:
        assert y.dtype == np.int64
        k = 3 if name == "spiral3" else 2
        assert ds.n_classes == k and len(ds.class_names) == k
        assert set(np.unique(y)) == set(range(k))
    if ds.task == "binary":
        assert ds.class_names == ("orange", "blue")


@pytest.mark.parametrize(
    ("points", "ratio", "n_train"),
    [(500, 0.5, 250), (101, 0.3, 30), (4, 0.1, 1), (4, 0.9, 3), (10, 0.9, 9), (7, 0.5, 4)],
)
def test_split_sizes(points: int, ratio: float, n_train: int) -> None:
    ds = build_dataset("xor", points=points, train_ratio=ratio)
    assert len(ds.y_train) == n_train and len(ds.y_test) == points - n_train
    raw, _ = _all_raw(ds)
    assert len(np.unique(raw, axis=0)) == points  # every point lands on exactly one side


@pytest.mark.parametrize("name", [g for g in GENERATED if g != "gauss"])
@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_points_stay_on_the_plane(name: str, noise: float) -> None:
    raw, _ = _all_raw(build_dataset(name, points=3000, noise=noise, seed=3))
    assert np.all(np.abs(raw) <= 6.0)


@pytest.mark.parametrize("noise,variance", [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_gauss_keeps_tf_playgrounds_variance(noise: float, variance: float) -> None:
    # TF Playground keeps points that fall outside the plane; redrawing them
    # would shrink the variance (to about 3.5 at noise 0.5).
    raw, labels = _all_raw(build_dataset("gauss", points=10000, noise=noise, seed=3))
    for label, centre in ((1, 2.0), (0, -2.0)):
        arm = raw[labels == label]
        np.testing.assert_allclose(arm.mean(axis=0), [centre, centre], atol=0.06)
        np.testing.assert_allclose(arm.var(axis=0), [variance, variance], rtol=0.05)


def test_class_balance_of_two_class_generators() -> None:
    for name in ("circle", "gauss", "spiral", "moons"):
        _, y = _all_raw(build_dataset(name, points=301))
        assert sorted(np.bincount(y).tolist()) == [150, 151], name
    _, y = _all_raw(build_dataset("spiral3", points=301))
    assert sorted(np.bincount(y).tolist()) == [100, 100, 101]


def test_arrays_are_read_only() -> None:
    ds = build_dataset("circle", points=20)
    with pytest.raises(ValueError):
        ds.X_train[0, 0] = 1.0


# --- TF Playground semantics ---------------------------------------------------


def test_circle_without_noise() -> None:
    raw, y = _all_raw(build_dataset("circle", points=2000))
    r = np.hypot(raw[:, 0], raw[:, 1])
    assert np.all(r[y == 1] < 2.5)
    assert np.all((r[y == 0] >= 3.5) & (r[y == 0] <= 5.0))


def test_circle_noise_flips_labels_not_positions() -> None:
    raw, y = _all_raw(build_dataset("circle", points=2000, noise=0.5))
    r = np.hypot(raw[:, 0], raw[:, 1])
    assert r.max() <= 5.0  # clean points are stored
    assert np.any((r < 2.5) & (y == 0)) and np.any((r > 3.5) & (y == 1))


def test_xor_without_noise() -> None:
    raw, y = _all_raw(build_dataset("xor", points=2000))
    assert np.array_equal(y, (raw[:, 0] * raw[:, 1] >= 0).astype(np.int64))
    assert np.all(np.abs(raw) >= 0.3) and np.all(np.abs(raw) <= 5.3)


def test_gauss_centres_and_noise_widens_clusters() -> None:
    raw, y = _all_raw(build_dataset("gauss", points=4000))
    np.testing.assert_allclose(raw[y == 1].mean(axis=0), [2.0, 2.0], atol=0.1)
    np.testing.assert_allclose(raw[y == 0].mean(axis=0), [-2.0, -2.0], atol=0.1)
    # Variance 0.5 at noise 0.
    np.testing.assert_allclose(raw[y == 1].var(axis=0), [0.5, 0.5], rtol=0.15)
    raw5, y5 = _all_raw(build_dataset("gauss", points=4000, noise=0.5))
    # Variance 4 at noise 0.5, a little less after redrawing points off the plane.
    assert np.all((raw5[y5 == 1].var(axis=0) > 3.0) & (raw5[y5 == 1].var(axis=0) < 4.2))


def test_spiral_arms_are_offset_by_pi() -> None:
    raw, y = _all_raw(build_dataset("spiral", points=400))
    assert np.all(np.hypot(raw[:, 0], raw[:, 1]) < 5.0)
    blue = raw[y == 1][np.lexsort(raw[y == 1].T)]
    orange = -raw[y == 0]
    orange = orange[np.lexsort(orange.T)]
    np.testing.assert_allclose(blue, orange, atol=1e-12)
    # Both arms start at the origin.
    assert np.any(np.all(raw[y == 1] == [0.0, 0.0], axis=1))
    # TF's positive arm (our index 1): angle t = 1.75 turns * r / 5, x = r sin t, y = r cos t.
    r = np.hypot(blue[:, 0], blue[:, 1])
    t = 1.75 * 2.0 * np.pi * r / 5.0
    np.testing.assert_allclose(blue, np.column_stack((r * np.sin(t), r * np.cos(t))), atol=1e-9)


def test_plane_target_without_noise() -> None:
    raw, y = _all_raw(build_dataset("plane", points=500))
    np.testing.assert_allclose(y, (raw[:, 0] + raw[:, 1]) / 10.0, rtol=0, atol=1e-15)


def test_multi_gauss_target_matches_a_scalar_reading_of_tf() -> None:
    raw, y = _all_raw(build_dataset("multi-gauss", points=400))
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (x, yy), got in zip(raw, y):
        label = 0.0
        for cx, cy, sign in bumps:
            value = sign * min(1.0, max(0.0, 1.0 - math.hypot(x - cx, yy - cy) / 2.0))
            if abs(value) > abs(label):
                label = value
        assert got == pytest.approx(label, abs=1e-12)
    assert np.all(np.abs(y) <= 1.0)


def test_multi_gauss_spot_values() -> None:
    pts = np.array([[4.0, 2.5], [0.0, 2.5], [1.0, 2.5], [0.0, 0.0], [-4.0, -2.5], [-3.0, -2.5]])
    # On a bump: its sign; 1 from the (0, 2.5) bump: -0.5; far from all: 0.
    np.testing.assert_allclose(synthetic.multi_gauss_target(pts), [1.0, -1.0, -0.5, 0.0, -1.0, -0.5])


# --- truth tables --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "labels"),
    [("xor-table", [0, 1, 1, 0]), ("and-table", [0, 0, 0, 1]), ("or-table", [0, 1, 1, 1])],
)
def test_truth_tables_are_exact(name: str, labels: list[int]) -> None:
    ds = build_dataset(name, points=999, noise=0.5, train_ratio=0.1, seed=5)  # points/noise/ratio ignored
    rows = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert ds.X_train.tolist() == rows and ds.X_test.tolist() == rows
    assert ds.raw_train.tolist() == rows
    assert ds.y_train.tolist() == labels and ds.y_test.tolist() == labels
    assert ds.y_train.dtype == np.int64
    assert ds.task == "binary" and ds.class_names == ("0", "1") and ds.n_classes == 2
    assert ds.is_2d and 1.0 < ds.extent < 6.0


# --- shipped tables ------------------------------------------------------------


def test_iris() -> None:
    ds = build_dataset("iris", seed=4)
    assert ds.task == "multiclass" and ds.n_classes == 3
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    assert ds.input_names == ("sepal_length", "sepal_width", "petal_length", "petal_width")
    assert ds.X_train.shape == (75, 4) and ds.X_test.shape == (75, 4)
    y = np.concatenate((ds.y_train, ds.y_test))
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [50, 50, 50]
    assert not ds.is_2d and ds.raw_train is None and ds.raw_test is None


def test_diabetes() -> None:
    ds = build_dataset("diabetes", train_ratio=0.8)
    assert ds.task == "regression" and ds.n_classes == 0 and ds.class_names == ()
    assert ds.n_inputs == 10 and len(ds.y_train) + len(ds.y_test) == 442
    assert len(ds.y_train) == round(442 * 0.8)
    y = np.concatenate((ds.y_train, ds.y_test))
    assert y.dtype == np.float64 and y.min() == 25.0 and y.max() == 346.0  # raw target, not scaled


@pytest.mark.parametrize("name", SHIPPED)
def test_tabular_inputs_standardised_on_train_split(name: str) -> None:
    ds = build_dataset(name, train_ratio=0.7, seed=9)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1.0, rtol=1e-12)
    # The test split uses the training statistics, so it is only roughly centred.
    assert not np.allclose(ds.X_test.mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.abs(ds.X_test.mean(axis=0)) < 0.5)


# --- user CSV ------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "my.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_text_target_binary(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i * i % 7},{'yes' if i % 3 else 'no'}\n" for i in range(10))
    path = _write(tmp_path, "a,b,label\n" + rows)
    ds = build_dataset("csv", csv=path, target="label", train_ratio=0.6)
    assert ds.name == "my.csv" and ds.task == "binary"
    assert ds.class_names == ("no", "yes") and ds.input_names == ("a", "b")
    assert ds.X_train.shape == (6, 2) and ds.X_test.shape == (4, 2)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert not ds.is_2d and ds.extent == 0.0


def test_csv_integer_target_sorted_numerically_and_target_in_the_middle(tmp_path: Path) -> None:
    rows = [(i, [2, 10, 1][i % 3], i * 0.5) for i in range(9)]
    path = _write(tmp_path, "x,cls,z\n" + "".join(f"{a},{c},{z}\n" for a, c, z in rows))
    ds = build_dataset("csv", csv=path, target="cls")
    assert ds.task == "multiclass" and ds.class_names == ("1", "2", "10")
    assert ds.input_names == ("x", "z")
    # x is the row index, so it tells which row each example is and what its class must be.
    x_raw = np.concatenate((ds.X_train[:, 0], ds.X_test[:, 0]))
    y = np.concatenate((ds.y_train, ds.y_test))
    order = np.argsort(x_raw)
    assert y[order].tolist() == [{2: 1, 10: 2, 1: 0}[c] for _, c, _ in rows]


def test_csv_float_or_many_integers_is_regression(tmp_path: Path) -> None:
    path = _write(tmp_path, "x,y\n" + "".join(f"{i},{i * 1.5}\n" for i in range(8)))
    ds = build_dataset("csv", csv=path, target="y")
    assert ds.task == "regression" and ds.y_train.dtype == np.float64 and ds.class_names == ()
    path = _write(tmp_path, "x,y\n" + "".join(f"{i},{i * 3}\n" for i in range(25)), "ints.csv")
    ds = build_dataset("csv", csv=path, target="y")
    assert ds.task == "regression" and sorted(np.concatenate((ds.y_train, ds.y_test))) == [i * 3 for i in range(25)]


def test_csv_tolerates_bom_spaces_and_blank_lines(tmp_path: Path) -> None:
    text = "\ufeffa , b,t\n1, 2,x\n\n3,4 ,y\n5,6,x\n7,8,y\n"
    ds = build_dataset("csv", csv=_write(tmp_path, text), target="t")
    assert ds.input_names == ("a", "b") and ds.class_names == ("x", "y")


GOOD_ROWS = "1,2,a\n3,4,b\n5,6,a\n7,8,b\n"


@pytest.mark.parametrize(
    ("text", "target", "pattern"),
    [
        ("", "t", r"my\.csv: the file is empty"),
        ("\n\n", "t", r"my\.csv: the file is empty"),
        ("1,2,3\n4,5,6\n", "t", r"my\.csv line 1: no header row"),
        ("x,y,t\n" + GOOD_ROWS, "label", r"my\.csv: no column named 'label'.*columns are x, y, t"),
        ("x,y,t\n" + GOOD_ROWS, None, r"data\.target is not set.*x, y, t"),
        ("x,y,t\n1,2,a\n3,oops,b\n5,6,a\n7,8,b\n", "t", r"my\.csv line 3, column 'y': 'oops' is not a number"),
        ("x,y,t\n1,2,a\n\n3,4,b\n5,,a\n7,8,b\n", "t", r"my\.csv line 5, column 'y': an empty value is not a number"),
        ("x,y,t\n1,2,a\n3,nan,b\n5,6,a\n7,8,b\n", "t", r"my\.csv line 3, column 'y': 'nan' is not a finite number"),
        ("x,y,t\n1,2,a\n3,4\n5,6,a\n7,8,b\n", "t", r"my\.csv line 3: 2 values but the header has 3 columns"),
        ("x,y,t\n1,2,a\n3,4,b,9\n5,6,a\n7,8,b\n", "t", r"my\.csv line 3: 4 values but the header has 3"),
        ("x,y,t\n1,2,a\n3,4,b\n5,6,a\n", "t", r"my\.csv: 3 data rows but at least 4"),
        ("x,y,t\n1,2,a\n3,4,a\n5,6,a\n7,8,a\n", "t", r"my\.csv: target column 't' has only one class \(a\)"),
        ("x,y,t\n1,2,1\n3,4,1\n5,6,1\n7,8,1\n", "t", r"my\.csv: target column 't' has only one class \(1\)"),
        ("x,y,t\n1,2,0.5\n3,4,0.5\n5,6,0.5\n7,8,0.5\n", "t", r"target column 't' has the same value"),
        ("x,y,t\n1,2,a\n3,4,\n5,6,a\n7,8,b\n", "t", r"my\.csv line 3, column 't': the target value is empty"),
        ("x,x,t\n" + GOOD_ROWS, "t", r"my\.csv line 1: column name 'x' appears twice"),
        ("x,,t\n" + GOOD_ROWS, "t", r"my\.csv line 1: column 2 has no name"),
        ("t\na\nb\na\nb\n", "t", r"my\.csv: only the target column 't'"),
    ],
)
def test_csv_errors_name_the_place(tmp_path: Path, text: str, target: str | None, pattern: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DataError, match=pattern) as info:
        build_dataset("csv", csv=path, target=target)
    assert "\n" not in str(info.value)


def test_csv_text_target_with_too_many_values(tmp_path: Path) -> None:
    rows = "".join(f"{i},{i * 2.5}\n" for i in range(30)) + "30,n/a\n"
    path = _write(tmp_path, "x,price\n" + rows)
    with pytest.raises(DataError, match=r"my\.csv line 32, column 'price': text target 'n/a'.*2 to 20"):
        build_dataset("csv", csv=path, target="price")


def test_csv_missing_unreadable_and_unset(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"nope\.csv: file not found"):
        build_dataset("csv", csv=missing, target="t")
    with pytest.raises(DataError, match="is a directory"):
        build_dataset("csv", csv=str(tmp_path), target="t")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("x,t\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1\.csv: cannot be read as UTF-8"):
        build_dataset("csv", csv=str(bad), target="t")
    with pytest.raises(DataError, match=r"data\.csv is not set"):
        build_dataset("csv", target="t")


# --- argument validation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise": 0.7}, "data.noise = 0.7 is out of range: allowed 0 to 0.5"),
        ({"noise": -0.1}, "data.noise = -0.1 is out of range: allowed 0 to 0.5"),
        ({"noise": float("nan")}, "data.noise = nan is out of range: allowed 0 to 0.5"),
        ({"noise": "lots"}, "data.noise = 'lots' is not a number: allowed 0 to 0.5"),
        ({"train_ratio": 0.95}, "data.train_ratio = 0.95 is out of range: allowed 0.1 to 0.9"),
        ({"train_ratio": 0.05}, "data.train_ratio = 0.05 is out of range: allowed 0.1 to 0.9"),
        ({"points": 3}, "data.points = 3 is out of range: allowed 4 to 10000"),
        ({"points": 10001}, "data.points = 10001 is out of range: allowed 4 to 10000"),
        ({"points": 50.5}, "data.points = 50.5 is not a whole number: allowed 4 to 10000"),
        ({"points": True}, "data.points = true is not a whole number: allowed 4 to 10000"),
        ({"seed": -1}, "training.seed = -1 is out of range: allowed 0 to 4294967295"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict, message: str) -> None:
    with pytest.raises(DataError) as info:
        build_dataset("circle", **kwargs)
    assert str(info.value) == message


def test_unknown_dataset_lists_allowed_names() -> None:
    with pytest.raises(DataError, match=r"data\.dataset = 'spirals' is unknown: allowed circle, xor, .*, csv"):
        build_dataset("spirals")


def test_numpy_scalars_are_accepted() -> None:
    ds = build_dataset("xor", points=np.int64(40), noise=np.float64(0.1), train_ratio=np.float32(0.5), seed=np.int64(2))
    assert len(ds.y_train) == 20
    with pytest.raises(DataError, match=r"^data\.noise = 0\.75 is out of range"):
        build_dataset("xor", noise=np.float64(0.75))


def test_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError)


def test_tabular_ignores_feature_selection_and_points() -> None:
    ds = build_dataset("iris", features=("x1^2",), points=10, noise=0.5)
    assert ds.n_inputs == 4 and len(ds.y_train) + len(ds.y_test) == 150
