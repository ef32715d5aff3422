"""CSV import and export of a network's organizations and contact people.

The file has one row per contact person, as coordinators keep their lists in Excel: an
organization with several contact people fills several rows, one without any fills a row
with empty contact columns. Import is two steps: `preview` validates every row and says
what would happen without writing anything; `write` then writes the importable rows and
the caller commits them as one transaction. Nothing here reads the request.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext, pgettext
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..core.extensions import db
from ..core.spreadsheet import FORMULA_STARTS, excel_csv
from .forms import ORGANIZATION_KIND_LABELS, OrganizationForm, PersonForm
from .models import Membership, Network, Person, name_key
from .service import (
    ORGANIZATION_FIELDS, PERSON_FIELDS, add_member, create_organization, find_organization, is_member,
    organizations_page, save_person,
)

MAX_ROWS = 5000
# The preview sends the text back in a URL-encoded form field, which can be three times
# as long; 1 MB (5,000 rows of 200 characters) keeps that under MAX_CONTENT_LENGTH (5 MB).
MAX_TEXT_BYTES = 1_000_000
CONTACT = "contact_"  # prefix of the contact columns; the rest are the organization's

# What a row does.
NEW = "new"                # creates the organization (and its contact person)
JOIN = "join"              # an organization of another network becomes a member of this one
CONTACT_ADDED = "contact"  # adds a contact person to an organization of this network or an earlier row
EXISTS = "exists"          # organization and contact person are in this network already
DUPLICATE = "duplicate"    # repeats an earlier row of the file
ERROR = "error"
WRITES = (NEW, JOIN, CONTACT_ADDED)

# Excel runs a cell starting with one of these as a formula, even in a CSV file.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CsvFileError(ValueError):
    """The file as a whole cannot be imported; the message says why."""


def column_labels() -> dict[str, str]:
    """The columns and their headers in the current language, in file order.

    Export writes these headers; import recognises them in every configured language.
    """
    return {
        "name": pgettext("CSV column", "Organization"),
        "kind": pgettext("CSV column", "Kind"),
        "street": pgettext("CSV column", "Street"),
        "postcode": pgettext("CSV column", "Postcode"),
        "city": pgettext("CSV column", "City"),
        "website": pgettext("CSV column", "Website"),
        "email": pgettext("CSV column", "E-mail"),
        "phone": pgettext("CSV column", "Phone"),
        CONTACT + "name": pgettext("CSV column", "Contact person"),
        CONTACT + "role": pgettext("CSV column", "Contact role"),
        CONTACT + "email": pgettext("CSV column", "Contact e-mail"),
        CONTACT + "phone": pgettext("CSV column", "Contact phone"),
    }


@dataclass
class ImportRow:
    line: int  # the line of the file where the row starts
    name: str = ""
    organization: dict[str, str] = field(default_factory=dict)  # ORGANIZATION_FIELDS
    contact: dict[str, str] | None = None  # PERSON_FIELDS; None when the contact columns are empty
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column header or None, message)
    action: str = ERROR
    adds_contact: bool = False
    earlier_line: int | None = None  # the first row of the same organization

    @property
    def outcome(self) -> str:
        """What importing this row does, in words."""
        if self.action == ERROR:
            return _("Not imported. Please correct:")
        if self.action == DUPLICATE:
            return _("Repeats line %(line)d: skipped.", line=self.earlier_line)
        if self.action == EXISTS:
            return _("Already in this network: nothing new in this row.")
        if self.action == CONTACT_ADDED:
            if self.earlier_line:
                return _("Contact person added to the organization of line %(line)d.", line=self.earlier_line)
            return _("Organization already in this network: contact person added.")
        text = _("New organization.") if self.action == NEW else _(
            "Existing organization (from another network) added to this network.")
        if self.adds_contact:
            return " ".join((text, _("Contact person added.")))
        if self.contact:
            return " ".join((text, _("The contact person exists already.")))
        return text


@dataclass
class Preview:
    text: str  # the decoded file, carried to the confirm step
    rows: list[ImportRow]
    ignored_columns: list[str]

    @property
    def importable(self) -> list[ImportRow]:
        return [row for row in self.rows if row.action in WRITES]

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.action == ERROR]

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.action == NEW)

    @property
    def joined(self) -> int:
        return sum(1 for row in self.rows if row.action == JOIN)

    @property
    def contacts_added(self) -> int:
        return sum(1 for row in self.rows if row.adds_contact)

    @property
    def unchanged(self) -> int:
        return sum(1 for row in self.rows if row.action in (EXISTS, DUPLICATE))


@dataclass
class ImportCounts:
    created: int = 0
    joined: int = 0
    contacts: int = 0


# --- Import -----------------------------------------------------------------------

def decode(data: bytes) -> str:
    """The uploaded bytes as text: UTF-8 with or without BOM, else Windows-1252 (older Excel)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvFileError(_not_text()) from None


