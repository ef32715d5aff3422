"""A network's logo (for the minutes' PDF and print pages): PNG or JPEG only, checked by
Pillow from the bytes themselves, never by the file name or the browser's word. No SVG: it
can carry script."""
import base64

from flask_babel import gettext as _, lazy_gettext as _l

from ..core import images
from .models import Network
from .service import DirectoryError

MAX_LOGO_BYTES = 500 * 1024
MAX_LOGO_SIDE = 4000  # pixels; a small file can still unpack to a huge bitmap in the PDF renderer
TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_REFUSALS = {
    images.EMPTY: _l("Please choose a PNG or JPEG file."),
    images.TOO_BIG: _l("The logo may be at most 500 KB."),
    images.WRONG_TYPE: _l("Only PNG and JPEG images can be used as a logo."),
    images.DAMAGED: _l("This image file is damaged."),
}


def check_logo(data: bytes) -> str:
    """The MIME type of an uploaded logo: PNG or JPEG of at most 500 KB and MAX_LOGO_SIDE
    pixels a side; anything else raises DirectoryError for the "logo" field."""
    try:
        kind, _size = images.check(data, TYPES, MAX_LOGO_BYTES, MAX_LOGO_SIDE)
    except images.ImageError as error:
        message = _REFUSALS.get(error.reason) or _(
            "The logo may be at most %(num)d pixels wide and high.", num=MAX_LOGO_SIDE)
        raise DirectoryError(str(message), "logo") from None
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
