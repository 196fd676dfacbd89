"""Automatic QA: each captured HTML page replayed through pywb in headless Chromium and
compared with what was seen at capture time (see ``run`` for the entry points)."""
