"""A bucket holding results of every kind, made by the real handler against the OCR contract
server (the review console's tests and screenshots): passed and failed checks, quality
warnings, crops, each error the API gives, a planted result, photos not processed yet.

The photos are the committed synthetic sample cards (tests/fixtures/cards/), and the contract
server answers each with that card's own truth, so what the console shows beside a photo is
what the photo says (or a scripted misreading of it).
"""

import io
import json
import os
from typing import Dict, List, Optional

from PIL import Image, ImageFilter

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "cards")
FACES = ("face-clean.jpg", "face-rotated.jpg", "face-cluttered.jpg", "face-sideways.jpg",
         "face-upside-down.jpg", "face-exif-sideways.jpg")
BACKS = ("back-clean.jpg", "back-jpeg-noise.jpg", "back-rotated.jpg")

# kind: how many (50 in all)
KINDS: Dict[str, int] = {
    "ok": 10, "cropped": 4, "back": 8, "checks_failed": 6, "wrong_sex": 2, "blurry": 5,
    "dark": 3, "quota": 4, "not_card": 3, "invalid": 1, "planted": 2, "pending": 2,
}
PLANTED_NAME = "冒名顶替"


def _interleaved() -> Dict[tuple, int]:
    """(kind, i) -> place: the kinds taken in turn, so that any page shows a mix of them."""
    order: Dict[tuple, int] = {}
    for turn in range(max(KINDS.values())):
        for kind, count in KINDS.items():
            if turn < count:
                order[kind, turn] = len(order) + 1
    return order


_PLACES = _interleaved()


def key_for(kind: str, i: int) -> str:
    """The photo's key, as an applicant's upload is named (the kind is not in it)."""
    return f"idcards/applicant-{_PLACES[kind, i]:03d}-{'back' if kind == 'back' else 'face'}.jpg"


def _sample(kind: str, i: int) -> str:
    if kind == "back":
        return BACKS[i % len(BACKS)]
    if kind in ("blurry",):
        return "face-blurred.jpg"
    return FACES[i % len(FACES)]


def truth(name: str) -> dict:
    with open(os.path.join(SAMPLES, "truth.json"), encoding="utf-8") as f:
        return json.load(f)[name]["fields"]


def expired(kind: str, i: int) -> bool:
    """Whether the card in this photo is past its end date (some sample backs are)."""
    from idcard_ocr.card.checks import today_in_china

    fields = answer(kind, i) or {}
    end = fields.get("end_date") or ""
    return kind == "back" and end.isdigit() and end < today_in_china().strftime("%Y%m%d")


def warned(bucket, keys) -> List[str]:
    """The keys whose result raises a quality warning: beyond the blurred and dark photos, the
    contract server's card_region is the whole photo, which on the rotated and cluttered
    samples takes the scene around the card for the card."""
    found = []
    for key in keys:
        if not bucket.object_exists(key + ".json"):
            continue
        doc = json.loads(bucket.get_object(key + ".json").read())
        if doc.get("status") == "ok" and (doc.get("quality") or {}).get("warnings"):
            found.append(key)
    return found


def answer(kind: str, i: int) -> Optional[dict]:
    """The fields the OCR server answers for this photo: its truth, or a misreading of it."""
    if kind in ("quota", "not_card", "invalid", "planted", "pending"):
        return None
    fields = dict(truth(_sample(kind, i)))
    if kind == "checks_failed":  # one digit misread: the check character no longer matches
        digit = fields["num"][16]
        fields["num"] = fields["num"][:16] + str((int(digit) + 2) % 10) + fields["num"][17]
    elif kind == "wrong_sex":
        fields["sex"] = "男" if fields["sex"] == "女" else "女"
    return fields


def photo(kind: str, i: int) -> bytes:
    if kind == "invalid":
        return b"%PDF-1.7 a scanned form named .jpg"
    with open(os.path.join(SAMPLES, _sample(kind, i)), "rb") as f:
        data = f.read()
    if kind not in ("blurry", "dark"):
        return data
    picture = Image.open(io.BytesIO(data)).convert("RGB")
    picture = picture.filter(ImageFilter.GaussianBlur(4)) if kind == "blurry" \
        else Image.eval(picture, lambda v: v // 5)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def fill(bucket, env: dict, ocr_api, kinds: Dict[str, int] = KINDS) -> List[str]:
    """Put photos of each kind into `bucket` and process them; returns the keys."""
    from idcard_ocr import handle
    from tests.conftest import fc_context, oss_event, upload

    keys = []
    for kind, count in kinds.items():
        for i in range(count):
            key = key_for(kind, i)
            uploaded = upload(bucket, key, photo(kind, i))
            keys.append(key)
            if kind == "pending":
                continue
            if kind == "planted":
                bucket.put_object(key + ".json", json.dumps({
                    "status": "ok", "side": "face",
                    "fields": dict(truth(FACES[0]), name=PLANTED_NAME), "checks_passed": True,
                    "source": {"bucket": bucket.bucket_name, "key": key,
                               "etag": uploaded[1]}}, ensure_ascii=False).encode())
                continue
            ocr_api.reset()
            side = "back" if kind == "back" else "face"
            run_env = dict(env, CARD_SIDE=side)
            if kind == "cropped":
                run_env["SAVE_CROPS"] = "true"
            fields = answer(kind, i)
            if fields is not None:
                setattr(ocr_api.state, side, fields)
            if kind == "quota":
                ocr_api.fail_next(403, "Quota Exhausted")
            elif kind == "not_card":
                ocr_api.state.card_side = "back"
            handle(oss_event(bucket.bucket_name, uploaded), fc_context(), run_env)
    ocr_api.reset()
    return keys
