"""Automatic QA's replay side: a captured page replayed through pywb in headless Chromium
(``replayer``) and compared with what was seen at capture time (``compare``, ``text``).
The runs that pick the pages and keep their scores are review's (``diancang.review.qa_runs``)."""
