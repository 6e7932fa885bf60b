"""template.yml as ROS sees it, for the deployment tests.

- `variant(template, **parameters)`: the template for one choice of parameters: Conditions
  evaluated, resources and outputs whose condition is false dropped, Fn::If taken.
- `resolve(value, parameters)`: Ref / Fn::Sub / Fn::GetAtt turned into strings, with made-up
  pseudo parameters (account 123456789 in cn-hangzhou) and `<Resource.Attribute>` placeholders.
- `cdk_check(resources)`: every resource fed to ROS CDK's own Ros* class (which checks types,
  required properties, ranges and allowed values when the stack is synthesized); keys the CDK
  does not know fail here, because it would otherwise drop them silently.
- `random_string_check(properties)`: ALIYUN::RandomString, the one resource ROS CDK has no
  class for, against names read from published artifacts (tests/fixtures/published/: Alibaba's
  Go SDK test template, and the OpenStack Heat class ROS takes the resource from).
- `pseudo_parameters()`: the ALIYUN::* pseudo parameters, read from ROS CDK's RosPseudo.
- `api_check(value, model)`: a map that ROS passes through unchecked (TriggerConfig) checked
  key by key and type by type against Function Compute's own API models
  (alibabacloud_fc20230330.models).

The rule: every resource type, property, attribute and pseudo parameter a check accepts comes
from one of Alibaba's artifacts (or, for RandomString, the published files cited above), never
from a list written here.
"""

import copy
import functools
import inspect
import json
import os
import re
import typing

import yaml

# jsii warns on stderr about the Node.js release on every start; the tests do not care.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Values that resolve() gives the pseudo parameters (made up); which names exist is
# pseudo_parameters()'s answer, not this dict's.
PSEUDO = {"ALIYUN::Region": "cn-hangzhou", "ALIYUN::TenantId": "123456789",
          "ALIYUN::AccountId": "123456789", "ALIYUN::StackName": "idcard-ocr",
          "ALIYUN::StackId": "stack-id"}
PUBLISHED = os.path.join(ROOT, "tests", "fixtures", "published")
NO_VALUE = {"Ref": "ALIYUN::NoValue"}
# Parameters without a default, as a user would fill them in.
SAMPLE_PARAMETERS = {"BucketName": "idcards-demo", "CodeBucket": "idcards-code",
                     "LogProject": "idcard-ocr-123456789", "OcrAppCode": "placeholder"}
# Every option combination the template offers.
VARIANTS = [dict(TriggerKind=kind, DeployEngine=engine, AppCodeSecretName=secret,
                 AppCodeSecretKeyId=secret and "key-hzz0123456789abcdef")
            for kind in ("oss", "eventbridge") for engine in ("false", "true")
            for secret in ("", "idcard-ocr/appcode")]
VARIANTS += [dict(TriggerKind="oss", DeployEngine="false", AppCodeSecretName=secret,
                  AppCodeSecretKeyId=secret and "key-hzz0123456789abcdef",
                  Cascade=cascade) for cascade in ("in-function", "engine-function")
             for secret in ("", "idcard-ocr/appcode")]


class TemplateError(AssertionError):
    pass


def load(path: str = os.path.join(ROOT, "template.yml")) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def parameters(template: dict, **overrides) -> dict:
    values = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    values.update({k: v for k, v in SAMPLE_PARAMETERS.items()
                   if k in values and values[k] in (None, "")})
    values.update(overrides)
    for name, value in values.items():
        allowed = template["Parameters"][name].get("AllowedValues")
        if allowed is not None and value not in allowed:
            raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
        pattern = template["Parameters"][name].get("AllowedPattern")
        if pattern is not None and not re.fullmatch(pattern, str(value)):
            raise TemplateError(f"parameter {name}={value!r} does not match {pattern}")
    return values


