import contextlib
import json
import logging
import os
import socket
import sys
import threading
import uuid
from types import SimpleNamespace

import pytest
from tests.fakes.mns_api import MnsServer
from tests.fakes.ocr_api import OcrApiServer
from tests.fakes.oss_server import LocalOssServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUNCTION_DIR = os.path.join(ROOT, "functions", "idcard_ocr")
EVENTS_DIR = os.path.join(ROOT, "events")
APPCODE = "test-appcode-0123456789abcdef"
SIGNING_KEY = "test-signing-key-0123456789abcdef-not-a-secret"

if FUNCTION_DIR not in sys.path:
    sys.path.insert(0, FUNCTION_DIR)

from idcard_ocr.io import log as idcard_log  # noqa: E402


@pytest.fixture(scope="session")
def oss_server():
    """moto's S3 server on loopback: oss2 speaks the same object protocol to it (path style)."""
    server = LocalOssServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_endpoint(oss_server):
    return oss_server.endpoint


@pytest.fixture(autouse=True)
def _no_leftover_oss_failures(request):
    """A test's scripted OSS failures that it did not use never reach the next test."""
    yield
    if "oss_server" in request.fixturenames:
        request.getfixturevalue("oss_server").clear_failures()


def new_bucket(endpoint: str, prefix: str = "idcards"):
    """A fresh, empty bucket on the local OSS server; returns an oss2.Bucket on it."""
    import oss2

    bucket = oss2.Bucket(oss2.Auth("test", "test"), endpoint, f"{prefix}-{uuid.uuid4().hex[:12]}")
    bucket.create_bucket()
    return bucket


@pytest.fixture
def bucket(s3_endpoint):
    """A fresh, empty bucket per test."""
    return new_bucket(s3_endpoint)


@pytest.fixture(scope="session")
def _ocr_server():
    with OcrApiServer() as server:
        yield server


@pytest.fixture
def ocr_api(_ocr_server):
    _ocr_server.reset()
    yield _ocr_server


@pytest.fixture(scope="session")
def _kms_server():
    from tests.fakes.kms_api import KmsServer

    with KmsServer() as server:
        yield server


@pytest.fixture
def kms(_kms_server):
    """KMS Secrets Manager's stand-in, holding no secret yet, and the function's cache of
    secrets emptied before and after."""
    from idcard_ocr.io import secrets

    _kms_server.reset()
    secrets.forget_cached()
    yield _kms_server
    secrets.forget_cached()


@contextlib.contextmanager
def loopback_server(answer):
    """A TCP server on loopback whose every connection is handed to `answer(connection)` in a
    thread of its own (closed after it); yields its http:// URL."""
    def serve(server):
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=_answered, args=(answer, connection), daemon=True).start()

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        threading.Thread(target=serve, args=(server,), daemon=True).start()
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def _answered(answer, connection):
    with connection:
        try:
            answer(connection)
        except OSError:
            pass


def read_from_secret(env: dict, kms, setting: str, secret_name: str, value: str) -> dict:
    """`env` with `setting` (OCR_APPCODE, ENGINE_APPCODE) taken from the KMS secret
    `secret_name` holding `value` instead of from the variable (config._appcode_source)."""
    kms.state.secrets[secret_name] = value
    kept = {k: v for k, v in env.items() if k != setting}
    return kept | {f"{setting}_SECRET_NAME": secret_name, "KMS_ENDPOINT": kms.endpoint}


@pytest.fixture(scope="session")
def _mns_server():
    server = MnsServer().start()
    yield server
    server.stop()


@pytest.fixture
def mns(_mns_server):
    _mns_server.reset()
    yield _mns_server


@pytest.fixture
def env(s3_endpoint, ocr_api):
    """The function's environment as FC would set it, pointed at the local servers."""
    return {
        "OCR_API_URL": ocr_api.url,
        "OCR_APPCODE": APPCODE,
        "RESULT_SIGNING_KEY": SIGNING_KEY,
        "OSS_ENDPOINT": s3_endpoint,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "test-key-id",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "test-key-secret",
        "ALIBABA_CLOUD_SECURITY_TOKEN": "test-sts-token",
        "OCR_TIMEOUT_S": "5",
    }


