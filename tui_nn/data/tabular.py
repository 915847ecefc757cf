"""Tables read from CSV: the shipped Iris and diabetes files and a user's own file.

Everything is read with the stdlib ``csv`` module so that each problem can be
reported with the line number the user sees in an editor (the header is line 1)
and the column name, as a one-line DataError.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from ..file_access import readable
from ..i18n import _, ngettext
from ..rules import printable, quoted
from .errors import DataError

MIN_ROWS = 4
MAX_CLASSES = 20
MAX_BYTES = 64 * 2**20  # a CSV larger than this is not a playground's data
# Inputs and regression targets are standardised: squares of larger values overflow.
MAX_MAGNITUDE = 1e100

# Strict integer syntax: int() would also accept "1_000" and surrounding spaces.
# Integers are read exactly, whatever their length, below Python's 4300-digit limit.
_INT_RE = re.compile(r"[+-]?\d{1,4000}")
# Column names listed as they are; anything else is quoted and escaped.
_PLAIN_NAME = re.compile(r"[\w .^*()+/-]{1,24}")


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
    """Read a user's CSV file; ``target`` names the column to predict.

    Regular files only, of at most ``MAX_BYTES``: a device (/dev/zero), a FIFO
    (which would block) or a directory is refused before anything is read.
    """
    shown = printable(str(path))
    file = readable(path, _("CSV file"))  # served to a browser: only the teacher's folder
    try:
        text = _read_regular(file, shown)
    except FileNotFoundError:
        raise DataError(_("{file}: file not found").format(file=shown)) from None
    except IsADirectoryError:
        raise DataError(_("{file}: is a directory, not a CSV file").format(file=shown)) from None
    except UnicodeDecodeError as exc:
        raise DataError(_("{file}: cannot be read as UTF-8 text (byte {byte}): save it as UTF-8 CSV").format(
            file=shown, byte=exc.start)) from None
    except OSError as exc:
        raise DataError(_("{file}: cannot be read ({error})").format(file=shown, error=exc.strerror or exc)) from None
    table = parse_csv(io.StringIO(text, newline=""), shown, target)
    return replace(table, name=Path(path).name)


def _read_regular(path: Path, shown: str) -> str:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise DataError(_("{file}: is not a regular file (a device, pipe or socket): give a CSV file").format(
                file=shown))
        if info.st_size > MAX_BYTES:
            raise DataError(_("{file}: {size} MiB is too large: allowed up to {most} MiB").format(
                file=shown, size=f"{info.st_size / 2**20:.0f}", most=MAX_BYTES // 2**20))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as raw:
            data = raw.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    # utf-8-sig drops the byte-order mark that spreadsheet programs often write.
    return data.decode("utf-8-sig")


def _names(header: list[str]) -> str:
    """The columns as an error lists them: a few, quoted, cut short (a file that
    is not a CSV table would otherwise have its first line printed)."""
    if len(header) == 1:
        return _("the file's first line has no commas: is it a CSV table with a header?")
    shown = ", ".join(n if _PLAIN_NAME.fullmatch(n) else quoted(n, 24) for n in header[:8])
    if len(header) > 8:
        return _("columns are {names} and {more} more").format(names=shown, more=len(header) - 8)
    return _("columns are {names}").format(names=shown)


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
        raise DataError(_("{file} line {line}: not valid CSV ({error})").format(
            file=source, line=reader.line_num, error=exc)) from None

    if target is not None:
        target = target.strip()
    if target is None:
        raise DataError(_("data.target is not set: name the column to predict ({columns})").format(
            columns=_names(header)))
    if target not in header:
        raise DataError(_("{file}: no column named {column} to use as the target: {columns}").format(
            file=source, column=quoted(target), columns=_names(header)))
    if len(header) < 2:
        raise DataError(_("{file}: only the target column {column}: at least one input column is needed").format(
            file=source, column=quoted(target)))
    if len(body) < MIN_ROWS:
        raise DataError(ngettext(
            "{file}: {rows} data row but at least {least} are needed to train and test",
            "{file}: {rows} data rows but at least {least} are needed to train and test", len(body),
        ).format(file=source, rows=len(body), least=MIN_ROWS))

    t = header.index(target)
    input_names = tuple(name for i, name in enumerate(header) if i != t)
    X = np.empty((len(body), len(header) - 1), dtype=np.float64)
    target_cells: list[tuple[int, str]] = []
    for r, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise DataError(ngettext(
                "{file} line {line}: {values} value but the header has {columns} columns",
                "{file} line {line}: {values} values but the header has {columns} columns", len(row),
            ).format(file=source, line=line, values=len(row), columns=len(header)))
        c = 0
        for i, cell in enumerate(row):
            if i == t:
                continue
            X[r, c] = _number(cell, source, line, header[i])
            c += 1
        value = row[t].strip()
        if not value:
            raise DataError(_("{file} line {line}, column {column}: the target value is empty").format(
                file=source, line=line, column=quoted(target)))
        target_cells.append((line, value))

    _check_magnitudes(X, input_names, source)
    task, class_names, y = _encode_target(target_cells, source, target)
    if task == "regression":
        _check_magnitudes(y.reshape(-1, 1), (target,), source)
    return Table(Path(source).name, task, input_names, class_names, X, y)


def _check_magnitudes(X: np.ndarray, names: tuple[str, ...], source: str) -> None:
    """Finite but huge values (1e200) would overflow when standardised and make
    a column silently zero, or blow up the loss: the data is the problem, so say so."""
    if not X.size:
        return
    largest = np.max(np.abs(X), axis=0)
    for name, m in zip(names, largest):
        if m > MAX_MAGNITUDE:
            raise DataError(_(
                "{file}, column {column}: values as large as {value} cannot be trained on "
                "(allowed up to {most} in size): rescale the column"
            ).format(file=source, column=quoted(name), value=f"{m:.3g}", most=f"{MAX_MAGNITUDE:g}"))


def _read_rows(reader: Iterable[list[str]], source: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    # Returns the cleaned header and the data rows with their editor line numbers.
    header: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    for row in reader:
        if not row:  # blank line, e.g. a trailing newline or a gap between blocks
            continue
        line = reader.line_num  # type: ignore[attr-defined]
        if header is None:
            # Names are shown on screen: control characters become escapes here, once.
            header = [printable(name.strip()) for name in row]
            _check_header(header, source, line)
        else:
            body.append((line, row))
    if header is None:
        raise DataError(_("{file}: the file is empty: expected a header row of column names, then data rows").format(
            file=source))
    return header, body


def _check_header(header: list[str], source: str, line: int) -> None:
    if all(_is_number(name) for name in header if name) and any(header):
        raise DataError(_(
            "{file} line {line}: no header row: the first line holds numbers ({numbers}); add a line of column names"
        ).format(file=source, line=line, numbers=", ".join(header[:4]) + (", ..." if len(header) > 4 else "")))
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if not name:
            raise DataError(_("{file} line {line}: column {index} has no name in the header").format(
                file=source, line=line, index=i))
        if name in seen:
            raise DataError(_("{file} line {line}: column name {column} appears twice in the header").format(
                file=source, line=line, column=quoted(name)))
        seen.add(name)


def _not_finite() -> str:
    """A cell that reads as NaN or infinity, in the current language."""
    return _("{file} line {line}, column {column}: {value} is not a finite number")


def _short(text: str, limit: int = 40) -> str:
    """A cell as quoted in an error: escaped, and cut so the line stays one line."""
    return quoted(text, limit)


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
        shown = repr(text) if text else _("an empty value")
        raise DataError(_(
            "{file} line {line}, column {column}: {value} is not a number: input columns must be numeric"
        ).format(file=source, line=line, column=quoted(column), value=shown)) from None
    # nan/inf parse as floats but would silently poison training.
    if not math.isfinite(value):
        raise DataError(_not_finite().format(file=source, line=line, column=quoted(column), value=_short(text)))
    return value


def _encode_target(cells: list[tuple[int, str]], source: str, column: str) -> tuple[str, tuple[str, ...], np.ndarray]:
    values = [v for _line, v in cells]
    if all(_INT_RE.fullmatch(v) for v in values):
        ints = [int(v) for v in values]
        distinct = sorted(set(ints))
        if len(distinct) <= MAX_CLASSES:
            _need_two(distinct, source, column)
            index = {v: k for k, v in enumerate(distinct)}
            y = np.array([index[v] for v in ints], dtype=np.int64)
            return ("binary" if len(distinct) == 2 else "multiclass"), tuple(str(v) for v in distinct), y
        try:
            as_floats = np.array([float(v) for v in ints], dtype=np.float64)
        except OverflowError:
            as_floats = np.array([math.inf])
        if len(np.unique(as_floats)) < 2:
            raise DataError(_(
                "{file}: target column {column} has values that differ only beyond the 15th digit, "
                "past what a float holds: subtract a common offset, or use fewer digits"
            ).format(file=source, column=quoted(column)))
        return "regression", (), as_floats

    numeric: list[float] = []
    first_text: tuple[int, str] | None = None
    for line, v in cells:
        try:
            x = float(v)
        except ValueError:
            first_text = (line, v)
            break
        if not math.isfinite(x):
            raise DataError(_not_finite().format(file=source, line=line, column=quoted(column), value=_short(v)))
        numeric.append(x)
    if first_text is None:
        if len(set(numeric)) < 2:
            raise DataError(_("{file}: target column {column} has the same value {value} in every row").format(
                file=source, column=quoted(column), value=quoted(values[0])))
        return "regression", (), np.array(numeric, dtype=np.float64)

    distinct_text = sorted(set(values))
    if len(distinct_text) > MAX_CLASSES:
        line, v = first_text
        raise DataError(_(
            "{file} line {line}, column {column}: text target {value}: a text target is a class label "
            "and may have 2 to {most} distinct values, this one has {count}"
        ).format(file=source, line=line, column=quoted(column), value=_short(v), most=MAX_CLASSES,
                 count=len(distinct_text)))
    _need_two(distinct_text, source, column)
    text_index = {v: k for k, v in enumerate(distinct_text)}
    y = np.array([text_index[v] for v in values], dtype=np.int64)
    # Class names are shown on screen: escaped, like the column names.
    return ("binary" if len(distinct_text) == 2 else "multiclass"), tuple(printable(c) for c in distinct_text), y


def _need_two(distinct: list[int] | list[str], source: str, column: str) -> None:
    if len(distinct) < 2:
        raise DataError(_(
            "{file}: target column {column} has only one class ({value}): classification needs at least 2"
        ).format(file=source, column=quoted(column), value=printable(str(distinct[0]))[:40]))
