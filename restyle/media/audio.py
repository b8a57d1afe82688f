"""Carry an input's audio into an output container: packets copied as is, or re-encoded and cut."""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np

from restyle.errors import InputError
from restyle.media.reader import AudioSource

# Codecs copied without re-encoding, per output kind (also checked against the muxer's own list).
_COPYABLE = {
    "mp4": {"aac", "mp3", "ac3", "eac3", "alac", "opus"},
    "mov": {"aac", "mp3", "ac3", "eac3", "alac", "pcm_s16le", "pcm_s16be", "pcm_s24le"},
    "matroska": {"aac", "mp3", "ac3", "eac3", "alac", "opus", "vorbis", "flac", "pcm_s16le"},
    "webm": {"opus", "vorbis"},
}
# What to re-encode to when copying is not possible (or the audio is trimmed).
_ENCODER = {"mp4": "aac", "mov": "aac", "matroska": "aac", "webm": "libopus"}
_OPUS_RATES = (48000, 24000, 16000, 12000, 8000)


class AudioMuxer:
    """Feeds one audio stream into `output`, a little ahead of the video, then flushes at close.

    Construct it after the video stream is added and before anything is muxed; call
    `advance(t)` after muxing video up to `t` seconds and `finish()` before closing the output.
    """

    def __init__(self, source: AudioSource, output: av.container.OutputContainer, kind: str):
        self.source = source
        try:
            self._input = av.open(str(source.path), mode="r")
        except av.FFmpegError as exc:
            raise InputError(f"Cannot read the audio of {source.path}.") from exc
        try:
            self._in_stream = self._input.streams[source.stream_index]
        except IndexError as exc:
            self._input.close()
            raise InputError(f"{source.path} has no stream #{source.stream_index}.") from exc
        codec = self._in_stream.codec_context.codec.canonical_name
        copyable = _COPYABLE.get(kind, set()) & set(output.supported_codecs)
        self.copied = not source.trimmed and codec in copyable
        if self.copied and kind in ("matroska", "webm") and self._starts_before_zero():
            # Matroska cannot store negative times: the muxer would delay the video instead.
            self.copied = False
        if self.copied:
            self._out = output.add_stream_from_template(self._in_stream)
            self._packets = self._copy()
        else:
            self._out = self._add_encoder(output, _ENCODER[kind])
            self._packets = self._transcode()
        self._output = output
        self._pending: av.Packet | None = None
        self._pending_time = 0.0

    def _starts_before_zero(self) -> bool:
        """True when the first audio packet lands before 0 s (encoder priming), then rewind."""
        tb = self._in_stream.time_base
        first = None
        for packet in self._input.demux(self._in_stream):
            if packet.pts is not None:
                first = float(packet.pts * tb) - self.source.offset
                break
        self._input.close()
        self._input = av.open(str(self.source.path), mode="r")
        self._in_stream = self._input.streams[self.source.stream_index]
        return first is not None and first < 0

    @staticmethod
    def _decoder_layout(stream: av.AudioStream) -> tuple[int, str]:
        ctx = stream.codec_context
        return ctx.sample_rate, ctx.layout.name

    def _add_encoder(self, output: av.container.OutputContainer, name: str) -> av.AudioStream:
        rate, layout = self._decoder_layout(self._in_stream)
        channels = self._in_stream.codec_context.channels
        if name == "libopus":
            rate = 48000 if rate not in _OPUS_RATES else rate
            if channels > 2:
                layout = "stereo"
        stream = output.add_stream(name, rate=rate)
        stream.layout = layout
        stream.time_base = Fraction(1, rate)
        if name == "aac":
            stream.bit_rate = 192_000 if channels >= 2 else 128_000
        return stream

    def _copy(self) -> Iterator[av.Packet]:
        """The input's audio packets, moved onto the output timeline."""
        tb = self._in_stream.time_base
        shift = round(self.source.offset / tb) if self.source.offset else 0
        for packet in self._input.demux(self._in_stream):
            if packet.dts is None:
                continue
            packet.pts = packet.pts - shift if packet.pts is not None else None
            packet.dts -= shift
            packet.stream = self._out
            yield packet

    def _transcode(self) -> Iterator[av.Packet]:
        """Decode, keep the samples inside [start, end), re-encode."""
        src = self.source
        stream = self._in_stream
        if src.start:
            try:
                self._input.seek(int(src.start / stream.time_base), stream=stream, backward=True)
            except av.FFmpegError:
                pass
        next_pts: int | None = None
        for packet in self._input.demux(stream):
            try:
                frames = packet.decode()
            except av.FFmpegError:
                continue  # damaged packet: skip it, as the video reader does
            for frame in frames:
                piece = self._cut(frame)
                if piece is None:
                    continue
                if piece == "end":
                    yield from self._out.encode(None)
                    return
                out_frame, out_time = piece
                rate = out_frame.sample_rate
                if next_pts is None:
                    next_pts = max(0, round(out_time * rate))
                out_frame.pts = next_pts
                out_frame.time_base = Fraction(1, rate)
                next_pts += out_frame.samples
                yield from self._out.encode(out_frame)
        yield from self._out.encode(None)

    def _cut(self, frame: av.AudioFrame):
        """Return (frame with only the wanted samples, its output time), None to skip, or "end"."""
        src = self.source
        rate = frame.sample_rate
        if frame.pts is None or frame.time_base is None:
            return frame, 0.0
        t0 = float(frame.pts * frame.time_base)
        n = frame.samples
        if src.end is not None and t0 >= src.end:
            return "end"
        first = 0 if src.start is None else max(0, math.ceil((src.start - t0) * rate - 1e-6))
        last = n if src.end is None else min(n, round((src.end - t0) * rate))
        if last <= first:
            return None
        out_time = t0 + first / rate - src.offset
        if (first, last) == (0, n):
            return frame, out_time
        data = frame.to_ndarray()
        if frame.format.is_planar:
            data = data[:, first:last]
        else:
            ch = data.shape[1] // n if data.ndim == 2 and data.shape[0] == 1 else 1
            data = data[:, first * ch : last * ch]
        cut = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data), format=frame.format.name, layout=frame.layout.name
        )
        cut.sample_rate = rate
        return cut, out_time

    def advance(self, until: float | None) -> None:
        """Mux audio packets up to `until` seconds on the output timeline (None: all of them)."""
        while True:
            if self._pending is None:
                packet = next(self._packets, None)
                if packet is None:
                    return
                self._pending = packet
                tb = packet.time_base
                ts = packet.dts if packet.dts is not None else packet.pts
                self._pending_time = float(ts * tb) if ts is not None and tb else 0.0
            if until is not None and self._pending_time > until:
                return
            self._output.mux(self._pending)
            self._pending = None

    def finish(self) -> None:
        """Mux everything left (including the encoder's tail) and close the input."""
        try:
            self.advance(None)
        finally:
            self.close()

    def close(self) -> None:
        """Close the audio input; safe to call more than once."""
        self._input.close()
