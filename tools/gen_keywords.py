"""Write restyle/keywords.py: the API's flat keyword options as TypedDicts, for editors.

The options are declared once (the option groups of ``restyle.job``, each method's and
each flicker filter's own options); this renders them as ``PictureOptions`` (what
``stylize_image``, ``style_grid`` and ``painter`` take) and ``VideoOptions`` (what
``stylize_video`` takes), so an editor completes and checks every keyword. A test
(tests/test_keywords.py) fails when the file and the declarations disagree; rerun::

    python tools/gen_keywords.py
"""

from __future__ import annotations

import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "restyle" / "keywords.py"

HEADER = '''"""The flat keyword options of the API, typed so an editor completes and checks them.

Generated from the option declarations by ``python tools/gen_keywords.py``; do not edit.
``stylize_image(content, style, **options: Unpack[PictureOptions])`` and
``stylize_video(source, output, style, **options: Unpack[VideoOptions])``: each key is the
option of the same name on the command line (``max_size`` is ``--max-size``). A method's
or a filter's own options apply when that method or filter is chosen (``iterations`` with
``method="gatys"``); another's is an InputError naming both.
"""

from __future__ import annotations

from typing import TypedDict

from .stylizers.options import MethodOptions
from .temporal.options import FilterOptions
'''


def type_text(hint: Any) -> str:
    """A type hint as source text (``int | None``, ``tuple[str, ...]``)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_text(a) for a in typing.get_args(hint))
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return f"tuple[{type_text(args[0])}, ...]"
        return "tuple[" + ", ".join(type_text(a) for a in args) + "]"
    if hint is type(None):
        return "None"
    if hint is Any:
        return "object"
    return hint.__name__


def _block(name: str, base: str, doc: str, items: list[tuple[str, str, str]]) -> str:
    lines = [f"class {name}({base}, total=False):", f'    """{doc}"""', ""]
    for key, hint, help_text in items:
        lines.append(f"    {key}: {hint}")
        wrapped = textwrap.wrap(help_text.replace('"""', "'''"), 88)
        if len(wrapped) == 1 and len(wrapped[0]) <= 86:
            lines.append(f'    """{wrapped[0]}"""')
        else:
            lines.append('    """' + wrapped[0])
            lines.extend(f"    {w}" for w in wrapped[1:])
            lines.append('    """')
    return "\n".join(lines) + "\n"


def _items(groups: tuple[str, ...], skip: set[str]) -> list[tuple[str, str, str]]:
    from restyle.job import GROUPS, group_declared
    from restyle.options import ChoiceOptions

    items = []
    seen: set[str] = set()
    for group in groups:
        cls = GROUPS[group]
        for item in group_declared(group):
            if item.key in skip or item.key in seen:
                continue
            seen.add(item.key)
            hint = type_text(item.hint)
            help_text = item.spec.help
            if issubclass(cls, ChoiceOptions):
                if item.key == cls.choose:
                    hint = f"str | {cls.__name__}"
                    help_text += f": a name ({', '.join(cls.registry.names())}) or its options"
                else:
                    owners = cls.owners(item.key)
                    help_text = f"{cls.registry.flag} {', '.join(owners)}: {help_text}"
            items.append((item.key, hint, help_text))
    return items


def render() -> str:
    """The text of restyle/keywords.py, from the declarations as they are now."""
    from restyle.job import GROUPS, IMAGE_GROUPS

    picture = _items(IMAGE_GROUPS, skip=set())
    picture_keys = {key for key, _, _ in picture}
    rest = tuple(g for g in GROUPS if g not in IMAGE_GROUPS)
    video = [i for i in _items(rest, skip={"style"}) if i[0] not in picture_keys]
    return (
        HEADER
        + "\n\n"
        + _block(
            "PictureOptions",
            "TypedDict",
            "The options of painting a picture: the look, the method and the engine.",
            picture,
        )
        + "\n\n"
        + _block(
            "VideoOptions",
            "PictureOptions",
            "A video render's options: the picture's, styles, flicker, encoding, range, run.",
            video,
        )
    )


def main() -> int:
    """Write the file; say whether it changed."""
    text = render()
    before = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if text == before:
        print(f"{TARGET.relative_to(REPO)} is up to date")
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
