"""Signals of our own, beside Scrapy's."""

# Sent when a request is handled completely: its response was parsed and every request it
# led to was scheduled, or its failure was handled (see crawler.items.RequestHandled). The
# frontier journal forgets the request only then.
request_done = object()
