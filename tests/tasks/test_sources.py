from pathlib import Path

import pytest

from tasks.sources import SourcesError, load_sources, packaged_sources_path, parse_sources

GOOD = """
[[sources]]
name = "a"
url = "https://example.com/rss"
kind = "rss"
lang = "ko"

[[sources]]
name = "b"
url = "https://example.org/atom"
kind = "atom"
lang = "en"
group = "global"
"""


def test_packaged_sources_are_valid_and_real_feeds() -> None:
    parsed = load_sources()
    assert parsed.problems == ()
    assert len(parsed.sources) >= 10
    assert {s.lang for s in parsed.sources} == {"ko", "en"}
    assert all(s.url.startswith("http") for s in parsed.sources)
    assert packaged_sources_path().name == "sources.toml"


def test_parse_good_file() -> None:
    parsed = parse_sources(GOOD)
    assert [s.name for s in parsed.sources] == ["a", "b"]
    assert parsed.sources[1].group == "global"


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ('name = "x"\nurl = "ftp://x"\nlang = "ko"', "url"),
        ('name = "x"\nurl = "https://x"\nlang = "jp"', "lang"),
        ('name = "x"\nurl = "https://x"\nlang = "ko"\nkind = "mastodon"', "kind"),
        ('url = "https://x"\nlang = "ko"', "name"),
        ('name = "x"\nurl = "https://x"\nlang = "ko"\ncolour = "red"', "colour"),
        ('name = "x"\nurl = "https://x"\nlang = "ko"\nlink_pattern = "("', "link_pattern"),
        ('name = "a"\nurl = "https://x"\nlang = "ko"', "duplicate"),
    ],
)
def test_bad_entry_is_reported_with_index_and_field_and_skipped(entry: str, needle: str) -> None:
    parsed = parse_sources(GOOD + "\n[[sources]]\n" + entry + "\n", origin="s.toml")
    assert [s.name for s in parsed.sources] == ["a", "b"]
    assert len(parsed.problems) == 1
    assert "s.toml: sources[3]" in parsed.problems[0]
    assert needle in parsed.problems[0]


@pytest.mark.parametrize(
    "text", ["not toml [[[", "", "[[sources]]\nname='x'\n", "title = 'no sources'"]
)
def test_unusable_file_is_an_error(text: str) -> None:
    with pytest.raises(SourcesError):
        parse_sources(text)


def test_missing_file_and_group(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nope.toml")
    path = tmp_path / "s.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert [s.name for s in load_sources(path, group="global").sources] == ["b"]
    with pytest.raises(SourcesError, match="no source in group"):
        load_sources(path, group="nothing")
