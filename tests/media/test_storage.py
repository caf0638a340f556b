"""Keeping the files: in the instance's folder, served under /media/ and kept by caches for a year;
or in an S3-compatible bucket (moto's S3 API here) with the same promise, read from MEDIA_URL."""


import pytest
from PIL import Image

from portal.media.images import prepare_lead_image
from portal.media.storage import BucketStorage, LocalStorage, local_folder, media_url, storage

from ..conftest import s3_client
from ..images import encoded, opened
from .conftest import YEAR

YEAR_LONG = "public, max-age=31536000, immutable"
ABSENT = f"{YEAR}/{'0' * 32}-480.jpg"


@pytest.fixture(scope="module")
def prepared():
    return prepare_lead_image(encoded(Image.new("RGB", (640, 400), "teal"), "JPEG"), year=YEAR)


def store(app, prepared):
    with app.app_context():
        for variant in prepared.variants:
            storage().put(variant.name, variant.data, variant.content_type)


def test_a_stored_file_is_served_for_a_year(app, client, prepared):
    store(app, prepared)
    for variant in prepared.variants:
        with app.test_request_context():
            url = media_url(variant.name)
        assert url == f"/media/{variant.name}"

        response = client.get(url)

        assert response.status_code == 200
        assert response.data == variant.data
        assert response.content_type == variant.content_type
        assert response.headers["Cache-Control"] == YEAR_LONG
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Set-Cookie" not in response.headers
        assert opened(response.data).size == (variant.width, variant.height)
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert (again.status_code, again.data) == (304, b"")


def test_the_files_are_in_the_media_folder(app, prepared):
    store(app, prepared)
    folder = LocalStorage(local_folder(app))
    for variant in prepared.variants:
        assert (local_folder(app) / variant.name).read_bytes() == variant.data
        assert folder.read(variant.name) == variant.data
    with pytest.raises(FileNotFoundError):
        folder.read(ABSENT)


@pytest.mark.parametrize("path", [
    "/media/../secret", "/media/%2e%2e/secret", "/media/2026/nothere.jpg", "/media/x.exe", f"/media/{ABSENT}",
    f"/media/{ABSENT.upper()}", f"/media/{ABSENT.removesuffix('.jpg')}.exe", "/media/",
])
def test_unknown_or_malformed_names_are_not_found(app, client, path):
    local_folder(app).parent.mkdir(exist_ok=True)
    (local_folder(app).parent / "secret").write_text("keys")  # what ../secret would reach from media/
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("name", ["../secret", "/etc/passwd", "2026/../../secret.jpg", "2026/x.exe", ""])
def test_storage_takes_only_the_names_it_makes(tmp_path, name):
    folder = LocalStorage(tmp_path / "media")
    with pytest.raises(ValueError):
        folder.put(name, b"data", "image/jpeg")
    with pytest.raises(ValueError):
        folder.read(name)
    assert list(tmp_path.iterdir()) == []


def test_a_bucket_keeps_the_files_for_a_year_and_readers_fetch_them_from_media_url(
        make_media_app, bucket, s3_endpoint, prepared):
    app = make_media_app(MEDIA_BUCKET=bucket, MEDIA_BUCKET_ENDPOINT=s3_endpoint,
                         MEDIA_URL="https://media.example.com/lead/")
    store(app, prepared)
    with app.app_context():
        assert isinstance(storage(), BucketStorage)
        urls = [media_url(v.name) for v in prepared.variants]
    assert urls == [f"https://media.example.com/lead/{v.name}" for v in prepared.variants]

    with s3_client(s3_endpoint) as client:
        for variant in prepared.variants:
            head = client.head_object(Bucket=bucket, Key=variant.name)
            assert head["ContentType"] == variant.content_type
            assert head["CacheControl"] == YEAR_LONG
            assert head["ContentLength"] == len(variant.data)
            assert client.get_object(Bucket=bucket, Key=variant.name)["Body"].read() == variant.data
            # No ACL was sent: only the bucket's owner is granted anything.
            grants = client.get_object_acl(Bucket=bucket, Key=variant.name)["Grants"]
            assert [grant["Grantee"]["Type"] for grant in grants] == ["CanonicalUser"]
    assert not local_folder(app).exists()
