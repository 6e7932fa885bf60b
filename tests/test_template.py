"""The shipped template.yml: what it deploys for every option, least privilege, and that no key
the function writes can trigger it. (ROS CDK's own checks: test_deploy_ros.py.)"""

import json
import re

import pytest

from idcard_ocr.config import Settings
from idcard_ocr.card.keys import is_image_key
from idcard_ocr.io.results import ResultLocation
from tests import ros

pytestmark = pytest.mark.deploy
TEMPLATE = ros.load()
DEFAULT = ros.variant(TEMPLATE)
FUNCTION = DEFAULT["Resources"]["Function"]["Properties"]
IMAGE_SUFFIXES = [".jpg", ".JPG", ".jpeg", ".png", ".heic", ".HEIC"]
FINISHED = re.compile(r"oss:ObjectCreated:(PutObject|PostObject|CopyObject|"
                      r"CompleteMultipartUpload|AppendObject|PutSymlink)")


def _variant_id(v):
    return "-".join(f"{k}={v[k] or 'none'}" for k in v)


def _statements(role_or_policy):
    props = role_or_policy["Properties"]
    docs = [p["PolicyDocument"] for p in props.get("Policies", [])]
    docs += [props["PolicyDocument"]] if "PolicyDocument" in props else []
    return [s for d in docs for s in d["Statement"]]


def _grants(resources, **overrides):
    """{action: [resource strings]} over every role and managed policy of a variant."""
    var = ros.variant(TEMPLATE, **overrides)
    out = {}
    for name, body in var["Resources"].items():
        if body["Type"] in ("ALIYUN::RAM::Role", "ALIYUN::RAM::ManagedPolicy") and name in resources:
            for statement in _statements(body):
                assert statement["Effect"] == "Allow"
                for action in statement["Action"]:
                    out.setdefault(action, []).extend(
                        ros.resolve(statement["Resource"], var["_parameters"]))
    return out


def test_native_ros_template_with_fc3_resources():
    assert TEMPLATE["ROSTemplateFormatVersion"] == "2015-09-01"
    assert "Transform" not in TEMPLATE
    kinds = {body["Type"] for body in TEMPLATE["Resources"].values()}
    assert {"ALIYUN::FC3::Function", "ALIYUN::FC3::Trigger", "ALIYUN::FC3::AsyncInvokeConfig",
            "ALIYUN::RAM::Role", "ALIYUN::RAM::ManagedPolicy", "ALIYUN::MNS::Queue",
            "ALIYUN::RandomString"} <= kinds
    assert not any(k.startswith("Aliyun::Serverless") for k in kinds)


def test_function_runs_the_packaged_handler():
    assert FUNCTION["Runtime"] == "python3.10" and FUNCTION["Handler"] == "index.handler"
    assert FUNCTION["Code"] == {"OssBucketName": {"Ref": "CodeBucket"},
                                "OssObjectName": {"Ref": "CodeObject"}}
    assert TEMPLATE["Parameters"]["CodeObject"]["Default"] == "idcard-ocr.zip"
    assert TEMPLATE["Parameters"]["EngineCodeObject"]["Default"] == "idcard-ocr-engine.zip"
    assert FUNCTION["MemorySize"] == 512 and FUNCTION["Timeout"] == 120
    assert FUNCTION["LogConfig"] == {"Project": {"Ref": "LogProject"},
                                     "Logstore": {"Ref": "LogStore"}}


