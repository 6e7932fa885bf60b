"""The shipped template.yml: its structure, and that no key the function writes can trigger it."""

import os
import re

import pytest
import yaml

from idcard_ocr.config import Settings
from idcard_ocr.io.keys import is_image_key
from idcard_ocr.io.results import ResultLocation
from tests.conftest import ROOT

with open(os.path.join(ROOT, "template.yml"), encoding="utf-8") as f:
    TEMPLATE = yaml.safe_load(f)
SERVICE = TEMPLATE["Resources"]["idcard-ocr"]
FUNCTION = SERVICE["idcard-ocr"]
PROPS = FUNCTION["Properties"]
TRIGGERS = FUNCTION["Events"]


def test_transform_and_types():
    assert TEMPLATE["ROSTemplateFormatVersion"] == "2015-09-01"
    assert TEMPLATE["Transform"] == "Aliyun::Serverless-2018-04-03"
    assert SERVICE["Type"] == "Aliyun::Serverless::Service"
    assert FUNCTION["Type"] == "Aliyun::Serverless::Function"


def test_function_points_at_the_deployed_directory():
    assert PROPS["Handler"] == "index.handler"
    assert PROPS["Runtime"] in ("python3.9", "python3.10", "python3.12")
    code = os.path.join(ROOT, PROPS["CodeUri"])
    assert os.path.isfile(os.path.join(code, "index.py"))
    assert os.path.isfile(os.path.join(code, "requirements.txt"))
    assert os.path.isdir(os.path.join(code, "idcard_ocr"))
    assert 128 <= PROPS["MemorySize"] <= 3072 and 30 <= PROPS["Timeout"] <= 600


def test_appcode_is_a_noecho_parameter_and_nothing_secret_is_inline():
    assert TEMPLATE["Parameters"]["OcrAppCode"]["NoEcho"] is True
    assert PROPS["EnvironmentVariables"]["OCR_APPCODE"] == {"Ref": "OcrAppCode"}


def _resolve(value, parameters):
    """Parameter defaults substituted into Ref / Fn::Sub, pseudo parameters made up."""
    pseudo = {"ALIYUN::Region": "cn-hangzhou", "ALIYUN::AccountId": "123456789"}
    if isinstance(value, dict) and "Ref" in value:
        return parameters[value["Ref"]]
    if isinstance(value, dict) and "Fn::Sub" in value:
        names = dict(parameters, **pseudo)
        return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], value["Fn::Sub"])
    return value


@pytest.mark.parametrize("output", TEMPLATE["Parameters"]["Output"]["AllowedValues"])
def test_environment_is_a_valid_configuration(output):
    parameters = {name: spec.get("Default") for name, spec in TEMPLATE["Parameters"].items()}
    parameters.update(Output=output, OcrAppCode="placeholder")
    env = {k: _resolve(v, parameters) for k, v in PROPS["EnvironmentVariables"].items()}
    settings = Settings.from_env(env)
    assert settings.outputs == tuple(sorted(output.split(",")))
    if settings.sends_messages:
        assert settings.mns_endpoint == "https://123456789.mns.cn-hangzhou-internal.aliyuncs.com"
        assert settings.mns_queue == parameters["ResultQueueName"]


def test_queues_and_the_dead_letter_destination():
    resources = TEMPLATE["Resources"]
    assert resources["ResultQueue"]["Type"] == "ALIYUN::MNS::Queue"
    assert resources["ResultQueue"]["Properties"]["QueueName"] == {"Ref": "ResultQueueName"}
    assert resources["DeadLetterQueue"]["Properties"]["QueueName"] == \
        {"Ref": "DeadLetterQueueName"}
    on_failure = PROPS["AsyncConfiguration"]["Destination"]["OnFailure"]["Fn::Sub"]
    assert on_failure == ("acs:mns:${ALIYUN::Region}:${ALIYUN::AccountId}:"
                          "/queues/${DeadLetterQueueName}/messages")


def test_async_configuration_bounds_retries_and_event_age():
    config = PROPS["AsyncConfiguration"]
    assert 0 <= config["MaxAsyncRetryAttempts"] <= 8
    assert 1 <= config["MaxAsyncEventAgeInSeconds"] <= 604800


def test_role_is_least_privilege():
    statements = SERVICE["Properties"]["Policies"][0]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert actions == {"oss:GetObject", "oss:PutObject", "mns:SendMessage",
                       "log:PostLogStoreLogs"}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for resource in statement["Resource"]:
            text = resource["Fn::Sub"]
            assert text not in ("*", "acs:oss:*:*:*"), "no account-wide grants"
    [send] = [s for s in statements if "mns:SendMessage" in s["Action"]]
    queues = {r["Fn::Sub"].split("/queues/")[1] for r in send["Resource"]}
    assert queues == {"${ResultQueueName}/messages", "${DeadLetterQueueName}/messages"}
    [put] = [s for s in statements if "oss:PutObject" in s["Action"]]
    assert put["Resource"][0]["Fn::Sub"].endswith("*" + PROPS["EnvironmentVariables"]["RESULT_SUFFIX"])
    assert put["Resource"][1]["Fn::Sub"].endswith("/${CropPrefix}*")


