"""An editor's upload: what is refused (and what the editor is told), and what readers get: the
first frame, upright, in sRGB, without metadata, at a few widths, as WebP and in its own format,
under names made from the content."""

import hashlib
import io
import json
import time
import warnings

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from werkzeug.datastructures import FileStorage

from portal.media.images import (
    DAMAGED,
    MAX_BYTES,
    NOT_AN_IMAGE,
    TOO_LARGE,
    TOO_MANY_PIXELS,
    ImageRefused,
    LeadImage,
    prepare_lead_image,
)

from ..images import camera_exif, encoded, opened, photo, png_claiming, swapped_primaries_profile
from .conftest import YEAR

# EXIF in JPEG, WebP and PNG; XMP; ICC profiles in PNG and WebP; PNG text; the camera's own words.
METADATA_MARKERS = (b"Exif", b"EXIF", b"eXIf", b"XMP", b"xmp", b"iCCP", b"ICCP", b"tEXt", b"iTXt", b"zTXt",
                    b"Nosy Camera")


def upload(data: bytes, filename="photo.jpg", content_type="image/jpeg") -> FileStorage:
    """As the desk's form receives a file: the name and type the browser claims are the editor's."""
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)


def is_red(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 200 and green < 60 and blue < 60


def widths(prepared, content_type):
    return [v.width for v in prepared.variants if v.content_type == content_type]


def test_a_phone_photo_is_turned_upright_and_loses_its_exif_and_position():
    stored = photo((900, 600))
    stored.paste((255, 0, 0), (0, 0, 60, 60))  # the stored top-left corner
    data = encoded(stored, "JPEG", exif=camera_exif(orientation=6))  # held turned right: 90° clockwise
    assert opened(data).getexif().get_ifd(0x8825), "the upload says where it was taken"

    prepared = prepare_lead_image(upload(data), year=YEAR)

    assert (prepared.width, prepared.height, prepared.content_type) == (600, 900, "image/jpeg")
    assert widths(prepared, "image/jpeg") == widths(prepared, "image/webp") == [480, 600]
    for variant in prepared.variants:
        image = opened(variant.data)
        assert (image.format, image.size) == ({"image/jpeg": "JPEG", "image/webp": "WEBP"}[variant.content_type],
                                              (variant.width, variant.height))
        assert variant.height == variant.width * 3 // 2
        # Upright: the stored top-left corner is now at the top right.
        corners = {(x, y): is_red(image.getpixel((x, y))) for x in (10, variant.width - 10)
                   for y in (10, variant.height - 10)}
        assert [corner for corner, red in corners.items() if red] == [(variant.width - 10, 10)]
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(0x8825)
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)
        assert [marker for marker in METADATA_MARKERS if marker in variant.data] == []


def test_broken_exif_is_dropped_without_a_fuss():
    data = encoded(photo(), "JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12")
    for variant in prepare_lead_image(data, year=YEAR).variants:
        assert len(opened(variant.data).getexif()) == 0
        assert b"Exif" not in variant.data


def test_widths_are_never_wider_than_the_upload():
    for size, expected in [((300, 200), [300]), ((1000, 400), [480, 800, 1000]),
                           ((2000, 200), [480, 800, 1200, 1600])]:
        prepared = prepare_lead_image(encoded(photo(size), "PNG"), year=YEAR)
        assert widths(prepared, "image/png") == widths(prepared, "image/webp") == expected
        assert prepared.width == expected[-1]


def test_names_are_made_from_each_files_content():
    data = encoded(photo(), "JPEG", quality=95)
    prepared = prepare_lead_image(data, year=YEAR)
    extensions = {"image/jpeg": "jpg", "image/webp": "webp"}
    for variant in prepared.variants:
        digest = hashlib.sha256(variant.data).hexdigest()[:32]
        assert variant.name == f"{YEAR}/{digest}-{variant.width}.{extensions[variant.content_type]}"
    assert [v.name for v in prepare_lead_image(data, year=YEAR).variants] == [v.name for v in prepared.variants]

    changed = photo()
    changed.putpixel((300, 300), (255, 255, 255))
    replaced = prepare_lead_image(encoded(changed, "JPEG", quality=95), year=YEAR)
    assert {v.name for v in replaced.variants}.isdisjoint(v.name for v in prepared.variants)


