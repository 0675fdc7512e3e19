import datetime
import hashlib
import io
import json
import re
from pathlib import Path

import pytest

from summarise.articles import (
    Article,
    article_from_text,
    clean_text,
    load_articles,
    parse_front_matter,
    parse_published,
    reading,
)
from summarise.exceptions import InputError

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

BODY = (
    "Foreign ministers from Turkiye, Syria, Iraq and Jordan agreed on Sunday to set up a "
    "joint operations centre against the Islamic State group, officials said.\n\n"
    "The centre will share intelligence and coordinate operations along the borders, "
    "according to a statement issued after the meeting in Amman."
)
OTHER_BODY = (
    "US Central Command said a joint raid with Syrian forces destroyed more than fifteen "
    "weapons depots in the south of the country.\n\n"
    "The operation was the first since Damascus joined the international coalition."
)


def seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed article {name} is not available")
    return path.read_text(encoding="utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


def write(directory: Path, name: str, content: str | bytes) -> str:
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def only_error(result, source: str) -> InputError:
    assert len(result.errors) == 1, [str(error) for error in result.errors]
    error = result.errors[0]
    assert error.source == source
    assert str(error).startswith(f"{source}: ")
    assert "\n" not in str(error)
    return error


# --- clean_text on the seed pages -------------------------------------------------------


def test_seed_page_keeps_headline_body_and_quotes():
    cleaned = clean_text(seed("001_fa3c50b8fc8a6b36.txt"))

    assert cleaned.startswith("Turkiye's Fidan announces plan to form regional anti-ISIS coalition\n\n")
    assert cleaned.endswith("though he did not explicitly mention Turkiye.")
    for phrase in (
        "Turkiye has reportedly held discussions with Jordan",
        "“There will soon be a meeting hosted by Jordan",
        "“We hope that the right decision will be made.",
        "He further noted that Syria’s interim President",
        "The US imposed these sanctions in 2019",
        "Syria’s Defense Minister Murhaf Abu Qasra",
    ):
        assert phrase in cleaned
    assert "\n\n“We hope that the right decision" in cleaned


@pytest.mark.parametrize(
    "chrome",
    [
        pytest.param(
            ["• News", "• Politics", "Arts&Culture", "Infographs", "In Pictures"],
            id="navigation",
        ),
        pytest.param(
            ["BREAKING", "AFP: France", "Israeli media:", "Local sources in Aleppo"],
            id="ticker",
        ),
        pytest.param(["By Al Mayadeen English", "Source: Agencies", "21:48"], id="byline"),
        pytest.param(["Listen", "4 Min Read"], id="reading-aids"),
        pytest.param(["Tuesday, Feb. 4, 2025 (AP)", "speaks to the media before"], id="caption"),
        pytest.param(["Related News", "Syrian National Bloc slams", "Tom Barrack"], id="related"),
        pytest.param(["• Hakan Fidan", "• Donald Trump", "• Jordan"], id="tags"),
        pytest.param(
            ["Most Read", "Hamas", "Tucker Carlson", "Iraq at a crossroads"],
            id="most-read",
        ),
        pytest.param(["Coverage", "War on Gaza"], id="coverage"),
        pytest.param(["Read Next", "Melenchon", "Kim Jong Un", "UNRWA"], id="read-next"),
        pytest.param(
            [
                "All Rights Reserved",
                "Privacy Policy",
                "Android",
                "iOS",
                "Satellite Channel",
            ],
            id="footer",
        ),
    ],
)
def test_seed_page_chrome_is_removed(chrome):
    cleaned = clean_text(seed("001_fa3c50b8fc8a6b36.txt"))

    for phrase in chrome:
        assert phrase not in cleaned


def test_seed_page_loses_more_than_half_its_characters():
    raw = seed("001_fa3c50b8fc8a6b36.txt")
    cleaned = clean_text(raw)

    # The kept article body alone is about 49.5% of the page.
    assert len(cleaned) < 0.5 * len(raw)
    assert not any(line.lstrip().startswith("•") for line in cleaned.splitlines())


def test_seed_page_paragraphs_are_separated_by_blank_lines():
    cleaned = clean_text(seed("001_fa3c50b8fc8a6b36.txt"))

    paragraphs = cleaned.split("\n\n")
    assert all(paragraph and paragraph == paragraph.strip() for paragraph in paragraphs)
    assert "\n\n\n" not in cleaned
    assert len(paragraphs) >= 20


def test_seed_with_footer_drops_it_and_joins_the_broken_paragraph():
    cleaned = clean_text(seed("003_3a33943cc7a93352.txt"))

    for phrase in ("Show More", "Related Articles", "Back to top", "MonsterInsights"):
        assert phrase not in cleaned
    assert "room for maneuver on the international stage, as well as potential" in cleaned
    assert cleaned.endswith("as being contrary to Islam.")
    assert "First joint operation between Damascus and the international coalition" in cleaned


@pytest.mark.parametrize(
    "name",
    [
        "000_8c21284f1203084c.txt",
        "002_6595af637ea0c392.txt",
        "004_51955d239165b8f9.txt",
    ],
)
def test_clean_seed_articles_keep_every_sentence(name):
    raw = seed(name)
    cleaned = clean_text(raw)

    assert flat(cleaned) == flat(raw)
    assert cleaned.split("\n\n") == [line.strip() for line in raw.splitlines() if line.strip()]


def test_clean_text_joins_hard_wrapped_lines_and_tidies_whitespace():
    raw = (
        "Officials   from four countries met in Amman on Sunday to discuss\n"
        "a joint operations centre against the Islamic State group, and they\n"
        "agreed to meet again next month.\u00a0\n\n\n\n"
        "A second\tparagraph follows here with a full sentence of its own.\r\n"
    )

    assert clean_text(raw) == (
        "Officials from four countries met in Amman on Sunday to discuss a joint operations "
        "centre against the Islamic State group, and they agreed to meet again next month.\n\n"
        "A second paragraph follows here with a full sentence of its own."
    )


def test_clean_text_keeps_markdown_lists_and_single_subheads():
    raw = (
        "The coalition has four members, ministers said on Sunday in Amman.\n\n"
        "Members\n\n"
        "- Turkiye\n- Syria\n- Iraq\n- Jordan\n\n"
        "Each member will send intelligence officers to the new centre."
    )

    cleaned = clean_text(raw)

    assert "Members" in cleaned
    assert all(f"- {country}" in cleaned for country in ("Turkiye", "Syria", "Iraq", "Jordan"))


# --- front matter, dates, ids -----------------------------------------------------------


def test_parse_front_matter_reads_simple_keys_and_quotes():
    raw = (
        "---\n"
        'title: "Fidan: a regional coalition"\n'
        "source: Al Mayadeen English\n"
        "url: 'https://example.com/a?b=1'\n"
        "published: 2025-02-06\n"
        "tags: [ignored]\n"
        "---\n"
        "Body text.\n"
    )

    fields, body = parse_front_matter(raw)

    assert fields["title"] == "Fidan: a regional coalition"
    assert fields["source"] == "Al Mayadeen English"
    assert fields["url"] == "https://example.com/a?b=1"
    assert fields["published"] == "2025-02-06"
    assert body == "Body text.\n"


@pytest.mark.parametrize(
    "raw",
    [
        "No front matter here.\n---\ntitle: x\n---\n",
        "---\ntitle: unterminated\nBody text.\n",
    ],
)
def test_parse_front_matter_leaves_other_text_alone(raw):
    assert parse_front_matter(raw) == ({}, raw)


def test_article_from_text_uses_front_matter_metadata():
    raw = (
        "---\ntitle: Coalition formed\noutlet: Daily Planet\nurl: https://example.com/c\n"
        "date: 6 Feb 2025\nauthor: Someone\n---\n" + BODY
    )

    article = article_from_text(raw, "brief.md")

    assert article.title == "Coalition formed"
    assert article.outlet == "Daily Planet"
    assert article.url == "https://example.com/c"
    assert article.published == datetime.date(2025, 2, 6)
    assert article.text == BODY
    assert article.source == "brief.md"
    assert article.raw_chars == len(raw)
    assert "author" not in article.text


def test_article_from_text_keyword_metadata_wins_over_front_matter():
    raw = "---\ntitle: From front matter\npublished: not a date\n---\n" + BODY

    article = article_from_text(raw, "x.txt", title="Given", published=datetime.date(2024, 1, 2))

    assert article.title == "Given"
    assert article.published == datetime.date(2024, 1, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-06", datetime.date(2025, 2, 6)),
        ("2025-02-06T21:48:00Z", datetime.date(2025, 2, 6)),
        ("6 Feb 2025", datetime.date(2025, 2, 6)),
        ("6 Feb 2025 21:48", datetime.date(2025, 2, 6)),
        ("February 6, 2025", datetime.date(2025, 2, 6)),
        ("Thursday, 6th February 2025", datetime.date(2025, 2, 6)),
        ("Feb. 6, 2025", datetime.date(2025, 2, 6)),
        ("February 6", None),
        ("2025-02-30", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_published(value, expected):
    assert parse_published(value) == expected


def test_ids_are_stable_and_depend_only_on_the_cleaned_text(tmp_path):
    first = article_from_text(BODY, "a.txt")
    again = article_from_text("\n\n" + BODY.replace(" ", "  ") + "\n", "elsewhere/b.md")
    other = article_from_text(OTHER_BODY, "a.txt")

    assert re.fullmatch(r"[0-9a-f]{16}", first.id)
    assert first.id == again.id
    assert first.id != other.id
    assert first.id == hashlib.sha256(BODY.encode("utf-8")).hexdigest()[:16]


# --- load_articles ----------------------------------------------------------------------


def test_load_text_and_markdown_in_input_order(tmp_path):
    second = write(tmp_path, "b.md", "---\ntitle: Raid\n---\n" + OTHER_BODY)
    first = write(tmp_path, "a.txt", BODY)

    result = load_articles([second, first])

    assert [article.source for article in result.articles] == [second, first]
    assert result.articles[0].title == "Raid"
    assert result.errors == [] and result.duplicates == []
    assert all(isinstance(article, Article) for article in result.articles)


def test_load_html_through_trafilatura(tmp_path):
    html = f"""<!DOCTYPE html>
<html><head>
<title>Coalition formed | Daily Planet</title>
<meta property="og:site_name" content="Daily Planet">
<meta property="article:published_time" content="2025-02-06T21:48:00Z">
<link rel="canonical" href="https://example.com/coalition">
<style>body {{ color: red; }} .secret-style {{ display: none; }}</style>
<script>var trackingSecret = "do-not-leak";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<article><h1>Coalition formed</h1>
{"".join(f"<p>{part}</p>" for part in BODY.split(chr(10) * 2))}
<script>document.write("injected script text");</script>
</article>
<footer>All rights reserved</footer>
</body></html>"""
    path = write(tmp_path, "page.html", html)

    result = load_articles([path])

    assert result.errors == []
    [article] = result.articles
    assert "joint operations centre against the Islamic State group" in article.text
    assert "according to a statement issued after the meeting in Amman." in article.text
    for leaked in (
        "trackingSecret",
        "do-not-leak",
        "secret-style",
        "color: red",
        "injected script",
    ):
        assert leaked not in article.text
    assert article.title == "Coalition formed"
    assert article.outlet == "Daily Planet"
    assert article.url == "https://example.com/coalition"
    assert article.published == datetime.date(2025, 2, 6)
    assert article.raw_chars == len(html)


def test_load_jsonl_keeps_good_lines_around_a_corrupt_one(tmp_path):
    lines = [
        json.dumps({"text": BODY, "title": "One", "source": "Outlet A", "date": "2025-02-06"}),
        "",
        '{"text": "broken',
        json.dumps({"title": "no body at all"}),
        json.dumps({"body": OTHER_BODY, "outlet": "Outlet B", "url": "https://example.com/2"}),
        json.dumps(["not", "an", "object"]),
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")

    result = load_articles([path])

    assert [article.source for article in result.articles] == [f"{path}:1", f"{path}:5"]
    assert result.articles[0].title == "One"
    assert result.articles[0].outlet == "Outlet A"
    assert result.articles[0].published == datetime.date(2025, 2, 6)
    assert result.articles[1].outlet == "Outlet B"
    assert result.articles[1].url == "https://example.com/2"
    assert [error.source for error in result.errors] == [
        f"{path}:3",
        f"{path}:4",
        f"{path}:6",
    ]
    assert "not valid JSON" in result.errors[0].problem
    assert "text" in result.errors[1].problem


def test_load_jsonl_html_field_goes_through_trafilatura(tmp_path):
    html = (
        "<html><head><title>Raid</title><script>var leak = 1;</script></head><body><article>"
        + "".join(f"<p>{part}</p>" for part in OTHER_BODY.split("\n\n"))
        + "</article></body></html>"
    )
    path = write(tmp_path, "feed.jsonl", json.dumps({"html": html, "source": "Outlet C"}) + "\n")

    result = load_articles([path])

    [article] = result.articles
    assert "weapons depots in the south of the country." in article.text
    assert "var leak" not in article.text
    assert article.outlet == "Outlet C"
    assert article.title == "Raid"


def test_load_stdin_with_front_matter(tmp_path):
    stdin = io.StringIO("---\ntitle: From a pipe\npublished: February 6, 2025\n---\n" + BODY)
    path = write(tmp_path, "other.txt", OTHER_BODY)

    result = load_articles(["-", path], stdin=stdin)

    assert [article.source for article in result.articles] == ["<stdin>", path]
    assert result.articles[0].title == "From a pipe"
    assert result.articles[0].published == datetime.date(2025, 2, 6)
    assert result.articles[0].text == BODY


def test_load_directory_reads_supported_files_sorted_by_name(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    write(folder, "b.txt", OTHER_BODY)
    write(folder, "a.md", BODY)
    write(folder, "notes.csv", "a,b\n1,2\n")
    (folder / "nested").mkdir()
    write(
        folder / "nested",
        "c.txt",
        "Nested articles are not loaded, directories are flat.",
    )

    result = load_articles([str(folder)])

    assert [Path(article.source).name for article in result.articles] == [
        "a.md",
        "b.txt",
    ]
    assert result.errors == []


def test_duplicates_are_skipped_and_recorded(tmp_path):
    first = write(tmp_path, "first.txt", BODY)
    copy = write(tmp_path, "copy.md", "\n" + BODY.replace("\n\n", "\n\n\n") + "\n")
    other = write(tmp_path, "other.txt", OTHER_BODY)

    result = load_articles([first, copy, other])

    assert [article.source for article in result.articles] == [first, other]
    assert result.duplicates == [(copy, first)]
    assert result.errors == []


def test_bom_is_accepted(tmp_path):
    path = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + BODY.encode("utf-8"))

    result = load_articles([path])

    assert result.articles[0].text == BODY
    assert result.articles[0].id == article_from_text(BODY, "x").id


# --- bad inputs: one clear error each, the good input still loads -----------------------


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty article"),
        ("blank.md", b"  \n\t\n \r\n", "empty article"),
        (
            "nul.txt",
            b"Some text\x00\x01\x02 with NUL bytes",
            "binary file, not an article",
        ),
        ("image.txt", bytes(range(1, 256)) * 8, "binary file, not an article"),
        (
            "latin1.txt",
            "Türkiye and Jordan agreed.".encode("latin-1"),
            "not UTF-8 text: invalid byte 0xFC at offset 1",
        ),
        (
            "chrome.txt",
            "• Home\n• News\n• Politics\n\nAll Rights Reserved\n",
            "no article text left after removing page chrome",
        ),
        ("empty.jsonl", b"\n\n", "empty article"),
    ],
)
def test_bad_file_gives_one_error_naming_it(tmp_path, name, content, problem):
    good = write(tmp_path, "good.txt", BODY)
    bad = write(tmp_path, name, content)

    result = load_articles([bad, good])

    error = only_error(result, bad)
    assert error.problem == problem
    assert [article.source for article in result.articles] == [good]


def test_missing_file_is_an_error(tmp_path):
    good = write(tmp_path, "good.txt", BODY)
    missing = str(tmp_path / "missing.txt")

    result = load_articles([missing, good])

    assert only_error(result, missing).problem == "no such file"
    assert len(result.articles) == 1


def test_oversized_file_is_rejected_before_reading(tmp_path, monkeypatch):
    good = write(tmp_path, "good.txt", "Short but complete article text, one sentence long.")
    big = write(tmp_path, "big.txt", BODY * 20)
    real_read_capped = reading.read_capped
    read: list[str] = []

    def read_capped(path, limit):
        read.append(path.name)
        return real_read_capped(path, limit)

    monkeypatch.setattr(reading, "read_capped", read_capped)

    result = load_articles([big, good], max_bytes=1_000)

    error = only_error(result, big)
    size_kb = Path(big).stat().st_size / 1000
    assert error.problem == (
        f"file is {size_kb:.1f} kB, over the 1.0 kB limit (set SUMMARISE_MAX_ARTICLE_BYTES to raise it)"
    )
    assert [article.source for article in result.articles] == [good]
    assert read == ["good.txt"]


def test_size_limit_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(20_000_000)

    result = load_articles([str(path)])
    monkeypatch.setenv("SUMMARISE_MAX_ARTICLE_BYTES", "100")
    small = load_articles([write(tmp_path, "small.txt", BODY)])

    assert only_error(result, str(path)).problem == (
        "file is 20.0 MB, over the 5.0 MB limit (set SUMMARISE_MAX_ARTICLE_BYTES to raise it)"
    )
    assert "over the 100 bytes limit" in small.errors[0].problem


def test_unreadable_file_is_an_error(tmp_path, monkeypatch):
    good = write(tmp_path, "good.txt", BODY)
    locked = write(tmp_path, "locked.txt", OTHER_BODY)
    real_read_capped = reading.read_capped

    def read_capped(path, limit):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read_capped(path, limit)

    monkeypatch.setattr(reading, "read_capped", read_capped)

    result = load_articles([locked, good])

    assert only_error(result, locked).problem == "cannot read file: permission denied"
    assert [article.source for article in result.articles] == [good]


def test_directory_without_articles_is_an_error(tmp_path):
    good = write(tmp_path, "good.txt", BODY)
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    write(folder, "data.csv", "a,b\n")

    result = load_articles([str(folder), good])

    error = only_error(result, str(folder))
    assert "no article files" in error.problem
    assert [article.source for article in result.articles] == [good]


def test_empty_stdin_is_an_error():
    result = load_articles(["-"], stdin=io.StringIO("   \n"))

    assert only_error(result, "<stdin>").problem == "empty article"
    assert result.articles == []
