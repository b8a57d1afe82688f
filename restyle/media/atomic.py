"""Outputs that appear only when complete: a temporary file or folder beside the target.

A temporary output is named ``.NAME.tmp-XXXX.ext`` (a folder: ``.NAME.tmp-XXXX``) and its
writer holds an exclusive ``flock`` on it for as long as it writes. The kernel drops a
process's locks when it dies, however it dies (SIGKILL, a crash, a power cut ends the
machine's locks with it), so a temporary output that nobody holds is debris: the next writer
to the same target removes every one it can lock, and never one whose writer still runs
(two renders to one output both finish and the last one wins).

Failures that would strand the temporary output are handled here too: a folder that vanished
or was renamed while writing (the file is found again through its open descriptor), and a
folder that lost its write permission (its owner's write bit is set for the moment it takes to
remove the file, then the folder's mode is put back exactly).
"""

from __future__ import annotations

import atexit
import errno
import os
import shutil
import stat
import tempfile
import weakref
from collections.abc import Iterable
from pathlib import Path

from restyle.errors import OutputError

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so nothing is ever taken for stale
    fcntl = None  # type: ignore[assignment]


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask() is process-wide, not thread-safe
_FD_LINKS = Path("/proc/self/fd")  # Linux: where an open descriptor's current path is


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


_OS_ERRORS = {
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file grew past the size this process may write",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "the output folder was moved or deleted",
    errno.EROFS: "the disk is read-only",
    errno.EIO: "the disk reported an input/output error",
}


def describe_os_error(exc: BaseException) -> str:
    """One phrase for an OS-level write failure: what happened, in words a user can act on."""
    known = _OS_ERRORS.get(getattr(exc, "errno", None))  # type: ignore[arg-type]
    if known:
        return known
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.rstrip(".")


def _lock(fd: int, wait: bool) -> bool:
    """Take an exclusive flock on `fd`; False when another process holds it (``wait=False``)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError:  # a filesystem without locks: write anyway, but never take one for stale
        return wait
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _temp_prefix(target_name: str) -> str:
    """How this module's temporary outputs of `target_name` begin: ``.NAME.tmp-``."""
    return f".{target_name}.tmp-"


def _is_leftover(name: str, prefix: str, suffix: str) -> bool:
    return name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix + suffix)


def sweep_stale(folder: Path, target_name: str, suffix: str = "", folders: bool = False) -> int:
    """Remove temporary outputs of `target_name` in `folder` that no live writer holds.

    Only names this module makes for that target (``.NAME.tmp-XXXX`` + `suffix`) are looked
    at; one is removed only while this process holds its lock, so a writer that is still
    running keeps its file. Returns how many were removed. Never raises.
    """
    if fcntl is None:
        return 0
    prefix = _temp_prefix(target_name)
    removed = 0
    try:
        names = [n for n in os.listdir(folder) if _is_leftover(n, prefix, suffix)]
    except OSError:
        return 0
    for name in names:
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            if stat.S_ISDIR(os.fstat(fd).st_mode) != folders:
                continue
            if _lock(fd, wait=False) and _same_file(fd, path):
                if folders:
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += not path.exists()
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _current_path(fd: int, fallback: Path) -> Path | None:
    """Where the file open as `fd` is now (renamed folders followed); None if it is deleted."""
    try:
        link = os.readlink(_FD_LINKS / str(fd))
    except OSError:
        return fallback
    if link.endswith(" (deleted)"):
        return None
    return Path(link)


