"""Articles by URL (issue 31, item 5), served by a real HTTP server on 127.0.0.1: never the internet.

Each test gets its own server on a free port (``site``), its own page cache folder and no proxy
settings (a proxy variable would send even loopback requests elsewhere).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise import __version__
from summarise.articles import load_articles
from summarise.articles.page_cache import page_cache_dir
from summarise.cli import app
from summarise.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[1]
HARBOUR = ROOT / "fixtures/articles/07_off_topic_harbour.txt"
STORY = str(ROOT / "stories/anti_isis.toml")
LIMIT_PROBLEM = "over the 1.0 kB limit (set SUMMARISE_MAX_ARTICLE_BYTES to raise it)"

BODY = (
    "Foreign ministers from Turkiye, Syria, Iraq and Jordan agreed on Sunday to set up a joint operations "
    "centre against the Islamic State group, officials said.\n\nThe centre will share intelligence and "
    "coordinate operations along the borders, according to a statement issued after the meeting in Amman."
)
HTML = (
    "<!DOCTYPE html><html><head><title>Centre agreed | Daily Planet</title>"
    '<meta property="og:site_name" content="Daily Planet"><script>var tracker = "do-not-leak";</script></head>'
    "<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>Centre agreed</h1>"
    + "".join(f"<p>{part}</p>" for part in BODY.split("\n\n"))
    + "</article><footer>All rights reserved</footer></body></html>"
)


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class Site:
    """What the server serves, by path (a function writing the answer), and every request it saw."""

    base: str = ""
    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", **extra) -> str:
        """Serve ``body`` at ``path`` with its length, answering 304 to a matching If-None-Match."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        def answer(handler: BaseHTTPRequestHandler) -> None:
            etag = extra.get("ETag")
            if etag and handler.headers.get("If-None-Match") == etag:
                handler.send_response(304)
                handler.send_header("ETag", etag)
                handler.end_headers()
                return
            send(handler, 200, data, {"Content-Type": content_type, "Content-Length": str(len(data)), **extra})

        self.routes[path] = answer
        return self.url(path)

    def answers(self, path: str) -> list[int]:
        return [i for i, request in enumerate(self.seen) if request.path == path]


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        site: Site = self.server.site  # type: ignore[attr-defined]
        site.seen.append(Seen(self.path, dict(self.headers.items())))
        route = site.routes.get(self.path)
        if route is None:
            send(self, 404, b"<p>secret server page</p>", {"Content-Type": "text/html"})
        else:
            route(self)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(autouse=True)
def own_cache_and_no_proxy(monkeypatch, tmp_path):
    for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    for name in ("SUMMARISE_NO_PAGE_CACHE", "SUMMARISE_FETCH_TIMEOUT", "SUMMARISE_MAX_ARTICLE_BYTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUMMARISE_PAGE_CACHE", str(tmp_path / "pages"))


@pytest.fixture
def site() -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a handler still sleeping past a test's timeout is not waited for
    server.site = Site(base=f"http://127.0.0.1:{server.server_address[1]}")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server.site  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def problems(result) -> list[str]:
    lines = [str(error) for error in result.errors]
    assert all("\n" not in line for line in lines)
    return lines


def test_an_html_page_is_the_article_an_html_file_gives_with_its_url_as_source(site, tmp_path):
    url = site.page("/world/centre", HTML)
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")

    (article,) = load_articles([url]).articles
    (from_file,) = load_articles([str(tmp_path / "page.html")]).articles

    assert article.source == url and article.url == url
    assert "joint operations centre against the Islamic State group" in article.text
    assert "do-not-leak" not in article.text and "All rights reserved" not in article.text
    assert (article.id, article.text, article.title) == (from_file.id, from_file.text, from_file.title)
    assert article.outlet == "Daily Planet"


def test_a_plain_text_page_is_read_as_a_text_file_and_its_charset_decodes_it(site, tmp_path):
    (tmp_path / "article.txt").write_text(BODY, encoding="utf-8")
    plain = site.page("/plain", BODY, "text/plain; charset=utf-8")
    latin = site.page(
        "/latin", "Le ministre a annoncé une réunion à Ankara.".encode("latin-1"), "text/plain; charset=ISO-8859-1"
    )

    page = '<html><head><meta charset="windows-1252"></head><body><article><p>Le ministre a annoncé une réunion.'
    meta = site.page("/meta", page.encode("cp1252"), "text/html")  # the charset only in the page itself
    unnamed = site.page("/unnamed", "Le ministre a annoncé".encode("latin-1"), "text/plain")

    result = load_articles([plain, latin, meta, unnamed, plain.replace("http", "HTTP", 1)])

    first, second, third = result.articles
    assert first.id == load_articles([str(tmp_path / "article.txt")]).articles[0].id and first.url == plain
    assert second.text == "Le ministre a annoncé une réunion à Ankara."
    assert third.text == "Le ministre a annoncé une réunion."
    assert problems(result) == [f"{unnamed}: not UTF-8 text: invalid byte 0xE9 at offset 20"]
    assert result.duplicates == [(plain.replace("http", "HTTP", 1), plain)]  # the scheme in any case is a URL