def test_secrets_are_noecho_or_generated_never_typed():
    assert TEMPLATE["Parameters"]["OcrAppCode"]["NoEcho"] is True
    env = FUNCTION["EnvironmentVariables"]
    assert env["OCR_APPCODE"] == {"Ref": "OcrAppCode"}
    assert env["RESULT_SIGNING_KEY"] == {"Fn::GetAtt": ["SigningKey", "value"]}
    key = TEMPLATE["Resources"]["SigningKey"]
    assert key["Type"] == "ALIYUN::RandomString" and key["Properties"]["length"] >= 32
    engine_code = TEMPLATE["Resources"]["EngineAppCode"]
    assert engine_code["Type"] == "ALIYUN::RandomString"
    assert engine_code["Properties"]["length"] >= 32
    # No output shows a secret: none refers to the random strings or the AppCode parameter.
    for output in TEMPLATE["Outputs"].values():
        assert not ros.references(output["Value"]) & {"SigningKey", "EngineAppCode", "OcrAppCode"}


# What SigningKey (ALIYUN::RandomString, 48 letters and digits) generates: it passes the
# signing keys' entropy rule (docs/configuration.md).
GENERATED_KEY = "Zk7qW2mX9pL4vN8rT3yB6cH1jF5gD0sA2eU7iO4wQ9zX3nM8"


@pytest.mark.parametrize("output", TEMPLATE["Parameters"]["Output"]["AllowedValues"])
@pytest.mark.parametrize("options", ros.VARIANTS, ids=_variant_id)
def test_environment_is_a_valid_configuration(output, options):
    var = ros.variant(TEMPLATE, Output=output, **options)
    params = var["_parameters"]
    attributes = {("SigningKey", "value"): GENERATED_KEY, ("EngineAppCode", "value"): "e" * 40,
                  ("EngineHttpTrigger", "UrlInternet"):
                      "https://idcard-ocr-engine-abc.cn-hangzhou.fcapp.run"}
    env = ros.resolve(var["Resources"]["Function"]["Properties"]["EnvironmentVariables"],
                      params, attributes)
    assert all(isinstance(v, str) for v in env.values()), env
    secret = options["AppCodeSecretName"] and options["DeployEngine"] == "false"
    settings = Settings.from_env(env)
    assert settings.outputs == tuple(sorted(output.split(",")))
    if settings.sends_messages:
        assert settings.mns_endpoint == "https://123456789.mns.cn-hangzhou-internal.aliyuncs.com"
        assert settings.mns_queue == params["ResultQueueName"]
    if options["DeployEngine"] == "true":
        assert env["OCR_API_URL"] == ("https://idcard-ocr-engine-abc.cn-hangzhou.fcapp.run"
                                      "/rest/160601/ocr/ocr_idcard.json")
        assert settings.api_url == env["OCR_API_URL"] and settings.appcode == "e" * 40
        engine_env = ros.resolve(var["Resources"]["EngineFunction"]["Properties"]
                                 ["EnvironmentVariables"], params, attributes)
        assert engine_env["ENGINE_APPCODES"] == settings.appcode
        assert env["OCR_APPCODE_SECRET_NAME"] == ""
    elif secret:
        assert env["OCR_APPCODE"] == "" and env["OCR_APPCODE_SECRET_NAME"] == "idcard-ocr/appcode"
    else:
        assert settings.api_url == params["OcrApiUrl"] and settings.appcode == "placeholder"
        assert env["OCR_APPCODE_SECRET_NAME"] == ""
    assert env["RESULT_SIGNING_KEY"] == GENERATED_KEY


@pytest.mark.parametrize("options", ros.VARIANTS, ids=_variant_id)
def test_every_reference_exists_in_its_variant(options):
    """A resource or output of one option must not refer to a resource of another."""
    var = ros.variant(TEMPLATE, **options)
    known = set(var["Resources"]) | set(var["_parameters"]) | ros.pseudo_parameters()
    for section in ("Resources", "Outputs"):
        for name, body in var[section].items():
            missing = ros.references(body) - known
            assert not missing, f"{name} refers to {missing}"
            depends = body.get("DependsOn", [])
            for target in [depends] if isinstance(depends, str) else depends:
                assert target in var["Resources"], f"{name} depends on absent {target}"
    ros.attribute_check(var)


