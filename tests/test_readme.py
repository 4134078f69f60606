"""The README's Python examples run as written (keeps the quick start true)."""

import re
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_blocks_run():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two-item constructs in ecsi_mobi warn by design
        exec(compile("\n".join(blocks), "README.md", "exec"), namespace)
    assert type(namespace["fit"]).__name__ == "CFAResult"
    assert set(namespace["truth"].ring_shares.index) == {1, 2, 3}
