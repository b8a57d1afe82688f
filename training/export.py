"""Write a fine-tuned checkpoint as the small file restyle ships: its difference from the base.

    python -m training.export runs/aa/checkpoint.pt restyle/models/weights/steady_arbitrary.npz

The file holds each changed tensor's difference from the shipped network the run started from
(int16 per output channel, :mod:`restyle.models.trained`). The command checks that the fast
ONNX graph built from the file paints what the checkpoint paints, and prints the file's size
and SHA-256 for the model registry (``restyle/models/registry.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import torch

from restyle.models.graph import build_fast_transformer, from_phases, to_phases
from restyle.models.location import locate, sha256_of
from restyle.models.trained import apply_difference, difference

from .finetune import load_student, run_settings, transformer_weights


def largest_change(student, weights) -> float:
    """The largest difference between the checkpoint's painting and the graph's, on noise."""
    from restyle.models.session import import_onnxruntime

    ort = import_onnxruntime()
    rng = np.random.default_rng(0)
    images = rng.random((1, 64, 96, 3), dtype=np.float32)
    style = rng.normal(0, 0.5, (1, weights.style_dim)).astype(np.float32)
    session = ort.InferenceSession(
        build_fast_transformer(weights).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    graph = from_phases(session.run(None, {"content": to_phases(images), "style": style})[0])
    with torch.no_grad():
        x = torch.from_numpy(images).permute(0, 3, 1, 2)
        ours = student(x, torch.from_numpy(style)).permute(0, 2, 3, 1).numpy()
    return float(np.abs(graph - ours).max())


def main(argv: list[str] | None = None) -> int:
    """The command line (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("out", type=Path, help="the .npz to write")
    args = parser.parse_args(argv)
    network = run_settings(args.checkpoint).network
    base = transformer_weights(network)
    student, step = load_student(args.checkpoint, base)
    base_sha = sha256_of(locate(network, None))
    data = difference(base, student.weights(), base_sha)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_suffix(".part")
    partial.write_bytes(data)
    rebuilt = apply_difference(base, partial, base_sha)
    error = largest_change(student, rebuilt)
    if error > 2 / 255:
        partial.unlink()
        print(f"the stored difference paints {error:.4f} away from the checkpoint", file=sys.stderr)
        return 1
    partial.replace(args.out)
    digest = hashlib.sha256(data).hexdigest()
    print(f"{args.out}: step {step}, {len(data):,} bytes, sha256 {digest}")
    print(f"largest difference to the checkpoint's painting: {error:.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
