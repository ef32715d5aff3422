"""A network's logo (for the minutes' PDF and print pages): PNG or JPEG only, checked by
Pillow from the bytes themselves, never by the file name or the browser's word. No SVG: it
can carry script."""
import base64
import io

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from .models import Network
from .service import DirectoryError

MAX_LOGO_BYTES = 500 * 1024
MAX_LOGO_SIDE = 4000  # pixels; a small file can still unpack to a huge bitmap in the PDF renderer
TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def check_logo(data: bytes) -> str:
    """The MIME type of an uploaded logo: PNG or JPEG of at most 500 KB and MAX_LOGO_SIDE
    pixels a side; anything else raises DirectoryError for the "logo" field."""
    if not data:
        raise DirectoryError(_("Please choose a PNG or JPEG file."), "logo")
    if len(data) > MAX_LOGO_BYTES:
        raise DirectoryError(_("The logo may be at most 500 KB."), "logo")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise DirectoryError(_("Only PNG and JPEG images can be used as a logo."), "logo") from None
    except Exception:  # noqa: BLE001  (whatever a broken upload makes the parser raise)
        raise DirectoryError(_("This image file is damaged."), "logo") from None
    with image:
        if image.format not in TYPES:
            raise DirectoryError(_("Only PNG and JPEG images can be used as a logo."), "logo")
        kind, size = image.format, image.size
        try:
            image.verify()
        except Exception:  # noqa: BLE001  (Pillow raises many kinds for broken data)
            raise DirectoryError(_("This image file is damaged."), "logo") from None
    if max(size) > MAX_LOGO_SIDE:
        raise DirectoryError(_("The logo may be at most %(num)d pixels wide and high.", num=MAX_LOGO_SIDE), "logo")
    return TYPES[kind]


def set_logo(network: Network, data: bytes | None) -> None:
    """Store a checked logo, or remove it (data None)."""
    if data is None:
        network.logo, network.logo_type = None, ""
        return
    network.logo_type = check_logo(data)
    network.logo = data


def logo_data_uri(network: Network) -> str | None:
    """The logo inline, so that the PDF renderer needs no HTTP request to fetch it."""
    if not network.logo or network.logo_type not in TYPES.values():
        return None
    return f"data:{network.logo_type};base64,{base64.b64encode(network.logo).decode('ascii')}"
