"""The review console over HTTP: the real server on a loopback port (uvicorn in a thread),
moto as OSS and the OCR contract server. Listing, filters, paging, reviews, reprocessing,
export, the token and CSRF refusals, prefix confinement, hostile inputs."""

import csv
import io
import json
import re
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from idcard_ocr.app import App
from idcard_ocr.card.signatures import Signer
from idcard_ocr.ops import backfill
from idcard_ocr.ops.report import CSV_COLUMNS
from idcard_ocr.ops.review.catalog import Cursor
from idcard_ocr.ops.review.server import ConsoleServer, build_console
from tests.conftest import SIGNING_KEY, parsed, upload
from tests.fakes import images, review_bucket
from tests.fakes.review_bucket import answer


def console_for(env, bucket, prefix="idcards/", operator="tester"):
    app = App.from_environment(env)
    process = backfill.local(app.pipeline("review", force=True))
    return build_console(app, bucket.bucket_name, prefix, operator, process, None)


class Rows(HTMLParser):
    """The rows of a list page or fragment: their data-* attributes, and the next cursor."""

    def __init__(self, text: str):
        super().__init__()
        self.rows, self.more, self.more_trigger = [], None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-key" in attrs:
            self.rows.append({k[5:]: v for k, v in attrs.items() if k.startswith("data-")})
        if tag == "tr" and attrs.get("id") == "more":
            self.more, self.more_trigger = attrs["hx-get"], attrs["hx-trigger"]

    @property
    def keys(self):
        return [row["key"] for row in self.rows]


class Client:
    """A logged-in session on the console, with its CSRF token."""

    def __init__(self, server: ConsoleServer):
        self.server = server
        self.http = requests.Session()
        page = self.http.get(server.login_url)
        assert page.status_code == 200
        self.csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)

    def get(self, path, **params):
        return self.http.get(self.server.session_url + path.lstrip("/"), params=params)

    def post(self, path, data=None, csrf=True, **headers):
        data = dict(data or {})
        if csrf:
            data["csrf"] = self.csrf
        return self.http.post(self.server.session_url + path.lstrip("/"), data=data,
                              allow_redirects=False, headers=headers)

    def rows(self, **params):
        """Every matching row, following the pages' cursors to the end."""
        found, page = [], Rows(self.get("/", **params).text)
        found += page.rows
        while page.more:
            page = Rows(self.http.get(self.server.url + page.more.lstrip("/")).text)
            found += page.rows
        return found


@pytest.fixture(scope="module")
def filled(oss_server, _ocr_server):
    """50 results of every kind, shared by the tests that only read."""
    from tests.conftest import APPCODE, new_bucket

    env = {"OCR_API_URL": _ocr_server.url, "OCR_APPCODE": APPCODE,
           "RESULT_SIGNING_KEY": SIGNING_KEY, "OSS_ENDPOINT": oss_server.endpoint,
           "ALIBABA_CLOUD_ACCESS_KEY_ID": "k", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
           "OCR_TIMEOUT_S": "5"}
    bucket = new_bucket(oss_server.endpoint)
    keys = review_bucket.fill(bucket, env, _ocr_server)
    return bucket, env, keys


@pytest.fixture(scope="module")
def reader(filled):
    bucket, env, _ = filled
    with ConsoleServer(console_for(env, bucket), "127.0.0.1", 0) as server:
        yield Client(server)


@pytest.fixture
def mutable(bucket, env, ocr_api):
    """A console on a bucket of its own, for the tests that write."""
    keys = review_bucket.fill(bucket, env, ocr_api, {"ok": 2, "checks_failed": 2,
                                                     "quota": 3, "planted": 1, "pending": 1,
                                                     "invalid": 1})
    with ConsoleServer(console_for(env, bucket), "127.0.0.1", 0) as server:
        yield Client(server), bucket, keys


# Access ---------------------------------------------------------------------------------------

def test_every_request_needs_the_token_then_the_session_path(reader):
    url = reader.server.url
    session = reader.server.console.access.session
    near_miss = session[:-1] + ("1" if session.endswith("0") else "0")  # one character off
    for path in ("", "static/htmx.min.js", "export.csv", "counts",
                 "image?key=" + review_bucket.key_for("ok", 0), "s/", "s/forged/",
                 "s/" + near_miss + "/"):
        assert requests.get(url + path).status_code == 401, path
    assert requests.get(url + "?token=wrong").status_code == 403
    first = requests.get(reader.server.login_url + "&status=error", allow_redirects=False)
    session_root = reader.server.console.access.session_root
    assert first.status_code == 303 and first.headers["location"] == session_root + "?status=error"
    assert "set-cookie" not in first.headers
    assert reader.server.console.access.token not in first.headers["location"]
    assert requests.get(reader.server.session_url).status_code == 200


