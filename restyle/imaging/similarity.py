"""Image similarity for HxWx3 uint8 RGB frames: SSIM and edge-structure SSIM.

SSIM (Wang, Bovik, Sheikh and Simoncelli 2004, "Image quality assessment: from error
visibility to structural similarity"), on images scaled to [0, 1] (``L = 1``)::

    mu_x = G * x,  sigma_x^2 = G * x^2 - mu_x^2,  sigma_xy = G * (x y) - mu_x mu_y
    SSIM(p) = (2 mu_x mu_y + C1) (2 sigma_xy + C2)
              / ((mu_x^2 + mu_y^2 + C1) (sigma_x^2 + sigma_y^2 + C2))
    C1 = (0.01 L)^2,  C2 = (0.03 L)^2

``G *`` is an 11x11 Gaussian window with sigma 1.5 (``cv2.GaussianBlur``, reflected border);
the score is the mean of the SSIM map without a 5-pixel border (where the window would
leave the image). Colour images are scored per RGB channel and the channels averaged
(``channels="mean"``, the default), or on Rec. 601 luminance (``channels="luma"``).

Edge SSIM, a content-structure measure that ignores colour and texture palettes: both
images go to luminance, are smoothed (Gaussian, sigma 1), turned into Sobel gradient
magnitudes, each divided by its own 99th percentile and clipped to [0, 1] (so a global
contrast change costs nothing); the score is the SSIM of the two edge maps. It is 1 when
the output keeps the source's edges exactly and falls as edges move, vanish or are added.
"""

from __future__ import annotations

import cv2
import numpy as np

from restyle.errors import InputError

WINDOW = 11
SIGMA = 1.5
K1, K2 = 0.01, 0.03
EDGE_SMOOTH_SIGMA = 1.0
EDGE_PERCENTILE = 99.0
ASPECT_TOLERANCE = 0.02
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def to_float(image: np.ndarray) -> np.ndarray:
    """Return an image as float32 in [0, 1] (uint8 is divided by 255, float is kept)."""
    if image.dtype == np.uint8:
        return image.astype(np.float32) * np.float32(1 / 255)
    return image.astype(np.float32, copy=False)


def luminance(image: np.ndarray) -> np.ndarray:
    """Return the HxW float32 Rec. 601 luminance in [0, 1] of an HxWx3 RGB image."""
    img = to_float(image)
    if img.ndim == 2:
        return img
    return img @ LUMA


def conform(image: np.ndarray, like: np.ndarray, what: str = "frames") -> np.ndarray:
    """Resize an HxWx3 uint8 RGB image to the size of ``like`` when their aspect ratios agree.

    Lets a metric compare a video with one encoded at a slightly different size (e.g.
    rounded to even dimensions). Area interpolation when shrinking, bilinear otherwise.

    Raises:
        InputError: The aspect ratios differ by more than 2 %.
    """
    h, w = like.shape[:2]
    ih, iw = image.shape[:2]
    if (ih, iw) == (h, w):
        return image
    if abs((iw / ih) / (w / h) - 1) > ASPECT_TOLERANCE:
        raise InputError(
            f"The {what} cannot be compared: one is {iw}x{ih} and the other {w}x{h} "
            "(different shapes); pass videos of the same frame size."
        )
    interp = cv2.INTER_AREA if iw * ih > w * h else cv2.INTER_LINEAR
    return cv2.resize(image, (w, h), interpolation=interp)


def ssim_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the SSIM map of two same-size images in [0, 1] (HxW, or HxWxC per channel)."""
    x, y = to_float(a), to_float(b)
    c1, c2 = K1**2, K2**2

    def blur(img: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(
            img, (WINDOW, WINDOW), SIGMA, borderType=cv2.BORDER_REFLECT
        ).reshape(img.shape)

    mx, my = blur(x), blur(y)
    mxx, myy, mxy = mx * mx, my * my, mx * my
    vx = blur(x * x) - mxx
    vy = blur(y * y) - myy
    cxy = blur(x * y) - mxy
    return ((2 * mxy + c1) * (2 * cxy + c2)) / ((mxx + myy + c1) * (vx + vy + c2))


def _check_pair(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise InputError(f"Images of different sizes cannot be compared: {a.shape} and {b.shape}.")


def _mean_inner(m: np.ndarray) -> float:
    pad = (WINDOW - 1) // 2
    if m.shape[0] > 2 * pad and m.shape[1] > 2 * pad:
        m = m[pad:-pad, pad:-pad]
    return float(m.mean(dtype=np.float64))


def ssim(a: np.ndarray, b: np.ndarray, channels: str = "mean") -> float:
    """Return the mean SSIM of two images (Wang et al. 2004; see the module docstring).

    Arguments:
        a: HxW or HxWx3 image, uint8 or float32 in [0, 1].
        b: Image of the same shape.
        channels: ``"mean"`` to average per-channel SSIM, ``"luma"`` to score luminance.

    Returns:
        SSIM in [-1, 1]; 1 for identical images.

    Raises:
        InputError: The images differ in shape, or an unknown ``channels`` value.
    """
    _check_pair(a, b)
    if channels == "luma":
        a, b = luminance(a), luminance(b)
    elif channels != "mean":
        raise ValueError(f"channels must be 'mean' or 'luma', got {channels!r}")
    return _mean_inner(ssim_map(a, b))


def edge_map(image: np.ndarray) -> np.ndarray:
    """Return the HxW float32 edge map in [0, 1] of an image (see the module docstring)."""
    lum = cv2.GaussianBlur(luminance(image), (0, 0), EDGE_SMOOTH_SIGMA)
    gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy)
    top = float(np.percentile(mag, EDGE_PERCENTILE))
    if top <= 1e-6:
        return np.zeros_like(mag)
    return np.minimum(mag * np.float32(1 / top), 1.0)


def edge_ssim(output: np.ndarray, source: np.ndarray) -> float:
    """Return the SSIM of the luminance edge maps of an output frame and its source frame.

    Arguments:
        output: HxWx3 uint8 RGB stylized frame.
        source: HxWx3 uint8 RGB source frame, same size.

    Returns:
        Edge SSIM in [-1, 1]; 1 when the edges match exactly.

    Raises:
        InputError: The frames differ in shape.
    """
    _check_pair(output, source)
    return _mean_inner(ssim_map(edge_map(output), edge_map(source)))
