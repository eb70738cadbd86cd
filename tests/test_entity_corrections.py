"""content/entities.yml: an archivist merges, renames, retypes and splits entities, sets roles and
the speaker of one quotation; lint and the build refuse a bad file with the same path:line lines."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_build

from newsarchive.analysis.entities.find import find_entities
from newsarchive.analysis.entity_corrections import correct_entities, correct_speakers
from newsarchive.analysis.quotes.analysis import analyze
from newsarchive.analysis.quotes.extraction import extract_quotes
from newsarchive.formats.corrections_file import read_corrections
from newsarchive.formats.story_file import parse_story
from newsarchive.model.story import Archive
from newsarchive.site.content_loader import lint_content


def story(text: str, slug: str, date: str = "2012-01-01"):
    return parse_story(f"Title: {slug}\nDate: {date}\nSlug: {slug}\n\n{text}\n", f"{slug}.md")


STORIES = [
    story(
        "The Northfield City Council voted on Monday.\n\n"
        "“We will fix the pier,” said Mayor Dana Ortiz.\n\n"
        "Tom Reyes, a spokesman for the Harbor Boaters Association, said the vote was “a good start.”",
        "a",
    ),
    story(
        "The Southport City Council met on Tuesday.\n\n“The pier can wait,” Ortiz told reporters.",
        "b",
        "2012-01-02",
    ),
]


def corrections(tmp_path: Path, text: str):
    (tmp_path / "entities.yml").write_text(text, encoding="utf-8")
    found, problems = read_corrections(tmp_path)
    return found, [str(p).removeprefix(str(tmp_path) + "/") for p in problems]


def corrected(tmp_path: Path, text: str, stories=STORIES):
    found, problems = corrections(tmp_path, text)
    assert problems == []
    result = correct_entities(found, find_entities(stories), stories)
    result.problems = [str(p).removeprefix(str(tmp_path) + "/") for p in result.problems]
    return result


def test_no_file_is_no_correction(tmp_path):
    assert read_corrections(tmp_path) == (None, [])


def test_the_file_itself_is_checked_line_by_line(tmp_path):
    _, problems = corrections(tmp_path, "entities:\n  dana-ortiz:\n    name: [a, b\n")
    assert problems[0].startswith("entities.yml:") and "not valid YAML" in problems[0]
    text = (
        "entities:\n"
        "  dana-ortiz:\n"
        "    colour: red\n"  # line 3
        "  Dana Ortiz:\n"  # line 4
        "    kind: person\n"
        "  tom-reyes:\n"
        "    kind: robot\n"  # line 7
        "  dana-ortiz:\n"  # line 8
        "    name: Dana M. Ortiz\n"
        "  harbor-boaters-association:\n"
        "    merge_into: tom-reyes\n"  # line 11
        "    name: Boaters\n"
        "quotations:\n"
        "  - story: a\n"  # line 14
        "    speaker: tom-reyes\n"
    )
    _, problems = corrections(tmp_path, text)
    assert problems == [
        "entities.yml:3: dana-ortiz: unknown key 'colour' (expected kind, merge_into, name, roles, split)",
        "entities.yml:4: 'Dana Ortiz' is not an entity's slug (as in its address: people/SLUG/, organizations/SLUG/)",
        "entities.yml:7: kind: expected person or organization, not 'robot'",
        "entities.yml:8: conflict: 'dana-ortiz' is given twice in entities (first at line 2)",
        "entities.yml:11: conflict: harbor-boaters-association is merged into tom-reyes and also given name",
        "entities.yml:14: a quotation needs paragraph (story, paragraph and speaker)",
    ]


def test_rename_retype_roles_and_merge(tmp_path):
    result = corrected(
        tmp_path,
        "entities:\n"
        "  dana-ortiz:\n"
        "    name: Dana M. Ortiz\n"
        "    roles: [Mayor of Northfield]\n"
        "  tom-reyes:\n"
        "    merge_into: organizations/harbor-boaters-association\n"
        "  harbor-boaters-association:\n"
        "    kind: person\n",
    )
    assert result.problems == []
    people = {e.slug: e for e in result.index.people}
    assert set(people) == {"dana-m-ortiz", "harbor-boaters-association"}
    assert people["dana-m-ortiz"].roles == ["Mayor of Northfield"]
    assert "Dana Ortiz" in people["dana-m-ortiz"].aliases
    merged = people["harbor-boaters-association"]
    assert "Tom Reyes" in merged.aliases and {m.text for m in merged.mentions} >= {"Tom Reyes"}
    assert {url: e.url for url, e in result.redirects.items()} == {
        "people/dana-ortiz/": "people/dana-m-ortiz/",
        "people/tom-reyes/": "people/harbor-boaters-association/",
        "organizations/harbor-boaters-association/": "people/harbor-boaters-association/",
    }


def test_split_gives_each_part_the_mentions_of_its_stories(tmp_path):
    result = corrected(
        tmp_path,
        "entities:\n"
        "  city-council:\n"
        "    name: Northfield City Council\n"
        "    split:\n"
        "      - name: Southport City Council\n"
        "        stories: [b]\n",
        [story("The City Council voted.", "a"), story("The City Council met.", "b", "2012-01-02")],
    )
    assert result.problems == []
    councils = {e.name: sorted({m.story for m in e.mentions}) for e in result.index.organizations}
    assert councils == {"Northfield City Council": ["a"], "Southport City Council": ["b"]}
    assert [e.name for e in result.redirects.values()] == ["Northfield City Council"]


def test_unknown_slugs_cycles_and_conflicts_are_refused_with_their_lines(tmp_path):
    result = corrected(
        tmp_path,
        "entities:\n"
        "  jane-doe:\n"  # line 2
        "    name: Jane Doe\n"
        "  dana-ortiz:\n"
        "    merge_into: tom-reyes\n"  # line 5
        "  tom-reyes:\n"
        "    merge_into: dana-ortiz\n"  # line 7
        "  harbor-boaters-association:\n"  # line 8
        "    name: Northfield City Council\n"
        "  organizations/harbor-boaters-association:\n"  # line 10
        "    roles: [a group]\n",
    )
    assert result.problems == [
        "entities.yml:2: unknown slug 'jane-doe': no person or organization found in the stories has it",
        "entities.yml:5: merge cycle: dana-ortiz -> tom-reyes -> dana-ortiz",
        "entities.yml:7: merge cycle: tom-reyes -> dana-ortiz -> tom-reyes",
        "entities.yml:8: conflict: organizations/northfield-city-council/ and organizations/harbor-boaters-association/"
        " would both be organizations/northfield-city-council/: merge them with merge_into",
        "entities.yml:10: conflict: organizations/harbor-boaters-association is corrected at line 8 too",
    ]
    assert result.redirects == {}


def test_the_speaker_of_one_quotation_is_set(tmp_path):
    found, problems = corrections(
        tmp_path,
        "quotations:\n"
        "  - story: b\n    paragraph: p2\n    speaker: organizations/southport-city-council\n"
        "  - story: a\n    paragraph: p3\n    speaker: null\n"
        "  - story: a\n    paragraph: p9\n    speaker: dana-ortiz\n"  # line 8
        "  - story: a\n    paragraph: p2\n    speaker: jane-doe\n",  # line 11
    )
    assert problems == []
    archive_stories = [*STORIES]
    with pytest.raises(Exception) as refused:
        analyze(Archive(archive_stories), corrections=found)
    assert [str(p).removeprefix(str(tmp_path) + "/") for p in refused.value.problems] == [
        "entities.yml:8: story 'a' has no paragraph p9",
        "entities.yml:11: unknown speaker 'jane-doe': no person or organization has that slug",
    ]
    found.speakers = found.speakers[:2]
    analysis = analyze(Archive(archive_stories), corrections=found)
    speakers = {(o.story, o.paragraph): (o.speaker, o.speaker_kind) for q in analysis.quotes for o in q.occurrences}
    assert speakers == {
        ("a", "p2"): ("dana-ortiz", "person"),
        ("a", "p3"): (None, None),
        ("b", "p2"): ("southport-city-council", "organization"),
    }


def test_several_quotations_in_a_paragraph_need_words_to_tell_which(tmp_path):
    two = [story("“We won,” said Mayor Dana Ortiz. “They lost,” said Tom Reyes.", "a")]
    index = find_entities(two)
    found, _ = corrections(tmp_path, "quotations:\n  - {story: a, paragraph: p1, speaker: dana-ortiz}\n")
    result = correct_entities(found, index, two)
    occurrences = extract_quotes(two[0], index)[0]
    (problem,) = correct_speakers(found, occurrences, result, {"a": {"p1"}})
    assert problem.line == 2 and "2 quotations begin in a p1: add text:" in problem.message
    found.speakers[0].text = "they LOST"
    assert correct_speakers(found, occurrences, result, {"a": {"p1"}}) == []
    assert [(o.text, o.speaker, o.attribution) for o in occurrences] == [
        ("We won,", "dana-ortiz", "after"),
        ("They lost,", "dana-ortiz", "corrected"),
    ]


def _lint(content: Path) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive.cli", "lint", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return done.returncode, [line for line in done.stdout.splitlines() if "entities.yml" in line]


CORRECTIONS = """\
# corrections to what the analysis found (docs/ARCHIVING.md)
entities:
  mary-beth-heffernan:
    name: Mary Elizabeth Heffernan
    roles: [Secretary of Public Safety]
  boston-police-department:
    merge_into: massachusetts-state-police
  steven-baddour:
    kind: organization
