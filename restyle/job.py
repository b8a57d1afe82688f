"""A render as data: :class:`VideoJob`, frozen, validated, and saved or sent as JSON.

A job names everything a render needs: the source and output, the styles and how they hand
over, the method, the look, the flicker filter, the encoder and the part of the source.
It holds nothing live (no network sessions, no open files), so it can be printed
(``restyle video ... --print-job``), saved and run later (``restyle run job.json``), built
from a web form, hashed for a resume manifest or sent to a worker on another machine. The
command line, the Python API and the web page all build jobs with :meth:`VideoJob.build`
from the same flat option names, and every option is checked where it is declared
(:mod:`restyle.options`), so the bounds are one set.

The JSON form::

    {"version": 2, "source": "/abs/clip.mp4", "output": "/abs/out.mp4",
     "styles": {"styles": ["/abs/painting.jpg"], ...}, "look": {"strength": 1.0, ...},
     "method": {"name": "network"}, "engine": {...},
     "temporal": {"filter": "flow", "sharpness": null, ...}, "encode": {...},
     "range": {...}, "run": {...}}

The method and the flicker filter each hold their own options only (a method's options
are declared in its module, :mod:`restyle.stylizers.options`; a filter's in
:mod:`restyle.temporal.options`), so an option of another method is refused naming both,
and the digest holds only what paints. Groups and options left out take their defaults; an
unknown key, a value of the wrong type or out of its bounds is an
:class:`~restyle.errors.InputError` naming it; a job written by a newer restyle (a higher
``version``) is refused. Version 1 files (one bag of every method's options) are read: the
chosen method's and filter's options are kept, the rest (which never painted) dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .errors import InputError
from .media.options import MAX_H264_CRF, Encode, Range
from .media.paths import as_path
from .models.engine import Engine
from .motion.options import Motion
from .options import ChoiceOptions, Declared, OptionGroup, at_least, declared, option, positive
from .registries import EXECUTORS
from .styles.options import StyleRef, Styles, absolute_spec
from .styles.style import Style
from .stylizers.options import Look, MethodOptions
from .temporal.options import FilterOptions

SCHEMA_VERSION = 2
H264_SUFFIXES = (".mp4", ".mov", ".mkv", ".m4v")


@dataclass(frozen=True)
class Run(OptionGroup):
    """How a render is carried out on this machine; not part of what it paints.

    Attributes:
        batch: frames per network call (1 is best on a CPU).
        painters: network calls at once in one render (None: 2 on a CPU, each on half the
            cores; 1 on CUDA).
        chunk_seconds: render in pieces of about this many seconds, resumable (None: in one
            piece); see :mod:`restyle.rendering.chunked`.
        warmup: frames painted before each piece and not written, so the flicker filter has
            settled at its first frame (None: about one second).
        executor: who renders the pieces: processes here, or a Ray cluster.
        workers: pieces of a chunked render painted at once by the local executor (None: 1).
        ray_address: the Ray cluster (``auto``, ``HOST:PORT``; None: the one ``RAY_ADDRESS``
            names, else a Ray started on this machine for the render).
        workdir: where the pieces and their manifest are kept until joined (None: a hidden
            folder beside the output).
        keep_chunks: keep the work folder after a successful join.
        restart: throw away the pieces of an earlier run instead of resuming it.
    """

    group: ClassVar[str] = "run"

    batch: int = option(
        1, "frames per network call (more can help on a GPU)", check=at_least(1), metavar="N"
    )
    painters: int | None = option(
        None,
        "network calls at once in one render (default: 2 on a CPU, each on half the cores; "
        "1 on CUDA)",
        check=at_least(1),
        metavar="N",
    )
    chunk_seconds: float | None = option(
        None,
        "render in resumable pieces of about S seconds (cut at shot changes); rerun the "
        "same command to resume",
        check=positive,
        metavar="S",
    )
    warmup: int | None = option(
        None,
        "frames painted before each piece and not written, so the flicker filter has "
        "settled (default: about one second)",
        check=at_least(0),
        metavar="N",
    )
    executor: str = option("local", "who renders the pieces", choices=EXECUTORS.names)
    workers: int | None = option(
        None,
        "pieces of a chunked render painted at once by processes on this machine "
        "(--executor local; default 1)",
        check=at_least(1),
        metavar="N",
    )
    ray_address: str | None = option(
        None,
        "the Ray cluster for --executor ray: auto, or HOST:PORT (default: RAY_ADDRESS, else "
        "a Ray started here)",
        metavar="ADDR",
    )
    workdir: str | None = option(
        None,
        "folder for the pieces and their manifest (default: hidden, beside the output)",
        metavar="DIR",
    )
    keep_chunks: bool = option(False, "keep the pieces and the manifest after joining")
    restart: bool = option(False, "throw away the pieces of an earlier run, start over")

    def check(self) -> None:
        """Chunk settings only go with --chunk-seconds."""
        chunked = ("warmup", "workers", "ray_address", "workdir", "keep_chunks")
        if self.chunk_seconds is None:
            for name in chunked:
                if getattr(self, name) not in (None, False):
                    flag = "--" + name.replace("_", "-")
                    raise InputError(f"{flag} goes with --chunk-seconds S (a chunked render)")
            if self.executor != "local":
                raise InputError("--executor goes with --chunk-seconds S (a chunked render)")


# the option groups of a job, by their key in the JSON form, in order
GROUPS: dict[str, type[OptionGroup]] = {
    "styles": Styles,
    "look": Look,
    "method": MethodOptions,
    "engine": Engine,
    "temporal": FilterOptions,
    "motion": Motion,
    "encode": Encode,
    "range": Range,
    "run": Run,
}
IMAGE_GROUPS = ("look", "method", "engine")  # what painting one picture takes


def group_declared(name: str) -> list[Declared]:
    """The options of one group as flat names see them: a method's or a filter's group
    lists the option that chooses it and the options of every registered choice."""
    cls = GROUPS[name]
    if issubclass(cls, ChoiceOptions):
        return [cls.selector_option(), *cls.all_declared()]
    return declared(cls)


def flat_options(groups: Sequence[str] = tuple(GROUPS)) -> dict[str, Declared]:
    """Every declared option of ``groups`` by its flat (API keyword) name."""
    found: dict[str, Declared] = {}
    for name in groups:
        for item in group_declared(name):
            found.setdefault(item.key, item)
    return found


def group_options(
    options: Mapping[str, Any], groups: Sequence[str] = tuple(GROUPS)
) -> dict[str, OptionGroup]:
    """Flat options (``strength=0.8, crf=0``) made into the option groups they belong to.

    ``method`` and ``temporal`` may be a name or an options object
    (``restyle.Gatys(iterations=200)``); the flat options of a method or a filter go to the
    chosen one.

    Raises:
        InputError: an unknown option name, an option of a method or filter other than the
            chosen one (naming both), or a value its declaration refuses.
    """
    known = flat_options(groups)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise InputError(f"unknown option {unknown[0]!r}; known options: {', '.join(known)}")
    values = _by_group(options, known)
    made: dict[str, OptionGroup] = {}
    for name in groups:
        cls, given = GROUPS[name], values.get(name, {})
        if issubclass(cls, ChoiceOptions):
            chosen = given.pop(cls.choose, None)
            made[name] = cls.make(chosen, given)
        else:
            made[name] = cls(**given)
    return made


def _by_group(options: Mapping[str, Any], known: Mapping[str, Declared]) -> dict[str, dict]:
    """Known flat options split by the group they belong to: by field name, or for a
    method's or a filter's group by flat name (the chosen class sorts them out)."""
    values: dict[str, dict[str, Any]] = {}
    for key, value in options.items():
        item = known[key]
        choice = issubclass(GROUPS[item.group], ChoiceOptions)
        values.setdefault(item.group, {})[item.key if choice else item.name] = value
    return values


def _absolute(path: str | None) -> str | None:
    return None if path is None else os.path.abspath(path)


@dataclass(frozen=True)
class VideoJob:
    """Everything one video render needs, as plain checked values (module docstring).

    Build one with :meth:`build` from flat options, or :meth:`from_dict` from a job file;
    run it with :func:`restyle.render`.
    """

    source: str
    output: str
    styles: Styles = field(default_factory=Styles)
    look: Look = field(default_factory=Look)
    method: MethodOptions = field(default_factory=lambda: MethodOptions.make())
    engine: Engine = field(default_factory=Engine)
    temporal: FilterOptions = field(default_factory=lambda: FilterOptions.make())  # type: ignore[assignment]
    motion: Motion = field(default_factory=Motion)
    encode: Encode = field(default_factory=Encode)
    range: Range = field(default_factory=Range)
    run: Run = field(default_factory=Run)

    def __post_init__(self) -> None:
        for name in ("source", "output"):
            value = getattr(self, name)
            if isinstance(value, os.PathLike):
                object.__setattr__(self, name, os.fspath(value))
            elif not isinstance(value, str) or not value:
                raise InputError(f"the job's {name} must be a file path, got {value!r}")
        for name, cls in GROUPS.items():
            if not isinstance(getattr(self, name), cls):
                raise InputError(f"the job's {name} must be a {cls.__name__}")
        styles, method = self.styles, self.method
        if not (styles.styles or styles.style_video or method.own_styles()):
            raise InputError("no style given; use --style painting.jpg or --style builtin:N")
        if self.motion.strokes == "stick" and method.name != "network":
            raise InputError(
                f"--strokes stick goes with --method network, not --method {method.name} "
                "(it paints each frame in a plane that moves with the camera)"
            )
        crf = self.encode.crf
        if crf is not None and crf > MAX_H264_CRF and Path(self.output).suffix in H264_SUFFIXES:
            raise InputError(
                f"--crf (encode.crf) must be at most {MAX_H264_CRF} for H.264, got {crf}"
            )

    # -- making jobs --------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        source: str | os.PathLike[str],
        output: str | os.PathLike[str],
        style: StyleRef | os.PathLike[str] | Sequence[StyleRef | os.PathLike[str]] | None = None,
        **options: Any,
    ) -> VideoJob:
        """A job from flat options, as the API, the command line and the web page give them.

        ``style`` is one style spec (``"painting.jpg"``, ``"painting.jpg:0.7"``,
        ``"builtin:7"``), a computed :class:`~restyle.styles.style.Style`, or a list of
        them; the options are the keyword names of :func:`restyle.stylize_video`. Paths
        are made absolute, so the job means the same from another folder.

        Raises:
            InputError: an unknown option, or a value out of its bounds.
        """
        if style is not None:
            items = list(style) if isinstance(style, list | tuple) else [style]
            if "style" in options:
                raise InputError("give the style once")
            options = {**options, "style": tuple(_style_ref(item) for item in items)}
        groups = group_options(options)
        styles = groups["styles"]
        method = groups["method"]
        assert isinstance(styles, Styles) and isinstance(method, MethodOptions)
        groups["styles"] = dataclasses.replace(
            styles,
            styles=tuple(absolute_spec(s) for s in styles.styles),
            style_video=_absolute(styles.style_video),
        )
        groups["method"] = method.absolute()
        engine = groups["engine"]
        assert isinstance(engine, Engine)
        groups["engine"] = dataclasses.replace(engine, model_dir=_absolute(engine.model_dir))
        source_path, output_path = as_path(source, "the source"), as_path(output, "the output")
        return cls(os.path.abspath(source_path), os.path.abspath(output_path), **groups)  # type: ignore[arg-type]

    def replace(self, **changes: Any) -> VideoJob:
        """A copy with some flat options (``crf=0``) or fields (``output=...``) changed."""
        fields = {f.name for f in dataclasses.fields(self)}
        direct = {k: v for k, v in changes.items() if k in fields}
        flat = {k: v for k, v in changes.items() if k not in fields}
        known = flat_options()
        unknown = sorted(set(flat) - set(known))
        if unknown:
            raise InputError(f"unknown option {unknown[0]!r}")
        for group, values in _by_group(flat, known).items():
            cls = GROUPS[group]
            if issubclass(cls, ChoiceOptions):
                # a new choice starts from its defaults; the same one keeps its options
                chosen = values.pop(cls.choose, None)
                current = getattr(self, group)
                keep = chosen is None or (isinstance(chosen, str) and chosen == current.name)
                direct[group] = cls.make(current if keep else chosen, values)
            else:
                direct[group] = dataclasses.replace(getattr(self, group), **values)
        return dataclasses.replace(self, **direct)

    # -- JSON ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The job as JSON-ready values, with its schema version."""
        data: dict[str, Any] = {"version": SCHEMA_VERSION, "source": self.source}
        data["output"] = self.output
        for name in GROUPS:
            data[name] = getattr(self, name).to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoJob:
        """A job from :meth:`to_dict`'s form (or a hand-written one; groups may be left out).

        Raises:
            InputError: not a job, a newer schema version, an unknown key, a bad value.
        """
        if not isinstance(data, Mapping):
            raise InputError("a job must be a JSON object")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InputError("not a restyle job: it has no schema 'version' (a whole number)")
        if version > SCHEMA_VERSION:
            raise InputError(
                f"this job was written by a newer restyle (schema version {version}); this "
                f"restyle reads version {SCHEMA_VERSION}: upgrade restyle to run it"
            )
        if version == 1:
            data = upgrade_v1(data)
        known = {"version", "source", "output", *GROUPS}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown key {unknown[0]!r} in the job; known: {', '.join(known)}")
        for name in ("source", "output"):
            if name not in data:
                raise InputError(f"the job has no '{name}'")
        groups = {name: GROUPS[name].from_dict(data.get(name, {})) for name in GROUPS}
        return cls(data["source"], data["output"], **groups)  # type: ignore[arg-type]

    def to_json(self) -> str:
        """The job as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str) -> VideoJob:
        """A job from JSON text.

        Raises:
            InputError: not JSON, or not a valid job.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"the job is not valid JSON: {exc.msg} (line {exc.lineno})") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> VideoJob:
        """A job from a JSON file.

        Raises:
            InputError: the file cannot be read, or is not a valid job.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"job file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the job file {path}: {exc}") from None
        return cls.from_json(text)

    # -- identity -----------------------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        """What the painted frames depend on: the job without its output and run settings."""
        data = self.to_dict()
        for key in ("output", "run", "version"):
            data.pop(key)
        return data

    def digest(self) -> str:
        """A SHA-256 of :meth:`identity`: equal for jobs that paint the same frames."""
        text = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _style_ref(item: Any) -> StyleRef:
    """A style as a job holds it: a spec string (paths as text) or a computed Style."""
    if isinstance(item, Style | str):
        return item
    if isinstance(item, os.PathLike):
        return os.fspath(item)
    raise InputError(
        f"a style in a job must be a style image path, a spec such as builtin:7 or a "
        f"computed Style, got {type(item).__name__}"
    )


def upgrade_v1(data: Mapping[str, Any]) -> dict[str, Any]:
    """A version 1 job's mapping in version 2's form.

    Version 1 held every method's options in one ``method`` mapping and every filter's in
    ``temporal``, and named the run's network calls ``workers`` and its pieces at once
    ``chunk_workers``. The chosen method's and filter's own options are kept (the others
    never painted); the segmented method's base (gatys) options go under ``base``.
    """
    out = dict(data)
    method = data.get("method")
    if isinstance(method, Mapping):
        out["method"] = _chosen_only(MethodOptions, method)
    temporal = data.get("temporal")
    if isinstance(temporal, Mapping):
        out["temporal"] = _chosen_only(FilterOptions, temporal)
    run = data.get("run")
    if isinstance(run, Mapping):
        run = dict(run)
        renamed = {}
        if "workers" in run:
            renamed["painters"] = run.pop("workers")
        if "chunk_workers" in run:
            renamed["workers"] = run.pop("chunk_workers")
        out["run"] = {**run, **renamed}
    return out


def _chosen_only(base: type[ChoiceOptions], values: Mapping[str, Any]) -> dict[str, Any]:
    """A version 1 group's mapping with only the chosen choice's own options."""
    values = dict(values)
    name = values.get(base.selector, base.default_choice)
    if not isinstance(name, str) or name not in base.registry:
        return values  # the unknown name is refused, naming it, when the group is made
    cls = base.choice(name)
    own = {item.name for item in declared(cls)}
    kept: dict[str, Any] = {base.selector: name}
    kept.update({k: v for k, v in values.items() if k in own})
    if "base" in cls.nested():
        base_name = values.get("segment_base", "network")
        if isinstance(base_name, str) and base_name in base.registry:
            base_own = {item.name for item in declared(base.choice(base_name))}
            kept["base"] = {k: v for k, v in values.items() if k in base_own}
    return kept
