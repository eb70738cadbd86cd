"""Many captures in one ``archive import``: a folder, or a CSV manifest with per-file metadata."""

from __future__ import annotations

from pathlib import Path

from newsarchive import cli
from tests.test_html_page_import import JSON_LD_PAGE, OPEN_GRAPH_PAGE

TEXT = "Lowell council approves budget\n\nLOWELL — The City Council voted 7-2 Tuesday night.\n"


def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.html").write_bytes(JSON_LD_PAGE)
    (folder / "b.htm").write_bytes(OPEN_GRAPH_PAGE)
    (folder / "c.txt").write_text(TEXT.replace("Lowell council", "Dracut council"), encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")  # not a capture kind: left out
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    return folder


def stories(content: Path) -> list[str]:
    return sorted(p.name for p in (content / "stories").glob("*.md")) if (content / "stories").exists() else []


def test_a_folder_imports_every_capture_in_it(tmp_path, capsys):
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(inbox(tmp_path)), "--date", "2011-06-14", "--content", str(content)]) == 0
    assert stories(content) == [
        "dracut-council-approves-budget.md",
        "lowell-council-approves-budget.md",
        "sovet-utverdil-biudzhet.md",
    ]
    # an option on the command line holds for every capture in the folder, over what a page says
    lowell = (content / "stories" / "lowell-council-approves-budget.md").read_text()
    assert "Date: 2011-06-14\n" in lowell and "date=archivist" in lowell


def test_a_manifest_gives_each_file_its_own_metadata(tmp_path, capsys):
    folder = inbox(tmp_path)
    manifest = folder / "list.csv"
    manifest.write_text(
        "file,date,publisher,event\nc.txt,2011-06-14,Dracut Herald,Budget season\na.html,,,Budget season\n",
        encoding="utf-8",
    )
    content = tmp_path / "content"
    assert cli.main(["import", "-q", "--manifest", str(manifest), "--content", str(content)]) == 0
    dracut = (content / "stories" / "dracut-council-approves-budget.md").read_text()
    assert "Publisher: Dracut Herald" in dracut and "Event: Budget season" in dracut
    lowell = (content / "stories" / "lowell-council-approves-budget.md").read_text()
    assert "Publisher: Lowell Sun" in lowell and "Event: Budget season" in lowell


def test_a_bad_manifest_row_or_file_is_reported_at_its_line_and_nothing_is_imported(tmp_path, capsys):
    folder = inbox(tmp_path)
    manifest = folder / "list.csv"
    manifest.write_text("file,date\na.html,\nc.txt,2011-02-30\nmissing.html,\n", encoding="utf-8")
    content = tmp_path / "content"
    assert cli.main(["import", "-q", "--manifest", str(manifest), "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert f"{manifest}:3: date: '2011-02-30' is not a date" in err
    assert "missing.html: cannot read the capture" in err
    assert "nothing imported" in err
    assert stories(content) == []


def test_a_manifest_with_an_unknown_column_is_refused(tmp_path, capsys):
    manifest = tmp_path / "list.csv"
    manifest.write_text("file,headline\na.html,X\n", encoding="utf-8")
    assert cli.main(["import", "--manifest", str(manifest), "--content", str(tmp_path / "content")]) == 1
    assert f"{manifest}:1: unknown column(s) headline" in capsys.readouterr().err
