"""The Scrapy project: spiders, scope and politeness, WARC writing with warcio."""
