"""The public API: the few functions a newcomer calls. The CLI and the web page are shells over it.

Options are given by name, the same names everywhere (``strength=0.8`` is ``--strength``,
``crf=0`` is ``--crf``); each is declared once with its bounds (see :mod:`restyle.job` and
the option groups it lists), so a bad value is an :class:`~restyle.errors.InputError`
naming it. A method's and a flicker filter's options can be given as one typed object
(``method=restyle.Gatys(iterations=200)``, ``temporal=restyle.Flow(sharpness=0.9)``) or as
flat keywords (``method="gatys", iterations=200``), typed for editors in
:mod:`restyle.keywords`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Unpack

import numpy as np
from PIL import Image

from .errors import InputError, kind_of
from .job import IMAGE_GROUPS, VideoJob, group_options
from .keywords import PictureOptions, VideoOptions
from .media.image import ImageInput, load_image
from .media.stills import frames_at, is_video_path
from .metrics.grid import compose_grid
from .metrics.long_term import DEFAULT_GAP
from .metrics.preview import format_time
from .metrics.report import Evaluation, evaluate_video
from .models.engine import Engine
from .rendering import VideoResult, render
from .rendering.progress import Meter, OnProgress
from .styles.embed import StyleLike, embed_images, resolve_style
from .styles.keyframes import DEFAULT_SAMPLES, Keyframe
from .styles.keyframes import extract_keyframes as _extract_keyframes
from .styles.spec import StyleSpec, style_item
from .styles.style import ARBITRARY, BUILTIN, Style
from .stylizers import Stylizer, create_stylizer
from .stylizers.swatch import swatch

PathLike = str | os.PathLike[str]


def painter(**options: Unpack[PictureOptions]) -> Stylizer:
    """A stylizer made once from picture options (``method``, ``strength``, ``device``, ...).

    Raises:
        InputError: an unknown option or a value out of its bounds.
    """
    groups = group_options(options, IMAGE_GROUPS)
    return create_stylizer(groups["method"], groups["look"], groups["engine"])  # type: ignore[arg-type]


def stylize_image(
    content: ImageInput,
    style: StyleLike | Sequence[StyleLike],
    **options: Unpack[PictureOptions],
) -> np.ndarray:
    """Paint a content image in a style; returns an HxWx3 uint8 RGB array of the content's size.

    Arguments:
        content: a path, PIL image or HxWx3 array.
        style: a style image (path, PIL image, array), a ``--style`` string such as
            ``"painting.jpg:0.7"`` or ``"builtin:7"``, a :class:`~restyle.Style` from
            :func:`style_vector` (compute once, reuse), or a list of these to blend.
        options: the picture options by name: ``strength`` (0..1), ``preserve_color``,
            ``max_size`` (longest side painted; None: full size), ``style_fit`` (``crop``
            or ``whole``), ``method`` (a name, ``network``, ``gatys``, ``segmented``, or
            its options: :class:`~restyle.Gatys`, ...) and that method's own options as
            flat keywords (``iterations``, ``fg_rect``, ...), ``device``, ``model_dir``,
            ``precision``, ``backend``. See :class:`~restyle.keywords.PictureOptions`.

    Returns:
        The stylized image, HxWx3 uint8 RGB, exactly the content's size.

    Raises:
        InputError: unreadable content or style, an unknown option or a bad value.
        ModelError, DeviceError: weights or device unavailable.
    """
    image = load_image(content)
    stylizer = painter(**options)
    return stylizer.stylize_image(image, stylizer.resolve(style))


def _engine(options: dict[str, Any]) -> Engine:
    """The Engine named by the device/model_dir/precision/backend options (removed from them)."""
    keys = ("device", "model_dir", "precision", "backend")
    return Engine(**{k: options.pop(k) for k in keys if k in options})


def _job_style(style: Any, options: dict[str, Any]) -> Any:
    """Styles as a job holds them: pictures given as images are turned into Styles here."""
    if style is None:
        return None
    items = list(style) if isinstance(style, list | tuple) else [style]
    if not any(isinstance(i, np.ndarray | Image.Image) for i in items):
        return items
    keys = ("device", "model_dir", "precision", "backend")
    engine = Engine(**{k: options[k] for k in keys if k in options})
    fit = options.get("style_fit", "crop")
    return [
        resolve_style(i, fit=fit, engine=engine) if isinstance(i, np.ndarray | Image.Image) else i
        for i in items
    ]


def stylize_video(
    source: PathLike,
    output: PathLike,
    style: StyleLike | Sequence[StyleLike] | None = None,
    *,
    on_progress: OnProgress | None = None,
    cancel: threading.Event | None = None,
    **options: Unpack[VideoOptions],
) -> VideoResult:
    """Paint every frame of a video in a style; keeps its audio, timing, size and rotation.

    Arguments:
        source: the video to paint.
        output: ``.mp4``/``.mov``/``.mkv`` (H.264), ``.webm`` (VP9), or an image pattern
            such as ``frames/%05d.png``. Written only when complete.
        style: as in :func:`stylize_image`; computed once for the whole video. Several
            styles are blended, or take turns with ``transition="segments"``.
        on_progress: called with a :class:`~restyle.Progress` event (stage, frames done,
            total, fps, ETA) as the video is painted.
        cancel: set this event from another thread to stop; nothing is written then and
            :class:`~restyle.Cancelled` is raised.
        options: every option of a video job by name (the picture options of
            :func:`stylize_image`, and ``style_video``, ``keyframes``, ``keyframe_method``,
            ``transition``, ``easing``, ``hold``, ``temporal`` (a filter's name or its
            options: :class:`~restyle.Flow`, ...) and its own options (``sharpness``,
            ``smooth``, ``flow_size``, ``flow_quality``), ``crf``, ``preset``,
            ``side_by_side``, ``start``, ``duration``, ``fps``, ``every``, ``batch``,
            ``painters``, ``chunk_seconds``, ``workers``, ...); see
            :class:`~restyle.keywords.VideoOptions`. ``restyle video --help-all`` describes
            each.

    Returns:
        A :class:`~restyle.VideoResult` (frames, seconds, fps, output, ...).

    Raises:
        InputError: unreadable video or style, an unknown option or a bad value.
        OutputError: the output cannot be written (or is the input).
        Cancelled: ``cancel`` was set.
    """
    flat: dict[str, Any] = dict(options)
    job = VideoJob.build(source, output, _job_style(style, flat), **flat)
    return render(job, on_progress=on_progress, cancel=cancel)


def extract_keyframes(
    style_video: PathLike,
    count: int = 5,
    *,
    method: str = "diverse",
    samples: int = DEFAULT_SAMPLES,
    style_fit: str = "crop",
    on_progress: OnProgress | None = None,
    **engine: Any,
) -> list[Keyframe]:
    """Pick ``count`` style keyframes of a style video, in time order.

    Arguments:
        style_video: the video whose look changes as it plays.
        count: how many keyframes.
        method: ``"diverse"`` (default: sampled frames far apart in style space, skipping
            dark, flat, blurry and mid-transition frames), ``"uniform"`` (the middle frame of
            each of ``count`` equal parts) or ``"change"`` (where the picture changes most).
        samples: frames sampled by ``diverse`` (at most).
        style_fit: how a frame is fitted to the style network's square.
        on_progress: called with :class:`~restyle.Progress` events (stage ``keyframes``).
        engine: ``device``, ``model_dir``, ``precision``, ``backend``.

    Returns:
        :class:`~restyle.Keyframe` objects: ``time`` (s), ``index`` (frame number),
        ``image`` (HxWx3 uint8 RGB, upright) and ``style`` (a reusable Style).

    Raises:
        InputError: unreadable video, unknown method, or fewer usable frames than ``count``.
    """
    meter = Meter("keyframes", 0, on_progress)
    return _extract_keyframes(
        style_video,
        count,
        method=method,
        samples=samples,
        fit=style_fit,
        engine=_engine(dict(engine)) if engine else None,
        progress=meter.counter() if on_progress else None,
    )


def evaluate(
    source: PathLike,
    stylized: PathLike,
    *,
    reference: PathLike | None = None,
    style: StyleLike | Sequence[StyleLike] | None = None,
    style_fit: str = "crop",
    on_progress: OnProgress | None = None,
    gap: int = DEFAULT_GAP,
    **engine: Any,
) -> Evaluation:
    """Measure flicker, fidelity, content structure and style distance of a stylized video.

    Arguments:
        source: the original video.
        stylized: the stylized video (made from the same frames).
        reference: the per-frame stylization (``--temporal none``), for fidelity.
        style: the style image(s) used, for the style distance (each is compared, nearest
            counts).
        style_fit: how a style image is fitted to the style network's square.
        on_progress: called with :class:`~restyle.Progress` events (stage ``render``).
        gap: frames between the two frames the long-term warp error compares (10).
        engine: ``device``, ``model_dir``, ``precision``, ``backend``.

    Returns:
        An :class:`~restyle.Evaluation`.

    Raises:
        InputError: unreadable videos, different frame counts, bad style.
    """
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 1:
        raise InputError(f"--gap must be a whole number of frames, at least 1, got {gap!r}")
    where = _engine(dict(engine))
    vectors = None
    embed = None
    if style is not None:
        items = list(style) if isinstance(style, list | tuple) else [style]
        resolved = [resolve_style(s, fit=style_fit, engine=where) for s in items]
        if any(s.space != "arbitrary" for s in resolved):
            raise InputError("style distance needs style images, not built-in styles")
        vectors = np.stack([s.vector for s in resolved])

        def embed(frames: Sequence[np.ndarray]) -> np.ndarray:
            return embed_images(frames, fit="crop", engine=where)

    meter = Meter("render", 0, on_progress)
    return evaluate_video(
        source,
        stylized,
        reference=reference,
        style_vectors=vectors,
        embed=embed,
        progress=meter.counter() if on_progress else None,
        gap=gap,
    )


def style_vector(
    style: StyleLike | Sequence[StyleLike], *, style_fit: str = "crop", **engine: Any
) -> Style:
    """Compute a style (or a weighted blend) once, to pass to :func:`stylize_image` many times.

    ``engine``: ``device``, ``model_dir``, ``precision``, ``backend``.
    """
    return resolve_style(style, fit=style_fit, engine=_engine(dict(engine)))


def style_grid(
    contents: Sequence[ImageInput],
    styles: Sequence[StyleLike],
    *,
    cell: int = 256,
    frames: int | None = None,
    at: Sequence[float] | None = None,
    content_labels: Sequence[str] | None = None,
    style_labels: Sequence[str] | None = None,
    on_progress: OnProgress | None = None,
    **options: Unpack[PictureOptions],
) -> np.ndarray:
    """A grid of contents (rows) by styles (columns), with headers; HxWx3 uint8.

    A content that is a video gives one row per frame: ``frames`` frames spread over it
    (default 3), or the frames at the times ``at`` (seconds); its rows are labelled with the
    frames' times. A style's column header is its painting, or for a built-in style (or a
    Style computed before) a swatch: that style painted on a fixed neutral picture.
    ``options`` are those of :func:`stylize_image` (strength, method, max_size, ...); the
    stylizer is made once and each style resolved once for the whole grid.

    Raises:
        InputError: unreadable contents or styles, ``frames``/``at`` without a video, a
            time past a video's end.
    """
    contents, styles = _items(contents, "contents"), _items(styles, "styles")
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
    stylizer = painter(**options)
    resolved = [stylizer.resolve(s) for s in styles]
    headers = [_style_header(s, r, stylizer.engine) for s, r in zip(styles, resolved, strict=True)]
    meter = Meter("render", len(images) * len(resolved), on_progress)
    rows = []
    for img in images:
        row = []
        for st in resolved:
            row.append(stylizer.stylize_image(img, st))
            meter.advance()
        rows.append(row)
    if content_labels is None:
        content_labels = labels
    if style_labels is None:
        style_labels = [
            _label(s, i) if not isinstance(s, Style) else s.label for i, s in enumerate(styles)
        ]
    return compose_grid(rows, images, headers, content_labels, style_labels, cell=cell)


def _style_header(style: StyleLike, resolved: Style, engine: Engine) -> np.ndarray | None:
    """The picture above a style's column: its painting, or a swatch when it has none."""
    spec = style_item(style)
    if isinstance(spec, StyleSpec) and spec.builtin is None:
        return load_image(spec.source)
    if isinstance(spec, np.ndarray | Image.Image):
        return load_image(spec)
    if resolved.space not in (ARBITRARY, BUILTIN):
        return None  # a style of another method's space: nothing the network can show
    return swatch(resolved, engine=engine)


def _items(value: object, what: str) -> list[Any]:
    """A list of a grid's contents or styles; one item alone counts as a list of one."""
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str | os.PathLike | np.ndarray | Image.Image | Style):
        return [value]
    raise InputError(
        f"the grid's {what} must be a list (of images, videos or styles), got {kind_of(value)}"
    )


def _label(item: object, index: int) -> str:
    if isinstance(item, str | os.PathLike):
        return os.path.basename(os.fspath(item))
    return f"#{index + 1}"
