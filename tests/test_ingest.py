"""Reading inputs: the sample page format and its quirks, JSON Lines, arXiv Atom, and clear errors."""
from __future__ import annotations

import json
import os

from kg.ingest import arxiv_id, read_file, read_inputs, title_hash
from kg.records import Paper, Problem

from conftest import SAMPLE, run_kg

ABSTRACT = ("We propose a method. It works well on ImageNet. Experiments show that it outperforms the baselines "
            "by 3.1% in accuracy. Code is available online.")


def papers_of(path):
    return [x for x in read_file(path) if isinstance(x, Paper)]


def problems_of(path):
    return [x for x in read_file(path) if isinstance(x, Problem)]


def test_sample_page_reads_119_papers_and_strips_subscribe():
    report = read_inputs([SAMPLE])
    assert len(report.papers) == 119 and not report.problems
    first = report.papers[0]
    assert first.title.startswith("LLaVE: Large Language")  # "Subscribe" glued to it in the page is gone
    assert first.line == 3  # after the two header lines
    assert all(not p.title.startswith("Subscribe") for p in report.papers)
    assert all(len(p.abstract) > 100 for p in report.papers)


def test_page_format_tolerates_crlf_blank_lines_and_trailing_spaces(tmp_path):
    text = ("Get trending papers in your email inbox once a day!\r\nGet trending papers in your email inbox!\r\n"
            "SubscribeFirst Paper Title   \r\n\r\n" + ABSTRACT + "  \r\n\r\n\r\nSecond Paper\r\n" + ABSTRACT + "\r\n")
    path = tmp_path / "page.txt"
    path.write_bytes(text.encode())
    got = papers_of(path)
    assert [p.title for p in got] == ["First Paper Title", "Second Paper"]
    assert got[0].abstract == ABSTRACT and got[1].line == 8


