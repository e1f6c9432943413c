"""Issue 3 end to end: incremental, polite fetching and source health through the real flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.manifest import load_manifest
from demo.newsite import NewsSite
from demo.receiver import WebhookReceiver
from tasks.urls import url_key
from tests.flows.conftest import query_rows as _rows
from tests.flows.conftest import run_flow

MANIFEST = load_manifest()


def _sources(site: NewsSite, tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(site.render_sources_toml() + extra, encoding="utf-8")
    return path


def test_second_run_over_unchanged_sources_downloads_no_body(
    site: NewsSite, local_env: None, tmp_path: Path
) -> None:
    sources, db = _sources(site, tmp_path), tmp_path / "n.duckdb"
    assert run_flow(sources, db).is_completed()
    site.clear_requests()
    state = run_flow(sources, db)
    assert state.is_completed()
    assert state.result().pages_fetched == 0
    second = _rows(
        db,
        "SELECT bool_and(not_modified), sum(bytes), count(*) FROM fetch_log "
        # the second run: run ids start with the second they began, so two runs in one second
        # do not sort by id
        "WHERE run_id = (SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)",
    )
    assert second == [(True, 0, 3)]  # three feeds, each a 304 with no body
    fetched = {r.path for r in site.request_log} - {"/robots.txt"}
    assert all(path.startswith("/feeds/") for path in fetched), fetched


def test_failed_page_is_retried_while_its_feed_is_unchanged(
    site: NewsSite, local_env: None, tmp_path: Path
) -> None:
    page = MANIFEST.page("ko-airan-jeonja")
    site.set_fault(page.path, "status", status=500)
    sources, db = _sources(site, tmp_path), tmp_path / "r.duckdb"
    run_flow(sources, db)
    key = url_key(site.url(page.feed_link))
    assert _rows(db, f"SELECT count(*) FROM articles WHERE url_key = '{key}'") == [(0,)]
    site.clear_faults()
    state = run_flow(sources, db)
    assert state.result().pages_fetched == 1
    assert _rows(db, f"SELECT count(*) FROM articles WHERE url_key = '{key}'") == [(1,)]
    feeds = _rows(db, "SELECT count(*) FROM fetch_log WHERE purpose = 'feed' AND not_modified")
    assert feeds == [(3,)]


def test_unhealthy_and_recovered_alerts_once_per_episode(
    site: NewsSite,
    receiver: WebhookReceiver,
    local_env: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("NEWSMON_UNHEALTHY_AFTER_FAILURES", "2")
    sources, db = _sources(site, tmp_path), tmp_path / "h.duckdb"
    assert run_flow(sources, db).is_completed()
    baseline = len(receiver.messages)
    site.set_fault("/feeds/en.atom", "status", status=500)
    for _ in range(3):
        assert run_flow(sources, db).is_completed()
    site.clear_faults()
    assert run_flow(sources, db).is_completed()
    assert run_flow(sources, db).is_completed()
    rules = _rows(
        db,
        "SELECT rule, entity_id, status FROM alerts WHERE rule LIKE 'source_%' ORDER BY created_at",
    )
    assert rules == [
        ("source_unhealthy", "source:demo-en", "sent"),
        ("source_recovered", "source:demo-en", "sent"),
    ]
    titles = [str(m.get("title")) for m in receiver.messages[baseline:]]
    assert titles == ["Source demo-en is failing", "Source demo-en recovered"]
    status = _rows(
        db,
        "SELECT consecutive_failures, unhealthy_since FROM source_status "
        "WHERE source_name = 'demo-en'",
    )
    assert status == [(0, None)]


def test_every_source_kind_through_the_flow(
    site: NewsSite, local_env: None, tmp_path: Path
) -> None:
    ko = MANIFEST.pages_in_feed("ko")
    en = MANIFEST.pages_in_feed("en")
    link = site.url
    rdf = (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="x"><title>rdf</title><link>/</link></channel>'
        f'<item rdf:about="{link(ko[0].path)}"><title>a</title><link>{link(ko[0].path)}</link>'
        "<dc:date>2026-11-20T10:00:00+09:00</dc:date></item></rdf:RDF>"
    )
    json_feed = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": '
        f'[{{"id": "1", "url": "{link(ko[3].path)}", "title": "t", '
        '"date_published": "2026-11-20T10:00:00Z"}]}'
    )
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{link('/news-sitemap.xml')}</loc></sitemap></sitemapindex>"
    )
    news = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{link(ko[1].path)}</loc><news:news><news:title>n</news:title>"
        "<news:publication_date>2026-11-20T10:00:00+09:00</news:publication_date>"
        "</news:news></url></urlset>"
    )
    listing = f'<html><body><a href="{ko[2].path}">x</a><a href="/about">about</a></body></html>'
    home = "<html><head><title>home</title></head><body>no feed link here</body></html>"
    site.add_page("/k/rdf.xml", rdf.encode(), "application/rdf+xml")
    site.add_page("/k/feed.json", json_feed.encode(), "application/feed+json")
    site.add_page("/k/sitemap-index.xml", index.encode(), "application/xml")
    site.add_page("/news-sitemap.xml", news.encode(), "application/xml")
    site.add_page("/k/list", listing.encode(), "text/html; charset=utf-8")
    site.add_page("/home/", home.encode(), "text/html; charset=utf-8")
    site.add_page("/rss/allArticle.xml", site.content("/feeds/en.atom"), "application/atom+xml")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "\n".join(
            f'[[sources]]\nname = "{name}"\nurl = "{link(path)}"\nkind = "{kind}"\nlang = "ko"\n'
            + (f'link_pattern = "{pattern}"\n' if pattern else "")
            for name, path, kind, pattern in [
                ("rdf", "/k/rdf.xml", "rss", None),
                ("json", "/k/feed.json", "auto", None),
                ("sitemap", "/k/sitemap-index.xml", "auto", None),
                ("listing", "/k/list", "page", r"^/(?!about)"),
                ("home", "/home/", "auto", None),
            ]
        ),
        encoding="utf-8",
    )
    db = tmp_path / "kinds.duckdb"
    state = run_flow(sources, db)
    assert state.is_completed(), state.message
    stored = dict(_rows(db, "SELECT source_name, count(*) FROM articles GROUP BY 1"))
    assert stored["rdf"] == 1 and stored["sitemap"] == 1 and stored["listing"] == 1
    assert stored["json"] == 1
    assert stored["home"] == len(en)  # the Atom feed found at /rss/allArticle.xml


def test_each_page_fault_is_logged_and_the_rest_are_stored(
    site: NewsSite, local_env: None, tmp_path: Path
) -> None:
    ko, en = MANIFEST.pages_in_feed("ko"), MANIFEST.pages_in_feed("en")
    faults = {
        ko[0]: (("status", {"status": 429, "retry_after": 0}), "http_4xx", 429),
        ko[1]: (("status", {"status": 410}), "http_4xx", 410),
        ko[3]: (("reset", {}), "connect", None),
        en[0]: (("redirect", {"to": en[0].path}), "http_4xx", 302),
        en[1]: (("large", {"size": 50_000_000, "declare_length": False}), "too_large", 200),
        en[2]: (("large", {"size": 50_000_000, "gzip": True}), "too_large", 200),
    }
    for page, ((kind, opts), _, _) in faults.items():
        site.set_fault(page.path, kind, **opts)  # type: ignore[arg-type]
    blocked = ko[4]
    site.add_page("/robots.txt", f"User-agent: *\nDisallow: {blocked.path}\n", "text/plain")
    sources, db = _sources(site, tmp_path), tmp_path / "faults.duckdb"
    state = run_flow(sources, db)
    assert state.is_completed(), state.message
    logged = {
        r[0]: (r[1], r[2])
        for r in _rows(
            db, "SELECT url, error, http_status FROM fetch_log WHERE purpose = 'article'"
        )
    }
    for page, (_, error, status) in faults.items():
        assert logged[site.url(page.feed_link)] == (error, status), page.id
    assert logged[site.url(blocked.feed_link)] == ("robots", None)
    stored = {r[0] for r in _rows(db, "SELECT url_key FROM articles")}
    failing = {*faults, blocked}
    expected = {url_key(site.url(p.feed_link)) for p in MANIFEST.pages if p not in failing}
    assert stored == expected
