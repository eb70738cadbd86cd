"""The cache fingerprint changes with the code and with the libraries that render pages."""

from newsarchive.site import code_version as cv


def test_a_library_upgrade_changes_the_fingerprint(monkeypatch):
    before = cv.code_version()
    assert any(pin.startswith("Jinja2==") and not pin.endswith("missing") for pin in cv.library_versions())
    upgraded = [pin if not pin.startswith("Jinja2==") else "Jinja2==99.0" for pin in cv.library_versions()]
    monkeypatch.setattr(cv, "library_versions", lambda: upgraded)
    assert cv.code_version() != before


def test_a_code_change_changes_the_fingerprint(tmp_path):
    for folder in cv.CODE_DIRS:
        (tmp_path / folder).mkdir()
    (tmp_path / "newsarchive" / "a.py").write_text("x = 1\n")
    before = cv.code_version(tmp_path)
    assert cv.code_version(tmp_path) == before
    (tmp_path / "newsarchive" / "a.py").write_text("x = 2\n")
    assert cv.code_version(tmp_path) != before
