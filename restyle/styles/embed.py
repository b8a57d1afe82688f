"""Style embeddings: turn paintings (and built-in indices) into Style vectors with the predictor."""

from __future__ import annotations

import os
from collections.abc import Sequence

import cv2
import numpy as np

from ..errors import InputError
from ..media.image import ImageInput, load_image
from ..models.engine import Engine
from ..models.networks import BUILTIN_STYLES, STYLE_SIZE
from .spec import StyleSpec, parse_style_spec
from .style import ARBITRARY, BUILTIN, Style, blend

FITS = ("crop", "whole")
MIN_STYLE_SIDE = 16


def style_input(image: np.ndarray, fit: str = "crop") -> np.ndarray:
    """Prepare an HxWx3 uint8 painting as the predictor's 256x256x3 float32 input in [0, 1].

    ``crop`` takes the centred square; ``whole`` reflect-pads to a square so the whole
    painting is seen.
    """
    if fit not in FITS:
        raise InputError(f"unknown style fit {fit!r}; use crop or whole")
    h, w = image.shape[:2]
    if min(h, w) < MIN_STYLE_SIDE:
        raise InputError(f"style image is too small ({w}x{h}); both sides need {MIN_STYLE_SIDE}px")
    if fit == "crop":
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        square = image[top : top + side, left : left + side]
    else:
        side = max(h, w)
        # reflect needs the pad to be smaller than the side; repeat reflections if not
        square = image
        while square.shape[0] < side or square.shape[1] < side:
            ph = min(side - square.shape[0], square.shape[0] - 1)
            pw = min(side - square.shape[1], square.shape[1] - 1)
            pads = ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0))
            square = np.pad(square, pads, "reflect")
    interp = cv2.INTER_AREA if square.shape[0] > STYLE_SIZE else cv2.INTER_CUBIC
    small = cv2.resize(square, (STYLE_SIZE, STYLE_SIZE), interpolation=interp)
    return small.astype(np.float32) / 255.0


def embed_images(
    images: Sequence[np.ndarray], *, fit: str = "crop", engine: Engine | None = None
) -> np.ndarray:
    """Style vectors (N x 100) of HxWx3 uint8 images, one predictor run each."""
    predictor = (engine or Engine()).predictor()
    batch = np.stack([style_input(img, fit) for img in images])
    return predictor.predict(batch)


def style_vector(
    image: ImageInput,
    *,
    fit: str = "crop",
    engine: Engine | None = None,
    label: str | None = None,
) -> Style:
    """The style of a painting as a reusable :class:`Style` (compute once, apply to many frames).

    Raises:
        InputError: the image cannot be read or is too small.
    """
    arr = load_image(image)
    vec = embed_images([arr], fit=fit, engine=engine)[0]
    name = label or (
        os.path.basename(os.fspath(image)) if isinstance(image, str | os.PathLike) else "image"
    )
    return Style(ARBITRARY, vec, name)


def builtin_style(index: int) -> Style:
    """Built-in style ``index`` (0-25) of the multistyle26 network."""
    if not 0 <= index < BUILTIN_STYLES:
        raise InputError(f"built-in style index must be 0 to {BUILTIN_STYLES - 1}, got {index}")
    return Style(BUILTIN, np.eye(BUILTIN_STYLES, dtype=np.float32)[index], f"builtin:{index}")


StyleLike = str | os.PathLike[str] | ImageInput | Style | StyleSpec


def resolve_style(
    styles: StyleLike | Sequence[StyleLike],
    *,
    fit: str = "crop",
    engine: Engine | None = None,
) -> Style:
    """Turn one or several style specs, paths, images or Styles into one (blended) Style.

    Strings are parsed as ``--style`` values (``a.jpg:0.7``, ``builtin:3``); several are
    blended by their weights.

    Raises:
        InputError: a bad spec, an unreadable style image, or built-ins mixed with images.
    """
    items = list(styles) if isinstance(styles, list | tuple) else [styles]
    if not items:
        raise InputError("no style given; use --style painting.jpg or --style builtin:N")
    resolved: list[Style] = []
    weights: list[float] = []
    for item in items:
        if isinstance(item, Style):
            resolved.append(item)
            weights.append(1.0)
            continue
        spec = parse_style_spec(os.fspath(item)) if isinstance(item, str | os.PathLike) else item
        if isinstance(spec, StyleSpec):
            if spec.builtin is not None:
                resolved.append(builtin_style(spec.builtin))
            else:
                resolved.append(
                    style_vector(
                        spec.source, fit=fit, engine=engine, label=os.path.basename(spec.source)
                    )
                )
            weights.append(spec.weight)
        else:  # a PIL image or an array
            resolved.append(style_vector(spec, fit=fit, engine=engine))
            weights.append(1.0)
    return blend(resolved, weights)
