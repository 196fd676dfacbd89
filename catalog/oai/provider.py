"""OAI-PMH 2.0 request handling: the six verbs, argument checks and every error code.

``Provider.handle(args, base_url)`` takes the request's arguments (name → list of values,
as a query string or form body gives them) and returns the XML response as bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from diancang.catalog.db import Catalog
from diancang.catalog.models import Record
from diancang.catalog.oai import tokens
from diancang.catalog.oai.metadata import FORMATS
from diancang.catalog.oai.sets import UnknownSet, all_sets, record_sets, set_filter
from diancang.catalog.publication import is_served, served, served_as_deleted
from diancang.catalog.records_builder import utcnow
from diancang.catalog.views import load_views
from diancang.catalog.xml_text import has_non_xml_char, set_attribute, sub_element
from diancang.settings import load_settings

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
# Far longer than any identifier, set, date or resumption token this provider issues.
MAX_ARGUMENT_CHARS = 1024
SHOWN_CHARS = 80  # of a bad value, in an error message
# the syntax OAI-PMH.xsd gives the arguments it echoes (metadataPrefixType, setSpecType)
_UNRESERVED = r"[A-Za-z0-9\-_.!~*'()]+"
ARGUMENT_SYNTAX = {
    "metadataPrefix": re.compile(_UNRESERVED),
    "set": re.compile(rf"{_UNRESERVED}(:{_UNRESERVED})*"),
    # identifierType is anyURI: a scheme, then URI characters, %XX escapes or non-ASCII (IRI)
    "identifier": re.compile(
        r"[A-Za-z][A-Za-z0-9+.\-]*:([A-Za-z0-9\-_.!~*'();/?:@&=+$,]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])+"
    ),
}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")

# verb → (required, optional, exclusive)
VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RepositoryInfo:
    name: str
    admin_email: str
    repository_id: str

    @classmethod
    def configured(cls) -> RepositoryInfo:
        """From the settings (DIANCANG_OAI_NAME, _ADMIN_EMAIL, _REPOSITORY_ID)."""
        oai = load_settings().oai
        return cls(name=oai.name, admin_email=oai.admin_email, repository_id=oai.repository_id)


def format_datestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def shown(value: str) -> str:
    """``value`` quoted for an error message, cut short when long."""
    return repr(value[:SHOWN_CHARS]) + ("…" if len(value) > SHOWN_CHARS else "")


def parse_bound(text: str, name: str) -> tuple[datetime, str]:
    """An OAI date argument → (datetime, granularity); badArgument when malformed."""
    for pattern, fmt, granularity in (
        (_DAY, "%Y-%m-%d", "day"), (_SECONDS, "%Y-%m-%dT%H:%M:%SZ", "seconds"),
    ):  # fmt: skip
        if pattern.fullmatch(text):
            try:
                return datetime.strptime(text, fmt), granularity
            except ValueError:
                break
    raise OAIError("badArgument", f"{name}={shown(text)} is not YYYY-MM-DD or {GRANULARITY}")


def last_instant(bound: datetime, granularity: str) -> datetime:
    """The last microsecond an ``until`` of that granularity includes (no overflow at 9999)."""
    if granularity == "day":
        return bound.replace(hour=23, minute=59, second=59, microsecond=999999)
    return bound.replace(microsecond=999999)


class Provider:
    """Serves the records ``publish_policy`` publishes (``diancang.catalog.publication``;
    default: the ``publish_policy`` setting, DIANCANG_PUBLISH_POLICY)."""

    def __init__(
        self,
        catalog: Catalog,
        info: RepositoryInfo | None = None,
        page_size: int | None = None,
        publish_policy: str | None = None,
    ) -> None:
        self.catalog = catalog
        self.info = info or RepositoryInfo.configured()
        self.page_size = page_size or load_settings().oai.page_size
        self.policy = publish_policy or load_settings().publish_policy
        self.served = served(self.policy)

    # -- envelope ---------------------------------------------------------------------------
    def handle(self, args: dict[str, list[str]], base_url: str) -> bytes:
        root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
        sub_element(root, "responseDate", format_datestamp(utcnow()))
        request = sub_element(root, "request", base_url)
        try:
            verb, single = self._check_arguments(args)
            for name, value in single.items():
                set_attribute(request, name, value)
            set_attribute(request, "verb", verb)
            with self.catalog.session() as session:
                body = getattr(self, f"_{verb}")(session, single, base_url)
            root.append(body)
        except OAIError as error:
            if error.code in {"badVerb", "badArgument"}:
                request.attrib.clear()
            sub_element(root, "error", error.message, code=error.code)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _check_arguments(self, args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
        verbs = args.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in VERBS:
            named = ", ".join(shown(v) for v in verbs[:3]) or "none"
            raise OAIError("badVerb", f"Illegal OAI verb: {named}")
        verb = verbs[0]
        required, optional, exclusive = VERBS[verb]
        single: dict[str, str] = {}
        for name, values in args.items():
            if name == "verb":
                continue
            if name not in required + optional + ((exclusive,) if exclusive else ()):
                raise OAIError("badArgument", f"{verb} does not take the argument {shown(name)}")
            if len(values) != 1:
                raise OAIError("badArgument", f"The argument {name!r} is repeated")
            value = values[0]
            if len(value) > MAX_ARGUMENT_CHARS:
                raise OAIError(
                    "badArgument", f"The argument {name!r} is longer than {MAX_ARGUMENT_CHARS}"
                )
            if has_non_xml_char(value):
                message = f"The argument {name!r} holds a character XML cannot carry"
                raise OAIError("badArgument", f"{message}: {shown(value)}")
            syntax = ARGUMENT_SYNTAX.get(name)
            if syntax is not None and not syntax.fullmatch(value):
                raise OAIError("badArgument", f"{name}={shown(value)} is not a valid {name}")
            if name in ("from", "until"):  # checked before any other error echoes them
                parse_bound(value, name)
            single[name] = value
        if exclusive and exclusive in single:
            if len(single) > 1:
                raise OAIError("badArgument", f"{exclusive} is an exclusive argument")
            return verb, single
        missing = [name for name in required if name not in single]
        if missing:
            raise OAIError("badArgument", f"{verb} requires {', '.join(missing)}")
        return verb, single

    # -- verbs ------------------------------------------------------------------------------
    def _Identify(self, session: Session, _args: dict, base_url: str) -> etree._Element:
        earliest = session.scalar(select(func.min(Record.datestamp)).where(*self.served))
        earliest = earliest or utcnow()
        el = etree.Element("Identify")
        for name, value in (
            ("repositoryName", self.info.name),
            ("baseURL", base_url),
            ("protocolVersion", "2.0"),
            ("adminEmail", self.info.admin_email),
            ("earliestDatestamp", format_datestamp(earliest)),
            ("deletedRecord", "persistent"),
            ("granularity", GRANULARITY),
        ):
            sub_element(el, name, value)
        return el

    def _ListMetadataFormats(self, session: Session, args: dict, base_url: str) -> etree._Element:
        if "identifier" in args:
            record = self._record(session, args["identifier"])
            if served_as_deleted(record):
                raise OAIError("noMetadataFormats", "The record is deleted: no metadata")
        el = etree.Element("ListMetadataFormats")
        for fmt in FORMATS.values():
            item = sub_element(el, "metadataFormat")
            sub_element(item, "metadataPrefix", fmt.prefix)
            sub_element(item, "schema", fmt.schema.format(base=base_url))
            sub_element(item, "metadataNamespace", fmt.namespace)
        return el

    def _ListSets(self, session: Session, args: dict, _base_url: str) -> etree._Element:
        if "resumptionToken" in args:
            raise OAIError("badResumptionToken", "ListSets is complete in one response")
        sets = all_sets(session, self.served)
        if not sets:
            raise OAIError("noSetHierarchy", "The repository has no sets yet (no records)")
        el = etree.Element("ListSets")
        for spec, name in sets:
            item = sub_element(el, "set")
            sub_element(item, "setSpec", spec)
            sub_element(item, "setName", name)
        return el

    def _GetRecord(self, session: Session, args: dict, base_url: str) -> etree._Element:
        record = self._record(session, args["identifier"])
        fmt = self._format(args["metadataPrefix"])
        el = etree.Element("GetRecord")
        el.append(self._record_element(session, [record], fmt.prefix, base_url)[0])
        return el

    def _ListIdentifiers(self, session: Session, args: dict, base_url: str) -> etree._Element:
        return self._list(session, "ListIdentifiers", args, base_url)

    def _ListRecords(self, session: Session, args: dict, base_url: str) -> etree._Element:
        return self._list(session, "ListRecords", args, base_url)

    # -- helpers ----------------------------------------------------------------------------
    def identifier(self, record_id: int) -> str:
        return f"oai:{self.info.repository_id}:{record_id}"

    def _record(self, session: Session, identifier: str) -> Record:
        prefix = f"oai:{self.info.repository_id}:"
        tail = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
        # only the canonical form this provider issues: ASCII digits, no leading zero
        number = int(tail) if tail.isascii() and tail.isdigit() else None
        record = None
        if number is not None and str(number) == tail and number <= tokens.MAX_ID:
            record = session.get(Record, number)
        if record is None or not is_served(record, self.policy):
            raise OAIError("idDoesNotExist", f"No record {shown(identifier)} in this repository")
        return record

    def _format(self, prefix: str):
        if prefix not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"Unknown metadataPrefix {prefix!r}")
        return FORMATS[prefix]

    def _list(self, session: Session, verb: str, args: dict, base_url: str) -> etree._Element:
        if "resumptionToken" in args:
            try:
                position = tokens.decode(args["resumptionToken"], verb)
            except tokens.BadToken as exc:
                raise OAIError("badResumptionToken", str(exc)) from exc
        else:
            self._format(args["metadataPrefix"])
            position = tokens.Position(
                verb, args["metadataPrefix"], args.get("set"), args.get("from"),
                args.get("until"), datetime.min.isoformat(), 0, 0,
            )  # fmt: skip
        try:
            filters = self._filters(session, position)
        except OAIError as error:
            if "resumptionToken" not in args:
                raise
            message = f"Invalid resumptionToken: {error.message}"
            raise OAIError("badResumptionToken", message) from error
        query = select(Record).where(*self.served, *filters)
        query = query.where(tuple_(Record.datestamp, Record.id) > tuple_(*position.after))
        rows = list(
            session.scalars(query.order_by(Record.datestamp, Record.id).limit(self.page_size + 1))
        )
        if not rows and position.cursor == 0:
            raise OAIError("noRecordsMatch", "No records match the request")
        page, more = rows[: self.page_size], len(rows) > self.page_size
        el = etree.Element(verb)
        if verb == "ListRecords":
            el.extend(self._record_element(session, page, position.prefix, base_url))
        else:
            el.extend(self._header(r) for r in page)
        if more or position.cursor:
            token = sub_element(el, "resumptionToken", cursor=position.cursor)
            if more:
                last = page[-1]
                token.text = tokens.encode(
                    tokens.Position(
                        verb,
                        position.prefix,
                        position.set_spec,
                        position.from_,
                        position.until,
                        last.datestamp.isoformat(),
                        last.id,
                        position.cursor + len(page),
                    )  # fmt: skip
                )
        return el

    def _filters(self, session: Session, position: tokens.Position) -> list:
        filters = []
        if position.prefix not in FORMATS:
            raise OAIError("badResumptionToken", "The resumptionToken names an unknown format")
        start = end = None
        if position.from_:
            start, from_granularity = parse_bound(position.from_, "from")
            filters.append(Record.datestamp >= start)
        if position.until:
            end, until_granularity = parse_bound(position.until, "until")
            filters.append(Record.datestamp <= last_instant(end, until_granularity))
        if start and end:
            if from_granularity != until_granularity:
                raise OAIError("badArgument", "from and until have different granularities")
            if start > end:
                raise OAIError("badArgument", "from is later than until")
        if position.set_spec is not None:
            if session.scalar(select(Record.id).where(*self.served).limit(1)) is None:
                raise OAIError("noSetHierarchy", "The repository has no sets yet (no records)")
            try:
                filters.append(set_filter(position.set_spec))
            except UnknownSet as exc:
                raise OAIError("noRecordsMatch", f"No set {position.set_spec!r}") from exc
        return filters

    def _header(self, record: Record) -> etree._Element:
        header = etree.Element("header")
        if served_as_deleted(record):
            header.set("status", "deleted")
        sub_element(header, "identifier", self.identifier(record.id))
        sub_element(header, "datestamp", format_datestamp(record.datestamp))
        for spec in record_sets(record):
            sub_element(header, "setSpec", spec)
        return header

    def _record_element(
        self, session: Session, records: list[Record], prefix: str, base_url: str
    ) -> list[etree._Element]:
        fmt = FORMATS[prefix]
        views = load_views(session, [r for r in records if not served_as_deleted(r)])
        by_id = {view.record.id: view for view in views}
        elements = []
        for record in records:
            el = etree.Element("record")
            el.append(self._header(record))
            if not served_as_deleted(record):
                metadata = sub_element(el, "metadata")
                metadata.append(fmt.render(by_id[record.id], base_url))
            elements.append(el)
        return elements
