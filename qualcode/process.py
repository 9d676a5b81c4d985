"""Process-wide settings, which library code never changes by itself: the entry point that
owns its process (the command line) turns them on with :func:`own_process`.

- :func:`pad_heap` tunes glibc's allocator for spaCy's sentence splitting;
- large imports may read their transcripts in a forked worker process
  (:func:`qualcode.steps.imports.import_study`); a library caller's process is not forked
  unless it asks (``background=True``);
- runs may draw their figures in worker processes kept for the next run
  (:func:`qualcode.pipeline.run`, :mod:`qualcode.io.workers`); a library caller's run starts
  none unless it asks (``background=True``).
"""

from __future__ import annotations

import contextlib

_OWNED = False


def own_process() -> None:
    """For the entry point that owns this process: pad the heap for spaCy, let large
    imports read in a worker process and runs draw their figures in worker processes."""
    global _OWNED
    pad_heap()
    _OWNED = True


def owned() -> bool:
    """Whether the entry point that owns this process called :func:`own_process`."""
    return _OWNED


M_TOP_PAD = -2  # glibc's mallopt parameter: spare bytes kept at the top of the heap


def pad_heap(size: int = 16 << 20) -> None:
    """Ask glibc's allocator to keep ``size`` spare bytes at the top of the heap.

    spaCy allocates and frees many mid-sized arrays per batch; above the transcripts an import
    holds, glibc otherwise shrinks and regrows the heap again and again. This costs 0.6 s per
    million words here (3.76 s for spaCy's bare loop alone, 4.46 s in a process holding the
    transcripts, 4.00 s with this setting; see benchmarks/README.md). It applies to the whole
    process, so only its owner sets it; other C libraries are left as they are.
    """
    import ctypes
    import platform

    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).mallopt(M_TOP_PAD, size)