def conditions(template: dict, params: dict) -> dict:
    results = {}

    def evaluate(expr):
        if isinstance(expr, dict) and len(expr) == 1:
            (fn, arg), = expr.items()
            if fn == "Fn::Equals":
                left, right = (resolve(a, params) for a in arg)
                return left == right
            if fn == "Fn::Not":
                return not evaluate(arg[0])
            if fn == "Fn::And":
                return all(evaluate(a) for a in arg)
            if fn == "Fn::Or":
                return any(evaluate(a) for a in arg)
            if fn == "Condition":
                return condition(arg)
        raise TemplateError(f"unsupported condition expression {expr!r}")

    def condition(name):
        if name not in results:
            results[name] = evaluate(template["Conditions"][name])
        return results[name]

    for name in template.get("Conditions", {}):
        condition(name)
    # The template's Rules, as ROS checks them before creating anything: an assertion that
    # fails under its rule's condition refuses the parameters.
    for name, rule in template.get("Rules", {}).items():
        if "RuleCondition" in rule and not evaluate(rule["RuleCondition"]):
            continue
        for assertion in rule["Assertions"]:
            if not evaluate(assertion["Assert"]):
                raise TemplateError(f"rule {name}: {assertion.get('AssertDescription', '')}")
    return results


def variant(template: dict, **overrides) -> dict:
    params = parameters(template, **overrides)
    truth = conditions(template, params)

    def take(value):
        if isinstance(value, dict):
            if set(value) == {"Fn::If"}:
                name, when_true, when_false = value["Fn::If"]
                return take(when_true if truth[name] else when_false)
            out = {}
            for k, v in value.items():
                v = take(v)
                if v != NO_VALUE:
                    out[k] = v
            return out
        if isinstance(value, list):
            return [v for v in (take(v) for v in value) if v != NO_VALUE]
        return value

    result = take({k: v for k, v in template.items() if k not in ("Resources", "Outputs")})
    for section in ("Resources", "Outputs"):
        result[section] = {name: take(body) for name, body in template.get(section, {}).items()
                           if truth.get(body.get("Condition"), True)}
    result["_parameters"] = params
    return result


def resolve(value, params: dict, attributes: typing.Optional[dict] = None):
    """A string (or structure of strings) for Ref / Fn::Sub / Fn::GetAtt."""
    attributes = attributes or {}
    names = dict(params, **PSEUDO)
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return names.get(arg, f"<{arg}>")
        if fn == "Fn::GetAtt":
            return attributes.get(tuple(arg), f"<{arg[0]}.{arg[1]}>")
        if fn == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else arg
            local = {k: resolve(v, params, attributes) for k, v in local.items()}
            return re.sub(r"\$\{([^}]+)\}", lambda m: str(local.get(m.group(1),
                          names.get(m.group(1), f"<{m.group(1)}>"))), text)
    if isinstance(value, dict):
        return {k: resolve(v, params, attributes) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, params, attributes) for v in value]
    return value


def references(value) -> set:
    """Names that value refers to with Ref, Fn::GetAtt or ${...} in Fn::Sub."""
    found = set()
    if isinstance(value, dict):
        for fn, arg in value.items():
            if fn == "Ref":
                found.add(arg)
            elif fn == "Fn::GetAtt":
                found.add(arg[0])
            elif fn == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else arg
                found |= {n.split(".")[0] for n in re.findall(r"\$\{([^}]+)\}", text)
                          if n not in local}
                found |= references(local)
            elif fn == "Condition":
                continue
            else:
                found |= references(arg)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def get_atts(value):
    """(resource, attribute) pairs that value reads, with Fn::GetAtt or ${Resource.Attribute}."""
    if isinstance(value, dict):
        for fn, arg in value.items():
            if fn == "Fn::GetAtt":
                yield tuple(arg)
            elif fn == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else arg
                for name in re.findall(r"\$\{([^}]+)\}", text):
                    if "." in name and name not in local and not name.startswith("ALIYUN::"):
                        yield tuple(name.split(".", 1))
                yield from get_atts(local)
            else:
                yield from get_atts(arg)
    elif isinstance(value, list):
        for item in value:
            yield from get_atts(item)


def attribute_check(var: dict) -> None:
    """Every attribute read exists on its resource type (ROS CDK's attr_*, or as published)."""
    for section in ("Resources", "Outputs"):
        for name, body in var[section].items():
            for resource, attribute in get_atts(body):
                kind = var["Resources"][resource]["Type"]
                if attribute not in cdk_attributes(kind):
                    raise TemplateError(f"{name}: {resource} ({kind}) has no attribute "
                                        f"{attribute!r} (known: {sorted(cdk_attributes(kind))})")


