"""CSV files for a German Excel, shared by every export: UTF-8 with BOM (else Excel reads
Windows-1252), ";" between cells, CRLF line ends, and no cell Excel would run as a formula."""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """Make Excel show a cell like "=HYPERLINK(…)" or "+49 391 …" as text instead of running it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def excel_csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(escape_formula(str(cell)) for cell in row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
