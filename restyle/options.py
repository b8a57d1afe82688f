"""Options declared once: a dataclass field with its flag, help and bounds, checked in one place.

Every setting a user can give (on the command line, in a job file, in the web page or as a
keyword of the API) is one field of a frozen option group, declared with :func:`option`::

    @dataclass(frozen=True)
    class Look(OptionGroup):
        group: ClassVar[str] = "look"
        strength: float = option(1.0, "how much of the style, 0..1", check=between(0, 1))

The group checks and converts its values when it is made (``__post_init__``): a wrong type
or a value out of bounds is an :class:`~restyle.errors.InputError` that names the option as
the command line spells it and as a job file does (``--strength (look.strength) must be
between 0 and 1, got 1.5``). The command line builds its arguments from these declarations
(``restyle.cli``), so a bound, a default or a help text is written once.
"""

from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import InputError

Check = Callable[[Any], str | None]  # a value -> what is wrong with it, or None


@dataclass(frozen=True)
class Spec:
    """How one option is spelled and checked (kept in the field's metadata)."""

    help: str
    flag: str | None = None  # the command line flag; None: --name-with-dashes
    key: str | None = None  # the API keyword and flat name; None: the field name
    check: Check | None = None
    parse: Callable[[str], Any] | None = None  # command line text -> value
    choices: Callable[[], Sequence[str]] | Sequence[str] | None = None
    metavar: str | None = None
    cli: bool = True  # False: not on the command line (set from a job file or the API)
    short: str | None = None  # a one-letter alias such as -s


def option(
    default: Any,
    help: str,
    *,
    flag: str | None = None,
    key: str | None = None,
    check: Check | None = None,
    parse: Callable[[str], Any] | None = None,
    choices: Callable[[], Sequence[str]] | Sequence[str] | None = None,
    metavar: str | None = None,
    cli: bool = True,
    short: str | None = None,
) -> Any:
    """Declare an option: a dataclass field carrying its help, flag, bounds and parser."""
    spec = Spec(help, flag, key, check, parse, choices, metavar, cli, short)
    return field(default=default, metadata={"restyle": spec})


def between(low: float, high: float, *, high_open: bool = False, low_open: bool = False) -> Check:
    """A check that a number lies in [low, high] (an open end excludes that end)."""
    left, right = "(" if low_open else "[", ")" if high_open else "]"

    def check(value: float) -> str | None:
        below = value <= low if low_open else value < low
        above = value >= high if high_open else value > high
        if below or above or math.isnan(value):
            if not (low_open or high_open):
                return f"must be between {low:g} and {high:g}"
            return f"must be in {left}{low:g}, {high:g}{right}"
        return None

    return check


def at_least(low: float) -> Check:
    """A check that a number is at least ``low``."""

    def check(value: float) -> str | None:
        return None if value >= low else f"must be at least {low:g}"

    return check


def positive(value: float) -> str | None:
    """A check that a number is above zero (and finite)."""
    return None if value > 0 and math.isfinite(value) else "must be above 0"


def choices_of(option_spec: Spec) -> tuple[str, ...] | None:
    """The allowed values of an option, read now (registries can grow)."""
    found = option_spec.choices
    if found is None:
        return None
    return tuple(found() if callable(found) else found)


@dataclass(frozen=True)
class Declared:
    """One declared option of a group, as the command line and the job file see it."""

    group: str  # the group's key in a job file, e.g. "look"
    name: str  # the field name, e.g. "strength"
    key: str  # the API keyword, e.g. "strength"
    spec: Spec
    default: Any
    hint: Any  # the field's type

    @property
    def flag(self) -> str:
        """The command line flag, e.g. ``--strength``."""
        return self.spec.flag or "--" + self.key.replace("_", "-")

    @property
    def label(self) -> str:
        """How errors name it: ``--strength (look.strength)``."""
        where = f"{self.group}.{self.name}" if self.group else self.name
        return f"{self.flag} ({where})" if self.spec.cli else where