def test_queues_and_the_dead_letter_destination():
    resources = DEFAULT["Resources"]
    assert resources["ResultQueue"]["Properties"]["QueueName"] == {"Ref": "ResultQueueName"}
    assert resources["DeadLetterQueue"]["Properties"]["QueueName"] == \
        {"Ref": "DeadLetterQueueName"}
    config = resources["AsyncInvokeConfig"]
    assert "DeadLetterQueue" in config["DependsOn"]
    on_failure = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]["Fn::Sub"]
    assert on_failure == ("acs:mns:${ALIYUN::Region}:${ALIYUN::TenantId}:"
                          "/queues/${DeadLetterQueueName}/messages")
    assert config["Properties"]["FunctionName"] == {"Fn::GetAtt": ["Function", "FunctionName"]}
    assert config["Properties"]["MaxAsyncRetryAttempts"] == 2
    assert config["Properties"]["MaxAsyncEventAgeInSeconds"] == 86400


@pytest.mark.parametrize("options", ros.VARIANTS, ids=_variant_id)
def test_function_role_is_least_privilege(options):
    grants = _grants({"FunctionRole", "AppCodeSecretPolicy"}, **options)
    bucket = "acs:oss:*:*:idcards-demo/"
    expected = {
        "oss:GetObject": [bucket + "idcards/*"],
        "oss:PutObject": [bucket + "idcards/*.json", bucket + "idcard-crops/*"],
        "oss:DeleteObject": [bucket + "idcards/*.claim.json"],
        "mns:SendMessage": ["acs:mns:cn-hangzhou:123456789:/queues/idcard-ocr-results/messages",
                            "acs:mns:cn-hangzhou:123456789:/queues/idcard-ocr-dead-letters/messages"],
        "log:PostLogStoreLogs": ["acs:log:cn-hangzhou:123456789:project/idcard-ocr-123456789"
                                 "/logstore/idcard-ocr"],
    }
    if options["AppCodeSecretName"] and options["DeployEngine"] == "false":
        expected["kms:GetSecretValue"] = [
            "acs:kms:cn-hangzhou:123456789:secret/idcard-ocr/appcode"]
        expected["kms:Decrypt"] = ["acs:kms:cn-hangzhou:123456789:key/key-hzz0123456789abcdef"]
    assert grants == expected
    # The put grant on .json is what results and claims need: both end in RESULT_SUFFIX.
    assert FUNCTION["EnvironmentVariables"]["RESULT_SUFFIX"] == ".json"
    role = ros.variant(TEMPLATE, **options)["Resources"]["FunctionRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"Service": ["fc.aliyuncs.com"]}}]


def test_oss_trigger_role_invokes_this_function_only():
    grants = _grants({"OssTriggerRole"})
    assert grants == {"fc:InvokeFunction": [
        "acs:fc:cn-hangzhou:123456789:functions/idcard-ocr",
        "acs:fc:cn-hangzhou:123456789:functions/idcard-ocr/*"]}
    trust = DEFAULT["Resources"]["OssTriggerRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": ["oss.aliyuncs.com"]}
    for trigger in _native_triggers().values():
        assert trigger["InvocationRole"] == {"Fn::GetAtt": ["OssTriggerRole", "Arn"]}


def test_engine_role_only_writes_logs():
    grants = _grants({"EngineRole"}, DeployEngine="true")
    assert set(grants) == {"log:PostLogStoreLogs"}


def test_uploader_policy_allows_only_image_endings_under_the_prefix():
    grants = _grants({"UploaderPolicy"})
    assert grants == {"oss:PutObject": [f"acs:oss:*:*:idcards-demo/idcards/*{suffix}"
                                        for suffix in IMAGE_SUFFIXES]}
    for resource in grants["oss:PutObject"]:
        for planted in ("idcards/a.jpg.json", "idcards/a.jpg.claim.json", "idcard-crops/x.jpg"):
            assert not _ram_match(resource, "acs:oss:*:*:idcards-demo/" + planted)
    assert DEFAULT["Outputs"]["UploaderPolicyName"]["Value"] == \
        {"Fn::GetAtt": ["UploaderPolicy", "PolicyName"]}


def _ram_match(pattern: str, resource: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), resource) is not None


