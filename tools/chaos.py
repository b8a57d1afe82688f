"""The chunked renderer's chaos campaign: renders killed at random moments, resumed, compared.

Each run is one chunked render (``restyle video ... --chunk-seconds``) of a tiny clip with
audio that the campaign draws itself, on the local executor (2 worker processes) or on Ray
(a ``ray.cluster_utils.Cluster`` on this machine: a head without CPUs and two one-CPU worker
nodes). At a random moment of the render one thing is killed with SIGKILL:

- ``worker``: one of the local executor's worker processes (the driver paints its piece again);
- ``node``: a Ray worker node (``remove_node``, not graceful; a fresh node joins in its place);
- ``driver``: the ``restyle video`` process itself (local or Ray), with no clean-up.

Whenever the command fails it is run again, unchanged, until it succeeds (a resume). Every
final output is then compared with a one-shot render of the same job, lossless (crf 0 is
exact RGB): frame count, timestamps, frame rate, audio packets and every frame's pixels.
A kill that came after the render had already finished is counted as missed.

    python tools/chaos.py --runs 24 --seed 1 --minutes 20

Prints a table (runs, kills by kind, resumes, mismatches per executor and kind) and writes
JSON to benchmarks/results/chaos.json. Stops starting runs after ``--minutes``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # benchmarks._common; tests/support

from benchmarks._common import print_table, write_json  # noqa: E402
from support.media_factory import make_video  # noqa: E402

NTSC = Fraction(30000, 1001)
STYLE = "builtin:5"
CHUNK_SECONDS = "0.5"
# lossless and exact across thread counts: a chunked render must equal the one-shot one
OPTIONS = ["--style", STYLE, "--temporal", "flow", "--crf", "0", "--max-size", "none",
           "--device", "cpu", "--backend", "onnxruntime", "--precision", "float"]  # fmt: skip
KINDS = [("local", "worker"), ("local", "driver"), ("ray", "node"), ("ray", "driver")]
ATTEMPTS = 6  # runs of the same command before a run counts as failed
RUN_TIMEOUT = 240.0  # seconds one attempt may take


def descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` (children, theirs, ...), read from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                text = Path(f"/proc/{current}/task/{tid}/children").read_text()
            except OSError:
                continue
            for child in text.split():
                found.append(int(child))
                todo.append(int(child))
    return found


def cmdline(pid: int) -> str:
    """A process's command line, '' when it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def local_workers(pid: int) -> list[int]:
    """The local executor's worker processes under a driver (not the resource tracker)."""
    return [p for p in descendants(pid) if "spawn_main" in cmdline(p)]


class RayCluster:
    """A head without CPUs and two one-CPU worker nodes on this machine; nodes replaced."""

    def __init__(self) -> None:
        from ray.cluster_utils import Cluster

        small = {"object_store_memory": 80 * 1024 * 1024}
        self.node_args = {"num_cpus": 1, **small}
        self.cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, **small})
        self.workers = [self.cluster.add_node(**self.node_args) for _ in range(2)]
        self.cluster.wait_for_nodes()
        self.address = self.cluster.address

    def kill_node(self, rng: random.Random) -> None:
        """Remove a random worker node at once (its raylet and workers die) and add a fresh one."""
        node = self.workers.pop(rng.randrange(len(self.workers)))
        self.cluster.remove_node(node, allow_graceful=False)
        self.workers.append(self.cluster.add_node(wait=False, **self.node_args))

    def shutdown(self) -> None:
        """Stop every node."""
        self.cluster.shutdown()


def command(clip: Path, out: Path, executor: str, address: str | None) -> list[str]:
    """The ``restyle video`` command of one run (the same for every resume)."""
    argv = [sys.executable, "-m", "restyle", "video", str(clip), "-o", str(out), *OPTIONS,
            "--chunk-seconds", CHUNK_SECONDS, "--json", "-q"]  # fmt: skip
    if executor == "local":
        return [*argv, "--workers", "2"]
    return [*argv, "--executor", "ray", "--ray-address", address or "auto"]


