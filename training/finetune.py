"""Fine-tune an anti-aliased style transformer so its strokes follow the content.

The student is the shipped arbitrary-style transformer with bilinear upsampling and a blur
before its strides (:mod:`training.networks`); the teacher is the shipped network, frozen.
The student keeps the teacher's look, not its aliased strokes pixel for pixel:

* **style**: per-channel mean and standard deviation of the predictor's features (the
  MobileNet-v2 that makes style vectors, :class:`restyle.stylizers.features.PredictorFeatures`)
  of the student's painting against the teacher's;
* **vector**: the predictor's style vector itself (its pooled features, projected: what
  restyle's style distance measures) of the student's painting against the teacher's;
* **aim** (``--aim-weight``, off by default): the painting's style vector against the style's
  own: the vector it was painted with (a painting's), or for a built-in style the vector
  of the shipped network's swatch of it; the style's target rather than the teacher's
  painting's;
* **colour**: the paintings at 1/8 scale (average-pooled), L1;
* **detail**: local texture energy (the squared high-pass of the painting, averaged over
  8x8 cells), log-ratio student to teacher: as much texture, placed anywhere;
* **sharpness** (``--sharpness-weight``, off by default): the painting's gradient energy
  (the mean squared Sobel gradient of its luminance: restyle's detail meter,
  :func:`restyle.metrics.detail.gradient_energy`) where it falls below the teacher
  painting's, log-ratio, hinged there: the whole picture's energy, as the meter reads it,
  not where the texture sits;
* **edges** (``--edge-weight``, off by default): the structure of the picture kept as
  well as the teacher keeps it: the SSIM of the painting's edge map to the picture's (the
  meter of :func:`restyle.imaging.similarity.edge_ssim`), where it falls short of the
  teacher painting's, hinged there (more than the teacher's earns nothing);
* **texture** (``--texture-weight``, off by default): the painting's gradient energy away
  from the picture's edges (more than 10 px from a Canny edge: the zones of restyle's
  detail meter, :func:`restyle.metrics.detail.edge_zones`) where it falls below the teacher
  painting's, log-ratio, hinged there: brushwork, which the whole picture's energy
  (sharpness) lets a network trade for outlines; with ``--texture-both-ways true`` above it
  too (noise between the edges costs edge SSIM);
* **outline** (``--outline-weight``, off by default): the same within 4 px of an edge
  where it rises above the teacher's: lit or doubled outlines;
* **equivariance**: painting a moved picture and moving the painting agree,
  ``f(W(x) + n) ~ W(f(x))`` for random subpixel shifts, small rotations and zooms ``W``
  and noise ``n`` (the border, where the moved picture has no content, masked out). With
  ``--equivariance-relative`` (the 26-style network) each built-in style's term is divided
  by the teacher's own shift change for that style (measured once at the start, over the
  mean of all styles): the criterion is a ratio to the shipped network, whose change
  differs fiftyfold between a smooth style and a striped one, so an absolute term leaves
  the smooth styles almost untrained.

Style vectors come from the paintings given (their predicted vectors, randomly blended);
for the 26-style network (``--network multistyle26``) they are random blends of two of
its built-in styles. Pictures are random crops of the photos and video frames given.
Seeded; a log line (JSON) every ``--log-every`` steps; a checkpoint (model, optimizer,
step, random state) every ``--save-every`` steps and at the end, which ``--resume``
continues from (``--start`` begins a new run from another run's network, or with
``--start shipped`` from the network restyle ships, ``restyle/models/weights``); ``--minutes``
bounds the run. Runs on CUDA where there is one (``--device cuda``)::

    python -m training.finetune --out runs/steady --content ../shared/media/*.mp4 \\
        --styles ../shared/media/starry_night.jpg ../shared/media/the_scream.jpg --seed 1
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from restyle.imaging import similarity as sim
from restyle.models.graph import dequantize
from restyle.models.networks import BUILTIN_STYLES

from .networks import Transformer, from_weights

MOVES = ("pixels", "warps")  # how the equivariance loss moves the picture
SKIP_LR = 10.0  # the skip path's learning rate over the rest's
NETWORKS = ("arbitrary_transform", "multistyle26")  # the shipped networks a run starts from
SHIPPED = "shipped"  # --start: the network restyle ships, trained here (restyle/models/weights)


@dataclass
class Settings:
    """What a run does (saved with its checkpoints)."""

    size: int = 256
    batch: int = 4
    steps: int = 1250
    minutes: float = 120.0  # a bound on the run's time; --steps sets the schedule
    lr: float = 3e-4
    lr_end: float = 3e-5
    style_weight: float = 10.0
    colour_weight: float = 1.0
    detail_weight: float = 0.3
    vector_weight: float = 10.0
    aim_weight: float = 0.0
    sharpness_weight: float = 0.0
    edge_weight: float = 0.0
    texture_weight: float = 0.0
    texture_both_ways: bool = False  # charge texture above the teacher's too, not only below
    outline_weight: float = 0.0
    equivariance_weight: float = 100.0
    equivariance_relative: bool = False  # each built-in style's term over the teacher's own
    moves: str = "pixels"  # "pixels": whole-pixel shifts, no resampling; "warps": affine
    max_shift: float = 3.0
    max_degrees: float = 2.0
    max_zoom: float = 0.05
    noise: float = 0.01
    seed: int = 1
    upsample: str = "bilinear"
    blur: bool = True
    skip: bool = False  # a full-size path from the first layer to the last
    network: str = "arbitrary_transform"


def transformer_weights(network: str = "arbitrary_transform"):
    """A shipped network's weights, as restyle reads them (``network``: one of NETWORKS)."""
    from restyle.models.networks import network_weights

    return network_weights(network, None, "original")


