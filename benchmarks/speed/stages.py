"""Where a render's time goes: CPU time of each stage of ``restyle video``, in one process.

Renders a 640x360 cut of cockatoo.mp4 with built-in style 19 (as benchmarks/speed/video_speed.py
does) through ``restyle.render()`` and counts the CPU time of each thread while it runs each
stage (``time.thread_time``: a thread waiting for the GIL or for another stage is not
counted, so the figures hold on a shared machine): decoding (the reader), painting (the
network calls, with their pre- and post-processing), optical flow (the flow estimator's
prepare and pairs, and the filter's motion step around them, on whichever thread), the
rest of the temporal filter (its push and flush, less the flow it computed there) and
encoding (the writer). The shares
are of the process's whole CPU time; "other" is start-up, the runner's own threads and
what no stage claims (imports happen before the clock starts). Also the wall time, and how
much of it the painting threads were busy: the network's cores waiting is where 2 cores
fall short of 2x one.

Run: python -m benchmarks stages [--frames 120] [--temporal flow] [--precision auto]
"""

from __future__ import annotations

import argparse
import functools
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from benchmarks._common import need_media, print_table, write_json
from benchmarks.speed.video_speed import make_clip

STYLE = 19


class StageClock:
    """CPU seconds per stage, summed over threads; a stage nested in another is taken out."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.busy_wall: dict[str, float] = defaultdict(float)
        self._local = threading.local()
        self._lock = threading.Lock()

    def wrap(self, owner: type, name: str, stage: str) -> None:
        """Count calls of ``owner.name`` as ``stage``."""
        original = getattr(owner, name)
        clock = self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            stack = getattr(clock._local, "stack", None)
            if stack is None:
                stack = clock._local.stack = []
            start, wall = time.thread_time(), time.perf_counter()
            stack.append(0.0)
            try:
                return original(*args, **kwargs)
            finally:
                inner = stack.pop()
                spent = time.thread_time() - start
                with clock._lock:
                    clock.cpu[stage] += spent - inner
                    clock.calls[stage] += 1
                    clock.busy_wall[stage] += time.perf_counter() - wall
                if stack:
                    stack[-1] += spent

        setattr(owner, name, timed)

    def wrap_iterator(self, owner: type, name: str, stage: str) -> None:
        """Count the time spent producing each item of ``owner.name()`` as ``stage``."""
        original = getattr(owner, name)
        clock = self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            it = original(*args, **kwargs)
            while True:
                start = time.thread_time()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    with clock._lock:
                        clock.cpu[stage] += time.thread_time() - start
                        clock.calls[stage] += 1
                yield item

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=120)
    parser.add_argument("--temporal", default="flow")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args()
    (cockatoo,) = need_media("cockatoo.mp4")

    import resource

    import restyle
    from restyle.media.reader import VideoReader
    from restyle.media.writer import VideoWriter
    from restyle.registries import TEMPORAL_FILTERS
    from restyle.rendering import stages
    from restyle.stylizers.network import NetworkStylizer
    from restyle.temporal.flow import FlowEstimator

    clock = StageClock()
    clock.wrap_iterator(VideoReader, "_frames", "decode")
    clock.wrap(NetworkStylizer, "stylize", "paint")
    clock.wrap(FlowEstimator, "prepare", "flow")
    clock.wrap(FlowEstimator, "pair", "flow")
    clock.wrap(FlowEstimator, "pair_both_ways", "flow")
    # the filter's motion step (flow, warp tables, masks), ahead on its own thread
    default_filter = TEMPORAL_FILTERS.load(args.temporal)
    if hasattr(default_filter, "_motion"):
        clock.wrap(default_filter, "_motion", "flow")
    clock.wrap(stages.Smoother, "push", "filter")
    clock.wrap(stages.Smoother, "flush", "filter")
    clock.wrap(VideoWriter, "write", "encode")

    tmp = Path(tempfile.mkdtemp(prefix="restyle-stages-"))
    try:
        clip = make_clip(cockatoo, tmp / "clip.mp4", 640, 360, args.frames / 20.0)
        job = restyle.VideoJob.build(
            clip,
            tmp / "out.mp4",
            f"builtin:{STYLE}",
            device="cpu",
            temporal=args.temporal,
            precision=args.precision,
            backend=args.backend,
        )
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = usage.ru_utime + usage.ru_stime
        wall0 = time.perf_counter()
        result = restyle.render(job)
        wall = time.perf_counter() - wall0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - cpu0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    named = dict(clock.cpu)
    other = max(0.0, cpu - sum(named.values()))
    rows = []
    for stage in ("decode", "paint", "flow", "filter", "encode"):
        seconds = named.get(stage, 0.0)
        calls = clock.calls.get(stage, 0)
        per = 1000.0 * seconds / result.frames
        rows.append([stage, seconds, 100.0 * seconds / cpu, per, calls])
    rows.append(["other", other, 100.0 * other / cpu, 1000.0 * other / result.frames, ""])
    painters = clock.busy_wall.get("paint", 0.0)
    print(
        f"{result.frames} frames 640x360, builtin:{STYLE}, --temporal {args.temporal}, "
        f"--precision {args.precision} --backend {args.backend}: {wall:.1f} s wall "
        f"({result.frames / wall:.1f} fps), {cpu:.1f} s CPU ({cpu / wall:.2f} cores busy)"
    )
    print_table(["stage", "CPU s", "% of CPU", "CPU ms/frame", "calls"], rows)
    print(
        f"painting threads busy {painters:.1f} s of 2 x {wall:.1f} s wall "
        f"({100.0 * painters / (2 * wall):.0f} %)"
    )
    write_json(
        f"stages_{args.temporal}",
        {
            "frames": result.frames,
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "stages_cpu_seconds": named | {"other": other},
            "paint_busy_wall_seconds": painters,
            "args": vars(args),
        },
    )


if __name__ == "__main__":
    main()
