"""Outputs that appear only when complete: a temporary file or folder beside the target."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from restyle.errors import OutputError


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask() is process-wide, not thread-safe


def refuse_overwrite(
    target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Raise OutputError when ``target`` is one of the input files (an output never
    overwrites what it is made from)."""
    out = Path(target)
    for inp in inputs:
        source = Path(inp)
        same = out.resolve() == source.resolve()
        if not same and out.exists() and source.exists():
            same = os.path.samefile(out, source)
        if same:
            raise OutputError(
                f"Output {out} is the input file; choose another output path (writing it "
                "would overwrite the input)."
            )


def _check_folder(folder: Path) -> None:
    """Raise OutputError unless `folder` exists and is writable."""
    if not folder.is_dir():
        raise OutputError(f"Output folder {folder} does not exist; create it first.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Output folder {folder} is not writable; choose another place.")


class AtomicFile:
    """A temporary file beside `target` that replaces it on commit and vanishes on abort.

    The temporary name keeps the real extension (``.out.mp4.tmp-ab12.mp4``) so any tool
    that picks a format from the name still picks the right one.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        folder = self.target.parent
        _check_folder(folder)
        try:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.target.name}.tmp-", suffix=self.target.suffix, dir=folder
            )
        except OSError as exc:
            raise OutputError(f"Cannot write in {folder}: {exc.strerror}.") from exc
        os.close(fd)
        self.path = Path(tmp)
        self.done = False

    def commit(self) -> None:
        """Move the finished temporary file onto the target."""
        if self.done:
            return
        try:
            os.chmod(self.path, 0o666 & ~_UMASK)  # mkstemp makes it private (0600)
            os.replace(self.path, self.target)
        except OSError as exc:
            self.abort()
            raise OutputError(f"Cannot create {self.target}: {exc.strerror}.") from exc
        self.done = True

    def abort(self) -> None:
        """Remove the temporary file; the target is left as it was."""
        self.done = True
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


class AtomicFolder:
    """A temporary folder whose files land in `target` (a folder) on commit.

    When `target` does not exist or is empty, the temporary folder is renamed onto it in one
    step. Otherwise the finished files are moved in one by one at commit, so no partly written
    file is ever visible under its final name.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        if self.target.exists() and not self.target.is_dir():
            raise OutputError(f"{self.target} exists and is not a folder; choose another path.")
        self._merge = self.target.is_dir() and any(self.target.iterdir())
        parent = self.target if self._merge else self.target.parent
        _check_folder(parent)
        try:
            tmp = tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent)
        except OSError as exc:
            raise OutputError(f"Cannot write in {parent}: {exc.strerror}.") from exc
        self.path = Path(tmp)
        self.done = False

    def commit(self) -> None:
        """Publish the finished files under `target`."""
        if self.done:
            return
        try:
            os.chmod(self.path, 0o777 & ~_UMASK)  # mkdtemp makes it private (0700)
            if self._merge:
                for item in sorted(self.path.iterdir()):
                    os.replace(item, self.target / item.name)
                self.path.rmdir()
            else:
                if self.target.is_dir():
                    self.target.rmdir()  # empty, checked at start
                os.replace(self.path, self.target)
        except OSError as exc:
            self.abort()
            raise OutputError(f"Cannot create {self.target}: {exc.strerror}.") from exc
        self.done = True

    def abort(self) -> None:
        """Remove the temporary folder and everything in it."""
        self.done = True
        shutil.rmtree(self.path, ignore_errors=True)
