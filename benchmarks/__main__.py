"""Run one benchmark: ``python -m benchmarks NAME [args...]``; with no name, list them.

Each benchmark is a module of a group (``benchmarks/speed/``, ``benchmarks/quality/``) with
its own argparse ``main()``: ``python -m benchmarks NAME --help`` gives its options, and
``python -m benchmarks.GROUP.NAME`` runs it too. The list reads each module's docstring
without importing it (the benchmarks import restyle, OpenCV, sometimes torch or Ray).
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GROUPS = ("speed", "quality")


def benchmarks() -> dict[str, dict[str, Path]]:
    """The benchmark modules by group, then by name, sorted."""
    return {group: {p.stem: p for p in sorted((HERE / group).glob("[!_]*.py"))} for group in GROUPS}


def summary(path: Path) -> str:
    """A module's one-line docstring summary, read from its source."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def listing() -> str:
    """The benchmarks, grouped, each with its summary."""
    lines = ["usage: python -m benchmarks NAME [args...]   (NAME --help for its options)"]
    for group, found in benchmarks().items():
        lines += ["", f"{group}:"]
        width = max(map(len, found), default=0)
        lines += [f"  {name:<{width}}  {summary(path)}" for name, path in found.items()]
    lines += ["", "results: benchmarks/results/NAME.json (gitignored)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """List the benchmarks, or run the one named with the rest of the arguments."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "list"):
        print(listing())
        return 0
    name, rest = argv[0], argv[1:]
    found = {n: group for group, names in benchmarks().items() for n in names}
    name = name.removesuffix(".py").rsplit("/", 1)[-1]
    if name not in found:
        print(f"no benchmark named {argv[0]!r}\n\n{listing()}", file=sys.stderr)
        return 2
    # imported, not run as __main__: its functions pickle by their module's name (processes, Ray)
    module = importlib.import_module(f"benchmarks.{found[name]}.{name}")
    sys.argv = [f"python -m benchmarks {name}", *rest]
    code = module.main()
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
