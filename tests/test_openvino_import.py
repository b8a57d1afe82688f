"""OpenVINO is imported with its usage telemetry off: no event sent, no process forked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from restyle.models.openvino import openvino_available

pytestmark = pytest.mark.skipif(not openvino_available(), reason="OpenVINO is not installed")

# counts the processes multiprocessing starts while restyle imports OpenVINO and a moment
# after (openvino's own import sends its event from a worker thread by forking one)
_PROBE = """
import multiprocessing, sys, time
started = []
start = multiprocessing.Process.start
multiprocessing.Process.start = lambda self: (started.append(1), start(self))[1]
from restyle.models.openvino import import_openvino, openvino_available
assert openvino_available()
import_openvino()
time.sleep(1.0)
print(len(started), sys.modules.get("openvino_telemetry", "absent"))
"""


def test_importing_openvino_forks_nothing_and_sends_nothing(tmp_path):
    """In a fresh home with no consent file and no CI variables, where a plain ``import
    openvino`` forks a process to send an event (2026-12-07, OpenVINO 2026.4), restyle's
    import starts no process and leaves the telemetry package unimportable."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TF_BUILD", "JENKINS_URL")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "None"]
    assert not (tmp_path / "intel").exists()  # no client id or statistics written
