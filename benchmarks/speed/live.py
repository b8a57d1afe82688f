"""The Live tab in real time: painted fps, camera-to-screen delay, style switch, memory.

Drives the real page (``restyle.ui.start`` in this process) in headless Chromium whose
webcam is a Y4M clip (``--use-file-for-fake-video-capture``): a held-out clip from
../shared/media scaled to 320x240, or the tests' moving shapes where the folder is absent.
Everything is measured from timestamps, on one machine's clock:

- in the browser, when each camera frame was captured (the page's JPEG encode of it) and
  when each painted frame was put on screen (its ``<img>`` changing), with their sizes;
- in the server, for each painted frame, when its camera frame arrived, when it was
  painted and when it was sent, with the same sizes, which pair them up.

It reports the painted frames per second on screen, the delay from capture to screen
(and its parts: upload, painting, encoding, download), the time from a style click to
the first frame in the new style on screen (and to the end of the hand-over), errors,
and the server's RSS after warm-up and at the end.

Usage: python -m benchmarks live [--seconds 60] [--clip sintel_mountain_2.mp4] [--wait 1.0]
Needs the [ui] extra, Playwright and Chromium.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from bisect import bisect_left, bisect_right
from pathlib import Path

import cv2
import numpy as np

from benchmarks._common import MEDIA, REPO, print_table, write_json

sys.path.insert(0, str(REPO / "tests"))
from support.live_camera import camera_flags, make_y4m, start_camera  # noqa: E402
from support.ui_harness import CHROMIUM, CHROMIUM_FLAGS, free_port  # noqa: E402

SIZE = (320, 240)
FPS = 25
WARMUP = 8.0  # seconds of streaming before measuring (network load, first frames)
SWITCH_TO = 3  # the built-in style clicked half-way

WATCH = """
() => {
  window.__captures = []; window.__shown = [];
  const encode = HTMLCanvasElement.prototype.toDataURL;
  HTMLCanvasElement.prototype.toDataURL = function (...args) {
    const url = encode.apply(this, args);
    if (String(args[0]).includes('jpeg')) window.__captures.push([Date.now(), url.length]);
    return url;
  };
  const seen = new WeakSet();
  const watch = () => {
    const img = document.querySelector('#live-painted img');
    if (!img || seen.has(img)) return;
    seen.add(img);
    const note = () => window.__shown.push([Date.now(), img.src.length]);
    new MutationObserver(note).observe(img, {attributes: true, attributeFilter: ['src']});
    note();
  };
  new MutationObserver(watch).observe(document, {childList: true, subtree: true});
}
"""


def rss_mb() -> float:
    """This process's resident memory in MB (the server runs in it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def camera_clip(folder: Path, name: str) -> tuple[Path, str]:
    """A 320x240 Y4M of a held-out clip (10 s), or of the tests' moving shapes."""
    clip = MEDIA / name
    frames: list[np.ndarray] = []
    if clip.is_file():
        from restyle.media import open_video

        with open_video(clip) as reader:
            for frame in reader:
                frames.append(cv2.resize(frame.image, SIZE, interpolation=cv2.INTER_AREA))
                if len(frames) >= 10 * FPS:
                    break
        what = f"{name} scaled to {SIZE[0]}x{SIZE[1]}"
    else:
        from support.media_factory import shapes_frame

        frames = [shapes_frame(i, *SIZE) for i in range(10 * FPS)]
        what = "moving shapes (no media folder)"
    return make_y4m(folder / "camera.y4m", frames, FPS), what


