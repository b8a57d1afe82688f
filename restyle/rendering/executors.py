"""Who renders the pieces of a chunked render: the task they share, and processes on this machine.

A :class:`ChunkTask` is everything one piece needs, as plain data: the job (as JSON values,
its output a bare file name), the piece's frames, and the style schedule made once by the
driver. :func:`paint_chunk` renders it into a temporary folder of whoever runs it and returns
the file's bytes, so the driver alone writes into its work folder, and a worker on another
machine needs no shared disk.

An executor runs tasks and hands each finished piece back to the driver's thread, in the
order they finish; :class:`LocalExecutor` uses processes on this machine, each on its own
share of the cores. The Ray executor lives in :mod:`restyle.rendering.ray_executor`.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
import time
import types
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..errors import RestyleError
from ..media.atomic import ScratchFolder
from .chunks import Chunk
from .progress import Cancelled, Progress

RETRIES = 2  # times a piece is tried again after its worker died
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class ChunkTask:
    """One piece to render: the job as JSON values, the piece, and the style schedule."""

    job: dict[str, Any]
    chunk: Chunk
    plan: Any  # a StylePlan (or, on Ray, a reference to one in the object store)
    suffix: str


@dataclass
class Painted:
    """A finished piece: its file's bytes and the warnings its render gave."""

    chunk: Chunk
    data: bytes
    warnings: list[str] = field(default_factory=list)


OnDone = Callable[[Painted], None]
OnFrames = Callable[[int, int], None]  # (chunk index, frames of it written so far; 0: begun)


def paint_chunk(task: ChunkTask, report: OnFrames | None = None, plan: Any = None) -> Painted:
    """Render one piece in a temporary folder and return its bytes (run by any executor)."""
    from ..job import VideoJob
    from .runner import Span, render_span

    job = VideoJob.from_dict(task.job)
    chunk = task.chunk
    on_progress = None
    if report is not None:
        report(chunk.index, 0)  # this attempt has begun (the driver counts pieces painted again)

        def on_progress(event: Progress) -> None:
            if event.stage == "render" and event.done:
                report(chunk.index, event.done)

    # a held working folder: one a killed worker left is removed by the next piece painted
    with ScratchFolder("restyle-chunk") as folder:
        path = folder / f"chunk{task.suffix}"
        result = render_span(
            job.replace(output=str(path)),
            span=Span(chunk.start, chunk.stop, chunk.warmup),
            audio=False,
            on_progress=on_progress,
            plan=plan if plan is not None else task.plan,
        )
        return Painted(chunk, path.read_bytes(), list(result.warnings))


class Executor(ABC):
    """Runs chunk tasks; each finished piece goes to ``on_done`` in the caller's thread."""

    def __init__(self, workers: int | None, device: str, address: str | None = None) -> None:
        self.workers = workers
        self.device = device
        self.address = address

    @abstractmethod
    def run(
        self,
        tasks: Sequence[ChunkTask],
        on_done: OnDone,
        on_frames: OnFrames,
        cancel: threading.Event,
    ) -> None:
        """Render every task; return when all are done.

        Raises:
            Cancelled: ``cancel`` was set (pieces finished before it are handed over).
            RestyleError: a piece failed (the others are stopped).
        """

    @property
    def describe(self) -> str:
        """A few words on where the pieces run, for messages."""
        return type(self).__name__


# -- processes on this machine -------------------------------------------------------------

ORPHAN_POLL = 1.0  # seconds between a worker's looks at whether its parent lives
_progress: Any = None  # the worker process's queue for progress messages


def _exit_with(parent: int) -> None:
    """Ends this worker when the process that started it is gone (SIGKILLed, crashed).

    Its pool's queues are held open by the other workers too, so a worker would otherwise
    wait for its next task forever, an orphan holding memory and the network.
    """
    while True:
        time.sleep(ORPHAN_POLL)
        if os.getppid() != parent:
            os._exit(1)


