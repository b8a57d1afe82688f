"""The interface every stylization method implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np

from ..errors import InputError
from ..models.engine import Engine
from ..styles.style import Style
from .options import MIN_SIDE, Look, MethodOptions, method_options

_M = TypeVar("_M", bound=MethodOptions)


class Stylizer(ABC):
    """A stylization method: frames (HxWx3 uint8 RGB) and a style in, painted frames out.

    Made once from its options (:func:`restyle.stylizers.create_stylizer`), it owns its
    networks or sessions and reuses them for every frame. Output frames always have their
    input's exact size. The members below are all a caller (the runner, the API, another
    method) ever uses.
    """

    name: ClassVar[str]  # the --method value
    blends_styles: ClassVar[bool] = False  # styles can be mixed: blends, transitions
    paints_style_vectors: ClassVar[bool] = False  # paints the predictor's style vectors

    def __init__(
        self,
        look: Look | None = None,
        engine: Engine | None = None,
        method: MethodOptions | None = None,
    ) -> None:
        self.look = look or Look()
        self.engine = engine or Engine()
        self.method = method or method_options(self.name)

    @abstractmethod
    def resolve(self, styles: Any | Sequence[Any]) -> Style:
        """Turn style specs, paths, images or Styles (a list is blended) into this method's Style.

        Raises:
            InputError: a style this method cannot paint, or an unreadable style image.
        """

    @abstractmethod
    def stylize(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint frames (HxWx3 uint8, all one size) with one style or one style per frame.

        ``content_style`` is the content's own style, used when strength < 1 (computed from
        each frame if not given; a video passes one for all frames so it cannot flicker).
        """

    def stylize_as_sized(
        self,
        frames: Sequence[np.ndarray],
        style: Style | Sequence[Style],
        content_style: Style | None = None,
    ) -> list[np.ndarray]:
        """Paint frames at their own size whatever ``--max-size`` says: frames a caller has
        already sized to paint (an anchor's plane, :mod:`restyle.motion.plane`). Methods
        without a size of their own paint as :meth:`stylize` does."""
        return self.stylize(frames, style, content_style)

    def stylize_image(self, image: np.ndarray, style: Style) -> np.ndarray:
        """Paint one HxWx3 uint8 image; returns HxWx3 uint8 of the same size."""
        return self.stylize([image], style)[0]

    def content_style(self, frame: np.ndarray, style: Style) -> Style | None:
        """The content's own style in ``style``'s space, for strength < 1; None if unused.

        A video computes it once, from its first frame, so it cannot flicker.
        """
        return None

    def start_video(self, temporal: str) -> bool:
        """Frames of one video follow, in order, from now on; True if the method handles
        the ``--temporal`` filter itself (then the runner adds none)."""
        return False

    def use_workers(self, workers: int | None = None) -> int:
        """Get ready to paint several frames at once from separate threads; return how many.

        The runner calls this once before a video's first frame. Methods that keep state
        from frame to frame (Gatys, segmentation) paint in order, one at a time: 1.
        """
        return 1

    def active_device(self) -> str:
        """The device the method really runs on (``"cpu"`` or ``"cuda"``), for reports."""
        return "cpu" if self.engine.device == "auto" else self.engine.device


def check_frames(frames: Sequence[np.ndarray]) -> tuple[int, int]:
    """Check frames are HxWx3 uint8 of one size, at least MIN_SIDE pixels; return (h, w)."""
    if len(frames) == 0:
        raise InputError("no frames to stylize")
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise InputError("frames of one call must share one size")
    shape = shapes.pop()
    if len(shape) != 3 or shape[2] != 3 or frames[0].dtype != np.uint8:
        raise InputError(f"frames must be HxWx3 uint8 RGB arrays, got {shape} {frames[0].dtype}")
    h, w = shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InputError(f"image is too small ({w}x{h}); both sides need at least {MIN_SIDE}px")
    return h, w


def per_frame_styles(style: Style | Sequence[Style], count: int) -> list[Style]:
    """Expand one style to ``count`` frames, or check a list has one style per frame."""
    if isinstance(style, Style):
        return [style] * count
    styles = list(style)
    if len(styles) != count:
        raise InputError(f"got {len(styles)} styles for {count} frames")
    return styles


def own_options(options: MethodOptions, cls: type[_M]) -> _M:
    """A method's options as its own class (InputError for another method's options)."""
    if not isinstance(options, cls):
        raise InputError(f"the {cls.name} method needs {cls.__name__} options, got {options!r}")
    return options