def fc_context(timeout: int = 60, credentials=None, request_id=None):
    """The attributes FC's Python runtime gives `context` (aliyun-facts.md)."""
    return SimpleNamespace(
        request_id=request_id or f"req-{uuid.uuid4().hex[:8]}",
        credentials=credentials,
        function=SimpleNamespace(name="idcard-ocr", handler="index.handler", memory=512,
                                 timeout=timeout),
        service=SimpleNamespace(name="idcard-ocr", log_project="", log_store=""),
        region="cn-hangzhou",
        account_id="123456789",
    )


def load_event(name: str) -> dict:
    with open(os.path.join(EVENTS_DIR, name), encoding="utf-8") as f:
        return json.load(f)


def oss_event(bucket: str, *keys_or_records, name: str = "ObjectCreated:PutObject") -> bytes:
    """An OSS trigger event, as bytes like FC delivers it, shaped like events/face-upload.json."""
    template = load_event("face-upload.json")["events"][0]
    records = []
    for item in keys_or_records:
        key, etag, size = item if isinstance(item, tuple) else (item, None, None)
        record = json.loads(json.dumps(template))
        record["eventName"] = name
        record["oss"]["bucket"]["name"] = bucket
        record["oss"]["bucket"]["arn"] = f"acs:oss:cn-hangzhou:123456789:{bucket}"
        record["oss"]["object"].update({"key": key, "eTag": etag, "size": size})
        records.append(record)
    return json.dumps({"events": records}).encode("utf-8")


def upload(bucket, key: str, data: bytes):
    """Put an object and return (key, event eTag, size) the way the trigger would report it."""
    result = bucket.put_object(key, data)
    return key, result.etag.strip('"').upper(), len(data)