def pair(records, captures, shown) -> list[dict]:
    """Each painted frame's capture, arrival, painting, sending and showing times (ms)."""
    cap_t = [c[0] for c in captures]
    shown_t = [s[0] for s in shown]
    rows = []
    for r in records:
        arrived, sent = r.arrived * 1000, r.sent * 1000
        i = bisect_right(cap_t, arrived + 5) - 1
        while i >= 0 and captures[i][1] != r.in_bytes:
            i -= 1
        j = bisect_left(shown_t, sent - 5)
        while j < len(shown) and shown[j][1] != r.out_bytes:
            j += 1
        if i < 0 or j >= len(shown) or arrived - captures[i][0] > 2000:
            continue
        rows.append(
            {
                "captured": captures[i][0],
                "arrived": arrived,
                "painted": r.painted * 1000,
                "sent": sent,
                "shown": shown[j][0],
                "style": r.style,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds (60)")
    parser.add_argument("--clip", default="sintel_mountain_2.mp4", help="held-out style clip")
    parser.add_argument(
        "--wait",
        type=float,
        default=None,
        help="seconds a frame's call waits for a newer painting (the tab's default)",
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]

    from playwright.sync_api import sync_playwright

    from restyle.ui import start
    from restyle.ui.live import LiveTab

    with tempfile.TemporaryDirectory() as tmp:
        y4m, what = camera_clip(Path(tmp), args.clip)
        server = start(port=free_port(), parent=tmp)
        try:
            (tab,) = list(LiveTab.instances)
            if args.wait is not None:
                tab.wait = args.wait
            with sync_playwright() as p:
                chromium = p.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_FLAGS + camera_flags(y4m),
                )
                context = chromium.new_context(viewport={"width": 1200, "height": 1000})
                context.add_init_script(f"({WATCH})()")
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(server.url)
                page.wait_for_selector("#picture-paint")
                started = time.time()
                start_camera(page)
                page.wait_for_function(
                    "() => window.__shown.length > 2 && document.querySelector("
                    "'#live-painted img')",
                    timeout=120_000,
                )
                first = time.time() - started
                page.wait_for_timeout(WARMUP * 1000)
                rss_start = rss_mb()
                t0 = time.time() * 1000
                page.wait_for_timeout(args.seconds * 500)
                clicked = time.time() * 1000
                page.locator("#live-gallery .thumbnail-item").nth(SWITCH_TO).click()
                page.wait_for_timeout(args.seconds * 500)
                t1 = time.time() * 1000
                rss_end = rss_mb()
                toasts = page.locator(".toast-body.error").count()
                stats_line = page.inner_text("#live-stats")
                captures = page.evaluate("window.__captures")
                shown = page.evaluate("window.__shown")
                records = tab.records()  # before the tab closes and its session goes
                chromium.close()
        finally:
            server.stop()

    shown_in = [s for s in shown if t0 <= s[0] <= t1]
    rows = [r for r in pair(records, captures, shown) if t0 <= r["shown"] <= t1]
    fps = (len(shown_in) - 1) / ((shown_in[-1][0] - shown_in[0][0]) / 1000) if shown_in else 0.0
    captured_fps = len([c for c in captures if t0 <= c[0] <= t1]) / ((t1 - t0) / 1000)

    def med(key_a: str, key_b: str) -> float:
        return statistics.median(r[key_b] - r[key_a] for r in rows) if rows else float("nan")

    delays = sorted(r["shown"] - r["captured"] for r in rows)
    p90 = delays[int(0.9 * (len(delays) - 1))] if delays else float("nan")
    new_style = f"builtin:{SWITCH_TO}"
    after = [r for r in rows if r["captured"] >= clicked - 1000]
    begun = next((r["shown"] for r in after if new_style in r["style"]), None)
    pure = next((r["shown"] for r in after if r["style"] == new_style), None)
    switch = None if begun is None else (begun - clicked) / 1000
    settled = None if pure is None else (pure - clicked) / 1000
    table = [
        ["painted fps on screen", fps, ">= 12"],
        ["camera frames sent fps", captured_fps, ""],
        ["delay capture -> screen, median (ms)", delays and statistics.median(delays), "< 300"],
        ["delay capture -> screen, p90 (ms)", p90, ""],
        ["  upload: capture -> server (ms)", med("captured", "arrived"), ""],
        ["  painting: arrival -> painted (ms)", med("arrived", "painted"), ""],
        ["  encoding: painted -> sent (ms)", med("painted", "sent"), ""],
        ["  download: sent -> screen (ms)", med("sent", "shown"), ""],
        ["style switch: click -> new style on screen (s)", switch, "< 1"],
        ["style switch: click -> hand-over done (s)", settled, ""],
        ["first painted frame after start (s)", first, ""],
        ["errors (page, toasts)", len(errors) + toasts, "0"],
        ["server RSS after warm-up (MB)", rss_start, ""],
        ["server RSS at the end (MB)", rss_end, "flat"],
    ]
    print(
        f"\ncamera: {what}, {FPS} fps; {args.seconds:g} s measured after {WARMUP:g} s; "
        f"load average {load:.2f} at start; {len(rows)} painted frames paired"
    )
    print(f"page's line at the end: {stats_line.strip()}")
    print_table(
        ["measure", "value", "target"], [[a, "-" if b is None else b, c] for a, b, c in table]
    )
    write_json(
        "live",
        {
            "camera": what,
            "seconds": args.seconds,
            "load_average": load,
            "wait": tab.wait,
            "fps": fps,
            "camera_fps": captured_fps,
            "delay_ms_median": statistics.median(delays) if delays else None,
            "delay_ms_p90": p90,
            "upload_ms": med("captured", "arrived"),
            "painting_ms": med("arrived", "painted"),
            "encoding_ms": med("painted", "sent"),
            "download_ms": med("sent", "shown"),
            "style_switch_s": switch,
            "style_settled_s": settled,
            "first_frame_s": first,
            "errors": errors,
            "error_toasts": toasts,
            "rss_mb_start": rss_start,
            "rss_mb_end": rss_end,
            "page_line": stats_line.strip(),
        },
    )


if __name__ == "__main__":
    main()