def _native_triggers():
    return {body["Properties"]["TriggerName"]: body["Properties"]
            for body in DEFAULT["Resources"].values()
            if body["Type"] == "ALIYUN::FC3::Trigger" and body["Properties"]["TriggerType"] == "oss"}


def test_native_triggers_listen_only_to_finished_objects_under_the_prefix():
    triggers = _native_triggers()
    assert len(triggers) == 6 and len(triggers) <= 10  # OSS allows 10 rules per bucket
    for trigger in triggers.values():
        assert trigger["SourceArn"] == \
            {"Fn::Sub": "acs:oss:${ALIYUN::Region}:${ALIYUN::TenantId}:${BucketName}"}
        assert all(FINISHED.fullmatch(name) for name in trigger["TriggerConfig"]["events"])
        assert trigger["TriggerConfig"]["filter"]["key"]["prefix"] == {"Ref": "UploadPrefix"}
    assert sorted(t["TriggerConfig"]["filter"]["key"]["suffix"] for t in triggers.values()) == \
        sorted(IMAGE_SUFFIXES)


def test_native_triggers_are_created_one_after_another():
    names = [n for n, b in DEFAULT["Resources"].items() if b["Type"] == "ALIYUN::FC3::Trigger"]
    chain = {DEFAULT["Resources"][n]["DependsOn"][0] for n in names}
    assert len(chain) == len(names)  # each waits for a different predecessor


def _event_pattern(**overrides):
    var = ros.variant(TEMPLATE, TriggerKind="eventbridge", **overrides)
    [trigger] = [b["Properties"] for b in var["Resources"].values()
                 if b["Type"] == "ALIYUN::FC3::Trigger"]
    assert trigger["TriggerType"] == "eventbridge"
    config = ros.resolve(trigger["TriggerConfig"], var["_parameters"])
    assert config["asyncInvocationType"] is True  # FC's retries and dead-letter queue apply
    assert config["eventSourceConfig"] == {"eventSourceType": "Default"}
    return json.loads(config["eventRuleFilterPattern"])


def _pattern_matches(pattern, event) -> bool:
    """EventBridge's documented matching: keys AND, list items OR; exact, prefix, suffix."""
    for key, rule in pattern.items():
        if key not in event:
            return False
        if isinstance(rule, dict):
            if not isinstance(event[key], dict) or not _pattern_matches(rule, event[key]):
                return False
            continue
        value = event[key]
        if not any(item == value if not isinstance(item, dict) else
                   (value.startswith(item["prefix"]) if "prefix" in item else
                    value.endswith(item["suffix"])) for item in rule):
            return False
    return True


def _cloud_event(key, event_type="oss:ObjectCreated:PutObject", bucket="idcards-demo"):
    return {"specversion": "1.0", "id": "x", "source": "acs.oss", "type": event_type,
            "subject": f"acs:oss:cn-hangzhou:123456789:{bucket}/{key}",
            "data": {"eventName": event_type[4:], "oss": {"bucket": {"name": bucket},
                                                          "object": {"key": key}}}}


def test_eventbridge_pattern_selects_the_same_objects_as_the_native_triggers():
    pattern = _event_pattern()
    assert set(pattern) == {"source", "type", "subject", "data"}
    assert all(FINISHED.fullmatch(t) for t in pattern["type"])
    native = next(iter(_native_triggers().values()))["TriggerConfig"]["events"]
    assert sorted(pattern["type"]) == sorted(native)
    for suffix in IMAGE_SUFFIXES:
        assert _pattern_matches(pattern, _cloud_event(f"idcards/张三 正面{suffix}"))
    for event in (_cloud_event("other/a.jpg"), _cloud_event("idcards/a.pdf"),
                  _cloud_event("idcards/a.jpg", bucket="another-bucket"),
                  _cloud_event("idcards/a.jpg", "oss:ObjectRemoved:DeleteObject"),
                  _cloud_event("idcards/a.jpg", "oss:ObjectCreated:InitiateMultipartUpload")):
        assert not _pattern_matches(pattern, event), event["subject"]


