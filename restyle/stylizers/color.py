"""Colour preservation: keep the content's colours and take only the stylized luminance."""

from __future__ import annotations

import cv2
import numpy as np


def keep_colors(stylized: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Combine the luminance of ``stylized`` with the chroma of ``content`` (both HxWx3 uint8 RGB).

    Works in YCrCb (BT.601), as Gatys et al. 2016 ("Preserving color in neural artistic style
    transfer") do with YIQ: the painting's strokes and shading stay, its palette does not.
    """
    y = cv2.cvtColor(stylized, cv2.COLOR_RGB2YCrCb)
    c = cv2.cvtColor(content, cv2.COLOR_RGB2YCrCb)
    c[:, :, 0] = y[:, :, 0]
    return cv2.cvtColor(c, cv2.COLOR_YCrCb2RGB)