def shipped_trained(network: str = "arbitrary_transform"):
    """The weights of the network restyle ships trained from ``network`` (``--model
    steady`` paints with both of them)."""
    from restyle.models.networks import network_weights

    return network_weights(network, None, "steady")


def make_student(weights: Any, settings: Settings) -> Transformer:
    """The anti-aliased network to train: convolutions and norm biases free, the style
    vector's maps to the norms frozen (they keep the style space the predictor made)."""
    student = from_weights(
        weights, upsample=settings.upsample, blur=settings.blur, skip=settings.skip
    )
    for name, parameter in student.named_parameters():
        parameter.requires_grad = not name.endswith(("gamma.weight", "beta.weight"))
    return student


def run_settings(checkpoint: Path) -> Settings:
    """The settings of the run a checkpoint belongs to (saved beside it; defaults if none)."""
    saved = checkpoint.parent / "settings.json"
    return Settings(**json.loads(saved.read_text())) if saved.exists() else Settings()


def load_student(checkpoint: Path, weights: Any = None) -> tuple[Transformer, int]:
    """A run's network (in eval mode) from its checkpoint, and the step it reached.

    ``weights``: the shipped network's, when the caller has them (else read again).
    """
    settings = run_settings(checkpoint)
    if weights is None:
        weights = transformer_weights(settings.network)
    student = make_student(weights, settings)
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    student.load_state_dict(state["model"])
    return student.eval(), int(state["step"])


# -- data -------------------------------------------------------------------------------


