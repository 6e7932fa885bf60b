"""s.yaml (and its two extensions) rendered by Serverless Devs' own CLI, `s preview`, which
resolves vars, env() and config() offline, then compared with template.yml and checked key by
key against Function Compute's API models (what the fc3 component sends to FC).

`s verify` would also check the props against the fc3 component's schema, but the component is
published only to Serverless Devs' own registry (not npm), which this machine cannot reach; the
API models stand in for that schema here."""

import json
import os
import shutil
import subprocess

import pytest

from tests import ros

pytestmark = pytest.mark.deploy
S_CLI = os.path.join(ros.ROOT, "deploy", "node_modules", ".bin", "s")
FILES = ("s.yaml", "s.eventbridge.yaml", "s.engine.yaml", "s.cascade.yaml",
         "s.cascade-engine.yaml")
ACCOUNT = ros.PSEUDO["ALIYUN::TenantId"]
SECRETS = {"OCR_APPCODE": "placeholder", "RESULT_SIGNING_KEY":
           "Zk7qW2mX9pL4vN8rT3yB6cH1jF5gD0sA2eU7iO4wQ9zX3nM8",  # generated-looking
           "ENGINE_APPCODE": "e" * 40, "ENGINE_APPCODES": "e" * 40}
# Props the fc3 component reads itself rather than passing to FC's CreateFunction.
FC3_ONLY = {"region", "triggers", "asyncInvokeConfig", "concurrencyConfig", "provisionConfig",
            "endpoint", "supplement", "vpcBinding", "annotations"}
TEMPLATE = ros.load()


@pytest.fixture(scope="module")
def s_home(tmp_path_factory):
    """A HOME with an `s config add` of dummy keys (preview needs an access, never uses it)."""
    if not os.path.exists(S_CLI):
        pytest.fail("Serverless Devs is not installed: run `make test` (npm ci in deploy/)")
    home = str(tmp_path_factory.mktemp("s-home"))
    subprocess.run([S_CLI, "config", "add", "--AccessKeyID", "dummy", "--AccessKeySecret",
                    "dummy", "--AccountID", ACCOUNT, "-a", "default", "-f"],
                   env=dict(os.environ, HOME=home), capture_output=True, check=True, timeout=60)
    return home


def render(home, folder, name):
    out = subprocess.run([S_CLI, "preview", "-t", name, "-o", "json"], cwd=folder,
                         env=dict(os.environ, HOME=home, **SECRETS), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout[out.stdout.index("{"):])["resources"]


@pytest.fixture(scope="module")
def rendered(s_home):
    return {name: render(s_home, ros.ROOT, name) for name in FILES}


def _template(**options):
    """template.yml's variant with the parameters s.yaml's vars stand for, resolved."""
    var = ros.variant(TEMPLATE, BucketName="my-idcard-bucket", OcrAppCode=SECRETS["OCR_APPCODE"],
                      LogProject=f"idcard-ocr-{ACCOUNT}", **options)
    attributes = {("SigningKey", "value"): SECRETS["RESULT_SIGNING_KEY"],
                  ("EngineAppCode", "value"): SECRETS["ENGINE_APPCODE"],
                  ("Function", "FunctionName"): "idcard-ocr",
                  ("EngineFunction", "FunctionName"): "idcard-ocr-engine",
                  ("EngineHttpTrigger", "UrlInternet"):
                      "${resources.idcard-ocr-engine.output.url.system_url}"}
    return {name: ros.resolve(body.get("Properties", {}), var["_parameters"], attributes)
            for name, body in var["Resources"].items()}


