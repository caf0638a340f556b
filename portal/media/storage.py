"""Where image files are kept: a folder of the instance (served by this app under /media/), or an
S3-compatible bucket (served from MEDIA_URL), behind the same three methods: put, read, exists.

Names are content hashes (portal.media.names), so a stored file never changes: both say so to
every cache for a year.
"""

import os
import uuid
from pathlib import Path

from flask import current_app, url_for

from ..web.urls import absolute_url
from .names import check_name

PINNED = "public, max-age=31536000, immutable"  # a year


class LocalStorage:
    def __init__(self, folder):
        self.folder = Path(folder)

    def put(self, name: str, data: bytes, content_type: str) -> None:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside it, then renamed: a reader (or a crash) never finds half a file under a
        # name that promises its content for a year.
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        try:
            with open(partial, "xb") as file:
                file.write(data)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def read(self, name: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""
        return self._path(name).read_bytes()

    def _path(self, name: str) -> Path:
        check_name(name)  # so never outside the folder
        return self.folder / name


class BucketStorage:
    """An S3-compatible bucket. Credentials come from boto3's own chain (environment, ~/.aws, an
    instance role), never from the site's configuration; objects are private to the bucket's
    policy (no ACL is sent), which decides whether MEDIA_URL may read them."""

    def __init__(self, bucket: str, endpoint_url: str | None = None):
        # Imported here: a site that keeps its media in a folder never loads boto3.
        import boto3

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url)

    def put(self, name: str, data: bytes, content_type: str) -> None:
        check_name(name)
        self.client.put_object(Bucket=self.bucket, Key=name, Body=data, ContentType=content_type,
                               CacheControl=PINNED)


def local_folder(app) -> Path:
    return Path(app.config["MEDIA_FOLDER"] or Path(app.instance_path) / "media")


def storage() -> LocalStorage | BucketStorage:
    """The current app's storage, made once from its configuration."""
    extensions = current_app.extensions
    if "media_storage" not in extensions:
        config = current_app.config
        if config["MEDIA_BUCKET"]:
            made = BucketStorage(config["MEDIA_BUCKET"], endpoint_url=config["MEDIA_BUCKET_ENDPOINT"])
        else:
            made = LocalStorage(local_folder(current_app))
        # Two first requests at once may both make one: the first kept is used by all.
        extensions.setdefault("media_storage", made)
    return extensions["media_storage"]


def media_url(name: str) -> str:
    """Where readers fetch a stored file: under MEDIA_URL when it is set, else this site's /media/."""
    base = current_app.config["MEDIA_URL"]  # without its trailing slash (portal.config)
    return f"{base}/{name}" if base else url_for("media.file", name=name)


def absolute_media_url(name: str) -> str:
    """The same as other sites need it (og:image, the JSON-LD): absolute."""
    base = current_app.config["MEDIA_URL"]
    return f"{base}/{name}" if base else absolute_url("media.file", name=name)
