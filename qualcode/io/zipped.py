"""Zip archives from outside (Word, Excel and OpenDocument files, REFI-QDA projects), read
within bounds.

A few kilobytes of zip can unpack to gigabytes (a "zip bomb"), and a member's headers can lie
about its size. Every archive qualcode reads goes through :class:`BoundedZip`: member names
that are absolute or climb out with ``..`` are refused, so are too many members, and the bytes
actually unpacked are counted, all members together, refusing the file as soon as they pass
the limit (so nothing large is ever held in memory).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from qualcode.errors import QualcodeError
from qualcode.io.files import unreadable

MAX_MEMBERS = 10_000
OFFICE_BYTES = 2**29  # a Word or Excel file unpacked: 512 MB (a million-word study is ~60 MB)
_CHUNK = 1 << 20


class BoundedZip:
    """A zip archive whose members are read counting the bytes unpacked.

    ``error`` is the :class:`QualcodeError` class raised (with the file's path) for a file
    that cannot be opened (``unreadable``), is not a zip or has a member that does not
    unpack (``damaged`` says so and how to fix it), or passes a bound; ``limit`` is the most
    bytes all members may unpack to together.
    """

    def __init__(self, path: Path, error: type[QualcodeError], *, limit: int,
                 members: int = MAX_MEMBERS,
                 damaged: str = "not a readable zip archive; export the project again"
                 ) -> None:
        self.path, self.error, self.limit, self.damaged = Path(path), error, limit, damaged
        self.read_bytes = 0
        try:
            self._file = self.path.open("rb")
        except OSError as err:
            raise unreadable(self.path, err, error) from None
        try:
            self.archive = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            self._file.close()
            raise error(f"{damaged} ({err})", path=path) from None
        try:
            self._check(members)
        except QualcodeError:
            self.close()
            raise

    def _check(self, members: int) -> None:
        infos = self.archive.infolist()
        if len(infos) > members:
            raise self.error(f"the archive holds {len(infos)} files, more than the {members} "
                             "qualcode accepts; refused", path=self.path)
        for info in infos:
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts \
                    or re.match(r"[A-Za-z]:", info.filename):
                raise self.error(f"the archive member '{info.filename}' has an absolute or "
                                 "'..' path; refused for safety", path=self.path)
        if sum(info.file_size for info in infos) > self.limit:
            raise self._too_big()

    def _too_big(self) -> QualcodeError:
        return self.error(f"the archive unpacks to more than {self.limit >> 20} MB; refused "
                          "(a damaged or crafted file)", path=self.path)

    def names(self) -> list[str]:
        return self.archive.namelist()

    def read(self, name: str, *, keep: bool = True) -> bytes:
        """The bytes of member ``name`` (or ``b""`` when not ``keep``: only counted)."""
        chunks = []
        try:
            with self.archive.open(name) as handle:
                while chunk := handle.read(_CHUNK):
                    self.read_bytes += len(chunk)
                    if self.read_bytes > self.limit:
                        raise self._too_big()
                    if keep:
                        chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                RuntimeError) as err:
            raise self.error(f"{self.damaged} (member '{name}': {err})",
                             path=self.path) from None
        return b"".join(chunks)

    def check_sizes(self) -> None:
        """Unpack every member once, keeping nothing, to bound the file before a library
        (python-docx, openpyxl, odfpy) reads it its own way."""
        for name in self.names():
            self.read(name, keep=False)

    def close(self) -> None:
        self.archive.close()
        self._file.close()

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check_office(path: Path, error: type[QualcodeError], damaged: str) -> None:
    """Refuse an Office or OpenDocument file that cannot be opened, is not a zip, or unpacks
    to more than :data:`OFFICE_BYTES` (see :class:`BoundedZip`)."""
    with BoundedZip(path, error, limit=OFFICE_BYTES, damaged=damaged) as archive:
        archive.check_sizes()
