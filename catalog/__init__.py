"""The catalogue: capture records and government-information records built from WARC files.

Layers, each replaceable: ``warc_source`` (find and open WARC files) → ``ingest`` (read
records with warcio) → ``extract`` (fields from an archived page) → ``dedup`` (查重) →
``models``/``db`` (SQLAlchemy) → ``dublin_core``/``oai`` (harvesting), ``report``, ``export``.
"""
