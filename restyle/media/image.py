"""Reading and writing still images: any common format in, HxWx3 uint8 RGB out, atomic saves."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import InputError, OutputError, kind_of
from .atomic import AtomicFile, describe_os_error
from .paths import as_path

ImageInput = str | os.PathLike[str] | Image.Image | np.ndarray
_IMAGE_KINDS = "a PIL image or an HxWx3 uint8 array"

SAVE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
}
MAX_SIDE = {"JPEG": 65500, "WEBP": 16383}  # the formats' own limits, in pixels
MAX_PIXELS = 2 * 89_478_485  # PIL's default hard limit (about 179 megapixels)


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Convert a PIL image of any mode to HxWx3 uint8 RGB (alpha composited over white)."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img).astype(np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or arr.max() > 255 else 255.0
        grey = np.clip(np.round(arr / top * 255.0), 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()


def array_to_rgb(arr: np.ndarray) -> np.ndarray:
    """Coerce a greyscale, RGB or RGBA array to HxWx3 uint8.

    Takes uint8, uint16, other integers within 0-255, or floats in [0, 1].

    Raises:
        InputError: another shape or type, integers outside 0-255, NaN or infinite floats.
    """
    a = np.asarray(arr)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4):
        raise InputError(f"an image array must be HxW, HxWx3 or HxWx4, got shape {a.shape}")
    if a.dtype == np.uint16:
        a = (a.astype(np.float32) / 257.0).round().astype(np.uint8)
    elif a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise InputError("the image array holds NaN or infinite values")
        a = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
    elif a.dtype.kind in "iu" and a.dtype != np.uint8:
        if a.size and (a.min() < 0 or a.max() > 255):
            raise InputError(
                f"an image array of {a.dtype} must hold values 0 to 255 "
                f"(found {a.min()} to {a.max()}); use uint8, uint16 or floats in [0, 1]"
            )
        a = a.astype(np.uint8)
    elif a.dtype != np.uint8:
        raise InputError(
            f"unsupported image array type {a.dtype}; use uint8, uint16 or floats in [0, 1]"
        )
    if a.shape[2] == 4:
        alpha = a[:, :, 3:4].astype(np.float32) / 255.0
        a = (a[:, :, :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    elif a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    return np.ascontiguousarray(a)


def load_image(source: ImageInput) -> np.ndarray:
    """Load a path, PIL image or array as an HxWx3 uint8 RGB array, upright per its EXIF.

    Handles alpha (over white), greyscale, palette, 16-bit and CMYK inputs.

    Raises:
        InputError: the file is missing or is not a readable image.
    """
    if isinstance(source, np.ndarray):
        return array_to_rgb(source)
    if isinstance(source, Image.Image):
        try:
            return _to_rgb(source)
        except (OSError, ValueError, SyntaxError) as exc:  # a lazily loaded, damaged image
            raise InputError(f"cannot read the image: {exc}") from None
    if not isinstance(source, str | os.PathLike):
        raise InputError(f"expected an image (a file path, {_IMAGE_KINDS}), got {kind_of(source)}")
    try:
        path = Path(source)
        missing = not path.exists()
    except (TypeError, ValueError):  # a bytes path object, an embedded NUL
        raise InputError(f"not a usable file path: {source!r}") from None
    if missing:
        raise InputError(f"file not found: {path}")
    if path.is_dir():
        raise InputError(f"expected an image file, got a folder: {path}")
    try:
        with warnings.catch_warnings():
            # restyle makes its own size check (MAX_PIXELS), and what PIL warns about
            # (corrupt EXIF, a truncated chunk) ends in an image or an InputError anyway
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise InputError(
                        f"image {path} is {width}x{height}: more than restyle reads "
                        f"({MAX_PIXELS // 1_000_000} megapixels)"
                    )
                img.load()
                return _to_rgb(img)
    except InputError:
        raise
    except UnidentifiedImageError:
        raise InputError(f"not an image (or an unsupported format): {path}") from None
    except Image.DecompressionBombError:
        raise InputError(
            f"image {path} is larger than restyle reads ({MAX_PIXELS // 1_000_000} megapixels)"
        ) from None
    except PermissionError:
        raise InputError(f"cannot read image {path}: permission denied") from None
    except MemoryError:
        raise InputError(f"image {path} is too large for this machine's memory") from None
    except Exception as exc:  # noqa: BLE001 - PIL's decoders raise many types on damaged data
        detail = str(exc) or type(exc).__name__
        raise InputError(f"cannot read image {path} (damaged or truncated?): {detail}") from None


def check_output_path(path: str | os.PathLike[str], formats: dict[str, str] = SAVE_FORMATS) -> Path:
    """Check that ``path`` has a known extension and a writable folder; return it as a Path.

    Raises:
        OutputError: unknown extension, missing folder, or a folder that cannot be written.
    """
    out = as_path(path, "the output")
    if out.suffix.lower() not in formats:
        known = ", ".join(sorted(formats))
        raise OutputError(
            f"unknown output extension {out.suffix or '(none)'!r} for {out}; use {known}"
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write to folder {folder}: permission denied")
    if out.is_dir():
        raise OutputError(f"output path is a folder: {out}")
    return out


def save_image(
    image: np.ndarray | Image.Image, path: str | os.PathLike[str], quality: int = 95
) -> Path:
    """Write an image atomically: a temporary file beside ``path``, renamed when complete.

    Raises:
        OutputError: the path cannot be written (nothing is left behind).
    """
    out = check_output_path(path)
    fmt = SAVE_FORMATS[out.suffix.lower()]
    img = image if isinstance(image, Image.Image) else Image.fromarray(array_to_rgb(image))
    limit = MAX_SIDE.get(fmt)
    if limit is not None and max(img.size) > limit:
        raise OutputError(
            f"cannot write {out}: {fmt} images are at most {limit} pixels a side and this one "
            f"is {img.size[0]}x{img.size[1]}; write .png or .tif"
        )
    options = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    target = AtomicFile(out)
    try:
        img.save(target.path, format=fmt, **options)
    except BaseException as exc:
        target.abort()
        if isinstance(exc, OSError):
            what = describe_os_error(exc)
            raise OutputError(f"cannot write {out}: {what}; nothing was written") from None
        if isinstance(exc, ValueError):  # e.g. larger than the format allows (WebP: 16383 px)
            raise OutputError(f"cannot write {out} as {fmt}: {exc}") from None
        raise
    target.commit()
    return out