def test_triggers_listen_only_to_finished_objects_under_the_prefix():
    assert TRIGGERS
    for trigger in TRIGGERS.values():
        assert trigger["Type"] == "OSS"
        props = trigger["Properties"]
        assert props["BucketName"] == {"Ref": "BucketName"}
        for name in props["Events"]:
            assert re.fullmatch(r"oss:ObjectCreated:(PutObject|PostObject|CopyObject|"
                                r"CompleteMultipartUpload|AppendObject|PutSymlink)", name)
        assert props["Filter"]["Key"]["Prefix"] == {"Ref": "UploadPrefix"}


def _matches(trigger_filter, key, upload_prefix):
    prefix = upload_prefix if trigger_filter.get("Prefix") == {"Ref": "UploadPrefix"} \
        else trigger_filter.get("Prefix", "")
    return key.startswith(prefix) and key.endswith(trigger_filter.get("Suffix", ""))


@pytest.mark.parametrize("key", ["idcards/a.jpg", "idcards/b.JPG", "idcards/c.jpeg",
                                 "idcards/d.png", "idcards/e.heic", "idcards/F.HEIC",
                                 "idcards/张三 正面.jpg", "idcards/x.jpg.json"])
def test_no_key_the_function_writes_can_match_a_trigger(key):
    """Every trigger has an image suffix; every written key ends with RESULT_SUFFIX."""
    suffix = PROPS["EnvironmentVariables"]["RESULT_SUFFIX"]
    prefix = TEMPLATE["Parameters"]["UploadPrefix"]["Default"]
    crop_prefix = TEMPLATE["Parameters"]["CropPrefix"]["Default"]
    assert not crop_prefix.startswith(prefix) and not prefix.startswith(crop_prefix)
    naming = ResultLocation(suffix=suffix, crop_prefix=crop_prefix)
    written = [naming.result_key(key), naming.crop_key(key, ".card.jpg"),
               naming.crop_key(key, ".portrait.jpg")]
    for name, trigger in TRIGGERS.items():
        key_filter = trigger["Properties"]["Filter"]["Key"]
        assert key_filter.get("Suffix"), f"{name} needs a suffix filter to rule out loops"
        assert is_image_key("x" + key_filter["Suffix"])
        assert not suffix.endswith(key_filter["Suffix"])
        assert not key_filter["Suffix"].endswith(suffix)
        for output in written:
            assert not _matches(key_filter, output, prefix), f"{output} would trigger {name}"


def test_triggers_cover_what_phones_upload():
    suffixes = {t["Properties"]["Filter"]["Key"]["Suffix"] for t in TRIGGERS.values()}
    assert {".jpg", ".JPG", ".jpeg", ".png", ".heic", ".HEIC"} <= suffixes
    assert len(TRIGGERS) <= 10  # OSS allows 10 triggers per bucket


# s.yaml (Serverless Devs, fc3) must describe the same function ------------------------------

with open(os.path.join(ROOT, "s.yaml"), encoding="utf-8") as f:
    S_YAML = yaml.safe_load(f)
S_PROPS = S_YAML["resources"]["idcard-ocr"]["props"]


def test_s_yaml_function_settings_match_the_template():
    assert S_YAML["resources"]["idcard-ocr"]["component"] == "fc3"
    assert S_PROPS["runtime"] == PROPS["Runtime"] and S_PROPS["handler"] == PROPS["Handler"]
    assert S_PROPS["memorySize"] == PROPS["MemorySize"]
    assert S_PROPS["timeout"] == PROPS["Timeout"]
    assert os.path.normpath(S_PROPS["code"]) == os.path.normpath(PROPS["CodeUri"])
    template_env, s_env = PROPS["EnvironmentVariables"], S_PROPS["environmentVariables"]
    assert set(s_env) == set(template_env)
    for name, value in template_env.items():
        if isinstance(value, str):
            assert s_env[name] == value, name
    assert s_env["OCR_API_URL"] == TEMPLATE["Parameters"]["OcrApiUrl"]["Default"]
    for name, parameter in (("OUTPUT", "Output"), ("MNS_FIELDS", "MnsFields"),
                            ("SAVE_CROPS", "SaveCrops")):
        assert s_env[name] == TEMPLATE["Parameters"][parameter]["Default"]
    config = S_PROPS["asyncInvokeConfig"]
    assert config["maxAsyncRetryAttempts"] == PROPS["AsyncConfiguration"]["MaxAsyncRetryAttempts"]
    assert config["maxAsyncEventAgeInSeconds"] == \
        PROPS["AsyncConfiguration"]["MaxAsyncEventAgeInSeconds"]
    assert "/queues/" in config["destinationConfig"]["onFailure"]["destination"]


def test_s_yaml_triggers_match_the_template():
    s_triggers = {t["triggerName"]: t for t in S_PROPS["triggers"]}
    assert set(s_triggers) == set(TRIGGERS)
    assert S_YAML["vars"]["uploadPrefix"] == TEMPLATE["Parameters"]["UploadPrefix"]["Default"]
    assert S_YAML["vars"]["cropPrefix"] == TEMPLATE["Parameters"]["CropPrefix"]["Default"]
    for name, trigger in TRIGGERS.items():
        s_trigger = s_triggers[name]
        assert s_trigger["triggerType"] == "oss"
        assert s_trigger["triggerConfig"]["events"] == trigger["Properties"]["Events"]
        s_filter = s_trigger["triggerConfig"]["filter"]["key"]
        assert s_filter["suffix"] == trigger["Properties"]["Filter"]["Key"]["Suffix"]
        assert s_filter["prefix"] == "${vars.uploadPrefix}"
