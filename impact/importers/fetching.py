"""Reading a tool's REST API into an export folder: JSON over HTTPS with the standard library, politely.

One :class:`Client` per fetch: it keeps to a rate limit (at most ``calls``
calls in any ``window`` seconds, one call at a time, which is within every
concurrency limit), backs off and retries when the tool says it is busy, and
turns every failure into one :class:`~impact.core.errors.ImpactError` that
names the call, never the credentials. Progress is reported through
:mod:`impact.core.progress` (shown on a terminal only). ``urllib`` is
enough: the calls are few, sequential and JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from impact.core import progress
from impact.core.errors import ImpactError, Problem
from impact.store.fsio import atomic_write

MAX_TRIES = 6
"""Tries of one call the tool says is busy (HTTP 429, Marketo 606/615) before giving up."""

TIMEOUT = 60.0

Sleep = Callable[[float], None]


class Busy(Exception):
    """The tool asked to come back later (rate limit, concurrency)."""

    def __init__(self, wait: float | None = None) -> None:
        super().__init__()
        self.wait = wait


def env(name: str, what: str) -> str:
    """A required environment variable, or a plain error that says which."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImpactError(
            Problem(
                "(environment)",
                0,
                0,
                f"{name} is not set: export it with your {what} before fetching (impact never stores it)",
            )
        )
    return value


class Client:
    """JSON calls to one API base, within ``calls`` per ``window`` seconds, with back-off."""

    def __init__(self, base: str, calls: int, window: float, label: str, sleep: Sleep | None = None) -> None:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ImpactError(Problem("(environment)", 0, 0, f"{base!r} is not an http(s) address of the {label} API"))
        self.base = base.rstrip("/")
        self.calls, self.window, self.label = calls, window, label
        self.sleep: Sleep = sleep or time.sleep
        self.recent: deque[float] = deque()
        self.count = 0

    def _throttle(self) -> None:
        now = time.monotonic()
        while self.recent and now - self.recent[0] >= self.window:
            self.recent.popleft()
        if len(self.recent) >= self.calls:
            self.sleep(self.window - (now - self.recent[0]))
        self.recent.append(time.monotonic())

    def request(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        """One call's JSON body; HTTP 429 (and :class:`Busy` raised by ``check``) retried with back-off."""
        url = self.base + path + ("?" + urlencode(query, doseq=True) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(MAX_TRIES):
            self._throttle()
            self.count += 1
            req = urllib.request.Request(
                url, data=data, method=method, headers={"Accept": "application/json", **(headers or {})}
            )
            if data is not None:
                req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT) as response:  # http(s) checked above
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                if exc.code == 429 and attempt + 1 < MAX_TRIES:
                    self.sleep(_retry_after(exc.headers.get("Retry-After"), attempt))
                    continue
                raise ImpactError(
                    Problem(self._where(path), 0, 0, f"{self.label} answered HTTP {exc.code}: {_message(exc)}")
                ) from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise ImpactError(
                    Problem(
                        self._where(path),
                        0,
                        0,
                        f"could not reach {self.label} ({getattr(exc, 'reason', exc)}); check the address and the "
                        "network",
                    )
                ) from None
            except (ValueError, UnicodeDecodeError):
                raise ImpactError(Problem(self._where(path), 0, 0, f"{self.label} did not answer JSON")) from None
        raise ImpactError(
            Problem(
                self._where(path),
                0,
                0,
                f"{self.label} kept saying it is busy (rate limit) after {MAX_TRIES} tries; try again later",
            )
        )

    def backoff(self, attempt: int) -> None:
        self.sleep(_retry_after(None, attempt))

    def _where(self, path: str) -> str:
        return f"{self.label} {path}"


def _retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: the server's ``Retry-After`` when it gives one, else 1, 2, 4... seconds (at most 30)."""
    if header is not None:
        try:
            return min(max(float(header), 0.0), 60.0)
        except ValueError:
            pass
    return float(min(2**attempt, 30))


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, OSError):
        return str(exc.reason)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(exc.reason)


def write_json(folder: Path, rel: str, body: Any) -> None:
    """One file of the export folder, written atomically, keys as the API gave them."""
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def step(label: str, done: int, total: int = 0) -> None:
    progress.step(label, done, total)


def into_folder(folder: Path, fill: Callable[[Path], None]) -> None:
    """Run ``fill`` on a new folder beside ``folder``, then put it in its place: nothing half-written on failure."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = folder.with_name(folder.name + ".fetching")
    old = folder.with_name(folder.name + ".previous")
    for stale in (work, old):
        if stale.exists():
            shutil.rmtree(stale)
    work.mkdir()
    try:
        fill(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if folder.exists():
        folder.rename(old)
    work.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
