"""Keyframes of a style video: the N frames whose styles stand for the whole video.

Three ways to pick them (``method``):

- ``uniform`` (the report's method): cut the video into N equal runs of frames and take the
  middle frame of each, frame ``int((k + 0.5) * F / N)`` of ``F`` frames;
- ``change``: where the picture changes most. The mean squared error between neighbouring
  frames (16 px wide colour copies: moving texture averages out) jumps at cuts and
  crossfades. The opening and the N - 1 strongest changes (by how much the picture differs
  across each) are kept, a whole crossfade counting once, each at the frame where the new
  picture has settled (the new painting, not a blend);
- ``diverse`` (default): sample up to ``samples`` frames evenly, drop near-black, near-uniform
  and blurry ones (variance of the Laplacian), compute their style vectors with the
  predictor, leave out samples caught in a transition (style changing much faster than
  usual), and choose N far apart in style space: farthest-point picks refined by swaps that
  maximise the smallest pairwise distance, so each keyframe comes from a different look.

Every method streams: a first pass measures (times, changes, style vectors of the samples),
a second pass fetches the chosen frames. Memory holds a handful of frames, never the video.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..errors import InputError
from ..media.reader import open_video
from ..models.engine import Engine
from ..registries import KEYFRAME_PICKERS
from .embed import style_input
from .style import ARBITRARY, Style

DEFAULT_SAMPLES = 64
CHANGE_SIDE = 16  # the change detector compares colour copies this wide
QUALITY_SIDE = 512  # sharpness is measured at most this large
DARK_LUMA = 16.0  # mean luma (0-255) below which a frame is near-black
FLAT_STD = 6.0  # luma standard deviation below which a frame is near-uniform
BLUR_ABSOLUTE = 40.0  # Laplacian variance (see frame_quality) that may count as blurry
BLUR_RELATIVE = 0.3  # ... when also below this fraction of the video's median sharpness
STEADY_FACTOR = 3.0  # samples changing style this much faster than usual are in a transition
_EMBED_BATCH = 8

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Keyframe:
    """One chosen style frame: an HxWx3 uint8 RGB image (upright), where it is, its style."""

    time: float  # seconds from the start of the style video
    index: int  # frame number, 0-based, in decode order
    image: np.ndarray = field(repr=False)  # HxWx3 uint8 RGB, turned upright
    style: Style = field(repr=False)


@dataclass(frozen=True)
class StyleSample:
    """A sampled frame of a style video: its time and style, and a small thumbnail for previews."""

    time: float
    index: int
    style: Style = field(repr=False)
    thumbnail: np.ndarray = field(repr=False)  # HxWx3 uint8 RGB, longest side THUMB_SIDE


THUMB_SIDE = 160


# -- frame measures ---------------------------------------------------------------------


def upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """An HxWx3 uint8 frame turned for display by its counter-clockwise ``rotation`` degrees."""
    k = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k)) if k else image


def thumbnail(image: np.ndarray, side: int = THUMB_SIDE) -> np.ndarray:
    """A copy of an HxWx3 uint8 image scaled so its longest side is at most ``side``."""
    h, w = image.shape[:2]
    scale = min(1.0, side / max(h, w))
    if scale >= 1.0:
        return image.copy()
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _small(image: np.ndarray) -> np.ndarray:
    """A CHANGE_SIDE-wide float32 copy: colour and layout survive, fine texture averages out."""
    h, w = image.shape[:2]
    size = (CHANGE_SIDE, max(1, round(h * CHANGE_SIDE / w)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def frame_quality(image: np.ndarray) -> tuple[float, float, float]:
    """(mean luma, luma std, variance of the Laplacian) of an HxWx3 uint8 frame, 0-255 scale.

    Sharpness is measured at the frame's own size, or at QUALITY_SIDE px when larger, so
    small videos are not judged blurry for being small.
    """
    h, w = image.shape[:2]
    if max(h, w) > QUALITY_SIDE:
        scale = QUALITY_SIDE / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(grey.mean()), float(grey.std()), float(cv2.Laplacian(grey, cv2.CV_32F).var())


def usable_mask(quality: np.ndarray) -> np.ndarray:
    """True for frames that are not near-black, near-uniform or blurry (rows of frame_quality)."""
    quality = np.asarray(quality, np.float64).reshape(-1, 3)
    lit = (quality[:, 0] >= DARK_LUMA) & (quality[:, 1] >= FLAT_STD)
    if not lit.any():
        return lit
    median = float(np.median(quality[lit, 2]))
    blurry = quality[:, 2] < min(BLUR_ABSOLUTE, BLUR_RELATIVE * median)
    return lit & ~blurry


# -- choosing ---------------------------------------------------------------------------


def uniform_indices(frames: int, count: int) -> list[int]:
    """Middle frame of each of ``count`` equal runs of ``frames`` frames."""
    return [int((k + 0.5) * frames / count) for k in range(count)]


def change_indices(changes: np.ndarray, count: int, smalls: np.ndarray | None = None) -> list[int]:
    """Frames that open the ``count - 1`` strongest changes, plus the opening, in time order.

    ``changes[i]`` is the mean squared error between frame ``i`` and frame ``i - 1``
    (``changes[0]`` is ignored). A change is a run of frames whose error stands out (above
    3x the median and a tenth of the largest): one cut, or one whole crossfade, counts once,
    and its keyframe is its last frame, where the new picture has settled. Changes are
    ranked by how much the picture differs across them (``smalls``: the small copies of the
    frames) -- a crossfade to another painting outranks a jolt of the camera -- or by their
    peak error without ``smalls``. When the video has fewer changes than needed, the
    middles of the longest stretches between keyframes fill in.
    """
    frames = len(changes)
    diff = np.asarray(changes, np.float64).copy()
    diff[0] = 0.0
    median = float(np.median(diff[1:])) if frames > 1 else 0.0
    calm = max(3.0 * median, 0.1 * float(diff.max()), 1.0)
    events: list[tuple[float, int]] = []  # (strength, settled frame)
    opening = 0
    i = 1
    while i < frames:
        if diff[i] <= calm:
            i += 1
            continue
        start = i
        while i + 1 < frames and diff[i + 1] > calm:
            i += 1
        if start <= 1:
            opening = i  # the video opens with a transition: start once it has settled
        elif smalls is not None:
            across = smalls[i].astype(np.float64) - smalls[start - 1]
            events.append((float(np.mean(across**2)), i))
        else:
            events.append((float(diff[start : i + 1].max()), i))
        i += 1
    events.sort(key=lambda e: (-e[0], e[1]))
    chosen = sorted({opening, *(frame for _, frame in events[: count - 1])})
    while len(chosen) < count:
        bounds = [*chosen, frames]
        widths = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        k = int(np.argmax(widths))
        if widths[k] < 2:  # no room left after the keyframes: use frames before the first
            chosen = sorted({*range(count - len(chosen)), *chosen})[:count]
            break
        chosen = sorted({*chosen, bounds[k] + widths[k] // 2})
    return chosen


def steady_mask(vectors: np.ndarray, factor: float = STEADY_FACTOR) -> np.ndarray:
    """True for samples (rows, in time order) whose style is not in the middle of a change.

    A sample's instability is the mean style distance to its neighbours in time; samples
    more than ``factor`` times the median instability sit in a crossfade or a cut.
    """
    vectors = np.asarray(vectors, np.float64)
    if len(vectors) < 3:
        return np.ones(len(vectors), bool)
    before = np.linalg.norm(vectors[1:-1] - vectors[:-2], axis=1)
    after = np.linalg.norm(vectors[1:-1] - vectors[2:], axis=1)
    step = np.linalg.norm(np.diff(vectors, axis=0), axis=1)
    instability = np.concatenate([[step[0]], 0.5 * (before + after), [step[-1]]])
    return instability <= factor * float(np.median(instability)) + 1e-9


def _spread(dist: np.ndarray, chosen: list[int]) -> tuple[float, float]:
    """(smallest, mean) pairwise distance of the chosen rows: larger is further apart."""
    if len(chosen) < 2:
        return (0.0, 0.0)
    sub = dist[np.ix_(chosen, chosen)]
    pairs = sub[np.triu_indices(len(chosen), 1)]
    return (float(pairs.min()), float(pairs.mean()))


def diverse_indices(vectors: np.ndarray, count: int, rounds: int = 20) -> list[int]:
    """Rows of ``vectors`` (M x D, in time order) whose styles are far apart from each other.

    Steady samples only (see :func:`steady_mask`) when enough are steady. Farthest-point
    selection (from every possible first pick) followed by single swaps maximises the
    smallest pairwise distance (then the mean): one pick from each distinct look, never two
    from one look while another is left out. Returns ``count`` rows in increasing order.
    """
    vectors = np.asarray(vectors, np.float64)
    m = len(vectors)
    if count >= m:
        return list(range(m))
    steady = steady_mask(vectors)
    pool = np.flatnonzero(steady) if steady.sum() >= count else np.arange(m)
    dist = np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=2)
    best: list[int] = []
    best_score = (-1.0, -1.0)
    for first in pool:
        chosen = [int(first)]
        nearest = dist[first, pool].copy()
        while len(chosen) < count:
            nxt = int(pool[np.argmax(nearest)])
            chosen.append(nxt)
            nearest = np.minimum(nearest, dist[nxt, pool])
        score = _spread(dist, chosen)
        if score > best_score:
            best, best_score = chosen, score
    for _ in range(rounds):
        improved = False
        for slot in range(count):
            for candidate in pool:
                if candidate in best:
                    continue
                trial = [*best[:slot], int(candidate), *best[slot + 1 :]]
                score = _spread(dist, trial)
                if score > best_score:
                    best, best_score, improved = trial, score, True
        if not improved:
            break
    return sorted(best)


# -- streaming passes -------------------------------------------------------------------


def _open(path: Path):
    try:
        return open_video(path)
    except InputError as exc:
        raise InputError(f"cannot read the style video: {exc}") from None


Embed = Callable[[list[np.ndarray]], np.ndarray]


def _embedder(engine: Engine | None) -> Embed:
    predictor = (engine or Engine()).predictor()
    return lambda batch: predictor.predict(np.stack(batch))


def _scan(
    path: Path,
    *,
    changes: bool = False,
    stride: int = 0,
    fit: str = "crop",
    embed: Callable[[list[np.ndarray]], np.ndarray] | None = None,
    progress: Progress | None = None,
) -> dict:
    """First pass: times, neighbour changes and (every ``stride``-th frame) quality and style."""
    times: list[float] = []
    diffs: list[float] = []
    smalls: list[np.ndarray] = []  # CHANGE_SIDE-wide uint8 copies: about 0.5 kB a frame
    picked: list[int] = []
    quality: list[tuple[float, float, float]] = []
    vectors: list[np.ndarray] = []
    thumbs: list[np.ndarray] = []
    pending: list[np.ndarray] = []
    previous = None
    with _open(path) as reader:
        rotation = reader.info.rotation
        expected = reader.info.frame_count
        for frame in reader:
            times.append(frame.time)
            if changes:
                small = _small(frame.image)
                diffs.append(0.0 if previous is None else float(np.mean((small - previous) ** 2)))
                previous = small
                smalls.append(small.round().astype(np.uint8))
            if stride and frame.index % stride == 0:
                image = upright(frame.image, rotation)
                prepared = style_input(image, fit)
                picked.append(frame.index)
                quality.append(frame_quality(image))
                thumbs.append(thumbnail(image))
                pending.append(prepared)
                if embed is not None and len(pending) == _EMBED_BATCH:
                    vectors.append(embed(pending))
                    pending = []
            if progress:
                progress(frame.index + 1, max(expected, frame.index + 1))
    if embed is not None and pending:
        vectors.append(embed(pending))
    return {
        "times": times,
        "changes": np.asarray(diffs, np.float64),
        "smalls": np.stack(smalls) if smalls else None,
        "picked": picked,
        "quality": np.asarray(quality, np.float64).reshape(-1, 3),
        "vectors": np.concatenate(vectors) if vectors else np.zeros((0, 0), np.float32),
        "thumbs": thumbs,
        "rotation": rotation,
    }


def _fetch(path: Path, indices: Sequence[int]) -> dict[int, np.ndarray]:
    """Second pass: the upright images of the frames numbered ``indices``."""
    wanted = set(indices)
    found: dict[int, np.ndarray] = {}
    with _open(path) as reader:
        rotation = reader.info.rotation
        for frame in reader:
            if frame.index in wanted:
                found[frame.index] = upright(frame.image, rotation).copy()
                if len(found) == len(wanted):
                    break
    if len(found) < len(wanted):
        raise InputError(f"the style video {path} changed while it was read; try again")
    return found


def _stride(path: Path, samples: int) -> int:
    with _open(path) as reader:
        expected = reader.info.frame_count
    return max(1, -(-expected // samples))


def _too_few(path: Path, usable: int, count: int, what: str = "usable frames") -> InputError:
    return InputError(
        f"the style video {path.name} has {usable} {what}, fewer than the {count} keyframes "
        f"asked for; ask for at most {max(usable, 1)} keyframes"
    )


def sample_styles(
    video: str | os.PathLike[str],
    *,
    samples: int = DEFAULT_SAMPLES,
    fit: str = "crop",
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> list[StyleSample]:
    """The styles of up to ``samples`` evenly spaced usable frames of a style video, in time order.

    Arguments:
        video: the style video.
        samples: how many frames to sample at most (evenly spaced by frame number).
        fit, engine: as in :func:`restyle.styles.embed.embed_images`.
        progress: called as ``progress(frames_read, frames_expected)``.

    Returns:
        :class:`StyleSample` objects of the usable (not near-black, near-uniform or blurry)
        sampled frames.

    Raises:
        InputError: the video cannot be read or no sampled frame is usable.
    """
    path = Path(video)
    if samples < 1:
        raise InputError(f"samples must be at least 1, got {samples}")
    embed = _embedder(engine)
    scan = _scan(path, stride=_stride(path, samples), fit=fit, embed=embed, progress=progress)
    keep = usable_mask(scan["quality"])
    if not keep.any():
        raise _too_few(path, 0, 1)
    name = path.name
    return [
        StyleSample(
            time=scan["times"][i],
            index=i,
            style=Style(ARBITRARY, scan["vectors"][n], f"{name}@{scan['times'][i]:.2f}s"),
            thumbnail=scan["thumbs"][n],
        )
        for n, i in enumerate(scan["picked"])
        if keep[n]
    ]


Picked = tuple[dict, list[int], list[np.ndarray] | None]  # the scan, frame indices, vectors


def pick_diverse(
    path: Path, count: int, samples: int, fit: str, embed: Embed, progress: Progress | None
) -> Picked:
    """``diverse``: sampled usable frames far apart in style space (module docstring)."""
    scan = _scan(
        path, stride=_stride(path, max(samples, count)), fit=fit, embed=embed, progress=progress
    )
    keep = np.flatnonzero(usable_mask(scan["quality"]))
    if len(scan["times"]) < count:
        raise _too_few(path, len(scan["times"]), count, "frames")
    if len(keep) < count:
        raise _too_few(path, len(keep), count)
    rows = [int(keep[r]) for r in diverse_indices(scan["vectors"][keep], count)]
    return scan, [scan["picked"][r] for r in rows], [scan["vectors"][r] for r in rows]


def pick_uniform(
    path: Path, count: int, samples: int, fit: str, embed: Embed, progress: Progress | None
) -> Picked:
    """``uniform``: the middle frame of each of ``count`` equal runs of frames."""
    scan = _scan(path, progress=progress)
    frames = len(scan["times"])
    if frames < count:
        raise _too_few(path, frames, count, "frames")
    return scan, uniform_indices(frames, count), None


def pick_change(
    path: Path, count: int, samples: int, fit: str, embed: Embed, progress: Progress | None
) -> Picked:
    """``change``: the opening and where the picture changes most."""
    scan = _scan(path, changes=True, progress=progress)
    frames = len(scan["times"])
    if frames < count:
        raise _too_few(path, frames, count, "frames")
    return scan, change_indices(scan["changes"], count, scan["smalls"]), None


def extract_keyframes(
    video: str | os.PathLike[str],
    count: int = 5,
    *,
    method: str = "diverse",
    samples: int = DEFAULT_SAMPLES,
    fit: str = "crop",
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> list[Keyframe]:
    """Pick ``count`` keyframes of a style video, in time order (see the module docstring).

    Arguments:
        video: the style video.
        count: how many keyframes.
        method: a keyframe picker of :data:`restyle.registries.KEYFRAME_PICKERS`:
            ``"diverse"`` (default), ``"uniform"`` or ``"change"``.
        samples: frames sampled by ``diverse`` (at most; evenly spaced).
        fit: how a frame is fitted to the style network's square (``"crop"`` or ``"whole"``).
        engine: where and how the style predictor runs.
        progress: called as ``progress(frames_read, frames_expected)`` during the first pass.

    Returns:
        ``count`` :class:`Keyframe` objects (time, frame index, upright image, style).

    Raises:
        InputError: an unknown method, a count below 1, an unreadable video, or a video with
            fewer (usable) frames than ``count``.
    """
    path = Path(video)
    pick = KEYFRAME_PICKERS.load(method)
    if count < 1:
        raise InputError(f"the number of keyframes must be at least 1, got {count}")
    embed = _embedder(engine)
    scan, indices, vectors = pick(path, count, samples, fit, embed, progress)
    images = _fetch(path, indices)
    if vectors is None:
        vectors = list(embed([style_input(images[i], fit) for i in indices]))
    times = scan["times"]
    return [
        Keyframe(
            time=times[i],
            index=i,
            image=images[i],
            style=Style(ARBITRARY, vec, f"{path.name}@{times[i]:.2f}s"),
        )
        for i, vec in zip(indices, vectors, strict=True)
    ]
