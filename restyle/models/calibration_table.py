"""The int8 calibration tables: each network's activation ranges, as shipped in
``restyle/models/calibration/`` (made by ``tools/calibrate.py``; used by
:mod:`restyle.models.quantize`).

Apart from the quantizer, which needs ``onnx``, so a render whose int8 graph is already
in the cache reads its table (the cache key) without importing it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from ..errors import ModelError


@dataclass(frozen=True)
class CalibrationTable:
    """Activation ranges of one network's convolution inputs, by layer name.

    ``ranges[layer] = (bound, signed)``: inputs are quantized to int8 on ``[-bound, bound]``
    when ``signed`` (residual sums), else to uint8 on ``[0, bound]`` (after a ReLU).
    """

    network: str
    ranges: dict[str, tuple[float, bool]]
    source: str = ""  # how the table was made (frames, styles, statistic)
    keep_float: tuple[str, ...] = ()  # layers left in float (where int8 shows most)
    bound_scale: float = 1.0  # the quantizers' bounds are the measured ones times this

    def to_json(self) -> str:
        """The table as the JSON text kept in ``restyle/models/calibration/``."""
        layers = {k: {"bound": b, "signed": s} for k, (b, s) in self.ranges.items()}
        body = {
            "network": self.network,
            "source": self.source,
            "layers": layers,
            "keep_float": list(self.keep_float),
            "bound_scale": self.bound_scale,
        }
        return json.dumps(body, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CalibrationTable:
        """Read a table written by :meth:`to_json`."""
        body = json.loads(text)
        ranges = {k: (float(v["bound"]), bool(v["signed"])) for k, v in body["layers"].items()}
        keep = tuple(body.get("keep_float", ()))
        scale = float(body.get("bound_scale", 1.0))
        return cls(body["network"], ranges, body.get("source", ""), keep, scale)


def load_table(network: str) -> CalibrationTable:
    """The calibration table shipped with restyle for ``network`` (e.g. ``"multistyle26"``).

    Raises:
        ModelError: restyle has no calibration for that network.
    """
    try:
        text = resources.files(__package__).joinpath(f"calibration/{network}.json").read_text()
    except FileNotFoundError:
        raise ModelError(f"no int8 calibration for {network}; use --precision float") from None
    return CalibrationTable.from_json(text)