def preview(network: Network, text: str) -> Preview:
    """Read and check every row and say what importing it would do; writes nothing."""
    records = _records(text)
    header_line, header = next(records, (0, None))
    if header is None:
        raise CsvFileError(_("The file is empty."))
    labels = column_labels()
    positions, ignored = _columns(header, labels)
    # Rows must be as wide as the header; empty header cells at its end do not count.
    width = max(index for index, cell in enumerate(header) if cell.strip()) + 1
    kinds = _kind_aliases()
    # One form of each kind for all rows: binding a new form per row costs more than checking it.
    forms = (OrganizationForm(formdata=None, meta={"csrf": False}), PersonForm(formdata=None, meta={"csrf": False}))
    rows = []
    for line, cells in records:
        if len(rows) == MAX_ROWS:
            raise CsvFileError(ngettext(
                "The file has more than %(num)d row. Please split it into several files.",
                "The file has more than %(num)d rows. Please split it into several files.", MAX_ROWS))
        rows.append(_read_row(line, cells, width, positions, labels, kinds, forms))
    if not rows:
        raise CsvFileError(_("The file has a header line (line %(line)d) but no rows below it.", line=header_line))
    _plan(network, rows)
    return Preview(text=text, rows=rows, ignored_columns=ignored)


def _not_text() -> str:
    return _("This is not a CSV text file, or its character encoding is unknown. "
             "In Excel, save the list as “CSV UTF-8 (comma delimited)”.")


