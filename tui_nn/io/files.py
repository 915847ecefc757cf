"""Reading and writing files safely: a save never leaves a half-written file
where a good one was, and a file from elsewhere cannot make us read without
bound, hang, allocate terabytes or unpickle anything.

- ``write_atomic`` writes to a temporary file beside the target, flushes it to
  disk and renames it over the target: on a full disk the old file stays whole.
- ``read_npz`` reads an ``.npz`` archive member by member, checking each
  array's declared shape and type before a byte of it is allocated.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from ..file_access import check_writable, readable
from ..i18n import _
from ..rules import printable

__all__ = ["BadFile", "MAX_ELEMENTS", "MAX_FILE_BYTES", "check_regular", "read_npz", "to_bytes", "write_atomic",
           "write_text_atomic"]

MAX_FILE_BYTES = 256 * 2**20
# The largest network the settings allow (8 layers of 512) has about 2 million
# weights; nothing a tui-nn file holds is larger than a few times that.
MAX_ELEMENTS = 16_000_000


class BadFile(ValueError):
    """A file that cannot be used; the message is one line naming it."""


def check_regular(path: Path, what: str) -> None:
    """Refuse anything but an existing regular file of a sane size (before opening it:
    a FIFO would block, /dev/zero never ends). ``what`` names the kind of file, in
    the current language ("tui-nn model file")."""
    shown = printable(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise BadFile(_("{what} {file} does not exist").format(what=what, file=shown)) from None
    except OSError as exc:
        raise BadFile(_("{what} {file} cannot be read ({error})").format(
            what=what, file=shown, error=exc.strerror or exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise BadFile(_("{what} {file} is not a regular file").format(what=what, file=shown))
    if info.st_size > MAX_FILE_BYTES:
        raise BadFile(_("{what} {file} is {size} MiB: allowed up to {most} MiB").format(
            what=what, file=shown, size=f"{info.st_size / 2**20:.0f}", most=MAX_FILE_BYTES // 2**20))


def write_atomic(path: str | Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write through ``write`` to a temporary file beside ``path``, then rename it over ``path``."""
    check_writable(path)  # served to a browser: never (file_access.py)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    return write_atomic(path, lambda fh: fh.write(text.encode("utf-8")))


def to_bytes(write: Callable[[BinaryIO], object]) -> bytes:
    """What ``write`` would put in a file, as bytes (a download for a browser)."""
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getvalue()


def read_npz(path: str | Path, what: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, checked member by member; BadFile if unusable.

    Object arrays (pickles) and complex numbers are refused, and so is any
    array declaring more than ``MAX_ELEMENTS`` elements, before it is read.
    """
    p = readable(path, what)  # served to a browser: only the teacher's folder
    check_regular(p, what)
    shown = printable(str(path))
    not_npz = _("{file} is not a {what} (.npz)").format(file=shown, what=what)
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(p) as archive:
            for member in archive.infolist():
                if not member.filename.endswith(".npy"):
                    raise BadFile(not_npz)
                name = member.filename[:-4]
                with archive.open(member) as fh:
                    arrays[name] = _read_member(fh, f"{shown}: {printable(name)}")
    except BadFile:
        raise
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError, RuntimeError,
            NotImplementedError, OverflowError, struct.error, TypeError):
        # Whatever a damaged or hostile archive makes zipfile or NumPy raise
        # (encrypted members, unknown compression, bad headers): not ours.
        raise BadFile(not_npz) from None
    return arrays


def _read_member(fh: IO[bytes], shown: str) -> np.ndarray:
    version = np.lib.format.read_magic(fh)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = reader(fh)
    if dtype.hasobject or dtype.kind not in "fiub U":
        raise BadFile(_("{member} holds {dtype} values: allowed real numbers (and text for the config)").format(
            member=shown, dtype=dtype))
    count = int(np.prod(shape, dtype=object))
    if count > MAX_ELEMENTS:
        raise BadFile(_("{member} declares {count} values: allowed up to {most}").format(
            member=shown, count=count, most=MAX_ELEMENTS))
    data = fh.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise BadFile(_("{member} is cut short").format(member=shown))
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return array.copy()
