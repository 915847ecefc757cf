"""Tables read from CSV: the shipped Iris and diabetes files and a user's own file.

Everything is read with the stdlib ``csv`` module so that each problem can be
reported with the line number the user sees in an editor (the header is line 1)
and the column name, as a one-line DataError.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import DataError

MIN_ROWS = 4
MAX_CLASSES = 20

# Strict integer syntax: int() would also accept "1_000" and surrounding spaces.
# Up to 18 digits: longer "integers" are read as floats (and refused if not finite)
# rather than meeting Python's 4300-digit limit for int().
_INT_RE = re.compile(r"[+-]?\d{1,18}")


@dataclass(frozen=True, eq=False)
class Table:
    """A parsed table before splitting: raw (unstandardised) inputs and encoded targets."""

    name: str
    task: str
    input_names: tuple[str, ...]
    class_names: tuple[str, ...]
    X: np.ndarray
    y: np.ndarray


def load_shipped(name: str, filename: str, target: str) -> Table:
    """Load one of the CSV files that ship inside this package."""
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    table = parse_csv(io.StringIO(text, newline=""), filename, target)
    return replace(table, name=name)


def load_csv(path: str | Path, target: str | None) -> Table:
    """Read a user's CSV file; ``target`` names the column to predict."""
    shown = str(path)
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs often write.
        with open(Path(path).expanduser(), encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except FileNotFoundError:
        raise DataError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{shown}: is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{shown}: cannot be read as UTF-8 text (byte {exc.start}): save it as UTF-8 CSV") from None
    except OSError as exc:
        raise DataError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    table = parse_csv(io.StringIO(text, newline=""), shown, target)
    return replace(table, name=Path(path).name)


def parse_csv(lines: Iterable[str], source: str, target: str | None) -> Table:
    """Parse CSV text with a header row into a Table, deciding the task from the target column.

    ``source`` is the file name used in error messages. The target decides the
    task: values written as integers, or any text, with 2..20 distinct values make
    a classification (binary for 2; class names are the values sorted, numerically
    for integers); other numbers make a regression. All other columns must be
    finite numbers.
    """
    reader = csv.reader(lines)
    try:
        header, body = _read_rows(reader, source)
    except csv.Error as exc:
        raise DataError(f"{source} line {reader.line_num}: not valid CSV ({exc})") from None

    columns = ", ".join(header)
    if target is not None:
        target = target.strip()
    if target is None:
        raise DataError(f"data.target is not set: name the column to predict, one of {columns}")
    if target not in header:
        raise DataError(f"{source}: no column named {target!r} to use as the target: columns are {columns}")
    if len(header) < 2:
        raise DataError(f"{source}: only the target column {target!r}: at least one input column is needed")
    if len(body) < MIN_ROWS:
        raise DataError(
            f"{source}: {len(body)} data row{'s' if len(body) != 1 else ''} "
            f"but at least {MIN_ROWS} are needed to train and test"
        )

    t = header.index(target)
    input_names = tuple(name for i, name in enumerate(header) if i != t)
    X = np.empty((len(body), len(header) - 1), dtype=np.float64)
    target_cells: list[tuple[int, str]] = []
    for r, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise DataError(
                f"{source} line {line}: {len(row)} value{'s' if len(row) != 1 else ''} "
                f"but the header has {len(header)} columns"
            )
        c = 0
        for i, cell in enumerate(row):
            if i == t:
                continue
            X[r, c] = _number(cell, source, line, header[i])
            c += 1
        value = row[t].strip()
        if not value:
            raise DataError(f"{source} line {line}, column {target!r}: the target value is empty")
        target_cells.append((line, value))

    task, class_names, y = _encode_target(target_cells, source, target)
    return Table(Path(source).name, task, input_names, class_names, X, y)


def _read_rows(reader: Iterable[list[str]], source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    # Returns the cleaned header and the data rows with their editor line numbers.
    header: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for row in reader:
        if not row:  # blank line, e.g. a trailing newline or a gap between blocks
            continue
        line = reader.line_num  # type: ignore[attr-defined]
        if header is None:
            header = [name.strip() for name in row]
            _check_header(header, source, line)
        else:
            body.append((line, row))
    if header is None:
        raise DataError(f"{source}: the file is empty: expected a header row of column names, then data rows")
    return header, body


def _check_header(header: list[str], source: str, line: int) -> None:
    if all(_is_number(name) for name in header if name) and any(header):
        raise DataError(
            f"{source} line {line}: no header row: the first line holds numbers ({', '.join(header[:4])}"
            f"{', ...' if len(header) > 4 else ''}); add a line of column names"
        )
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if not name:
            raise DataError(f"{source} line {line}: column {i} has no name in the header")
        if name in seen:
            raise DataError(f"{source} line {line}: column name {name!r} appears twice in the header")
        seen.add(name)


def _short(text: str, limit: int = 40) -> str:
    """A cell as quoted in an error: long values are cut so the line stays one line."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(cell: str, source: str, line: int, column: str) -> float:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        shown = repr(text) if text else "an empty value"
        raise DataError(
            f"{source} line {line}, column {column!r}: {shown} is not a number: input columns must be numeric"
        ) from None
    # nan/inf parse as floats but would silently poison training.
    if not math.isfinite(value):
        raise DataError(f"{source} line {line}, column {column!r}: {_short(text)} is not a finite number")
    return value


def _encode_target(cells: list[tuple[int, str]], source: str, column: str) -> tuple[str, tuple[str, ...], np.ndarray]:
    values = [v for _, v in cells]
    if all(_INT_RE.fullmatch(v) for v in values):
        ints = [int(v) for v in values]
        distinct = sorted(set(ints))
        if len(distinct) <= MAX_CLASSES:
            _need_two(distinct, source, column)
            index = {v: k for k, v in enumerate(distinct)}
            y = np.array([index[v] for v in ints], dtype=np.int64)
            return ("binary" if len(distinct) == 2 else "multiclass"), tuple(str(v) for v in distinct), y
        return "regression", (), np.array(ints, dtype=np.float64)

    numeric: list[float] = []
    first_text: tuple[int, str] | None = None
    for line, v in cells:
        try:
            x = float(v)
        except ValueError:
            first_text = (line, v)
            break
        if not math.isfinite(x):
            raise DataError(f"{source} line {line}, column {column!r}: {_short(v)} is not a finite number")
        numeric.append(x)
    if first_text is None:
        if len(set(numeric)) < 2:
            raise DataError(f"{source}: target column {column!r} has the same value {values[0]!r} in every row")
        return "regression", (), np.array(numeric, dtype=np.float64)

    distinct_text = sorted(set(values))
    if len(distinct_text) > MAX_CLASSES:
        line, v = first_text
        raise DataError(
            f"{source} line {line}, column {column!r}: text target {_short(v)}: a text target is a class label "
            f"and may have 2 to {MAX_CLASSES} distinct values, this one has {len(distinct_text)}"
        )
    _need_two(distinct_text, source, column)
    text_index = {v: k for k, v in enumerate(distinct_text)}
    y = np.array([text_index[v] for v in values], dtype=np.int64)
    return ("binary" if len(distinct_text) == 2 else "multiclass"), tuple(distinct_text), y


def _need_two(distinct: list[int] | list[str], source: str, column: str) -> None:
    if len(distinct) < 2:
        raise DataError(
            f"{source}: target column {column!r} has only one class ({distinct[0]!s}): "
            f"classification needs at least 2"
        )