def _start_worker(progress: Any, cores: Any, parent: int) -> None:
    """A worker process's set-up: its progress queue, its share of the cores, and a watch
    that ends it with ``parent``, the process that started it (gone already if it died
    while this one was starting)."""
    global _progress
    _progress = progress
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="restyle-orphan").start()
    try:
        mine = cores.get_nowait()
    except queue.Empty:
        mine = None
    if mine and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, mine)


def _local_task(task: ChunkTask) -> Painted:
    """Run in a worker process: paint the piece, reporting frames through the queue."""
    progress = _progress

    def report(index: int, done: int) -> None:
        if progress is not None:
            progress.put((index, done))

    return paint_chunk(task, report)


def share_cores(workers: int) -> list[list[int]]:
    """This process's cores split into ``workers`` disjoint sets (empty when it cannot)."""
    if not hasattr(os, "sched_getaffinity"):
        return []
    cores = sorted(os.sched_getaffinity(0))
    if workers > len(cores):
        return []
    return [cores[i::workers] for i in range(workers)]


class LocalExecutor(Executor):
    """Pieces rendered by ``workers`` processes on this machine, each on its share of the cores.

    A process that dies (killed, out of memory) costs only its piece: the pool is made again
    and the unfinished pieces are tried again, up to :data:`RETRIES` times each.
    """

    def run(
        self,
        tasks: Sequence[ChunkTask],
        on_done: OnDone,
        on_frames: OnFrames,
        cancel: threading.Event,
    ) -> None:
        """Render every task with processes here (see :meth:`Executor.run`)."""
        workers = max(1, min(self.workers or 1, len(tasks) or 1))
        context = multiprocessing.get_context("spawn")  # never fork a process with threads
        left = list(tasks)
        tries = {t.chunk.index: 0 for t in tasks}
        while left:
            progress = context.Queue()
            cores = context.Queue()
            for share in share_cores(workers) if workers > 1 else []:
                cores.put(share)
            pool = ProcessPoolExecutor(
                workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(progress, cores, os.getpid()),
            )
            try:
                with _without_main():  # the processes start with the first tasks
                    futures = {pool.submit(_local_task, t): t for t in left}
                left = self._drain(futures, progress, on_done, on_frames, cancel, tries)
            finally:
                _stop(pool)
                progress.close()
                cores.close()

    def _drain(
        self, futures: dict[Future, ChunkTask], progress, on_done, on_frames, cancel, tries
    ) -> list[ChunkTask]:
        """Wait for one pool's tasks; the tasks to try again when a worker died."""
        broken: list[ChunkTask] = []
        while futures:
            done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            _forward(progress, on_frames)
            if cancel.is_set():
                raise Cancelled("the render was cancelled")
            for future in done:
                task = futures.pop(future)
                try:
                    painted = future.result()
                except BrokenProcessPool:
                    tries[task.chunk.index] += 1
                    if tries[task.chunk.index] > RETRIES:
                        raise RestyleError(
                            f"the worker rendering piece {task.chunk.index} died "
                            f"{tries[task.chunk.index]} times; giving up"
                        ) from None
                    broken.append(task)
                    continue
                on_done(painted)
        _forward(progress, on_frames)
        return broken


@contextmanager
def _without_main() -> Iterator[None]:
    """Start worker processes without re-running the caller's script in each of them.

    A spawned process imports the parent's ``__main__`` again, so a script without an
    ``if __name__ == "__main__":`` guard would render again in every worker, and code
    typed into ``python -`` or a notebook cannot be imported at all. The workers only need
    restyle, so while they start, ``__main__`` is an empty module.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _forward(progress: Any, on_frames: OnFrames) -> None:
    """Pass the workers' progress messages on, in the driver's thread."""
    while True:
        try:
            index, done = progress.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return
        on_frames(index, done)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: queued pieces dropped, running ones killed (their output discarded)."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to kill them
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)  # see below
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
    # a worker killed while it sent a result leaves half a message in the result pipe, and
    # the pool's manager thread waits in recv() for the rest, forever: the interpreter then
    # hangs at exit joining it. With the workers gone, close this process's write end too
    # (the pipe's last), so the read ends (EOF) and the thread sees a broken pool and stops.
    if writer is not None and not any(p.is_alive() for p in processes):
        writer.close()