def test_title_without_abstract_is_reported_and_others_kept(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(f"Paper One\n{ABSTRACT}\nLonely Title\nPaper Three\n{ABSTRACT}\nLast Title Alone\n")
    got, problems = papers_of(path), problems_of(path)
    assert [p.title for p in got] == ["Paper One", "Paper Three"]
    assert [(p.line, "has no abstract" in p.reason) for p in problems] == [(3, True), (6, True)]
    assert all(str(path) in str(p) for p in problems)


def test_jsonl_fields_and_errors(tmp_path):
    path = tmp_path / "papers.jsonl"
    lines = [
        json.dumps({"title": "A Paper", "abstract": ABSTRACT, "id": "2401.01234v2", "authors": ["Ada", {"name": "Bo"}],
                    "published": "2024-01-02", "url": "https://arxiv.org/abs/2401.01234v2"}),
        '{"title": "Broken", "abstract": ',
        json.dumps({"title": "No abstract"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Second Paper", "abstract": ABSTRACT, "repository": "https://github.com/a/b"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    got, problems = papers_of(path), problems_of(path)
    assert [p.title for p in got] == ["A Paper", "Second Paper"]
    assert got[0].id == "2401.01234" and got[0].authors == ("Ada", "Bo") and got[0].published == "2024-01-02"
    assert got[1].id == title_hash("Second Paper") and got[1].repositories == ("https://github.com/a/b",)
    assert [p.line for p in problems] == [2, 3, 4]
    assert "not valid JSON" in problems[0].reason and "no abstract" in problems[1].reason


def test_jsonl_problems_say_what_is_wrong(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join([json.dumps({"abstract": ABSTRACT}), json.dumps({"title": 5, "abstract": ["a"]}),
                               '{"title": "Cut", "abstract": "unterminated}']) + "\n")
    reasons = [p.reason for p in problems_of(path)]
    assert reasons == ["record has no title", "title is int, not a string; abstract is list, not a string",
                       "not valid JSON (Unterminated string starting at column 30)"]


ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/2301.00001v1</id>
    <published>2023-01-01T00:00:00Z</published>
    <title>An   Atom
      Paper</title>
    <summary>  {abstract}  </summary>
    <author><name>Alice</name></author><author><name>Bob</name></author>
    <link href="http://arxiv.org/abs/2301.00001v1" rel="alternate" type="text/html"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2301.00002v3</id>
    <title>Second Atom Paper</title>
    <summary>{abstract}</summary>
  </entry>
</feed>
""".replace("{abstract}", ABSTRACT)


def test_atom_feed(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(ATOM)
    got = papers_of(path)
    assert [(p.id, p.title) for p in got] == [("2301.00001", "An Atom Paper"), ("2301.00002", "Second Atom Paper")]
    assert got[0].authors == ("Alice", "Bob") and got[0].published == "2023-01-01T00:00:00Z"
    assert got[0].abstract == ABSTRACT


def test_atom_feed_with_a_broken_entry_keeps_the_good_ones(tmp_path):
    broken = ATOM.replace("<title>Second Atom Paper</title>", "<title>Second <b>Atom Paper</title>")
    path = tmp_path / "feed.xml"
    path.write_text(broken)
    got, problems = papers_of(path), [p for p in problems_of(path) if p.severity == "error"]
    assert [p.id for p in got] == ["2301.00001"]
    broken_line = broken.splitlines().index("    <title>Second <b>Atom Paper</title>") + 1
    assert len(problems) == 1 and problems[0].line == broken_line and "broken Atom entry" in problems[0].reason


def test_duplicates_are_merged_and_reported(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps({"title": "Same", "abstract": ABSTRACT, "id": "2401.00001"}) + "\n")
    b.write_text(json.dumps({"title": "Same (corrected)", "abstract": ABSTRACT + " More.", "id": "2401.00001"}) + "\n")
    report = read_inputs([a, b])
    assert len(report.papers) == 1 and report.papers[0].title == "Same (corrected)"
    assert report.duplicates == 1 and report.read == 2


def test_encodings_and_binary(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(f"Caf\xe9 Paper\n{ABSTRACT}\n".encode("latin-1"))
    got = list(read_file(latin))
    assert any(isinstance(x, Paper) and x.title == "Café Paper" for x in got)
    assert any(isinstance(x, Problem) and "UTF-8" in x.reason for x in got)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "T", "abstract": ABSTRACT}).encode())
    assert papers_of(bom)[0].title == "T"
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "binary" in problems_of(binary)[0].reason
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert "empty" in problems_of(empty)[0].reason


def test_control_characters_removed_with_a_warning(tmp_path):
    path = tmp_path / "ctl.jsonl"
    path.write_text(json.dumps({"title": "Bell\u0007 Title", "abstract": ABSTRACT}) + "\n")
    got = list(read_file(path))
    assert got[0].title == "Bell Title"
    assert got[1].severity == "warning" and "control or text-direction characters" in got[1].reason


def test_arxiv_ids():
    assert arxiv_id("http://arxiv.org/abs/2401.12345v3") == "2401.12345"
    assert arxiv_id("hep-th/9901001") == "hep-th/9901001"
    assert arxiv_id("https://example.org/papers/2401.12345") is None  # digits on another site are not an arXiv id
    assert arxiv_id(None, "2312.00001") == "2312.00001"


def test_arxiv_error_feed_is_reported_not_read_as_a_paper(tmp_path):
    path = tmp_path / "error.xml"
    path.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
                    '<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>'
                    '<summary>incorrect id format for 1234</summary></entry></feed>')
    got = list(read_file(path))
    assert not [x for x in got if isinstance(x, Paper)]
    assert "feed reports an error: incorrect id format" in got[0].reason


def test_atom_paper_has_its_arxiv_id_once(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(ATOM)
    assert papers_of(path)[0].identifiers == ("2301.00001",)


def test_a_text_file_with_no_papers_says_which_format_it_was_taken_for(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    problems = problems_of(path)
    assert [p.severity for p in problems] == ["error", "warning"]
    assert "taken for a saved papers page" in problems[1].reason
    assert all(p.severity == "error" for p in problems_of(SAMPLE.parent / "missing.txt"))  # unreadable: no guess


def test_pipes_and_folders_are_refused_without_being_opened(tmp_path):
    fifo = tmp_path / "papers.fifo"
    os.mkfifo(fifo)  # opening it would block until a writer comes
    assert [p.reason for p in problems_of(fifo)] == [
        "cannot read: not a regular file (a pipe, socket or device); save the papers to a file first"]
    assert "folder" in problems_of(tmp_path)[0].reason
    proc = run_kg("build", fifo, "--store", tmp_path / "store", timeout=60)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr


def test_a_stray_nul_byte_costs_its_record_not_the_file(tmp_path):
    path = tmp_path / "nul.jsonl"
    good = json.dumps({"title": "Good", "abstract": ABSTRACT})
    bad = b'{"title": "Bad\x00", "abstract": "x"}'
    path.write_bytes(b"\n".join([good.encode(), bad, good.replace("Good", "Also").encode()]))
    assert [p.title for p in papers_of(path)] == ["Good", "Also"]
    assert [p.line for p in problems_of(path)] == [2]
    binary = tmp_path / "blob.jsonl"
    binary.write_bytes(bytes(range(256)) * 64)
    assert problems_of(binary)[0].reason.startswith("binary file")


def test_json_arrays_and_pretty_printed_objects(tmp_path):
    array = tmp_path / "papers.json"
    array.write_text(json.dumps([{"title": "One", "abstract": ABSTRACT}, [1, 2],
                                 {"title": "Two", "abstract": ABSTRACT}], indent=2))
    assert [(p.title, p.line) for p in papers_of(array)] == [("One", 2), ("Two", 10)]
    assert [(p.line, p.reason) for p in problems_of(array)] == [
        (6, "expected a JSON object with title and abstract, got list")]
    pretty = tmp_path / "paper.json"
    pretty.write_text(json.dumps({"title": "Pretty", "abstract": ABSTRACT}, indent=2))
    assert [p.title for p in papers_of(pretty)] == ["Pretty"]
    broken = tmp_path / "broken.json"
    broken.write_text('[\n {"title": "A", "abstract": "B"},\n {"title": "C" "abstract": "D"}\n]\n')
    assert [(p.line, p.reason[:25]) for p in problems_of(broken)] == [(3, "not a valid JSON array (E")]
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text('{\n "papers": [\n  {"title": "A", "abstract": "B"}\n ]\n}\n')
    assert "not a paper (no title)" in problems_of(wrapped)[0].reason
