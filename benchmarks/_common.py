"""Shared helpers for benchmarks: the media folder, timing, and table/JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEDIA = Path(os.environ.get("RESTYLE_MEDIA", REPO.parent / "shared" / "media"))
RESULTS = REPO / "benchmarks" / "results"


def need_media(*names: str) -> list[Path]:
    """Paths of real media files, or exit with a message when the media folder is absent."""
    paths = [MEDIA / n for n in names]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        sys.exit(f"benchmark needs {', '.join(map(str, missing))} (set RESTYLE_MEDIA)")
    return paths


def time_ms(fn: Callable[[], object], repeat: int = 10, warmup: int = 2) -> dict[str, float]:
    """Median, min and max wall time of ``fn`` in milliseconds after warm-up runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return {
        "median_ms": statistics.median(samples),
        "min_ms": min(samples),
        "max_ms": max(samples),
    }


def time_alternating(
    calls: dict[str, Callable[[], object]], repeat: int = 10, warmup: int = 2
) -> dict[str, dict[str, float]]:
    """Like :func:`time_ms` for several calls, run in turn each round (fair on a busy machine)."""
    for _ in range(warmup):
        for fn in calls.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000.0)
    return {
        name: {"median_ms": statistics.median(s), "min_ms": min(s), "max_ms": max(s)}
        for name, s in samples.items()
    }


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    from restyle.models.openvino import import_openvino
    from restyle.models.session import import_onnxruntime

    onnxruntime = import_onnxruntime()

    try:
        openvino_version = import_openvino().__version__
    except ImportError:
        openvino_version = None
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "openvino": openvino_version,
    }


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    """Print rows as an aligned plain-text table."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, r in enumerate(cells):
        print(
            "  ".join(
                c.rjust(w) if n and i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def write_json(name: str, data: dict) -> Path:
    """Write results to benchmarks/results/NAME.json and print where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=2))
    print(f"\nJSON: {path}")
    return path