quotations:
  - story: mass-police-to-join-immigration-checks-program
    paragraph: {paragraph}
    speaker: organizations/centro-presente
"""


def test_corrections_through_a_real_build(tmp_path):
    """Lint and the build refuse an unknown slug with the same line; with the file right, the
    build renames, merges, retypes and re-attributes, and every old address sends the visitor on."""
    project = copy_project(tmp_path / "project")
    content, output = project / "content", project / "output"
    montes = next(
        o
        for q in analyze(Archive(lint_content(content)[0])).quotes
        for o in q.occurrences
        if o.speaker == "patricia-montes"
    )
    right = CORRECTIONS.format(paragraph=montes.paragraph)
    (content / "entities.yml").write_text(right.replace("steven-baddour:", "steven-badour:"), encoding="utf-8")
    rc, lines = _lint(content)
    expected = (
        f"{content}/entities.yml:8: unknown slug 'steven-badour': no person or organization found in the stories has it"
    )
    assert (rc, lines) == (1, [expected])
    done = run_build(content, output, "--no-search", cwd=project)
    assert done.returncode == 1 and expected in done.stderr.splitlines() and "Traceback" not in done.stderr
    assert not output.exists()

    (content / "entities.yml").write_text(right, encoding="utf-8")
    assert _lint(content) == (0, [])
    done = run_build(content, output, "--no-search", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads((output / "archive.json").read_text(encoding="utf-8"))
    people = {p["slug"]: p for p in data["people"]}
    orgs = {o["slug"]: o for o in data["organizations"]}
    assert people["mary-elizabeth-heffernan"]["roles"] == ["Secretary of Public Safety"]
    assert "mary-beth-heffernan" not in people and "steven-baddour" not in people
    assert "steven-baddour" in orgs and "boston-police-department" not in orgs
    assert "Boston Police Department" in orgs["massachusetts-state-police"]["aliases"]
    speakers = {(q["speaker"], q["speaker_kind"]) for q in data["quotes"]}
    assert ("mary-elizabeth-heffernan", "person") in speakers and ("centro-presente", "organization") in speakers
    quote = next(q for q in data["quotes"] if q["speaker"] == "centro-presente")
    org_page = (output / "organizations/centro-presente/index.html").read_text(encoding="utf-8")
    assert f'id="quote-{quote["id"]}"' in org_page
    quote_page = (output / f"quotes/{quote['id']}/index.html").read_text(encoding="utf-8")
    assert "<h1>Centro Presente:" in quote_page and 'href="/organizations/centro-presente/' in quote_page
    for old, new in (
        ("people/mary-beth-heffernan/", "people/mary-elizabeth-heffernan/"),
        ("organizations/boston-police-department/", "organizations/massachusetts-state-police/"),
        ("people/steven-baddour/", "organizations/steven-baddour/"),
    ):
        page = (output / old / "index.html").read_text(encoding="utf-8")
        assert f'<meta http-equiv="refresh" content="0; url=/{new}">' in page
        assert f'<link rel="canonical" href="/{new}">' in page and '<meta name="robots" content="noindex">' in page
        assert f"/{old}<" not in (output / "sitemap.xml").read_text(encoding="utf-8")
    shutil.rmtree(project)


def test_lint_reads_the_stories_the_build_analyses(tmp_path):
    """A draft is not in the built archive: a correction naming only someone it names is refused
    by lint as by the build."""
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "a.md").write_text(
        "Title: A\nDate: 2012-01-01\n\n“We won,” said Mayor Dana Ortiz.\n", encoding="utf-8"
    )
    (tmp_path / "stories" / "b.md").write_text(
        "Title: B\nDate: 2012-01-02\nStatus: draft\n\n“We lost,” said Tom Reyes.\n", encoding="utf-8"
    )
    (tmp_path / "entities.yml").write_text("entities:\n  tom-reyes: {name: Thomas Reyes}\n", encoding="utf-8")
    problems = [str(p).removeprefix(str(tmp_path) + "/") for p in lint_content(tmp_path)[1]]
    assert problems == [
        "entities.yml:2: unknown slug 'tom-reyes': no person or organization found in the stories has it"
    ]
    (tmp_path / "entities.yml").write_text("entities:\n  dana-ortiz: {name: Dana M. Ortiz}\n", encoding="utf-8")
    assert lint_content(tmp_path)[1] == []
