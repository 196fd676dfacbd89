"""SQLAlchemy models of the catalogue. The schema itself is created by Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

KIND_GOVINFO = "govinfo"
KIND_WEBSITE = "website"


class Base(DeclarativeBase):
    pass


class WarcFile(Base):
    """A WARC file that was ingested; (name, size) identifies it wherever it lies."""

    __tablename__ = "catalog_warc_files"
    __table_args__ = (UniqueConstraint("name", "size", name="uq_warc_file_name_size"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    captures_count: Mapped[int] = mapped_column(Integer, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    collection: Mapped[str | None] = mapped_column(String(64))
    jurisdiction: Mapped[str | None] = mapped_column(String(6))
    seed: Mapped[str | None] = mapped_column(String(255))
    seed_url: Mapped[str | None] = mapped_column(Text)


class Record(Base):
    """A catalogue record: one government-information document, or one website capture."""

    __tablename__ = "catalog_records"
    __table_args__ = (
        Index("ix_record_datestamp", "datestamp", "id"),
        Index("ix_record_kind_datestamp", "kind", "datestamp", "id"),
        Index("ix_record_collection_datestamp", "collection", "datestamp", "id"),
        Index("ix_record_province_datestamp", "province_code", "datestamp", "id"),
        Index("ix_record_city_datestamp", "city_code", "datestamp", "id"),
        Index("ix_record_jurisdiction_datestamp", "jurisdiction_code", "datestamp", "id"),
        # 查重 by agency + 发文字号 reads a candidate's other facts from the index alone (0010)
        Index(
            "ix_record_agency_docno", "agency", "doc_number", "deleted", "library_id", "index_no"
        ),
        Index("ix_record_doc_number", "doc_number"),  # exact 发文字号 search
        Index("ix_record_library_kind_created", "library_id", "kind", "created_at", "deleted"),
        Index("ix_record_published_datestamp", "published", "datestamp", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    datestamp: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # review (diancang.review): "pending", "approved" or "rejected", the latest decision on
    # any of its captures; published once approved, and then served by OAI-PMH for good
    # (a rejected published record as a deleted record)
    review_state: Mapped[str] = mapped_column(String(16), default="pending")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # the library whose registered seed first captured it (None: a seed list outside the
    # registry); the dashboard counts a library's records by it
    library_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts_libraries.id", name="fk_record_library")
    )
    collection: Mapped[str | None] = mapped_column(String(64))
    jurisdiction_code: Mapped[str | None] = mapped_column(String(6))
    jurisdiction_name: Mapped[str | None] = mapped_column(String(128))
    province_code: Mapped[str | None] = mapped_column(String(6))
    city_code: Mapped[str | None] = mapped_column(String(6))
    site_name: Mapped[str | None] = mapped_column(String(255))
    site_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    title: Mapped[str | None] = mapped_column(Text)
    index_no: Mapped[str | None] = mapped_column(String(128), index=True)
    category: Mapped[str | None] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(String(255))
    written_date: Mapped[str | None] = mapped_column(String(10))
    doc_number: Mapped[str | None] = mapped_column(String(255))
    pub_date: Mapped[str | None] = mapped_column(String(10))
    keywords: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[str | None] = mapped_column(String(64))
    doc_type: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    raw_values: Mapped[dict] = mapped_column(JSON, default=dict)
    provenance: Mapped[dict] = mapped_column(JSON, default=dict)

    title_key: Mapped[str | None] = mapped_column(String(40), index=True)
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    band0: Mapped[int | None] = mapped_column(Integer, index=True)
    band1: Mapped[int | None] = mapped_column(Integer, index=True)
    band2: Mapped[int | None] = mapped_column(Integer, index=True)
    band3: Mapped[int | None] = mapped_column(Integer, index=True)

    captures: Mapped[list[Capture]] = relationship(
        back_populates="record", foreign_keys="Capture.record_id", order_by="Capture.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="record", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Capture(Base):
    """One archived response, revisit or resource record of a WARC file."""

    __tablename__ = "catalog_captures"
    __table_args__ = (
        UniqueConstraint("warc_file_id", "offset", name="uq_capture_warc_offset"),
        Index("ix_capture_url_hash", "url_hash", "captured_at"),
        # the dashboard's captures and preserved websites of each registered seed, a year
        Index("ix_capture_seed_captured", "seed", "captured_at", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warc_file_id: Mapped[int] = mapped_column(ForeignKey("catalog_warc_files.id"))
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    warc_type: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[int | None] = mapped_column(Integer)
    mime: Mapped[str | None] = mapped_column(String(255))
    payload_digest: Mapped[str | None] = mapped_column(String(128), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    seed: Mapped[str | None] = mapped_column(String(255))
    collection: Mapped[str | None] = mapped_column(String(64))
    jurisdiction: Mapped[str | None] = mapped_column(String(6))
    title: Mapped[str | None] = mapped_column(Text)
    charset: Mapped[str | None] = mapped_column(String(32))
    replay_url: Mapped[str] = mapped_column(Text)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_records.id"), index=True)
    match_reason: Mapped[str | None] = mapped_column(String(32))
    match_detail: Mapped[str | None] = mapped_column(Text)
    site_record_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_records.id"), index=True)
    redirect_to: Mapped[str | None] = mapped_column(Text)  # Location of a 3xx response

    warc_file: Mapped[WarcFile] = relationship()
    record: Mapped[Record | None] = relationship(
        back_populates="captures", foreign_keys=[record_id]
    )


class Attachment(Base):
    """A document linked from a record's page; its own capture is found by URL."""

    __tablename__ = "catalog_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("catalog_records.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str | None] = mapped_column(Text)

    record: Mapped[Record] = relationship(back_populates="attachments")


class Listing(Base):
    """A listing (栏目) of a seed, by the key the crawler wrote on each of its pages."""

    __tablename__ = "catalog_listings"
    __table_args__ = (UniqueConstraint("collection", "key_hash", name="uq_listing_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(40))
    collection: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(255))
    jurisdiction: Mapped[str | None] = mapped_column(String(6))


class ListingPage(Base):
    """One capture of a listing page: the metadata record that names its listing."""

    __tablename__ = "catalog_listing_pages"
    __table_args__ = (
        UniqueConstraint("warc_file_id", "offset", name="uq_listing_page_warc_offset"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("catalog_listings.id"), index=True)
    warc_file_id: Mapped[int] = mapped_column(ForeignKey("catalog_warc_files.id"))
    offset: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    captured_at: Mapped[datetime] = mapped_column(DateTime)


class ListingLink(Base):
    """A link of a listing page: an item or navigation (hop L), another page (hop N), or a
    link the crawl refused (``not_followed`` says why; ``hop`` is None when the page's
    outlinks did not name it)."""

    __tablename__ = "catalog_listing_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("catalog_listing_pages.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    hop: Mapped[str | None] = mapped_column(String(1))
    not_followed: Mapped[str | None] = mapped_column(String(64))


class FetchError(Base):
    """A fetch that failed (DNS, refused, timeout, robots): its own metadata record."""

    __tablename__ = "catalog_fetch_errors"
    __table_args__ = (
        UniqueConstraint("warc_file_id", "offset", name="uq_fetch_error_warc_offset"),
        Index("ix_fetch_error_url_hash", "url_hash", "captured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warc_file_id: Mapped[int] = mapped_column(ForeignKey("catalog_warc_files.id"))
    offset: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    seed: Mapped[str | None] = mapped_column(String(255))
    collection: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
