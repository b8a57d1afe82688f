"""The PyTorch rebuilds of the style transformers (training/): equal to restyle's ONNX graphs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the [training] extra (PyTorch) is not installed")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/ beside restyle/

from restyle.models.graph import (  # noqa: E402
    build_fast_transformer,
    dequantize,
    extract_multistyle_weights,
    extract_transformer_weights,
    from_phases,
    to_phases,
)
from restyle.models.networks import _load, load_multistyle, load_transformer  # noqa: E402
from support.motion_factory import texture  # noqa: E402
from training.networks import from_weights  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def weights() -> dict:
    return {
        "arbitrary": extract_transformer_weights(dequantize(_load("arbitrary_transform", None))),
        "multistyle": extract_multistyle_weights(_load("multistyle26", None)),
    }


def _styles(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {
        "arbitrary": rng.normal(0, 0.5, (1, 100)).astype(np.float32),
        "multistyle": np.eye(26, dtype=np.float32)[[19]],
    }


def _torch(net, images: np.ndarray, style: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        out = net(torch.from_numpy(images).permute(0, 3, 1, 2), torch.from_numpy(style))
    return out.permute(0, 2, 3, 1).numpy()


@pytest.mark.parametrize("name", ["arbitrary", "multistyle"])
def test_the_rebuild_paints_what_the_onnx_graph_paints(weights, name):
    rng = np.random.default_rng(0)
    images = rng.random((2, 64, 96, 3), dtype=np.float32)
    style = _styles(rng)[name]
    load = load_transformer if name == "arbitrary" else load_multistyle
    net = load("cpu", precision="float", backend="onnxruntime", model="original")
    reference = net.run(images, style[0])
    painted = _torch(from_weights(weights[name]).eval(), images, style)
    assert np.abs(painted - reference).max() < 1e-4


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        ("arbitrary", {}),
        ("arbitrary", {"upsample": "bilinear", "blur": True}),
        ("arbitrary", {"upsample": "bilinear", "blur": True, "skip": True}),
        ("multistyle", {"upsample": "bilinear", "blur": True, "skip": True}),
    ],
)
def test_weights_written_back_build_the_graph_restyle_runs(weights, name, variant):
    """A network trained here goes back through build_fast_transformer unchanged."""
    import onnxruntime as ort

    rng = np.random.default_rng(1)
    net = from_weights(weights[name], **variant).eval()
    with torch.no_grad():  # as if trained: every parameter moved
        for p in net.parameters():
            p.add_(0.01 * torch.randn_like(p))
    images = rng.random((1, 32, 48, 3), dtype=np.float32)
    style = _styles(rng)[name]
    graph = build_fast_transformer(net.weights())
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    out = session.run(None, {"content": to_phases(images), "style": style})[0]
    assert np.abs(from_phases(out) - _torch(net, images, style)).max() < 1e-4


def _shift_change(net, image: np.ndarray, style: np.ndarray, d: int) -> float:
    """Mean squared change of the painting when the content moves ``d`` px, moved back."""
    base = _torch(net, image[None, :, 8:-8, :][:, :, 8:-8], style)[0]
    moved = _torch(net, image[None, :, 8:-8, :][:, :, 8 - d : -8 - d], style)[0]
    return float(((moved[16:-16, 16 + d : -16] - base[16:-16, 16 : -16 - d]) ** 2).mean())


def test_the_anti_aliased_variant_keeps_strokes_on_moving_content(weights):
    """Bilinear upsampling and a blur before the strides: 1-3 px moves repaint far less."""
    import cv2

    image = cv2.GaussianBlur(texture(136, 200, seed=4), (0, 0), 1.5).astype(np.float32) / 255
    style = _styles(np.random.default_rng(2))["arbitrary"]
    shipped = from_weights(weights["arbitrary"]).eval()
    smooth = from_weights(weights["arbitrary"], upsample="bilinear", blur=True).eval()
    before = {d: _shift_change(shipped, image, style, d) for d in (1, 2, 3, 4)}
    # the 4 px grid: a 4 px move keeps the strokes (what changes is the norm's statistics)
    assert before[4] < 0.05 * min(before[1], before[2], before[3]), before
    for d in (1, 2, 3):
        after = _shift_change(smooth, image, style, d)
        assert after < 0.5 * before[d], (d, before[d], after)


def _tiny_run(
    tmp_path,
    steps: int,
    resume: bool = False,
    network: str = "arbitrary_transform",
    edge_weight: float = 0.0,
    relative: bool = False,
    skip: bool = False,
    **more,
) -> list[dict]:
    import cv2

    from training.finetune import (
        Batches,
        Settings,
        builtin_styles,
        swatch_vectors,
        train,
        transformer_weights,
    )  # fmt: skip

    pictures = [cv2.GaussianBlur(texture(96, 128, seed=s), (0, 0), 1.0) for s in range(3)]
    targets = None
    if network == "multistyle26":
        styles = builtin_styles(26)[:3]
        targets = swatch_vectors(transformer_weights(network), styles)  # the aim of each
    else:
        styles = np.random.default_rng(0).normal(0, 0.5, (2, 100)).astype(np.float32)
    settings = Settings(
        size=64, batch=2, steps=steps, minutes=5, lr=1e-3, lr_end=3e-4, seed=3,
        style_weight=1.0, vector_weight=1.0, equivariance_weight=10.0, network=network,
        aim_weight=0.0 if targets is None else 1.0, edge_weight=edge_weight,
        equivariance_relative=relative, skip=skip,
    )  # fmt: skip  (weights for 64 px pictures at a tenfold learning rate)
    batches = Batches(pictures, styles, settings, targets)
    return train(tmp_path, batches, settings, resume=resume, log_every=5, save_every=10, **more)


def test_fine_tuning_lowers_the_losses_and_resumes(tmp_path):
    """A few steps on tiny pictures: the losses fall; a resumed run goes on from its step."""
    log = _tiny_run(tmp_path / "run", 40)
    first, last = log[0]["total"], [e["total"] for e in log[-3:]]
    assert np.mean(last) < 0.8 * first, log
    assert (tmp_path / "run" / "checkpoint.pt").exists()
    assert (tmp_path / "run" / "log.jsonl").read_text().count("\n") == len(log)
    short = _tiny_run(tmp_path / "two", 10)
    assert short[-1]["step"] == 10
    resumed = _tiny_run(tmp_path / "two", 20, resume=True)
    assert resumed[0]["step"] > 10 and resumed[-1]["step"] == 20


def test_the_26_style_network_fine_tunes_too(tmp_path):
    log = _tiny_run(tmp_path / "run", 30, network="multistyle26")
    assert np.mean([e["total"] for e in log[-2:]]) < 0.8 * log[0]["total"], log
    assert all(e["aim"] > 0 for e in log)  # toward the swatches' vectors


def test_the_skip_path_starts_at_zero_and_learns(tmp_path):
    """--skip true: the new path adds nothing at first, then trains (at 10x the rate)."""
    import torch

    log = _tiny_run(tmp_path / "run", 20, network="multistyle26", skip=True)
    assert np.mean([e["total"] for e in log[-2:]]) < 0.8 * log[0]["total"], log
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    optimizer_groups = state["optimizer"]["param_groups"]
    assert [g["scale"] for g in optimizer_groups] == [1.0, 10.0]
    assert state["model"]["skip.weight"].abs().max() > 1e-3


def test_a_run_can_start_from_another_run_s_network(tmp_path):
    """--start: the student begins as the checkpoint's network (fresh optimizer, step 0)."""
    import torch

    _tiny_run(tmp_path / "a", 10)
    before = torch.load(tmp_path / "a" / "checkpoint.pt", weights_only=False)["model"]
    _tiny_run(tmp_path / "b", 0, start=tmp_path / "a" / "checkpoint.pt")
    after = torch.load(tmp_path / "b" / "checkpoint.pt", weights_only=False)
    assert after["step"] == 0
    assert all(torch.equal(before[k], after["model"][k]) for k in before)