def pseudo_check(var: dict) -> None:
    """Every ALIYUN::* pseudo parameter used is one ROS CDK knows."""
    known = pseudo_parameters()
    for section in ("Resources", "Outputs"):
        for name, body in var[section].items():
            unknown = {n for n in references(body) if n.startswith("ALIYUN::")} - known
            if unknown:
                raise TemplateError(f"{name}: unknown pseudo parameter(s) {sorted(unknown)} "
                                    f"(ROS CDK knows {sorted(known)})")


# --- ROS CDK ---------------------------------------------------------------------------------

CDK_CLASSES = {
    "ALIYUN::FC3::Function": ("ros_cdk_fc3", "RosFunction"),
    "ALIYUN::FC3::Trigger": ("ros_cdk_fc3", "RosTrigger"),
    "ALIYUN::FC3::AsyncInvokeConfig": ("ros_cdk_fc3", "RosAsyncInvokeConfig"),
    "ALIYUN::RAM::Role": ("ros_cdk_ram", "RosRole"),
    "ALIYUN::RAM::ManagedPolicy": ("ros_cdk_ram", "RosManagedPolicy"),
    "ALIYUN::MNS::Queue": ("ros_cdk_mns", "RosQueue"),
    "ALIYUN::SLS::Project": ("ros_cdk_sls", "RosProject"),
    "ALIYUN::SLS::Logstore": ("ros_cdk_sls", "RosLogstore"),
    "ALIYUN::SLS::Index": ("ros_cdk_sls", "RosIndex"),
    "ALIYUN::ROS::AutoEnableService": ("ros_cdk_ros", "RosAutoEnableService"),
}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _is_intrinsic(value) -> bool:
    if not (isinstance(value, dict) and len(value) == 1):
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _hints(cls) -> dict:
    module = inspect.getmodule(cls)
    return typing.get_type_hints(cls.__init__, globalns=vars(module), localns=vars(module))


def _struct_in(hint):
    for arg in typing.get_args(hint) or (hint,):
        if inspect.isclass(arg) and arg.__module__.startswith("ros_cdk_") and \
                "IResolvable" not in arg.__name__:
            return arg
        for inner in typing.get_args(arg):  # Sequence[Union[IResolvable, Struct, Dict]]
            found = _struct_in(inner)
            if found is not None and typing.get_origin(arg) is not None:
                return found
    return None


def _is_sequence(hint) -> bool:
    return any(typing.get_origin(a) in (list, typing.get_origin(typing.Sequence[int]))
               for a in typing.get_args(hint) or (hint,))


def to_struct(cls, properties: dict, path: str):
    """The CDK struct for PascalCase properties; an unknown key raises TemplateError."""
    import ros_cdk_core as core

    if not isinstance(properties, dict):
        raise TemplateError(f"{path}: expected a map, got {type(properties).__name__}")
    hints = _hints(cls)
    kwargs = {}
    for key, value in properties.items():
        name = _snake(key)
        if name not in hints:
            raise TemplateError(f"{path}.{key}: not a property of {cls.__qualname__} "
                                f"(known: {sorted(hints)})")
        kwargs[name] = _convert(hints[name], value, f"{path}.{key}", core)
    return cls(**kwargs)


def _convert(hint, value, path, core):
    if _is_intrinsic(value):
        return core.Intrinsic(value)
    struct = _struct_in(hint)
    if struct is not None:
        if _is_sequence(hint) and isinstance(value, list):
            return [core.Intrinsic(v) if _is_intrinsic(v) else to_struct(struct, v, f"{path}[{i}]")
                    for i, v in enumerate(value)]
        return to_struct(struct, value, path)
    if isinstance(value, dict):  # a Map property: keys are the service's, values may be intrinsic
        return {k: _convert(typing.Any, v, f"{path}.{k}", core) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(typing.Any, v, f"{path}[{i}]", core) for i, v in enumerate(value)]
    return value


