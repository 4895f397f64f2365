"""Steps that failed on a passing condition try again; a step that failed on what it was given
does not.

Passing: another process held the DuckDB file for a moment (a BI tool opened the warehouse
instead of the published copy, an operator's shell), a file system busy or timing out. Such a
step is retried by `TRANSIENT_RETRY`, waiting longer each time. Anything else (a dbt test that
failed, a contract, a bug) fails the step at once: the same input would fail the same way, and
a retry would only delay the alert.

A step opts in with both `retry_policy=TRANSIENT_RETRY` and `@retried_only_if_transient`.
"""

from __future__ import annotations

import errno
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import dagster as dg
import filelock

# 20 s, 40 s, 80 s (each ±): long enough for a shell to close the file, short for a night run
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=20, backoff=dg.Backoff.EXPONENTIAL,
                                 jitter=dg.Jitter.PLUS_MINUS)
TRANSIENT_ERRNOS = frozenset({errno.EAGAIN, errno.EBUSY, errno.ETIMEDOUT, errno.EINTR,
                              errno.ESTALE, errno.ETXTBSY})
# DuckDB's file lock (directly, or inside the dbt error dagster-dbt raises)
TRANSIENT_MESSAGES = ("Could not set lock on file", "Conflicting lock is held")

F = TypeVar("F", bound=Callable[..., Any])


def is_transient(error: BaseException) -> bool:
    """The error, or one it was raised from, is a passing condition."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TimeoutError | filelock.Timeout):
            return True
        if isinstance(current, OSError) and current.errno in TRANSIENT_ERRNOS:
            return True
        text = str(getattr(current, "description", None) or current)
        if any(message in text for message in TRANSIENT_MESSAGES):
            return True
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def final_unless_transient() -> Iterator[None]:
    try:
        yield
    except dg.RetryRequested:
        raise
    except dg.Failure as failure:
        if failure.allow_retries and not is_transient(failure):
            raise dg.Failure(description=failure.description, metadata=failure.metadata,
                             allow_retries=False) from failure
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(description=f"{type(error).__name__}: {error}",
                         allow_retries=False) from error


def retried_only_if_transient(compute: F) -> F:
    """Wrap a step's compute function (plain or generator) so that only a passing condition
    reaches its retry policy."""
    if inspect.isgeneratorfunction(compute):
        @functools.wraps(compute)
        def generate(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with final_unless_transient():
                yield from compute(*args, **kwargs)
        return generate  # type: ignore[return-value]

    @functools.wraps(compute)
    def call(*args: Any, **kwargs: Any) -> Any:
        with final_unless_transient():
            return compute(*args, **kwargs)
    return call  # type: ignore[return-value]
