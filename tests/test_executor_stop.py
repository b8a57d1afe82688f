"""Stopping a local pool whose worker died halfway through sending a result lets the
interpreter exit (it used to hang there, joining the pool's manager thread)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, struct, sys, time
    from concurrent.futures import ProcessPoolExecutor

    from restyle.rendering.executors import _stop

    def half_a_result():
        # what a worker killed while it sent its result leaves: a message cut short
        frame = sys._getframe(1)
        while "result_queue" not in frame.f_locals:
            frame = frame.f_back
        frame.f_locals["result_queue"]._writer._send(struct.pack("!i", 100000) + b"x" * 10)
        time.sleep(60)

    if __name__ == "__main__":
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(half_a_result)
        time.sleep(2)
        manager = pool._executor_manager_thread
        _stop(pool)
        manager.join(timeout=10)
        print("manager stopped" if not manager.is_alive() else "manager still waiting")
    """
)


def test_a_pool_stopped_after_half_a_result_lets_the_process_exit(tmp_path: Path):
    """The manager thread of a stopped pool ends though a worker left half a message."""
    script = tmp_path / "half_a_result.py"
    script.write_text(SCRIPT)
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=90, cwd=root
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "manager stopped" in run.stdout, (run.stdout, run.stderr[-2000:])
