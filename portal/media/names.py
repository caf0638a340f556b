"""How a stored image file is named: `YYYY/<32 hex of the sha256 of its bytes>-<width>.<ext>`.

The name comes from the content, so it cannot be guessed before it is published, a replaced image
gets a new URL (each can be kept by browsers and CDNs for a year), and a name is safe to use as a
path or an object key once it matches NAME.
"""

import hashlib
import re

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
EXTENSIONS = {content_type: extension for extension, content_type in CONTENT_TYPES.items()}
DIGEST_LENGTH = 32
NAME = re.compile(rf"[0-9]{{4}}/(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})-[1-9][0-9]{{0,4}}\.(?P<extension>jpg|png|webp)")


def file_name(data: bytes, width: int, content_type: str, year: int) -> str:
    digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
    return f"{year:04d}/{digest}-{width}.{EXTENSIONS[content_type]}"


def check_name(name: str) -> re.Match:
    """The name's parts, or ValueError for anything but a name file_name() makes (no `..`, no
    absolute path, no other extension)."""
    match = NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"not a media file name: {name!r}")
    return match


def content_type_of(name: str) -> str:
    return CONTENT_TYPES[check_name(name)["extension"]]
