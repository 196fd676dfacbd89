"""Browser capture: Debian's Chromium through scrapy-playwright, every exchange to WARC."""
