"""Signals of our own, beside Scrapy's."""

# Sent by the spider when it has handled a request completely: its response was parsed and
# every request it led to was scheduled (or its failure was handled). The frontier journal
# forgets the request only then, so a kill at any moment loses no URL.
request_done = object()