def test_the_edge_term_measures_what_restyle_s_edge_ssim_does():
    """edge_maps + structure_ssim in torch give restyle's edge SSIM (the meter it trains to)."""
    import cv2
    import torch

    from restyle.imaging.similarity import edge_ssim
    from training.finetune import edge_maps, structure_ssim

    source = texture(72, 96, seed=5)
    painted = cv2.GaussianBlur(source, (0, 0), 2.0)

    def tensor(image):
        return torch.from_numpy(image.astype(np.float32) / 255).permute(2, 0, 1)[None]

    score = float(structure_ssim(edge_maps(tensor(painted)), edge_maps(tensor(source)))[0])
    assert score == pytest.approx(edge_ssim(painted, source), abs=1e-4)
    assert score < 0.95  # the blur moved edges: the meter sees it


def test_the_edge_term_counts_where_structure_is_lost():
    """--edge-weight: a painting without the picture's edges (a painting of another picture)
    pays by the weighted term; the teacher's painting and the picture itself pay nothing."""
    import dataclasses
    import random

    import cv2

    from restyle.stylizers.features import PredictorFeatures
    from training.finetune import Settings, losses, transformer_weights, with_style_vector

    teacher = from_weights(transformer_weights()).eval()
    features = with_style_vector(PredictorFeatures())
    shapes = np.full((72, 72, 3), 40, np.uint8)
    cv2.rectangle(shapes, (10, 12), (40, 50), (230, 200, 60), -1)
    cv2.circle(shapes, (52, 30), 14, (60, 120, 240), -1)
    images = torch.from_numpy(shapes.astype(np.float32) / 255).permute(2, 0, 1)[None]
    other = torch.from_numpy(texture(72, 72, seed=2).astype(np.float32) / 255)
    other = other.permute(2, 0, 1)[None]
    style = torch.zeros(1, 100)  # the neutral style: the teacher keeps the shapes' edges

    def elsewhere(x, s):
        return teacher(other[..., : x.shape[-2], : x.shape[-1]], s)

    def score(student, settings):
        torch.manual_seed(0)
        return losses(student, teacher, features, images, style, settings, random.Random(0))[1]

    plain = Settings(size=72, batch=1)
    edged = dataclasses.replace(plain, edge_weight=2.0)
    with torch.no_grad():
        off, on = score(elsewhere, plain), score(elsewhere, edged)
        same, itself = score(teacher, edged), score(lambda x, s: x, edged)
    assert off.edges == 0 and on.edges > 0.01
    assert same.edges == 0 and itself.edges == 0
    assert on.total == pytest.approx(off.total + 2.0 * on.edges, rel=1e-4)


