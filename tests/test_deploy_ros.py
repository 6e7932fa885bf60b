"""template.yml validated with Alibaba's own tools, for every option combination: ROS CDK's
Ros* classes (property names, types, required properties, ranges, allowed values) and, inside
the TriggerConfig maps the CDK passes through, Function Compute's API models. Mutated copies
prove that a typo, a wrong type or an out-of-range value fails."""

import pytest

from tests import ros

TEMPLATE = ros.load()


def check(template, **options):
    """Everything test_deploy_ros checks, on one variant of a (possibly mutated) template."""
    var = ros.variant(template, **options)
    ros.cdk_check(var["Resources"])
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
    (mutated(("Resources", "SigningKey", "Properties", "Length"), rename="Lenght"), {}, "Lenght"),
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
    (mutated(("Resources", "SigningKey", "Properties", "Length"), "48"), {}, "Length"),
    # out of range, or missing when required
    (mutated(ASYNC + ("MaxAsyncRetryAttempts",), 9), {}, "maxAsyncRetryAttempts"),
    (mutated(ASYNC + ("MaxAsyncEventAgeInSeconds",), 604801), {}, "maxAsyncEventAgeInSeconds"),
    (mutated(FUNCTION + ("MemorySize",), 100000), {}, "memorySize"),
    (mutated(ENGINE + ("InstanceConcurrency",), 500), {"DeployEngine": "true"},
     "instanceConcurrency"),
    (mutated(FUNCTION + ("Handler",), delete=True), {}, "handler"),
    (mutated(("Resources", "SigningKey", "Properties", "Sequence"), "emoji"), {}, "Sequence"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_a_broken_copy_fails(template, options, message):
    with pytest.raises((ros.TemplateError, TypeError)) as failure:
        check(template, **options)
    assert message in str(failure.value)
