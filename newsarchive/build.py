"""``archive build`` / ``make html``: validate content, run Pelican and Pagefind into a
temporary directory, and only then replace ``output/``.

A failed build prints ``path:line: message`` lines, exits non-zero and leaves the previous
``output/`` exactly as it was. Pelican and Pagefind run as subprocesses, so this module
does not import Pelican.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .content_loader import load_content
from .errors import Problem
from .pagefind_output import canonicalize

# Pagefind reads only the page kinds it indexes (docs/SEARCH.md): listings, comparison pages and
# the quotation pages (their quotations are hits on the speaker's page) carry no
# data-pagefind-body, and parsing them cost memory and time.
INDEXED_PAGES = "{stories,events,people,organizations,wire,quotes/unattributed}/**/*.html"

# Pagefind cuts its word index into chunks of about this many word positions (its default is
# 20,000; 1.5.2 reads the setting only from this environment variable). A search fetches the
# chunk holding each query word, so smaller chunks mean fewer bytes per first query, paid for
# by a longer chunk list in the metadata file every query fetches. Measured on the 10,000-story
# benchmark index (docs/SEARCH.md): chunk plus metadata growth per query word, median
# 41 KB at 20,000, 30 KB at 10,000, 25 KB at 5,000, 32 KB at 2,000.
PAGEFIND_ENV = {"PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": "5000"}


def pagefind_command(site: Path) -> list[str]:
    """Pagefind over ``site``'s indexed pages, writing ``site/pagefind/`` (run with PAGEFIND_ENV)."""
    return [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", INDEXED_PAGES, "--silent"]


def start_step(name: str, cmd: list[str], quiet: bool, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start one build step, with ``env`` added to the environment. Quiet: its output is kept to
    show if it fails; otherwise it streams (with progress bars on long runs)."""
    if quiet:
        return subprocess.Popen(
            cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    print(f"[build] {name}", file=sys.stderr, flush=True)
    # wide COLUMNS: Pelican's log handler must not wrap "path:line: message" lines
    return subprocess.Popen(cmd, env={"COLUMNS": "250", **os.environ, "NEWSARCHIVE_PROGRESS": "1", **(env or {})})


def finish_step(name: str, step: subprocess.Popen, quiet: bool) -> bool:
    """Wait for a started step; False (with its output shown, when quiet) if it failed."""
    out, err = step.communicate()
    if quiet and step.returncode != 0:
        sys.stderr.write(out[-4000:] + err[-8000:])
    elif quiet:  # stage timings (NEWSARCHIVE_TIMINGS=1) are asked for explicitly: pass them on
        sys.stderr.writelines(line for line in err.splitlines(keepends=True) if line.startswith("stage "))
    if step.returncode != 0:
        print(f"build failed: {name} exited with status {step.returncode}; output/ left unchanged", file=sys.stderr)
        return False
    return True


def stop_step(step: subprocess.Popen) -> None:
    """Kill a started step and wait for it: nothing it would write is wanted."""
    step.kill()
    step.communicate()


def run_step(name: str, cmd: list[str], quiet: bool, env: dict[str, str] | None = None) -> bool:
    return finish_step(name, start_step(name, cmd, quiet, env), quiet)


def check_content(content: Path) -> tuple[list[Problem], int]:
    """The problems in ``content`` and its number of stories. The parsed stories are not kept:
    at 10,000 stories they are 238 MB that this process would otherwise hold while Pelican and
    Pagefind run (Pelican parses them again itself)."""
    loaded = load_content(content)
    return loaded.errors, len(loaded.stories)


def swap_into_place(new: Path, output: Path) -> None:
    """Replace ``output`` by ``new`` with two renames on the same filesystem.

    The previous site is then deleted by a detached ``rm -rf``: at 10,000 stories it holds
    about 75,000 files and deleting them took 48 s, which the visitor-facing site never waits for.
    """
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{new.name}")
        output.rename(old)
    new.rename(output)
    if old is not None:
        subprocess.Popen(
            ["rm", "-rf", "--", str(old)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def build(content: Path, settings: Path, output: Path, quiet: bool = False, search: bool = True) -> int:
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        pelican = [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(tmp)]
        pelican += ["--fatal", "errors"] + (["-q"] if quiet else [])
        # Pelican starts at once, into the temporary directory; the content is validated
        # meanwhile on the other core, and a problem stops Pelican before anything is replaced.
        step = start_step("pelican", pelican, quiet)
        try:
            problems, story_count = check_content(content)
        except BaseException:
            stop_step(step)
            raise
        if problems:
            stop_step(step)
            for problem in problems:
                print(problem, file=sys.stderr)
            print(f"build stopped: {len(problems)} problem(s) in {content}; output/ left unchanged", file=sys.stderr)
            return 1
        if not finish_step("pelican", step, quiet):
            return 1
        if search and not run_step("pagefind", pagefind_command(tmp), quiet, PAGEFIND_ENV):
            return 1
        canonicalize(tmp / "pagefind")  # Pagefind's filter order varies run to run: make it canonical
        swap_into_place(tmp, output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if not quiet:
        print(f"[build] {story_count} stories published to {output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="archive build",
        description="Build the site into output/ safely: nothing is replaced unless every step succeeds.",
        epilog="Example: archive build --settings publishconf.py",
    )
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"))
    parser.add_argument("--output", type=Path, default=Path("output"))
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    return build(args.content, args.settings, args.output, args.quiet, not args.no_search)


if __name__ == "__main__":
    sys.exit(main())
