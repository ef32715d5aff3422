"""The reference that bench/scale.py measures Treffpunkt against, in the same rounds: a bare
Flask app on the same gunicorn, with a plain response (`/hello`), a Jinja page of 50 rows
(`/jinja`), and ready bytes of a given size (`/bytes?size=`, a feed's size)."""
from flask import Flask, Response, render_template_string, request

app = Flask(__name__)
ROWS = [{"title": f"Veranstaltung {n}", "when": f"Donnerstag, {n % 28 + 1}. März 2027, 15:00 – 17:00",
         "place": "Volkshochschule, Leibnizstraße 23, 39104 Magdeburg"} for n in range(50)]
PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Liste</title></head><body>
<main><h1>Termine</h1><ul>{% for row in rows %}<li><h3><a href="/e/{{ loop.index }}">{{ row.title }}</a></h3>
<p>{{ row.when }}</p><p>{{ row.place }}</p></li>{% endfor %}</ul></main></body></html>"""
_bytes: dict[int, bytes] = {}


@app.get("/hello")
def hello():
    return "Hello"


@app.get("/jinja")
def jinja():
    return render_template_string(PAGE, rows=ROWS)


@app.get("/bytes")
def ready_bytes():
    size = min(int(request.args.get("size", "1000")), 50_000_000)
    if size not in _bytes:
        _bytes[size] = (b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n" * (size // 36 + 1))[:size]
    return Response(_bytes[size], content_type="text/calendar; charset=utf-8")