def _camel(value):
    if isinstance(value, dict):
        return {k[0].lower() + k[1:]: (v if k == "EnvironmentVariables" else _camel(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _same_function(s_props, template_props):
    """Everything but where the code comes from and how the role is named."""
    expected = _camel({k: v for k, v in template_props.items() if k not in ("Code", "Role")})
    got = {k: v for k, v in s_props.items() if k not in FC3_ONLY | {"code", "role"}}
    assert got == expected


def _triggers(template_resources, kind):
    return {p["TriggerName"]: p for p in template_resources.values()
            if p.get("TriggerType") == kind}


def test_s_yaml_renders_the_template_function(rendered):
    s_function = rendered["s.yaml"]["idcard-ocr"]
    template = _template()
    assert s_function["component"] == "fc3"
    props = s_function["props"]
    _same_function(props, template["Function"])
    assert props["code"] == "./dist/idcard-ocr.zip"
    assert props["role"] == f"acs:ram::{ACCOUNT}:role/idcard-ocr-fn"
    assert props["region"] == ros.PSEUDO["ALIYUN::Region"]
    config = template["AsyncInvokeConfig"]
    del config["FunctionName"]
    assert props["asyncInvokeConfig"] == _camel(config)


def test_s_yaml_triggers_match_the_template_and_need_no_role(rendered):
    s_triggers = {t["triggerName"]: t for t in rendered["s.yaml"]["idcard-ocr"]["props"]["triggers"]}
    template = _triggers(_template(), "oss")
    assert set(s_triggers) == set(template) and len(template) == 6
    for name, trigger in template.items():
        del trigger["FunctionName"]
        assert "invocationRole" not in s_triggers[name]  # fc3 creates its default role
        del trigger["InvocationRole"]
        assert s_triggers[name] == _camel(trigger)


def test_eventbridge_extension_matches_the_template(rendered):
    props = rendered["s.eventbridge.yaml"]["idcard-ocr"]["props"]
    _same_function(props, _template(TriggerKind="eventbridge")["Function"])
    [s_trigger] = props["triggers"]
    [template] = _triggers(_template(TriggerKind="eventbridge"), "eventbridge").values()
    s_config, t_config = dict(s_trigger["triggerConfig"]), dict(template["TriggerConfig"])
    assert json.loads(s_config.pop("eventRuleFilterPattern")) == \
        json.loads(t_config.pop("eventRuleFilterPattern"))
    assert s_config == t_config
    assert s_trigger["triggerName"] == template["TriggerName"]


def test_engine_extension_matches_the_template(rendered):
    resources = rendered["s.engine.yaml"]
    template = _template(DeployEngine="true")
    _same_function(resources["idcard-ocr"]["props"], template["Function"])
    engine = resources["idcard-ocr-engine"]["props"]
    _same_function(engine, template["EngineFunction"])
    assert engine["code"] == "./dist/idcard-ocr-engine.zip"
    [http] = engine["triggers"]
    [expected] = _triggers(template, "http").values()
    assert http == {"triggerName": expected["TriggerName"], "triggerType": "http",
                    "triggerConfig": expected["TriggerConfig"]}


def test_cascade_extensions_match_the_template(rendered):
    """Cascade=in-function and Cascade=engine-function (issue 23)."""
    inside = rendered["s.cascade.yaml"]["idcard-ocr"]["props"]
    _same_function(inside, _template(Cascade="in-function")["Function"])
    assert inside["code"] == "./dist/idcard-ocr-engine.zip"
    resources = rendered["s.cascade-engine.yaml"]
    template = _template(Cascade="engine-function")
    _same_function(resources["idcard-ocr"]["props"], template["Function"])
    _same_function(resources["idcard-ocr-engine"]["props"], template["EngineFunction"])
    env = resources["idcard-ocr"]["props"]["environmentVariables"]
    assert env["OCR_API_URL"].startswith("https://dm-51.data.aliyun.com/")
    assert env["ENGINE_URL"].endswith("/rest/160601/ocr/ocr_idcard.json")


@pytest.mark.parametrize("name", FILES)
def test_every_rendered_key_is_one_fc_knows(rendered, name):
    for resource, body in rendered[name].items():
        api_keys_check(body["props"], f"{name}:{resource}")


def api_keys_check(props, path):
    from alibabacloud_fc20230330 import models

    function = {k: v for k, v in props.items() if k not in FC3_ONLY}
    if isinstance(function.get("code"), str):  # fc3 zips a folder or uploads a .zip itself
        function.pop("code")
    ros.api_check(function, models.CreateFunctionInput, path)
    config = dict(props.get("asyncInvokeConfig", {}))
    config.pop("qualifier", None)
    ros.api_check(config, models.PutAsyncInvokeConfigInput, f"{path}.asyncInvokeConfig")
    for trigger in props.get("triggers", []):
        where = f"{path}.triggers.{trigger.get('triggerName')}"
        # The API takes triggerConfig as a JSON string; fc3 serializes the map checked below.
        ros.api_check({k: v for k, v in trigger.items() if k != "triggerConfig"},
                      models.CreateTriggerInput, where)
        ros.trigger_config_check(trigger["triggerType"], trigger["triggerConfig"],
                                 where + ".triggerConfig")


@pytest.mark.parametrize("old, new, message", [
    ("      memorySize: 512", "      memmorySize: 512", "memmorySize"),
    ("            filter:\n              key:\n                prefix: ${vars.uploadPrefix}\n"
     "                suffix: .jpg", "            filters:\n              key:\n"
     "                prefix: ${vars.uploadPrefix}\n                suffix: .jpg", "filters"),
    ("                suffix: .png", "                sufix: .png", "sufix"),
    ("        maxAsyncRetryAttempts: 2", "        maxRetryAttempts: 2", "maxRetryAttempts"),
    ("      timeout: 120", "      timeout: two minutes", "timeout"),
])
def test_a_broken_copy_of_s_yaml_fails(s_home, tmp_path, old, new, message):
    text = open(os.path.join(ros.ROOT, "s.yaml"), encoding="utf-8").read()
    assert old in text
    (tmp_path / "s.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    props = render(s_home, str(tmp_path), "s.yaml")["idcard-ocr"]["props"]
    with pytest.raises(ros.TemplateError, match=message):
        api_keys_check(props, "s.yaml")


def test_zip_paths_are_what_make_package_builds():
    makefile = open(os.path.join(ros.ROOT, "Makefile"), encoding="utf-8").read()
    assert "dist/idcard-ocr.zip" in makefile and "dist/idcard-ocr-engine.zip" in makefile
    assert shutil.which("node"), "Serverless Devs needs Node.js"


@pytest.mark.parametrize("name, resource, options", [
    ("function-policy.json", "FunctionRole", {}),
    ("engine-policy.json", "EngineRole", {"DeployEngine": "true"}),
    ("appcode-secret-policy.json", "AppCodeSecretPolicy", {"AppCodeSecretName": "my-secret",
                                                           "AppCodeSecretKeyId": "key-1234"}),
])
def test_policies_for_the_s_yaml_roles_are_the_templates(name, resource, options):
    """README's RAM commands for Serverless Devs create the roles from these files."""
    with open(os.path.join(ros.ROOT, "deploy", name), encoding="utf-8") as f:
        text = f.read()
    for placeholder, value in (("<bucket>", "idcards-demo"), ("<region>", "cn-hangzhou"),
                               ("<account-id>", ACCOUNT), ("<log-project>", "idcard-ocr-123456789"),
                               ("<secret-name>", "my-secret"), ("<key-id>", "key-1234")):
        text = text.replace(placeholder, value)
    var = ros.variant(TEMPLATE, **options)
    props = var["Resources"][resource]["Properties"]
    document = props["Policies"][0]["PolicyDocument"] if "Policies" in props \
        else props["PolicyDocument"]
    assert json.loads(text) == ros.resolve(document, var["_parameters"])
    trust = json.load(open(os.path.join(ros.ROOT, "deploy", "fc-trust-policy.json")))
    if resource != "AppCodeSecretPolicy":
        assert trust == props["AssumeRolePolicyDocument"]
