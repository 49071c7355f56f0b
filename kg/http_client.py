"""HTTP for kg's downloads and uploads: one requests.Session with a User-Agent naming paperkg, a time limit on
every attempt (connect, first byte and whole body), retries with exponential backoff on 408, 429, 5xx and network
errors (honouring Retry-After), a polite pause between requests, and files written atomically. Used by `kg fetch`
and `kg push`.
"""
from __future__ import annotations
import datetime as dt
import email.utils
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit
import requests
import urllib3
from ._version import __version__

USER_AGENT = f"paperkg/{__version__} (knowledge-graph builder for ML papers; python-requests/{requests.__version__})"
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524, 529}
MAX_BODY = 256 * 1024 * 1024  # far above any page of either API; a guard against a server that never stops
MAX_RETRY_AFTER = 600.0  # a server asking for a longer wait is told "later" instead of keeping the user waiting
MAX_BACKOFF = 60.0



class FetchError(Exception):
    """A fetch or push that could not be done; the message says why and what to do next."""


class UsageError(FetchError):
    """Arguments that cannot work (exit status 2)."""


# -- HTTP policy -------------------------------------------------------------------------------------------------

@dataclass
class Reply:
    """A whole HTTP answer (the body already read within the time limit)."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def snippet(self, width: int = 200) -> str:
        text = " ".join(self.body[:4096].decode("utf-8", "replace").split())
        return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Policy:
    timeout: float = 30.0  # seconds an attempt may take, from connecting to the last byte of the answer
    retries: int = 4  # further attempts after the first
    backoff: float = 1.0  # wait before the first retry; doubles at each retry, at most MAX_BACKOFF
    delay: float = 0.0  # least pause between the starts of two requests (arXiv asks for 3 s)


class AttemptFailed(Exception):
    """One attempt that may be retried (network error, time limit, retryable status)."""

    def __init__(self, message: str, reply: Reply | None = None):
        super().__init__(message)
        self.reply = reply


def check_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{option} must be an http:// or https:// URL, got {url!r}")
    return url


def public_url(url: str) -> str:
    """The URL without user:password, for messages."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=host)
    return urlunsplit(parts)


def retry_after(headers: dict[str, str]) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP-date), None when absent or unreadable."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class Http:
    """One client: a session, the retry policy and the pause between requests."""

    def __init__(self, policy: Policy, console, *, auth=None, headers: dict[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.policy = policy
        self.console = console
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.requests_sent = 0
        self._last_start: float | None = None

    def close(self) -> None:
        self.session.close()

    def _pace(self) -> None:
        if self._last_start is not None and self.policy.delay > 0:
            wait = self.policy.delay - (time.monotonic() - self._last_start)
            if wait > 0:
                self.sleep(wait)
        self._last_start = time.monotonic()

    def _attempt(self, method: str, url: str, **kwargs) -> Reply:
        timeout = self.policy.timeout
        deadline = time.monotonic() + timeout
        self.requests_sent += 1
        try:
            with self.session.request(method, url, timeout=(timeout, timeout), stream=True, **kwargs) as resp:
                chunks, size = [], 0
                for chunk in body_chunks(resp):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise FetchError(f"the answer from {public_url(url)} is over {MAX_BODY // 2**20} MB; "
                                         "is --api-url the right service?")
                    if time.monotonic() > deadline:
                        raise AttemptFailed(f"the answer took longer than {timeout:g} s")
                reply = Reply(resp.status_code, resp.reason or "", {k.lower(): v for k, v in resp.headers.items()},
                              b"".join(chunks), resp.url)
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError):
            raise AttemptFailed(f"no answer within {timeout:g} s") from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema) as err:
            raise UsageError(f"cannot use the URL {public_url(url)}: {err}") from None
        except requests.exceptions.ConnectionError as err:
            text = str(err)
            if "timed out" in text.lower():
                raise AttemptFailed(f"no answer within {timeout:g} s") from None
            raise AttemptFailed(f"cannot connect or the connection broke ({short_reason(text)})") from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as err:  # cut short, ...
            raise AttemptFailed(f"broken answer ({short_reason(str(err))})") from None
        if reply.status in RETRY_STATUS:
            said = f": {reply.snippet(100)}" if reply.body.strip() and "html" not in reply.content_type else ""
            raise AttemptFailed(f"HTTP {reply.status} {reply.reason}".rstrip() + said, reply)
        return reply

    def request(self, method: str, url: str, *, what: str, **kwargs) -> Reply:
        """Send one request with retries. Returns the reply (any status that is not worth retrying); raises
        FetchError when every attempt failed."""
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            self._pace()
            try:
                return self._attempt(method, url, **kwargs)
            except AttemptFailed as failure:
                asked = retry_after(failure.reply.headers) if failure.reply is not None else None
                if asked is not None and asked > MAX_RETRY_AFTER:
                    raise FetchError(f"{what}: {failure}; the server asks to wait {asked:,.0f} s before trying "
                                     "again: run the command again later") from None
                if attempt + 1 >= attempts:
                    raise FetchError(
                        f"{what}: gave up after {attempts} attempt{'s' if attempts != 1 else ''}: {failure} "
                        f"({public_url(url)}). Check the network and the URL, or try again later with a larger "
                        "--timeout or --retries") from None
                wait = asked if asked is not None else min(self.policy.backoff * 2 ** attempt, MAX_BACKOFF)
                self.console.info(f"{what}: {failure}; retrying in {wait:.1f} s "
                                  f"(attempt {attempt + 2} of {attempts})")
                if wait > 0:
                    self.sleep(wait)
        raise AssertionError("unreachable")


def body_chunks(resp: requests.Response) -> Iterator[bytes]:
    """The body as it arrives (read1 returns what is there instead of waiting for a whole buffer, so the time
    limit of an attempt holds even for a server that sends a few bytes at a time)."""
    read1 = getattr(resp.raw, "read1", None)
    if read1 is None:  # urllib3 < 2
        yield from resp.iter_content(64 * 1024)
        return
    while chunk := read1(64 * 1024, decode_content=True):
        yield chunk


def short_reason(text: str) -> str:
    for pattern in (r"\[Errno -?\d+\] ([^'\")]+)", r"(Connection refused)", r"(Connection reset by peer)",
                    r"(Remote end closed connection[^'\")]*)", r"(IncompleteRead\([^)]*\))"):
        m = re.search(pattern, text)
        if m:
            return m.group(1).strip()
    return text if len(text) <= 120 else text[:119] + "…"


def http_error(reply: Reply, what: str, hint: str = "") -> FetchError:
    message = f"{what}: the server answered HTTP {reply.status} {reply.reason}".rstrip()
    if reply.body:
        message += f": {reply.snippet()}"
    return FetchError(message + (f". {hint}" if hint else ""))


# -- output ------------------------------------------------------------------------------------------------------

def check_output(output: str) -> None:
    if output == "-":
        return
    path = Path(output)
    if path.is_dir():
        raise UsageError(f"-o {output} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {path.parent} does not exist")


def write_atomically(output: str, data: bytes) -> None:
    """Write the whole file or nothing: a temporary file beside the target, renamed into place."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- arXiv -------------------------------------------------------------------------------------------------------