def test_the_content_decides_not_the_file_name():
    prepared = prepare_lead_image(upload(encoded(photo((500, 300)), "PNG"), filename="photo.jpg"), year=YEAR)
    assert prepared.content_type == "image/png"
    assert {v.content_type for v in prepared.variants} == {"image/png", "image/webp"}


def text_chunk(text: str) -> PngInfo:
    """A compressed text chunk: small in the file, megabytes once inflated."""
    info = PngInfo()
    info.add_text("Comment", text, zip=True)
    return info


@pytest.mark.parametrize(("data", "message"), [
    (b"Dear desk, the photo follows.\n", NOT_AN_IMAGE),
    (encoded(Image.new("RGB", (64, 64), "red"), "GIF"), NOT_AN_IMAGE),
    (encoded(Image.new("RGB", (64, 64), "red"), "BMP"), NOT_AN_IMAGE),
    (b"", NOT_AN_IMAGE),
    (encoded(photo(), "JPEG")[:5000], DAMAGED),
    (encoded(photo(), "PNG")[:3000], DAMAGED),
    (encoded(photo(), "JPEG")[:20], DAMAGED),
    (encoded(photo(), "JPEG")[:6], DAMAGED),
    (encoded(Image.new("RGB", (8, 8)), "PNG", pnginfo=text_chunk("a" * 4_000_000)), DAMAGED),
    (b"\xff\xd8\xff" + bytes(MAX_BYTES - 2), TOO_LARGE),
], ids=["text", "gif", "bmp", "empty", "truncated-jpeg", "truncated-png", "jpeg-header-only", "jpeg-cut-at-6",
        "png-text-bomb", "10-mb-and-a-byte"])
def test_refused_uploads_tell_the_editor_why(data, message):
    with pytest.raises(ImageRefused) as refused:
        prepare_lead_image(upload(data))
    assert refused.value.message == message
    assert str(refused.value) == message


def test_an_upload_over_10_mb_is_refused_from_bytes_too():
    with pytest.raises(ImageRefused, match="larger than 10 MB"):
        prepare_lead_image(bytes(MAX_BYTES + 1))


