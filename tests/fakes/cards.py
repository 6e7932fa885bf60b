"""Synthetic ID card data and the simple card style, for the offline engine's tests and benchmark.

Random but valid card data (used by both styles), and the first, simple style of card: the
realistic one (guilloche, blue labels, OCR-B digits, A4 sheets...) is tests/fakes/realistic.py,
drawn from the same data. The simple style stays so the benchmark shows regressions on it.
Simple cards are drawn at 10 px/mm (856 x 540) in the resident ID card's layout with fonts
from Debian's fonts-noto-cjk / fonts-wqy-microhei, with random but valid data (names, ethnic
groups, addresses of 1-3 lines, citizen numbers with a correct check character, issuing
authorities, validity periods including 长期), then photographed: placed in a cluttered scene,
rotated, blurred, JPEG-compressed, turned sideways or upside down, or enlarged to 12 megapixels.
"""

import io
import os
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Dict, Optional

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from idcard_ocr.engine.fields import ETHNIC_GROUPS  # the 56 as printed after 民族

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/wqy")
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc", "wqy-microhei.ttc")
CARD = (856, 540)
INK = (25, 25, 25)
LABEL = (40, 110, 175)

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘") \
    + ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文俊浩宇晨欣怡子涵嘉"
             "佳琪思雨轩博宁安")
NATIONS = ["汉"] * 12 + ["回", "满", "壮", "苗", "维吾尔", "蒙古", "土家", "藏", "朝鲜", "彝"]
PLACES = [  # (region code, province, city, districts)
    ("330110", "浙江省", "杭州市", ["余杭区", "西湖区", "拱墅区"]),
    ("310104", "上海市", "", ["徐汇区", "浦东新区", "静安区"]),
    ("110105", "北京市", "", ["朝阳区", "海淀区", "东城区"]),
    ("440305", "广东省", "深圳市", ["南山区", "福田区", "宝安区"]),
    ("510107", "四川省", "成都市", ["武侯区", "锦江区", "青羊区"]),
    ("420106", "湖北省", "武汉市", ["武昌区", "洪山区", "江汉区"]),
    ("320102", "江苏省", "南京市", ["玄武区", "鼓楼区", "秦淮区"]),
    ("610113", "陕西省", "西安市", ["雁塔区", "碑林区", "未央区"]),
]
STREETS = ["文一西路", "人民路", "解放大道", "中山北路", "建设街", "长江路", "和平里", "复兴路",
           "科技园南区", "天府大道", "学院路", "东风村"]
