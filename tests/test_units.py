"""Settings, events, key naming and masking on their own."""

import json

import pytest

from idcard_ocr.config import MARKETPLACE_URL, Settings
from idcard_ocr.errors import ConfigError
from idcard_ocr.io.events import EventError, parse_event
from idcard_ocr.card.keys import side_from_name
from idcard_ocr.io.results import ResultLocation
from idcard_ocr.card.privacy import mask_fields, mask_number, scrub
from tests.conftest import load_event


def test_defaults_for_the_marketplace():
    settings = Settings.from_env({"OCR_APPCODE": "abc"})
    assert settings.api_url == MARKETPLACE_URL and settings.timeout_s == 10
    assert settings.card_side == "auto" and settings.result_suffix == ".json"
    assert "abc" not in repr(settings)


# FC sets FC_REGION, FC_FUNCTION_NAME, FC_INSTANCE_ID... in every instance (aliyun-facts.md, "FC
# runtime environment"); OSS's internal endpoint resolves only inside Alibaba Cloud.
@pytest.mark.parametrize("fc_variable", ["FC_REGION", "FC_FUNCTION_NAME", "FC_INSTANCE_ID"])
def test_inside_function_compute_the_oss_endpoint_is_the_internal_one(fc_variable):
    env = {"OCR_APPCODE": "abc", fc_variable: "cn-shanghai" if fc_variable == "FC_REGION" else "x"}
    assert Settings.from_env(env).oss_endpoint_for("cn-shanghai") == \
        "https://oss-cn-shanghai-internal.aliyuncs.com"


def test_outside_function_compute_the_oss_endpoint_is_the_public_one():
    settings = Settings.from_env({"OCR_APPCODE": "abc"})
    assert settings.oss_endpoint_for("cn-shanghai") == "https://oss-cn-shanghai.aliyuncs.com"
    assert Settings.from_env({"OCR_APPCODE": "abc", "OSS_ENDPOINT": "http://127.0.0.1:9"}) \
        .oss_endpoint_for("cn-shanghai") == "http://127.0.0.1:9"


def test_self_hosted_engine_needs_no_appcode():
    assert Settings.from_env({"OCR_API_URL": "http://127.0.0.1:8080/x"}).appcode is None


@pytest.mark.parametrize("env, variable", [
    ({}, "OCR_APPCODE"),
    ({"OCR_APPCODE": "has space"}, "OCR_APPCODE"),
    ({"OCR_APPCODE": "a", "OCR_TIMEOUT_S": "-1"}, "OCR_TIMEOUT_S"),
    ({"OCR_APPCODE": "a", "OCR_MAX_ATTEMPTS": "2.5"}, "OCR_MAX_ATTEMPTS"),
    ({"OCR_APPCODE": "a", "OCR_REQUEST_FORMAT": "xml"}, "OCR_REQUEST_FORMAT"),
    ({"OCR_APPCODE": "a", "RESULT_SUFFIX": "json"}, "RESULT_SUFFIX"),
    ({"OCR_APPCODE": "a", "RESULT_SUFFIX": ".HEIC"}, "RESULT_SUFFIX"),
    ({"OCR_APPCODE": "a", "RESULT_ENCRYPTION": "rot13"}, "RESULT_ENCRYPTION"),
    ({"OCR_APPCODE": "a", "IMAGE_MAX_SIDE": "100"}, "IMAGE_MAX_SIDE"),
    ({"OCR_APPCODE": "a", "OSS_ENDPOINT": "oss-cn-hangzhou.aliyuncs.com"}, "OSS_ENDPOINT"),
])
def test_invalid_settings_name_the_variable(env, variable):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    assert raised.value.variable == variable and str(raised.value).startswith("config_invalid: " + variable)


def test_missing_region_and_endpoint():
    with pytest.raises(ConfigError, match="OSS_ENDPOINT"):
        Settings.from_env({"OCR_APPCODE": "a"}).oss_endpoint_for(None)


def test_event_as_bytes_str_and_dict():
    event = load_event("two-records.json")
    for form in (json.dumps(event).encode(), json.dumps(event), event):
        records = parse_event(form)
        assert [r.key for r in records] == ["idcards/applicant-0002-face.jpg",
                                            "idcards/applicant-0002-back.jpg"]
        assert records[0].etag == "0A1B2C3D4E5F60718293A4B5C6D70003"
        assert records[0].is_finished_object and records[0].region == "cn-hangzhou"


def test_shipped_events_parse():
    assert parse_event(load_event("odd-key.json"))[0].key == "idcards/王 小明 正面+(1)%20.jpg"
    assert not parse_event(load_event("delete.json"))[0].is_finished_object


@pytest.mark.parametrize("event", [b"not json", b"{}", b'{"events": [{"oss": {}}]}', b"[]"])
def test_malformed_events(event):
    with pytest.raises(EventError):
        parse_event(event)


def test_quoted_lower_case_etag_is_normalised():
    event = load_event("face-upload.json")
    event["events"][0]["oss"]["object"]["eTag"] = '"688a7bf4f233dc9c88a80bf985ab0001"'
    assert parse_event(event)[0].etag == "688A7BF4F233DC9C88A80BF985AB0001"


@pytest.mark.parametrize("key, side", [
    ("a/zhang-face.jpg", "face"), ("a/Front.JPG", "face"), ("a/张三正面.jpg", "face"),
    ("a/人像面.png", "face"), ("a/zhang_back.jpg", "back"), ("a/BACK-2.jpg", "back"),
    ("a/国徽面.jpg", "back"), ("a/反面.heic", "back"), ("a/scan1.jpg", None),
    ("backup/scan.jpg", None), ("facebook/x.jpg", None), ("a/face-and-back.jpg", None),
    ("a/backside.jpg", None),
])
def test_side_from_name(key, side):
    assert side_from_name(key) == side


def test_output_naming():
    naming = ResultLocation(suffix=".json", prefix="results/")
    assert naming.result_key("a/b.jpg") == "results/a/b.jpg.json"
    assert naming.is_output("results/a/b.jpg") and naming.is_output("x.json")
    assert not naming.is_output("a/b.jpg")


def test_masking():
    assert mask_number("330110199003072313") == "3301**********2313"
    assert scrub("key idcards/330110199003072313-face.jpg") == \
        "key idcards/3301**********2313-face.jpg"
    assert scrub("Authorization: APPCODE abcdef") == "Authorization: APPCODE ***"
    masked = mask_fields({"name": "欧阳晓明", "num": "33011019900307231X", "birth": "19900307",
                          "address": "浙江省杭州市", "sex": "男"})
    assert masked == {"name": "欧***", "num": "3301**********231X", "birth": "********",
                      "address": "浙*****", "sex": "男"}


def test_local_engine_needs_no_appcode_even_for_the_marketplace_url():
    settings = Settings.from_env({"OCR_ENGINE": "local"})
    assert settings.ocr_engine == "local" and settings.appcode is None
    with pytest.raises(ConfigError, match="OCR_ENGINE"):
        Settings.from_env({"OCR_ENGINE": "gpu", "OCR_APPCODE": "a"})