def test_the_relative_equivariance_weighs_each_style_by_the_teacher_s_own_change(tmp_path):
    """--equivariance-relative: each built-in style's number is its teacher's shift change
    over the mean (a striped style's above 1, a smooth one's below), and a run with it
    trains and logs the term."""
    import json

    log = _tiny_run(tmp_path / "run", 10, network="multistyle26", relative=True)
    numbers = json.loads((tmp_path / "run" / "sensitivity.json").read_text())
    assert len(numbers) == 3 and abs(np.mean(numbers) - 1) < 1e-4, numbers
    assert max(numbers) / min(numbers) > 1.2, numbers  # the styles do differ
    assert all(np.isfinite(e["equivariance"]) and e["equivariance"] > 0 for e in log), log


def test_the_sharpness_term_reads_restyle_s_detail_meter_and_counts_only_below():
    """--sharpness-weight: the torch gradient energy equals restyle's detail meter (to the
    rounding of its uint8 grey), and the term charges a blurred painting, not a sharper one."""
    import random

    from restyle.metrics.detail import gradient_energy as meter
    from restyle.stylizers.features import PredictorFeatures
    from training.finetune import (
        Settings,
        gradient_energy,
        losses,
        transformer_weights,
        with_style_vector,
    )

    picture = texture(64, 80, seed=3)
    tensor = torch.from_numpy(picture.astype(np.float32) / 255).permute(2, 0, 1)[None]
    assert float(gradient_energy(tensor)[0]) == pytest.approx(meter(picture), rel=0.01)

    teacher = from_weights(transformer_weights()).eval()
    features = with_style_vector(PredictorFeatures())
    torch.manual_seed(0)
    style = torch.randn(1, 100)  # a style that paints texture (the neutral one paints flat)
    settings = Settings(size=64, batch=1, sharpness_weight=5.0)

    def soft(x, s):
        pool = torch.nn.functional.avg_pool2d
        return pool(teacher(x, s), 5, stride=1, padding=2, count_include_pad=False)

    def blurred(x, s):
        return soft(x, s)

    def sharper(x, s):
        painted = teacher(x, s)
        return (painted + 0.5 * (painted - soft(x, s))).clamp(0, 1)

    def score(student):
        torch.manual_seed(0)
        return losses(student, teacher, features, tensor, style, settings, random.Random(0))[1]

    with torch.no_grad():
        low, high, same = score(blurred), score(sharper), score(teacher)
    assert low.sharpness > 0.5 and high.sharpness == 0 and same.sharpness == 0


