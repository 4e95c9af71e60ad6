"""The only proof that packaging works: build the wheel, install it into a fresh venv, run kgtool elsewhere."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.packaging, pytest.mark.xdist_group("test_packaging")]  # one worker builds the wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("kgtool-*.whl"))


def test_wheel_holds_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("ontology", "graph", "queries"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".ttl", ".rq", ".csv"):
                assert f"kgtool/data/{path.relative_to(ROOT).as_posix()}" in names, path


def test_installed_wheel_validates_outside_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # no pip of its own (ensurepip takes seconds): this one installs into it, and writes no bytecode for
    # the dependencies, which Python compiles on import for the few modules a command loads
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile",
                    str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(env_dir / "bin" / "kgtool"), "validate"], cwd=elsewhere,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("conforms:")
    located = subprocess.run([str(python), "-c", "import kgtool.resources as r; print(r.data_root())"],
                             cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert "site-packages" in located
