"""Reading and writing video and image sequences with PyAV: streaming, exact timing, audio kept.

Typical use::

    from restyle.media import open_video, open_writer

    with open_video("in.mp4", start=2.0, duration=5.0) as reader:
        with open_writer("out.mp4", reader.info, audio=reader.audio) as writer:
            for frame in reader:
                writer.write(process(frame.image), frame.time, frame.duration)
"""

from restyle.media.reader import AudioSource, Frame, VideoInfo, VideoReader, open_video
from restyle.media.writer import VIDEO_FORMATS, VideoWriter, is_image_sequence, open_writer

__all__ = [
    "AudioSource",
    "Frame",
    "VIDEO_FORMATS",
    "VideoInfo",
    "VideoReader",
    "VideoWriter",
    "is_image_sequence",
    "open_video",
    "open_writer",
]