# 汉 weighted as in the population; every other group appears, the most numerous a bit more.
REAL_NATIONS = ["汉"] * 40 + list(ETHNIC_GROUPS[1:]) + ["回", "满", "藏", "苗", "彝", "壮"]
REAL_PLACES = PLACES + [
    ("230102", "黑龙江省", "哈尔滨市", ["道里区", "南岗区", "香坊区"]),
    ("650102", "新疆维吾尔自治区", "乌鲁木齐市", ["天山区", "沙依巴克区", "新市区"]),
    ("450103", "广西壮族自治区", "南宁市", ["青秀区", "兴宁区", "西乡塘区"]),
    ("640104", "宁夏回族自治区", "银川市", ["兴庆区", "金凤区", "西夏区"]),
    ("530102", "云南省", "昆明市", ["五华区", "盘龙区", "官渡区"]),
    ("500103", "重庆市", "", ["渝中区", "江北区", "沙坪坝区"]),
]
REAL_STREETS = STREETS + ["新华街道光明路", "中央大街", "友谊路街道", "新华路", "滨江街道江南大道",
                          "新疆路", "团结村", "西湖街道北山路"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def holder_faults(face: Dict[str, str], back: Dict[str, str]) -> list:
    """How one holder's face and back differ from what a real card carries (empty: they do
    not): the number's check character, the birth date and sex it encodes, and a validity
    period as long as the age at issue gives (5/10/20 years, 长期 from 46)."""
    faults = []
    num = face["num"]
    if num[-1] != check_char(num[:17]):
        faults.append("check character")
    if num[6:14] != face["birth"]:
        faults.append("birth date not in the number")
    if (int(num[16]) % 2 == 1) != (face["sex"] == "男"):
        faults.append("sex not as the number's 17th digit says")
    start = date(int(back["start_date"][:4]), int(back["start_date"][4:6]),
                 int(back["start_date"][6:]))
    birth = date(int(face["birth"][:4]), int(face["birth"][4:6]), int(face["birth"][6:]))
    age = (start - birth).days // 365
    years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0
    if (back["end_date"] != "长期") if years == 0 else \
            (back["end_date"] == "长期" or int(back["end_date"][:4]) != start.year + years):
        faults.append("validity not as the age at issue gives")
    return faults


def font_paths():
    paths = [os.path.join(d, f) for d in FONT_DIRS for f in FONT_FILES]
    found = [p for p in paths if os.path.exists(p)]
    if not found:
        raise RuntimeError("no CJK font: apt-get install fonts-noto-cjk fonts-wqy-microhei")
    return found


@dataclass
class Card:
    side: str
    truth: Dict[str, str]
    image: Image.Image           # the card itself, 856 x 540
    address_lines: int = 0


def random_face(rng: random.Random, places=PLACES, nations=NATIONS,
                streets=None) -> Dict[str, str]:
    code, province, city, districts = rng.choice(places)
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 58))
    sex = rng.choice("男女")
    seq = rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
    first17 = f"{code}{birth:%Y%m%d}{seq:03d}"
    street = rng.choice(streets or (STREETS if places is PLACES else REAL_STREETS))
    address = f"{province}{city}{rng.choice(districts)}{street}{rng.randint(1, 999)}号"
    lines = rng.choice((1, 2, 3))
    if lines >= 2:
        address += f"{rng.randint(1, 30)}幢{rng.randint(1, 6)}单元"
    if lines == 3:
        address += f"{rng.randint(101, 2999)}室{rng.choice(['', '东', '西'])}"
    return {
        "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        "sex": sex, "nationality": rng.choice(nations), "birth": f"{birth:%Y%m%d}",
        "address": address, "num": first17 + check_char(first17),
    }


def random_back(rng: random.Random, today: date = date(2026, 11, 25),
                places=PLACES, birth: Optional[str] = None) -> Dict[str, str]:
    """A back; without `birth` its validity is drawn at random (it belongs to nobody), with the
    holder's `birth` (YYYYMMDD) it is the back of that holder's card: issued after the birth,
    valid as long as the law gives a holder of that age at issue (valid_years_at). Its
    authority is drawn apart from any address: a holder's card is issued by authority_of
    the holder's address."""
    _, province, city, districts = rng.choice(places)
    issue = f"{city or province}公安局{rng.choice(districts)}分局"
    start = today - timedelta(days=rng.randrange(30, 365 * 19))
    if birth is None:
        years = rng.choice((5, 10, 20, 0))
    else:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
        while start <= born or (start.month, start.day) == (2, 29):
            start = today - timedelta(days=rng.randrange(30, 365 * 19))
        years = valid_years_at(born, start)
    end = "长期" if years == 0 else f"{start.year + years}{start:%m%d}"
    return {"issue": issue, "start_date": f"{start:%Y%m%d}", "end_date": end}


def authority_of(address: str, places=PLACES) -> str:
    """The bureau that issues the card of a face of `places` living at `address`: a card is
    issued where its holder's household is registered, and the address is that registration
    (card/vouching.authority_elsewhere pays for a sheet whose sides disagree on it)."""
    for _, province, city, districts in places:
        for district in districts:
            if address.startswith(f"{province}{city}{district}"):
                return f"{city or province}公安局{district}分局"
    raise ValueError("an address of no place of the list")


