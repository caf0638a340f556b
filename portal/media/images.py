"""An editor's lead image, checked and prepared for readers.

An upload is judged by its content, never its file name: JPEG, PNG or WebP, at most 10 MB and
40 megapixels (read from the header, before any pixel is decoded). What is kept is the first frame,
turned upright (EXIF orientation), in sRGB, with no metadata at all (EXIF with its GPS position,
XMP, ICC profiles, PNG text): resized to a few widths, each as WebP and in the upload's own format.

What an article stores is `LeadImage.as_record()`, a JSON-able dict; `LeadImage.from_record()`
(portal.media.lead_images) gives back everything the page needs (srcset, src, dimensions) without
Pillow.
"""

import io
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .lead_images import LeadImage, Variant
from .names import file_name

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Widths for srcset, none wider than the upload: a phone, a tablet, the article column, 2x screens.
WIDTHS = (480, 800, 1200, 1600)

JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
# Pillow's format names; MPO is how it opens a camera's multi-picture JPEG (its first picture).
CONTENT_TYPES = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG, "WEBP": WEBP}
ENCODER_OPTIONS = {
    JPEG: {"format": "JPEG", "quality": 85, "progressive": True, "optimize": True},
    PNG: {"format": "PNG", "optimize": True},
    WEBP: {"format": "WEBP", "quality": 80},
}

NOT_AN_IMAGE = "The lead image must be a JPEG, PNG or WebP file."
TOO_LARGE = "The lead image is larger than 10 MB."
TOO_MANY_PIXELS = "The lead image is larger than 40 megapixels."
DAMAGED = "The lead image could not be read: the file is damaged or incomplete."


class ImageRefused(ValueError):
    """An upload the desk does not take; the message is for the editor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PreparedVariant(Variant):
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class PreparedImage(LeadImage):
    """A lead image ready to be stored: each variant with its bytes."""

    variants: tuple[PreparedVariant, ...]


def prepare_lead_image(upload, *, year: int | None = None) -> PreparedImage:
    """Check an upload (bytes or a binary stream, e.g. werkzeug's FileStorage) and make its
    variants, named under `year` (this year by default). Raises ImageRefused."""
    data = _read(upload)
    content_type, image = _decode(data)
    picture = _in_srgb(image)
    # Nothing of the upload's metadata may reach a reader: Pillow's encoders write some of
    # `info` (the ICC profile, EXIF, XMP) unless told otherwise, and resize() copies it.
    picture.info.clear()
    year = year or datetime.now(UTC).year
    sizes = [(width, max(1, round(picture.height * width / picture.width)))
             for width in sorted({min(width, picture.width) for width in WIDTHS})]
    variants = []
    for target in (content_type,) if content_type == WEBP else (content_type, WEBP):
        for width, height in sizes:
            resized = picture if width == picture.width else picture.resize((width, height), Image.Resampling.LANCZOS)
            output = io.BytesIO()
            resized.save(output, **ENCODER_OPTIONS[target])
            encoded = output.getvalue()
            variants.append(PreparedVariant(file_name(encoded, width, target, year), target, width, height, encoded))
    width, height = sizes[-1]
    return PreparedImage(width=width, height=height, content_type=content_type, variants=tuple(variants))


def _read(upload) -> bytes:
    data = bytes(upload) if isinstance(upload, bytes | bytearray | memoryview) else upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImageRefused(TOO_LARGE)
    return data


def _has_signature(data: bytes) -> bool:
    """JPEG, PNG or WebP by its first bytes: a file that says so but cannot be opened is damaged."""
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _decode(data: bytes) -> tuple[str, Image.Image]:
    """The upload's content type, and its first frame turned as its EXIF orientation says,
    decoded only once its header's dimensions are within the limit."""
    with warnings.catch_warnings():
        # Pillow's own guard only warns below twice its (larger) limit: here its warning is a
        # refusal. The filters are process-wide while in place, and touch only these warnings.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # Broken EXIF (a camera's odd MakerNote, an editing tool's leftovers) is dropped anyway.
        warnings.filterwarnings("ignore", "(possibly )?corrupt exif", UserWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG", "WEBP"))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRefused(TOO_MANY_PIXELS) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            # Not an image, or one whose header Pillow gives up on: cut short, or a text or
            # profile chunk that inflates past its safety limit.
            raise ImageRefused(DAMAGED if _has_signature(data) else NOT_AN_IMAGE) from None
        if image.width * image.height > MAX_PIXELS:
            raise ImageRefused(TOO_MANY_PIXELS)
        # A JPEG decodes at 1/2, 1/4 or 1/8 scale when that still leaves both sides at least the
        # largest width: a 40 MP photo then costs a fraction of the memory and time.
        image.draft(None, (max(WIDTHS), max(WIDTHS)))
        try:
            image.load()  # the first frame only
        except (OSError, SyntaxError, ValueError):
            raise ImageRefused(DAMAGED) from None
        try:
            ImageOps.exif_transpose(image, in_place=True)  # no copy: a 40 MP frame is 160 MB
        except (OSError, SyntaxError, ValueError):
            raise ImageRefused(DAMAGED) from None
    return CONTENT_TYPES[image.format], image


def _in_srgb(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has transparency, converted from the embedded ICC profile when
    there is one that applies."""
    profile = image.info.get("icc_profile")
    alpha = None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        alpha = image.getchannel("A")
    colour = image if image.mode in ("RGB", "CMYK", "L") else image.convert("RGB")
    converted = None
    if profile:
        try:
            # A fresh sRGB profile per call: littlecms profiles are not for sharing between threads.
            converted = ImageCms.profileToProfile(colour, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                                  ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile, or one for another colour space: the pixels as they are
    if converted is None:
        converted = colour.convert("RGB")
    if alpha is not None:
        converted.putalpha(alpha)
    return converted
