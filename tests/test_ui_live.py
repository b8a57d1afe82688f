"""The Live tab end to end: Chromium's fake camera (a Y4M the test makes) painted as it streams.

Needs the ``[ui]`` extra, Playwright and the system's Chromium; skips without them, except
under ``RESTYLE_REQUIRE_BROWSER=1`` (CI), where a missing piece fails the run.
"""

from __future__ import annotations

import base64
import os

import av
import cv2
import numpy as np
import pytest

from restyle.live.painter import HANDOVER
from support.live_camera import camera_flags, make_y4m, painted_source, start_camera
from support.media_factory import shapes_frame
from support.ui_harness import CHROMIUM, CHROMIUM_FLAGS, missing_for_browser_test, page_server

pytestmark = pytest.mark.slow

if missing := missing_for_browser_test():
    if os.environ.get("RESTYLE_REQUIRE_BROWSER"):
        raise RuntimeError(f"the browser test cannot run: {missing}")
    pytest.skip(missing, allow_module_level=True)

WAIT_MS = 120_000


def _decode(url: str) -> np.ndarray:
    data = np.frombuffer(base64.b64decode(url.split(",", 1)[1]), np.uint8)
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(int)


def _next_painted(page, previous: str) -> str:
    page.wait_for_function(
        "(old) => { const i = document.querySelector('#live-painted img');"
        " return i && i.src.startsWith('data:image') && i.src !== old; }",
        arg=previous,
        timeout=WAIT_MS,
    )
    return painted_source(page)


def test_live_tab_paints_the_camera_switches_style_and_records(tmp_path):
    from playwright.sync_api import sync_playwright

    frames = [shapes_frame(i, 320, 240) for i in range(50)]
    y4m = make_y4m(tmp_path / "camera.y4m", frames, fps=25)
    camera = [f.astype(int) for f in frames] + [f[:, ::-1].astype(int) for f in frames]
    with page_server(tmp_path) as server, sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS + camera_flags(y4m)
        )
        try:
            page = chromium.new_context(viewport={"width": 1200, "height": 1000}).new_page()
            page.goto(server.url)
            page.wait_for_selector("#picture-paint")
            start_camera(page)

            # painted frames arrive, keep coming, and are not the camera's frames
            seen = [_next_painted(page, "")]
            for _ in range(4):
                seen.append(_next_painted(page, seen[-1]))
            for url in seen:
                image = _decode(url)
                assert image.shape == (240, 320, 3)
                assert min(np.abs(image - c).mean() for c in camera) > 10
            page.wait_for_function(
                "() => / fps, delay \\d+ ms/.test(document.querySelector('#live-stats').innerText)",
                timeout=WAIT_MS,
            )

            # a style switch (a thumbnail click) changes the painting within a second or two
            before = np.mean([_decode(u).mean(axis=(0, 1)) for u in seen[-3:]], axis=0)
            page.locator("#live-gallery .thumbnail-item").nth(3).click()
            page.wait_for_function(
                "() => /style builtin:3(,|$)/.test("
                "document.querySelector('#live-stats').innerText)",
                timeout=WAIT_MS,
            )
            # the painting moves to the new style over HANDOVER seconds, and the flicker
            # filter's history follows a few frames later: sample it once that is over
            page.wait_for_timeout(3000 * HANDOVER)
            after_urls = [_next_painted(page, painted_source(page))]
            for _ in range(2):
                after_urls.append(_next_painted(page, after_urls[-1]))
            after = np.mean([_decode(u).mean(axis=(0, 1)) for u in after_urls], axis=0)
            assert np.abs(after - before).max() > 5, (before, after)

            # record the painted stream: an H.264 yuv420p file the page offers
            page.click("#live-record")
            page.wait_for_selector("#live-status :text('Recording')", timeout=WAIT_MS)
            page.wait_for_timeout(2000)
            page.click("#live-record")
            page.wait_for_selector("#live-download a", timeout=WAIT_MS)
            assert "Recorded" in page.inner_text("#live-status")
            recorded = sorted(server.root.rglob("live-*.mp4"))
            assert recorded, "no recording in the workspace"
            with av.open(str(recorded[-1])) as c:
                stream = c.streams.video[0]
                assert stream.codec_context.name == "h264" and stream.pix_fmt == "yuv420p"
                assert (stream.width, stream.height) == (320, 240)
                assert sum(1 for _ in c.decode(video=0)) >= 3
            errors = page.locator(".toast-body.error").count()
            assert errors == 0
        finally:
            chromium.close()
    assert "unexpected error" not in server.log.read_text()
