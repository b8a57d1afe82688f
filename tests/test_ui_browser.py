"""The web page end to end: a real ``restyle ui`` driven in headless Chromium as a person would.

Needs the ``[ui]`` extra (Gradio), Playwright (``[dev]``) and the system's Chromium.
Where one is missing the tests skip, saying which, except under ``.ci/run``, which installs
them all and sets ``RESTYLE_REQUIRE_BROWSER=1``: there a missing piece fails the run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import av
import pytest

from support.image_factory import synthetic_painting
from support.media_factory import make_not_a_video, make_video
from support.ui_harness import browser, missing_for_browser_test, page_server  # noqa: E402

pytestmark = pytest.mark.slow

if missing := missing_for_browser_test():
    if os.environ.get("RESTYLE_REQUIRE_BROWSER"):
        raise RuntimeError(f"the browser test cannot run: {missing}")
    pytest.skip(missing, allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
TABS = {
    "Picture": "picture",
    "Video": "video",
    "Style video": "style-video",
    "Evaluate": "evaluate",
}
WAIT_MS = 180_000  # a render on two shared cores


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A small clip with sound, a longer one to cancel, a style image and a text 'video'."""
    from PIL import Image

    d = tmp_path_factory.mktemp("media")
    style = d / "style.png"
    Image.fromarray(synthetic_painting(96, 128, "warm")).save(style)
    return {
        "clip": make_video(d / "clip.mp4", width=160, height=96, frames=12, audio=True),
        "long": make_video(d / "long.mp4", width=320, height=192, frames=240, audio=True),
        "style": style,
        "text": make_not_a_video(d / "notes.mp4"),
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One page server for the module; its temp root is checked after it stops."""
    tmp = tmp_path_factory.mktemp("server")
    with page_server(tmp) as server:
        yield server
    assert server.process.returncode is not None
    assert not server.root.exists(), "the server's temp folder outlived it"


@pytest.fixture(scope="module")
def page(served):
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        tab.goto(served.url)
        tab.wait_for_selector("#picture-paint")
        yield tab
        context.close()


def _open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    page.wait_for_timeout(300)


def _upload(page, elem_id: str, path: Path) -> None:
    """Put a file into an upload widget as a person's file chooser would, and wait for it."""
    page.locator(f"#{elem_id} input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "id => !document.querySelector('#' + id + ' .uploading')", arg=elem_id, timeout=60_000
    )
    page.wait_for_timeout(500)


def _result_files(root: Path) -> list[Path]:
    """Painted outputs and half-written temporaries anywhere in the server's folder."""
    found = list(root.glob("sessions/*/out/*"))
    found += [p for p in root.rglob("*") if ".tmp-" in p.name]
    return found


def test_render_plays_in_the_page_and_downloads_an_mp4(page, media, tmp_path):
    _open_tab(page, "Video")
    _upload(page, "video-input", media["clip"])
    _upload(page, "video-style-files", media["style"])
    page.click("#video-render")
    video = page.wait_for_selector("#video-result video[src]", timeout=WAIT_MS)
    state = page.wait_for_function(
        "v => v.readyState >= 1 && v.duration > 0 ? [v.readyState, v.duration] : null",
        arg=video,
        timeout=60_000,
    ).json_value()
    assert state[0] >= 1 and state[1] > 0
    assert "12 frames" in page.inner_text("#video-status")
    link = page.wait_for_selector("#video-download a[href]")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    saved = tmp_path / "download.mp4"
    saved.write_bytes(response.body())
    with av.open(str(saved)) as container:
        assert container.format.name.startswith("mov,mp4")
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 12


def test_a_text_file_as_the_video_shows_the_error_and_the_server_stays_up(page, media, served):
    _open_tab(page, "Video")
    page.locator("#video-input button[aria-label='Clear']").first.click()
    _upload(page, "video-input", media["text"])
    page.click("#video-render")
    toast = page.wait_for_selector("text=is not a video restyle can read", timeout=60_000)
    assert toast.is_visible()
    assert "Traceback" not in page.content()
    assert served.process.poll() is None
    assert page.request.get(served.url).ok


def test_cancel_stops_the_render_and_leaves_no_file(page, media, served):
    _open_tab(page, "Video")
    clear = page.locator("#video-input button[aria-label='Clear']")
    if clear.count():
        clear.first.click()
    _upload(page, "video-input", media["long"])
    before = set(_result_files(served.root))  # the earlier test's finished render
    page.click("#video-render")
    page.wait_for_selector("text=/painting: \\d+\\/240 frames/", timeout=WAIT_MS)
    page.click("#video-cancel")
    page.wait_for_selector("#video-status >> text=Cancelled", timeout=30_000)
    deadline = time.monotonic() + 30
    while set(_result_files(served.root)) - before and time.monotonic() < deadline:
        time.sleep(0.5)
    assert set(_result_files(served.root)) == before
    assert page.inner_html("#video-result").count("<video") == 0


# what each tab's screenshot shows: its example loaded, then one button pressed
SHOW = {
    "picture": ("#picture-paint", "#picture-result img"),
    "video": (None, "#video-input video"),
    "style-video": ("#style-video-show", "#style-video-keyframes img"),
    "evaluate": ("#evaluate-measure", "#evaluate-table >> text=warp error"),
}


def test_screenshots_of_every_tab(page, tmp_path):
    """Each tab works on its example; its screenshot goes to docs/ (RESTYLE_SCREENSHOTS=1)."""
    from PIL import Image

    folder = REPO / "docs" if os.environ.get("RESTYLE_SCREENSHOTS") else tmp_path
    folder.mkdir(exist_ok=True)
    for name, slug in TABS.items():
        _open_tab(page, name)
        page.locator(f"#{slug}-examples img, #{slug}-examples video").first.click()
        page.wait_for_timeout(1000)
        button, shown = SHOW[slug]
        if button:
            page.click(button)
        page.wait_for_selector(shown, timeout=WAIT_MS)
        page.wait_for_timeout(1000)
        path = folder / f"ui-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        with Image.open(path) as shot:
            assert shot.width >= 1000 and shot.height >= 600
            small = shot.convert("RGB").quantize(colors=128)
        small.save(path, optimize=True)
