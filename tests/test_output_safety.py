"""Nothing half-written: signals, stale temporary files, full disks, lost folders and permissions.

Most tests run the installed ``restyle`` command as a real subprocess and act on it while it
writes (the moment its temporary output appears), then check its exit code, that stderr is
one line with no traceback, and that the output folder holds exactly what it held before.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restyle.errors import OutputError
from restyle.media.atomic import AtomicFile, AtomicFolder, ScratchFolder, sweep_stale
from restyle.media.writer import VideoWriter
from support.image_factory import synthetic_photo
from support.media_factory import make_video

RESTYLE = shutil.which("restyle", path=str(Path(sys.executable).parent)) or shutil.which("restyle")
needs_command = pytest.mark.skipif(RESTYLE is None, reason="the restyle command is not installed")
CLIP_FRAMES = 40


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """A small clip with audio, painted in a few seconds."""
    folder = tmp_path_factory.mktemp("clip")
    return make_video(folder / "clip.mp4", width=96, height=64, frames=CLIP_FRAMES, audio=True)


def start(args: list[str], **popen) -> subprocess.Popen:
    """Start the installed restyle command with `args`, capturing its output."""
    return subprocess.Popen(
        [RESTYLE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def wait_for_temp(folder: Path, proc: subprocess.Popen, timeout: float = 60.0) -> Path:
    """Wait until a temporary output (``.NAME.tmp-...``) appears in `folder`; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if ".tmp-" in p.name] if folder.is_dir() else []
        if found:
            return found[0]
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"restyle ended ({proc.returncode}) before writing: {err or out}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no temporary output appeared")


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """Wait for the command; return (exit code, stderr), checking stderr is one clean line."""
    _, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert "Traceback" not in err and lines[0].startswith("restyle: ")
    return proc.returncode, lines[0]


# -- stale temporary files ----------------------------------------------------------------------


def test_a_stale_temp_file_is_removed_and_a_held_one_is_kept(tmp_path):
    target = tmp_path / "out.mp4"
    stale = tmp_path / ".out.mp4.tmp-dead1234.mp4"
    stale.write_bytes(b"left by a killed writer")
    other = tmp_path / ".other.mp4.tmp-dead1234.mp4"  # another target's: not ours to judge
    other.write_bytes(b"x")
    live = AtomicFile(target)  # holds its lock: a writer still running
    assert not stale.exists() and other.exists() and live.path.exists()
    second = AtomicFile(target)  # a second writer to the same target keeps the first's file
    assert live.path.exists() and second.path.exists()
    live.path.write_bytes(b"first")
    second.path.write_bytes(b"second")
    live.commit()
    second.commit()
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.mp4.tmp-dead1234.mp4", "out.mp4"]


