"""The private cache of a study's expensive computations, for incremental runs.

Entries are keyed by a fingerprint of everything the computation takes (see
:mod:`qualcode.fingerprint`), so an entry is either exactly right or never looked up. They are
kept in memory (a long-lived process such as the browser's server reuses them at once) and in
``.qualcode/cache/`` of the study (a new process reuses them): JSON, or ``.npz`` read with
``allow_pickle=False``; nothing is ever unpickled. An entry that cannot be read, or that is not
what was stored under its key, is ignored and recomputed: never an error, never a wrong result.
The folder is private (it may hold pseudonymised text and the names found at import), kept out
of version control by the ``.gitignore`` that ``qualcode init`` writes, and safe to delete.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from qualcode.errors import QualcodeWarning, qualcode_warnings
from qualcode.fingerprint import fingerprint

T = TypeVar("T")


_MEMORY: OrderedDict[tuple[str, str], object] = OrderedDict()
_MEMORY_SIZE = 4096  # entries kept in memory, the least recently used dropped first


class Cache:
    """Entries of kind ``kind`` under key ``key`` (a hex fingerprint), in memory and in
    ``folder`` (``None``: memory only). Without ``read``, nothing is looked up: everything is
    computed again and stored afresh (``qualcode run --force``). New entries reach the disk
    only at :meth:`flush`, once the run they belong to has succeeded: a run refused for bad
    input writes nothing."""

    def __init__(self, folder: Path | None, *, read: bool = True) -> None:
        self.folder = folder
        self.read = read
        self.pending: list[tuple[Path, Callable[[Path], None]]] = []

    def _path(self, kind: str, key: str, suffix: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{kind}-{key}{suffix}"

    def _remember(self, kind: str, key: str, value: object) -> None:
        _MEMORY[(kind, key)] = value
        _MEMORY.move_to_end((kind, key))
        while len(_MEMORY) > _MEMORY_SIZE:
            _MEMORY.popitem(last=False)

    def value(self, kind: str, key: str, compute: Callable[[], T], *,
              encode: Callable[[T], object], decode: Callable[[object], T]) -> T:
        """``compute()``, or what it returned for the same ``key``: kept as is in memory, and
        on disk as the JSON ``encode`` makes, which ``decode`` turns back into a value that
        must have the original's fingerprint (else it is computed again). The
        :class:`QualcodeWarning` it gave are given again each time."""
        memory = (f"{kind}!", key)
        if memory in _MEMORY and self.read:
            value, said = _MEMORY[memory]
            path = self._path(kind, key, ".json")
            if path is not None and not path.exists():  # known from another study's folder
                self._put_value(kind, key, value, said, encode)
        else:
            stored = self.get_json(kind, key)
            value = None
            with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError,
                                     IndexError):
                value, said = decode(stored["value"]), [str(w) for w in stored["warnings"]]
                if fingerprint(value) != stored["fingerprint"]:
                    value = None
            if value is None:
                value, said = qualcode_warnings(compute)
                self._put_value(kind, key, value, said, encode)
            self._remember(*memory, (value, said))
        for message in said:
            warnings.warn(message, QualcodeWarning, stacklevel=2)
        return value

    def _put_value(self, kind: str, key: str, value: object, said: list[str],
                   encode: Callable[[object], object]) -> None:
        self.put_json(kind, key, {"fingerprint": fingerprint(value), "warnings": said,
                                  "value": encode(value)})

    def get_json(self, kind: str, key: str) -> object | None:
        """The JSON value stored, or None."""
        if not self.read:
            return None
        if (kind, key) in _MEMORY:
            return _MEMORY[(kind, key)]
        path = self._path(kind, key, ".json")
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored["key"] != key:
                return None
            value = stored["value"]
        except (OSError, AttributeError, ValueError, KeyError, TypeError):
            return None
        self._remember(kind, key, value)
        return value

    def put_json(self, kind: str, key: str, value: object) -> None:
        """Store a JSON value (a failure to write only loses the entry)."""
        self._remember(kind, key, value)
        self._write(self._path(kind, key, ".json"), lambda tmp: Path(tmp).write_text(
            json.dumps({"key": key, "value": value}, ensure_ascii=False), encoding="utf-8"))

    def get_arrays(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        """The arrays stored (numbers and booleans only), or None."""
        if not self.read:
            return None
        if (kind, key) in _MEMORY:
            return _MEMORY[(kind, key)]
        path = self._path(kind, key, ".npz")
        try:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
            if str(arrays.pop("key")) != key:
                return None
        except (OSError, AttributeError, ValueError, KeyError, TypeError, EOFError):
            return None
        self._remember(kind, key, arrays)
        return arrays

    def put_arrays(self, kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
        """Store arrays (a failure to write only loses the entry)."""
        self._remember(kind, key, arrays)

        def save(tmp: Path) -> None:
            buffer = io.BytesIO()
            np.savez(buffer, key=np.array(key), **arrays)
            Path(tmp).write_bytes(buffer.getvalue())
        self._write(self._path(kind, key, ".npz"), save)

    def _write(self, path: Path | None, write) -> None:
        if path is not None:
            self.pending.append((path, write))

    def flush(self) -> None:
        """Write the new entries into the cache folder."""
        pending, self.pending = self.pending, []
        for path, write in pending:
            _store(path, write)


def _store(path: Path, write: Callable[[Path], None]) -> None:
    """``write`` a cache file, renamed into place (a failure only loses the entry)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:  # renamed into place, not synced: a torn entry is only ignored next time
        os.makedirs(path.parent, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except OSError:  # a cache that cannot be written only costs time
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def table_json(table: pd.DataFrame) -> dict:
    """A table as JSON: its columns, their dtypes and values (see :func:`json_table`)."""
    return {"columns": [str(c) for c in table.columns],
            "dtypes": [str(t) for t in table.dtypes],
            "values": [table[c].tolist() for c in table.columns]}


def json_table(stored: dict) -> pd.DataFrame:
    """The table :func:`table_json` stored (a caller checks it by its fingerprint)."""
    return pd.DataFrame({name: pd.Series(values, dtype=dtype) for name, dtype, values
                         in zip(stored["columns"], stored["dtypes"], stored["values"],
                                strict=True)}, columns=stored["columns"])
