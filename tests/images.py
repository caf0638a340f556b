"""Images made with Pillow as a camera or an editor's laptop would make them, for the tests of
lead images (tests/media) and of the desk that uploads them (tests/desk)."""

import io
import zlib

from PIL import ExifTags, Image, ImageCms


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