def test_a_stale_temp_folder_of_a_frame_sequence_is_removed(tmp_path):
    stale = tmp_path / ".frames.tmp-dead1234"
    stale.mkdir()
    (stale / "00001.png").write_bytes(b"half")
    with VideoWriter(tmp_path / "frames" / "%05d.png", width=32, height=32, frame_rate=5) as w:
        w.write(np.zeros((32, 32, 3), np.uint8), 0.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == ["00001.png"]


_HOLDER = """
import sys, time
from restyle.media.atomic import AtomicFile
held = AtomicFile(sys.argv[1])
print(held.path, flush=True)
time.sleep(600)
"""


def test_a_temp_file_is_swept_only_once_its_writer_is_gone(tmp_path):
    """A real second process holds a temporary file; SIGKILL it and the next writer cleans up."""
    target = tmp_path / "out.png"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        held = Path(holder.stdout.readline().strip())
        assert held.exists()
        assert sweep_stale(tmp_path, target.name, ".png") == 0 and held.exists()
        AtomicFile(target).abort()  # another writer to the same place: the held file stays
        assert held.exists()
    finally:
        holder.kill()
        holder.wait()
    assert held.exists()  # SIGKILL: nothing could clean up
    AtomicFile(target).abort()
    assert list(tmp_path.iterdir()) == []


_DROPPED = """
import gc, sys
from restyle.media.atomic import AtomicFile
held = AtomicFile(sys.argv[1])
loop = [held]
loop.append(loop)  # a reference cycle, as an exception's traceback makes one
print(held.path, flush=True)
del held, loop
gc.freeze()  # no collection visits it again, the one at shutdown included
"""


def test_a_temp_file_left_in_a_reference_cycle_is_removed_at_exit(tmp_path):
    """No finalizer runs for an object in a cycle the collector never visits; the process's
    exit still removes the temporary output it holds."""
    done = subprocess.run(
        [sys.executable, "-c", _DROPPED, str(tmp_path / "out.mp4")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert ".out.mp4.tmp-" in done.stdout
    assert list(tmp_path.iterdir()) == []


_SCRATCH = """
import sys, time
from restyle.media.atomic import ScratchFolder
with ScratchFolder("work", sys.argv[1]) as folder:
    (folder / "half.mp4").write_bytes(b"a piece half painted")
    print(folder, flush=True)
    time.sleep(600)
"""


def test_a_working_folder_a_killed_process_left_is_removed_by_the_next(tmp_path):
    """A worker SIGKILLed mid-piece leaves its working folder; the next one of that name
    removes it (and never a live worker's), and its own goes when its block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _SCRATCH, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        held = Path(holder.stdout.readline().strip())
        assert (held / "half.mp4").exists() and held.name.startswith(".work.tmp-")
        with ScratchFolder("work", tmp_path) as mine:  # the holder still runs: kept
            assert held.exists() and mine.is_dir() and mine != held
        assert not mine.exists()
    finally:
        holder.kill()
        holder.wait()
    assert held.exists()  # SIGKILL: nothing could clean up
    with ScratchFolder("work", tmp_path) as mine:
        assert not held.exists()
        (mine / "piece.mp4").write_bytes(b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_working_folder_swept_away_before_it_is_locked_is_made_again(tmp_path, monkeypatch):
    """Another worker's sweep can take a folder between its making and its lock: a new one
    is made, with no error."""
    made: list[str] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs) -> str:
        path = real(*args, **kwargs)
        if not made:
            os.rmdir(path)  # the sweep of another worker, at the worst moment
        made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    with ScratchFolder("work", tmp_path) as folder:
        assert folder.is_dir() and str(folder) == made[1]
    assert len(made) == 2 and list(tmp_path.iterdir()) == []


# -- signals --------------------------------------------------------------------------------------


@needs_command
@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP"), (signal.SIGINT, 130, "")],
)
@pytest.mark.slow
def test_a_signal_mid_render_stops_cleanly(tmp_path, clip, signum, code, word):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("was here before")
    proc = start(["video", str(clip), "-s", "builtin:3", "-o", str(out / "painted.mp4")])
    wait_for_temp(out, proc)
    proc.send_signal(signum)
    returncode, line = finish(proc)
    assert returncode == code
    assert word in line and ("interrupted" in line or "stopped" in line)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


@needs_command
@pytest.mark.slow
def test_a_stale_temp_file_is_removed_by_the_next_render(tmp_path, clip):
    """SIGKILL leaves the temporary file; the next render to that output removes it."""
    out = tmp_path / "out"
    out.mkdir()
    proc = start(["video", str(clip), "-s", "builtin:3", "-o", str(out / "painted.mp4")])
    stale = wait_for_temp(out, proc)
    proc.kill()
    proc.wait()
    assert stale.exists()
    args = ["video", str(clip), "-s", "builtin:3", "--duration", "0.4"]
    done = subprocess.run(
        [RESTYLE, *args, "-o", str(out / "painted.mp4")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["painted.mp4"]


# -- a full disk, a folder that vanishes or loses its permission -----------------------------------


def _limit_file_size(limit: int):
    """preexec_fn: the child may write no file larger than `limit` bytes (EFBIG after that).

    CPython ignores SIGXFSZ, so the write fails with an error instead of killing it.
    """

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@needs_command
@pytest.mark.parametrize("name", ["painted.mp4", "frames/%04d.png", "image.png"])
@pytest.mark.slow
def test_a_file_size_limit_mid_write_is_one_line_and_exit_2(tmp_path, clip, name):
    """RLIMIT_FSIZE makes the kernel refuse the write past 4 kB (EFBIG), as a full disk would."""
    out = tmp_path / "out"
    out.mkdir()
    if name == "image.png":
        args = ["grid", "--content", str(clip.parent / "still.png"), "-s", "builtin:1"]
        _still(clip.parent / "still.png")
        args += ["--cell", "256", "-o", str(out / name)]
    else:
        args = ["video", str(clip), "-s", "builtin:3", "--crf", "0", "-o", str(out / name)]
    proc = start(args, preexec_fn=_limit_file_size(4_000))
    returncode, line = finish(proc)
    assert returncode == 2 and "nothing was written" in line, line
    assert list(out.iterdir()) == []


def _still(path: Path) -> None:
    if not path.exists():
        Image.fromarray(synthetic_photo(240, 320)).save(path)


def _can_mount_tmpfs() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null"],
        capture_output=True,
    )
    return probe.returncode == 0


@needs_command
@pytest.mark.skipif(
    not _can_mount_tmpfs(), reason="needs `unshare -rm` (user namespaces) to mount a small tmpfs"
)
@pytest.mark.parametrize("name", ["painted.mp4"])
@pytest.mark.slow
def test_a_full_disk_is_one_line_and_exit_2(tmp_path, clip, name):
    """A real ENOSPC: a 160 kB tmpfs mounted in a private mount namespace over the folder."""
    out = tmp_path / "small"
    out.mkdir()
    script = (
        'mount -t tmpfs -o size=160k tmpfs "$1" && shift && "$@"; code=$?; ls -A "$OUT"; exit $code'
    )
    args = ["video", str(clip), "-s", "builtin:3", "--crf", "0", "-o", str(out / name)]
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(out), RESTYLE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "OUT": str(out)},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "no space left" in done.stderr
    assert done.stdout.strip() == ""  # what the tmpfs held after the run: nothing


@needs_command
@pytest.mark.parametrize(("how", "name"), [("deleted", "painted.mp4"), ("renamed", "painted.mkv")])
@pytest.mark.slow
def test_an_output_folder_that_goes_away_mid_write(tmp_path, clip, how, name):
    """.mp4 fails as FFmpeg reopens the file to move its index; .mkv when it is renamed."""
    out = tmp_path / "out"
    out.mkdir()
    proc = start(["video", str(clip), "-s", "builtin:3", "-o", str(out / name)])
    wait_for_temp(out, proc)
    if how == "deleted":
        shutil.rmtree(out)
    else:
        out.rename(tmp_path / "moved")
    returncode, line = finish(proc)
    assert returncode == 2 and "moved or deleted" in line, line
    left = [p.name for p in tmp_path.rglob("*")]
    assert left == ([] if how == "deleted" else ["moved"]), left


def _drop_root_privileges() -> None:
    """preexec_fn: as root, give up the capabilities that bypass file permissions.

    Drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the bounding set, so the
    child, still uid 0, is held to a folder's mode like any user (and still owns the folder).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for cap in (1, 2, 3):
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@needs_command
@pytest.mark.parametrize("name", ["painted.mkv"])
@pytest.mark.slow
def test_an_output_folder_that_loses_write_permission_mid_write(tmp_path, clip, name):
    """chmod 555 on the folder while painting: one line, exit 2, nothing left, mode kept."""
    out = tmp_path / "out"
    out.mkdir()
    as_root = os.geteuid() == 0
    proc = start(
        ["video", str(clip), "-s", "builtin:3", "-o", str(out / name)],
        preexec_fn=_drop_root_privileges if as_root else None,
    )
    wait_for_temp(out, proc)
    out.chmod(0o555)
    try:
        returncode, line = finish(proc)
        assert returncode == 2 and "permission denied" in line, line
        assert list(out.iterdir()) == []
        assert out.stat().st_mode & 0o777 == 0o555  # the folder's mode is as the user left it
    finally:
        out.chmod(0o755)


def test_writer_errors_are_output_errors(tmp_path, monkeypatch):
    """The lowest write call PyAV makes fails with ENOSPC: an OutputError, nothing left."""
    import av

    writer = VideoWriter(tmp_path / "out.mp4", width=64, height=48, frame_rate=25)

    def full(*_a, **_k):
        raise av.error.OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "_container", type("C", (), {"mux": full, "close": full})())
    writer.write(np.zeros((48, 64, 3), np.uint8), 0.0)
    with pytest.raises(OutputError, match="no space left"):
        writer.write(np.zeros((48, 64, 3), np.uint8), 0.04)
    assert list(tmp_path.iterdir()) == []


def test_an_atomic_folder_in_a_vanished_parent(tmp_path):
    target = tmp_path / "a" / "frames"
    target.parent.mkdir()
    folder = AtomicFolder(target)
    shutil.rmtree(target.parent)
    with pytest.raises(OutputError, match="moved or deleted"):
        folder.commit()
