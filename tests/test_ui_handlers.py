"""The page's handlers in process (no browser, no Gradio): uploads, jobs, results, cleanup."""

from __future__ import annotations

import threading
from pathlib import Path

import av
import pytest
from PIL import Image

import restyle.api
from restyle.cli import build_parser, video_job
from restyle.errors import InputError
from restyle.media.reader import open_video
from restyle.ui import jobs
from restyle.ui.handlers import Handlers
from restyle.ui.uploads import Limits, checked_image, checked_video
from restyle.ui.workspace import Workspace
from support.image_factory import synthetic_painting, synthetic_photo
from support.media_factory import make_audio_only, make_not_a_video, make_video


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace(tmp_path)
    yield ws
    ws.close()


def upload(ws: Workspace, name: str, data: bytes | Path) -> Path:
    """Put a file where Gradio puts an upload: a folder of its own under the root."""
    folder = ws.uploads / f"upload{len(list(ws.uploads.iterdir()))}"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data.read_bytes() if isinstance(data, Path) else data)
    return path


@pytest.fixture
def clip(tmp_path):
    return make_video(tmp_path / "clip.mp4", width=96, height=64, frames=8, audio=True)


@pytest.fixture
def style_png(tmp_path):
    path = tmp_path / "style.png"
    Image.fromarray(synthetic_painting(64, 64, "cool")).save(path)
    return path


def test_uploads_are_judged_by_content_and_renamed(workspace, tmp_path, clip, style_png):
    session = workspace.session("tab")
    limits = Limits()
    # a PNG named .jpg and a video named .txt pass, under names restyle chose
    image = checked_image(
        upload(workspace, "holiday.jpg", style_png), workspace, session, limits, "style image"
    )
    assert image.name == "style-image-1.png" and image.parent == session.folder / "in"
    video = checked_video(upload(workspace, "x.txt", clip), workspace, session, limits)
    assert video.suffix == ".mp4" and "x.txt" not in str(video)
    # text named .png or .mp4, a sound file: refused with one line each
    with pytest.raises(InputError, match="not an image"):
        checked_image(upload(workspace, "a.png", b"hello\n" * 40), workspace, session, limits)
    not_video = upload(workspace, "b.mp4", make_not_a_video(tmp_path / "b.mp4"))
    with pytest.raises(InputError, match="not a video restyle can read"):
        checked_video(not_video, workspace, session, limits)
    sound = upload(workspace, "c.mp4", make_audio_only(tmp_path / "c.m4a"))
    with pytest.raises(InputError, match="no picture"):
        checked_video(sound, workspace, session, limits)


def test_nothing_outside_the_workspace_is_opened(workspace, style_png):
    session = workspace.session("tab")
    with pytest.raises(InputError, match="not uploaded to this page"):
        checked_image(style_png, workspace, session, Limits())
    with pytest.raises(InputError, match="not uploaded to this page"):
        checked_image(workspace.root / ".." / style_png.name, workspace, session, Limits())


def test_upload_limits_say_what_to_do(workspace, clip):
    session = workspace.session("tab")
    path = upload(workspace, "clip.mp4", clip)
    with pytest.raises(InputError, match=r"up to 0 MB \(restyle ui --max-upload-mb\)"):
        checked_video(path, workspace, session, Limits(max_bytes=100))
    with pytest.raises(InputError, match="--max-seconds"):
        checked_video(path, workspace, session, Limits(max_seconds=0.1))
    # the limit is on the part painted: a short Duration passes
    checked_video(path, workspace, session, Limits(max_seconds=0.1), duration=0.08)


def test_the_video_tab_builds_the_job_the_cli_builds(workspace, clip):
    flags = ["--strength", "0.6", "--preserve-color", "--sharpness", "0.9", "--start", "0.04"]
    flags += ["--duration", "0.2", "--side-by-side", "-s", "builtin:4", "-s", "builtin:7"]
    flags += ["--strokes", "stick", "--model", "steady"]
    cli = video_job(build_parser().parse_args(["video", str(clip), *flags]))
    options = jobs.video_options(
        strength=0.6,
        preserve_color=True,
        temporal="flow",
        sharpness=0.9,
        start=0.04,
        duration=0.2,
        side_by_side=True,
        stick=True,
        model="steady",
    )
    session = workspace.session("tab")
    page = Handlers(workspace).video_job(
        session, upload(workspace, "c.mp4", clip), [], ["builtin:4", "builtin:7"], options
    )
    assert Path(page.source).parent == session.folder / "in"  # the page's own copy
    assert page.replace(source=cli.source, output=cli.output) == cli
    # the sliders at their defaults are the flags not given
    defaults = jobs.video_options(
        strength=1.0,
        preserve_color=False,
        temporal="flow",
        sharpness=0.855,
        start=0,
        duration=None,
        side_by_side=False,
    )
    plain = Handlers(workspace).video_job(session, str(page.source), [], ["builtin:4"], defaults)
    cli = video_job(build_parser().parse_args(["video", str(clip), "-s", "builtin:4"]))
    assert plain.replace(source=cli.source, output=cli.output) == cli