def read_pictures(paths: list[Path], per_video: int = 40) -> list[np.ndarray]:
    """HxWx3 uint8 pictures: each image, and up to ``per_video`` frames of each video."""
    from restyle.media.image import load_image
    from restyle.media.reader import open_video
    from restyle.media.stills import is_video_path

    pictures: list[np.ndarray] = []
    for path in paths:
        if is_video_path(path):
            with open_video(path) as reader:
                step = max(1, (reader.info.frame_count or per_video) // per_video)
                taken = 0
                for i, frame in enumerate(reader):
                    if i % step == 0:
                        pictures.append(frame.image)
                        taken += 1
                    if taken >= per_video:
                        break
        else:
            pictures.append(load_image(path))
    return pictures


def style_vectors(paths: list[Path]) -> np.ndarray:
    """The predicted style vector (N x 100) of each painting."""
    from restyle.media.image import load_image
    from restyle.styles.embed import embed_images

    return embed_images([load_image(p) for p in paths])


def builtin_styles(count: int) -> np.ndarray:
    """The style inputs (count x count) of a multi-style network's built-in styles."""
    return np.eye(count, dtype=np.float32)


def swatch_vectors(weights: Any, styles: np.ndarray) -> np.ndarray:
    """The style vector (N x 100) of each style as the network ``weights`` paints it on the
    neutral swatch scene (:func:`restyle.stylizers.swatch.neutral_scene`): a built-in
    style's own target, as a painting's vector is a style image's."""
    from restyle.styles.embed import embed_images
    from restyle.stylizers.swatch import neutral_scene

    net = from_weights(weights).eval()
    scene = torch.from_numpy(neutral_scene()).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        paintings = [net(scene, torch.from_numpy(style[None])) for style in styles]
    pictures = [(p[0].permute(1, 2, 0).numpy() * 255 + 0.5).clip(0, 255).astype(np.uint8)
                for p in paintings]  # fmt: skip
    return embed_images(pictures)


class Batches:
    """Random crops of the pictures and random blends of the style vectors, seeded.

    ``targets``: the style vector (100 numbers) each style aims at (the aim loss), blended
    alike; None: the styles themselves (style vectors of paintings).
    """

    def __init__(
        self,
        pictures: list[np.ndarray],
        styles: np.ndarray,
        settings: Settings,
        targets: np.ndarray | None = None,
    ):
        if not pictures:
            raise ValueError("no pictures to train on")
        self.pictures = [_at_least(pic, settings.size) for pic in pictures]
        self.styles = styles
        self.targets = styles if targets is None else targets
        self.settings = settings

    def sample(self, rng: random.Random) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """A batch of crops (N x 3 x S x S in [0, 1]), one style input (1 x D) and the style
        vector it aims at (1 x 100)."""
        s = self.settings.size
        crops = []
        for _ in range(self.settings.batch):
            pic = self.pictures[rng.randrange(len(self.pictures))]
            h, w = pic.shape[:2]
            y, x = rng.randrange(h - s + 1), rng.randrange(w - s + 1)
            crops.append(pic[y : y + s, x : x + s])
        images = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).float() / 255
        a, b = rng.randrange(len(self.styles)), rng.randrange(len(self.styles))
        t = rng.random()
        style = (1 - t) * self.styles[a] + t * self.styles[b]
        target = (1 - t) * self.targets[a] + t * self.targets[b]
        return images, _row(style), _row(target)


def _row(vector: np.ndarray) -> torch.Tensor:
    """A vector as a 1 x D float32 tensor."""
    return torch.from_numpy(np.asarray(vector, np.float32))[None]


def _at_least(picture: np.ndarray, side: int) -> np.ndarray:
    """The picture scaled up (once, not at every crop) so its short side is at least ``side``."""
    import cv2

    h, w = picture.shape[:2]
    if min(h, w) >= side:
        return picture
    scale = side / min(h, w)
    size = (max(side, math.ceil(w * scale)), max(side, math.ceil(h * scale)))
    return cv2.resize(picture, size, interpolation=cv2.INTER_LINEAR)


# -- losses -----------------------------------------------------------------------------


def random_warps(n: int, settings: Settings, rng: random.Random, size: int) -> torch.Tensor:
    """N x 2 x 3 affine maps (normalised coordinates): subpixel shifts, turns, zooms."""
    thetas = []
    for _ in range(n):
        angle = math.radians(rng.uniform(-settings.max_degrees, settings.max_degrees))
        zoom = 1 + rng.uniform(-settings.max_zoom, settings.max_zoom)
        dx, dy = (rng.uniform(-settings.max_shift, settings.max_shift) * 2 / size for _ in "xy")
        c, s = math.cos(angle) / zoom, math.sin(angle) / zoom
        thetas.append([[c, -s, dx], [s, c, dy]])
    return torch.tensor(thetas, dtype=torch.float32)


