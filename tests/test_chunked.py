"""Chunked, resumable rendering on this machine: the same video as one-shot, resumed after a
kill, a damaged piece redone, another job's pieces refused, faults as one line."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import restyle
from restyle.cli import main
from restyle.errors import InputError, OutputError
from restyle.job import VideoJob
from restyle.media.writer import VideoWriter
from restyle.rendering.chunked import layout, work_folder
from restyle.rendering.chunks import Chunk, CutFinder, plan_chunks
from restyle.rendering.manifest import load_manifest
from support.chunk_checks import OPTIONS, STYLE, assert_same_video, make_clip, paint_one_shot
from support.engines import EXACT
from support.media_factory import make_video, shapes_frame

pytestmark = pytest.mark.slow

ENGINE = ["--backend", EXACT["backend"], "--precision", EXACT["precision"]]


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_clip(tmp_path_factory.mktemp("chunked"))


@pytest.fixture(scope="module")
def one_shot(clip, tmp_path_factory) -> Path:
    return paint_one_shot(clip, tmp_path_factory.mktemp("one"))


# -- planning ---------------------------------------------------------------------------


def test_pieces_cover_the_range_and_move_to_a_shot_change_near_a_boundary():
    times = [i / 25 for i in range(250)]  # 10 s at 25 fps
    chunks = plan_chunks(times, 2.0, warmup=25)
    assert [(c.start, c.stop) for c in chunks] == [(i, i + 50) for i in range(0, 250, 50)]
    assert [c.warmup for c in chunks] == [0, 25, 25, 25, 25]
    cuts = (58, 165)
    moved = plan_chunks(times, 2.0, warmup=25, cuts=lambda a, b: [f for f in cuts if a <= f < b])
    # each boundary may move 12 frames (a quarter of a piece, at most a second) to a cut
    assert [c.start for c in moved] == [0, 58, 108, 165, 215]
    assert [(c.at_cut, c.warmup) for c in moved] == [
        (False, 0),
        (True, 0),
        (False, 25),
        (True, 0),
        (False, 25),
    ]
    assert all(c.stop == n.start for c, n in zip(moved, moved[1:], strict=False))
    assert moved[-1].stop == 250
    far = plan_chunks(times, 2.0, warmup=25, cuts=lambda a, b: [f for f in (75,) if a <= f < b])
    assert 75 not in [c.start for c in far]  # too far from any boundary


def test_carried_strokes_warm_up_until_a_different_start_has_faded(tmp_path):
    """A filter with a long memory (strokes carried, the default with --model steady)
    warms each piece up for longer than a second, so pieces join as one render paints."""
    from restyle.media.image import save_image
    from restyle.rendering.chunked import layout

    clip = make_video(tmp_path / "long.mp4", width=64, height=48, frames=100, fps=25)
    save_image(shapes_frame(3, 64, 64), tmp_path / "painting.png")
    out = tmp_path / "out.mp4"
    carried = layout(VideoJob.build(clip, out, str(tmp_path / "painting.png"), chunk_seconds=1))
    assert [c.warmup for c in carried] == [0, 25, 44, 44]  # 0.9 ** 44 < 1 %
    averaged = layout(VideoJob.build(clip, out, "builtin:3", chunk_seconds=1))
    assert [c.warmup for c in averaged] == [0, 25, 25, 25]  # about a second


def test_a_short_tail_joins_the_piece_before_it():
    times = [i / 10 for i in range(51)]
    chunks = plan_chunks(times, 1.0, warmup=10)
    assert chunks[-1] == Chunk(4, 40, 51, 10, False)


def test_shot_changes_are_found_by_decoding_only_near_the_boundary(tmp_path):
    path = tmp_path / "cut.mp4"
    with VideoWriter(path, width=96, height=64, frame_rate=25) as writer:
        for i in range(50):
            image = shapes_frame(i, 96, 64)
            if i >= 27:
                image = (255 - image[..., ::-1]) // 2  # another shot: other colours
            writer.write(image, i / 25)
    times = [i / 25 for i in range(50)]
    finder = CutFinder(str(path), times)
    assert finder(20, 35) == [27]
    assert finder(0, 20) == []
    job = VideoJob.build(path, tmp_path / "out.mp4", STYLE, chunk_seconds=1.0)
    chunks = layout(job)
    assert [c.start for c in chunks] == [0, 27] and chunks[1].at_cut and chunks[1].warmup == 0


# -- rendering --------------------------------------------------------------------------


def test_chunked_on_two_processes_is_the_one_shot_video(clip, one_shot, tmp_path):
    out = tmp_path / "chunked.mp4"
    seen = []
    result = restyle.stylize_video(
        clip, out, STYLE, chunk_seconds=0.45, workers=2, on_progress=seen.append, **OPTIONS
    )
    assert result.chunks == 3 and result.reused == 0 and result.frames == 40
    assert_same_video(one_shot, out)
    assert not work_folder(VideoJob.build(clip, out, STYLE)).exists()  # removed after the join
    stages = [e.stage for e in seen]
    assert "render" in stages and stages[-1] == "join"
    renders = [e for e in seen if e.stage == "render"]
    assert renders[-1].done == 40 and renders[-1].total == 40
    assert len({e.done for e in renders}) > 4  # frames counted as they come, not per piece
    assert [e.done for e in renders] == sorted(e.done for e in renders)
    assert (renders[0].pieces_done, renders[0].pieces) == (0, 3)
    assert (renders[-1].pieces_done, renders[-1].pieces) == (3, 3)


def test_a_worker_killed_mid_render_costs_only_its_pieces(clip, one_shot, tmp_path, monkeypatch):
    """...and the working folder of its piece is removed by a piece painted after it."""
    out = tmp_path / "survived.mp4"
    scratch = tmp_path / "tmp"  # the workers' temporary folder
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    events, result = [], {}

    def render() -> None:
        result["value"] = restyle.stylize_video(
            clip, out, STYLE, chunk_seconds=0.3, workers=2, on_progress=events.append,
            **OPTIONS,
        )  # fmt: skip

    thread = threading.Thread(target=render)
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        e.stage == "render" and e.done >= 4 for e in events
    ):
        time.sleep(0.02)
    workers = [p for p in multiprocessing.active_children() if p.name.startswith("SpawnProcess")]
    assert thread.is_alive() and workers, "the render ended before a worker could be killed"
    os.kill(workers[0].pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    thread.join(timeout=300)
    assert not thread.is_alive()
    done = result["value"]
    assert done.retried >= 1 and any("painted again" in w for w in done.warnings)
    assert done.frames == 40
    assert_same_video(one_shot, out)
    assert [p.name for p in scratch.iterdir() if "restyle-chunk" in p.name] == []


def test_resume_after_a_kill_renders_only_the_missing_pieces(clip, one_shot, tmp_path):
    out = tmp_path / "resumed.mp4"
    argv = [sys.executable, "-m", "restyle", "video", str(clip), "-o", str(out), "--style", STYLE,
            "--chunk-seconds", "0.3", "--temporal", "flow", "--model", "original", "--crf", "0",
            "--max-size", "none", "--device", "cpu", *ENGINE, "-q"]  # fmt: skip
    folder = work_folder(VideoJob.build(clip, out, STYLE, model="original"))
    proc = subprocess.Popen(argv, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        stored = load_manifest(folder)
        done = sum(c["state"] == "done" for c in stored["chunks"]) if stored else 0
        if done >= 1:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode()
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers, with no clean-up
    proc.wait()
    assert not out.exists()
    stored = load_manifest(folder)
    finished = [c["index"] for c in stored["chunks"] if c["state"] == "done"]
    total = len(stored["chunks"])
    assert 1 <= len(finished) < total
    code = subprocess.run([*argv, "--json"], capture_output=True, text=True, timeout=300)
    assert code.returncode == 0, code.stderr
    report = json.loads(code.stdout)
    assert report["chunks"] == total and report["reused"] == len(finished)
    assert_same_video(one_shot, out)


def test_a_damaged_piece_is_redone_and_another_jobs_pieces_are_refused(clip, one_shot, tmp_path):
    out = tmp_path / "kept.mp4"
    options = {**OPTIONS, "chunk_seconds": 0.45, "keep_chunks": True}
    first = restyle.stylize_video(clip, out, STYLE, **options)
    folder = work_folder(VideoJob.build(clip, out, STYLE))
    pieces = sorted(folder.glob("restyle-piece-*.mp4"))
    assert len(pieces) == first.chunks == 3
    data = pieces[1].read_bytes()
    pieces[1].write_bytes(data[: len(data) // 2])  # cut off, as by a crash mid-copy
    again = restyle.stylize_video(clip, out, STYLE, **options)
    assert again.reused == 2
    assert_same_video(one_shot, out)
    assert pieces[1].read_bytes() == data  # painted again, byte for byte
    with pytest.raises(InputError, match="--restart"):
        restyle.stylize_video(clip, out, STYLE, **{**options, "strength": 0.5})
    fresh = restyle.stylize_video(clip, out, STYLE, **{**options, "strength": 0.5, "restart": True})
    assert fresh.reused == 0


def test_a_changed_source_is_refused(tmp_path):
    clip = make_video(tmp_path / "src.mp4", frames=20)
    out = tmp_path / "out.mp4"
    options = {"chunk_seconds": 0.4, "keep_chunks": True, "device": "cpu", **EXACT}
    restyle.stylize_video(clip, out, STYLE, **options)
    make_video(clip, frames=20, width=128)
    with pytest.raises(InputError, match="source changed.*--restart"):
        restyle.stylize_video(clip, out, STYLE, **options)


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_signal_stops_cleanly_and_the_next_run_resumes(clip, tmp_path, signum, code):
    out = tmp_path / "stopped.mp4"
    argv = [sys.executable, "-m", "restyle", "video", str(clip), "-o", str(out), "--style", STYLE,
            "--chunk-seconds", "0.3", "--device", "cpu", *ENGINE, "-q"]  # fmt: skip
    folder = work_folder(VideoJob.build(clip, out, STYLE))
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        stored = load_manifest(folder)
        if stored and any(c["state"] == "done" for c in stored["chunks"]):
            break
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "pieces are kept in" in err and "run the same command again to resume" in err
    assert not out.exists() and not list(tmp_path.glob(".stopped.mp4.tmp*"))
    stored = load_manifest(folder)
    done = sum(c["state"] == "done" for c in stored["chunks"])
    assert done >= 1
    assert not list(folder.glob(".*.tmp")), "the piece in flight was discarded"
    run = subprocess.run([*argv, "--json"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["reused"] == done


# -- faults as one line -------------------------------------------------------------------


def run_cli(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_work_folder_that_cannot_be_made_is_one_line(clip, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = tmp_path / "out.mp4"
    code, err = run_cli(["video", str(clip), "-o", str(out), "--style", STYLE, "--chunk-seconds",
                         "0.4", "--workdir", str(blocker / "work"), "-q"], capsys)  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1 and "work folder" in err
    assert not out.exists()


def test_disk_full_while_storing_a_piece_keeps_the_finished_ones(
    clip, tmp_path, monkeypatch, capsys
):
    import errno

    import restyle.rendering.manifest as manifest_module

    calls = {"n": 0}
    real = os.fsync

    def fsync(fd):
        calls["n"] += 1
        if calls["n"] == 4:  # manifest, piece, manifest, then the second piece: disk full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(manifest_module.os, "fsync", fsync)
    out = tmp_path / "full.mp4"
    code, err = run_cli(["video", str(clip), "-o", str(out), "--style", STYLE, "--chunk-seconds",
                         "0.4", "--device", "cpu", "-q"], capsys)  # fmt: skip
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert "no space left" in err.lower() and "resume" in err
    assert not out.exists()
    folder = work_folder(VideoJob.build(clip, out, STYLE))
    stored = load_manifest(folder)
    assert sum(c["state"] == "done" for c in stored["chunks"]) == 1
    assert not list(folder.glob(".*.tmp"))


def test_chunk_options_need_chunk_seconds_and_a_video_file(clip, tmp_path, capsys):
    code, err = run_cli(["video", str(clip), "-o", str(tmp_path / "o.mp4"), "--style", STYLE,
                         "--workers", "2"], capsys)  # fmt: skip
    assert code == 2 and "--workers goes with --chunk-seconds" in err
    code, err = run_cli(["video", str(clip), "-o", str(tmp_path / "f" / "%04d.png"), "--style",
                         STYLE, "--chunk-seconds", "1"], capsys)  # fmt: skip
    assert code == 2 and "writes a video file" in err
    with pytest.raises(InputError, match="chunk_seconds|--chunk-seconds"):
        VideoJob.build(clip, tmp_path / "o.mp4", STYLE, chunk_seconds=0)


def test_a_job_file_carries_the_chunk_settings(clip, tmp_path):
    job = VideoJob.build(clip, tmp_path / "o.mp4", STYLE, chunk_seconds=30.0, executor="ray")
    again = VideoJob.from_json(job.to_json())
    assert again == job and again.run.chunk_seconds == 30.0 and again.run.executor == "ray"
    assert again.digest() == VideoJob.build(clip, tmp_path / "o.mp4", STYLE).digest()


def test_output_error_type_for_a_bad_output(clip, tmp_path):
    with pytest.raises(OutputError):
        restyle.stylize_video(clip, clip, STYLE, chunk_seconds=0.4)


def test_a_script_without_a_main_guard_renders_once(clip, tmp_path):
    """Worker processes start without re-running the caller's script (here typed into
    ``python -``, which a spawned process could not even import)."""
    out = tmp_path / "script.mp4"
    script = (
        "import restyle\n"
        f"r = restyle.stylize_video({str(clip)!r}, {str(out)!r}, {STYLE!r}, chunk_seconds=0.45,"
        f" workers=2, device='cpu', backend='onnxruntime', precision='float')\n"
        "print('rendered', r.chunks)\n"
    )
    run = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["rendered", "3"]
    assert out.is_file()


def test_a_workdir_of_the_users_keeps_their_files(clip, tmp_path):
    """--restart and the clean-up after the join remove restyle's files only."""
    work = tmp_path / "my-folder"
    work.mkdir()
    (work / "notes.txt").write_text("mine")
    (work / "manifest.json").write_text("{}")  # names restyle does not use stay the user's
    (work / "chunk-00001.mp4").write_bytes(b"mine too")
    out = tmp_path / "out.mp4"
    options = {"chunk_seconds": 0.45, "workdir": str(work), "device": "cpu", **EXACT}
    restyle.stylize_video(clip, out, STYLE, keep_chunks=True, **options)
    assert len(list(work.glob("restyle-piece-*.mp4"))) == 3
    assert (work / "restyle-manifest.json").is_file()
    restyle.stylize_video(clip, out, STYLE, restart=True, **options)
    assert sorted(p.name for p in work.iterdir()) == [
        "chunk-00001.mp4",
        "manifest.json",
        "notes.txt",
    ]
    assert (work / "notes.txt").read_text() == "mine"
    default = work_folder(VideoJob.build(clip, out, STYLE))
    restyle.stylize_video(clip, out, STYLE, chunk_seconds=0.45, device="cpu", **EXACT)
    assert not default.exists()  # its own hidden folder goes when empty


