"""Uploaded images, checked by Pillow from the bytes themselves (never by the file name or the
browser's word), and made into the few widths a page offers. Callers word the refusals: a
logo's messages differ from an event picture's."""
import hashlib
import io
from collections.abc import Collection
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Why an upload was refused; the caller turns it into its own message.
EMPTY, TOO_BIG, WRONG_TYPE, DAMAGED, TOO_LARGE = "empty", "too_big", "wrong_type", "damaged", "too_large"


class ImageError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check(data: bytes, formats: Collection[str], max_bytes: int, max_side: int) -> tuple[str, tuple[int, int]]:
    """(Pillow format, (width, height)) of an upload in one of `formats` (e.g. "PNG"), of at most
    max_bytes and max_side pixels a side; else ImageError. Only the header is decoded, so a
    small file that unpacks to a huge bitmap (a decompression bomb) is refused unread."""
    if not data:
        raise ImageError(EMPTY)
    if len(data) > max_bytes:
        raise ImageError(TOO_BIG)
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ImageError(WRONG_TYPE) from None
    except Exception:  # noqa: BLE001  (whatever a broken upload makes the parser raise)
        raise ImageError(DAMAGED) from None
    with image:
        if image.format not in formats:
            raise ImageError(WRONG_TYPE)
        kind, size = image.format, image.size
        try:
            image.verify()
        except Exception:  # noqa: BLE001  (Pillow raises many kinds for broken data)
            raise ImageError(DAMAGED) from None
    if max(size) > max_side:
        raise ImageError(TOO_LARGE)
    return kind, size


def content_hash(data: bytes) -> str:
    """Names stored content: 128 bits of SHA-256, safe in URLs and as a key shared by every server."""
    return hashlib.sha256(data).hexdigest()[:32]


def variant_widths(width: int, widths: Collection[int]) -> list[int]:
    """The widths made of a picture `width` pixels wide: those below it, and it (or the largest)
    itself; never enlarged."""
    top = min(width, max(widths))
    return sorted(w for w in widths if w < top) + [top]


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    data: bytes


def variants(data: bytes, widths: Collection[int], quality: int = 80) -> tuple[tuple[int, int], list[Variant]]:
    """The upright size of a checked image and WebP copies at `variant_widths`. Turned as the
    camera's EXIF orientation says, then written without any metadata (EXIF can carry the
    place a photo was taken); only the colour profile is kept, so that colours stay right."""
    with Image.open(io.BytesIO(data)) as image:
        # A JPEG can be decoded at 1/2 to 1/8 of its size right away: a phone photo then takes
        # a fraction of the memory and time. Orientation may swap the sides, so ask for both.
        full_size = _upright_size(image)
        largest = max(widths)
        image.draft("RGB", (largest, largest))
        upright = ImageOps.exif_transpose(image)
        profile = image.info.get("icc_profile")
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") and _has_alpha(upright) else "RGB"
        upright = upright.convert(mode)
    made = []
    for width in sorted(variant_widths(full_size[0], widths), reverse=True):
        height = max(1, round(full_size[1] * width / full_size[0]))
        upright = upright.resize((width, height), Image.Resampling.LANCZOS) if upright.size != (width, height) \
            else upright
        out = io.BytesIO()
        upright.save(out, "WEBP", quality=quality, method=4, icc_profile=profile or None)
        made.append(Variant(width, height, out.getvalue()))
    return full_size, sorted(made, key=lambda v: v.width)


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size as seen: sides swapped when the camera was held upright."""
    width, height = image.size
    orientation = image.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _has_alpha(image: Image.Image) -> bool:
    if image.mode == "P":
        return "transparency" in image.info
    return image.getextrema()[-1][0] < 255
