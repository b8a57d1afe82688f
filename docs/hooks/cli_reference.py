"""MkDocs hook: the command-line reference, generated from ``restyle.cli.build_parser()``.

A page holding the marker ``<!-- restyle-cli-reference -->`` gets, in its place, every
subcommand's usage, description, arguments and option groups, with their help text, read
from the parser itself at build time, so the reference cannot fall behind the code. Options
hidden from ``--help`` (help ``argparse.SUPPRESS``) are listed too: with their full help when
the parser keeps it on the action (``_full_help`` or ``full_help``), else without help.
Nothing here names an option: the parser is walked generically.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import re

MARKER = "<!-- restyle-cli-reference -->"
WIDTH = 90

_ESCAPE = re.compile(r"([\\`*_\[\]<>|#])")


def _escape(text: str) -> str:
    """Text for Markdown: one paragraph, the characters Markdown would read escaped."""
    return _ESCAPE.sub(r"\\\1", " ".join(text.split()))


def _full_help(action: argparse.Action) -> str | None:
    """The help an action shows in the reference (its hidden help where one is kept)."""
    if action.help is not argparse.SUPPRESS:
        return action.help
    for name in ("_full_help", "full_help"):
        text = getattr(action, name, None)
        if isinstance(text, str) and text is not argparse.SUPPRESS:
            return text
    return None


def _unhide(parser: argparse.ArgumentParser) -> set[int]:
    """Give hidden actions their full help (or none) so usage lists them; their ids."""
    hidden = set()
    for action in parser._actions:
        if action.help is argparse.SUPPRESS:
            hidden.add(id(action))
            action.help = _full_help(action) or ""
    return hidden


def _expand(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """An action's help with ``%(default)s`` and the like filled in, as ``--help`` does."""
    if not action.help:
        return ""
    try:
        return parser._get_formatter()._expand_help(action)
    except (KeyError, TypeError, ValueError):
        return action.help.replace("%%", "%")


def _signature(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """How an argument is written: ``--flag METAVAR, -f METAVAR`` or the positional's name."""
    formatter = parser._get_formatter()
    if not action.option_strings:
        if action.metavar is None:
            return action.dest
        return formatter._metavar_formatter(action, action.dest)(1)[0]
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    args = formatter._format_args(action, formatter._get_default_metavar_for_optional(action))
    return ", ".join(f"{flag} {args}" for flag in action.option_strings)


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of every subcommand, hidden ones and aliases folded."""
    found: list[tuple[str, str, argparse.ArgumentParser]] = []
    seen: set[int] = set()
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            found.append((name, helps.get(name, ""), sub))
    return found


def _render_parser(parser: argparse.ArgumentParser, depth: int, title: str) -> list[str]:
    """Markdown for one parser and, below it, its subcommands."""
    parser.formatter_class = functools.partial(parser.formatter_class, width=WIDTH)
    hidden = _unhide(parser)
    lines = [f"{'#' * depth} `{title}`", ""]
    if parser.description:
        lines += [_escape(parser.description), ""]
    lines += ["```text", parser.format_usage().strip(), "```", ""]
    for group in parser._action_groups:
        actions = [a for a in group._group_actions if not isinstance(a, argparse._SubParsersAction)]
        if not actions:
            continue
        lines += [f"**{_escape(group.title or 'arguments')}**", ""]
        if group.description:
            lines += [_escape(group.description), ""]
        for action in actions:
            text = _expand(parser, action)
            text = _escape(text) if text else ""
            if id(action) in hidden:
                text = (text + " " if text else "") + "*(not shown by `--help`)*"
            shown = action.metavar is None and action.option_strings
            if action.choices and not shown and not isinstance(action.choices, dict):
                choices = ", ".join(f"`{c}`" for c in action.choices)
                text = (text + " " if text else "") + f"(choices: {choices})"
            lines += [f"`{_signature(parser, action)}`", f":   {text or '&nbsp;'}", ""]
    if parser.epilog:
        lines += [_escape(parser.epilog), ""]
    subs = _subcommands(parser)
    if subs:
        lines += ["**subcommands**", ""]
        for name, help_text, _ in subs:
            link = f"- [`{title} {name}`](#{_anchor(f'{title} {name}')})"
            lines.append(f"{link}: {_escape(help_text)}" if help_text else link)
        lines.append("")
        for name, _, sub in subs:
            lines += _render_parser(sub, min(depth + 1, 6), f"{title} {name}")
    return lines


def _anchor(title: str) -> str:
    """The id MkDocs's toc extension gives a heading ``title`` (in backticks)."""
    return re.sub(r"[\s]+", "-", re.sub(r"[^\w\s-]", "", title).strip().lower())


def full_parser() -> argparse.ArgumentParser:
    """The ``restyle`` parser with every option shown, where the parser offers such a view.

    ``build_parser(HelpView(all=True))`` is the parser ``--help-all`` prints (options in
    their groups); without that view, ``build_parser()``, whose hidden options are then
    listed by :func:`_unhide`.
    """
    from restyle import cli

    view = getattr(cli, "HelpView", None)
    if view is not None:
        try:
            return cli.build_parser(view(all=True))
        except TypeError:
            pass
    return cli.build_parser()


def _listed_choices(parser: argparse.ArgumentParser) -> list[str]:
    """What ``restyle list`` prints (every named choice and what it does), where it exists."""
    if "list" not in {name for name, _, _ in _subcommands(parser)}:
        return []
    from restyle import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["list"])
    if code not in (0, None) or not out.getvalue().strip():
        raise RuntimeError(f"restyle list failed (exit code {code}) while building the docs")
    return [
        "## Choices",
        "",
        "The named choices of every kind, with what each does and, for methods and filters,",
        "their own options, as `restyle list` prints them:",
        "",
        "```text",
        out.getvalue().rstrip(),
        "```",
        "",
    ]


def render_reference() -> str:
    """The whole command-line reference as Markdown."""
    parser = full_parser()
    lines = _render_parser(parser, 2, "restyle")
    return "\n".join(lines + _listed_choices(parser))


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001
    """Put the generated reference where the page holds the marker."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render_reference())
