"""A Ray cluster on this machine (ray.cluster_utils.Cluster): a node lost mid-render costs
only its pieces, and the output is complete.

The head has no CPU to give, so the pieces run on one worker node. The test waits for that
node to finish a piece, lets it begin the next one, and removes it: the piece it was painting
is lost, Ray retries it, and it waits until a new node joins, as when a cloud replaces a
preempted machine.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import restyle
from support.chunk_checks import NTSC, video_of
from support.engines import EXACT
from support.media_factory import make_video

pytestmark = pytest.mark.slow

ray = pytest.importorskip("ray", reason="the [ray] extra is not installed (.ci/run installs it)")


@pytest.fixture
def cluster():
    from ray.cluster_utils import Cluster

    made = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    lost = made.add_node(num_cpus=1)
    ray.init(address=made.address, log_to_driver=False)
    made.wait_for_nodes()
    yield made, lost
    ray.shutdown()
    made.shutdown()


def test_a_node_removed_mid_render_still_gives_the_whole_video(cluster, tmp_path: Path):
    made, lost = cluster
    clip = make_video(tmp_path / "clip.mp4", width=192, height=128, frames=60, fps=NTSC, audio=True)
    out = tmp_path / "out.mp4"
    events = []
    result = {}

    def render() -> None:
        result["value"] = restyle.stylize_video(
            clip, out, "builtin:2", chunk_seconds=1.0, executor="ray", device="cpu",
            on_progress=events.append, **EXACT,
        )  # fmt: skip

    thread = threading.Thread(target=render)
    thread.start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(e.pieces_done for e in events):
        time.sleep(0.02)
    # the second piece (30 frames after 30 of warm-up) has begun: it takes about 1.5 s here
    time.sleep(0.4)
    assert thread.is_alive(), "the render ended before the node could be removed"
    made.remove_node(lost)  # its raylet and workers die with the piece they hold
    made.add_node(num_cpus=1)  # the piece Ray retries waits for this one
    seen = len(events)
    thread.join(timeout=300)
    assert not thread.is_alive()
    done = result["value"]
    assert done.frames == 60 and done.chunks == 2
    video = video_of(out)
    assert len(video["pts"]) == 60 and video["pts"] == sorted(set(video["pts"]))
    assert len(ray.nodes()) == 3 and sum(n["Alive"] for n in ray.nodes()) == 2
    # the lost node was painting a piece: Ray ran it again, and the result says so
    assert done.retried == 1
    assert any("painted again" in w for w in done.warnings)
    # frames were still counted as they came after the loss (the progress did not stop)
    assert any(e.stage == "render" and 30 < e.done < 60 for e in events[seen:])