def test_http_errors_are_one_line_each_and_the_other_inputs_still_load(site, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    site.routes["/broken"] = lambda handler: send(handler, 500, b"Traceback: secret", {"Content-Length": "17"})
    fine = site.page("/fine", "Harbour news. The new ferry terminal opened on Monday.", "text/plain")

    result = load_articles([site.url("/gone"), str(good), site.url("/broken"), fine])

    assert problems(result) == [
        f"{site.url('/gone')}: HTTP 404 not found",
        f"{site.url('/broken')}: HTTP 500 internal server error",
    ]
    assert [article.source for article in result.articles] == [str(good), fine]


def test_a_refused_connection_an_unknown_host_and_a_bad_url_are_one_line_each(site, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/x"

    real_getaddrinfo = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):
        if host == "no-such-host.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no resolver is ever asked
    result = load_articles(
        [closed, "https://no-such-host.invalid/story", "http://127.0.0.1:port/", "ftp://127.0.0.1/a"]
    )

    assert problems(result) == [
        f"{closed}: connection refused",
        "https://no-such-host.invalid/story: host not found",
        "http://127.0.0.1:port/: not a valid URL: nonnumeric port: 'port'",
        "ftp://127.0.0.1/a: no such file (only http:// and https:// URLs are fetched)",
    ]


def test_a_page_over_the_size_limit_is_refused_whether_or_not_it_says_its_length(site):
    declared = site.page("/declared", b"x" * 2_000, "text/plain")
    undeclared = "/undeclared"
    site.routes[undeclared] = lambda handler: send(handler, 200, b"word " * 1_000, {"Content-Type": "text/plain"})
    garbled = "/garbled"
    site.routes[garbled] = lambda handler: send(handler, 200, b"word " * 1_000, {"Content-Length": "lots"})
    short = "/cut-short"  # says less than the limit, sends less than it says
    site.routes[short] = lambda handler: send(handler, 200, b"word " * 20, {"Content-Length": "900"})

    result = load_articles([declared, site.url(undeclared), site.url(garbled), site.url(short)], max_bytes=1_000)

    assert problems(result) == [
        f"{declared}: page is 2.0 kB, {LIMIT_PROBLEM}",
        f"{site.url(undeclared)}: page is {LIMIT_PROBLEM}",
        f"{site.url(garbled)}: page is {LIMIT_PROBLEM}",
        f"{site.url(short)}: connection closed before the whole page arrived",
    ]


def test_a_slow_server_times_out_after_the_configured_seconds(site, monkeypatch):
    def silent(handler):
        time.sleep(2)

    def dripping(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        try:
            for _ in range(60):
                handler.wfile.write(b"a ")
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    site.routes.update({"/silent": silent, "/dripping": dripping})
    fine = site.page("/fine", BODY, "text/plain")
    monkeypatch.setenv("SUMMARISE_FETCH_TIMEOUT", "0.3")

    started = time.monotonic()
    result = load_articles([site.url("/silent"), site.url("/dripping"), fine])

    assert problems(result) == [f"{site.url(p)}: timed out after 0.3 s" for p in ("/silent", "/dripping")]
    assert [article.source for article in result.articles] == [fine]
    assert time.monotonic() - started < 2.5
    monkeypatch.setenv("SUMMARISE_FETCH_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="SUMMARISE_FETCH_TIMEOUT must be a positive number of seconds"):
        load_articles([fine])


def test_binary_empty_and_chrome_only_pages_are_refused(site):
    image = site.page("/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
    nul = site.page("/nul", b"\x00\x01\x02binary\x00" * 50, "text/plain")
    empty = site.page("/empty", b"", "text/html")
    chrome = site.page("/chrome", "<html><head><script>var a = 1;</script></head><body><img src=a.png></body></html>")

    result = load_articles([image, nul, empty, chrome])

    assert problems(result) == [
        f"{image}: not an article: content type image/png",
        f"{nul}: binary page, not an article",
        f"{empty}: empty page",
        f"{chrome}: no article text left after removing page chrome",
    ]


def test_the_server_sees_a_user_agent_naming_summarise_and_its_version(site):
    load_articles([site.page("/ua", BODY, "text/plain")])

    (request,) = site.seen
    assert request.headers["User-Agent"] == f"summarise/{__version__} (+article reader; one request per article)"


def test_redirects_are_followed_within_http_only(site):
    final = site.page("/final", BODY, "text/plain")
    for path, target in {"/moved": "/final", "/to-file": "file:///etc/passwd", "/to-ftp": "ftp://127.0.0.1/x"}.items():
        site.routes[path] = lambda handler, target=target: send(handler, 302, b"", {"Location": target})

    result = load_articles([site.url("/moved"), site.url("/to-file"), site.url("/to-ftp")])

    (article,) = result.articles
    assert (article.source, article.url) == (site.url("/moved"), final)
    assert problems(result) == [
        f"{site.url('/to-file')}: refused a redirect to a file: URL (only http and https are fetched)",
        f"{site.url('/to-ftp')}: refused a redirect to a ftp: URL (only http and https are fetched)",
    ]


def test_a_page_fetched_again_is_asked_for_if_changed_and_a_304_serves_the_page_kept(site, tmp_path):
    url = site.page("/kept", BODY, "text/plain", ETag='"v1"', **{"Last-Modified": "Sun, 06 Feb 2025 21:48:00 GMT"})

    (first,) = load_articles([url]).articles
    site.page("/kept", "The server would send other text now.", "text/plain", ETag='"v1"')
    (again,) = load_articles([url]).articles

    before, after = site.seen
    assert "If-None-Match" not in before.headers
    assert after.headers["If-None-Match"] == '"v1"'
    assert after.headers["If-Modified-Since"] == "Sun, 06 Feb 2025 21:48:00 GMT"
    assert (again.id, again.text, again.url) == (first.id, first.text, url)  # served from the cache
    kept = tmp_path / "pages" / f"{hashlib.sha256(url.encode()).hexdigest()}.page"
    line = json.loads(kept.read_bytes().split(b"\n", 1)[0])
    assert line["etag"] == '"v1"' and line["sha256"] == hashlib.sha256(BODY.encode()).hexdigest()
    assert [path.name for path in (tmp_path / "pages").iterdir()] == [kept.name]  # no temporary file left


def test_a_changed_page_is_a_new_article(site):
    url = site.page("/changing", BODY, "text/plain", ETag='"v1"')
    (first,) = load_articles([url]).articles
    site.page("/changing", BODY + "\n\nA fifth state joined on Monday.", "text/plain", ETag='"v2"')

    (second,) = load_articles([url]).articles

    assert site.seen[1].headers["If-None-Match"] == '"v1"'
    assert second.id != first.id and "fifth state" in second.text


def test_a_site_that_cannot_answer_now_serves_the_page_kept_and_says_so(site):
    url = site.page("/down", BODY, "text/plain")
    (first,) = load_articles([url]).articles
    assert first.note is None

    def unavailable(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 503, b"<p>maintenance</p>", {"Content-Type": "text/html", "Content-Length": "18"})

    site.routes["/down"] = unavailable
    (kept,) = load_articles([url]).articles  # the page as last read, not a lost article
    assert (kept.id, kept.text) == (first.id, first.text)
    assert kept.note is not None and kept.note.startswith("HTTP 503 service unavailable: read from the page cache")

    never = site.url("/never-read")
    site.routes["/never-read"] = unavailable
    (error,) = load_articles([never]).errors  # nothing kept to serve: a failure that may pass
    assert error.transient and str(error) == f"{never}: HTTP 503 service unavailable"

    site.routes.pop("/down")  # gone for good (404): an error, not the page kept
    (gone,) = load_articles([url]).errors
    assert not gone.transient and gone.problem == "HTTP 404 not found"


@pytest.mark.parametrize("damage", [b"not json at all", b'{"url": "elsewhere"}\nbody', "cut"])
def test_a_damaged_cache_entry_is_ignored_and_the_page_fetched_again(site, tmp_path, damage):
    url = site.page("/damaged", BODY, "text/plain", ETag='"v1"')
    (first,) = load_articles([url]).articles
    (kept,) = (tmp_path / "pages").iterdir()
    kept.write_bytes(kept.read_bytes()[:-10] if damage == "cut" else damage)

    result = load_articles([url])

    assert result.errors == [] and result.articles[0].id == first.id
    assert "If-None-Match" not in site.seen[1].headers  # nothing usable was kept: an ordinary request


def test_the_cache_folder_comes_from_the_environment_and_can_be_turned_off(site, tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARISE_PAGE_CACHE", str(tmp_path / "elsewhere"))
    url = site.page("/page", BODY, "text/plain", ETag='"v1"')
    load_articles([url])
    assert (tmp_path / "elsewhere" / f"{hashlib.sha256(url.encode()).hexdigest()}.page").is_file()

    monkeypatch.setenv("SUMMARISE_NO_PAGE_CACHE", "1")
    monkeypatch.setenv("SUMMARISE_PAGE_CACHE", str(tmp_path / "unused"))
    load_articles([url])
    load_articles([url])
    assert page_cache_dir() is None and not (tmp_path / "unused").exists()
    assert ["If-None-Match" in request.headers for request in site.seen] == [False, False, False]

    monkeypatch.delenv("SUMMARISE_NO_PAGE_CACHE")
    monkeypatch.delenv("SUMMARISE_PAGE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert page_cache_dir() == tmp_path / "xdg" / "summarise" / "pages"  # the user's cache folder


def test_extract_takes_a_url_as_it_takes_a_file(site, tmp_path):
    url = site.page("/harbour.txt", HARBOUR.read_bytes(), "text/plain; charset=utf-8")
    replay = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm"), "--story", STORY]

    result = CliRunner().invoke(app, ["extract", *replay, "-f", "json", url, str(tmp_path / "missing.txt")])

    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "missing.txt: no such file" in errors[0]
    brief = json.loads(result.stdout)
    assert brief["article"]["source"] == url and brief["on_topic"] is False
    assert brief["article"]["id"] == load_articles([str(HARBOUR)]).articles[0].id