@pytest.mark.parametrize("suffix", [".mkv", ".webm", ".mov"])
def test_other_containers_join_into_the_one_shot_video(clip, tmp_path, suffix):
    """Matroska keeps no decode times and WebM is VP9: their pieces still join exactly."""
    import av

    options = {"device": "cpu", **EXACT}
    one, chunked = tmp_path / f"one{suffix}", tmp_path / f"chunked{suffix}"
    restyle.stylize_video(clip, one, STYLE, **options)
    result = restyle.stylize_video(clip, chunked, STYLE, chunk_seconds=0.45, **options)
    assert result.chunks == 3

    def timeline(path):
        with av.open(str(path)) as container:
            video = [f.pts for f in container.decode(container.streams.video[0])]
        with av.open(str(path)) as container:
            audio = [p.pts for p in container.demux(container.streams.audio[0]) if p.size]
        return video, audio

    assert timeline(chunked) == timeline(one)
    assert len(timeline(one)[0]) == 40


def test_a_warm_up_that_begins_after_frame_0_paints_the_one_shot_frames(tmp_path):
    """The flow filter finishes frames in blocks counted from its first frame: a piece's
    warm-up starts on that grid (the last piece's would start at frame 15, mid-block)."""
    from fractions import Fraction

    import av
    import numpy as np

    clip = make_video(tmp_path / "two.mp4", width=160, height=96, frames=60,
                      fps=Fraction(30000, 1001))  # fmt: skip
    one, chunked = tmp_path / "one.mp4", tmp_path / "chunked.mp4"
    restyle.stylize_video(clip, one, STYLE, **OPTIONS)
    result = restyle.stylize_video(clip, chunked, STYLE, chunk_seconds=0.5, **OPTIONS)
    assert result.chunks == 4

    def frames(path):
        with av.open(str(path)) as c:
            return [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]

    pairs = list(zip(frames(one), frames(chunked), strict=True))
    assert len(pairs) == 60
    assert [i for i, (a, b) in enumerate(pairs) if not np.array_equal(a, b)] == []


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_end_when_their_driver_is_killed(clip, tmp_path):
    """A SIGKILLed driver's worker processes exit by themselves instead of waiting forever."""
    out = tmp_path / "orphans.mp4"
    argv = [sys.executable, "-m", "restyle", "video", str(clip), "-o", str(out), "--style", STYLE,
            "--chunk-seconds", "0.3", "--workers", "2", "--device", "cpu", *ENGINE]  # fmt: skip
    proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
        workers = {p for p in _children(proc.pid) if b"spawn_main" in _cmdline(p)}
        time.sleep(0.05)
    assert proc.poll() is None and len(workers) == 2, "the workers did not start"
    os.kill(proc.pid, signal.SIGKILL)  # the driver alone: its workers are left behind
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(p) for p in workers):
        time.sleep(0.1)
    alive = [p for p in workers if _running(p)]
    for pid in alive:  # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert alive == []


def _running(pid: int) -> bool:
    """Whether a process exists and has not exited (a zombie waiting to be reaped has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
