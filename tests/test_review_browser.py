"""The review console end to end in a real browser: Debian's chromium driven by Playwright.

The browser is the system's (`make test` installs it with apt-get); Playwright's own browser
download is never used. The scenario of issue 14 on 50 results of every kind, and the two
screenshots of README.md (synthetic cards only): written to $REVIEW_SCREENSHOTS when set
(`make review-screenshots` sets docs/), else to the test's temporary folder.
"""

import json
import os

import pytest

from idcard_ocr.card.signatures import Signer
from idcard_ocr.ops.review.server import ConsoleServer
from tests.conftest import SIGNING_KEY, parsed
from tests.fakes import review_bucket
from tests.test_review_http import console_for

CHROMIUM = "/usr/bin/chromium"
NEW_NAME = "司马秀英"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


def listed(rows):
    """(key, label, reviewed) of each row shown (no script evaluation: the CSP forbids it)."""
    return [tuple(rows.nth(i).get_attribute(f"data-{name}")
                  for name in ("key", "label", "reviewed")) for i in range(rows.count())]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "install Debian's chromium: make chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(tmp_path):
    folder = os.environ.get("REVIEW_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder


def test_operator_reviews_a_failed_check_and_reprocesses_a_quota_error(
        bucket, env, ocr_api, browser, screenshots, logs):
    keys = review_bucket.fill(bucket, env, ocr_api)
    assert len(keys) == 50
    with ConsoleServer(console_for(env, bucket, "idcards/"), "127.0.0.1", 0) as server:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        errors = []
        # Pictures that cannot be made answer 422 with a placeholder: expected, not an error.
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and "status of 422" not in m.text else None)

        page.goto(server.login_url)
        assert "token" not in page.url  # swapped for the session's path at once
        page.wait_for_selector("#counts:not([hx-get])")  # counted: the polling stopped
        assert "50" in page.inner_text("#counts .total")
        page.screenshot(path=os.path.join(screenshots, "review-list.png"))

        # Filter to failed checks.
        page.select_option("select[name=status]", "checks_failed")
        with page.expect_navigation():  # rows are counted, not awaited: read the new list
            page.click("#apply")
        rows = page.locator("tr.row")
        expected = review_bucket.KINDS["checks_failed"] + review_bucket.KINDS["wrong_sex"]
        assert rows.count() == expected
        assert {label for _, label, _ in listed(rows)} == {"ok:checks_failed"}

        # Open one, reveal the name, correct it (and the misread number), approve.
        key = rows.first.get_attribute("data-key")
        assert key == review_bucket.key_for("checks_failed", 0)
        read = review_bucket.answer("checks_failed", 0)
        right = review_bucket.truth(review_bucket.FACES[0])
        rows.first.locator("td.key a").click()
        assert page.get_attribute("#status", "data-label") == "ok:checks_failed"
        assert read["name"] not in page.inner_text("table.fields")  # masked by default
        page.click("#reveal-name")
        page.wait_for_selector("#field-name.revealed")
        assert page.inner_text("#field-name td.value") == read["name"]
        page.fill("input[name='field.name']", NEW_NAME)
        page.fill("input[name='field.num']", right["num"])
        page.wait_for_selector("#recomputed table.checks")
        assert page.get_attribute("#recomputed tr[data-check=number_format]",
                                  "data-ok") == "yes"
        page.screenshot(path=os.path.join(screenshots, "review-detail.png"))
        page.click("#approve")
        page.wait_for_selector("#review-badge")
        assert page.inner_text("#notice") == "审核已保存"
        assert read["name"] not in page.content() and NEW_NAME not in page.content()

        # The review object landed beside the result, signed; the result is untouched.
        review = json.loads(bucket.get_object(key + ".review.json").read())
        assert Signer([SIGNING_KEY]).verify(review, bucket.bucket_name, key)
        assert review["decision"] == "corrected" and review["operator"] == "tester"
        assert review["corrections"]["name"] == {"before": read["name"], "after": NEW_NAME}
        assert review["checks_passed"] is True
        result = json.loads(bucket.get_object(key + ".json").read())
        assert result["fields"]["name"] == read["name"] and result["checks_passed"] is False

        # The list shows it reviewed.
        with page.expect_navigation():
            page.click("#back")
        page.select_option("select[name=reviewed]", "yes")
        with page.expect_navigation():
            page.click("#apply")
        assert listed(page.locator("tr.row")) == [(key, "ok:checks_failed", "yes")]

        # Reprocess a quota_exhausted result: it turns ok.
        page.goto(server.session_url + "?status=error&error_code=quota_exhausted")
        quota = page.locator("tr.row")
        assert quota.count() == review_bucket.KINDS["quota"]
        quota.first.locator("td.key a").click()
        assert "quota_exhausted" in page.inner_text("#error")
        page.click("#reprocess")
        page.wait_for_selector("#notice")
        assert page.get_attribute("#status", "data-label") == "ok"

        # English on request.
        page.click("#lang-switch")
        assert page.inner_text("#reprocess") == "Reprocess"
        assert errors == []  # no CSP violation, no failed script or request

    revealed = [line for line in parsed(logs) if line["message"] == "field revealed"]
    assert revealed == [dict(revealed[0], operator="tester", key=key, field="name")]
    assert not any(read["name"] in line or NEW_NAME in line for line in logs)
