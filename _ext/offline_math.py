"""Serve MathJax from the build itself, so the companion's formulas render offline.

The MathJax 2.7 files come from the installed ``jupyter-server-mathjax`` package (a
dependency of the ``notebooks`` extra). They are copied into ``_static/mathjax`` and every
page loads them from there instead of from a CDN. Without the package the build falls back
to Sphinx's default (MathJax 3 from a CDN) and says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

# Sphinx wraps math in elements of class "math" inside a body marked "mathjax_ignore";
# MathJax 2 must be told the same thing in its own (tex2jax) vocabulary.
MATHJAX2_CONFIG = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processRefs": False,
        "processEnvironments": False,
        "processClass": "math|output_area",
        "ignoreClass": "tex2jax_ignore|mathjax_ignore|document",
    },
    "messageStyle": "none",
    # the package ships only the STIX-Web fonts: use them, never look for TeX or image fonts
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web",
                 "imageFont": None},
}


def _static_dir() -> Path | None:
    try:
        import jupyter_server_mathjax
    except ImportError:
        return None
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _use_local_mathjax(app: Sphinx, config: Config) -> None:
    if _static_dir() is None:
        logger.info("offline_math: jupyter-server-mathjax is not installed; MathJax from a CDN")
        return
    config.mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    config.mathjax2_config = MATHJAX2_CONFIG
    config.mathjax3_config = None


def _copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    static = _static_dir()
    if exception is not None or static is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(static, target, dirs_exist_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _use_local_mathjax, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
