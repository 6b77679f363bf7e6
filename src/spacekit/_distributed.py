"""Run independent tasks in local worker processes or on a Dask cluster, and gather them.

The one scale-out layer every skope uses (SVM prep per visit, JWST predict per program,
HST cal predict per row chunk). A skope cuts its work into :class:`Task` objects, each a
pure function call of one input; :func:`run_tasks` runs them

* in this process (``n_jobs=1``), in a local process pool (``n_jobs>1``), or
* on a Dask cluster through a :class:`distributed.Client` (``client=``),

and returns every result keyed by its input, plus the inputs whose task failed with the
reason. The caller joins the results in its own order and writes its outputs once, on the
client, so a run gives the same files whichever scheduler ran it.

On a cluster each task is retried once when it raises (``retries=1``); a task whose worker
dies is re-run by Dask on another worker (up to the scheduler's
``distributed.scheduler.allowed-failures``), and results are pulled to the client as they
complete (``as_completed``), so a lost worker never loses a gathered result. A task that
still fails is reported as ``(input, "ExceptionType: message")``, like any other skipped
input.

Nothing here imports Dask until a cluster is used, and nothing connects to a scheduler
unless asked: ``import spacekit`` stays cheap and offline. A missing ``distributed``
raises an :class:`~spacekit.exceptions.OptionalDependencyError` that names the extra
(``pip install "spacekit[distributed]"``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacekit.exceptions import InputError

__all__ = [
    "ADDRESS_ENV",
    "SCHEDULERS",
    "Task",
    "TaskResults",
    "resolve_address",
    "connect",
    "client_from",
    "check_workers",
    "mp_context",
    "run_tasks",
    "PathSpelling",
]

log = logging.getLogger(__name__)

#: Where the work runs: local worker processes, or a Dask cluster.
SCHEDULERS = ("processes", "dask")
#: Dask's convention for the scheduler a client connects to.
ADDRESS_ENV = "DASK_SCHEDULER_ADDRESS"
#: Seconds to wait for the scheduler when connecting.
CONNECT_TIMEOUT = 30


@dataclass(frozen=True)
class Task:
    """One call ``func(*args, **kwargs)`` for one input, named ``key`` in reports."""

    key: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class TaskResults:
    """What :func:`run_tasks` gathered.

    Attributes
    ----------
    results : dict
        ``{task key: return value}`` of the tasks that succeeded, in submission order.
    failed : list of (str, str)
        ``(task key, "ExceptionType: message")`` of the tasks that failed (after the
        retry, on a cluster), in submission order.
    """

    results: dict[str, Any]
    failed: list[tuple[str, str]]


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _require_distributed():
    from spacekit._optional import require

    return require("distributed", feature="running on a Dask cluster")


def resolve_address(address: str | None = None) -> str | None:
    """The scheduler address to use: ``address``, else ``$DASK_SCHEDULER_ADDRESS``.

    Returns None when neither is set (the caller then has no cluster to run on).
    """
    address = (address or "").strip() or os.environ.get(ADDRESS_ENV, "").strip()
    return address or None


def connect(address: str | None = None, timeout: float | None = None):
    """Connect a :class:`distributed.Client` to the scheduler at ``address``.

    Parameters
    ----------
    address : str, optional
        ``tcp://HOST:PORT`` (any address Dask accepts); default ``$DASK_SCHEDULER_ADDRESS``.
    timeout : float, optional
        Seconds to wait for the scheduler (default :data:`CONNECT_TIMEOUT`, 30).

    Returns
    -------
    distributed.Client
        Not set as Dask's default client; close it when done (it is a context manager).

    Raises
    ------
    OptionalDependencyError
        ``distributed`` is not installed (``pip install "spacekit[distributed]"``).
    InputError
        No address was given, or the scheduler cannot be reached.
    """
    distributed = _require_distributed()
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    where = resolve_address(address)
    if where is None:
        raise InputError(
            "No Dask scheduler address: pass one (tcp://HOST:PORT) or set "
            f"{ADDRESS_ENV}. Start a scheduler with `dask scheduler` (or dask-jobqueue / "
            "dask-kubernetes), then point spacekit at the address it prints."
        )
    try:
        client = distributed.Client(where, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"Cannot reach the Dask scheduler at {where!r} within {timeout:g} s: {exc}. "
            "Check the address (tcp://HOST:PORT) and that the scheduler is running."
        ) from exc
    log.info("connected to the Dask scheduler at %s", where)
    return client


@contextlib.contextmanager
def client_from(client) -> Iterator[Any]:
    """Yield a usable client for ``client``: None, a :class:`distributed.Client`, or an
    address string (connected here and closed on exit)."""
    if client is None or not isinstance(client, str):
        yield client
        return
    owned = connect(client)
    try:
        yield owned
    finally:
        owned.close()


def _spacekit_version() -> str:
    from spacekit._version import __version__

    return __version__


def check_workers(client) -> None:
    """Raise if the cluster's workers cannot run spacekit tasks like this process.

    Each worker must import the same spacekit version as the client (the functions run
    there by reference, and the outputs must not depend on which machine computed them).

    Raises
    ------
    InputError
        A worker cannot import spacekit or has another version.
    """
    mine = _spacekit_version()
    try:
        versions = client.run(_spacekit_version)
    except ImportError as exc:
        raise InputError(
            f"The Dask workers cannot import spacekit ({exc}). Install spacekit {mine} in "
            "the workers' environment (the same image or virtual environment as here)."
        ) from exc
    other = {w: v for w, v in versions.items() if v != mine}
    if other:
        listed = ", ".join(f"{w}: {v}" for w, v in sorted(other.items())[:3])
        raise InputError(
            f"The Dask workers must run spacekit {mine} like this client; found {listed}"
            f"{' ...' if len(other) > 3 else ''}. Install the same version on the workers."
        )


def _call(func: Callable, args: tuple, kwargs: dict):
    return func(*args, **kwargs)


def _progress(total: int, progress: bool, desc: str, unit: str):
    from tqdm import tqdm

    # disable=None: hidden when stderr is not a terminal
    return tqdm(total=total, desc=desc, unit=unit, disable=not progress or None)


def run_tasks(
    func: Callable,
    tasks: Sequence[Task],
    *,
    client=None,
    n_jobs: int = 1,
    retries: int = 1,
    progress: bool = True,
    desc: str = "tasks",
    unit: str = "task",
) -> TaskResults:
    """Run ``func`` on every task and gather the results on this process.

    Parameters
    ----------
    func : callable
        A module-level function (it is sent to worker processes by reference).
    tasks : sequence of Task
        One per input; keys must be unique.
    client : distributed.Client or str, optional
        Run on this Dask cluster (an address string is connected and closed here);
        ``n_jobs`` is then ignored. Default: run locally.
    n_jobs : int, default=1
        Local worker processes (1: in this process).
    retries : int, default=1
        On a cluster, how many times a task that raised is re-run before it is reported.
    progress : bool, default=True
        A progress bar over the completed tasks (hidden when not on a terminal).
    desc, unit : str
        Labels of the progress bar.

    Returns
    -------
    TaskResults
    """
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("run_tasks needs unique task keys")
    with client_from(client) as cl, _progress(len(tasks), progress, desc, unit) as bar:
        if cl is not None:
            done, failed = _run_dask(cl, func, tasks, retries, bar)
        elif n_jobs > 1 and len(tasks) > 1:
            done, failed = _run_pool(func, tasks, min(n_jobs, len(tasks)), bar)
        else:
            done, failed = _run_here(func, tasks, bar)
    for key, reason in failed.items():
        log.warning("task for %s failed: %s", key, reason)
    return TaskResults(
        {k: done[k] for k in keys if k in done}, [(k, failed[k]) for k in keys if k in failed]
    )


def _run_here(func, tasks, bar):
    done, failed = {}, {}
    for t in tasks:
        try:
            done[t.key] = func(*t.args, **t.kwargs)
        except Exception as exc:  # one bad input must not end the run: reported
            log.debug("task for %s failed", t.key, exc_info=True)
            failed[t.key] = _reason(exc)
        bar.update()
    return done, failed


def mp_context():
    """The start method of local worker processes: ``fork`` on Linux, else the default.

    ``spawn``/``forkserver`` re-run an unguarded ``__main__`` script in every worker; the
    workers only run spacekit's own functions, so ``fork`` is safe and fast.
    """
    import multiprocessing

    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _run_pool(func, tasks, workers, bar):
    from concurrent.futures import ProcessPoolExecutor, as_completed

    done, failed = {}, {}
    with ProcessPoolExecutor(workers, mp_context=mp_context()) as pool:
        futures = {pool.submit(_call, func, t.args, t.kwargs): t.key for t in tasks}
        for fut in as_completed(futures):
            key = futures[fut]
            try:
                done[key] = fut.result()
            except Exception as exc:  # reported per input
                failed[key] = _reason(exc)
            bar.update()
    return done, failed


def _run_dask(client, func, tasks, retries, bar):
    distributed = _require_distributed()
    check_workers(client)
    name = getattr(func, "__name__", "task")
    run = uuid.uuid4().hex[:8]
    # one message for the whole graph; keys name the function, as Dask's own do
    futures = client.map(
        _call,
        [func] * len(tasks),
        [t.args for t in tasks],
        [t.kwargs for t in tasks],
        key=[f"{name}-{run}-{i}" for i in range(len(tasks))],
        retries=retries,
        pure=False,
    )
    owner = {fut.key: t.key for fut, t in zip(futures, tasks, strict=True)}
    done, failed = {}, {}
    # results are gathered in batches as tasks finish, so a worker lost later loses
    # nothing already here; Dask re-runs the lost worker's unfinished tasks elsewhere
    for batch in distributed.as_completed(futures, loop=client.loop).batches():
        ok = [f for f in batch if f.status == "finished"]
        try:
            values = client.gather(ok) if ok else []
        except Exception:  # a result was lost and its re-run failed: one at a time
            values = [_result_or_failure(f) for f in ok]
        for fut, value in zip(ok, values, strict=True):
            if isinstance(value, _Failed):
                failed[owner[fut.key]] = value.reason
            else:
                done[owner[fut.key]] = value
        for fut in batch:
            key = owner[fut.key]
            if key not in done and key not in failed:
                failed[key] = _failure(fut)
            fut.release()  # the result now lives here; free the cluster's copy
            bar.update()
    return done, failed


@dataclass(frozen=True)
class _Failed:
    reason: str


def _result_or_failure(fut):
    try:
        return fut.result()
    except Exception as exc:
        return _Failed(_reason(exc))


def _failure(fut) -> str:
    """Why a future has no result: its exception, or how it was lost."""
    if fut.status == "error":
        try:
            return _reason(fut.exception())
        except Exception as exc:  # the exception could not be unpickled here
            return _reason(exc)
    return f"task {fut.status} by the scheduler (no result)"


class PathSpelling:
    """Send absolute paths to a cluster's workers, report them as the caller wrote them.

    A Dask worker runs in its own working directory (often on another machine), so a
    relative path given on the client must reach it as an absolute one; the results
    (skipped files, reasons) then name the absolute paths. This maps them back, so a
    cluster run reports ``data/visit1`` where a local run does.

    Parameters
    ----------
    *roots : path-like or None
        The paths the caller gave (input folder, output folder); absolute ones and None
        need no mapping.

    Examples
    --------
    >>> import os
    >>> sp = PathSpelling("data")
    >>> sp.absolute("data/v1") == os.path.join(os.getcwd(), "data", "v1")
    True
    >>> sp.given(f"no drizzle in '{sp.absolute('data/v1')}'")
    "no drizzle in 'data/v1'"
    """

    def __init__(self, *roots: str | os.PathLike | None) -> None:
        pairs = {
            str(Path(r).absolute()): str(r)
            for r in roots
            if r is not None and not Path(r).is_absolute()
        }
        # the longest first, so a root inside another root keeps its own spelling
        self._swaps = [
            (a + os.sep, "" if pairs[a] == "." else pairs[a].rstrip(os.sep) + os.sep,
             re.compile(re.escape(a) + r"(?![\w.\-])"), pairs[a])
            for a in sorted(pairs, key=len, reverse=True)
        ]  # fmt: skip

    def __bool__(self) -> bool:
        return bool(self._swaps)

    @staticmethod
    def absolute(path: str | os.PathLike) -> str:
        """``path`` as an absolute path (not resolving symlinks)."""
        return str(Path(path).absolute())

    def given(self, obj):
        """``obj`` with the absolute roots spelled as given, in every string inside the
        str, list, tuple, set, frozenset and dict values (and keys) it holds."""
        if not self._swaps:
            return obj
        if isinstance(obj, str):
            for with_sep, as_given, bare, root in self._swaps:
                if with_sep[:-1] in obj:
                    obj = bare.sub(root.replace("\\", "\\\\"), obj.replace(with_sep, as_given))
            return obj
        if isinstance(obj, dict):
            return {self.given(k): self.given(v) for k, v in obj.items()}
        if type(obj) in (list, tuple, set, frozenset):
            return type(obj)(self.given(v) for v in obj)
        return obj
