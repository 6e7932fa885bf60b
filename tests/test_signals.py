"""Quality warnings and crops, through the handler."""

import io
import json
import os

import pytest
from PIL import Image, ImageEnhance, ImageFilter, ImageStat

from idcard_ocr import handle
from idcard_ocr.config import Settings
from idcard_ocr.engine import recognize
from idcard_ocr.errors import ConfigError
from tests.conftest import ROOT, fc_context, oss_event, upload
from tests.fakes import images

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "cards")
with open(os.path.join(FIXTURES, "truth.json"), encoding="utf-8") as f:
    TRUTH = json.load(f)


def result(bucket, key):
    return json.loads(bucket.get_object(key).read())


def quality_of(bucket, env, data, key="idcards/q-face.jpg", **settings):
    handle(oss_event(bucket.bucket_name, upload(bucket, key, data)), fc_context(),
           env | settings)
    return result(bucket, key + ".json")["quality"]


def sample() -> Image.Image:
    return Image.open(os.path.join(FIXTURES, "face-clean.jpg")).convert("RGB")


def jpeg(img: Image.Image) -> bytes:
    return images.encode(img, "JPEG", quality=92)


def test_a_clean_card_raises_no_warning(bucket, env, ocr_api):
    quality = quality_of(bucket, env, jpeg(sample()))
    assert quality["warnings"] == [] and quality["measured_on"] == "card_region"
    assert quality["card_area_share"] == 1.0


@pytest.mark.parametrize("transform, warning", [
    (lambda img: img.filter(ImageFilter.GaussianBlur(3)), "blurry"),
    (lambda img: ImageEnhance.Brightness(img).enhance(0.25), "too_dark"),
    (lambda img: ImageEnhance.Brightness(img).enhance(1.9), "overexposed"),
])
def test_bad_photos_are_flagged(bucket, env, ocr_api, transform, warning):
    quality = quality_of(bucket, env, jpeg(transform(sample())))
    assert warning in quality["warnings"]


def test_a_card_far_away_is_too_small(bucket, env, ocr_api):
    canvas = Image.new("RGB", (2000, 1500), (90, 100, 110))
    card = sample().resize((428, 270))
    canvas.paste(card, (800, 600))
    ocr_api.state.face["card_region"] = [{"x": 800, "y": 600}, {"x": 800, "y": 870},
                                         {"x": 1228, "y": 870}, {"x": 1228, "y": 600}]
    quality = quality_of(bucket, env, jpeg(canvas))
    assert quality["warnings"] == ["card_too_small"]
    assert quality["card_area_share"] == pytest.approx(428 * 270 / (2000 * 1500), abs=0.002)


def test_the_apis_own_quality_scores_when_asked(bucket, env, ocr_api):
    quality = quality_of(bucket, env, jpeg(sample()), OCR_QUALITY_INFO="true")
    assert quality["api"] == ocr_api.state.quality_scores
    assert ocr_api.requests[-1].quality_info is True
    assert quality_of(bucket, env, jpeg(sample()), key="idcards/r-face.jpg").get("api") is None
    assert ocr_api.requests[-1].quality_info is False


@pytest.mark.parametrize("name", ["face-rotated.jpg", "face-upside-down.jpg",
                                  "face-sideways.jpg"])
def test_crops_come_out_upright_and_readable(bucket, env, name):
    settings = {k: v for k, v in env.items() if k not in ("OCR_APPCODE", "OCR_API_URL")}
    settings |= {"OCR_ENGINE": "local", "SAVE_CROPS": "true"}
    key = f"idcards/{name}"
    with open(os.path.join(FIXTURES, name), "rb") as f:
        handle(oss_event(bucket.bucket_name, upload(bucket, key, f.read())), fc_context(),
               settings)
    doc = result(bucket, key + ".json")
    assert doc["crops"]["card"]["key"] == f"crops/{key}.card.jpg"
    card = bucket.get_object(f"crops/{key}.card.jpg")
    assert card.headers["Content-Type"] == "image/jpeg"
    card_bytes = card.read()
    width, height = Image.open(io.BytesIO(card_bytes)).size
    assert abs(width / height - 85.6 / 54) < 0.02
    # Straightened and upright: the engine reads the crop alone, as an unrotated card.
    answer = recognize(card_bytes, "face")
    angle = answer["angle"] % 360
    assert answer["success"] and min(angle, 360 - angle) < 3
    assert answer["num"] == TRUTH[name]["fields"]["num"]
    portrait = Image.open(io.BytesIO(bucket.get_object(f"crops/{key}.portrait.jpg").read()))
    assert portrait.size[0] < portrait.size[1]  # a head-and-shoulders picture stands upright
    assert doc["crops"]["portrait"]["width"] == portrait.size[0]
    # It is the photo area, darker than the light card background around the text.
    assert ImageStat.Stat(portrait.convert("L")).mean[0] < 200


def test_crops_are_never_processed(bucket, env, ocr_api):
    bucket.put_object("crops/idcards/x.jpg.card.jpg", images.card_jpeg())
    summary = handle(oss_event(bucket.bucket_name, "crops/idcards/x.jpg.card.jpg"),
                     fc_context(), env)
    assert summary["objects"][0]["reason"] == "own_output" and ocr_api.requests == []


@pytest.mark.parametrize("change, variable", [
    ({"CROP_PREFIX": "none"}, "CROP_PREFIX"),
    ({"CROP_CARD_SUFFIX": "card.jpg"}, "CROP_CARD_SUFFIX"),
    ({"SAVE_CROPS": "maybe"}, "SAVE_CROPS"),
    ({"OCR_QUALITY_INFO": "2"}, "OCR_QUALITY_INFO"),
])
def test_crop_settings(change, variable):
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({"OCR_APPCODE": "a", **change})
    assert Settings.from_env({"OCR_APPCODE": "a", "CROP_PREFIX": "none",
                              "CROP_CARD_SUFFIX": ".card.crop",
                              "CROP_PORTRAIT_SUFFIX": ".face.crop"}).crop_prefix == ""


def test_crops_are_encrypted_like_results(bucket, env, ocr_api):
    from idcard_ocr.io import oss as storage
    sent = []
    hook = lambda response, **kw: sent.append(response.request)  # noqa: E731
    storage.oss_session().session.hooks["response"].append(hook)
    try:
        handle(oss_event(bucket.bucket_name, upload(bucket, "idcards/s-face.jpg",
                                                    jpeg(sample()))),
               fc_context(), env | {"SAVE_CROPS": "true", "RESULT_ENCRYPTION": "KMS",
                                    "RESULT_KMS_KEY_ID": "key-1"})
    finally:
        storage.oss_session().session.hooks["response"].remove(hook)
    crop_puts = [r.headers for r in sent
                 if r.method == "PUT" and r.url.endswith((".card.jpg", ".portrait.jpg"))]
    assert len(crop_puts) == 2
    for headers in crop_puts:
        assert headers["Content-Type"] == "image/jpeg"
        assert headers["x-oss-server-side-encryption"] == "KMS"
        assert headers["x-oss-server-side-encryption-key-id"] == "key-1"
