"""Every patch of a library's private internals, one module per patched library.

Names private to Scrapy, Twisted, scrapy-playwright, cdxj-indexer and py-wacz appear only
here. Each module checks, when it is imported (that is, when the crawl, the replay index or
the WACZ export that needs it starts), that the thing it patches still has the shape it was
written against; a mismatch raises :class:`UpstreamChanged` naming the library, its
installed version and the patch to revisit. The upstream bug behind each patch, how to
reproduce it and the fix proposed, are in docs/upstream.md; tests/upstream/ shows that each
bug still exists, and fails with "remove the patch" once an upgrade fixes it.
"""