@pytest.mark.parametrize("size", [(10_000, 10_000), (8000, 6000)], ids=["100-MP", "48-MP"])
def test_too_many_pixels_are_refused_from_the_header_alone(size):
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ImageRefused) as refused:
            prepare_lead_image(png_claiming(*size))
    assert refused.value.message == TOO_MANY_PIXELS  # not DAMAGED: no pixel was decoded
    assert caught == []
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("format", ["WEBP", "PNG"])
def test_an_animation_becomes_its_first_frame(format):
    frames = [Image.new("RGB", (320, 200), colour) for colour in ("red", "blue")]
    data = encoded(frames[0], format, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert opened(data).n_frames == 2

    prepared = prepare_lead_image(data, year=YEAR)

    for variant in prepared.variants:
        image = opened(variant.data)
        assert getattr(image, "n_frames", 1) == 1
        assert is_red(image.getpixel((100, 100)))


def test_a_cameras_multi_picture_jpeg_is_a_jpeg_of_its_first_picture():
    pictures = [Image.new("RGB", (320, 200), colour) for colour in ("red", "blue")]
    data = encoded(pictures[0], "MPO", save_all=True, append_images=pictures[1:])
    assert opened(data).format == "MPO"

    prepared = prepare_lead_image(data, year=YEAR)

    assert {v.content_type for v in prepared.variants} == {"image/jpeg", "image/webp"}
    for variant in prepared.variants:
        image = opened(variant.data)
        assert getattr(image, "n_frames", 1) == 1
        assert is_red(image.getpixel((100, 100)))


def test_a_cmyk_jpeg_comes_out_rgb():
    data = encoded(Image.new("CMYK", (320, 200), (0, 255, 255, 0)), "JPEG")  # red in ink
    for variant in prepare_lead_image(data, year=YEAR).variants:
        image = opened(variant.data)
        assert image.mode == "RGB"
        assert is_red(image.getpixel((100, 100)))


def test_an_embedded_colour_profile_is_applied_then_dropped_with_the_png_text():
    # Pure red in a profile whose red primary is sRGB's blue: a browser that reads the profile
    # shows blue, and so must readers of the variants, which carry no profile.
    text = PngInfo()
    text.add_text("Author", "Nosy Camera")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Nosy Camera</x:xmpmeta>")
    data = encoded(Image.new("RGB", (320, 200), (255, 0, 0)), "PNG", icc_profile=swapped_primaries_profile(),
                   pnginfo=text)
    variants = prepare_lead_image(data, year=YEAR).variants
    assert {v.content_type for v in variants} == {"image/png", "image/webp"}
    for variant in variants:
        image = opened(variant.data)
        assert image.mode == "RGB"
        assert "icc_profile" not in image.info
        assert [marker for marker in METADATA_MARKERS if marker in variant.data] == []
        red, _green, blue = image.getpixel((100, 100))
        assert blue > 200 and red < 60


def test_a_damaged_colour_profile_leaves_the_pixels_as_they_are():
    data = encoded(Image.new("RGB", (320, 200), (255, 0, 0)), "JPEG", icc_profile=b"not a profile")
    for variant in prepare_lead_image(data, year=YEAR).variants:
        image = opened(variant.data)
        assert "icc_profile" not in image.info
        assert is_red(image.getpixel((100, 100)))


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_transparency_is_kept_in_png_and_webp(mode):
    image = Image.new("RGBA", (320, 200), (0, 0, 0, 0))
    image.paste((30, 120, 60, 255), (0, 0, 160, 200))  # the left half opaque
    if mode == "P":
        image = image.quantize(colors=4)  # a palette with a transparent entry, as icons come
    prepared = prepare_lead_image(encoded(image, "PNG"), year=YEAR)

    assert {v.content_type for v in prepared.variants} == {"image/png", "image/webp"}
    for variant in prepared.variants:
        shown = opened(variant.data)
        assert shown.mode == "RGBA"
        assert shown.getpixel((20, 100))[3] == 255
        assert shown.getpixel((variant.width - 20, 100))[3] == 0


def test_the_record_rebuilds_the_image_tags_without_pillow():
    prepared = prepare_lead_image(encoded(photo((1000, 500)), "JPEG"), year=YEAR)
    record = json.loads(json.dumps(prepared.as_record()))  # as a JSON column gives it back
    assert set(record) == {"width", "height", "content_type", "variants"}
    assert record["variants"][0] == {"name": prepared.variants[0].name, "content_type": "image/jpeg",
                                     "width": 480, "height": 240}

    rebuilt = LeadImage.from_record(record)
    assert rebuilt.as_record() == record

    def url(name):
        return f"https://media.example.com/{name}"

    jpeg = {v.width: v.name for v in prepared.variants if v.content_type == "image/jpeg"}
    webp = {v.width: v.name for v in prepared.variants if v.content_type == "image/webp"}
    assert rebuilt.srcset(url) == ", ".join(f"{url(jpeg[w])} {w}w" for w in (480, 800, 1000))
    assert rebuilt.srcset(url, "image/webp") == ", ".join(f"{url(webp[w])} {w}w" for w in (480, 800, 1000))
    assert rebuilt.src(url) == url(jpeg[1000])
    assert (rebuilt.width, rebuilt.height) == (1000, 500)
