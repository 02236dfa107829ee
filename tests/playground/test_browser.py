"""End to end in headless Chromium (Selenium): train the circle task past 90% test accuracy,
open a neuron of the paused step and check its delta against ``explain.record_step``, load the
worked example and check its loss, and save a screenshot."""
import os
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground needs Starlette (pip install -e '.[playground]')")
pytest.importorskip("uvicorn", reason="the playground needs uvicorn (pip install -e '.[playground]')")
webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test needs selenium")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="the browser test needs Chromium "
                                "and chromedriver (apt-get install chromium chromium-driver)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from retrograd import nn, optim  # noqa: E402
from retrograd.explain import record_step  # noqa: E402
from retrograd.nn import functional as F  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "retrograd.cli", "playground", "--port",
                             str(port), "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=os.environ.copy())
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def test_train_circle_open_a_neuron_and_the_worked_example(server, browser, tmp_path):
    wait = WebDriverWait(browser, 60, poll_frequency=0.1)
    browser.get(server)
    wait.until(lambda d: text_of(d, "step-count") == "0" and d.find_elements(By.CSS_SELECTOR, ".neuron"))
    browser.find_element(By.ID, "play").click()
    wait.until(lambda d: text_of(d, "test-acc").endswith("%") and float(text_of(d, "test-acc")[:-1]) > 90)
    browser.find_element(By.ID, "play").click()  # pause
    wait.until(lambda d: text_of(d, "play") == "play")
    assert float(text_of(browser, "test-acc")[:-1]) > 90
    browser.save_screenshot(str(tmp_path / "playground-circle.png"))

    browser.find_element(By.CSS_SELECTOR, '.neuron[data-layer="1"][data-neuron="2"]').click()
    wait.until(lambda d: d.find_elements(By.ID, "inspect-delta"))
    shown = [float(v) for v in text_of(browser, "inspect-delta").split()]
    rec = browser.execute_script("return window.playground.record")
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 2))
    model.load_state_dict({f"{2 * i}.{n}": np.array(p["before"], np.float32)
                           for i, layer in enumerate(rec["layers"]) for n, p in layer["params"].items()})
    x, y = np.array(rec["x"], np.float32), np.array(rec["y"], np.int64)
    want = record_step(model, x, y, F.cross_entropy, optim.SGD(model.parameters(), lr=0.01))
    assert len(shown) == len(x) == 16
    np.testing.assert_allclose(shown, want.layers[0].delta[:, 2], rtol=2e-5, atol=1e-9)
    # an edge: W_2[3, 5] (layer 2, from neuron 5 of layer 1 to neuron 3), clicked by script
    # (lines cross, so a pointer click at its middle may land on another)
    browser.execute_script("window.playground.edges.find((e) => e.l === 2 && e.j === 3 && e.i === 5)"
                           ".hit.dispatchEvent(new MouseEvent('click'))")
    wait.until(lambda d: "Edge W_2[3, 5]" in text_of(d, "inspector"))
    assert float(text_of(browser, "inspect-dw")) == pytest.approx(
        float(want.layers[1].grads["weight"][3, 5]), rel=2e-5, abs=1e-9)
    if os.environ.get("PLAYGROUND_SCREENSHOT"):  # docs/playground.png is made this way
        browser.save_screenshot(os.environ["PLAYGROUND_SCREENSHOT"])

    browser.find_element(By.ID, "preset-worked").click()
    wait.until(lambda d: text_of(d, "train-loss") == "6.82377")
    browser.find_element(By.ID, "step").click()
    wait.until(lambda d: text_of(d, "step-count") == "1")
    browser.find_element(By.CSS_SELECTOR, '.neuron[data-layer="3"][data-neuron="0"]').click()
    wait.until(lambda d: "loss before 6.82377, after 6.81191" in text_of(d, "inspector"))
    path = tmp_path / "playground.png"
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