def test_only_its_own_host_name_is_answered(reader):
    refused = reader.http.get(reader.server.url, headers={"Host": "attacker.example"})
    assert refused.status_code == 403
    # localhost is this server too: answered, but it is another origin without the cookie.
    assert reader.http.get(reader.server.url.replace("127.0.0.1", "localhost")
                           ).status_code == 401


def test_every_action_needs_the_csrf_token_and_our_origin(mutable):
    client, bucket, keys = mutable
    key = review_bucket.key_for("ok", 0)
    for response in (client.post("/review", {"key": key}, csrf=False),
                     client.post("/review", {"key": key, "csrf": "0" * 64}, csrf=False),
                     client.post("/review", {"key": key}, Origin="http://attacker.example"),
                     client.post("/reveal", {"key": key, "field": "name"}, csrf=False),
                     client.post("/reprocess", {"key": key}, csrf=False),
                     client.post("/reprocess-filtered", {}, csrf=False),
                     client.post("/recount", {}, csrf=False)):
        assert response.status_code == 403
    assert not bucket.object_exists(key + ".review.json")
    header = client.http.post(client.server.session_url + "review", data={"key": key},
                              headers={"X-CSRF-Token": client.csrf}, allow_redirects=False)
    assert header.status_code == 303 and bucket.object_exists(key + ".review.json")


def test_pages_carry_a_strict_content_security_policy(reader):
    page = reader.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and " style=" not in page.text


# Listing, filters, paging ---------------------------------------------------------------------

def test_the_list_shows_every_photo_with_its_status(reader, filled):
    rows = reader.rows()
    assert [r["key"] for r in rows] == sorted(filled[2])
    by_label = {}
    for row in rows:
        by_label[row["label"]] = by_label.get(row["label"], 0) + 1
    kinds = review_bucket.KINDS
    expired = sum(review_bucket.expired("back", i) for i in range(kinds["back"]))
    assert expired > 0  # the sample backs include expired cards: listed apart from passing ones
    assert by_label == {
        "ok": kinds["ok"] + kinds["cropped"] + kinds["back"] + kinds["blurry"] + kinds["dark"]
        - expired, "ok:expired": expired,
        "ok:checks_failed": kinds["checks_failed"] + kinds["wrong_sex"],
        "error:quota_exhausted": kinds["quota"], "error:not_an_id_card": kinds["not_card"],
        "error:invalid_image": kinds["invalid"], "untrusted": kinds["planted"],
        "pending": kinds["pending"]}


@pytest.mark.parametrize("params, kinds", [
    ({"status": "checks_failed"}, ("checks_failed", "wrong_sex")),
    ({"status": "error", "error_code": "quota_exhausted"}, ("quota",)),
    ({"error_code": "not_an_id_card"}, ("not_card",)),
    ({"failed_check": "sex_matches_number"}, ("checks_failed", "wrong_sex")),
    ({"failed_check": "number_format"}, ("checks_failed",)),
    ({"warning": "too_dark"}, ("dark",)),
    ({"status": "untrusted"}, ("planted",)),
    ({"status": "pending"}, ("pending",)),
    ({"needs_review": "1"}, ("checks_failed", "wrong_sex", "blurry", "dark", "expired")),
    ({"status": "expired"}, ("expired",)),
    ({"reviewed": "yes"}, ()),
    ({"recognized_by": "engine"}, ()),  # the fake API read them all (issue 23)
    ({"recognized_by": "api"}, ("ok", "cropped", "back", "blurry", "dark", "checks_failed",
                                "wrong_sex")),
    ({"status": "<script>", "error_code": "../x"}, tuple(review_bucket.KINDS)),  # ignored
])
def test_filters(reader, filled, params, kinds):
    expired = [review_bucket.key_for("back", i) for i in range(review_bucket.KINDS["back"])
               if review_bucket.expired("back", i)]
    expected = set([review_bucket.key_for(kind, i) for kind in kinds if kind != "expired"
                    for i in range(review_bucket.KINDS[kind])]
                   + (expired if "expired" in kinds else []))
    if "needs_review" in params:  # and every photo with a quality warning
        expected |= set(review_bucket.warned(filled[0], filled[2]))
    expected = sorted(expected)
    assert [r["key"] for r in reader.rows(**params)] == expected


