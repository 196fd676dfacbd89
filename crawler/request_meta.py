"""Keys of request meta that the crawl's components share."""

# the id of the seed a request is made for; a robots.txt request gets the seed whose
# request made Scrapy fetch it (crawler/policy.py)
SEED_ID = "seed_id"
# a robots.txt request: fetched for its host whatever the seed budgets say
ROBOTS_TXT = "robots_txt"
