"""A phone's first visit, in Chromium at 360×740: the service worker installs from what the page
has just loaded (nothing comes over the network twice), and its static cache is keyed by the
versioned URL, so a new page never gets an old file (issue 16, items 8 and 9). The budget in bytes
is measured by `make bench` (bench/page_weight.py), not here."""

from collections import Counter
from urllib.parse import urlsplit

from tests.browser import NetworkLog
from tests.test_phone_layout import browser_page  # noqa: F401

ACTIVATED = (
    "() => navigator.serviceWorker.getRegistration()"
    ".then(r => !!(r && r.active && r.active.state === 'activated'))"
)
STATIC_KEYS = (
    "() => caches.keys()"
    ".then(names => caches.open(names.find(n => n.startsWith('waymark-static-'))))"
    ".then(cache => cache.keys()).then(keys => keys.map(k => new URL(k.url)))"
    ".then(urls => urls.map(u => u.pathname + u.search))"
)


def open_cold(browser_page):  # noqa: F811
    page = browser_page.page
    log = NetworkLog(page.context, page)
    page.goto("/login")
    page.wait_for_function(ACTIVATED)
    page.wait_for_load_state("networkidle")
    return page, log


def test_a_first_visit_fetches_nothing_twice(browser_page):  # noqa: F811
    page, log = open_cold(browser_page)
    fetched = [(entry["target"], urlsplit(entry["url"])) for entry in log.fetched()]
    # The same file with and without `?v=` counts as twice: paths are compared, not URLs.
    twice = {path: n for path, n in Counter(url.path for _, url in fetched).items() if n > 1}
    assert not twice, (twice, fetched)
    # The worker did install from them: the page's scripts and stylesheet are in its cache, by the
    # very URLs the page used, and the worker fetched no static file itself.
    page_files = {
        urlsplit(entry["url"]).path + "?" + urlsplit(entry["url"]).query
        for entry in log.fetched()
        if entry["target"] == "page" and entry["type"] in ("Script", "Stylesheet")
    }
    assert len(page_files) == 5 and page_files <= set(page.evaluate(STATIC_KEYS))
    assert not [url for target, url in fetched if target != "page" and "/static/" in url.path]
    assert not browser_page.problems


def test_a_new_page_never_gets_an_old_file_but_offline_any_kept_one_stands_in(
    browser_page,  # noqa: F811
):
    page, _ = open_cold(browser_page)
    css = page.evaluate(
        "() => new URL(document.querySelector('link[rel=stylesheet]').href).pathname"
        " + new URL(document.querySelector('link[rel=stylesheet]').href).search"
    )
    assert "?v=" in css
    # The cache holds only an older app.css, as after a deploy the worker has not caught up with.
    page.evaluate(
        """async (css) => {
          const name = (await caches.keys()).find(n => n.startsWith('waymark-static-'));
          const cache = await caches.open(name);
          await cache.delete(css);
          await cache.put('/static/css/app.css?v=000000000000',
                          new Response('/* old */', {headers: {'Content-Type': 'text/css'}}));
        }""",
        css,
    )
    fetch_css = "(css) => fetch(css, {cache: 'no-store'}).then(r => r.text())"
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    page.context.set_offline(True)
    try:
        assert page.evaluate(fetch_css, css) == "/* old */"  # offline: the page is still styled
    finally:
        page.context.set_offline(False)
    current = page.evaluate(fetch_css, css)  # online: the file the page names, kept from now on
    assert "/* old */" not in current and "Waymark" in current
    assert css in page.evaluate(STATIC_KEYS)