def cdk_check(resources: dict) -> dict:
    """Synthesize resources with ROS CDK; returns the synthesized Resources, or raises."""
    import importlib

    import ros_cdk_core as core

    app = core.App()
    stack = core.Stack(app, "idcard-ocr")
    for name, body in resources.items():
        kind = body["Type"]
        if kind == "ALIYUN::RandomString":
            random_string_check(body.get("Properties", {}), name)
            continue
        if kind not in CDK_CLASSES:
            raise TemplateError(f"{name}: no ROS CDK class known for {kind}")
        module, class_name = CDK_CLASSES[kind]
        cls = getattr(importlib.import_module(module), class_name)
        props = to_struct(getattr(importlib.import_module(module), class_name + "Props"),
                          body.get("Properties", {}), name)
        unknown = set(body) - {"Type", "Properties", "DependsOn", "Condition", "Metadata",
                               "DeletionPolicy"}
        if unknown:
            raise TemplateError(f"{name}: unknown resource keys {sorted(unknown)}")
        try:
            cls(stack, name, props, True)
        except (RuntimeError, TypeError) as e:  # jsii refused a value's type
            raise TemplateError(f"{name}: ROS CDK refused the properties: {e}") from None
    try:
        synthesized = app.synth().get_stack_artifact("idcard-ocr").template
    except Exception as e:  # jsii re-raises the CDK's validation errors
        raise TemplateError(f"ROS CDK rejected the template: {e}") from None
    rendered = synthesized.get("Resources", {})
    for name, body in rendered.items():
        if body["Properties"] != resources[name].get("Properties", {}):
            raise TemplateError(f"{name}: ROS CDK renders the properties differently "
                                f"(a key it does not map?):\n{body['Properties']}\n"
                                f"!= {resources[name].get('Properties')}")
    return rendered


def cdk_attributes(kind: str) -> set:
    """The Fn::GetAtt names of a resource type, from its CDK class's attr_* members."""
    import importlib

    if kind == "ALIYUN::RandomString":
        return set(random_string_schema()["attributes"])
    module, class_name = CDK_CLASSES[kind]
    cls = getattr(importlib.import_module(module), class_name)
    return {"".join(part.capitalize() for part in name[5:].split("_"))
            for name in dir(cls) if name.startswith("attr_")}


# --- ALIYUN::RandomString, from published artifacts ---------------------------------------

_HEAT_TYPES = {"INTEGER": int, "STRING": str, "LIST": list, "MAP": dict, "BOOLEAN": bool}


