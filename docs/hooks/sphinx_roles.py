"""MkDocs hook: Sphinx cross-reference roles in docstrings read as plain code on the site.

restyle's docstrings name other objects Sphinx's way (``:func:`render```,
``:class:`~restyle.job.VideoJob```). mkdocstrings renders the role's text as code and
leaves the role's name before it; this drops the name (and, for ``~a.b.C``, keeps ``C``,
as Sphinx shows it).
"""

from __future__ import annotations

import re

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const):(<code>)(~?)([^<]*)")


def _plain(match: re.Match[str]) -> str:
    name = match.group(3)
    if match.group(2):
        name = name.rsplit(".", 1)[-1]
    return match.group(1) + name


def on_page_content(html: str, page, config, files) -> str:  # noqa: ARG001
    """Drop the role names mkdocstrings left in the rendered API reference."""
    return _ROLE.sub(_plain, html)
