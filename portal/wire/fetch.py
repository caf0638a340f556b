"""Reading a source: an http(s) URL or a file path, never more than PORTAL_FEED_MAX_BYTES.

URLs are fetched with requests, with a timeout, a size cap (counted as the body streams in) and
a User-Agent naming the site; http and https only. Files are read with the same cap.
"""

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from flask import current_app

from .errors import FeedError

ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1")
_URL_WITH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def read_source(source: str) -> tuple[bytes, str | None]:
    """The bytes of a URL or file, and the URL they came from (None for a file)."""
    if _URL_WITH_SCHEME.match(source) or source.lower().startswith(("http:", "https:")):
        return fetch_url(source)
    return read_file(source), None


def fetch_url(url: str) -> tuple[bytes, str]:
    cfg = current_app.config
    timeout = float(cfg["FEED_FETCH_TIMEOUT"])
    cap = int(cfg["FEED_MAX_BYTES"])
    try:
        parts = urlsplit(url)
    except ValueError:
        raise FeedError("not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError("only http and https URLs (or a file path) can be imported")
    where = parts.netloc
    # A server that sends a byte now and then would keep a per-read timeout waiting for ever.
    deadline = time.monotonic() + 3 * timeout
    try:
        with requests.get(url, headers={"User-Agent": user_agent(), "Accept": ACCEPT},
                          timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise FeedError(f"HTTP {response.status_code} {response.reason or ''}".rstrip())
            length = response.headers.get("Content-Length", "")
            if length.isascii() and length.isdigit() and int(length) > cap:
                raise FeedError(_too_large(cap, f"{int(length):,} bytes announced"))
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=16 * 1024):
                size += len(chunk)
                if size > cap:
                    raise FeedError(_too_large(cap, "refused as it streamed in"))
                if time.monotonic() > deadline:
                    raise FeedError(f"download took longer than {3 * timeout:g} s")
                chunks.append(chunk)
            return b"".join(chunks), response.url
    except requests.exceptions.Timeout:
        raise FeedError(f"no answer from {where} within {timeout:g} s") from None
    except requests.exceptions.SSLError:
        raise FeedError(f"TLS error talking to {where}") from None
    except requests.exceptions.ConnectionError as error:
        reason = "connection refused" if "refused" in str(error).lower() else "connection failed"
        raise FeedError(f"could not connect to {where} ({reason})") from None
    except requests.exceptions.TooManyRedirects:
        raise FeedError("too many redirects") from None
    except (requests.exceptions.RequestException, ValueError) as error:
        raise FeedError(f"request failed ({type(error).__name__})") from None


def read_file(source: str) -> bytes:
    cap = int(current_app.config["FEED_MAX_BYTES"])
    path = Path(source).expanduser()
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except FileNotFoundError:
        raise FeedError("no such file") from None
    except IsADirectoryError:
        raise FeedError("is a directory, not a feed file") from None
    except OSError as error:
        raise FeedError(f"cannot read the file ({error.strerror or type(error).__name__})") from None
    if len(data) > cap:
        raise FeedError(_too_large(cap, "file"))
    return data


def _too_large(cap: int, how: str) -> str:
    return f"larger than the {cap:,}-byte limit (PORTAL_FEED_MAX_BYTES; {how})"


def user_agent() -> str:
    cfg = current_app.config
    contact = f" (+{cfg['PUBLIC_URL']})" if cfg.get("PUBLIC_URL") else ""
    return f"{cfg['SITE_NAME']} feed importer/1.0{contact} python-requests/{requests.__version__}"
