"""A two-node Ray cluster on this machine (ray.cluster_utils.Cluster): a node lost mid-render
costs only its pieces, and the output is complete."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import restyle
from chunk_checks import NTSC, video_of
from engines import EXACT
from media_factory import make_video

ray = pytest.importorskip("ray", reason="the [ray] extra is not installed (.ci/run installs it)")


@pytest.fixture
def cluster():
    from ray.cluster_utils import Cluster

    made = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    worker = made.add_node(num_cpus=1)
    ray.init(address=made.address, log_to_driver=False)
    made.wait_for_nodes()
    yield made, worker
    ray.shutdown()
    made.shutdown()


def test_a_node_removed_mid_render_still_gives_the_whole_video(cluster, tmp_path: Path, capfd):
    made, worker = cluster
    clip = make_video(tmp_path / "clip.mp4", width=96, height=64, frames=60, fps=NTSC, audio=True)
    out = tmp_path / "out.mp4"
    events = []
    result = {}

    def render() -> None:
        result["value"] = restyle.stylize_video(
            clip, out, "builtin:2", chunk_seconds=0.25, executor="ray", device="cpu",
            on_progress=events.append, **EXACT,
        )  # fmt: skip

    thread = threading.Thread(target=render)
    thread.start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(
        e.stage == "render" and e.done >= 8 for e in events
    ):
        time.sleep(0.05)
    assert thread.is_alive(), "the render ended before the node could be removed"
    made.remove_node(worker)  # its raylet and workers die with the pieces they hold
    thread.join(timeout=300)
    assert not thread.is_alive()
    done = result["value"]
    assert done.frames == 60 and done.chunks == 9
    video = video_of(out)
    assert len(video["pts"]) == 60 and video["pts"] == sorted(set(video["pts"]))
    assert len(ray.nodes()) == 2 and sum(n["Alive"] for n in ray.nodes()) == 1
    # the lost node held a piece: Ray says it ran that task again (so this test tests that)
    assert "will be retried" in capfd.readouterr().out
