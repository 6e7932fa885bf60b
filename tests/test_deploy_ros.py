"""template.yml validated with Alibaba's own tools, for every option combination: ROS CDK's
Ros* classes (property names, types, required properties, ranges, allowed values) and, inside
the TriggerConfig maps the CDK passes through, Function Compute's API models. Mutated copies
prove that a typo, a wrong type or an out-of-range value fails."""

import os

import pytest

from tests import ros

pytestmark = pytest.mark.deploy
TEMPLATE = ros.load()


def check(template, **options):
    """Everything test_deploy_ros checks, on one variant of a (possibly mutated) template."""
    var = ros.variant(template, **options)
    ros.cdk_check(var["Resources"])
    ros.attribute_check(var)
    ros.pseudo_check(var)
    for name, body in var["Resources"].items():
        if body["Type"] == "ALIYUN::FC3::Trigger":
            props = body["Properties"]
            ros.trigger_config_check(props["TriggerType"],
                                     ros.resolve(props["TriggerConfig"], var["_parameters"]),
                                     f"{name}.TriggerConfig")


@pytest.mark.parametrize("options", ros.VARIANTS,
                         ids=lambda v: "-".join(f"{k}={v[k] or 'none'}" for k in v))
def test_every_variant_passes_ros_cdk_and_the_fc_api_models(options):
    check(TEMPLATE, **options)


def mutated(path, value=None, delete=False, rename=None):
    """A copy of the template with one change at path (a tuple of keys)."""
    template = ros.deepcopy(TEMPLATE)
    *parents, last = path
    node = template
    for key in parents:
        node = node[key]
    if rename:
        node[rename] = node.pop(last)
    elif delete:
        del node[last]
    else:
        node[last] = value
    return template


FUNCTION = ("Resources", "Function", "Properties")
ASYNC = ("Resources", "AsyncInvokeConfig", "Properties")
JPG = ("Resources", "UploadJpgTrigger", "Properties")
EVENTBRIDGE = ("Resources", "EventBridgeTrigger", "Properties", "TriggerConfig")
ENGINE = ("Resources", "EngineFunction", "Properties")
ROLE = ("Resources", "FunctionRole", "Properties")


