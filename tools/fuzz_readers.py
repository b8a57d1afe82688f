"""The readers' fuzz campaign: many damaged images and videos, every outcome counted.

Each case takes a seed (the tests' own media: tests/support/fuzz_media.py), damages it (truncate,
flip bits, keep only the header, zero or repeat a stretch) with random parameters, and
opens it as restyle does (a video is also written again with its audio). The only allowed
outcomes are a valid result or a RestyleError; anything else (another exception, a frame of
the wrong size, a case running past --timeout seconds) is a finding, saved under
benchmarks/results/fuzz-findings/ with its parameters so it can be replayed.

    python tools/fuzz_readers.py --cases 20000 --seed 1

Prints a table (cases and outcomes per seed file and mutation) and writes JSON to
benchmarks/results/fuzz_readers.json.
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # benchmarks._common; tests/support

from benchmarks._common import RESULTS, print_table, write_json  # noqa: E402
from support.fuzz_media import MUTATIONS, check, make_seeds, mutate, write_case  # noqa: E402


class _Timeout(BaseException):
    pass


def _alarm(_signum, _frame):
    raise _Timeout()


def main() -> None:
    """Run the campaign and report it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000, help="damaged files to try (5000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--timeout", type=int, default=20, help="seconds per case (20)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    findings_dir = RESULTS / "fuzz-findings"
    counts: dict[tuple[str, str], collections.Counter] = collections.defaultdict(
        collections.Counter
    )
    findings: list[dict[str, object]] = []
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeds = make_seeds(folder / "seeds")
        names = sorted(seeds)
        for case in range(args.cases):
            name = names[int(rng.integers(len(names)))]
            kind = MUTATIONS[int(rng.integers(len(MUTATIONS)))]
            a, b = float(rng.random()), float(rng.random())
            count = int(rng.integers(1, 65))
            data = mutate(seeds[name], kind, a, b, count)
            path = write_case(folder, name, data)
            signal.alarm(args.timeout)
            try:
                outcome = check(name, path, folder)
            except _Timeout:
                outcome = "finding"
                detail = f"ran past {args.timeout} s"
            except BaseException as exc:  # noqa: BLE001 - every other outcome is a finding
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome = "finding"
                detail = "".join(traceback.format_exception_only(exc)).strip()
                detail += "\n" + "".join(traceback.format_tb(exc.__traceback__)[-3:])
            finally:
                signal.alarm(0)
            counts[(name, kind)][outcome] += 1
            if outcome == "finding":
                findings_dir.mkdir(parents=True, exist_ok=True)
                saved = findings_dir / f"{case:06d}-{name}"
                saved.write_bytes(data)
                findings.append(
                    {
                        "case": case,
                        "seed_file": name,
                        "mutation": kind,
                        "a": a,
                        "b": b,
                        "count": count,
                        "file": str(saved),
                        "detail": detail,
                    }
                )
                print(f"finding {case}: {name} {kind} -> {detail.splitlines()[0]}", flush=True)
    seconds = time.perf_counter() - started
    rows = []
    for (name, kind), c in sorted(counts.items()):
        rows.append([name, kind, sum(c.values()), c["ok"], c["error"], c["finding"]])
    total = collections.Counter()
    for c in counts.values():
        total.update(c)
    rows.append(["all", "all", sum(total.values()), total["ok"], total["error"], total["finding"]])
    headers = ["seed file", "mutation", "cases", "valid result", "RestyleError", "findings"]
    print_table(headers, rows)
    print(f"{args.cases} cases in {seconds:.0f} s (seed {args.seed}); findings: {len(findings)}")
    write_json(
        "fuzz_readers",
        {
            "cases": args.cases,
            "seed": args.seed,
            "seconds": round(seconds, 1),
            "table": [
                dict(
                    zip(
                        ("seed_file", "mutation", "cases", "ok", "error", "findings"),
                        r,
                        strict=True,
                    )
                )
                for r in rows
            ],
            "findings": findings,
        },
    )


if __name__ == "__main__":
    main()
