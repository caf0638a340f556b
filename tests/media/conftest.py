"""Fixtures for the lead images: an app serving /media/ from a folder of its own, an S3 API on a
loopback port (moto) with a bucket per test, and images made with Pillow as a camera or an
editor's laptop would make them."""

import io
import uuid
import zlib
from contextlib import contextmanager

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import ExifTags, Image, ImageCms

from portal import media
from portal.media.storage import BucketStorage

from ..conftest import make_app

YEAR = 2026  # the year folder of the names tests make, whatever today's date


@pytest.fixture
def make_media_app(tmp_path, monkeypatch):
    """An app whose instance folder (so its media folder) is the test's own; a bucket-backed one
    has its S3 client closed at the end, so no socket is left for the garbage collector."""
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    made = []

    def make(**config):
        app = make_app(tmp_path, **config)
        if "media" not in app.blueprints:  # until create_app sets the feature up itself
            media.init_app(app)
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


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._server.server_port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, tmp_path):
    """A new bucket's name; boto3's chain finds moto's dummy credentials in the environment (and
    no developer's ~/.aws)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"lead-images-{uuid.uuid4().hex[:12]}"
    with s3_client(s3_endpoint) as client:
        client.create_bucket(Bucket=name)
    return name


@contextmanager
def s3_client(endpoint):
    """A client of its own, closed after use (no socket left open for the garbage collector)."""
    client = boto3.client("s3", endpoint_url=endpoint)
    try:
        yield client
    finally:
        client.close()


# ---- images ---------------------------------------------------------------------

def encoded(image: Image.Image, format: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, format=format, **options)
    return output.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def photo(size=(900, 600)) -> Image.Image:
    """Something with detail (a gradient under a grid), so every size encodes differently."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    for x in range(0, width, 37):
        image.paste((40, 90, 160), (x, 0, x + 3, height))
    return image


def camera_exif(orientation: int) -> Image.Exif:
    """What a phone writes: its make, the orientation it was held in, where it was."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Nosy Camera"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 25.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return exif


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header (IHDR, with a correct CRC) says width x height: decoding it would
    fail, so a refusal for its size shows that nothing was decoded."""
    data = bytearray(encoded(Image.new("1", (1, 1)), "PNG"))
    data[16:20] = width.to_bytes(4, "big")
    data[20:24] = height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(data[12:29]).to_bytes(4, "big")  # over the chunk's type and data
    return bytes(data)


def swapped_primaries_profile() -> bytes:
    """An RGB profile whose red primary is sRGB's blue and whose blue is sRGB's red: a pixel it
    calls pure red is, converted to sRGB, blue."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = int.from_bytes(profile[128:132], "big")
    tags = {bytes(profile[at:at + 4]): at for at in range(132, 132 + 12 * count, 12)}
    red, blue = tags[b"rXYZ"], tags[b"bXYZ"]
    profile[red + 4:red + 12], profile[blue + 4:blue + 12] = profile[blue + 4:blue + 12], profile[red + 4:red + 12]
    profile[84:100] = bytes(16)  # the profile ID, an MD5 of the content before the swap
    return bytes(profile)
