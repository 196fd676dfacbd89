"""Names in and of our WARC files: file suffixes and the fields of the warcinfo record.

The crawler writes these, storage lists files by them, the catalogue and the WACZ export
read them back.
"""

from __future__ import annotations

WARC_GZ = ".warc.gz"  # what we write: one gzip member per record
WARC_SUFFIXES = (WARC_GZ, ".warc")  # what we read (Heritrix's and wget's files too)
OPEN_SUFFIX = ".open"  # appended while a file is being written; removed when it is closed

# Fields of the warcinfo record that starts each of our WARC files ("key: value" lines).
INFO_COLLECTION = "collection"
INFO_JURISDICTION = "jurisdiction"
INFO_ROBOTS = "robots"
INFO_SEED = "seed"  # the seed's id
INFO_SEED_URL = "seed-url"
INFO_SEED_TITLE = "seed-title"

# Fields of the metadata record concurrent to each captured page ("key: value" lines,
# application/warc-fields), and of the metadata record of a fetch that failed.
META_SEED = "seed"
META_VIA = "via"
META_OUTLINK = "outlink"  # "URL HOP CONTEXT"
META_LISTING = "listing"  # the listing key, on the record of every listing page
META_NOT_FOLLOWED = "not-followed"  # "URL REASON": a link the crawl policy refused
META_FETCH_ERROR = "fetch-error"  # "TOKEN message": why the fetch of the record's URL failed
META_HOPS = "hopsFromSeed"
# The first word of a fetch-error field: what kind of failure it was
FETCH_REFUSED_ADDRESS = "refused-address"  # the network guard refused the address
FETCH_DNS = "dns"
FETCH_TIMEOUT = "timeout"
FETCH_CONNECTION_REFUSED = "connection-refused"
FETCH_CONNECTION_LOST = "connection-lost"
FETCH_CONNECT = "connect"
FETCH_ROBOTS = "robots"
# Hop letters of hopsFromSeed and outlink (Heritrix's): L = navigational link, E = embedded
# requisite, R = redirect; and N = the next (or any other) page of the same listing, which
# costs no link depth.
LINK, EMBED, REDIRECT, PAGE = "L", "E", "R", "N"
