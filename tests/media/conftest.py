"""Fixtures for the lead images: apps keeping media in the test's folder or in a bucket (moto's
S3 API: tests/conftest.py); the images themselves are made in tests/images.py."""

import pytest

from portal.media.storage import BucketStorage

from ..conftest import make_app

YEAR = 2026  # the year folder of the names tests make, whatever today's date


@pytest.fixture
def make_media_app(tmp_path):
    """An app keeping media in the test's folder (make_app's MEDIA_FOLDER); a bucket-backed one
    has its S3 client closed at the end, so no socket is left for the garbage collector."""
    made = []

    def make(**config):
        app = make_app(tmp_path, **config)
        made.append(app)
        return app

    yield make
    for app in made:
        storage = app.extensions.get("media_storage")
        if isinstance(storage, BucketStorage):
            storage.client.close()


@pytest.fixture
def app(make_media_app):
    return make_media_app()
