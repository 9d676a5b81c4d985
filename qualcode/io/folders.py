"""A folder replaced as a whole set: an interrupted writer leaves the previous complete set.

The new set is built in a sibling folder, ``.<name>-new``. When it is complete, the files of
the previous folder that are not part of the previous set (put there by a person or by another
command) are carried over into it, the previous folder is renamed ``.<name>-old``, the new one
takes its name, and the old one is removed. (Renaming a folder onto another fails on Windows,
hence two renames.) A writer killed at any moment leaves one of these states, which
:func:`repair` finishes or undoes before the next set is built:

- ``.<name>-new`` alone: an unfinished set, removed;
- ``.<name>-old`` without the folder: killed between the two renames; the new set was complete
  and takes the folder's name (if it is missing, the old one is put back);
- ``.<name>-old`` beside the folder: killed while removing the old set, which is removed; if
  the folder has no marker (the file written last into a complete set), another command made
  it meanwhile, and the old set's files it lacks are moved in first.

One writer at a time: a writer that asks for it locks the folder holding the set while it
builds and swaps it, and a second one is refused with a :class:`BusyError`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath

from qualcode.errors import BusyError, SystemFault
from qualcode.io.files import FAULTS, TEMPORARY, os_errors

NEW, OLD = "new", "old"


def sibling(target: Path, which: str) -> Path:
    """``.<name>-new`` or ``.<name>-old`` beside ``target``."""
    return target.with_name(f".{target.name}-{which}")


@contextlib.contextmanager
def replaced_as_a_set(target: Path, *, marker: str, own: Collection[str] = (),
                      folders: Collection[str] = (), lock: Path | None = None
                      ) -> Iterator[Path]:
    """Yield an empty staging folder to write the new set of ``target`` into (``marker``
    last); when the block ends, the staging folder replaces ``target``. ``own`` are the files
    of the previous set (POSIX paths relative to ``target``): they are replaced, and every
    other file of ``target`` except temporary files is carried over. Whatever ends the block
    early (an error, Ctrl-C) leaves ``target`` as it was.

    Before the block, the previous states are repaired and ``target`` is checked: a file in
    place of ``target``, of a folder of ``own`` or of one of ``folders`` (those the new set
    will have), or a folder that cannot be written, raises a :class:`SystemFault` before any
    work. With ``lock``, a second writer of ``target`` at the same time is refused with a
    :class:`BusyError` (see :func:`_alone`)."""
    target = Path(os.path.realpath(target))  # a symbolic link: the set goes where it points
    with _alone(target, lock):
        repair(target, marker=marker)
        new = sibling(target, NEW)
        _check(target, own, folders)
        with os_errors(target.parent):  # the set is made beside target: it must be writable
            new.mkdir()
        if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
            new.rmdir()
            raise SystemFault(FAULTS[errno.EACCES], path=target)
        try:
            yield new
            with os_errors():
                if target.is_dir():
                    _carry_over(target, new, skip=set(own) | {marker})
                _swap(new, target)
        except BaseException as error:
            shutil.rmtree(new, ignore_errors=True)
            if isinstance(error, SystemFault) and error.path is not None \
                    and error.path.is_relative_to(new):  # name the file meant, not the staged one
                error.path = target / error.path.relative_to(new)
            raise


@contextlib.contextmanager
def _alone(target: Path, lock: Path | None) -> Iterator[None]:
    """With ``lock``, be the only writer of ``target`` for the block, or raise a
    :class:`BusyError`: two writers of one set would take each other's staging folder for an
    interrupted one. The folder holding ``target`` is locked (POSIX ``flock``: nothing is
    written, and the system releases the lock of a killed writer); where folders cannot be
    locked (Windows), the file ``lock`` is, made empty the first time and kept (removing it
    would race). A file system that locks nothing (some network shares) leaves the writer
    unguarded rather than refused."""
    if lock is None:
        yield
        return
    if os.name == "nt":
        with os_errors(lock):
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    else:
        with os_errors(target.parent):
            fd = os.open(target.parent, os.O_RDONLY)
    try:
        if not _lock(fd):
            raise BusyError(
                f"another qualcode command is writing {target.name}/ right now (a run from "
                "the browser or from another terminal); wait for it to end, then run again",
                path=target)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(fd: int) -> bool:
    """Lock the open ``fd`` for this writer alone, without waiting: False when another holds
    it, True when locked or when the file system cannot lock."""
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)  # the first byte
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        return err.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES,
                                 errno.EDEADLK)
    return True


def repair(target: Path, *, marker: str) -> None:
    """Finish or undo what a writer killed during :func:`replaced_as_a_set` left (see the
    module's documentation)."""
    new, old = sibling(target, NEW), sibling(target, OLD)
    with os_errors():
        if old.exists():
            if not target.exists():
                os.rename(new if new.is_dir() else old, target)
            elif not (target / marker).is_file():
                _carry_over(old, target, skip=set())
            shutil.rmtree(old, ignore_errors=True)
        if new.exists():
            shutil.rmtree(new)


def interrupted(target: Path) -> str | None:
    """What an interrupted writer left beside ``target``, in one sentence, or ``None``."""
    target = Path(os.path.realpath(target))
    if sibling(target, OLD).exists():
        return (f"a run was interrupted while replacing {target.name}/ "
                f"({sibling(target, OLD).name} is left)")
    if sibling(target, NEW).exists():
        return (f"a run was interrupted before it finished ({sibling(target, NEW).name} holds "
                "its unfinished outputs), or is running now")
    return None


def _check(target: Path, own: Collection[str], folders: Collection[str]) -> None:
    wanted = {target} | {target / folder for folder in folders} | {
        target / parent for name in own for parent in PurePosixPath(name).parents
        if parent.parts}
    for folder in sorted(wanted):
        if folder.exists() and not folder.is_dir():
            raise SystemFault(FAULTS[errno.ENOTDIR], path=folder)


def _carry_over(source: Path, target: Path, *, skip: Collection[str]) -> None:
    """Link (or copy) into ``target`` every file and folder of ``source`` it lacks, except
    ``skip`` and temporary files. A file of ``source`` where ``target`` has a folder (or the
    reverse) raises a :class:`SystemFault`: nothing is dropped."""
    for folder, folders, files in os.walk(source):
        here = Path(folder).relative_to(source)
        for name in folders + files:
            relative = here / name
            origin, copy = source / relative, target / relative
            if relative.as_posix() in skip or (name in files and TEMPORARY.fullmatch(name)):
                continue
            if copy.is_symlink() or origin.is_symlink():
                if not copy.exists() and not copy.is_symlink():
                    os.symlink(os.readlink(origin), copy)
            elif origin.is_dir() != copy.is_dir() and copy.exists():
                raise SystemFault(FAULTS[errno.ENOTDIR if copy.is_dir() else errno.EISDIR],
                                  path=origin)
            elif origin.is_dir():
                copy.mkdir(exist_ok=True)
            elif not copy.exists():
                _link_or_copy(origin, copy)


def _link_or_copy(origin: Path, copy: Path) -> None:
    try:
        os.link(origin, copy)  # instant, and no second copy on the disk
    except OSError:  # a file system without hard links (FAT, some network drives)
        shutil.copy2(origin, copy)


def _swap(new: Path, target: Path) -> None:
    if not target.exists():
        os.rename(new, target)
        return
    old = sibling(target, OLD)
    os.rename(target, old)  # on Windows, fails while a program has a file in it open
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)  # what is left is removed by the next repair
