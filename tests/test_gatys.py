"""Gatys optimization: losses by hand, the optimizer lowers them, VGG-19 loading, the CLI."""

from __future__ import annotations

import functools
import hashlib
import http.server
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from restyle.cli import main
from restyle.errors import DependencyError, ModelError
from restyle.models.download import download
from restyle.models.registry import REGISTRY, ModelSpec, checksum_matches

pytestmark = pytest.mark.slow

INSTALL_LINE = 'pip install "restyle[gatys]"'


def _torch():
    return pytest.importorskip("torch", reason="PyTorch (the gatys extra) is not installed")


def save_picture(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(array).save(path)
    return path


def picture(seed: int, h: int = 48, w: int = 64) -> np.ndarray:
    """A smooth random picture (blurred noise), HxWx3 uint8."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((w, h), Image.BICUBIC))


# -- losses against hand-computed values ------------------------------------------------


def test_gram_matrix_by_hand():
    torch = _torch()
    from restyle.stylizers.gatys import gram

    f = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 1, 2)
    # F F^T = [[5, 11], [11, 25]], divided by C*h*w = 4
    expected = torch.tensor([[1.25, 2.75], [2.75, 6.25]])
    assert torch.allclose(gram(f), expected)


def test_content_style_tv_and_temporal_losses_by_hand():
    torch = _torch()
    from restyle.stylizers.gatys import content_loss, style_loss, temporal_loss, tv_loss

    f = torch.tensor([1.0, 2.0]).reshape(1, 1, 1, 2)
    p = torch.tensor([2.0, 2.0]).reshape(1, 1, 1, 2)
    # mean((f-p)^2) = 0.5, mean(p^2) = 4
    assert content_loss(f, p).item() == pytest.approx(0.125, rel=1e-6)

    g1, a1 = torch.eye(2), torch.tensor([[2.0, 0.0], [0.0, 0.0]])  # 2 / 4
    g2, a2 = torch.ones(2, 2), torch.ones(2, 2)  # 0
    assert style_loss([g1, g2], [a1, a2]).item() == pytest.approx(0.25, rel=1e-6)

    img = torch.tensor([[0.0, 1.0], [0.0, 1.0]]).reshape(1, 1, 2, 2)
    assert tv_loss(img).item() == pytest.approx(1.0)  # dx all 1, dy all 0

    x = torch.ones(1, 3, 1, 2)
    w = torch.zeros(1, 3, 1, 2)
    c = torch.tensor([1.0, 0.0]).reshape(1, 1, 1, 2)
    # 3 reliable values of 1 over 3*1*2 = 6
    assert temporal_loss(x, w, c).item() == pytest.approx(0.5)


def test_checksum_prefix_rules():
    digest = hashlib.sha256(b"x").hexdigest()
    assert checksum_matches(digest, digest)
    assert checksum_matches(digest, digest[:8])
    assert not checksum_matches(digest, digest[:7])  # too short to mean anything
    assert not checksum_matches(digest, "0" * 8 if digest[:8] != "0" * 8 else "1" * 8)


# -- the optimization --------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_optimization_lowers_the_loss_and_moves_toward_the_style(optimizer):
    _torch()
    from restyle.stylizers.gatys import GatysStylizer, optimize
    from restyle.stylizers.options import Gatys

    g = GatysStylizer(method=Gatys(optimizer=optimizer, gatys_size=64))
    content, painting = picture(1), picture(2)
    style = g.resolve(painting)
    x0 = g._to_tensor(content)
    objective = g.losses(x0, g._unflatten(style.vector))
    before = objective(x0).item()
    steps = 8 if optimizer == "lbfgs" else 30
    after_x = optimize(x0, objective, steps, optimizer, 0.02)
    assert objective(after_x).item() < 0.8 * before
    # the painted picture's own Gram matrices are nearer the painting's than the content's
    painted = (after_x[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)
    assert np.linalg.norm(g.gram_vector(painted) - style.vector) < np.linalg.norm(
        g.gram_vector(content) - style.vector
    )


def test_predictor_features_match_onnx_runtime():
    torch = _torch()
    import onnx
    import onnxruntime as ort

    from restyle.models.graph import dequantize
    from restyle.models.location import locate
    from restyle.stylizers.features import OnnxInterpreter

    model = dequantize(onnx.load(str(locate("arbitrary_predict"))))
    out = model.graph.output[0].name
    x = np.random.default_rng(0).random((1, 256, 256, 3), np.float32)
    ref = ort.InferenceSession(model.SerializeToString()).run(None, {"style_image": x})[0]
    got = OnnxInterpreter(model, [out])(torch.from_numpy(x))[out].numpy()
    np.testing.assert_allclose(got.reshape(-1), ref.reshape(-1), atol=1e-4)


def test_video_frames_start_from_the_previous_output_and_flow_adds_the_temporal_term():
    _torch()
    from restyle.stylizers.gatys import GatysStylizer
    from restyle.stylizers.options import Gatys

    frames = [np.roll(picture(3), 2 * i, axis=1) for i in range(3)]
    g = GatysStylizer(method=Gatys(iterations=2, gatys_size=64))
    style = g.resolve(picture(4))
    assert g.start_video("flow") is True
    out = g.stylize(frames, style)
    assert [o.shape for o in out] == [f.shape for f in frames]
    assert g._prev_output is not None and g._prev_source is not None
    assert GatysStylizer().start_video("blend") is False  # the pipeline's blend runs after


# -- VGG-19 weights over a local server -------------------------------------------------


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
    """A randomly initialised VGG-19 state dict with torchvision's keys and shapes."""
    torch = _torch()
    from restyle.stylizers.features import vgg19_state_dict_keys

    gen = torch.Generator().manual_seed(0)
    state = {
        k: torch.randn(shape, generator=gen) * 0.05 for k, shape in vgg19_state_dict_keys().items()
    }
    folder = tmp_path_factory.mktemp("served")
    path = folder / "vgg19-test.pth"
    torch.save(state, path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def server(vgg_file):
    """An HTTP server on 127.0.0.1 serving the folder of the test weights."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(vgg_file[0].parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{vgg_file[0].name}"
    httpd.shutdown()
    httpd.server_close()


def test_vgg19_download_rejects_a_wrong_checksum(tmp_path, vgg_file, server, monkeypatch):
    _, digest = vgg_file
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:8]
    monkeypatch.setitem(
        REGISTRY, "vgg19_bad", ModelSpec("vgg19_bad", "vgg19-bad.pth", wrong, url=server)
    )
    with pytest.raises(ModelError, match="wrong checksum"):
        download("vgg19_bad", dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_vgg19_is_downloaded_once_verified_and_loaded(tmp_path, vgg_file, server, monkeypatch):
    torch = _torch()
    from restyle.stylizers.features import VGG19_CONTENT, VGG19_STYLE, VGG19Features

    _, digest = vgg_file
    spec = REGISTRY["vgg19"]
    monkeypatch.setitem(
        REGISTRY, "vgg19", ModelSpec("vgg19", spec.filename, digest[:8], url=server)
    )
    monkeypatch.setenv("RESTYLE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("RESTYLE_MODEL_DIR", raising=False)
    net = VGG19Features()
    cached = tmp_path / "cache" / spec.filename
    assert cached.is_file()
    out = net(torch.rand(1, 3, 64, 64))
    assert set(out) == {*VGG19_STYLE, VGG19_CONTENT}
    assert out["conv5_1"].shape == (1, 512, 4, 4) and out["conv4_2"].shape == (1, 512, 8, 8)
    # a second load uses the cached file (the server is not needed)
    monkeypatch.setitem(
        REGISTRY, "vgg19", ModelSpec("vgg19", spec.filename, digest[:8], url="http://127.0.0.1:9/")
    )
    VGG19Features()


def test_vgg19_from_model_dir_with_the_wrong_checksum_is_refused(tmp_path, vgg_file):
    _torch()
    from restyle.stylizers.features import VGG19Features

    folder = tmp_path / "models"
    folder.mkdir()
    (folder / REGISTRY["vgg19"].filename).write_bytes(vgg_file[0].read_bytes())
    with pytest.raises(ModelError, match="checksum mismatch for vgg19"):
        VGG19Features(str(folder))


# -- command line -----------------------------------------------------------------------


def test_gatys_without_torch_exits_2_with_the_install_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    content = save_picture(tmp_path / "c.png", picture(5))
    style = save_picture(tmp_path / "s.png", picture(6))
    out = tmp_path / "out.png"
    code = main(["image", str(content), "-s", str(style), "--method", "gatys", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert INSTALL_LINE in err and err.count("\n") == 1
    assert not out.exists()
    from restyle.stylizers.features import import_torch

    with pytest.raises(DependencyError):
        import_torch()


def test_restyle_image_gatys_keeps_the_input_size(tmp_path, capsys):
    _torch()
    content = save_picture(tmp_path / "c.png", picture(7, 45, 70))
    style = save_picture(tmp_path / "s.png", picture(8, 64, 64))
    out = tmp_path / "out.png"
    argv = ["image", str(content), "-s", str(style), "--method", "gatys", "--iterations", "2"]
    assert main([*argv, "-o", str(out)]) == 0
    assert "predictor features" in capsys.readouterr().out
    assert Image.open(out).size == (70, 45)
