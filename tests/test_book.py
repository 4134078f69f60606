"""The companion site builds with warnings treated as errors (notebooks not executed here:
test_notebooks.py executes them; `make book` does both)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files(entries):
    for e in entries:
        if "file" in e:
            yield e["file"]
        for key in ("chapters", "sections", "parts"):
            yield from _toc_files(e.get(key, []))


def test_toc_lists_every_chapter_and_notebook():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"], *_toc_files(toc["parts"])}
    for f in files:
        assert list(ROOT.glob(f + ".*")), f"_toc.yml names {f}, which does not exist"
    for path in [*ROOT.glob("chapters/*.md"), *ROOT.glob("notebooks/*.ipynb")]:
        stem = str(path.relative_to(ROOT).with_suffix(""))
        assert stem in files, f"{stem} is not in _toc.yml"


@pytest.mark.notebooks
def test_book_builds_without_warnings(tmp_path):
    jb = Path(sys.executable).with_name("jupyter-book")
    if not jb.exists():
        pytest.skip("jupyter-book not installed")
    for name in ("chapters", "notebooks", "datasets", "_ext"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    res = subprocess.run([str(jb), "build", str(tmp_path), "-W", "--keep-going"],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").exists()
    # offline: MathJax is served from the site itself, no page loads a script from the web
    assert (html / "_static" / "mathjax" / "MathJax.js").exists()
    page = (html / "chapters" / "01-efficiency-trap.html").read_text()
    assert "_static/mathjax/MathJax.js" in page
    for f in html.rglob("*.html"):
        text = f.read_text()
        assert 'src="http' not in text and 'src="//' not in text, f"{f.name} loads a remote script"
