"""Chunked rendering on Ray (a local Ray, ray.init(num_cpus=2)): the one-shot video, pieces
through the object store, faults as one line."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import restyle
from restyle.cli import main
from restyle.errors import InputError
from restyle.job import VideoJob
from restyle.rendering import ray_executor
from restyle.rendering.chunked import work_folder
from support.chunk_checks import OPTIONS, STYLE, assert_same_video, make_clip, paint_one_shot

pytestmark = pytest.mark.slow

ray = pytest.importorskip("ray", reason="the [ray] extra is not installed (.ci/run installs it)")



@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_clip(tmp_path_factory.mktemp("ray"))


@pytest.fixture(scope="module")
def one_shot(clip, tmp_path_factory) -> Path:
    return paint_one_shot(clip, tmp_path_factory.mktemp("one"))


def test_chunked_on_ray_is_the_one_shot_video_and_ships_no_paths(
    local_ray, clip, one_shot, tmp_path, monkeypatch
):
    shipped = []
    run = ray_executor.RayExecutor.run

    def record(self, tasks, *args):
        shipped.extend(tasks)
        return run(self, tasks, *args)

    monkeypatch.setattr(ray_executor.RayExecutor, "run", record)
    puts = []
    real_put = ray.put

    def put(value, *args, **kwargs):
        puts.append(type(value).__name__)
        return real_put(value, *args, **kwargs)

    monkeypatch.setattr(ray, "put", put)
    out = tmp_path / "ray.mp4"
    seen = []
    result = restyle.stylize_video(
        clip, out, STYLE, chunk_seconds=0.45, executor="ray", on_progress=seen.append, **OPTIONS
    )
    assert result.chunks == 3 and result.reused == 0
    assert_same_video(one_shot, out)
    renders = [e.done for e in seen if e.stage == "render"]
    assert renders[-1] == 40 and len(set(renders)) > 4  # frames counted as workers paint them
    # what travels to a worker names no folder of the driver's: the bytes come back instead
    folder = str(work_folder(VideoJob.build(clip, out, STYLE)))
    assert len(shipped) == 3
    assert puts == ["StylePlan"]  # the schedule travels once, whatever the number of pieces
    for task in shipped:
        blob = pickle.dumps(task)
        assert folder.encode() not in blob and str(tmp_path).encode() not in blob


def test_pieces_ask_ray_for_a_cpu_or_a_gpu():
    assert ray_executor.task_options("cpu")["num_cpus"] == 1
    cuda = ray_executor.task_options("cuda")
    assert cuda["num_gpus"] == 1 and cuda["num_cpus"] == 0 and cuda["max_retries"] >= 1


def test_an_unreachable_cluster_is_one_line_at_once(clip, tmp_path):
    out = tmp_path / "never.mp4"
    run = subprocess.run(
        [sys.executable, "-m", "restyle", "video", str(clip), "-o", str(out), "-s", STYLE,
         "--chunk-seconds", "1", "--executor", "ray", "--ray-address", "127.0.0.1:9", "-q"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Ray cluster at 127.0.0.1:9" in lines[0]
    assert not out.exists()
    with pytest.raises(InputError, match="HOST:PORT"):
        ray_executor.check_reachable("no-port-here")


def test_without_ray_installed_the_error_names_the_extra(clip, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    code = main(["video", str(clip), "-o", str(tmp_path / "o.mp4"), "-s", STYLE,
                 "--chunk-seconds", "1", "--executor", "ray", "-q"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "pip install 'restyle[ray]'" in err and len(err.strip().splitlines()) == 1
