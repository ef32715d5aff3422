"""Reading the mails the real SMTP server (aiosmtpd) received: their calendar part, checked
with tools/ics-check in iTIP mode (RFC 5546) for the addressee."""
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import icalendar
import pytest

# shared/ lies beside the checkout.
ICS_CHECK = Path(__file__).resolve().parents[2] / "shared/tools/ics-check/ics-check"
HAVE_ICS_CHECK = shutil.which("node") is not None and ICS_CHECK.exists()


def calendar_part(message):
    """The inline text/calendar part (inside multipart/alternative), or None."""
    found = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(found) <= 1
    return found[0] if found else None


def calendar_of(message) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(calendar_part(message).get_payload(decode=True))


def itip_check(message, recipient: str | None = None) -> dict:
    """ics-check --itip --strict --recipient <the addressee> on the mail's calendar part; its
    JSON report (the test fails on anything but OK)."""
    if not HAVE_ICS_CHECK:
        pytest.skip("ics-check needs Node.js and shared/tools/ics-check")
    data = calendar_part(message).get_payload(decode=True)
    recipient = recipient or message["To"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "invite.ics"
        path.write_bytes(data)
        result = subprocess.run([str(ICS_CHECK), str(path), "--itip", "--strict", "--recipient", recipient,
                                 "--json", "-"], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["ok"], (message["Subject"], report["reasons"], report["lint"], data.decode())
    return report
