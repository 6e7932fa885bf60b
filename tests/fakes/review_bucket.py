"""A bucket holding results of every kind, made by the real handler against the OCR contract
server (the review console's tests and screenshots): passed and failed checks, quality
warnings, crops, each error the API gives, a planted result, photos not processed yet."""

import io
import json
from typing import Dict, List

from PIL import Image, ImageFilter

from tests.fakes import images
from tests.fakes.ocr_api import BACK, FACE

# The contract server's face, read wrongly: a check character that does not match, a sex
# that disagrees with the number.
MISREAD_FACE = dict(FACE, num="330110199003072314")
WRONG_SEX_FACE = dict(FACE, sex="女")

# kind: how many (50 in all)
KINDS: Dict[str, int] = {
    "ok": 10, "cropped": 4, "back": 8, "checks_failed": 6, "wrong_sex": 2, "blurry": 5,
    "dark": 3, "quota": 4, "not_card": 3, "invalid": 1, "planted": 2, "pending": 2,
}


def photo(kind: str, seed: int) -> bytes:
    if kind == "invalid":
        return b"%PDF-1.7 a scanned form named .jpg"
    side = "back" if kind == "back" else "face"
    card = images.card(seed=seed, side=side)
    if kind == "blurry":
        card = card.filter(ImageFilter.GaussianBlur(6))
    elif kind == "dark":
        card = Image.eval(card, lambda v: v // 5)
    out = io.BytesIO()
    card.save(out, "JPEG", quality=90)
    return out.getvalue()


def key_for(kind: str, i: int) -> str:
    return f"idcards/{kind}-{i:02d}-{'back' if kind == 'back' else 'face'}.jpg"


def fill(bucket, env: dict, ocr_api, kinds: Dict[str, int] = KINDS) -> List[str]:
    """Put photos of each kind into `bucket` and process them; returns the keys."""
    from idcard_ocr import handle
    from tests.conftest import fc_context, oss_event, upload

    keys = []
    for kind, count in kinds.items():
        for i in range(count):
            key = key_for(kind, i)
            uploaded = upload(bucket, key, photo(kind, seed=len(keys) + 1))
            keys.append(key)
            if kind == "pending":
                continue
            if kind == "planted":
                bucket.put_object(key + ".json", json.dumps({
                    "status": "ok", "side": "face", "fields": dict(FACE, name="伪造"),
                    "checks_passed": True,
                    "source": {"bucket": bucket.bucket_name, "key": key,
                               "etag": uploaded[1]}}, ensure_ascii=False).encode())
                continue
            ocr_api.reset()
            run_env = dict(env, CARD_SIDE="back" if kind == "back" else "face")
            if kind == "cropped":
                run_env["SAVE_CROPS"] = "true"
            if kind in ("checks_failed", "wrong_sex"):
                ocr_api.state.face = dict(MISREAD_FACE if kind == "checks_failed"
                                          else WRONG_SEX_FACE)
            elif kind == "quota":
                ocr_api.fail_next(403, "Quota Exhausted")
            elif kind == "not_card":
                ocr_api.state.card_side = "back"
            handle(oss_event(bucket.bucket_name, uploaded), fc_context(), run_env)
    ocr_api.reset()
    assert ocr_api.state.face == FACE and ocr_api.state.back == BACK
    return keys
