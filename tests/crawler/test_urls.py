from diancang.crawler.urls import TrapGuard, clean_url


def test_session_ids_are_removed_from_path_and_query():
    assert clean_url("http://H/a/b.html;jsessionid=ABC123?x=1") == "http://h/a/b.html?x=1"
    assert clean_url("http://h/s.html?sid=9f8e&page=2&PHPSESSID=1") == "http://h/s.html?page=2"


def test_removing_a_session_id_leaves_the_rest_of_the_query_as_linked():
    # the captured URL is the linked one less its session id: nothing re-encoded or reordered
    assert clean_url("http://h/s?q=a%20b&sid=1&t=%E6%94%BF+x&d=1&d=2") == (
        "http://h/s?q=a%20b&t=%E6%94%BF+x&d=1&d=2"
    )
    assert clean_url("http://h/s?q=a%20b&x=") == "http://h/s?q=a%20b&x="  # no session id


def test_fragments_dropped_and_non_http_refused():
    assert clean_url("http://h/p.html#top") == "http://h/p.html"
    assert clean_url("ftp://h/file") is None
    assert clean_url("http:///nohost") is None


def test_query_variants_per_path_are_bounded():
    guard = TrapGuard(query_variants_per_path=3, max_url_length=2048)
    verdicts = [
        guard.reason_to_refuse(f"http://h/calendar/?month=2024-{m:02d}") for m in (1, 2, 3, 4)
    ]
    assert verdicts == [None, None, None, "query-variants"]
    assert guard.reason_to_refuse("http://h/other/?month=1") is None


def test_repeated_segments_and_long_urls_are_refused():
    guard = TrapGuard(query_variants_per_path=50, max_url_length=60)
    assert guard.reason_to_refuse("http://h/a/a/a/a/x.html") == "repeated-path-segments"
    assert guard.reason_to_refuse("http://h/" + "x" * 80) == "url-too-long"
    assert guard.reason_to_refuse("http://h/a/b/a/x.html") is None


def test_a_query_url_followed_for_two_collections_counts_once():
    guard = TrapGuard(query_variants_per_path=2, max_url_length=2048)
    for url in ("http://h/s?q=1", "http://h/s?q=1", "http://h/s?q=2", "http://h/s?q=2"):
        assert guard.reason_to_refuse(url) is None, url
    assert guard.reason_to_refuse("http://h/s?q=3") == "query-variants"