def _remove(path: Path, folder: bool) -> None:
    """Remove a temporary file or folder, even from a folder that has lost its write bit.

    When the parent denies it and belongs to this user, the owner's write bit is set for the
    moment of the removal and the parent's mode is then restored exactly.
    """

    def rm() -> None:
        if folder:
            shutil.rmtree(path)
        else:
            path.unlink()

    try:
        rm()
    except FileNotFoundError:
        return
    except PermissionError:
        parent = path.parent
        try:
            info = os.stat(parent)
            if info.st_uid != os.geteuid():
                return
            os.chmod(parent, stat.S_IMODE(info.st_mode) | stat.S_IWUSR | stat.S_IXUSR)
        except OSError:
            return
        try:
            rm()
        except OSError:
            pass
        finally:
            os.chmod(parent, stat.S_IMODE(info.st_mode))
    except OSError:
        if folder:
            shutil.rmtree(path, ignore_errors=True)


_HELD: weakref.WeakSet[_Held] = weakref.WeakSet()  # this process's temporary outputs


@atexit.register
def _abort_held() -> None:
    """At exit, remove the temporary outputs this process still holds: none was committed.

    The backstop for a signal that lands between creating an output and the code that would
    abort it, where the writer is left to a finalizer that may never run (an exception's
    traceback keeps it in a reference cycle). A forked child's copies are not its own.
    """
    for held in list(_HELD):
        if held.owner == os.getpid():
            try:
                held.abort()
            except Exception:  # noqa: BLE001 - the process is ending; nothing can report it
                pass


class _Held:
    """A temporary file or folder this process created and holds locked until it lets go."""

    folder = False
    path: Path
    owner = 0  # the process that made it
    _fd: int | None

    def _hold(self, make) -> None:
        """Create the temporary output with `make` and lock it; retry if a sweep took it."""
        flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (0 if self.folder else os.O_NOFOLLOW)
        for _ in range(100):
            path = Path(make())
            fd = None
            try:
                try:
                    fd = os.open(path, flags)
                except FileNotFoundError:  # another process's sweep took it before the lock
                    continue
                _lock(fd, wait=True)
                if _same_file(fd, path):  # else a sweep between creating and locking took it
                    self.path, self._fd, self.owner = path, fd, os.getpid()
                    _HELD.add(self)
                    return
            except BaseException:  # Ctrl-C or a signal right here: leave nothing behind
                _remove(path, self.folder)
                raise
            finally:
                if fd is not None and self._fd != fd:
                    os.close(fd)
        raise OutputError(f"Cannot write in {self.path.parent}: temporary files keep vanishing.")

    def _hold_folder(self, parent: Path, name: str) -> None:
        """Remove the temporary folders of `name` in `parent` that nobody holds, then make
        a new one there and hold it."""
        sweep_stale(parent, name, folders=True)
        self._hold(lambda: tempfile.mkdtemp(prefix=_temp_prefix(name), dir=parent))

    def _where(self) -> Path | None:
        if self._fd is None:
            return self.path
        return _current_path(self._fd, self.path)

    def _release(self) -> None:
        _HELD.discard(self)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def abort(self) -> None:
        """Remove the temporary output; the target is left as it was."""
        if getattr(self, "_fd", None) is None and self.done:
            return
        self.done = True
        try:
            where = self._where()
            if where is not None:
                _remove(where, self.folder)
        finally:
            self._release()

    def __del__(self) -> None:  # a writer dropped without commit or abort
        if getattr(self, "_fd", None) is not None:
            try:
                self.abort()
            except Exception:  # noqa: BLE001 - nothing can be reported from a finalizer
                pass


def _commit_error(target: Path, exc: OSError) -> OutputError:
    folder = target.parent
    if not folder.is_dir():
        return OutputError(
            f"Cannot create {target}: the output folder {folder} was moved or deleted while "
            "writing; "
            "nothing was written."
        )
    if getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM):
        return OutputError(
            f"Cannot create {target}: the folder {folder} is no longer writable "
            "(permission denied); nothing was written."
        )
    return OutputError(f"Cannot create {target}: {describe_os_error(exc)}; nothing was written.")