def test_pages_stream_from_the_listing_and_resume_at_its_token(mutable, oss_server,
                                                               monkeypatch):
    import idcard_ocr.io.oss as oss

    client, bucket, keys = mutable
    monkeypatch.setattr(oss, "PAGE_SIZE", 4)  # listing pages of 4 keys: photos and results
    client.server.console.page_rows = 3
    before = len([r for r in oss_server.requests_for(bucket.bucket_name) if "list-type" in r[2]])
    first = Rows(client.get("/").text)
    listed = [r for r in oss_server.requests_for(bucket.bucket_name) if "list-type" in r[2]]
    assert len(first.rows) == 3 and first.more_trigger == "revealed"
    assert len(listed) - before <= 3  # the first page did not wait for the whole listing
    cursor = Cursor.decode(parse_qs(urlsplit(first.more).query)["cursor"][0])
    assert cursor.token and cursor.after == first.keys[-1]
    seen = client.rows()
    assert [r["key"] for r in seen] == sorted(keys)  # every photo once, in order


def test_a_rare_filter_returns_what_it_found_in_time_and_goes_on(mutable, monkeypatch):
    import idcard_ocr.io.oss as oss
    from idcard_ocr.ops.review.catalog import Filter

    client, bucket, keys = mutable
    monkeypatch.setattr(oss, "PAGE_SIZE", 4)
    catalog = client.server.console.catalog
    ticks = iter(range(1000))  # every look at the clock: a second later
    page = catalog.page(Filter(status="pending"), size=50, budget_s=0.5,
                        clock=lambda: next(ticks))
    assert page.cut_short and page.rows == [] and page.cursor is not None
    fragment = Rows(client.get("/rows", status="pending",
                               cursor=page.cursor.encode()).text)
    assert fragment.keys == [review_bucket.key_for("pending", 0)]


def test_counts_fill_in_without_blocking_the_first_page(reader, filled):
    counting = reader.server.console.counting
    deadline = time.monotonic() + 30
    while not counting.counts.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    text = reader.get("/counts").text
    assert 'hx-trigger="every 1s"' not in text  # finished: the polling stops
    counts = counting.counts
    assert counts.rows == 50 and counts.by_status["untrusted"] == 2
    assert counts.by_error["quota_exhausted"] == review_bucket.KINDS["quota"]


# Detail, reviews ------------------------------------------------------------------------------

def test_detail_masks_personal_fields_and_explains_errors(reader):
    read = answer("ok", 0)
    page = reader.get("/detail", key=review_bucket.key_for("ok", 0)).text
    assert read["name"] not in page and read["num"] not in page and read["address"] not in page
    assert read["num"][:4] + "*" * 10 + read["num"][-4:] in page
    error = reader.get("/detail", key=review_bucket.key_for("quota", 0)).text
    assert "quota_exhausted" in error and "购买更多调用次数" in error
    planted = reader.get("/detail", key=review_bucket.key_for("planted", 0)).text
    assert 'id="untrusted"' in planted and review_bucket.PLANTED_NAME not in planted
    assert 'id="approve"' not in planted


def test_reveal_shows_one_field_and_logs_who_which_never_the_value(mutable, logs):
    client, bucket, keys = mutable
    key, number = review_bucket.key_for("ok", 1), answer("ok", 1)["num"]
    shown = client.post("/reveal", {"key": key, "field": "num"})
    assert shown.status_code == 200 and number in shown.text
    assert client.post("/reveal", {"key": key, "field": "sex"}).status_code == 400
    assert client.post("/reveal", {"key": review_bucket.key_for("planted", 0),
                                   "field": "name"}).status_code == 409
    lines = [line for line in parsed(logs) if line["message"] == "field revealed"]
    assert [(line["operator"], line["key"], line["field"]) for line in lines] == \
        [("tester", key, "num")]
    assert not any(number in line for line in logs)


