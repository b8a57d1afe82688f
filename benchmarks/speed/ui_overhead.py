"""What the web page costs over the command line, on the same clip and options.

Drives a real ``restyle ui`` in headless Chromium (as the browser test does) and runs
``restyle video`` on the same clip, alternating, and reports:

- the time from pressing Render to the first progress update in the page (first render:
  the networks load; later renders: warm);
- the render's fps as the pipeline measures it (frames over the painting's own time), in
  the page and in the CLI: the page's cost inside the render (progress updates, threads);
- frames over the whole wall time: the page from the click to the result playing, the CLI
  from starting the command to its exit (so the CLI pays its interpreter start-up and model
  load every run; the page's server has them loaded).

Usage: python -m benchmarks ui_overhead [--clip NAME] [--repeat 3]
Needs ../shared/media (sintel_mountain_2.mp4 by default), the [ui] extra and Chromium.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import REPO, need_media, print_table, write_json

sys.path.insert(0, str(REPO / "tests"))
from support.ui_harness import browser, page_server  # noqa: E402

STYLE = "builtin:19"  # the page's default built-in style


def cli_run(clip: Path, out: Path) -> dict:
    """One ``restyle video`` run: wall seconds, pipeline fps and frames."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "restyle", "video", str(clip), "-s", STYLE, "-o", str(out)]
        + ["--json", "-q"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    result = json.loads(done.stdout)
    return {"wall": wall, "fps": result["fps"], "frames": result["frames"]}


def page_run(page) -> dict:
    """One press of Render in the Video tab: latency to progress, wall time, pipeline fps."""
    old = page.evaluate(
        "() => { const v = document.querySelector('#video-result video');"
        " return [document.querySelector('#video-status').innerText, v ? v.src : ''] }"
    )
    started = time.perf_counter()
    page.click("#video-render")
    page.wait_for_selector("text=/starting: |painting: /", timeout=300_000)
    first = time.perf_counter() - started
    page.wait_for_selector("text=/painting: \\d+\\/\\d+ frames/", timeout=300_000)
    first_frame = time.perf_counter() - started
    page.wait_for_function(
        "([text, src]) => { const v = document.querySelector('#video-result video');"
        " const s = document.querySelector('#video-status').innerText;"
        " return v && v.src !== src && v.readyState >= 1 && v.duration > 0"
        " && s !== text && / fps/.test(s); }",
        arg=old,
        timeout=600_000,
        polling=50,
    )
    wall = time.perf_counter() - started
    status = page.inner_text("#video-status")
    match = re.search(r"(\d+) frames, .* at ([\d.]+) fps", status)
    if not match:
        raise RuntimeError(f"no summary in the page: {status!r}")
    return {
        "first": first,
        "first_frame": first_frame,
        "wall": wall,
        "fps": float(match[2]),
        "frames": int(match[1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default="sintel_mountain_2.mp4")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    (clip,) = need_media(args.clip)
    page_runs, cli_runs = [], []
    with tempfile.TemporaryDirectory() as tmp, page_server(Path(tmp)) as server, browser() as b:
        page = b.new_context(viewport={"width": 1200, "height": 900}).new_page()
        page.goto(server.url)
        page.get_by_role("tab", name="Video", exact=True).click()
        page.locator("#video-input input[type=file]").set_input_files(str(clip))
        page.wait_for_function("!document.querySelector('#video-input .uploading')")
        page.wait_for_timeout(500)
        cold = page_run(page)  # the networks load in the server on its first render
        for n in range(args.repeat):  # alternate, so both see the same machine load
            cli_runs.append(cli_run(clip, Path(tmp) / f"cli-{n}.mp4"))
            page_runs.append(page_run(page))
    frames = page_runs[0]["frames"]
    page_fps = statistics.median(r["fps"] for r in page_runs)
    cli_fps = statistics.median(r["fps"] for r in cli_runs)
    page_wall = statistics.median(r["wall"] for r in page_runs)
    cli_wall = statistics.median(r["wall"] for r in cli_runs)
    first_warm = statistics.median(r["first"] for r in page_runs)
    frame_warm = statistics.median(r["first_frame"] for r in page_runs)
    rows = [
        ["Render -> first progress, first render (s)", round(cold["first"], 2), "", ""],
        ["Render -> first progress, warm (s)", round(first_warm, 2), "", ""],
        ["Render -> first frame counted, first render (s)", round(cold["first_frame"], 2), "", ""],
        ["Render -> first frame counted, warm (s)", round(frame_warm, 2), "", ""],
        ["pipeline fps", page_fps, cli_fps, f"{100 * (1 - page_fps / cli_fps):+.1f} %"],
        [
            "frames / wall s (page: click to playing; CLI: whole command)",
            frames / page_wall,
            frames / cli_wall,
            f"{100 * (1 - (frames / page_wall) / (frames / cli_wall)):+.1f} %",
        ],
    ]
    print(
        f"\n{args.clip}: {frames} frames, style {STYLE}, medians of {args.repeat} alternating runs"
    )
    print_table(["measure", "page", "CLI", "page cost"], rows)
    write_json(
        "ui_overhead",
        {
            "clip": args.clip,
            "style": STYLE,
            "frames": frames,
            "cold": cold,
            "page": page_runs,
            "cli": cli_runs,
            "page_fps_median": page_fps,
            "cli_fps_median": cli_fps,
            "page_cost_fps": 1 - page_fps / cli_fps,
            "first_progress_warm_median": first_warm,
            "first_frame_warm_median": frame_warm,
        },
    )


if __name__ == "__main__":
    main()