class OptionGroup:
    """Base of the option groups: converts and checks every declared field when made."""

    group: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for item in declared(type(self)):
            value = convert(getattr(self, item.name), item)
            object.__setattr__(self, item.name, value)
        self.check()

    def check(self) -> None:
        """Checks across fields of the group (none by default); raise InputError."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OptionGroup:
        """The group from a job file's mapping; unknown keys are an InputError naming them."""
        if not isinstance(data, Mapping):
            raise InputError(f"'{cls.group}' in the job must be a mapping of options")
        names = {item.name for item in declared(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InputError(
                f"unknown option '{cls.group}.{unknown[0]}' in the job; "
                f"'{cls.group}' takes {', '.join(sorted(names))}"
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The group as JSON-ready values (tuples become lists)."""
        return {item.name: to_json(getattr(self, item.name)) for item in declared(type(self))}


def declared(cls: type) -> list[Declared]:
    """The declared options of a group class, in field order."""
    return list(_declared(cls))


@typing.no_type_check
def _declared(cls: type) -> tuple[Declared, ...]:
    cached = cls.__dict__.get("_declared_cache")
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("restyle")
        if spec is None:
            continue
        found.append(
            Declared(cls.group, f.name, spec.key or f.name, spec, f.default, hints[f.name])
        )
    result = tuple(found)
    setattr(cls, "_declared_cache", result)  # noqa: B010 - a class attribute, not a field
    return result


def to_json(value: Any) -> Any:
    """A value as JSON holds it: tuples become lists, objects with ``to_dict`` a mapping."""
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def convert(value: Any, item: Declared) -> Any:
    """``value`` converted to the option's type and checked; InputError naming it otherwise."""
    try:
        value = _coerce(value, item.hint)
    except _WrongType as exc:
        raise InputError(f"{item.label} must be {exc.expected}, got {value!r}") from None
    allowed = choices_of(item.spec)
    if allowed is not None and value is not None and value not in allowed:
        raise InputError(f"{item.label} must be one of {', '.join(allowed)}, got {value!r}")
    if item.spec.check is not None and value is not None:
        values = value if isinstance(value, tuple) else (value,)
        for v in values:
            problem = item.spec.check(v)
            if problem:
                raise InputError(f"{item.label} {problem}, got {v!r}")
    return value


class _WrongType(Exception):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


_NAMES = {float: "a number", int: "a whole number", bool: "true or false", str: "text"}


def _coerce(value: Any, hint: Any) -> Any:
    """Convert a JSON or API value to the type ``hint`` (float, int, bool, str, X | None,
    tuple[X, ...], tuple[X, Y]); raise _WrongType with what was expected."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        concrete = [o for o in options if o is not type(None)]
        for candidate in concrete:
            try:
                return _coerce(value, candidate)
            except _WrongType:
                continue
        expected = " or ".join(_expected(c) for c in concrete)
        raise _WrongType(expected + (" (or none)" if type(None) in options else ""))
    if origin is tuple:
        args = typing.get_args(hint)
        if isinstance(value, str) or not isinstance(value, Sequence):
            if len(args) == 2 and args[1] is Ellipsis:
                value = (value,)  # one item given where several may be
            else:
                raise _WrongType(_expected(hint))
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0]) for v in value)
        if len(value) != len(args):
            raise _WrongType(_expected(hint))
        return tuple(_coerce(v, a) for v, a in zip(value, args, strict=True))
    if hint is Any:
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise _WrongType(_NAMES[bool])
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise _WrongType(_NAMES[float])
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _WrongType(_NAMES[int])
    if hint is str:
        if isinstance(value, str):
            return value
        if isinstance(value, os.PathLike):
            return os.fspath(value)  # a path: jobs hold paths as text
        raise _WrongType(_NAMES[str])
    if isinstance(hint, type):
        if isinstance(value, hint):
            return value
        maker = getattr(hint, "from_json", None)
        if maker is not None:
            made = maker(value)
            if made is not None:
                return made
        raise _WrongType(_expected(hint))
    return value


def _expected(hint: Any) -> str:
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a list of {_expected(args[0])}"
        return f"a list of {len(args)} values"
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_expected(a) for a in typing.get_args(hint) if a is not type(None))
    if hint in _NAMES:
        return _NAMES[hint]
    return getattr(hint, "__name__", str(hint))


class ChoiceOptions(OptionGroup):
    """Base of the options owned by one registered choice: a method's, a flicker filter's.

    Each choice declares a subclass in its own module and registers it with its registry
    (:meth:`restyle.registries.Registry.register`), which sets :attr:`name`. A job holds
    the chosen class's options only, so an option of another choice is refused, naming
    both, rather than silently kept (and hashed into the job's digest).
    """

    name: ClassVar[str] = ""  # the registered choice, set by Registry.register
    registry: ClassVar[Any]  # the Registry of these choices
    selector: ClassVar[str]  # the key that names the choice in a job file ("name", "filter")
    choose: ClassVar[str]  # the flat name (API keyword) that names it ("method", "temporal")
    default_choice: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """The choice's name and its options, as JSON-ready values."""
        return {self.selector: self.name, **super().to_dict()}

    @classmethod
    def flat_values(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Flat options (API keywords) that belong to this choice, by field name.

        A choice with options of another choice inside it (the segmented method's base)
        overrides this. Raises InputError for a key it does not take.
        """
        by_key = {item.key: item for item in declared(cls)}
        mine: dict[str, Any] = {}
        for key, value in values.items():
            if key not in by_key:
                raise InputError(foreign_option(cls, key))
            mine[by_key[key].name] = value
        return mine

    @classmethod
    def choice(cls, name: str | None) -> type[ChoiceOptions]:
        """The options class registered as ``name`` (the default when None).

        A choice registered without options (a plug-in's, a test's) gets an empty class.
        """
        name = name or cls.default_choice
        if name not in cls.registry:
            choices = ", ".join(cls.registry.names())
            raise InputError(
                f"{cls.registry.flag} ({cls.group}.{cls.selector}) must be one of {choices}, "
                f"got {name!r}"
            )
        found = cls.registry.options(name)
        if found is None:
            found = _EMPTY.get((cls, name))
            if found is None:
                made = type(f"{name.title()}Options", (cls,), {"__doc__": f"{name}: no options."})
                found = dataclasses.dataclass(frozen=True)(made)
                found.name = name
                _EMPTY[(cls, name)] = found
        return found

    @classmethod
    def make(cls, chosen: Any = None, values: Mapping[str, Any] | None = None) -> ChoiceOptions:
        """The options of ``chosen`` (a name, an options object or None) with flat values.

        An options object given with values gets them changed; a name gets its defaults.

        Raises:
            InputError: an unknown choice, an option the choice does not take (naming the
                choices that do), or a value out of its bounds.
        """
        # None is "not given": a form may pass every field, set or not, whatever is chosen
        values = {
            k: v for k, v in (values or {}).items() if v is not None or _owned(cls, chosen, k)
        }
        if isinstance(chosen, ChoiceOptions):
            if not isinstance(chosen, cls):
                raise InputError(f"{cls.choose} must be a {cls.__name__}, got {chosen!r}")
            if not values:
                return chosen
            target = type(chosen)
            current = {item.key: getattr(chosen, item.name) for item in declared(target)}
            return target(**target.flat_values({**current, **values}))
        if chosen is not None and not isinstance(chosen, str):
            raise InputError(
                f"{cls.choose} must be a name such as {cls.default_choice!r} or a "
                f"{cls.__name__}, got {type(chosen).__name__}"
            )
        target = cls.choice(chosen)
        return target(**target.flat_values(values))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChoiceOptions:
        """The chosen class's options from a job file's mapping (``{"name": ..., ...}``)."""
        if not isinstance(data, Mapping):
            raise InputError(f"'{cls.group}' in the job must be a mapping of options")
        data = dict(data)
        name = data.pop(cls.selector, None)
        if name is not None and not isinstance(name, str):
            raise InputError(f"'{cls.group}.{cls.selector}' in the job must be text")
        target = cls.choice(name)
        names = {item.name for item in declared(target)}
        for key in data:
            if key not in names and key not in target.nested():
                raise InputError(foreign_option(target, key, job=True))
        return target.from_mapping(data)

    @classmethod
    def nested(cls) -> tuple[str, ...]:
        """Keys of a job file's mapping that hold other options (none by default)."""
        return ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ChoiceOptions:
        """This class's options from a job file's mapping of its own fields."""
        return cls(**data)

    @classmethod
    def all_declared(cls) -> list[Declared]:
        """Every option of every registered choice, each flat name once, in order."""
        seen: dict[str, Declared] = {}
        for entry in cls.registry.entries():
            for item in declared(entry.options) if entry.options else ():
                seen.setdefault(item.key, item)
        return list(seen.values())

    @classmethod
    def owners(cls, key: str, *, field: bool = False) -> list[str]:
        """The registered choices that take the flat option ``key`` (with ``field``: the
        job file's field name ``key``)."""
        return [
            entry.name
            for entry in cls.registry.entries()
            if entry.options
            and any((item.name if field else item.key) == key for item in declared(entry.options))
        ]

    @classmethod
    def selector_option(cls) -> Declared:
        """The option that names the choice (``--method``, ``--temporal``)."""
        spec = Spec(
            f"the {cls.registry.kind}",
            flag=cls.registry.flag,
            key=cls.choose,
            choices=cls.registry.names,
        )
        return Declared(cls.group, cls.selector, cls.choose, spec, cls.default_choice, str)


def _owned(cls: type[ChoiceOptions], chosen: Any, key: str) -> bool:
    """True when the chosen choice (a name, an options object or None) takes ``key``."""
    if isinstance(chosen, ChoiceOptions):
        name = chosen.name
    elif isinstance(chosen, str) or chosen is None:
        name = chosen or cls.default_choice
    else:
        return True  # a wrong kind of value is named by make
    return name not in cls.registry or name in cls.owners(key) or bool(cls.choice(name).nested())


_EMPTY: dict[tuple[type, str], type] = {}  # the options of choices registered without any


def import_choices(package: str, path: Sequence[str], first: str) -> None:
    """Import every module of a package of choices (each registers itself), ``first`` first.

    A method's or a filter's options module registers it when imported, so a new module
    in the package is a new choice; the rest come in name order.
    """
    import importlib
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(path) if not m.name.startswith("_"))
    for name in sorted(names, key=lambda n: n != first):
        importlib.import_module(f"{package}.{name}")


def foreign_option(cls: type[ChoiceOptions], key: str, *, job: bool = False) -> str:
    """The one line for an option that the choice ``cls`` does not take."""
    base = _choice_base(cls)
    owners = base.owners(key, field=job)
    flag = base.registry.flag
    spelled = f"'{cls.group}.{key}'" if job else _flag_of(base, key)
    if owners:
        named = owners[0] if len(owners) == 1 else ", ".join(owners[:-1]) + " or " + owners[-1]
        return f"{spelled} is an option of {flag} {named}, not of {flag} {cls.name}"
    takes = ", ".join(item.key for item in declared(cls)) or "no options"
    return f"unknown option {spelled} for {flag} {cls.name}, which takes {takes}"


def _choice_base(cls: type) -> type[ChoiceOptions]:
    """The direct subclass of ChoiceOptions that ``cls`` descends from (its kind)."""
    for klass in cls.__mro__:
        if ChoiceOptions in klass.__bases__:
            return klass
    return cls


def _flag_of(base: type[ChoiceOptions], key: str) -> str:
    for item in base.all_declared():
        if item.key == key:
            return item.flag
    return repr(key)