def test_a_run_can_start_from_the_network_restyle_ships(tmp_path):
    """--start shipped: the student begins as restyle's trained network (step 0)."""
    from training.finetune import make_student, run_settings, shipped_trained

    _tiny_run(tmp_path / "s", 0, start="shipped")
    state = torch.load(tmp_path / "s" / "checkpoint.pt", weights_only=False)["model"]
    shipped = make_student(shipped_trained(), run_settings(tmp_path / "s" / "checkpoint.pt"))
    assert all(torch.equal(v, state[k]) for k, v in shipped.state_dict().items())


def test_the_texture_and_outline_terms_read_restyle_s_detail_split():
    """--texture-weight charges brushwork lost away from the picture's edges (and added, with
    --texture-both-ways), and --outline-weight energy added along them, in the zones
    restyle's detail meter splits."""
    import random

    from restyle.metrics.detail import edge_zones, energy_map
    from restyle.stylizers.features import PredictorFeatures
    from training.finetune import (
        Settings,
        losses,
        transformer_weights,
        with_style_vector,
        zone_energy,
        zone_masks,
    )
    from training.finetune import energy_map as torch_energy_map

    picture = np.full((96, 128, 3), 60, np.uint8)
    picture[:, 64:] = 190  # one edge, flat on both sides
    speckle = np.random.default_rng(0).normal(0, 10, picture.shape)
    painting = np.clip(picture + speckle, 0, 255).astype(np.uint8)
    to_tensor = lambda a: torch.from_numpy(a.astype(np.float32) / 255).permute(2, 0, 1)[None]  # noqa: E731
    masks = zone_masks(to_tensor(picture))
    for mask, zone in zip(masks, edge_zones(picture), strict=True):
        energy = zone_energy(torch_energy_map(to_tensor(painting)), mask)[0]
        assert float(energy[0]) == pytest.approx(float(energy_map(painting)[zone].mean()), rel=0.01)

    teacher = from_weights(transformer_weights()).eval()
    features = with_style_vector(PredictorFeatures())
    torch.manual_seed(0)
    style = torch.randn(1, 100)
    settings = Settings(size=64, batch=1, texture_weight=1.0, outline_weight=1.0)
    both = Settings(size=64, batch=1, texture_weight=1.0, texture_both_ways=True)
    x = to_tensor(picture)
    pool = torch.nn.functional.max_pool2d

    def band(x, width):  # columns within width // 2 of the edge (wherever a warp moved it)
        grey = x.mean(1, keepdim=True)
        step = ((grey[..., 1:] - grey[..., :-1]).abs() > 0.2).float()
        step = torch.nn.functional.pad(step, (0, 1))
        return pool(step, (1, width), stride=1, padding=(0, width // 2))

    def flat(x, s):  # the teacher's painting with its texture smoothed away from the edge
        painted, near = teacher(x, s), band(x, 17)
        smooth = torch.nn.functional.avg_pool2d(
            painted, 7, stride=1, padding=3, count_include_pad=False
        )
        return near * painted + (1 - near) * smooth

    def busy(x, s):  # the teacher's painting with noise added away from the edge
        painted, near = teacher(x, s), band(x, 17)
        noise = 0.1 * torch.randn(painted.shape, generator=torch.Generator().manual_seed(1))
        return (painted + (1 - near) * noise).clamp(0, 1)

    def lit(x, s):  # the teacher's painting with a bright band along the edge
        painted = teacher(x, s)
        return torch.where(band(x, 5) > 0, torch.ones_like(painted), painted)

    def score(student, settings=settings):
        torch.manual_seed(0)
        return losses(student, teacher, features, x, style, settings, random.Random(0))[1]

    with torch.no_grad():
        smooth, noisy, outlined, same = score(flat), score(busy), score(lit), score(teacher)
        noisy_both = score(busy, both)
    assert smooth.texture > 0.3 and smooth.outline == 0
    assert noisy.texture == 0 and noisy_both.texture > 0.3 and noisy.outline == 0
    assert outlined.outline > 0.3
    assert same.texture == 0 and same.outline == 0
