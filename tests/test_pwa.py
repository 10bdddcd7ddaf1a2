"""The PWA's own files, and the headers every page carries."""

import gzip
import json
import re
from pathlib import Path

import brotli
import pytest

from webapp.models import Role


def test_service_worker_is_served_for_the_whole_site_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "addEventListener" in response.get_data(as_text=True)


def test_manifest_is_installable_with_shortcuts_and_its_icons_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]
    # Its identity, the field forms from the home-screen icon, the page's colour on opening.
    assert manifest["id"] == manifest["start_url"] == "/"
    shortcuts = {shortcut["name"]: shortcut for shortcut in manifest["shortcuts"]}
    assert {name: shortcut["url"] for name, shortcut in shortcuts.items()} == {
        "New intake": "/clients/new",
        "Log contact": "/forms/contact",
    }
    for shortcut in shortcuts.values():
        assert any(icon["sizes"] == "96x96" for icon in shortcut["icons"]), shortcut
        for icon in shortcut["icons"]:
            response = client.get(icon["src"])
            assert response.status_code == 200 and response.mimetype == icon["type"], icon
    # The splash screen is the page's own background, read from the stylesheet.
    css = (Path(client.application.static_folder) / "css" / "app.css").read_text()
    body = re.search(r"^body \{(.*?)\}", css, re.S | re.M).group(1)
    variable = re.search(r"background: var\((--[\w-]+)\)", body).group(1)
    colour = re.search(rf"{variable}: (#[0-9a-f]{{6}});", css).group(1)
    assert manifest["background_color"] == colour