@pytest.fixture
def logs():
    """Every line the idcard_ocr logger emits, formatted exactly as in production."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(idcard_log.JsonFormatter())
    logger = idcard_log.get_logger()
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def parsed(lines):
    return [json.loads(line) for line in lines]


# The sides a hold-out rendering's photo of each kind holds (a hard photo: one, either side).
HOLDOUT_SIDES = {"plain_face": {"face"}, "plain_back": {"back"}, "sheet": {"face", "back"}}


def drawn_alike(rendering: str, kind: str):
    """A hold-out rendering's photo of `kind` (seed 3), after checking that the same seed draws
    it the same (picture, truth and detail), another seed another picture, and that it holds the
    sides its kind holds."""
    from tests.fakes import renderings

    first, again = renderings.shoot(rendering, kind, 3), renderings.shoot(rendering, kind, 3)
    assert first.data == again.data and first.truth == again.truth
    assert first.detail == again.detail
    assert renderings.shoot(rendering, kind, 4).data != first.data
    sides = set(first.truth)
    assert sides == HOLDOUT_SIDES.get(kind, sides) and len(sides) == (2 if kind == "sheet" else 1)
    return first


def jpeg_picture(data: bytes):
    """A hold-out photo's bytes as an RGB picture, after checking that they are a JPEG (what
    a phone or a chat app sends)."""
    import io

    from PIL import Image

    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG"
    return img.convert("RGB")


def compact_date(text: str):
    """A truth's date written as on the card's number (YYYYMMDD) as a date."""
    from datetime import date

    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def card_width(detail: str) -> int:
    """The card's width in pixels that a hold-out photo's detail states ("card 842px" or
    "card 842 px")."""
    word = next(n for n in detail.split(", ") if n.startswith("card ")).split()[1]
    return int(word[:-2] if word.endswith("px") else word)


def hard_photos_carry_their_phenomena(name: str, rendering, notes: dict) -> None:
    """A hold-out's hard photos: each phenomenon once, in turn by seed (`notes`: effect -> the
    phrase its detail says), the card 448-1,300 px wide, turned at least three ways, skewed 10
    degrees or more somewhere, and red stamps, watermarks and both chroma choices by chance."""
    from tests.fakes import renderings

    assert set(notes) == set(rendering.HARD_EFFECTS)
    details = [renderings.shoot(name, "hard", seed).detail
               for seed in range(len(rendering.HARD_EFFECTS))]
    for seed, detail in enumerate(details):
        assert notes[rendering.HARD_EFFECTS[seed]] in detail, detail
        assert 448 <= card_width(detail) <= 1300, detail
    turns = {turn for d in details for turn in rendering.TURNS.values() if turn in d.split(", ")}
    assert len(turns) >= 3, details
    assert max(abs(int(d.split("skew ")[1].split(",")[0])) for d in details) >= 10
    for effect in ("red stamp", "watermark", "4:4:4 chroma", "4:2:0 chroma"):
        assert any(effect in d for d in details), effect


def registered_holdout(name: str, rendering, kyc_module, style) -> None:
    """That a hold-out is found by its name both as a card rendering and as a KYC style."""
    from tests.fakes import artifacts, renderings

    assert renderings.HOLDOUT_MODULES[name] == rendering.__name__
    assert artifacts.DRAWN_BY[name] == kyc_module.__name__
    assert artifacts.style_named(name) is style
    assert artifacts.drawing_module(style) is kyc_module


def drawn_back_matches(draw_back, back: dict, seed: int) -> None:
    """That a generator's `draw_back(truth, rng, log)` prints the authority's lines and then the
    validity as a card prints it (2016.03.01-2036.03.01, or …-长期), from its own truth."""
    import random

    log = []
    draw_back(back, random.Random(seed), log)
    drawn = [text for text, _ in log]
    assert "".join(drawn[:-1]) == back["issue"]

    def dotted(day: str) -> str:
        return f"{day[:4]}.{day[4:6]}.{day[6:]}"

    end = back["end_date"] if back["end_date"] == "长期" else dotted(back["end_date"])
    assert drawn[-1] == f"{dotted(back['start_date'])}-{end}"


def holders_as_real_cards_carry(people, rendering) -> None:
    """each_holder_as_a_real_card, and over all of them (800) every validity length and 长期."""
    from collections import Counter

    ends = Counter(p["back"]["end_date"] == "长期" for p in people)
    assert ends[True] > 40 and ends[False] > 300
    years = Counter(int(p["back"]["end_date"][:4]) - int(p["back"]["start_date"][:4])
                    for p in people if p["back"]["end_date"] != "长期")
    assert set(years) == {5, 10, 20}
    each_holder_as_a_real_card(people, rendering)


def names_and_places_as_real_cards_carry(people, rendering) -> None:
    """That 800 holders of a hold-out `rendering` (its random_person) carry names, addresses
    and authorities as varied as real cards': addresses of one to three lines, dotted, two-
    character, long, compound-surname and rare-character names, district (分局), county and
    banner authorities, autonomous places; then holders_as_real_cards_carry."""
    lengths = [len(p["face"]["address"]) for p in people]
    assert max(lengths) <= 3 * rendering.CHARS_PER_LINE
    assert sum(n > 2 * rendering.CHARS_PER_LINE for n in lengths) > 40  # three lines, often
    assert sum(n <= 2 * rendering.CHARS_PER_LINE for n in lengths) > 40  # and one or two
    names = [p["face"]["name"] for p in people]
    assert all(2 <= len(n) <= 11 for n in names)
    assert sum("·" in n for n in names) > 10 and sum(len(n) == 2 for n in names) > 40
    assert sum(len(n) >= 4 and "·" not in n for n in names) > 15  # long names without a dot
    assert sum(n[:2] in rendering.COMPOUND_SURNAMES for n in names) > 10
    assert sum(n[0] in rendering.RARE_SURNAMES for n in names) > 40
    assert sum(any(c in rendering.RARE_GIVEN_CHARS for c in n) for n in names) > 50
    issues = [p["back"]["issue"] for p in people]
    assert sum(i.endswith("分局") for i in issues) > 100
    assert sum(i.endswith("县公安局") or i.endswith("旗公安局") for i in issues) > 50
    assert sum(("旗" in p["face"]["address"] or "盟" in p["face"]["address"] or "自治" in
                p["face"]["address"]) for p in people) > 100
    holders_as_real_cards_carry(people, rendering)


def each_holder_as_a_real_card(people, rendering) -> None:
    """That each holder (a hold-out `rendering`'s random_person) is one a real card could
    carry: the number's check character (the rendering's own GB 11643 code and the project's),
    birth date and sex agree with the face, the region is known, the validity is as long as
    the age at issue gives, issued after birth and still valid on the rendering's TODAY."""
    from idcard_ocr.card import checks
    from tests.fakes.cards import holder_faults

    for p in people:
        face, back = p["face"], p["back"]
        assert holder_faults(face, back) == []
        found = checks.face_checks(face)
        assert all(c["ok"] for c in found.values()), {k: c["reason"] for k, c in found.items()
                                                      if not c["ok"]}
        validity = checks.back_checks(back, today=rendering.TODAY, birth=face["birth"])
        assert all(c["ok"] for c in validity.values())
        num = face["num"]
        assert rendering.check_character(num[:17]) == num[17]
        start, birth = compact_date(back["start_date"]), compact_date(face["birth"])
        assert birth < start <= rendering.TODAY
        if back["end_date"] != "长期":
            assert compact_date(back["end_date"]) > rendering.TODAY  # a card still valid


def overlays_mark_the_card(rendering) -> None:
    """That a hold-out rendering's `stamp` reddens a card where it was not red and its
    `watermark` lays its phrase over it, each saying what it drew."""
    import random

    import numpy as np

    card = rendering.card_image("face", rendering.random_person(random.Random(3))["face"],
                                random.Random(3))
    before = np.asarray(card.convert("RGB"), np.int16)
    reddened = 0
    for seed in range(2):
        stamped, what = rendering.stamp(card, random.Random(seed))
        assert what.endswith("red stamp")
        after = np.asarray(stamped.convert("RGB"), np.int16)
        reddened += ((after[..., 0] - after[..., 1] > 60) &
                     (before[..., 0] - before[..., 1] < 30)).sum()
    assert reddened > 1000
    for seed in range(2):
        marked, what = rendering.watermark(card, random.Random(seed))
        assert what.startswith("watermark ")
        changed = np.abs(np.asarray(marked.convert("RGB"), np.int16) - before).sum(-1) > 30
        assert changed.mean() > 0.01, what
    assert all(p.replace("{}", "") for p in rendering.OVERLAY_PHRASES)


def fonts_draw_the_data(rendering, extra: str = "", titles: str = "") -> None:
    """That a hold-out `rendering`'s fonts draw every character its data can put on a card
    (its names, streets and PLACES, and `extra`), its labels, its titles (and `titles`) and
    the number, each with a glyph of its own (the rendering's `covers`, typefaces.py's)."""
    r = rendering
    data = "".join(r.NATIONALITIES) + r.SURNAMES + r.RARE_SURNAMES + \
        "".join(r.COMPOUND_SURNAMES) + r.GIVEN_CHARS + r.RARE_GIVEN_CHARS + \
        "".join([p for parts in r.DOTTED_PARTS.values() for p in parts] +
                [n for names in r.GIVEN_WHOLE.values() for n in names] +
                list(r.STREETS + r.STREET_KINDS + r.TOWNS + r.VILLAGES + r.ESTATES + r.GACHA +
                     r.SUMU)) + \
        "".join(p[1] + p[2] for p in r.PLACES) + "组号栋单元长期·.-0123456789" + extra
    for spec in r.VALUE_FONTS:
        assert r.covers(spec, data), spec
    for spec in r.LABEL_FONTS:
        assert r.covers(spec, "姓名性别民族出生年月日住址公民身份号码签发机关有效期限")
    for spec in r.TITLE_FONTS:
        assert r.covers(spec, "中华人民共和国居民身份证" + titles)
    for spec in r.NUMBER_FONTS:
        assert r.covers(spec, "0123456789X"), spec
    assert not r.covers(r.NUMBER_FONTS[0], "姓")  # the check can say no


def fonts_no_other_rendering_uses(name: str, rendering) -> None:
    """That no other rendering draws with a hold-out's fonts (ALL_FONTS) and that `make fonts`
    installs its PACKAGES on a clean machine."""
    from tests.fakes import renderings

    others = {spec for style in renderings.FONTS.values() for spec in style} | \
        {spec for style in renderings.NUMBER_FONTS.values() for spec in style}
    for other, module in renderings.HOLDOUT_MODULES.items():
        if other != name:
            held = __import__(module, fromlist=["ALL_FONTS"])
            others |= set(getattr(held, "ALL_FONTS", ()))
    assert not others & set(rendering.ALL_FONTS)
    makefile = open(os.path.join(ROOT, "Makefile"), encoding="utf-8").read()
    for package in rendering.PACKAGES.split():
        assert package in makefile, package


def districts_and_nations_as_real_cards_carry(rendering, year: str = "2000") -> None:
    """That a hold-out's 56 nationalities are the real ones, each of its PLACES a real
    district (GB/T 2260 in `year`) in the province its address names, that 800 of its holders
    carry all 56, and names_and_places_as_real_cards_carry."""
    import random
    from collections import Counter

    from idcard_ocr.card import checks
    from tests.fakes.cards import REAL_NATIONS

    assert len(rendering.NATIONALITIES) == 56 == len(set(rendering.NATIONALITIES))
    assert set(rendering.NATIONALITIES) == set(REAL_NATIONS)
    for code, prefix, _ in rendering.PLACES:
        region = checks.region_of(code, year)
        assert region is not None and checks.province_named(prefix) == code[:2], code
    people = [rendering.random_person(random.Random(n)) for n in range(800)]
    nations = Counter(p["face"]["nationality"] for p in people)
    assert len(nations) == 56  # the rare ones appear, not only 汉
    names_and_places_as_real_cards_carry(people, rendering)


def kyc_shot_sound(kind: str, style, seed: int = 5):
    """A KYC style's shot of `kind` after checking that the same seed draws it the same, that
    it names its style, the warning expected and (first in its detail) the side, and that its
    card region is sane in a frame of the style's size (either way up)."""
    from tests.fakes import artifacts

    shot, again = artifacts.render(kind, seed, style), artifacts.render(kind, seed, style)
    assert shot.data == again.data and shot.region == again.region
    assert shot.style == style.name and shot.expected == (None if kind == "ordinary" else kind)
    assert shot.detail.split(",")[0] in ("face", "back")  # the side read comes first
    img = jpeg_picture(shot.data)
    assert img.size in (style.frame, style.frame[::-1])
    assert artifacts.region_faults(shot, img.size) == []
    return shot


def every_variant_drawn(wanted: dict, style, first_seed: int) -> None:
    """That a KYC style draws each variant it names for each kind (`wanted`: kind -> names, in
    turn by seed, so a run of n seeds holds n variants; multiple_cards: 9, its second cards by
    its arrangements) with a sane region."""
    from tests.fakes import artifacts

    for kind, variants in wanted.items():
        count = 9 if kind == "multiple_cards" else len(variants)
        shots = [artifacts.render(kind, first_seed + seed, style) for seed in range(count)]
        details = " | ".join(shot.detail for shot in shots)
        for name in variants:
            assert name in details, (kind, name)
        for shot in shots:
            assert artifacts.region_faults(shot, jpeg_picture(shot.data).size) == [], shot.detail


def card_where_region_says(style, seeds, margin: float) -> None:
    """That ordinary shots of those seeds hold the card's pale ground inside their region (less
    `margin` of its size each side), not the surface around it."""
    import numpy as np

    from tests.fakes import artifacts

    for seed in seeds:
        shot = artifacts.render("ordinary", seed, style)
        img = np.asarray(jpeg_picture(shot.data).convert("L"), dtype=np.float32)
        (tlx, tly), _, (brx, bry), _ = shot.region
        inside = img[int(tly + margin * (bry - tly)):int(bry - margin * (bry - tly)),
                     int(tlx + margin * (brx - tlx)):int(brx - margin * (brx - tlx))]
        assert np.median(inside) > 150, shot.detail


def cut_beyond_frame(style, seeds=range(3)) -> None:
    """That a cut card's region reaches beyond the frame and an ordinary one's does not."""
    from tests.fakes import artifacts

    for seed in seeds:
        shot = artifacts.render("incomplete_border", seed, style)
        w, h = jpeg_picture(shot.data).size
        assert any(x < 0 or y < 0 or x > w - 1 or y > h - 1 for x, y in shot.region)
        ordinary = artifacts.render("ordinary", seed, style)
        w, h = jpeg_picture(ordinary.data).size
        assert all(0 <= x <= w - 1 and 0 <= y <= h - 1 for x, y in ordinary.region)



def card_laid_where_its_corners_say(rendering) -> None:
    """That a hold-out's `place(scene, card, card_quad(centre, width, angle), shadow=0)` puts the
    card inside the corners it was given, rounded corners aside, and nothing outside them."""
    import numpy as np
    from PIL import Image

    card = Image.new("RGB", rendering.CARD_SIZE, (250, 250, 250))
    scene = Image.new("RGB", (1200, 900), (20, 20, 20))
    quad = rendering.card_quad((600, 450), 800, 10)
    out = np.asarray(rendering.place(scene, card, quad, shadow=0).convert("L"))
    assert out[450, 600] > 240 and out[20, 20] < 30
    for x, y in quad:  # just inside each corner (past the rounding) the card; outside, not
        inward = ((600 - x) * 0.06, (450 - y) * 0.06)
        assert out[int(y + inward[1]), int(x + inward[0])] > 200
        assert out[int(y - inward[1]), int(x - inward[0])] < 60


def _inside_region(kind: str, seeds, style):
    """(shot, the grey pixels of its card region's bounding box) for each seed of `kind`."""
    import numpy as np

    from tests.fakes import artifacts

    for seed in seeds:
        shot = artifacts.render(kind, seed, style)
        img = np.asarray(jpeg_picture(shot.data).convert("L"), np.float32)
        (tlx, tly), _, (brx, bry), _ = shot.region
        yield shot, img[int(min(tly, bry)):int(max(tly, bry)), int(tlx):int(brx)]


def occluders_over_the_region(style, seeds) -> None:
    """That an occlusion shot's card region holds something besides the card's pale ground."""
    for shot, inside in _inside_region("occlusion", seeds, style):
        assert inside.size and inside.std() > 15, shot.detail


def glare_saturates_the_region(style, seeds) -> None:
    """That a glare shot saturates more than 50 pixels of its card region."""
    for shot, inside in _inside_region("glare_on_fields", seeds, style):
        assert (inside > 248).sum() > 50, shot.detail

def refuses_unknown_kind(name: str, style) -> None:
    """That a hold-out's rendering and its KYC style refuse a kind they do not draw, by name."""
    from tests.fakes import artifacts, renderings

    with pytest.raises(ValueError, match="unknown kind 'selfie'"):
        renderings.shoot(name, "selfie", 1)
    with pytest.raises(ValueError, match="unknown kind 'selfie'"):
        artifacts.render("selfie", 1, style)


@pytest.fixture
def bench(monkeypatch):
    """bench/NAME.py imported as the benchmarks import each other (bench/ on the path)."""
    import importlib

    monkeypatch.syspath_prepend(os.path.join(ROOT, "bench"))
    return importlib.import_module