def _records(text: str):
    """(line number, cells) of each row that is not blank; the first one is the header."""
    if not text.strip():
        raise CsvFileError(_("The file is empty."))
    if _CONTROL_CHARACTERS.search(text):
        raise CsvFileError(_not_text())
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise CsvFileError(_("The file is larger than %(num)d MB. Please split it into several files.",
                             num=MAX_TEXT_BYTES // 1_000_000))
    first_line = next(line for line in text.splitlines() if line.strip())
    # Excel writes ";" under German settings and "," under English ones.
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error:
        raise CsvFileError(_(
            "Line %(line)d cannot be read. Is a quotation mark missing?", line=line)) from None


def _match_key(text: str) -> str:
    """Headers and kinds match whatever the case, spaces, hyphens and underscores."""
    return re.sub(r"[\s_-]+", "", text).casefold()


def _in_every_language(build) -> list:
    """`build()` once under each configured language, so that files in any of them are read."""
    results = []
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            results.append(build())
    return results


def _columns(header: list[str], labels: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """The position of each recognised column, and the headers that were not recognised."""
    aliases = {}
    for translated in _in_every_language(column_labels):
        aliases.update({_match_key(label): column for column, label in translated.items()})
    positions: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        title = " ".join(cell.split())
        if not title:
            continue
        column = aliases.get(_match_key(title))
        if column is None:
            ignored.append(title)
        elif column in positions:
            raise CsvFileError(_("The column “%(column)s” appears twice in the header line.", column=title))
        else:
            positions[column] = index
    if "name" not in positions:
        raise CsvFileError(_(
            "The first line must hold the column headers, with at least the column “%(name)s”. "
            "These are the columns: %(columns)s",
            name=labels["name"], columns="; ".join(labels.values())))
    return positions, ignored


def _kind_aliases() -> dict[str, str]:
    """Kind keys, and their labels in every language, to the key."""
    aliases = {_match_key(kind): kind for kind in ORGANIZATION_KIND_LABELS}
    for labels in _in_every_language(lambda: [(kind, str(label)) for kind, label in ORGANIZATION_KIND_LABELS.items()]):
        aliases.update({_match_key(label): kind for kind, label in labels})
    return aliases


def _clean(cell: str) -> str:
    value = " ".join(cell.split())
    # Undo the quote that our export (and careful users) put before formula characters.
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _read_row(line: int, cells: list[str], width: int, positions: dict[str, int],
              labels: dict[str, str], kinds: dict[str, str], forms: tuple[OrganizationForm, PersonForm]) -> ImportRow:
    values = {column: _clean(cells[index]) if index < len(cells) else "" for column, index in positions.items()}
    row = ImportRow(line=line, name=values["name"])
    # A missing or extra separator or quotation mark shifts the columns: nothing else can be trusted.
    if len(cells) < width or any(cell.strip() for cell in cells[width:]):
        row.errors.append((None, _(
            "This row has %(found)d fields, the header line has %(expected)d. "
            "Is a separator or a quotation mark missing or too many?", found=len(cells), expected=width)))
        return row

    organization = {key: values.get(key, "") for key in ORGANIZATION_FIELDS}
    # Excel drops the leading zero of postcodes such as 06108 (Halle).
    if re.fullmatch(r"\d{4}", organization["postcode"]):
        organization["postcode"] = "0" + organization["postcode"]
    # Lists give websites as "www.example.org"; the form rule wants a full address.
    if organization["website"] and "://" not in organization["website"]:
        organization["website"] = "https://" + organization["website"]
    kind = kinds.get(_match_key(organization["kind"])) if organization["kind"] else "other"
    if kind is None:
        row.errors.append((labels["kind"], _(
            "Unknown kind “%(value)s”. Use one of: %(kinds)s.", value=organization["kind"],
            kinds="; ".join(str(label) for label in ORGANIZATION_KIND_LABELS.values()))))
    organization["kind"] = kind or "other"
    row.organization = organization
    organization_form, person_form = forms
    row.errors += _form_errors(organization_form, {"name": row.name, **organization}, labels, "")

    contact = {key: values.get(CONTACT + key, "") for key in PERSON_FIELDS}
    if any(contact.values()):
        row.contact = contact
        row.errors += _form_errors(person_form, contact, labels, CONTACT)
    return row


def _form_errors(form, data: dict[str, str], labels: dict[str, str], prefix: str):
    """Check the values with the same form the pages use, so that both apply the same rules."""
    form.process(MultiDict(data))
    form.validate()
    return [(labels[prefix + key], message) for key, messages in form.errors.items() for message in messages]


def _plan(network: Network, rows: list[ImportRow]) -> None:
    """Decide each valid row's action against the database and the rows before it."""
    first_lines: dict[str, int] = {}
    known: dict[str, tuple[set[str], set[str]]] = {}  # organization key -> contact e-mails, contact names
    for row in rows:
        if row.errors:
            continue
        key = name_key(row.name)
        if key in first_lines:
            row.earlier_line = first_lines[key]
            row.action = DUPLICATE
        else:
            first_lines[key] = row.line
            existing = find_organization(row.name)
            if existing is None:
                row.action = NEW
                known[key] = (set(), set())
            else:
                row.action = EXISTS if is_member(network, existing) else JOIN
                known[key] = ({p.email.lower() for p in existing.contacts if p.email},
                              {name_key(p.name) for p in existing.contacts})
        emails, names = known[key]
        if row.contact:
            email, contact_name = row.contact["email"].lower(), name_key(row.contact["name"])
            # A contact person is the same when the e-mail matches, or without e-mail the name.
            row.adds_contact = email not in emails if email else contact_name not in names
            if row.adds_contact:
                emails.add(email)
                names.add(contact_name)
        if row.adds_contact and row.action in (EXISTS, DUPLICATE):
            row.action = CONTACT_ADDED


def write(network: Network, checked: Preview) -> ImportCounts:
    """Write the importable rows of a fresh preview; the caller commits."""
    counts = ImportCounts()
    organizations = {}
    # Flush once per new organization (create_organization does), not before every query.
    with db.session.no_autoflush:
        for row in checked.importable:
            key = name_key(row.name)
            organization = organizations.get(key)
            if organization is None:
                if row.action == NEW:
                    organization = create_organization(network, row.name, **row.organization)
                    counts.created += 1
                else:
                    organization = find_organization(row.name)
                    if row.action == JOIN:
                        add_member(network, organization)
                        counts.joined += 1
                organizations[key] = organization
            if row.adds_contact:
                save_person(organization, None, **row.contact)
                counts.contacts += 1
    return counts


# --- Export -----------------------------------------------------------------------

def export(network: Network) -> bytes:
    """The network's organizations and contact people as a CSV file for a German Excel.

    UTF-8 with BOM (else Excel reads Windows-1252), ";" between cells, CRLF line ends,
    and the same columns that `preview` reads.
    """
    contacts: dict[int, list[Person]] = {}
    for person in db.session.scalars(
        select(Person).join(Membership, Membership.organization_id == Person.organization_id)
        .where(Membership.network_id == network.id).order_by(Person.name, Person.id)
    ):
        contacts.setdefault(person.organization_id, []).append(person)
    rows = []
    for organization, _count in organizations_page(network):
        kind = str(ORGANIZATION_KIND_LABELS.get(organization.kind, organization.kind))
        cells = [organization.name] + [kind if key == "kind" else getattr(organization, key)
                                       for key in ORGANIZATION_FIELDS]
        for person in contacts.get(organization.id) or [None]:
            contact_cells = [getattr(person, key) for key in PERSON_FIELDS] if person else [""] * len(PERSON_FIELDS)
            rows.append(cells + contact_cells)
    return excel_csv(column_labels().values(), rows)
