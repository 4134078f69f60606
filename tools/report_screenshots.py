"""Build the report for ecsi_mobi, corp_rep and a simulated world and screenshot each page.

Run by ``make report-screenshots``: HTML files and headless-Chromium PNGs (1280 x 4000 px,
the top of each report) go to ``_build/report-screenshots/``, plus a Dutch build of
corp_rep. Look at every PNG before handing a change to the report on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import ringstats as rs

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/report-screenshots")
N_BOOT = int(os.environ.get("REPORT_N_BOOT", "200"))
BUILDS = [("ecsi_mobi", {}, "en"), ("corp_rep", {}, "en"), ("corp_rep", {}, "nl"),
          ("sim_base", {"n": 3000, "seed": 1}, "en")]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    if browser is None:
        print("chromium not found: install it (apt-get install -y chromium); HTML only",
              file=sys.stderr)
    for name, kw, lang in BUILDS:
        t0 = time.perf_counter()
        ds = rs.datasets.load(name, **kw)
        rep = rs.report(ds.data, spec=ds.spec, n_boot=N_BOOT, seed=1, lang=lang, progress=False)
        stem = f"{name}-{lang}"
        html = rep.save(OUT / f"{stem}.html").resolve()
        print(f"{stem}: report in {time.perf_counter() - t0:.1f} s, {len(rep.html) / 1024:.0f} kB")
        if browser:
            png = (OUT / f"{stem}.png").resolve()
            for height, suffix in ((4000, ""), (16000, "-full")):
                subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                                "--hide-scrollbars", f"--screenshot={png.with_stem(png.stem + suffix)}",
                                f"--window-size=1280,{height}", f"file://{html}"],
                               check=True, capture_output=True, timeout=180)
            print(f"  screenshots: {png.name}, {png.stem}-full.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