def _heat_class() -> "ast.ClassDef":
    import ast

    with open(os.path.join(PUBLISHED, "heat_random_string.py.txt"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    [cls] = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    return cls


def _calls(node, name: str) -> list:
    """Every call of `<anything>.name(...)` under node."""
    import ast

    return [n for n in ast.walk(node) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr == name]


@functools.lru_cache(maxsize=None)
def random_string_schema() -> dict:
    """ALIYUN::RandomString as published: {"properties": {name: python type}, "attributes":
    [...], "sequences": [...], "length": (lowest, highest)}, parsed from Heat's class
    (tests/fixtures/published/heat_random_string.py.txt) and cross-checked against the names
    Alibaba's Go SDK test template uses (aliyungo_ros_random_string.yaml)."""
    import ast

    cls = _heat_class()
    names, groups = {}, {}
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 2:
            constants = [n.id for n in node.targets[1].elts]
            values = [v.value for v in node.value.elts]
            names.update(zip(constants, values))
            groups[node.targets[0].id] = values
    schemas = {}
    for node in cls.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "properties_schema":
            for key, call in zip(node.value.keys, node.value.values):
                schemas[names[key.id]] = call
    properties = {name: _HEAT_TYPES[call.args[0].attr] for name, call in schemas.items()}
    [length_range] = [c for c in _calls(schemas["length"], "Range")]
    [sequences] = [c for c in _calls(schemas["sequence"], "AllowedValues")]
    schema = {"properties": properties, "attributes": groups["ATTRIBUTES"],
              "sequences": [v.value for v in sequences.args[0].elts],
              "length": tuple(a.value for a in length_range.args)}
    if set(properties) != set(groups["PROPERTIES"]):
        raise TemplateError("Heat's excerpt: PROPERTIES and properties_schema disagree")
    with open(os.path.join(PUBLISHED, "aliyungo_ros_random_string.yaml"), encoding="utf-8") as f:
        sdk = yaml.safe_load(f)
    for name, body in sdk["Resources"].items():
        unknown = set(body.get("Properties", {})) - set(properties)
        if unknown:  # ROS spells them as Heat does; if not, the excerpts disagree
            raise TemplateError(f"Alibaba's Go SDK template uses {sorted(unknown)}, "
                                f"which Heat's class does not name")
    return schema


def random_string_check(properties: dict, path: str) -> None:
    schema = random_string_schema()
    for key, value in properties.items():
        if key not in schema["properties"]:
            raise TemplateError(f"{path}.{key}: not a property of ALIYUN::RandomString "
                                f"(published: {sorted(schema['properties'])})")
        expected = schema["properties"][key]
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise TemplateError(f"{path}.{key}: expected {expected.__name__}")
    lowest, highest = schema["length"]
    if not lowest <= properties.get("length", lowest) <= highest:
        raise TemplateError(f"{path}.length: out of range {lowest}..{highest}")
    if properties.get("sequence", schema["sequences"][0]) not in schema["sequences"]:
        raise TemplateError(f"{path}.sequence: not one of {schema['sequences']}")
    if "sequence" in properties and ({"character_classes", "character_sequences"} & set(properties)):
        raise TemplateError(f"{path}.sequence: cannot be used with character_classes or "
                            f"character_sequences")


@functools.lru_cache(maxsize=None)
def pseudo_parameters() -> frozenset:
    """ALIYUN::Region, ALIYUN::TenantId...: each of ROS CDK's RosPseudo members, resolved."""
    import ros_cdk_core as core

    stack = core.Stack(core.App(), "pseudo")
    found = set()
    for name in dir(core.RosPseudo):
        if name.startswith("_"):
            continue
        resolved = stack.resolve(getattr(core.RosPseudo, name))
        if isinstance(resolved, dict) and set(resolved) == {"Ref"}:
            found.add(resolved["Ref"])
    return frozenset(found)


# --- Function Compute's API models -----------------------------------------------------------

TRIGGER_CONFIG_MODELS = {"oss": "OSSTriggerConfig", "eventbridge": "EventBridgeTriggerConfig",
                         "http": "HTTPTriggerConfig"}


def model_fields(model) -> dict:
    """{json key: type} of an alibabacloud_fc20230330 model, from its to_map and __init__."""
    pairs = re.findall(r"result\['([^']+)'\] = self\.(\w+)", inspect.getsource(model.to_map))
    pairs += re.findall(r"result\['([^']+)'\] = self\.(\w+)\.to_map\(\)",
                        inspect.getsource(model.to_map))
    hints = _hints(model)
    return {key: hints[attr] for key, attr in pairs}


def api_check(value, model, path: str) -> None:
    """value (resolved: no intrinsic functions left) against an FC API model, recursively."""
    if not isinstance(value, dict):
        raise TemplateError(f"{path}: expected a map for {model.__name__}")
    fields = model_fields(model)
    for key, item in value.items():
        if key not in fields:
            raise TemplateError(f"{path}.{key}: not a field of FC's {model.__name__} "
                                f"(known: {sorted(fields)})")
        _api_value(fields[key], item, f"{path}.{key}")


def _api_value(hint, value, path):
    origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            raise TemplateError(f"{path}: expected a list")
        for i, item in enumerate(value):
            _api_value(typing.get_args(hint)[0], item, f"{path}[{i}]")
    elif origin is dict:
        if not isinstance(value, dict):
            raise TemplateError(f"{path}: expected a map")
    elif inspect.isclass(hint) and hasattr(hint, "to_map"):
        api_check(value, hint, path)
    elif hint is bool:
        if not isinstance(value, bool):
            raise TemplateError(f"{path}: expected true or false")
    elif hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TemplateError(f"{path}: expected a number")
    elif hint is str:
        if not isinstance(value, str):
            raise TemplateError(f"{path}: expected a string")


def trigger_config_check(trigger_type: str, config, path: str) -> None:
    from alibabacloud_fc20230330 import models

    if trigger_type not in TRIGGER_CONFIG_MODELS:
        raise TemplateError(f"{path}: no FC model known for trigger type {trigger_type!r}")
    api_check(config, getattr(models, TRIGGER_CONFIG_MODELS[trigger_type]), path)
    if trigger_type == "eventbridge":
        try:
            json.loads(config["eventRuleFilterPattern"])
        except (KeyError, ValueError) as e:
            raise TemplateError(f"{path}.eventRuleFilterPattern: not JSON ({e})") from None


def deepcopy(value):
    return copy.deepcopy(value)
