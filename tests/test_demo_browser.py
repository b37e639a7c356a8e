"""The web demo in a real browser: ``python -m ganzoo.demo`` driven by headless Chromium.

It starts the demo on a free 127.0.0.1 port, loads the page, draws digit samples, submits a
caption and uploads a photo, checks that each answer is an image of the promised size, and that
the page fetched nothing from outside 127.0.0.1 (it must run offline). Screenshots go to the
test's tmp folder, or to ``$GANZOO_DEMO_SCREENSHOTS`` (``docs/images`` refreshes the README's).

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and the
``demo`` extra's Gradio plus selenium (both in the ``test`` extra); skipped, with one line,
only where they are missing.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from ganzoo.demo import models

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

pytestmark = pytest.mark.slow
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("no /usr/bin/chromium + chromedriver: apt-get install chromium chromium-driver (.ci/run does)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="pip install -e '.[test]' installs selenium")
pytest.importorskip("gradio", reason="pip install -e '.[test]' installs gradio")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("demo") / "demo.log"
    with open(log, "w") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "ganzoo.demo", f"--port={port}"], cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2"),
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 300  # TensorFlow and Gradio imports: ~10 s idle, minutes on a loaded machine
        while url not in log.read_text():
            assert server.poll() is None, f"the demo exited:\n{log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"the demo did not start:\n{log.read_text()[-2000:]}"
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1200,1100", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def image_size(driver, elem_id, previous=None, timeout=60):
    """``(width, height)`` of the image shown in ``#elem_id`` once loaded (and not ``previous``'s src)."""
    from selenium.webdriver.support.ui import WebDriverWait

    script = (f"const i = document.querySelector('#{elem_id} img');"
              "return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight, i.src] : null;")

    def loaded(d):
        found = d.execute_script(script)
        return found if found and found[2] != previous else None

    width, height, _ = WebDriverWait(driver, timeout, poll_frequency=0.2).until(loaded)
    return width, height


def click(driver, css):
    driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click();",
                          driver.find_element("css selector", css))


def open_tab(driver, label):
    tab = next(b for b in driver.find_elements("css selector", "button[role=tab]") if b.text.strip() == label)
    tab.click()


def screenshot(driver, name, tmp_path):
    folder = pathlib.Path(os.environ.get("GANZOO_DEMO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0);")
    driver.save_screenshot(str(folder / f"demo_{name}.png"))
    assert (folder / f"demo_{name}.png").stat().st_size > 10_000


def test_demo_draws_samples_captions_and_super_resolves_in_chromium(demo_url, browser, tmp_path):
    browser.get(demo_url)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 60).until(lambda d: d.find_elements("css selector", "#draw-samples"))

    click(browser, "#draw-samples")  # 16 DCGAN digits of 32x32 in a 4x4 grid, 4x larger
    height, width = models.grid_size(16, 32, 32)
    assert image_size(browser, "samples-image") == (width, height)
    screenshot(browser, "samples", tmp_path)

    open_tab(browser, "Text to image")
    box = browser.find_element("css selector", "#caption textarea")
    box.clear()
    box.send_keys("a small blue triangle at the bottom")
    click(browser, "#draw-text")  # 8 images of 32x32 in one row
    height, width = models.grid_size(8, 32, 32, columns=8)
    assert image_size(browser, "text-image") == (width, height)
    screenshot(browser, "text", tmp_path)

    open_tab(browser, "Super-resolution 4×")
    photo = tmp_path / "photo.png"
    from PIL import Image

    Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 28, 3), dtype=np.uint8)).save(photo)
    browser.find_element("css selector", "#sr-input input[type=file]").send_keys(str(photo))
    time.sleep(1.0)  # the upload's preview
    click(browser, "#super-resolve")
    assert image_size(browser, "sr-image") == (28 * 4, 20 * 4)
    screenshot(browser, "super_resolution", tmp_path)

    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    outside = [u for u in fetched if not u.startswith(demo_url.rstrip("/")) and not u.startswith(("data:", "blob:"))]
    assert not outside, f"the page fetched from outside the demo: {outside[:5]}"
