"""Test helpers shared across the suite: the ``../shared`` reference folder and Chromium.

Two kinds of tests depend on things a user's clone may not have:

* tests that read ``../shared`` (the published spacekit 1.1.4 archives and real labels,
  beside the repository in CI) skip in a user's clone, but **fail** when
  ``SPACEKIT_REQUIRE_SHARED=1`` (set by ``.ci/run``);
* browser tests skip when Debian's ``chromium``/``chromium-driver`` are missing, but fail
  when ``SPACEKIT_REQUIRE_BROWSER=1`` (set by ``.ci/run``).

Import with ``from support import shared_path, require_browser, new_chromium``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: ``../shared`` beside the repository (CI puts it there).
SHARED_DIR = REPO.parent / "shared"
#: ``../shared/reference/spacekit-1.1.4`` (the published archives).
REFERENCE_1_1_4 = SHARED_DIR / "reference" / "spacekit-1.1.4"
REAL_LABELS = SHARED_DIR / "reference" / "real-labels"

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _skip_or_fail(msg: str, variable: str) -> None:
    if os.environ.get(variable) == "1":
        pytest.fail(f"{msg} ({variable}=1, so this must not skip)")
    pytest.skip(msg)


def shared_path(*parts: str) -> Path:
    """Return ``../shared/<parts>``; skip when absent, fail when CI requires it."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        _skip_or_fail(f"../shared absent: {path} is not available", "SPACEKIT_REQUIRE_SHARED")
    return path


def has_shared(*parts: str) -> bool:
    """True when ``../shared/<parts>`` exists (for ``skipif`` marks; pair with shared_path)."""
    return SHARED_DIR.joinpath(*parts).exists()


def require_browser() -> None:
    """Skip (or fail in CI) when headless Chromium and its driver are not installed."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        _skip_or_fail(
            f"headless browser tests need {missing} (apt-get install chromium chromium-driver)",
            "SPACEKIT_REQUIRE_BROWSER",
        )


def chromium_options(profile_dir: str | os.PathLike, window: str = "1280,1400"):
    """Selenium options for a headless Chromium that never reaches the network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        f"--window-size={window}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


def new_chromium(profile_dir: str | os.PathLike, window: str = "1280,1400"):
    """Start a headless Chromium WebDriver (call :func:`require_browser` first)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_browser()
    return webdriver.Chrome(
        service=Service(CHROMEDRIVER), options=chromium_options(profile_dir, window)
    )


def severe_console_errors(driver) -> list[dict]:
    """Browser console entries of level SEVERE (JavaScript errors, failed requests)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def keep_screenshot(driver, tmp_path: Path, name: str) -> Path:
    """Save a screenshot; also copy it to ``$SPACEKIT_BROWSER_SCREENSHOTS`` when set."""
    path = Path(tmp_path) / f"{name}.png"
    driver.save_screenshot(str(path))
    keep = os.environ.get("SPACEKIT_BROWSER_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path