def test_a_review_is_signed_beside_the_result_which_stays_as_it_was(mutable, logs):
    client, bucket, keys = mutable
    key, read = review_bucket.key_for("checks_failed", 0), answer("checks_failed", 0)
    right = review_bucket.truth(review_bucket.FACES[0])["num"]
    result_before = bucket.get_object(key + ".json").read()
    preview = client.post("/checks", {"key": key, "field.num": right})
    assert 'data-check="number_format" data-ok="yes"' in preview.text
    saved = client.post("/review", {"key": key, "field.num": right,
                                    "field.name": read["name"], "field.sex": read["sex"]})
    assert saved.status_code == 303
    review = json.loads(bucket.get_object(key + ".review.json").read())
    assert Signer([SIGNING_KEY]).verify(review, bucket.bucket_name, key)
    assert review["decision"] == "corrected" and list(review["corrections"]) == ["num"]
    assert review["corrections"]["num"] == {"before": read["num"], "after": right}
    assert review["checks_passed"] is True and review["operator"] == "tester"
    assert bucket.get_object(key + ".json").read() == result_before
    approved = client.post("/review", {"key": review_bucket.key_for("ok", 0)})
    assert approved.status_code == 303
    rows = {r["key"]: r for r in client.rows()}
    assert rows[key]["reviewed"] == "yes" and rows[review_bucket.key_for("ok", 0)][
        "reviewed"] == "yes"
    line = [line for line in parsed(logs) if line["message"] == "review saved"][0]
    assert line["corrected"] == ["num"] and right not in json.dumps(line)


def test_approving_failing_values_needs_a_confirmation_and_a_reason_kept_in_the_review(
        mutable, logs):
    client, bucket, keys = mutable
    key = review_bucket.key_for("checks_failed", 0)
    asked = client.post("/review", {"key": key, "field.name": "欧阳小明"})
    assert asked.status_code == 422 and not bucket.object_exists(key + ".review.json")
    assert 'id="notice"' in asked.text and "请勾选确认并填写理由" in asked.text
    assert 'value="欧阳小明"' in asked.text            # what the operator typed is kept
    assert 'id="confirm-failing" open' in asked.text
    unticked = client.post("/review", {"key": key, "override_reason": "核对过原件"})
    assert unticked.status_code == 422                # a reason without the confirmation
    blank = client.post("/review", {"key": key, "confirm_failing": "yes",
                                    "override_reason": "  "})
    assert blank.status_code == 422                   # the confirmation without a reason
    preview = client.post("/checks", {"key": key})
    assert preview.status_code == 200 and 'id="confirm-hint"' in preview.text
    saved = client.post("/review", {"key": key, "confirm_failing": "yes",
                                    "override_reason": "与原件核对，号码为第二代证旧号"})
    assert saved.status_code == 303
    review = json.loads(bucket.get_object(key + ".review.json").read())
    assert Signer([SIGNING_KEY]).verify(review, bucket.bucket_name, key)
    assert review["checks_passed"] is False and review["decision"] == "approved"
    assert review["override"]["reason"] == "与原件核对，号码为第二代证旧号"
    assert "face.number_format" in review["override"]["failed_checks"]
    page = client.get("/detail", key=key).text
    assert 'id="override"' in page and "与原件核对，号码为第二代证旧号" in page
    assert not any("与原件核对" in line for line in logs)  # the reason stays in the review
    line = [line for line in parsed(logs) if line["message"] == "review saved"][0]
    assert line["override"] is True


def test_counts_follow_every_review_in_every_session(mutable):
    client, bucket, keys = mutable
    client.get("/")
    counting = client.server.console.counting
    deadline = time.monotonic() + 30
    while not counting.counts.finished:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    before = counting.counts
    failing = {review_bucket.key_for("checks_failed", i) for i in range(2)}
    waiting = len(failing | set(review_bucket.warned(bucket, keys)))
    assert (before.reviewed, before.needs_review) == (0, waiting)
    client.post("/review", {"key": review_bucket.key_for("ok", 0)})
    client.post("/review", {"key": review_bucket.key_for("checks_failed", 1),
                            "confirm_failing": "yes", "override_reason": "原件一致"})
    counts = counting.counts
    ok_0_waited = review_bucket.key_for("ok", 0) in review_bucket.warned(bucket, keys)
    assert (counts.reviewed, counts.needs_review, counts.rows) == \
        (2, waiting - 1 - ok_0_waited, before.rows)
    assert counts.by_status == before.by_status      # a review changes no result
    fresh = Client(client.server)                    # a new session sees the same
    text = fresh.get("/counts").text
    assert re.search(r'reviewed=yes">[^<]*<b>2</b>', text)
    assert re.search(rf'needs_review=1">[^<]*<b>{counts.needs_review}</b>', text)