def _written_keys(key):
    prefix = TEMPLATE["Parameters"]["UploadPrefix"]["Default"]
    crop_prefix = TEMPLATE["Parameters"]["CropPrefix"]["Default"]
    assert not crop_prefix.startswith(prefix) and not prefix.startswith(crop_prefix)
    naming = ResultLocation(suffix=FUNCTION["EnvironmentVariables"]["RESULT_SUFFIX"],
                            crop_prefix=crop_prefix)
    result = naming.result_key(key)
    etag = "0123456789ABCDEF0123456789ABCDEF"
    return [result, naming.claim_key(key, etag), naming.takeover_key(key, etag, etag),
            naming.crop_key(key, ".card.jpg"), naming.crop_key(key, ".portrait.jpg")]


@pytest.mark.parametrize("key", ["idcards/a.jpg", "idcards/b.JPG", "idcards/c.jpeg",
                                 "idcards/d.png", "idcards/e.heic", "idcards/F.HEIC",
                                 "idcards/张三 正面.jpg", "idcards/x.jpg.json"])
def test_no_key_the_function_writes_can_match_a_trigger(key):
    """Every trigger has an image suffix; results and claims end in .json; crops live
    outside the prefix. Checked for the native triggers and the EventBridge pattern."""
    prefix = TEMPLATE["Parameters"]["UploadPrefix"]["Default"]
    suffix = FUNCTION["EnvironmentVariables"]["RESULT_SUFFIX"]
    pattern = _event_pattern()
    for output in _written_keys(key):
        for name, trigger in _native_triggers().items():
            key_filter = trigger["TriggerConfig"]["filter"]["key"]
            assert is_image_key("x" + key_filter["suffix"])
            assert not suffix.endswith(key_filter["suffix"])
            assert not (output.startswith(prefix) and output.endswith(key_filter["suffix"])), \
                f"{output} would trigger {name}"
        assert not _pattern_matches(pattern, _cloud_event(output)), f"{output} matches EventBridge"


def test_engine_is_an_http_function_with_its_appcode_check_on():
    var = ros.variant(TEMPLATE, DeployEngine="true")
    engine = var["Resources"]["EngineFunction"]["Properties"]
    assert engine["Runtime"].startswith("custom")
    assert engine["CustomRuntimeConfig"]["Command"] == [
        "python3", "-m", "idcard_ocr", "serve", "--host", "0.0.0.0", "--port", "9000"]
    assert engine["CustomRuntimeConfig"]["Port"] == 9000
    assert engine["EnvironmentVariables"]["ENGINE_APPCODES"] == \
        {"Fn::GetAtt": ["EngineAppCode", "value"]}
    assert engine["InternetAccess"] is False
    assert engine["Code"]["OssObjectName"] == {"Ref": "EngineCodeObject"}
    assert 1 < engine["InstanceConcurrency"] <= 8
    assert engine["MemorySize"] >= 2048  # bench/README.md: peak RSS ~1.5 GB under load
    [http] = [b["Properties"] for b in var["Resources"].values()
              if b["Type"] == "ALIYUN::FC3::Trigger" and b["Properties"]["TriggerType"] == "http"]
    assert http["TriggerConfig"]["methods"] == ["POST"]
    assert "EngineUrl" in var["Outputs"] and "EngineUrl" not in DEFAULT["Outputs"]
    for name in ("EngineFunction", "EngineHttpTrigger", "EngineRole", "EngineAppCode"):
        assert name not in DEFAULT["Resources"]