class AtomicFile(_Held):
    """A temporary file beside `target` that replaces it on commit and vanishes on abort.

    The temporary name keeps the real extension (``.out.mp4.tmp-ab12.mp4``) so any tool
    that picks a format from the name still picks the right one. Stale temporary files of
    the same target (their writer gone) are removed first.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self.done = False
        self._fd = None
        folder = self.target.parent
        _check_folder(folder)
        self.path = folder / self.target.name
        sweep_stale(folder, self.target.name, self.target.suffix)

        def make() -> str:
            fd, tmp = tempfile.mkstemp(
                prefix=_temp_prefix(self.target.name), suffix=self.target.suffix, dir=folder
            )
            os.close(fd)
            return tmp

        try:
            self._hold(make)
        except OSError as exc:
            raise OutputError(f"Cannot write in {folder}: {describe_os_error(exc)}.") from None

    def commit(self) -> None:
        """Move the finished temporary file onto the target."""
        if self.done:
            return
        try:
            where = self._where()
            if where is None:
                raise FileNotFoundError(errno.ENOENT, "deleted", str(self.path))
            os.chmod(where, 0o666 & ~_UMASK)  # mkstemp makes it private (0600)
            os.replace(where, self.target)
        except OSError as exc:
            self.abort()
            raise _commit_error(self.target, exc) from None
        self.done = True
        self._release()


class AtomicFolder(_Held):
    """A temporary folder whose files land in `target` (a folder) on commit.

    When `target` does not exist or is empty, the temporary folder is renamed onto it in one
    step. Otherwise the finished files are moved in one by one at commit, so no partly written
    file is ever visible under its final name.
    """

    folder = True

    def __init__(self, target: str | os.PathLike[str]) -> None:
        self.target = Path(target)
        self.done = False
        self._fd = None
        if self.target.exists() and not self.target.is_dir():
            raise OutputError(f"{self.target} exists and is not a folder; choose another path.")
        if self.target.is_dir():  # a merge's temporary folders sit inside the target
            sweep_stale(self.target, self.target.name, folders=True)
        self._merge = self.target.is_dir() and any(self.target.iterdir())
        parent = self.target if self._merge else self.target.parent
        _check_folder(parent)
        self.path = parent / self.target.name
        try:
            self._hold_folder(parent, self.target.name)
        except OSError as exc:
            raise OutputError(f"Cannot write in {parent}: {describe_os_error(exc)}.") from None

    def commit(self) -> None:
        """Publish the finished files under `target`."""
        if self.done:
            return
        try:
            where = self._where()
            if where is None:
                raise FileNotFoundError(errno.ENOENT, "deleted", str(self.path))
            os.chmod(where, 0o777 & ~_UMASK)  # mkdtemp makes it private (0700)
            if self._merge:
                for item in sorted(where.iterdir()):
                    os.replace(item, self.target / item.name)
                where.rmdir()
            else:
                if self.target.is_dir():
                    self.target.rmdir()  # empty, checked at start
                os.replace(where, self.target)
        except OSError as exc:
            self.abort()
            raise _commit_error(self.target, exc) from None
        self.done = True
        self._release()


class ScratchFolder(_Held):
    """A private working folder, removed when the block ends; a context manager giving its path.

    Made as ``.NAME.tmp-XXXX`` in `parent` (the system's temporary folder by default) and
    held locked while in use, so one whose process was killed (SIGKILL, a lost machine) is
    debris the next ScratchFolder of that name removes, and a live one is never touched: a
    worker killed mid-piece does not leave its half-painted piece in ``/tmp`` for good.
    """

    folder = True

    def __init__(self, name: str, parent: str | os.PathLike[str] | None = None) -> None:
        self.done = False
        self._fd = None
        base = Path(parent if parent is not None else tempfile.gettempdir())
        self.path = base / name
        try:
            self._hold_folder(base, name)
        except OSError as exc:
            raise OutputError(
                f"Cannot make a working folder in {base}: {describe_os_error(exc)}."
            ) from None

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.abort()