@pytest.mark.parametrize("template, options, message", [
    # typos in property names, at every level the CDK knows
    (mutated(FUNCTION + ("MemorySize",), rename="MemmorySize"), {}, "MemmorySize"),
    (mutated(FUNCTION + ("Code", "OssObjectName"), rename="OssObjectKey"), {}, "OssObjectKey"),
    (mutated(FUNCTION + ("LogConfig", "Logstore"), rename="LogStore"), {}, "LogStore"),
    (mutated(ASYNC + ("DestinationConfig", "OnFailure"), rename="OnFail"), {}, "OnFail"),
    (mutated(ROLE + ("Policies",), rename="Policy"), {}, "Policy"),
    (mutated(("Resources", "ResultQueue", "Properties", "QueueName"), rename="Name"), {}, "Name"),
    (mutated(ENGINE + ("CustomRuntimeConfig", "Port"), rename="ListenPort"),
     {"DeployEngine": "true"}, "ListenPort"),
    (mutated(("Resources", "SigningKey", "Properties", "length"), rename="lenght"), {}, "lenght"),
    # typos inside TriggerConfig, where only FC's API models can see them
    (mutated(JPG + ("TriggerConfig", "filter"), rename="filters"), {}, "filters"),
    (mutated(JPG + ("TriggerConfig", "filter", "key", "suffix"), rename="sufix"), {}, "sufix"),
    (mutated(EVENTBRIDGE + ("eventSourceConfig",), rename="eventSource"),
     {"TriggerKind": "eventbridge"}, "eventSource"),
    (mutated(EVENTBRIDGE + ("runOptions", "retryStrategy", "PushRetryStrategy"),
             rename="pushRetryStrategy"), {"TriggerKind": "eventbridge"}, "pushRetryStrategy"),
    # wrong types
    (mutated(FUNCTION + ("MemorySize",), "lots"), {}, "memorySize"),
    (mutated(FUNCTION + ("Code",), "oss://bucket/idcard-ocr.zip"), {}, "Code"),
    (mutated(JPG + ("TriggerConfig", "events"), "oss:ObjectCreated:PutObject"), {}, "events"),
    (mutated(EVENTBRIDGE + ("asyncInvocationType",), "true"),
     {"TriggerKind": "eventbridge"}, "asyncInvocationType"),
    (mutated(EVENTBRIDGE + ("eventRuleFilterPattern",), "{not json"),
     {"TriggerKind": "eventbridge"}, "eventRuleFilterPattern"),
    (mutated(("Resources", "SigningKey", "Properties", "length"), "48"), {}, "length"),
    (mutated(("Resources", "SigningKey", "Properties", "length"), True), {}, "length"),
    # out of range, or missing when required
    (mutated(ASYNC + ("MaxAsyncRetryAttempts",), 9), {}, "maxAsyncRetryAttempts"),
    (mutated(ASYNC + ("MaxAsyncEventAgeInSeconds",), 604801), {}, "maxAsyncEventAgeInSeconds"),
    (mutated(FUNCTION + ("MemorySize",), 100000), {}, "memorySize"),
    (mutated(ENGINE + ("InstanceConcurrency",), 500), {"DeployEngine": "true"},
     "instanceConcurrency"),
    (mutated(FUNCTION + ("Handler",), delete=True), {}, "handler"),
    (mutated(("Resources", "SigningKey", "Properties", "sequence"), "emoji"), {}, "sequence"),
    (mutated(("Resources", "SigningKey", "Properties", "length"), 513), {}, "length"),
    # a service ROS cannot switch on (EventBridge is not in AutoEnableService's list)
    (mutated(("Resources", "EnableMessageService", "Properties", "ServiceName"), "EventBridge"),
     {}, "EventBridge"),
    (mutated(("Resources", "LogIndex", "Properties", "KeyIndices", 0, "JsonKeyIndices", 0,
              "Type"), "keyword"), {}, "keyword"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_a_broken_copy_fails(template, options, message):
    with pytest.raises((ros.TemplateError, TypeError)) as failure:
        check(template, **options)
    assert message in str(failure.value)


# --- The rule, turned on our own history ---------------------------------------------------
# Until issue 19 the template spelt ALIYUN::RandomString as we imagined it (Length, Sequence,
# Fn::GetAtt [SigningKey, Value]) and the check accepted it, because it compared the template
# with names we had written ourselves. ROS rejects that spelling; the names the check accepts
# now come from the published artifacts in tests/fixtures/published/, so planting the old
# spelling back must fail.

def _planted_old_random_string_spelling():
    template = ros.deepcopy(TEMPLATE)
    for name in ("SigningKey", "EngineAppCode"):
        props = template["Resources"][name]["Properties"]
        props["Length"] = props.pop("length")
        props["Sequence"] = props.pop("sequence")
    return template


def _planted_old_attribute_spelling():
    template = ros.deepcopy(TEMPLATE)
    env = template["Resources"]["Function"]["Properties"]["EnvironmentVariables"]
    env["RESULT_SIGNING_KEY"] = {"Fn::GetAtt": ["SigningKey", "Value"]}
    return template


def _planted_account_id_typo():
    template = ros.deepcopy(TEMPLATE)
    env = template["Resources"]["Function"]["Properties"]["EnvironmentVariables"]
    env["MNS_ENDPOINT"] = {"Fn::Sub": "https://${ALIYUN::AccountID}.mns.${ALIYUN::Region}"
                                      "-internal.aliyuncs.com"}
    return template


@pytest.mark.parametrize("planted, message", [
    (_planted_old_random_string_spelling, "SigningKey.Length: not a property of ALIYUN::RandomString"),
    (_planted_old_attribute_spelling, "SigningKey (ALIYUN::RandomString) has no attribute 'Value'"),
    (_planted_account_id_typo, "ALIYUN::AccountID"),
], ids=["Length-Sequence", "GetAtt-Value", "pseudo-parameter-typo"])
def test_the_old_spelling_planted_back_fails(planted, message):
    with pytest.raises(ros.TemplateError) as failure:
        check(planted())
    assert message in str(failure.value)


def test_random_string_names_come_from_the_published_artifacts():
    schema = ros.random_string_schema()
    # as Alibaba's Go SDK test template and Heat's class spell them: lower case
    assert {"length", "sequence"} <= set(schema["properties"])
    assert schema["attributes"] == ["value"]
    assert "lettersdigits" in schema["sequences"] and schema["length"] == (1, 512)
    assert not any(name[0].isupper() for name in schema["properties"])


def test_the_template_enables_the_services_it_creates_things_in():
    """AutoEnableService before anything in FC, MNS, SLS (and KMS with the secret option)."""
    for options in ros.VARIANTS:
        var = ros.variant(TEMPLATE, **options)
        resources = var["Resources"]
        enabled = {body["Properties"]["ServiceName"]: name for name, body in resources.items()
                   if body["Type"] == "ALIYUN::ROS::AutoEnableService"}
        needs = {"ALIYUN::FC3::Function": "FC", "ALIYUN::MNS::Queue": "MNS",
                 "ALIYUN::SLS::Project": "SLS"}
        for name, body in resources.items():
            if body["Type"] in needs:
                depends = body.get("DependsOn", [])
                assert enabled[needs[body["Type"]]] in ([depends] if isinstance(depends, str)
                                                        else depends), name
        secret = options["AppCodeSecretName"] and options["DeployEngine"] == "false"
        assert ("KMS" in enabled) == bool(secret)


def test_arns_and_the_mns_endpoint_name_the_owning_account():
    """ALIYUN::TenantId is the account that owns the resources, even for a RAM user's stack."""
    text = open(os.path.join(ros.ROOT, "template.yml"), encoding="utf-8").read()
    assert "ALIYUN::AccountId" not in text
    assert text.count("${ALIYUN::TenantId}") >= 10


@pytest.mark.parametrize("kms", ["false", "true"])
def test_the_services_stack_passes_ros_cdk(kms):
    """deploy/enable-services.yml (docs/deploy.md, step 2) is checked like template.yml."""
    services = ros.load(os.path.join(ros.ROOT, "deploy", "enable-services.yml"))
    var = ros.variant(services, EnableKms=kms)
    ros.cdk_check(var["Resources"])
    ros.pseudo_check(var)
    enabled = {body["Properties"]["ServiceName"] for body in var["Resources"].values()}
    assert enabled == {"OSS", "FC", "MNS", "SLS"} | ({"KMS"} if kms == "true" else set())


def test_the_serverless_devs_resources_are_the_templates():
    """deploy/serverless-devs-resources.yml (docs/deploy.md, Serverless Devs step S3): the
    queues and logs of s.yaml's function, each as template.yml makes it, and passing ROS CDK."""
    extra = ros.load(os.path.join(ros.ROOT, "deploy", "serverless-devs-resources.yml"))
    var = ros.variant(extra, LogProject="idcard-ocr-123456789")
    ros.cdk_check(var["Resources"])
    ros.pseudo_check(var)
    for name, body in extra["Resources"].items():
        assert body["Type"] == TEMPLATE["Resources"][name]["Type"], name
        assert body["Properties"] == TEMPLATE["Resources"][name]["Properties"], name
    for name, spec in extra["Parameters"].items():
        assert spec.get("Default") == TEMPLATE["Parameters"][name].get("Default"), name


@pytest.mark.parametrize("options, function, engine", [
    ({}, "", None),
    ({"DeployEngine": "true"}, "", "folded"),
    ({"Cascade": "in-function"}, "folded", None),
    ({"Cascade": "engine-function"}, "", "folded"),
])
def test_the_deployed_engine_runs_the_folded_models(options, function, engine):
    """Wherever the template runs the engine (its own function, or the cascade inside the
    function) it runs the folded models the engine's zip carries (tools/package.py derives
    them); the function without the engine asks for nothing (empty is the default)."""
    var = ros.variant(TEMPLATE, **options)
    resources = var["Resources"]

    def models(name):
        env = resources[name]["Properties"]["EnvironmentVariables"]
        return ros.resolve(env.get("IDCARD_ENGINE_MODELS"), var["_parameters"])

    assert models("Function") == function
    assert (models("EngineFunction") if "EngineFunction" in resources else None) == engine
