"""Long videos from the page: rendered in resumable pieces kept in the renders folder, resumed
after a cancel or a killed server, through the page's handlers and through gradio_client."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import restyle
from restyle.errors import InputError, RestyleError
from restyle.rendering.manifest import load_manifest
from restyle.ui import jobs
from restyle.ui.handlers import Handlers
from restyle.ui.renders import Renders
from restyle.ui.uploads import Limits
from restyle.ui.workspace import Workspace
from support.chunk_checks import video_of
from support.engines import EXACT
from support.image_factory import synthetic_painting
from support.media_factory import make_video

pytest.importorskip("gradio", reason="the [ui] extra is not installed")

pytestmark = pytest.mark.slow

LOSSLESS = {"crf": 0, "device": "cpu", **EXACT}
SERVER_FLAGS = ["--crf", "0", "--device", "cpu", "--backend", EXACT["backend"],
                "--precision", EXACT["precision"]]  # fmt: skip


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    clip = make_video(folder / "clip.mp4", width=96, height=64, frames=75, fps=25, audio=True)
    style = folder / "style.png"
    Image.fromarray(synthetic_painting(64, 64)).save(style)
    one = folder / "one.mp4"
    restyle.stylize_video(clip, one, str(style), temporal="flow", **LOSSLESS)
    return clip, style, video_of(one)


def assert_same(reference: dict, path: str | Path) -> None:
    got = video_of(path)
    assert len(got["pts"]) == len(reference["pts"]) == 75
    assert got["pts"] == reference["pts"] and got["audio"] == reference["audio"]
    # lossless: the frames are the painted ones. The flow filter's sharpness control steers
    # its weight from the frames before, so a piece whose warm-up begins later than frame 0
    # may differ by a level on a few pixels (a known limit, see the report of issue 23)
    pairs = zip(reference["images"], got["images"], strict=True)
    diff = [np.abs(a.astype(int) - b).mean() for a, b in pairs]
    assert max(diff) <= 0.01, diff


def upload(ws: Workspace, path: Path) -> str:
    folder = ws.uploads / f"upload{len(list(ws.uploads.iterdir()))}"
    folder.mkdir()
    target = folder / path.name
    target.write_bytes(path.read_bytes())
    return str(target)


def options() -> dict:
    return jobs.video_options(
        strength=1.0, preserve_color=False, temporal="flow", sharpness=0.855, start=None,
        duration=None, side_by_side=False,
    )  # fmt: skip


def test_a_long_video_renders_in_pieces_and_resumes_after_a_cancel(media, tmp_path):
    clip, style, reference = media
    ws = Workspace(tmp_path)
    renders = Renders(tmp_path / "renders", chunk_seconds=1.0)
    h = Handlers(ws, Limits(max_seconds=1), renders, LOSSLESS)
    session = ws.session("tab")
    lines: list[str] = []
    planned = h.plan_video(session, upload(ws, clip), [upload(ws, style)], [], options())
    assert planned.long is not None
    render_id = planned.long.id
    pieces = planned.long.pieces
    failed: dict = {}

    def run() -> None:
        try:
            h.run_planned(session, planned, lambda d, t, text: lines.append(text))
        except RestyleError as exc:
            failed["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stored = load_manifest(pieces)
        if stored and any(c["state"] == "done" for c in stored["chunks"]):
            break
        time.sleep(0.05)
    h.cancel(session)
    thread.join(120)
    assert "pieces are kept" in str(failed["error"])
    assert any(re.match(r"painting: \d/3 pieces, \d+/75 frames", t) for t in lines), lines
    # this browser is offered it; another id list is not
    (label, listed), *rest = h.unfinished([render_id, "0" * 32])
    assert listed == render_id and not rest and "pieces" in label
    assert h.unfinished(["f" * 32]) == []
    done = h.resume(ws.session("tab"), render_id)
    assert re.search(r"3 pieces, [12] reused from an earlier run", done.summary), done.summary
    assert_same(reference, done.path)
    assert not renders.folder_of(render_id).exists()  # finished: its folder is gone
    (renders.root / "mine.txt").write_text("the user's")
    renders.expire(0)
    assert (renders.root / "mine.txt").read_text() == "the user's"
    ws.close()


def test_the_same_video_submitted_again_resumes_and_a_discard_deletes(media, tmp_path):
    clip, style, _ = media
    ws = Workspace(tmp_path)
    renders = Renders(tmp_path / "renders", chunk_seconds=1.0)
    h = Handlers(ws, Limits(max_seconds=1), renders, LOSSLESS)
    first = h.plan_video(ws.session("a"), upload(ws, clip), [upload(ws, style)], [], options())
    again = h.plan_video(ws.session("b"), upload(ws, clip), [upload(ws, style)], [], options())
    assert first.long and again.long and first.long.id == again.long.id
    other = h.plan_video(ws.session("b"), upload(ws, clip), [], ["builtin:3"], options())
    assert other.long and other.long.id != first.long.id
    (first.long.folder / "notes.txt").write_text("kept")
    h.discard(first.long.id)
    assert sorted(p.name for p in first.long.folder.iterdir()) == ["notes.txt"]
    with pytest.raises(InputError, match="no longer here"):
        h.resume(ws.session("a"), first.long.id)
    with pytest.raises(InputError, match="not a render id"):
        h.resume(ws.session("a"), "../../etc")
    ws.close()


def test_gradio_client_renders_a_long_video_in_pieces(media, tmp_path):
    from gradio_client import Client, handle_file

    from restyle.ui import start
    from support.ui_harness import free_port

    clip, style, reference = media
    server = start(
        port=free_port(), parent=tmp_path, max_seconds=1, renders=tmp_path / "renders",
        chunk_seconds=1.0, job_options=LOSSLESS,
    )  # fmt: skip
    try:
        client = Client(server.url, verbose=False)
        video = client.predict(
            handle_file(str(clip)), handle_file(str(style)), 0.855, api_name="/stylize_video"
        )
        assert_same(reference, video)
        assert not list((tmp_path / "renders").glob("restyle-render-*"))
    finally:
        server.stop()


def test_a_killed_server_resumes_the_render_and_reuses_its_pieces(media, tmp_path):
    from gradio_client import Client, handle_file

    from support.ui_harness import page_server

    clip, style, reference = media
    renders = tmp_path / "renders"
    flags = ["--max-seconds", "1", "--renders", str(renders), "--chunk-seconds", "1", *SERVER_FLAGS]
    with page_server(tmp_path, *flags) as server:
        client = Client(server.url, verbose=False)
        job = client.submit(
            handle_file(str(clip)), handle_file(str(style)), 0.855, api_name="/stylize_video"
        )
        deadline = time.monotonic() + 180
        done = 0
        while time.monotonic() < deadline and not done:
            for folder in renders.glob("restyle-render-*"):
                stored = load_manifest(folder / "pieces")
                done = sum(c["state"] == "done" for c in (stored or {}).get("chunks", []))
            time.sleep(0.05)
        assert done >= 1 and server.process.poll() is None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        assert not job.done() or job.exception() is not None  # the server died under it
    (folder,) = renders.glob("restyle-render-*")
    stored = load_manifest(folder / "pieces")
    kept = sum(c["state"] == "done" for c in stored["chunks"])
    assert 1 <= kept < 3
    with page_server(tmp_path, *flags) as server:
        client = Client(server.url, verbose=False)
        video = client.predict(
            handle_file(str(clip)), handle_file(str(style)), 0.855, api_name="/stylize_video"
        )
        assert_same(reference, video)
        log = server.log.read_text()
    assert f"3 pieces, {kept} reused from an earlier run" in log, log
    assert not folder.exists()