def test_the_style_video_tab_builds_the_job_the_cli_builds(workspace, clip, tmp_path):
    film = make_video(tmp_path / "film.mp4", width=64, height=64, frames=10)
    flags = ["--style-video", str(film), "--keyframes", "3", "--keyframe-method", "uniform"]
    flags += ["--transition", "follow", "--easing", "cosine", "--hold", "0.5"]
    cli = video_job(build_parser().parse_args(["video", str(clip), *flags]))
    options = jobs.video_options(
        strength=1.0,
        preserve_color=False,
        temporal="flow",
        sharpness=0.855,
        start=None,
        duration=None,
        side_by_side=False,
    )
    options.update(
        jobs.style_video_options(
            keyframes=3, keyframe_method="uniform", transition="follow", easing="cosine", hold=0.5
        )
    )
    page = Handlers(workspace).style_video_job(
        workspace.session("tab"),
        upload(workspace, "c.mp4", clip),
        upload(workspace, "f.mp4", film),
        options,
    )
    assert page.replace(source=cli.source, output=cli.output, style_video=str(film)) == cli


@pytest.mark.slow
def test_render_writes_a_playable_mp4_and_cancel_leaves_nothing(workspace, clip):
    handlers = Handlers(workspace)
    session = workspace.session("tab")
    source = upload(workspace, "clip.mp4", clip)
    options = jobs.video_options(
        strength=1.0,
        preserve_color=False,
        temporal="flow",
        sharpness=0.855,
        start=None,
        duration=None,
        side_by_side=True,
    )
    seen: list[str] = []
    done = handlers.render_video(
        session, source, [], ["builtin:2"], options, lambda d, t, text: seen.append(text)
    )
    assert done.path.parent == session.folder / "out" and done.path.suffix == ".mp4"
    with open_video(done.path) as reader:
        assert (reader.info.width, reader.info.height) == (192, 64)
        assert reader.info.has_audio and sum(1 for _ in reader) == 8
    assert "8 frames" in done.summary and seen[-1].startswith("painting: 8/8 frames")
    assert seen[0].startswith("starting") and "frames/s" in seen[1]

    def cancel_soon(done: int, total: int, text: str) -> None:
        if done == 2:
            threading.Thread(target=handlers.cancel, args=(session,)).start()

    before = set((session.folder / "out").iterdir())
    with pytest.raises(restyle.Cancelled):
        handlers.render_video(session, source, [], ["builtin:2"], options, cancel_soon)
    assert set((session.folder / "out").iterdir()) == before


def test_ending_a_session_deletes_its_uploads_and_results(workspace, style_png, tmp_path):
    handlers = Handlers(workspace)
    session = workspace.session("tab")
    photo = tmp_path / "photo.png"
    Image.fromarray(synthetic_photo(48, 64)).save(photo)
    content = upload(workspace, "photo.png", photo)
    style = upload(workspace, "style.png", style_png)
    done = handlers.paint_picture(session, str(content), [str(style)], [], 0.8, False)
    assert done.path.exists() and Image.open(done.path).size == (64, 48)
    other = workspace.session("another tab")
    workspace.end_session("tab")
    assert not done.path.exists() and not content.exists() and not style.exists()
    assert not session.folder.exists() and other is workspace.session("another tab")
    workspace.close()
    assert not workspace.root.exists()


def test_evaluate_gives_the_table_and_a_flicker_series(workspace, tmp_path, clip):
    painted = tmp_path / "painted.mp4"
    restyle.stylize_video(clip, painted, "builtin:1", temporal="none")
    handlers = Handlers(workspace)
    session = workspace.session("tab")
    rows, series = handlers.evaluate(
        session,
        str(upload(workspace, "s.mp4", clip)),
        str(upload(workspace, "p.mp4", painted)),
        None,
        [],
    )
    assert [r[0] for r in rows][:2] == ["frames", "warp error"]
    assert rows[0][1] == "8"
    assert set(series["series"]) <= {"stylized", "source (floor)"}
    assert len(series["frame"]) == len(series["warp error"]) > 0
    assert min(series["frame"]) >= 1  # the first frame has no previous one to warp


def test_an_odd_sized_video_comes_back_as_webm_at_its_own_size(workspace, tmp_path):
    """Browsers do not play H.264 4:4:4, the only H.264 for odd sizes: the page writes VP9."""
    handlers = Handlers(workspace)
    session = workspace.session("tab")
    odd = make_video(tmp_path / "odd.mp4", width=97, height=63, frames=6)
    source = upload(workspace, "odd.mp4", odd)
    options = jobs.video_options(
        strength=1.0, preserve_color=False, temporal="none", sharpness=0.855,
        start=None, duration=None, side_by_side=False,
    )  # fmt: skip
    done = handlers.render_video(session, source, [], ["builtin:2"], options, None)
    assert done.path.suffix == ".webm"
    with open_video(done.path) as reader:
        assert (reader.info.width, reader.info.height) == (97, 63)
        assert sum(1 for _ in reader) == 6
    with av.open(str(done.path)) as container:
        assert container.streams.video[0].codec_context.name == "vp9"
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"