def valid_years_at(born: date, issued: date) -> int:
    """Years a card issued on `issued` is valid for its holder born on `born` (0: long-term):
    居民身份证法 (the Resident Identity Card Law), article 5: under 16, 5 years; 16-25, 10;
    26-45, 20; 46 and over, long-term."""
    age = issued.year - born.year - ((issued.month, issued.day) < (born.month, born.day))
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def draw_face(truth: Dict[str, str], font_path: str, rng: random.Random) -> Image.Image:
    img = _background(rng, (236, 233, 224))
    d = ImageDraw.Draw(img)
    label = ImageFont.truetype(font_path, 26)
    value = ImageFont.truetype(font_path, 32)
    num_font = ImageFont.truetype(font_path, 34)
    d.text((60, 60), "姓 名", font=label, fill=LABEL)
    d.text((150, 55), truth["name"], font=value, fill=INK)
    d.text((60, 125), "性 别", font=label, fill=LABEL)
    d.text((150, 120), truth["sex"], font=value, fill=INK)
    d.text((260, 125), "民 族", font=label, fill=LABEL)
    d.text((350, 120), truth["nationality"], font=value, fill=INK)
    d.text((60, 190), "出 生", font=label, fill=LABEL)
    b = truth["birth"]
    x = 150
    for text, font, fill, gap in ((b[:4], value, INK, 8), ("年", label, LABEL, 14),
                                  (str(int(b[4:6])), value, INK, 8), ("月", label, LABEL, 14),
                                  (str(int(b[6:])), value, INK, 8), ("日", label, LABEL, 0)):
        d.text((x, 185 if font is value else 190), text, font=font, fill=fill)
        x += int(d.textlength(text, font=font)) + gap
    d.text((60, 255), "住 址", font=label, fill=LABEL)
    for i, line in enumerate(_wrap(truth["address"], 11)):
        d.text((150, 250 + i * 42), line, font=value, fill=INK)
    d.text((60, 440), "公民身份号码", font=label, fill=LABEL)
    d.text((280, 434), " ".join(truth["num"]) if rng.random() < 0.3 else truth["num"],
           font=num_font, fill=INK)
    _portrait(d, rng)
    return img


def draw_back(truth: Dict[str, str], font_path: str, rng: random.Random) -> Image.Image:
    img = _background(rng, (226, 234, 238))
    d = ImageDraw.Draw(img)
    label = ImageFont.truetype(font_path, 26)
    value = ImageFont.truetype(font_path, 30)
    title = ImageFont.truetype(font_path, 44)
    d.ellipse((60, 40, 200, 180), fill=(200, 40, 40))
    d.ellipse((95, 75, 165, 145), fill=(235, 200, 60))
    d.text((270, 60), "中华人民共和国", font=title, fill=INK)
    d.text((300, 150), "居 民 身 份 证", font=ImageFont.truetype(font_path, 56), fill=INK)
    d.text((170, 380), "签发机关", font=label, fill=INK)
    d.text((310, 375), truth["issue"], font=value, fill=INK)
    d.text((170, 445), "有效期限", font=label, fill=INK)
    s, e = truth["start_date"], truth["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    d.text((310, 440), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", font=value, fill=INK)
    return img


def make_card(seed: int, side: Optional[str] = None) -> Card:
    rng = random.Random(seed)
    side = side or rng.choice(("face", "back"))
    font = rng.choice(font_paths())
    if side == "face":
        truth = random_face(rng)
        image = draw_face(truth, font, rng)
        return Card(side, truth, image, len(_wrap(truth["address"], 11)))
    truth = random_back(rng)
    return Card(side, truth, draw_back(truth, font, rng))


# Photographing ---------------------------------------------------------------------------------

DISTORTIONS = ("clean", "rotated", "blurred", "jpeg", "sideways", "upside_down", "exif_sideways",
               "large", "cluttered")