def test_counts_revised_while_the_count_runs_are_counted_once(mutable):
    from idcard_ocr.ops.review.jobs import Counting

    client, bucket, keys = mutable
    catalog = client.server.console.catalog
    key = review_bucket.key_for("checks_failed", 0)
    before = catalog.row(key)
    counting = Counting(catalog)
    counting.start()
    client.post("/review", {"key": key, "confirm_failing": "yes", "override_reason": "r"})
    counting.revise(before, catalog.row(key))  # ahead of the count, or behind it: either way
    deadline = time.monotonic() + 30
    while not counting.counts.finished:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert counting.counts.reviewed == 1 and counting.counts.rows == len(keys)


def test_the_language_follows_the_browser_until_the_switch_chooses(mutable):
    client, bucket, keys = mutable
    session = client.server.session_url  # the session is in the path: no cookie carries it

    def title(accept, cookies=None):
        page = requests.get(session, cookies=cookies,
                            headers={"Accept-Language": accept} if accept else {})
        assert page.headers["vary"] == "Accept-Language"
        return re.search(r"<title>([^<]*)</title>", page.text).group(1)

    assert title("en-US,en;q=0.9,zh-CN;q=0.8") == "ID card results review"
    assert title("zh-CN,zh;q=0.9,en;q=0.8") == "身份证识别结果审核"
    assert title("fr-FR, en;q=0.5") == "ID card results review"
    assert title("en;q=0, zh;q=0.1") == "身份证识别结果审核"
    assert title("de") == title(None) == title("x" * 5000) == "身份证识别结果审核"
    switched = requests.get(session + "lang?to=zh&next=/", allow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"].startswith(client.server.console.access.session_root)
    assert title("en-US", cookies={"lang": switched.cookies["lang"]}) == "身份证识别结果审核"


def test_the_chinese_console_speaks_chinese_and_china_time(mutable):
    client, bucket, keys = mutable
    key = review_bucket.key_for("checks_failed", 0)
    result = json.loads(bucket.get_object(key + ".json").read())
    detail = client.get("/detail", key=key).text
    assert "校验码不符（GB 11643-1999）" in detail and "check character does not" not in detail
    listing = client.get("/").text
    assert "调用次数用完 (quota_exhausted)" in listing     # the error-code menu
    moment = datetime.fromisoformat(result["processed_at"].replace("Z", "+00:00"))
    china = (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert f"{china} (北京时间, UTC+8)" in detail and f"{china} (北京时间, UTC+8)" in listing
    quota = client.get("/detail", key=review_bucket.key_for("quota", 0)).text
    assert "调用次数用完" in quota and "原始信息（英文）" in quota
    english = client.get("/lang", to="en", next="/detail?key=" + key).text
    assert "the check character does not match" in english and "China time, UTC+8" in english


def test_a_sheet_failing_on_its_back_is_failed_in_the_list_and_shown_whole(mutable, ocr_api,
                                                                           env):
    from idcard_ocr import handle
    from tests.conftest import fc_context, oss_event

    client, bucket, keys = mutable
    key = "idcards/身份证复印件 0012.jpg"
    ocr_api.reset()
    ocr_api.state.face = dict(review_bucket.truth(review_bucket.FACES[0]),
                              sides_found=["face", "back"])
    birth = ocr_api.state.face["birth"]
    start = str(int(birth[:4]) + 30) + "0610"  # 30 years old: 20 years are due, 5 are printed
    ocr_api.state.back = dict(ocr_api.state.back, start_date=start,
                              end_date=str(int(start[:4]) + 5) + "0610")
    handle(oss_event(bucket.bucket_name, upload(bucket, key, images.card_jpeg())),
           fc_context(), env)
    ocr_api.reset()
    row = {r["key"]: r for r in client.rows()}[key]
    assert row["label"] == "ok:checks_failed"
    listing = client.get("/", status="checks_failed").text
    assert 'data-check="back.validity_length"' in listing and "国徽面·有效期长度" in listing
    detail = client.get("/detail", key=key).text
    assert 'data-side="back"' in detail and 'class="fields other-side"' in detail
    assert "该年龄的持证人有效期应为 20 年" in detail
    assert 'class="sheet-verdict" data-passed="no"' in detail


@pytest.mark.parametrize("kind, data, status", [
    ("quota", {}, 409),                                     # an error has nothing to approve
    ("planted", {}, 409),                                   # not signed by the function
    ("pending", {}, 409),                                   # no result yet
    ("ok", {"field.name": "a\u0000b"}, 400),                # control characters
    ("ok", {"field.name": "长" * 201}, 400),                 # too long
])
def test_reviews_that_cannot_be_written_are_refused(mutable, kind, data, status):
    client, bucket, keys = mutable
    key = review_bucket.key_for(kind, 0)
    assert client.post("/review", dict(data, key=key)).status_code == status
    assert not bucket.object_exists(key + ".review.json")


def test_an_unsigned_review_is_not_believed(mutable):
    client, bucket, keys = mutable
    key = review_bucket.key_for("ok", 0)
    bucket.put_object(key + ".review.json", json.dumps(
        {"kind": "review", "decision": "approved", "source": {"key": key}}).encode())
    assert {r["key"]: r for r in client.rows()}[key]["reviewed"] == "no"


def test_reprocessing_replaces_the_result_and_outdates_its_review(mutable, ocr_api):
    client, bucket, keys = mutable
    key = review_bucket.key_for("quota", 0)
    done = client.post("/reprocess", {"key": key})
    assert done.status_code == 303 and "outcome=ok" in done.headers["location"]
    assert json.loads(bucket.get_object(key + ".json").read())["status"] == "ok"
    ok_key = review_bucket.key_for("ok", 0)
    client.post("/review", {"key": ok_key})
    client.post("/reprocess", {"key": ok_key})
    row = {r["key"]: r for r in client.rows()}[ok_key]
    assert row["reviewed"] == "no"  # the review judged the result before this one
    assert bucket.object_exists(ok_key + ".review.json")


def test_reprocessing_the_filtered_set_goes_through_backfill(mutable, ocr_api):
    client, bucket, keys = mutable
    started = client.post("/reprocess-filtered", {"status": "error",
                                                  "error_code": "quota_exhausted"})
    assert started.status_code == 303
    console = client.server.console
    deadline = time.monotonic() + 30
    while not (console.reprocessor.job and console.reprocessor.job.finished):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert console.reprocessor.job.report.done == {"ok": 3}
    assert len(ocr_api.requests) == 3  # only the filtered set was sent
    assert "finished" in client.get("/job").text or "已完成" in client.get("/job").text
    assert not client.rows(error_code="quota_exhausted")


def test_export_is_report_csv_with_corrections_applied_and_marked(mutable):
    client, bucket, keys = mutable
    key = review_bucket.key_for("checks_failed", 1)
    client.post("/review", {"key": key, "field.name": "欧阳小明", "confirm_failing": "yes",
                            "override_reason": "号码与原件核对一致"})
    masked = client.get("/export.csv", status="checks_failed").content.decode("utf-8")
    assert "欧阳小明" not in masked and "欧***" in masked  # the pages' masking, by default
    response = client.post("/export.csv", {"status": "checks_failed"})  # an action, logged
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert tuple(rows[0]) == (*CSV_COLUMNS, "review")
    by_key = {row["key"]: row for row in rows}
    assert set(by_key) == {review_bucket.key_for("checks_failed", i) for i in range(2)}
    assert by_key[key]["name"] == "欧阳小明" and by_key[key]["review"] == "corrected: name"
    other = by_key[review_bucket.key_for("checks_failed", 0)]
    assert other["name"] == answer("checks_failed", 0)["name"] and other["review"] == ""


# Confinement and hostile inputs ---------------------------------------------------------------

@pytest.mark.parametrize("key", [
    "other/ok-00-face.jpg",                 # outside the prefix
    "idcards/../other/x.jpg",               # a '..' segment
    "idcards/./ok-00-face.jpg",
    "idcards/ok-00-face.jpg.json",          # our own output, not a photo
    "idcards/ok-00-face.jpg.review.json",
    "idcards/readme.txt",                   # not an image ending
    "idcards/a\u0000.jpg",
    "",
])
def test_keys_outside_the_prefix_or_not_photos_are_refused(reader, key):
    assert reader.get("/detail", key=key).status_code == 400
    assert reader.get("/image", key=key, kind="photo").status_code == 400


def test_encoded_slashes_are_the_keys_they_decode_to(reader):
    url = reader.server.session_url
    assert reader.http.get(url + "image?key=idcards%2F..%2Fsecret.jpg").status_code == 400
    encoded = review_bucket.key_for("ok", 0).replace("/", "%2F")
    assert reader.http.get(url + "image?key=" + encoded).status_code == 200
    assert reader.http.get(url + "static/..%2Fweb.py").status_code == 404
    assert reader.get("/image", key=review_bucket.key_for("ok", 0), kind="../../x"
                      ).status_code == 400
    assert reader.get("/detail", key="idcards/missing-face.jpg").status_code == 404


def test_pictures_are_thumbnails_views_and_crops(reader):
    thumb = reader.get("/image", key=review_bucket.key_for("ok", 0), kind="thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    from PIL import Image

    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 240
    crop = reader.get("/image", key=review_bucket.key_for("cropped", 0), kind="card")
    assert crop.status_code == 200
    none = reader.get("/image", key=review_bucket.key_for("ok", 0), kind="portrait")
    assert none.status_code == 422 and b"not_found" in none.content
    invalid = reader.get("/image", key=review_bucket.key_for("invalid", 0), kind="thumb")
    assert invalid.status_code == 422 and b"invalid_image" in invalid.content
    assert invalid.headers["content-type"] == "image/svg+xml"


def test_hostile_images_end_in_a_placeholder_not_a_decode(mutable):
    client, bucket, keys = mutable
    upload(bucket, "idcards/bomb-face.png", images.big_png(20_000, 20_000))
    upload(bucket, "idcards/wide-face.png", images.big_png(9_000, 9_000, color_type=6))
    upload(bucket, "idcards/torn-face.jpg", images.card_jpeg()[:3000])
    for key, code in (("idcards/bomb-face.png", b"image_too_large"),
                      ("idcards/wide-face.png", b"image_too_large"),   # over the budget
                      ("idcards/torn-face.jpg", b"invalid_image")):
        for kind in ("thumb", "photo"):
            answer = client.get("/image", key=key, kind=kind)
            assert answer.status_code == 422 and code in answer.content, (key, kind)


def test_odd_keys_are_listed_escaped_and_reachable(mutable):
    client, bucket, keys = mutable
    odd = 'idcards/<img src=x onerror=alert(1)> 张+%41 "q"-face.jpg'
    upload(bucket, odd, images.card_jpeg())
    page = client.get("/").text
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert odd in [r["key"] for r in client.rows()]
    assert client.get("/detail", key=odd).status_code == 200
    assert client.get("/image", key=odd, kind="thumb").status_code == 200


def test_language_switch_and_no_open_redirect(reader):
    english = reader.http.get(reader.server.session_url + "lang?to=en&next=//attacker.example/")
    assert english.url == reader.server.session_url
    assert "Reprocess the filtered set" in english.text
    reader.http.get(reader.server.session_url + "lang?to=zh")


def test_reprocessing_can_hand_the_set_to_the_deployed_function(bucket, env, ocr_api):
    from idcard_ocr.io.oss import Credentials
    from tests.fakes.fc_api import FcServer

    review_bucket.fill(bucket, env, ocr_api, {"ok": 1, "quota": 2})
    before = len(ocr_api.requests)
    app = App.from_environment(env)
    with FcServer() as fc:
        invoker = backfill.Invoker(fc.endpoint, "idcard-ocr", Credentials.resolve(None, env))
        console = build_console(app, bucket.bucket_name, "idcards/", "tester", invoker, None)
        with ConsoleServer(console, "127.0.0.1", 0) as server:
            client = Client(server)
            client.post("/reprocess-filtered", {"error_code": "quota_exhausted"})
            deadline = time.monotonic() + 30
            while not (console.reprocessor.job and console.reprocessor.job.finished):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert console.reprocessor.job.report.done == {"invoked": 2}
        invoked = {i.payload["events"][0]["oss"]["object"]["key"] for i in fc.invocations}
        assert {i.invocation_type for i in fc.invocations} == {"Async"}
    assert invoked == {review_bucket.key_for("quota", i) for i in range(2)}
    assert len(ocr_api.requests) == before  # the function does the work, not the console
