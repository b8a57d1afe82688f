"""Pieces of a chunked render as Ray tasks, on a cluster or on a Ray started here.

Each piece is one task (:func:`restyle.rendering.executors.paint_chunk` on a worker). The
style schedule is put in the object store once and every task reads it from there; a piece's
file comes back as bytes through the object store too, so the workers need no shared disk
and write nothing where the driver keeps its pieces (only their own temporary folder).
A worker or a node that is lost costs only the pieces it was painting: Ray runs those tasks
again (``max_retries``). Each task asks for one CPU (Ray then sets ``OMP_NUM_THREADS=1``,
which the network honours), or one GPU with ``--device cuda``.

Every node needs restyle installed (``pip install 'restyle[ray]'``) and the source, style
and model files at the same paths, as for any Ray program; see docs/long-videos.md.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from typing import Any

from ..errors import InputError, RestyleError
from .executors import RETRIES, ChunkTask, Executor, OnDone, OnFrames, Painted, paint_chunk
from .progress import Cancelled

POLL_SECONDS = 0.2
CONNECT_SECONDS = 5.0  # how long a HOST:PORT may take to answer before it counts as down


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError(
            "--executor ray needs Ray: pip install 'restyle[ray]' (or use --executor local)"
        ) from None
    return ray


def check_reachable(address: str) -> None:
    """Raise InputError at once when nothing answers at ``HOST:PORT`` (Ray would retry for
    minutes, printing as it goes)."""
    host, _, port = address.rpartition(":")
    if address.startswith("ray://"):
        host, _, port = address[len("ray://") :].rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--ray-address must be auto or HOST:PORT, got {address!r}")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"cannot reach the Ray cluster at {address}: {reason}; start it with "
            "ray start --head, or check the address"
        ) from None


def task_options(device: str) -> dict[str, Any]:
    """What one piece asks Ray for: a CPU, or a GPU with ``--device cuda``; and its retries."""
    if device == "cuda":
        return {"num_cpus": 0, "num_gpus": 1, "max_retries": RETRIES}
    return {"num_cpus": 1, "num_gpus": 0, "max_retries": RETRIES}


def _ray_task(task: ChunkTask, plan: Any, progress: Any) -> Painted:
    """Run on a Ray worker: paint one piece, reporting its frames to the driver's mailbox.

    Each report is sent without waiting for it (a task blocked in ``ray.get`` gives its CPU
    back, and Ray would start a second piece beside it on a one-CPU node)."""

    def report(index: int, done: int) -> None:
        try:
            progress.add.remote(index, done)
        except Exception:  # noqa: BLE001 - progress is a nicety; the piece matters
            pass

    return paint_chunk(task, report, plan=plan)


class Mailbox:
    """The pieces' progress messages, held for the driver (a Ray actor on the driver's node)."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int]] = []

    def add(self, index: int, done: int) -> None:
        """Keep one message: piece ``index`` has written ``done`` frames (0: it has begun)."""
        self.items.append((index, done))

    def take(self) -> list[tuple[int, int]]:
        """Every message since the last call, in the order each worker sent them."""
        items, self.items = self.items, []
        return items


class RayExecutor(Executor):
    """Pieces rendered as Ray tasks (module docstring).

    Uses the Ray this process is already connected to; else connects to ``address``
    (``auto``, ``HOST:PORT``) or ``RAY_ADDRESS``; else starts Ray on this machine for the
    render and stops it afterwards.
    """

    def run(
        self,
        tasks: Sequence[ChunkTask],
        on_done: OnDone,
        on_frames: OnFrames,
        cancel: threading.Event,
    ) -> None:
        """Render every task on Ray (see :meth:`Executor.run`)."""
        ray = _ray()
        started = self._connect(ray)
        refs: dict[Any, ChunkTask] = {}
        progress = None
        try:
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

            # on the driver's node, which lives as long as the render (a soft preference
            # let Ray put it on a worker node, and progress stopped when that node was lost)
            here = ray.get_runtime_context().get_node_id()
            progress = (
                ray.remote(Mailbox)
                .options(
                    num_cpus=0,
                    scheduling_strategy=NodeAffinitySchedulingStrategy(here, soft=False),
                )
                .remote()
            )
            remote = ray.remote(_ray_task).options(**task_options(self.device))
            plans: dict[int, Any] = {}  # one copy of each schedule in the object store
            for task in tasks:
                if id(task.plan) not in plans:
                    plans[id(task.plan)] = ray.put(task.plan)
                plan_ref = plans[id(task.plan)]
                light = ChunkTask(task.job, task.chunk, None, task.suffix)
                refs[remote.remote(light, plan_ref, progress)] = task
            while refs:
                ready, _ = ray.wait(list(refs), num_returns=1, timeout=POLL_SECONDS)
                _forward(progress, on_frames)
                if cancel.is_set():
                    raise Cancelled("the render was cancelled")
                for ref in ready:
                    task = refs.pop(ref)
                    on_done(self._result(ray, ref, task))
            _forward(progress, on_frames)
        finally:
            for ref in refs:
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001 - already finished or gone
                    pass
            if progress is not None:
                try:
                    ray.kill(progress)  # a cluster may outlive the render
                except Exception:  # noqa: BLE001 - already gone
                    pass
            if started:
                ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        """Connect to Ray (module docstring); True when this started the Ray it uses."""
        if ray.is_initialized():
            return False
        address = self.address or os.environ.get("RAY_ADDRESS")
        quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
        if address and address != "auto":
            check_reachable(address)
        try:
            if address:
                ray.init(address=address, **quiet)
            else:
                ray.init(include_dashboard=False, **quiet)
        except ConnectionError as exc:
            raise InputError(
                f"cannot reach a Ray cluster ({address or 'local'}): {str(exc).splitlines()[0]}; "
                "start one with ray start --head, or leave out --ray-address"
            ) from None
        return True

    @staticmethod
    def _result(ray: Any, ref: Any, task: ChunkTask) -> Painted:
        """A finished task's piece; its error as one line when it failed."""
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause if isinstance(exc.cause, BaseException) else None
            if isinstance(cause, RestyleError):
                raise cause from None
            raise RestyleError(f"piece {task.chunk.index} failed on Ray: {cause or exc}") from None
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as exc:
            raise RestyleError(
                f"piece {task.chunk.index} was lost {RETRIES + 1} times ({type(exc).__name__}); "
                "giving up: run the same command again to resume"
            ) from None

    @property
    def describe(self) -> str:
        """Where the pieces run."""
        return f"Ray ({self.address or 'local'})"


def _forward(progress: Any, on_frames: OnFrames) -> None:
    """Pass the workers' progress messages on, in the driver's thread."""
    import ray

    try:
        items = ray.get(progress.take.remote(), timeout=POLL_SECONDS * 10)
    except Exception:  # noqa: BLE001 - the mailbox is gone or slow: progress only
        return
    for index, done in items:
        on_frames(index, done)