def photograph(card: Card, distortion: str, seed: int) -> bytes:
    """The card as a user's photo (JPEG bytes) with one kind of distortion."""
    rng = random.Random(seed)
    img = card.image
    exif = None
    quality = 92
    if distortion == "clean":
        scene = _scene(rng, (img.width + 80, img.height + 80), clutter=False)
        scene.paste(img, (40, 40))
        img = scene
    elif distortion == "cluttered":
        img = _in_scene(img, rng, (1600, 1200), clutter=True)
    elif distortion == "rotated":
        img = _in_scene(img.rotate(rng.uniform(-15, 15), expand=True, fillcolor=(0, 0, 0, 0),
                                   resample=Image.BICUBIC), rng, (1400, 1050), clutter=True)
    elif distortion == "blurred":
        img = _in_scene(img, rng, (1200, 900), clutter=False).filter(
            ImageFilter.GaussianBlur(rng.uniform(1.0, 1.6)))
    elif distortion == "jpeg":
        img = _in_scene(img, rng, (1200, 900), clutter=True)
        quality = rng.randint(25, 40)
    elif distortion == "sideways":
        img = _in_scene(img, rng, (1200, 900), clutter=False).rotate(
            rng.choice((90, 270)), expand=True)
    elif distortion == "upside_down":
        img = _in_scene(img, rng, (1200, 900), clutter=False).rotate(180)
    elif distortion == "exif_sideways":
        # Stored sideways, EXIF says how to turn it back (as phones do).
        orientation = rng.choice((6, 8))
        upright = _in_scene(img, rng, (1200, 900), clutter=False)
        img = upright.rotate(90 if orientation == 6 else 270, expand=True)
        exif = Image.Exif()
        exif[0x0112] = orientation
    elif distortion == "large":
        big = img.resize((img.width * 3, img.height * 3), Image.BICUBIC)
        img = _in_scene(big, rng, (4032, 3024), clutter=True)
    else:
        raise ValueError(distortion)
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality, **({"exif": exif.tobytes()} if exif else {}))
    return out.getvalue()


def _in_scene(card_img: Image.Image, rng: random.Random, size, clutter: bool) -> Image.Image:
    scene = _scene(rng, size, clutter)
    card_img = card_img.convert("RGBA") if card_img.mode != "RGBA" else card_img
    max_x, max_y = size[0] - card_img.width, size[1] - card_img.height
    pos = (rng.randint(0, max(0, max_x)), rng.randint(0, max(0, max_y)))
    scene.paste(card_img, pos, card_img)
    return scene


def _scene(rng: random.Random, size, clutter: bool) -> Image.Image:
    base = tuple(rng.randint(60, 160) for _ in range(3))
    scene = Image.new("RGB", size, base)
    d = ImageDraw.Draw(scene)
    if clutter:
        for _ in range(25):
            x, y = rng.randrange(size[0]), rng.randrange(size[1])
            w, h = rng.randint(20, size[0] // 4), rng.randint(20, size[1] // 4)
            color = tuple(rng.randint(0, 255) for _ in range(3))
            (d.rectangle if rng.random() < 0.5 else d.ellipse)((x, y, x + w, y + h), fill=color)
        noise = Image.effect_noise(size, 12).convert("RGB")
        scene = Image.blend(scene, noise, 0.15)
    return scene


def _background(rng: random.Random, color) -> Image.Image:
    img = Image.new("RGBA", CARD, color + (255,))
    d = ImageDraw.Draw(img)
    for i in range(0, CARD[0], 24):  # the faint guilloche-like pattern of the real card
        d.arc((i - 200, -150, i + 200, 250), 0, 180, fill=tuple(c - 12 for c in color) + (255,))
    return img


def _portrait(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    shade = rng.randint(90, 150)
    d.rectangle((575, 70, 800, 360), fill=(shade + 40, shade + 35, shade + 30))
    d.ellipse((630, 110, 745, 250), fill=(shade + 70, shade + 50, shade + 40))
    d.rectangle((610, 250, 765, 360), fill=(shade - 40, shade - 40, shade - 30))


def _wrap(text: str, width: int):
    return [text[i:i + width] for i in range(0, len(text), width)]
