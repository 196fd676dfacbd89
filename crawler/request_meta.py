"""Keys of request meta that the crawl's components share."""

# the id of the seed a request is made for; a robots.txt request gets the seed whose
# request made Scrapy fetch it (crawler/policy.py)
SEED_ID = "seed_id"
# a robots.txt request: fetched for its host whatever the seed budgets say
ROBOTS_TXT = "robots_txt"
# the key of the listing a request is a page of (its seed's first page, a page reached by
# pagination, or a page of a declared listing); absent on every other request
LISTING = "listing"
# the stored capture a conditional request asks about (crawler/conditional.py); set for one
# attempt only, so it is not journaled (crawler/frontier.py TRANSIENT_META)
CONDITIONAL = "_conditional"
# the page number of a request that is a page of its seed's declared listing
# (crawler/declared_listings.py); the declaration names and bounds these pages, so scope,
# link depth and the trap guard do not refuse them
LISTING_PAGE = "listing_page"
# the request meta a shared frontier entry keeps (crawler/request_json.py): Diancang's own
# keys and the Scrapy ones a redirect or retry carries on; JSON values only. Everything else
# is set for one attempt.
FRONTIER_META = (
    SEED_ID,
    ROBOTS_TXT,
    LISTING,
    LISTING_PAGE,
    "hops",
    "link_depth",
    "via",
    "browser",
    "dont_obey_robotstxt",
    "redirect_urls",
    "redirect_reasons",
    "redirect_times",
    "retry_times",
    "depth",
)
# a request's id in the frontier (journal row or shared-frontier entry)
FRONTIER_ID = "frontier_id"