def attempt(argv: list[str], log: Path, kill_at: float | None, kill) -> dict:
    """Run the command once; at ``kill_at`` seconds call ``kill(proc)``. What happened."""
    started = time.monotonic()
    seen: set[int] = set()
    killed = None
    out_path = log.with_suffix(".out")
    # stdout to a file, not a pipe: a killed driver's orphaned workers would hold a pipe open
    with log.open("a") as err, out_path.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, start_new_session=True)
        while proc.poll() is None:
            time.sleep(0.02)
            seen.update(local_workers(proc.pid))
            now = time.monotonic() - started
            if kill_at is not None and killed is None and now >= kill_at:
                killed = kill(proc)
            if now > RUN_TIMEOUT:
                proc.kill()
                proc.wait()
                killed = killed or "timeout"
    stdout = out_path.read_text()
    for pid in seen:  # a killed driver's orphaned workers: stop them (by pid, ours only)
        if "spawn_main" in cmdline(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    report = None
    if proc.returncode == 0:
        start = stdout.find("{\n")  # Ray may print lines of its own around the summary
        try:
            report, _ = json.JSONDecoder().raw_decode(stdout[start:]) if start >= 0 else (None, 0)
        except ValueError:
            report = None
    return {
        "rc": proc.returncode,
        "killed": killed,
        "seconds": round(time.monotonic() - started, 2),
        "report": report,
    }


def compare(reference: dict, path: Path) -> list[str]:
    """What differs between a one-shot render and a run's output (empty: identical)."""
    from support.chunk_checks import video_of

    if not path.is_file():
        return ["no output"]
    try:
        got = video_of(path)
    except Exception as exc:  # noqa: BLE001 - an unreadable output is a mismatch
        return [f"unreadable output: {exc}"]
    problems = []
    if len(got["pts"]) != len(reference["pts"]):
        problems.append(f"{len(got['pts'])} frames, not {len(reference['pts'])}")
    elif got["pts"] != reference["pts"]:
        problems.append("timestamps differ")
    for key in ("rate", "time_base", "rotation"):
        if got[key] != reference[key]:
            problems.append(f"{key} {got[key]} != {reference[key]}")
    if got["audio"] != reference["audio"]:
        problems.append(f"audio: {len(got['audio'])} packets vs {len(reference['audio'])}")
    pairs = zip(reference["images"], got["images"], strict=False)
    differing = sum(1 for a, b in pairs if a.shape != b.shape or (a != b).any())
    if differing:
        problems.append(f"{differing} frames differ")
    return problems


def main() -> None:
    """Run the campaign and report it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=24, help="killed renders to run (24)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--minutes", type=float, default=30.0, help="start no run after (30)")
    parser.add_argument(
        "--kinds",
        default=",".join(f"{e}:{k}" for e, k in KINDS),
        help="executor:kill pairs to mix (default: all four)",
    )
    args = parser.parse_args()
    kinds = [tuple(k.split(":")) for k in args.kinds.split(",")]
    rng = random.Random(args.seed)
    started = time.monotonic()
    runs: list[dict] = []
    cluster: RayCluster | None = None
    with tempfile.TemporaryDirectory(prefix="restyle-chaos-") as tmp:
        folder = Path(tmp)
        clip = make_video(
            folder / "clip.mp4", width=160, height=96, frames=60, fps=NTSC, audio=True
        )
        from support.chunk_checks import video_of

        one = folder / "one.mp4"
        subprocess.run(
            [sys.executable, "-m", "restyle", "video", str(clip), "-o", str(one), *OPTIONS, "-q"],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        reference = video_of(one)
        try:
            if any(e == "ray" for e, _ in kinds):
                cluster = RayCluster()
            address = cluster.address if cluster else None
            # how long an undisturbed render takes on each executor: the kills fall within it
            lasts = {}
            for executor in sorted({e for e, _ in kinds}):
                out = folder / f"calibrate-{executor}.mp4"
                done = attempt(command(clip, out, executor, address), folder / "log", None, None)
                lasts[executor] = done["seconds"]
                problems = compare(reference, out) if done["rc"] == 0 else ["failed"]
                print(f"calibration {executor}: {done['seconds']:.1f} s, {problems or 'same'}")
            order: list[tuple[str, str]] = []
            for n in range(args.runs):
                if n % len(kinds) == 0:
                    order += rng.sample(kinds, len(kinds))
                executor, kind = order[n]
                if time.monotonic() - started > args.minutes * 60:
                    print(f"time is up after {n} runs")
                    break
                runs.append(
                    one_run(n, executor, kind, clip, folder, address, lasts, reference, rng,
                            cluster)  # fmt: skip
                )
        finally:
            if cluster is not None:
                cluster.shutdown()
    report(runs, args, time.monotonic() - started)


def one_run(n, executor, kind, clip, folder, address, lasts, reference, rng, cluster) -> dict:
    """One killed run, resumed until it succeeds, then compared."""
    out = folder / f"run-{n:03d}.mp4"
    argv = command(clip, out, executor, address)
    log = folder / f"run-{n:03d}.log"
    kill_at = rng.uniform(0.05, 1.0) * lasts[executor]

    def kill(proc: subprocess.Popen) -> str | None:
        if proc.poll() is not None:
            return None
        if kind == "driver":
            proc.send_signal(signal.SIGKILL)
            return "driver"
        if kind == "worker":
            workers = local_workers(proc.pid)
            if not workers:
                return None
            os.kill(rng.choice(workers), signal.SIGKILL)
            return "worker"
        cluster.kill_node(rng)
        return "node"

    attempts = [attempt(argv, log, kill_at, kill)]
    partial = out.exists() and attempts[0]["rc"] != 0  # an output must appear only complete
    while attempts[-1]["rc"] != 0 and len(attempts) < ATTEMPTS:
        attempts.append(attempt(argv, log, None, None))
    final = attempts[-1]
    problems = compare(reference, out) if final["rc"] == 0 else ["never finished"]
    if partial:
        problems.append("an output appeared before the render finished")
    workdir = out.with_name(f".{out.name}.restyle-chunks")
    if final["rc"] == 0 and workdir.exists():
        problems.append("the work folder was left behind")
    killed = attempts[0]["killed"]
    summary = {
        "run": n,
        "executor": executor,
        "kind": kind,
        "kill_at": round(kill_at, 2),
        "killed": killed,
        "resumes": len(attempts) - 1,
        "reused": (final["report"] or {}).get("reused"),
        "retried": (final["report"] or {}).get("retried"),
        "seconds": round(sum(a["seconds"] for a in attempts), 1),
        "problems": problems,
    }
    if problems:
        summary["log"] = log.read_text()[-4000:]
    state = "MISMATCH " + "; ".join(problems) if problems else "same"
    print(
        f"run {n:3d} {executor:5s} {kind:6s} kill at {kill_at:5.2f} s: "
        f"{killed or 'missed':7s} resumes {len(attempts) - 1} reused {summary['reused']} "
        f"retried {summary['retried']} -> {state}",
        flush=True,
    )
    out.unlink(missing_ok=True)
    return summary


def report(runs: list[dict], args: argparse.Namespace, seconds: float) -> None:
    """Print the table and write the JSON."""
    groups: dict[tuple[str, str], list[dict]] = collections.defaultdict(list)
    for r in runs:
        groups[(r["executor"], r["kind"])].append(r)
    rows = []
    for (executor, kind), rs in sorted(groups.items()) + [(("all", "all"), runs)]:
        killed = [r for r in rs if r["killed"] not in (None, "timeout")]
        rows.append([
            executor, kind, len(rs), len(killed), len(rs) - len(killed),
            sum(r["resumes"] for r in rs), sum(r["reused"] or 0 for r in rs),
            sum(r["retried"] or 0 for r in rs), sum(bool(r["problems"]) for r in rs),
        ])  # fmt: skip
    headers = ["executor", "kill", "runs", "killed", "missed", "resumes", "reused pieces",
               "retried pieces", "mismatches"]  # fmt: skip
    print_table(headers, rows)
    kills = collections.Counter(r["killed"] for r in runs if r["killed"])
    print(
        f"{len(runs)} runs in {seconds:.0f} s (seed {args.seed}); kills: "
        + ", ".join(f"{k} {v}" for k, v in sorted(kills.items()))
    )
    write_json(
        "chaos",
        {
            "runs": len(runs),
            "seed": args.seed,
            "seconds": round(seconds, 1),
            "kills": dict(kills),
            "table": [dict(zip(headers, r, strict=True)) for r in rows],
            "details": runs,
        },
    )


if __name__ == "__main__":
    main()