def warp(images: torch.Tensor, theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Images moved by ``theta`` (bilinear), and where they have content (N x 1 x H x W)."""
    grid = F.affine_grid(theta.to(images.device), list(images.shape), align_corners=False)
    moved = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    ones = torch.ones_like(images[:, :1])
    inside = F.grid_sample(ones, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return moved, (inside > 0.999).float()


def texture_energy(images: torch.Tensor) -> torch.Tensor:
    """Local texture energy: the squared high-pass of the grey picture, mean over 8x8 cells."""
    grey = images.mean(dim=1, keepdim=True)
    high = grey - F.avg_pool2d(grey, 3, stride=1, padding=1, count_include_pad=False)
    return F.avg_pool2d(high * high, 8)


def _gaussian(sigma: float, radius: int) -> torch.Tensor:
    """A normalised 1-D Gaussian kernel of ``2 radius + 1`` taps."""
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(x * x) / (2 * sigma * sigma))
    return kernel / kernel.sum()


def _blur(images: torch.Tensor, sigma: float, radius: int) -> torch.Tensor:
    """A separable Gaussian blur of single-channel NCHW pictures, reflected at the border."""
    kernel = _gaussian(sigma, radius).to(images)
    images = F.pad(images, (radius, radius, radius, radius), mode="reflect")
    images = F.conv2d(images, kernel.view(1, 1, 1, -1))
    return F.conv2d(images, kernel.view(1, 1, -1, 1))


_SOBEL = ((-1.0, 0.0, 1.0), (-2.0, 0.0, 2.0), (-1.0, 0.0, 1.0))


def _luminance(images: torch.Tensor) -> torch.Tensor:
    """The Rec. 601 luminance (N1HW) of NCHW RGB pictures (restyle's ``LUMA``, which is
    also OpenCV's RGB-to-grey weighting)."""
    luma = torch.from_numpy(sim.LUMA).to(images).view(1, 3, 1, 1)
    return (images * luma).sum(1, keepdim=True)


def _sobel(grey: torch.Tensor, border: str) -> torch.Tensor:
    """The 3x3 Sobel gradients (N2HW: x, y) of N1HW pictures, padded by ``border``
    (``"reflect"``: cv2.Sobel's default; ``"replicate"``)."""
    sobel = torch.tensor(_SOBEL).to(grey)
    kernels = torch.stack([sobel, sobel.t()]).unsqueeze(1)
    return F.conv2d(F.pad(grey, (1, 1, 1, 1), mode=border), kernels)


def energy_map(images: torch.Tensor) -> torch.Tensor:
    """The squared Sobel gradient of the pictures' luminance per pixel (N1HW), as
    :func:`restyle.metrics.detail.energy_map` makes it (OpenCV's grey weights, the border
    reflected as ``cv2.Sobel`` does)."""
    gradients = _sobel(_luminance(images), "reflect")
    return (gradients * gradients).sum(1, keepdim=True)


def gradient_energy(images: torch.Tensor) -> torch.Tensor:
    """Each picture's mean squared Sobel gradient of its luminance (N values), as
    :func:`restyle.metrics.detail.gradient_energy` reads it: its :func:`energy_map`'s mean."""
    return energy_map(images).flatten(1).mean(1)


def zone_masks(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the pictures' edges are, as restyle's detail meter finds them
    (:func:`restyle.metrics.detail.edge_zones`): (near, far) N1HW 0/1 masks."""
    from restyle.metrics.detail import edge_zones

    pixels = (images.detach().permute(0, 2, 3, 1).cpu().numpy() * 255 + 0.5).clip(0, 255)
    zones = [edge_zones(np.ascontiguousarray(p.astype(np.uint8))) for p in pixels]
    near, far = (torch.from_numpy(np.stack([z[k] for z in zones])[:, None]) for k in (0, 1))
    return near.to(images), far.to(images)


def zone_energy(energy: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each picture's mean of its :func:`energy_map` within ``mask`` (N), and whether the
    mask holds any pixel (N, 0/1)."""
    count = mask.flatten(1).sum(1)
    return (energy * mask).flatten(1).sum(1) / count.clamp_min(1), (count > 0).to(energy)


def edge_maps(images: torch.Tensor) -> torch.Tensor:
    """Edge maps (N1HW, 0..1) as restyle's edge SSIM makes them
    (:func:`restyle.imaging.similarity.edge_map`, its constants): the luminance smoothed,
    its Sobel gradient magnitude over its own top percentile, clipped at 1."""
    radius = round(4 * sim.EDGE_SMOOTH_SIGMA)  # cv2.GaussianBlur's own choice for float
    grey = _blur(_luminance(images), sim.EDGE_SMOOTH_SIGMA, radius)
    gradients = _sobel(grey, "replicate")
    magnitude = torch.sqrt((gradients * gradients).sum(1, keepdim=True) + 1e-8)
    top = torch.quantile(magnitude.flatten(1), sim.EDGE_PERCENTILE / 100, dim=1)
    return (magnitude / top.clamp_min(1e-6).view(-1, 1, 1, 1)).clamp(max=1.0)


def structure_ssim(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean SSIM of each pair of single-channel maps, per image, with the window and
    constants of :func:`restyle.imaging.similarity.ssim_map` (its border left out)."""
    c1, c2 = sim.K1**2, sim.K2**2
    pad = (sim.WINDOW - 1) // 2

    def blur(x: torch.Tensor) -> torch.Tensor:
        return _blur(x, sim.SIGMA, pad)

    mx, my = blur(a), blur(b)
    vx = blur(a * a) - mx * mx
    vy = blur(b * b) - my * my
    cxy = blur(a * b) - mx * my
    score = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return score[..., pad:-pad, pad:-pad].flatten(1).mean(1)


def feature_stats(features: dict[str, torch.Tensor]) -> list[torch.Tensor]:
    """Per-channel mean and standard deviation of each style layer (NCHW activations)."""
    stats = []
    for value in features.values():
        x = value.flatten(2)
        stats += [x.mean(-1), x.std(-1)]
    return stats


@dataclass
class Losses:
    """One step's loss terms (floats, for the log)."""

    style: float
    vector: float
    aim: float
    colour: float
    detail: float
    sharpness: float
    edges: float
    texture: float
    outline: float
    equivariance: float
    total: float


def with_style_vector(features: Any) -> Any:
    """``features`` (PredictorFeatures) made to also give the style vector, as ``"vector"``."""
    import onnx

    from restyle.models.location import locate
    from restyle.stylizers.features import OnnxInterpreter

    model = dequantize(onnx.load(str(locate("arbitrary_predict", None))))
    name = model.graph.output[0].name
    features.net = OnnxInterpreter(model, [*features.tensor.values(), name])
    features.vector_tensor = name
    return features


def losses(
    student: Transformer,
    teacher: Transformer,
    features: Any,
    images: torch.Tensor,
    style: torch.Tensor,
    settings: Settings,
    rng: random.Random,
    aim_at: torch.Tensor | None = None,
    sensitivity: torch.Tensor | None = None,
) -> tuple[torch.Tensor, Losses]:
    """The weighted loss of one batch, and its terms (``aim_at``: the style vector the
    aim loss pulls the painting's toward; the style input where None; ``sensitivity``:
    each built-in style's teacher shift change over their mean, which the equivariance
    term of a blend of them is divided by, where given)."""
    with torch.no_grad():
        target = teacher(images, style)
        target_layers, target_vector = _style_layers(features, target)
        target_stats = feature_stats(target_layers)
        target_energy = texture_energy(target)
        target_map = energy_map(target)
        target_gradient = target_map.flatten(1).mean(1)  # gradient_energy(target)
        if settings.edge_weight:
            source_edges = edge_maps(images)
            target_structure = structure_ssim(edge_maps(target), source_edges)
        if settings.texture_weight or settings.outline_weight:
            near, far = zone_masks(images)
            target_zones = zone_energy(target_map, near), zone_energy(target_map, far)
    painted = student(images, style)
    layers, vector = _style_layers(features, painted)
    style_loss = sum(
        F.mse_loss(a, b) for a, b in zip(feature_stats(layers), target_stats, strict=True)
    )
    vector_loss = F.mse_loss(vector, target_vector)
    # the painting's own vector against the one asked for (style vectors of paintings only)
    aim = vector.new_zeros(())
    if settings.aim_weight:
        aim = F.mse_loss(vector, (style if aim_at is None else aim_at).expand_as(vector))
    colour = F.l1_loss(F.avg_pool2d(painted, 8), F.avg_pool2d(target, 8))
    detail = (
        (torch.log(texture_energy(painted) + 1e-6) - torch.log(target_energy + 1e-6)).abs().mean()
    )
    painted_map = energy_map(painted)  # the sharpness, texture and outline terms read it
    sharpness = F.relu(
        torch.log(target_gradient + 1e-6) - torch.log(painted_map.flatten(1).mean(1) + 1e-6)
    ).mean()
    edges = vector.new_zeros(())
    if settings.edge_weight:
        structure = structure_ssim(edge_maps(painted), source_edges)
        edges = F.relu(target_structure - structure).mean()
    texture, outline = vector.new_zeros(()), vector.new_zeros(())
    if settings.texture_weight or settings.outline_weight:
        (near_target, near_ok), (far_target, far_ok) = target_zones
        near_painted, _ = zone_energy(painted_map, near)
        far_painted, _ = zone_energy(painted_map, far)
        log_ratio = torch.log(far_target + 1e-6) - torch.log(far_painted + 1e-6)
        log_ratio = log_ratio.abs() if settings.texture_both_ways else F.relu(log_ratio)
        texture = (log_ratio * far_ok).sum() / far_ok.sum().clamp_min(1)
        log_ratio = torch.log(near_painted + 1e-6) - torch.log(near_target + 1e-6)
        outline = (F.relu(log_ratio) * near_ok).sum() / near_ok.sum().clamp_min(1)
    if settings.moves == "pixels":
        equivariance = pixel_equivariance(student, images, painted, style, settings, rng)
    else:
        equivariance = warp_equivariance(student, images, painted, style, settings, rng)
    if sensitivity is not None:
        equivariance = equivariance / (style @ sensitivity).sum().clamp_min(1e-3)
    total = (
        settings.style_weight * style_loss
        + settings.vector_weight * vector_loss
        + settings.aim_weight * aim
        + settings.colour_weight * colour
        + settings.detail_weight * detail
        + settings.sharpness_weight * sharpness
        + settings.edge_weight * edges
        + settings.texture_weight * texture
        + settings.outline_weight * outline
        + settings.equivariance_weight * equivariance
    )
    parts = (
        style_loss, vector_loss, aim, colour, detail, sharpness, edges, texture, outline,
        equivariance, total,
    )  # fmt: skip
    terms = Losses(*(float(t.detach()) for t in parts))
    return total, terms


def warp_equivariance(student, images, painted, style, settings, rng) -> torch.Tensor:
    """``f(W(x) + n)`` against ``W(f(x))`` for random affine ``W`` (subpixel, turns, zooms).

    Resampling the painting with W blurs it by up to a [1/2, 1/2] kernel, which this loss
    then asks the student for: it trades detail away (``moves="pixels"`` does not).
    """
    theta = random_warps(images.shape[0], settings, rng, settings.size)
    moved, inside = warp(images, theta)
    noisy = (moved + settings.noise * torch.randn_like(moved)).clamp(0, 1)
    painted_moved = student(noisy, style)
    moved_painting, _ = warp(painted, theta)
    margin = F.max_pool2d(1 - inside, 17, stride=1, padding=8)  # away from the border
    keep = 1 - margin
    return ((painted_moved - moved_painting) ** 2 * keep).sum() / (3 * keep.sum() + 1)


EDGE = 16  # pixels left out at the borders, where the two paintings saw different context


def pixel_equivariance(student, images, painted, style, settings, rng) -> torch.Tensor:
    """``f(S(x) + n)`` against ``S(f(x))`` for whole-pixel shifts ``S`` of 0 to 4 px.

    The moved picture is a crop of the picture (4 px smaller, a multiple of the network's
    4 px period) taken ``(dy, dx)`` in; nothing is resampled, so the comparison holds the
    student to the same strokes on moved content without asking it to blur. Shifts of 1-3
    px are what the shipped network's 4-pixel grid repaints.
    """
    n, _, h, w = images.shape
    shifts = [(rng.randrange(5), rng.randrange(5)) for _ in range(n)]
    crops = torch.stack(
        [images[i, :, dy : dy + h - 4, dx : dx + w - 4] for i, (dy, dx) in enumerate(shifts)]
    )
    noisy = (crops + settings.noise * torch.randn_like(crops)).clamp(0, 1)
    painted_moved = student(noisy, style)
    e = EDGE
    errors = [
        (
            painted_moved[i, :, e:-e, e:-e]
            - painted[i, :, dy + e : dy + h - 4 - e, dx + e : dx + w - 4 - e]
        )
        .pow(2)
        .mean()
        for i, (dy, dx) in enumerate(shifts)
    ]
    return torch.stack(errors).mean()


def _style_layers(features: Any, images: torch.Tensor) -> tuple[dict, torch.Tensor]:
    """The style layers' activations and the style vector (N x D) of NCHW images."""
    # one picture at a time: the predictor's graph reshapes its pooled features for batch 1
    outs = [features.net(image[None].permute(0, 2, 3, 1)) for image in images]
    layers = {
        k: torch.cat([out[features.tensor[k]] for out in outs]) for k in features.style_layers
    }
    return layers, torch.cat([out[features.vector_tensor].flatten(1) for out in outs])


def teacher_sensitivity(
    teacher: Transformer, batches: Batches, settings: Settings, rounds: int = 2
) -> torch.Tensor:
    """Each style's shift change as the teacher paints it (``pixel_equivariance`` on the
    same seeded crops for every style), over the mean of all styles, as a vector over the
    style input (``style @ it`` is a style's number, a blend's the blend of theirs)."""
    device = next(teacher.parameters()).device
    rng = random.Random(settings.seed + 1000)
    crops = [batches.sample(rng)[0].to(device) for _ in range(rounds)]
    changes = []
    with torch.no_grad():
        for style in batches.styles:
            row = _row(style).to(device)
            shifts = random.Random(settings.seed + 2000)
            total = 0.0
            for images in crops:
                painted = teacher(images, row)
                total += float(pixel_equivariance(teacher, images, painted, row, settings, shifts))
            changes.append(total / rounds)
    values = torch.tensor(changes, dtype=torch.float32)
    values = values / values.mean()
    # per input: a blend of styles reads the blend of their numbers (``style @ result``)
    return torch.linalg.pinv(torch.from_numpy(np.asarray(batches.styles, np.float32))) @ values


# -- the run ----------------------------------------------------------------------------


def train(
    out: Path,
    batches: Batches,
    settings: Settings,
    *,
    resume: bool = False,
    device: str = "cpu",
    log_every: int = 10,
    save_every: int = 100,
    weights: Any = None,
    features: Any = None,
    echo: Any = None,
    until: int | None = None,
    start: Path | str | None = None,
) -> list[dict]:
    """Fine-tune, writing ``log.jsonl`` and ``checkpoint.pt`` into ``out``; returns the log.

    ``until``: stop after that step, the schedule still spanning ``settings.steps`` (a run
    resumed later with other weights goes on as if it had not stopped). ``start``: a
    checkpoint whose network the student starts from (a fresh optimizer and schedule), or
    ``"shipped"``: the network restyle ships trained from ``settings.network``.
    """
    from restyle.stylizers.features import PredictorFeatures

    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    weights = weights if weights is not None else transformer_weights(settings.network)
    teacher = from_weights(weights).to(device).eval()
    for p in teacher.parameters():
        p.requires_grad = False
    student = make_student(weights, settings).to(device)
    features = with_style_vector(features or PredictorFeatures()).to(device)
    free = [(n, p) for n, p in student.named_parameters() if p.requires_grad]
    # the new skip path starts at zero, where Adam moves a weight about lr a step: faster
    groups = [
        {"params": [p for n, p in free if not n.startswith("skip.")], "scale": 1.0},
        {"params": [p for n, p in free if n.startswith("skip.")], "scale": SKIP_LR},
    ]
    optimizer = torch.optim.Adam([g for g in groups if g["params"]], lr=settings.lr)
    step = 0
    checkpoint = out / "checkpoint.pt"
    if start is not None and not (resume and checkpoint.exists()):
        if str(start) == SHIPPED:
            shipped = make_student(shipped_trained(settings.network), settings)
            state = {"model": shipped.state_dict()}
        else:
            state = torch.load(start, map_location=device, weights_only=False)
        student.load_state_dict(state["model"])
    if resume and checkpoint.exists():
        state = torch.load(checkpoint, map_location=device, weights_only=False)
        student.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step = state["step"]
        rng.setstate(state["rng"])
        torch.set_rng_state(state["torch_rng"])
    (out / "settings.json").write_text(json.dumps(asdict(settings), indent=2))
    sensitivity = None
    if settings.equivariance_relative:
        sensitivity = teacher_sensitivity(teacher, batches, settings)
        per_style = torch.from_numpy(np.asarray(batches.styles, np.float32)) @ sensitivity
        rounded = [round(float(v), 4) for v in per_style]
        (out / "sensitivity.json").write_text(json.dumps(rounded))
    log: list[dict] = []
    started = time.monotonic()
    with open(out / "log.jsonl", "a", encoding="utf-8") as log_file:
        last = min(settings.steps, until or settings.steps)
        while step < last and time.monotonic() - started < 60 * settings.minutes:
            progress = step / max(1, settings.steps)
            lr = settings.lr_end + 0.5 * (settings.lr - settings.lr_end) * (
                1 + math.cos(math.pi * progress)
            )
            for group in optimizer.param_groups:
                group["lr"] = lr * group.get("scale", 1.0)
            images, style, aim_at = batches.sample(rng)
            total, terms = losses(
                student, teacher, features, images.to(device), style.to(device), settings, rng,
                aim_at.to(device), sensitivity,
            )  # fmt: skip
            optimizer.zero_grad()
            total.backward()
            optimizer.step()
            step += 1
            if step % log_every == 0 or step == 1:
                entry = {"step": step, "lr": lr, "seconds": round(time.monotonic() - started, 1)}
                entry.update(asdict(terms))
                log.append(entry)
                log_file.write(json.dumps(entry) + "\n")
                log_file.flush()
                if echo:
                    echo(entry)
            if step % save_every == 0:
                _save(checkpoint, student, optimizer, step, rng)
    _save(checkpoint, student, optimizer, step, rng)
    return log


def _save(path: Path, student: Transformer, optimizer: Any, step: int, rng: random.Random) -> None:
    """The checkpoint, written whole or not at all."""
    state = {
        "model": student.state_dict(),
        "optimizer": optimizer.state_dict(),
        "step": step,
        "rng": rng.getstate(),
        "torch_rng": torch.get_rng_state(),
    }
    partial = path.with_suffix(".part")
    torch.save(state, partial)
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    """The command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for log and checkpoints")
    parser.add_argument("--content", type=Path, nargs="+", required=True, help="photos, videos")
    parser.add_argument(
        "--styles", type=Path, nargs="+", help="paintings (the arbitrary-style network)"
    )
    parser.add_argument("--resume", action="store_true", help="go on from the checkpoint")
    parser.add_argument(
        "--start", help=f"a checkpoint whose network to start from, or {SHIPPED!r}: restyle's"
    )
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--threads", type=int, help="CPU threads (default: torch's choice)")
    parser.add_argument(
        "--until", type=int, help="stop after this step; the schedule still spans --steps"
    )
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--save-every", type=int, default=100)
    defaults = Settings()
    for name, value in asdict(defaults).items():
        kind = type(value)
        if kind is bool:
            parser.add_argument(
                f"--{name.replace('_', '-')}", type=lambda t: t == "true", default=value
            )
        else:
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=value)
    args = parser.parse_args(argv)
    settings = Settings(**{k: getattr(args, k) for k in asdict(defaults)})
    if settings.moves not in MOVES:
        parser.error(f"--moves must be one of {', '.join(MOVES)}")
    if settings.network not in NETWORKS:
        parser.error(f"--network must be one of {', '.join(NETWORKS)}")
    arbitrary = settings.network == "arbitrary_transform"
    if arbitrary and settings.equivariance_relative:
        parser.error("--equivariance-relative goes with the 26-style network's built-in styles")
    if arbitrary != bool(args.styles):
        parser.error("--styles goes with the arbitrary-style network, and only with it")
    if args.threads:
        torch.set_num_threads(args.threads)
    if arbitrary:
        styles, targets = style_vectors(args.styles), None
    else:
        styles = builtin_styles(BUILTIN_STYLES)
        targets = swatch_vectors(transformer_weights(settings.network), styles)
    batches = Batches(read_pictures(args.content), styles, settings, targets)
    train(
        args.out,
        batches,
        settings,
        resume=args.resume,
        device=args.device,
        log_every=args.log_every,
        save_every=args.save_every,
        echo=lambda entry: print(json.dumps(entry), flush=True),
        until=args.until,
        start=args.start if args.start in (None, SHIPPED) else Path(args.start),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
