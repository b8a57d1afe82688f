"""The public API: the few functions a newcomer calls. The CLI is a thin shell over these."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from PIL import Image

from .errors import InputError
from .media.image import ImageInput, load_image
from .media.reader import open_video
from .media.stills import frames_at, is_video_path
from .metrics.grid import compose_grid
from .metrics.preview import SideBySide, format_time
from .metrics.report import Evaluation, evaluate_video
from .pipeline import EncodeOptions, VideoResult, run_video
from .styles.embed import StyleLike, embed_images, resolve_style
from .styles.keyframes import Keyframe
from .styles.keyframes import extract_keyframes as _extract_keyframes
from .styles.plan import plan_styles
from .styles.spec import StyleSpec, style_item
from .styles.style import ARBITRARY, BUILTIN, Style
from .stylizers import (
    DEFAULT_METHOD,
    LookOptions,
    MethodOptions,
    Stylizer,
    create_stylizer,
    resolves_own_styles,
)
from .stylizers.swatch import swatch
from .temporal.filters import create_filter

PathLike = str | os.PathLike[str]


def stylize_image(
    content: ImageInput,
    style: StyleLike | Sequence[StyleLike],
    *,
    strength: float = 1.0,
    preserve_color: bool = False,
    max_size: int | None = 1280,
    style_fit: str = "crop",
    method: str = DEFAULT_METHOD,
    device: str = "auto",
    model_dir: PathLike | None = None,
    precision: str = "float",
    method_options: MethodOptions | Mapping[str, object] | None = None,
) -> np.ndarray:
    """Paint a content image in a style; returns an HxWx3 uint8 RGB array of the content's size.

    Arguments:
        content: a path, PIL image or HxWx3 array.
        style: a style image (path, PIL image, array), a ``--style`` string such as
            ``"painting.jpg:0.7"`` or ``"builtin:7"``, a :class:`~restyle.styles.Style` from
            :func:`style_vector` (compute once, reuse), or a list of these to blend.
        strength: 0..1, how much of the style (1 = all).
        preserve_color: keep the content's colours, paint only luminance.
        max_size: longest side the network paints at (default 1280); larger images are
            painted at that size and scaled back. ``None``: always the image's own size.
        style_fit: ``"crop"`` (centre square of the painting) or ``"whole"`` (padded).
        method: stylization method (``"network"``: the arbitrary-style network, or the
            26-style network for built-in styles; ``"gatys"``: Gatys et al.'s optimization,
            needs PyTorch; ``"segmented"``: GrabCut foreground and background painted apart).
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        model_dir: a folder holding the weights (overrides the installed ones).
        precision: ``"float"`` (default, dequantized fast graph) or ``"int8"`` (shipped graph).
        method_options: settings of the gatys and segmented methods, a
            :class:`~restyle.stylizers.MethodOptions` or a mapping of its field names
            (``{"iterations": 50, "features": "vgg19", "fg_rect": (10, 10, 80, 60)}``).

    Returns:
        The stylized image, HxWx3 uint8 RGB, exactly the content's size.

    Raises:
        InputError: unreadable content or style, bad options.
        ModelError, DeviceError: weights or device unavailable.
    """
    image = load_image(content)
    resolved, stylizer = _prepare(
        style,
        method,
        LookOptions(max_size, strength, preserve_color),
        fit=style_fit,
        device=device,
        model_dir=model_dir,
        precision=precision,
        method_options=method_options,
    )
    return stylizer.stylize_image(image, resolved)


def _prepare(
    style: StyleLike | Sequence[StyleLike],
    method: str,
    look: LookOptions,
    fit: str,
    device: str,
    model_dir: PathLike | None,
    precision: str,
    method_options: MethodOptions | Mapping[str, object] | None = None,
) -> tuple[Style, Stylizer]:
    """Resolve the style once and make the stylizer that paints it."""
    if resolves_own_styles(method):  # gatys, segmented: the stylizer reads the paintings
        stylizer = create_stylizer(
            method,
            None,
            look,
            device=device,
            model_dir=model_dir,
            precision=precision,
            method_options=MethodOptions.of(method_options),
        )
        return stylizer.resolve(style, fit), stylizer  # type: ignore[attr-defined]
    resolved = resolve_style(
        style, fit=fit, device=device, model_dir=model_dir, precision=precision
    )
    stylizer = create_stylizer(
        method, resolved.space, look, device=device, model_dir=model_dir, precision=precision
    )
    return resolved, stylizer


def stylize_video(
    source: PathLike,
    output: PathLike,
    style: StyleLike | Sequence[StyleLike] | None = None,
    *,
    style_video: PathLike | None = None,
    keyframes: int = 5,
    keyframe_method: str = "diverse",
    transition: str | None = None,
    easing: str = "smooth",
    hold: float = 0.3,
    side_by_side: bool = False,
    strength: float = 1.0,
    preserve_color: bool = False,
    max_size: int | None = 1280,
    style_fit: str = "crop",
    method: str = DEFAULT_METHOD,
    start: float | None = None,
    duration: float | None = None,
    fps: float | None = None,
    every: int = 1,
    crf: int | None = None,
    preset: str = "veryfast",
    batch_size: int = 1,
    workers: int | None = None,
    temporal: str = "flow",
    smooth: float | None = None,
    flow_size: int | None = None,
    sharpness: float | None = None,
    flow_quality: str = "fast",
    device: str = "auto",
    model_dir: PathLike | None = None,
    precision: str = "float",
    method_options: MethodOptions | Mapping[str, object] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> VideoResult:
    """Paint every frame of a video in a style; keeps its audio, timing, size and rotation.

    Arguments:
        source: the video to paint.
        output: ``.mp4``/``.mov``/``.mkv`` (H.264), ``.webm`` (VP9), or an image pattern
            such as ``frames/%05d.png``. Written only when complete.
        style: as in :func:`stylize_image`; computed once for the whole video. Several
            styles are blended, or take turns with ``transition="segments"``.
        style_video: take the style from this video instead: ``keyframes`` keyframes picked
            by ``keyframe_method`` (``"diverse"``, ``"uniform"``, ``"change"``; see
            :func:`extract_keyframes`) take turns (``transition="segments"``, the default),
            or the style follows the style video's own time (``transition="follow"``).
        transition: ``"segments"`` or ``"follow"``; None: one style (or segments for a
            style video).
        easing, hold: how a style hands over to the next: ``"linear"``, ``"smooth"``
            (default) or ``"cosine"``, and the fraction 0..1 of each part a style stays
            pure (default 0.3).
        side_by_side: write ``source | stylized`` with the current style(s) in a corner.
        start, duration: the part of the source to paint, in seconds (like ffmpeg -ss/-t).
        fps: resample to this frame rate; every: keep every N-th frame (quick previews).
        crf, preset: quality (lower crf = better; default H.264 18, VP9 31) and x264 speed
            (default veryfast).
        batch_size: frames per network call (1 is fastest on a CPU).
        workers: network calls at once (None: 2 on a CPU, each on half the cores; 1 on
            CUDA); the frames come out the same.
        temporal: flicker removal: ``"flow"`` (default: each painted frame averaged with
            the frames before and after it, moved along the optical flow, where the flow
            is reliable), ``"blend"`` (unwarped blend with the previous output) or
            ``"none"`` (frame by frame).
        smooth: weight of the neighbouring frames, 0..1 (more = less flicker, more
            smoothing), on textured paint (flat areas get less); default for flow: set
            frame by frame to keep ``sharpness``; 0.5 for blend.
        sharpness: for flow without ``smooth``, the mean SSIM of each output frame to the
            frame painted on its own that the filter holds (default 0.855): higher keeps
            more of each frame's detail and removes less flicker.
        flow_size: long side the ``flow`` method computes optical flow at (default: half
            the video's long side, 320 to 640 px): larger follows motion more closely
            (less flicker) and takes longer.
        flow_quality: ``"fast"`` (default) or ``"high"``: how finely the ``flow`` method
            solves the optical flow; ``"high"`` removes 6-10 % more flicker at the
            same sharpness and paints about a tenth slower on a CPU.
        progress: called as ``progress(frames_done, frames_expected)``.
        cancel: set this event from another thread to stop; nothing is written then.
        Other arguments: as in :func:`stylize_image`.

    Returns:
        A :class:`~restyle.pipeline.VideoResult` (frames, seconds, fps, output, ...).

    Raises:
        InputError: unreadable video or style, bad options.
        OutputError: the output cannot be written (or is the input).
    """
    with open_video(source, start=start, duration=duration, fps=fps, every=every) as reader:
        info = reader.info
    look = LookOptions(max_size, strength, preserve_color)
    job = {  # what every video job shares, whatever paints it
        "start": start,
        "duration": duration,
        "fps": fps,
        "every": every,
        "encode": EncodeOptions(crf=crf, preset=preset),
        "batch_size": batch_size,
        "workers": workers,
        "progress": progress,
        "cancel": cancel,
    }
    if resolves_own_styles(method):  # gatys, segmented: one style, no style video
        if style_video is not None or side_by_side:
            raise InputError(f"--style-video and --side-by-side need --method network ({method})")
        resolved, stylizer = _prepare(
            style, method, look, style_fit, device, model_dir, precision, method_options
        )
        # the pipeline passes frames in order; Gatys with flow handles --temporal itself
        own = stylizer.start_video(temporal)  # type: ignore[attr-defined]
        return run_video(
            source,
            output,
            stylizer,
            lambda _t: resolved,
            frame_filter=create_filter(
                "none" if own else temporal, smooth, flow_size, sharpness, flow_quality
            ),
            **job,  # type: ignore[arg-type]
        )
    plan = plan_styles(
        style,
        info.duration,
        style_video=style_video,
        keyframes=keyframes,
        keyframe_method=keyframe_method,
        transition=transition,
        easing=easing,
        hold=hold,
        fit=style_fit,
        device=device,
        model_dir=model_dir,
        precision=precision,
    )
    stylizer = create_stylizer(
        method, plan.space, look, device=device, model_dir=model_dir, precision=precision
    )
    compose = None
    if side_by_side:
        pictures, where = plan.pictures, plan.schedule.position
        compose = SideBySide(info.width, info.height, info.rotation, pictures, where)
    frame_filter = create_filter(temporal, smooth, flow_size, sharpness, flow_quality)
    return run_video(
        source,
        output,
        stylizer,
        plan.schedule,
        frame_filter=frame_filter,
        compose=compose,
        output_size=compose.output_size if compose else None,
        **job,  # type: ignore[arg-type]
    )


def extract_keyframes(
    style_video: PathLike,
    count: int = 5,
    *,
    method: str = "diverse",
    samples: int = 64,
    style_fit: str = "crop",
    device: str = "auto",
    model_dir: PathLike | None = None,
    precision: str = "float",
    progress: Callable[[int, int], None] | None = None,
) -> list[Keyframe]:
    """Pick ``count`` style keyframes of a style video, in time order.

    Arguments:
        style_video: the video whose look changes as it plays.
        count: how many keyframes.
        method: ``"diverse"`` (default: sampled frames far apart in style space, skipping
            dark, flat, blurry and mid-transition frames), ``"uniform"`` (the middle frame of
            each of ``count`` equal parts) or ``"change"`` (where the picture changes most).
        samples: frames sampled by ``diverse`` (at most).
        progress: called as ``progress(frames_read, frames_expected)``.
        Other arguments: as in :func:`stylize_image`.

    Returns:
        :class:`~restyle.styles.keyframes.Keyframe` objects: ``time`` (s), ``index`` (frame
        number), ``image`` (HxWx3 uint8 RGB, upright) and ``style`` (a reusable Style).

    Raises:
        InputError: unreadable video, unknown method, or fewer usable frames than ``count``.
    """
    return _extract_keyframes(
        style_video,
        count,
        method=method,
        samples=samples,
        fit=style_fit,
        device=device,
        model_dir=model_dir,
        precision=precision,
        progress=progress,
    )


def evaluate(
    source: PathLike,
    stylized: PathLike,
    *,
    reference: PathLike | None = None,
    style: StyleLike | Sequence[StyleLike] | None = None,
    style_fit: str = "crop",
    device: str = "auto",
    model_dir: PathLike | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Measure flicker, fidelity, content structure and style distance of a stylized video.

    Arguments:
        source: the original video.
        stylized: the stylized video (made from the same frames).
        reference: the per-frame stylization (``--temporal none``), for fidelity.
        style: the style image(s) used, for the style distance (each is compared, nearest
            counts).
        Other arguments: as in :func:`stylize_image`.

    Returns:
        An :class:`~restyle.metrics.report.Evaluation`.

    Raises:
        InputError: unreadable videos, different frame counts, bad style.
    """
    vectors = None
    embed = None
    if style is not None:
        items = list(style) if isinstance(style, list | tuple) else [style]
        resolved = [
            resolve_style(s, fit=style_fit, device=device, model_dir=model_dir) for s in items
        ]
        if any(s.space != "arbitrary" for s in resolved):
            raise InputError("style distance needs style images, not built-in styles")
        vectors = np.stack([s.vector for s in resolved])

        def embed(frames: Sequence[np.ndarray]) -> np.ndarray:
            return embed_images(frames, fit="crop", device=device, model_dir=model_dir)

    return evaluate_video(
        source, stylized, reference=reference, style_vectors=vectors, embed=embed, progress=progress
    )


def style_vector(
    style: StyleLike | Sequence[StyleLike],
    *,
    style_fit: str = "crop",
    device: str = "auto",
    model_dir: PathLike | None = None,
    precision: str = "float",
) -> Style:
    """Compute a style (or a weighted blend) once, to pass to :func:`stylize_image` many times."""
    return resolve_style(
        style, fit=style_fit, device=device, model_dir=model_dir, precision=precision
    )


def style_grid(
    contents: Sequence[ImageInput],
    styles: Sequence[StyleLike],
    *,
    cell: int = 256,
    frames: int | None = None,
    at: Sequence[float] | None = None,
    content_labels: Sequence[str] | None = None,
    style_labels: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    **options: object,
) -> np.ndarray:
    """A grid of contents (rows) by styles (columns), with headers; HxWx3 uint8.

    A content that is a video gives one row per frame: ``frames`` frames spread over it
    (default 3), or the frames at the times ``at`` (seconds); its rows are labelled with the
    frames' times. A style's column header is its painting, or for a built-in style (or a
    Style computed before) a swatch: that style painted on a fixed neutral picture.
    ``options`` are those of :func:`stylize_image` (strength, method, max_size, ...).

    Raises:
        InputError: unreadable contents or styles, ``frames``/``at`` without a video, a
            time past a video's end.
    """
    if (frames is not None or at is not None) and not any(is_video_path(c) for c in contents):
        raise InputError("--frames and --at pick frames of a video; give a video as --content")
    images: list[np.ndarray] = []
    labels: list[str] = []
    videos = sum(is_video_path(c) for c in contents)
    for i, content in enumerate(contents):
        if is_video_path(content):
            name = os.path.basename(os.fspath(content))  # type: ignore[arg-type]
            for t, image in frames_at(content, at, frames):  # type: ignore[arg-type]
                images.append(image)
                labels.append(format_time(t) if videos == 1 else f"{name} {format_time(t)}")
        else:
            images.append(load_image(content))
            labels.append(_label(content, i))
    fit = str(options.get("style_fit", "crop"))
    device = str(options.get("device", "auto"))
    model_dir = options.get("model_dir")
    precision = str(options.get("precision", "float"))
    own = resolves_own_styles(str(options.get("method", DEFAULT_METHOD)))
    resolved = [
        resolve_style(s, fit=fit, device=device, model_dir=model_dir, precision=precision)
        for s in styles
    ]
    headers = [
        _style_header(s, r, device, model_dir) for s, r in zip(styles, resolved, strict=True)
    ]
    painted_with = list(styles) if own else resolved  # gatys, segmented read the paintings
    total, done = len(images) * len(resolved), 0
    rows = []
    for img in images:
        row = []
        for st in painted_with:
            row.append(stylize_image(img, st, **options))  # type: ignore[arg-type]
            done += 1
            if progress:
                progress(done, total)
        rows.append(row)
    if content_labels is None:
        content_labels = labels
    if style_labels is None:
        style_labels = [
            r.label if isinstance(s, Style) else _label(s, i)
            for i, (s, r) in enumerate(zip(styles, resolved, strict=True))
        ]
    return compose_grid(rows, images, headers, content_labels, style_labels, cell=cell)


def _style_header(style: StyleLike, resolved: Style, device: str, model_dir: object) -> np.ndarray:
    """The picture above a style's column: its painting, or a swatch when it has none."""
    spec = style_item(style)
    if isinstance(spec, StyleSpec) and spec.builtin is None:
        return load_image(spec.source)
    if isinstance(spec, np.ndarray | Image.Image):
        return load_image(spec)
    if resolved.space not in (ARBITRARY, BUILTIN):
        return None  # a style of another method's space: nothing the network can show
    return swatch(resolved, device=device, model_dir=model_dir)  # type: ignore[arg-type]


def _label(item: object, index: int) -> str:
    if isinstance(item, str | os.PathLike):
        return os.path.basename(os.fspath(item))
    return f"#{index + 1}"
