"""Personal data and secrets where they do not belong (issue 18): logs before our first line,
numbers split by any separator, the secrets' registry in the log layer, MNS keys."""

import json
import os
import subprocess
import sys

import pytest

from idcard_ocr.card import privacy
from idcard_ocr.io import log
from tests.conftest import FUNCTION_DIR, ROOT, fc_context, oss_event, upload
from tests.fakes import images

NUMBER = "110105199001012318"

# What FC's Python runtime does before it imports the handler: the root logger at INFO, with
# its own handler (aliyun-facts.md: FC sends the root logger's lines to Log Service).
_FC_LIKE_RUN = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
sys.path.insert(0, {function_dir!r})
import index
event, environ = json.loads(sys.stdin.read())
import os
os.environ.update(environ)
try:
    index.handler(event.encode(), None)
except Exception as e:
    print("raised", type(e).__name__, file=sys.stderr)
"""


def test_library_lines_before_our_first_line_are_scrubbed(bucket, env, ocr_api):
    """Finding 1: oss2's INFO lines (the result lookup's NoSuchKey, the claim's delete) name the
    key; they come before the function writes its first own line."""
    key = f"uploads/user{NUMBER}-face.jpg"
    item = upload(bucket, key, images.card_jpeg(seed=3))
    event = oss_event(bucket.bucket_name, item).decode()
    run = subprocess.run([sys.executable, "-c", _FC_LIKE_RUN.format(function_dir=FUNCTION_DIR)],
                         input=json.dumps([event, env]), capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": FUNCTION_DIR})
    output = run.stdout + run.stderr
    assert "oss2" in output  # the library did log (else the test proves nothing)
    assert NUMBER not in output and "1101**********2318" in output


@pytest.mark.parametrize("text", [
    "idcards/110101/19900307/1234/face.jpg",
    "idcards/110101  19900307  1234-face.jpg",
    "idcards/110101·19900307·1234-face.jpg",
    "idcards/110101—19900307—1234-face.jpg",
    "idcards/110101,19900307,1234-face.jpg",
    "idcards/110101, 19900307, 123X-face.jpg",
], ids=["slash", "double-space", "middle-dot", "em-dash", "comma", "comma-space-x"])
def test_numbers_split_by_any_separator_run_are_masked(text):
    """Finding 2."""
    masked = privacy.scrub(text)
    assert "19900307" not in masked and "1101**********" in masked


def test_ordinary_log_values_are_not_masked():
    assert privacy.scrub("size 122539, took 1.25 s, 3 of 14 records") == \
        "size 122539, took 1.25 s, 3 of 14 records"


def test_the_card_rules_hold_no_secrets():
    """No process-wide state in card/: the secrets to remove are passed in."""
    assert not any(isinstance(value, (set, frozenset, dict, list))
                   for name, value in vars(privacy).items() if not name.startswith("__"))
    pattern = privacy.secret_pattern(["Secret-Value-1"])
    assert privacy.scrub("x secret-value-1 y", pattern) == "x *** y"
    assert privacy.scrub("x secret-value-1 y") == "x secret-value-1 y"
    assert privacy.scrub_secrets({"a": ["SECRET-VALUE-1"]}, pattern) == {"a": ["***"]}


def test_the_log_layer_removes_registered_secrets():
    log.register_secret("registered-Secret-42")
    assert log.scrub(f"token REGISTERED-secret-42 for {NUMBER}") == \
        "token *** for 1101**********2318"
    assert log.scrub_secrets({"k": "registered-secret-42"}) == {"k": "***"}


# MNS messages: how they name the photo (MNS_KEY_MODE) ------------------------------------------

@pytest.mark.parametrize("mode", ["full", "masked", "hashed"])
def test_messages_carry_the_key_as_the_setting_says(bucket, env, mns, ocr_api, mode):
    """Finding 3 (messages): the key was always in full, with no way to turn it off."""
    from idcard_ocr import handle

    settings = env | {"OUTPUT": "oss,mns", "MNS_ENDPOINT": mns.endpoint,
                      "MNS_QUEUE": "idcard-results", "MNS_KEY_MODE": mode}
    key = f"idcards/{NUMBER}-face.jpg"
    item = upload(bucket, key, images.card_jpeg(seed=5))
    handle(oss_event(bucket.bucket_name, item), fc_context(), settings)
    [message] = mns.messages
    body = message.json
    if mode == "full":
        assert body["key"] == key and body["result_key"] == key + ".json"
        assert "key_mode" not in body
        return
    assert NUMBER not in message.text and NUMBER not in message.raw_body
    assert body["key_mode"] == mode
    if mode == "masked":
        assert body["key"] == "idcards/1101**********2318-face.jpg"
    else:
        assert body["key"].startswith("hmac-sha256:") and len(body["key"]) == 12 + 64
        assert body["result_key"] != body["key"]
    assert body["dedup_id"].startswith("hmac-sha256:")  # unique, unlike a masked key


def test_a_hashed_key_is_stable_and_needs_the_signing_key():
    from idcard_ocr.card.messages import shown_key

    key = f"idcards/{NUMBER}-face.jpg"
    assert shown_key(key, "hashed", b"k1") == shown_key(key, "hashed", b"k1")
    assert shown_key(key, "hashed", b"k1") != shown_key(key, "hashed", b"k2")
    with pytest.raises(ValueError):
        shown_key(key, "hashed", None)


def test_an_unknown_key_mode_is_refused_by_name(env):
    from idcard_ocr.config import Settings
    from idcard_ocr.errors import ConfigError

    with pytest.raises(ConfigError, match="MNS_KEY_MODE"):
        Settings.from_env(env | {"MNS_KEY_MODE": "clear"})