def test_offline_page_is_public(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "You are offline" in response.get_data(as_text=True)


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"


def test_every_page_carries_a_strict_csp_and_is_not_cached(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user(email="sam@agency.test")
    response = client.post(
        "/login", data={"email": "sam@agency.test", "password": "correct horse battery staple"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def pages(as_user, make_user, make_program, make_case):
    program = make_program()
    worker = make_user(Role.ADMIN, [program])
    case = make_case(program, worker, follow_up_in_days=0)
    client = as_user(worker)
    urls = [
        "/",
        f"/cases/{case.id}",
        f"/clients/{case.client.display_id}",
        "/admin/programs",
        "/admin/programs/new",
        "/offline",
        "/no-such-page",
    ]
    return [(url, client.get(url).get_data(as_text=True)) for url in urls] + [
        ("/login", client.get("/login", follow_redirects=True).get_data(as_text=True))
    ]


def test_pages_have_no_inline_script_style_or_handlers(pages):
    for url, page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert not re.search(r"\son[a-z]+\s*=", page), url
        assert not re.search(r"\sstyle\s*=", page), url
        assert not re.search(r"https?://", page.replace("http://www.w3.org", "")), (
            url
        )  # nothing third-party


def test_pages_configure_htmx_safely_and_keep_no_history_snapshot(pages):
    for url, page in pages:
        config = json.loads(
            re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page).group(1)
        )
        assert config["allowEval"] is False and config["selfRequestsOnly"] is True, url
        assert config["historyCacheSize"] == 0 and config["includeIndicatorStyles"] is False, url
        assert 'hx-history="false"' in page, url
        assert re.search(
            r'<script src="/static/vendor/htmx-2\.0\.11\.min\.js\?v=[0-9a-f]{12}" defer></script>',
            page,
        ), url


def test_the_vendored_htmx_is_the_pinned_2_0_release(app):
    from pathlib import Path

    text = (Path(app.static_folder) / "vendor" / "htmx-2.0.11.min.js").read_text()
    assert 'version:"2.0.11"' in text.replace(" ", "")


def test_session_cookies_are_secure_over_https(client, make_user):
    make_user(email="sam@agency.test")
    data = {"email": "sam@agency.test", "password": "correct horse battery staple"}
    assert "Secure" not in client.post("/login", data=data).headers["Set-Cookie"]
    secure = client.post("/login", data=data, base_url="https://waymark.example")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://waymark.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_error_pages_and_fragments_are_not_stored_either(as_user, make_user):
    client = as_user(make_user())
    for response in (
        client.get("/no-such-page"),
        client.get("/no-such-page", headers={"HX-Request": "true"}),
        client.get("/clients?q=x", headers={"HX-Request": "true"}),
    ):
        assert response.headers["Cache-Control"] == "no-store"


def test_static_files_have_versioned_urls_cached_for_a_year_and_compressed(app, client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert (
        "max-age=31536000" in response.headers["Cache-Control"]
        and "immutable" in response.headers["Cache-Control"]
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert (
        gzip.decompress(response.get_data())
        == (Path(app.static_folder) / "css" / "app.css").read_bytes()
    )
    # An old or missing version is not cached for long: it may not be this content.
    stale = client.get("/static/css/app.css?v=000000000000")
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")
    html = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert html.headers["Content-Encoding"] == "br" and "no-store" in html.headers["Cache-Control"]


def test_static_files_are_sent_at_brotlis_best_compressed_once(app, client):
    """The files every page loads go out at Brotli's best (smaller than Flask-Compress's quick
    per-response setting), the same bytes each time; gzip for a browser without Brotli, the file
    as it is for one that takes neither; the ETag names the encoded bytes and revalidates."""
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'src="(/static/vendor/htmx-[0-9.]+\.min\.js\?v=[0-9a-f]{12})"', page).group(1)
    original = (Path(app.static_folder) / url.split("?")[0].removeprefix("/static/")).read_bytes()
    first = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    again = client.get(url, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br" and "Accept-Encoding" in first.headers["Vary"]
    assert brotli.decompress(first.get_data()) == original
    assert first.get_data() == again.get_data()
    assert len(first.get_data()) <= len(brotli.compress(original, quality=11))
    assert len(first.get_data()) < len(brotli.compress(original, quality=4))
    assert int(first.headers["Content-Length"]) == len(first.get_data())
    revalidated = client.get(
        url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == original
    assert client.head(url, headers={"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"
    assert (
        client.get("/static/js/nothing-here.js", headers={"Accept-Encoding": "br"}).status_code
        == 404
    )


def test_the_service_worker_version_follows_the_static_files(app, client, tmp_path):
    first = client.get("/sw.js").get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]{12})-', first).group(1)
    css = Path(app.static_folder) / "css" / "app.css"
    original = css.read_bytes()
    try:
        css.write_bytes(original + b"\n/* changed */\n")
        changed = client.get("/sw.js").get_data(as_text=True)
    finally:
        css.write_bytes(original)
    assert re.search(r'var VERSION = "([0-9a-f]{12})-', changed).group(1) != version
    assert (
        client.get(
            "/sw.js", headers={"If-None-Match": client.get("/sw.js").headers["ETag"]}
        ).status_code
        == 304
    )


def test_static_files_neither_set_nor_vary_on_the_session_cookie(client, make_user):
    """A changed cookie would otherwise make the browser ask again for files it has (issue 16)."""
    make_user(email="sam@agency.test")
    client.post(
        "/login", data={"email": "sam@agency.test", "password": "correct horse battery staple"}
    )
    page = client.get("/").get_data(as_text=True)
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
    assert "Cookie" in client.get("/").headers["Vary"]  # pages still do


def test_the_service_worker_names_the_versioned_static_urls_the_pages_load(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    named = re.findall(r'"(/static/[^"]+)"', worker)
    assert named and all(re.search(r"\?v=[0-9a-f]{12}$", url) for url in named), named
    assert re.search(r'importScripts\("/static/js/outbox-core\.js\?v=[0-9a-f]{12}"\)', worker)
    page = client.get("/login").get_data(as_text=True)
    loaded = set(re.findall(r'(?:href|src)="(/static/(?:css|js|vendor)/[^"]+)"', page))
    assert loaded and loaded <= set(named)
    assert "ignoreSearch: true }).then(function (kept)" in worker  # only as the offline stand-in
