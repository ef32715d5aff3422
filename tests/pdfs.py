"""Fetching a PDF the outbox worker lays out (app/mail/pdfs.py): the first request answers
"being prepared", one worker round lays it out, the next request gets it."""
from app.mail import outbox

PENDING = 'id="pdf-job"'  # the waiting page's fragment, in any language


def fetch_pdf(client, url: str, **kwargs):
    first = client.get(url, **kwargs)
    if first.status_code != 200 or first.mimetype == "application/pdf":
        return first
    assert PENDING in first.get_data(as_text=True)
    outbox.run_each_round()
    return client.get(url, **kwargs)
