"""WARC writing: record building, rotating files, payload deduplication."""
