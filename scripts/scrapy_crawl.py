"""Reference crawl with Scrapy: what a user would otherwise pick for a polite news crawl.

Crawls the seeds of a local trawl-testsite (home pages, sitemaps, feeds) with a CrawlSpider and
writes one JSON line per page that has an <article> element: url, canonical, title, paragraphs.

    pip install scrapy
    trawl-testsite --hosts 20 --articles-per-host 50 --seeds-out /tmp/seeds.txt &
    scrapy runspider scripts/scrapy_crawl.py -a seeds=/tmp/seeds.txt -O /tmp/scrapy.jsonl \
        [-a delay=0] [-a depth=5] [-a concurrency=16]

Settings: ROBOTSTXT_OBEY=True (Scrapy does not honour Crawl-delay, so DOWNLOAD_DELAY comes from
the `delay` argument), AUTOTHROTTLE off, CONCURRENT_REQUESTS_PER_DOMAIN=1 (politeness per host),
CONCURRENT_REQUESTS from `concurrency` (Scrapy's default 16), DEPTH_LIMIT from `depth` (bounds the
endless calendar), allowed_domains from the seeds. Sitemaps and RSS feeds among the seeds are
followed by reading their <loc>/<link> elements (CrawlSpider's LinkExtractor reads HTML only).
At the end a line `scrapy-summary: ...` gives responses, items, seconds, pages/s and articles/s.
"""

import time
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


def _read_seeds(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


class TestSiteSpider(CrawlSpider):
    name = "trawl_testsite_reference"

    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "USER_AGENT": "scrapy-reference (+trawl benchmarks)",
        "FEED_EXPORT_ENCODING": "utf-8",
    }

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        # Scrapy >= 2.11 lets a spider change settings here, before they are frozen.
        s = crawler.settings
        s.set("DOWNLOAD_DELAY", float(kwargs.get("delay", 0)), priority="spider")
        s.set("DEPTH_LIMIT", int(kwargs.get("depth", 5)), priority="spider")
        s.set("CONCURRENT_REQUESTS", int(kwargs.get("concurrency", 16)), priority="spider")
        return super().from_crawler(crawler, *args, **kwargs)

    def __init__(self, seeds=None, *args, **kwargs):
        if not seeds:
            raise ValueError("pass -a seeds=FILE (one URL per line)")
        self.start_urls = _read_seeds(seeds)
        self.allowed_domains = sorted({urlsplit(u).hostname for u in self.start_urls if urlsplit(u).hostname})
        self.rules = (
            # No allow_domains here: LinkExtractor compares it with host:port; the offsite middleware
            # filters by allowed_domains (hostname only).
            Rule(LinkExtractor(), callback="parse_page", follow=True),
        )
        super().__init__(*args, **kwargs)
        self.t0 = time.monotonic()

    def parse_start_url(self, response, **kwargs):
        if isinstance(response, HtmlResponse):
            yield from self.parse_page(response)
            return
        # A sitemap (index or urlset) or an RSS/Atom feed: follow the URLs it lists.
        response.selector.remove_namespaces()
        for url in response.xpath("//loc/text() | //item/link/text() | //entry/link/@href").getall():
            url = url.strip()
            if url:
                yield scrapy.Request(url)

    def parse_page(self, response):
        if not isinstance(response, HtmlResponse) or not response.xpath("//article"):
            return
        article = response.xpath("(//article)[1]")
        title = " ".join(article.xpath(".//h1//text()").getall()).strip()
        paragraphs = [
            " ".join(p.xpath(".//text()").getall()).strip()
            for p in article.xpath(".//p[not(ancestor::aside) and not(ancestor::header) and not(ancestor::section)]")
        ]
        yield {
            "url": response.url,
            "canonical": response.xpath("//link[@rel='canonical']/@href").get(),
            "title": title,
            "paragraphs": [p for p in paragraphs if p],
        }

    def closed(self, reason):
        stats = self.crawler.stats
        secs = max(time.monotonic() - self.t0, 1e-9)
        responses = stats.get_value("downloader/response_count", 0)
        items = stats.get_value("item_scraped_count", 0)
        print(
            f"scrapy-summary: reason={reason} responses={responses} items={items} "
            f"seconds={secs:.2f} pages_per_s={responses / secs:.1f} articles_per_s={items / secs:.1f}",
            flush=True,
        )
