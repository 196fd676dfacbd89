"""Crawl jobs: queued by the console or the scheduler, run by worker processes."""
