"""A third rendering of the resident ID card, `fresh`: the hold-out that nobody tuning the
offline engine has seen (renderings.shoot("fresh", kind, seed), same kinds as `gb` and
`specimen`). Written without reading the engine, from the public description of the
second-generation card (GB 19584 as summarised in encyclopaedia pages and the Ministry of Public
Security's published sample), not from the two other renderings:

- The card is 85.6 x 54 mm, drawn here at 12 px/mm (1027 x 648, not the 856 x 540 of the other
  generators). The face (with the portrait) carries 姓名, 性别 and 民族 on one row, 出生 as
  year/month/day, 住址 wrapped to the width left of the portrait (2-3 lines for long rural or
  autonomous-prefecture addresses) and 公民身份号码 along the bottom; the portrait (white
  background, about 26 x 32 mm) stands right. The back carries the national emblem top left,
  "中华人民共和国" and "居民身份证" beside it, and 签发机关 / 有效期限 near the bottom, the
  authority wrapping when it is longer than the template's column.
- Security print: a light rainbow gradient (blue to rose), fine interference lines and a
  rosette; the back a faint wall-like band. Label colours vary between card batches (teal,
  slate, navy, grey-blue).
- Fonts not used for values by the other renderings: Noto Sans CJK SC Bold, Noto Serif CJK SC
  Bold, WenQuanYi Zen Hei Sharp, AR PL UMing at its HK/TW faces, Noto Sans Mono CJK SC; the
  number in OCR-B at other sizes, DejaVu Sans Mono or Liberation Mono Bold.
- Data: all 56 nationalities about equally often besides 汉; places in 21 provinces and
  autonomous prefectures (codes of real districts); addresses with 镇/村/组/小区 that wrap to 2-3
  lines; authorities "XX市公安局XX分局" or "XX县公安局" that follow the address's place;
  validity periods that follow the age at issue (5/10/20 years, 长期 from 46); names with the
  middle dot of Uyghur and other transliterated names now and then.
- Photographs (own pipeline): backgrounds of stone counter, fabric, notebook paper, dark desk
  mat; card widths 448-1,300 px; quarter turns plus up to 15 degrees of skew and perspective;
  dim, warm, shadowed or glare-spotted light; defocus or hand-shake blur; JPEG 55-95; red seals
  and watermarks worded as copies are ("此复印件仅用于…", "本复印件仅供…使用，再复印无效"), always
  leaving every value readable; A4 sheets with both sides (each turned and darkened on its own,
  black-and-white or colour copy, scanned at 150-300 dpi or photographed).

Every value in the truth is drawn on the image in full: draw_face and draw_back append each
piece of text they draw to `log` (the tests compare it with the truth). Everything follows from
the seed.
"""

import math
import random
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from tests.fakes.cards import check_char
from tests.fakes.realistic import Photo, _rounded
from tests.fakes.typefaces import installed

KINDS = ("plain_face", "plain_back", "hard", "sheet")
PX_MM = 12
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
NOTO = "/usr/share/fonts/opentype/noto/"
VALUE_FONTS = (  # (path, face index): none of these is a value font of gb, specimen or realistic
    (NOTO + "NotoSansCJK-Bold.ttc", 2),             # Noto Sans CJK SC Bold
    (NOTO + "NotoSerifCJK-Bold.ttc", 2),            # Noto Serif CJK SC Bold
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 2),   # WenQuanYi Zen Hei Sharp
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 1),     # AR PL UMing HK
    (NOTO + "NotoSansCJK-Regular.ttc", 7),          # Noto Sans Mono CJK SC
)
LABEL_FONTS = ((NOTO + "NotoSansCJK-Regular.ttc", 2), ("/usr/share/fonts/truetype/wqy/"
                                                        "wqy-zenhei.ttc", 1))
NUMBER_FONTS = (("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0),
                ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0),
                ("/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf", 0))
LABEL_COLOURS = ((0, 104, 150), (70, 106, 138), (28, 64, 128), (96, 120, 150))
INKS = ((12, 12, 14), (34, 28, 26), (20, 24, 36))
SEAL_RED = (205, 28, 36)

# The 56 nationalities as printed after 民族 (the State Ethnic Affairs Commission's list).
NATIONALITIES = (
    "汉", "壮", "满", "回", "苗", "维吾尔", "土家", "彝", "蒙古", "藏", "布依", "侗", "瑶", "朝鲜",
    "白", "哈尼", "哈萨克", "黎", "傣", "畲", "傈僳", "仡佬", "东乡", "高山", "拉祜", "水", "佤",
    "纳西", "羌", "土", "仫佬", "锡伯", "柯尔克孜", "达斡尔", "景颇", "毛南", "撒拉", "布朗",
    "塔吉克", "阿昌", "普米", "鄂温克", "怒", "京", "基诺", "德昂", "保安", "俄罗斯", "裕固",
    "乌孜别克", "门巴", "鄂伦春", "独龙", "塔塔尔", "赫哲", "珞巴")
# (region code, province, prefecture, county or district, its police authority)
PLACES = (
    ("150102", "内蒙古自治区", "呼和浩特市", "新城区", "呼和浩特市公安局新城区分局"),
    ("152502", "内蒙古自治区", "锡林郭勒盟", "锡林浩特市", "锡林浩特市公安局"),
    ("540102", "西藏自治区", "拉萨市", "城关区", "拉萨市公安局城关区分局"),
    ("520102", "贵州省", "贵阳市", "南明区", "贵阳市公安局南明分局"),
    ("460105", "海南省", "海口市", "秀英区", "海口市公安局秀英分局"),
    ("620102", "甘肃省", "兰州市", "城关区", "兰州市公安局城关分局"),
    ("630102", "青海省", "西宁市", "城东区", "西宁市公安局城东区分局"),
    ("220102", "吉林省", "长春市", "南关区", "长春市公安局南关区分局"),
    ("370202", "山东省", "青岛市", "市南区", "青岛市公安局市南分局"),
    ("350203", "福建省", "厦门市", "思明区", "厦门市公安局思明分局"),
    ("430103", "湖南省", "长沙市", "天心区", "长沙市公安局天心分局"),
    ("360102", "江西省", "南昌市", "东湖区", "南昌市公安局东湖分局"),
    ("130102", "河北省", "石家庄市", "长安区", "石家庄市公安局长安分局"),
    ("410105", "河南省", "郑州市", "金水区", "郑州市公安局金水分局"),
    ("140105", "山西省", "太原市", "小店区", "太原市公安局小店分局"),
    ("210102", "辽宁省", "沈阳市", "和平区", "沈阳市公安局和平分局"),
    ("340104", "安徽省", "合肥市", "蜀山区", "合肥市公安局蜀山分局"),
    ("120101", "天津市", "", "和平区", "天津市公安局和平分局"),
    ("532801", "云南省", "西双版纳傣族自治州", "景洪市", "景洪市公安局"),
    ("513201", "四川省", "阿坝藏族羌族自治州", "马尔康市", "马尔康市公安局"),
    ("433101", "湖南省", "湘西土家族苗族自治州", "吉首市", "吉首市公安局"),
    ("652301", "新疆维吾尔自治区", "昌吉回族自治州", "昌吉市", "昌吉市公安局"),
    ("653101", "新疆维吾尔自治区", "喀什地区", "喀什市", "喀什市公安局"),
    ("450304", "广西壮族自治区", "桂林市", "象山区", "桂林市公安局象山分局"),
    ("650103", "新疆维吾尔自治区", "乌鲁木齐市", "沙依巴克区", "乌鲁木齐市公安局沙依巴克区分局"),
    ("150703", "内蒙古自治区", "呼伦贝尔市", "扎赉诺尔区", "呼伦贝尔市公安局扎赉诺尔区分局"),
)
TOWNS = ("城关镇", "新华镇", "太平镇", "红旗乡", "永安镇", "白沙镇", "青山乡", "龙泉镇")
VILLAGES = ("东升村", "和平村", "光明村", "新民村", "红星村", "团结村", "胜利村", "向阳村")
ESTATES = ("阳光花园", "锦绣小区", "幸福里", "滨河家园", "翠苑小区", "人民新村", "金色家园")
ROADS = ("建设路", "新华路", "解放路", "团结街", "胜利大街", "文化路", "北京路", "青年路",
         "滨江东路", "健康路")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓萧冯曾程蔡彭潘袁于董余"
GIVEN = "国华明丽英文玉秀兰金荣春林海燕红霞云建平志军德成东芳梅凤晓雪琳婷雯博航宇浩然子轩一鸣"
DOTTED = ("买买提·艾力", "阿依古丽·吐尔逊", "努尔·阿不都", "古丽·买买提", "艾合买提·热合曼")
PURPOSES = ("办理社保", "银行开户", "入职登记", "房屋租赁", "贷款申请", "快递实名登记")
OVERLAYS = ("此复印件仅用于{}，他用无效", "本复印件仅供{}使用，再复印无效", "仅供{}使用",
            "此复印件仅用于{}")


def available() -> bool:
    return installed(VALUE_FONTS + LABEL_FONTS + NUMBER_FONTS)


def shoot(kind: str, seed: int) -> Photo:
    """A photo of `kind` (KINDS) drawn from `seed`: JPEG bytes, the truth of every side on it,
    and a detail naming what was done (and the values drawn, `drawn: ...`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    rng = random.Random(f"fresh/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        face, back = draw_face(person["face"], rng), draw_back(person["back"], rng)
        page, detail = _sheet(face, back, rng)
        return Photo(kind, _jpeg(page, rng.randint(70, 92)),
                     {"face": person["face"], "back": person["back"]}, detail)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    card = draw_face(person["face"], rng) if side == "face" else draw_back(person["back"], rng)
    notes = []
    if kind == "hard":
        card, notes = _overlays(card, rng)
    img, how = _photograph(card, rng, hard=kind == "hard")
    quality = rng.randint(80, 95) if kind != "hard" else rng.randint(55, 90)
    return Photo(kind, _jpeg(img, quality), {side: person[side]},
                 ", ".join([how] + notes + [f"JPEG {quality}"]))


# Data ------------------------------------------------------------------------------------------

def random_person(rng: random.Random, today: date = date(2026, 11, 25)) -> Dict[str, Dict]:
    """Face and back of one person's card: the back's authority and validity follow the face's
    place and the age at issue, as on a real card."""
    code, province, prefecture, county, police = rng.choice(PLACES)
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    sex = rng.choice("男女")
    first17 = f"{code}{birth:%Y%m%d}{rng.randrange(0, 500) * 2 + (sex == '男'):03d}"
    nation = "汉" if rng.random() < 0.35 else rng.choice(NATIONALITIES)
    if nation in ("维吾尔", "哈萨克", "柯尔克孜", "乌孜别克", "塔吉克") and rng.random() < 0.5:
        name = rng.choice(DOTTED)
    else:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                              for _ in range(rng.choice((1, 2, 2))))
    place = province + prefecture + county
    shape = rng.random()
    if shape < 0.35:
        address = f"{place}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
    elif shape < 0.7:
        address = (f"{place}{rng.choice(ROADS)}{rng.randint(1, 399)}号{rng.choice(ESTATES)}"
                   f"{rng.randint(1, 40)}栋{rng.randint(1, 6)}单元{rng.randint(1, 32)}0"
                   f"{rng.randint(1, 4)}室")
    else:
        address = (f"{place}{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randint(1, 12)}组"
                   f"{rng.randint(1, 150)}号")
    # The card holds three lines of 10-12 characters; a longer address is cut after its
    # house number, as the registry prints it shorter.
    if len(address) > 30:
        cut = address.find("号")
        address = address[:cut + 1] if 0 < cut < 30 else address[:30]
    start = birth + timedelta(days=365 * 16)
    start = max(start, today - timedelta(days=rng.randrange(40, 365 * 18)))
    start = min(start, today - timedelta(days=30))
    age = (start - birth).days // 365
    years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0
    end = "长期" if years == 0 else f"{start.year + years}{start:%m%d}"
    if end != "长期" and end[4:] == "0229":
        end = end[:4] + "0228"
    face = {"name": name, "sex": sex, "nationality": nation, "birth": f"{birth:%Y%m%d}",
            "address": address, "num": first17 + check_char(first17)}
    back = {"issue": police, "start_date": f"{start:%Y%m%d}", "end_date": end}
    return {"face": face, "back": back}


# Cards -----------------------------------------------------------------------------------------

def mm(v: float) -> int:
    return round(v * PX_MM)


def draw_face(truth: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    log = [] if log is None else log
    img = _security_print(rng, face=True)
    d = ImageDraw.Draw(img)
    value_font = rng.choice(VALUE_FONTS)
    label_font = rng.choice(LABEL_FONTS)
    size = mm(rng.uniform(3.0, 3.5))
    value = ImageFont.truetype(value_font[0], size, index=value_font[1])
    label = ImageFont.truetype(label_font[0], mm(rng.uniform(2.3, 2.7)), index=label_font[1])
    ink, blue = rng.choice(INKS), rng.choice(LABEL_COLOURS)
    x_label, x_value = mm(rng.uniform(4.5, 6.0)), mm(rng.uniform(15.0, 16.5))
    y0, step = rng.uniform(8.5, 10.0), rng.uniform(6.6, 7.2)

    def put(x, y_mm, text, font, fill, gap=0.0):
        log.append(text)
        y = mm(y_mm) - (font.getbbox("国")[1] + font.getbbox("国")[3]) // 2
        for ch in text:
            d.text((x, y), ch, font=font, fill=fill)
            x += d.textlength(ch, font=font) + gap
        return x

    label_gap = mm(rng.uniform(1.5, 3.0))  # "姓  名": the label's characters stand apart
    put(x_label, y0, "姓名", label, blue, label_gap)
    put(x_value, y0, truth["name"], value, ink)
    put(x_label, y0 + step, "性别", label, blue, label_gap)
    put(x_value, y0 + step, truth["sex"], value, ink)
    x_nation = x_value + mm(rng.uniform(11, 13))
    put(x_nation, y0 + step, "民族", label, blue, label_gap)
    put(x_nation + mm(rng.uniform(10, 11.5)), y0 + step, truth["nationality"], value, ink)
    put(x_label, y0 + 2 * step, "出生", label, blue, label_gap)
    b = truth["birth"]
    x = x_value
    for text, is_value in ((b[:4], True), ("年", False), (str(int(b[4:6])), True),
                           ("月", False), (str(int(b[6:])), True), ("日", False)):
        x = put(x, y0 + 2 * step, text, value if is_value else label, ink if is_value else blue)
        x += mm(rng.uniform(0.8, 1.6))
    put(x_label, y0 + 3 * step, "住址", label, blue, label_gap)
    room = mm(53.5) - x_value  # up to the portrait's left edge
    per_line = max(10, int(room // d.textlength("国", font=value)))
    lines = [truth["address"][i:i + per_line] for i in range(0, len(truth["address"]), per_line)]
    line_step = rng.uniform(4.4, 4.9)
    for i, line in enumerate(lines):
        put(x_value, y0 + 3 * step + i * line_step, line, value, ink)
    y_num = rng.uniform(46.0, 48.5)
    put(x_label, y_num, "公民身份号码", label, blue, mm(0.3))
    number_font = rng.choice(NUMBER_FONTS)
    digits = ImageFont.truetype(number_font[0], mm(rng.uniform(3.3, 4.0)), index=number_font[1])
    x_num = mm(rng.uniform(25.5, 29.0))
    natural = d.textlength(truth["num"], font=digits)
    gap = max(0.0, min(rng.uniform(0.4, 1.6) * PX_MM / 2,
                       (mm(82) - x_num - natural) / len(truth["num"])))
    y = mm(y_num) - (digits.getbbox("0")[1] + digits.getbbox("0")[3]) // 2
    log.append(truth["num"])
    for ch in truth["num"]:
        d.text((x_num, y), ch, font=digits, fill=ink)
        x_num += d.textlength(ch, font=digits) + gap
    _portrait(img, rng, (mm(55.5), mm(5.5), mm(81.5), mm(38.0)))
    return img


def draw_back(truth: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    log = [] if log is None else log
    img = _security_print(rng, face=False)
    d = ImageDraw.Draw(img)
    _emblem(img, (mm(rng.uniform(5, 7)), mm(rng.uniform(4, 6))), mm(rng.uniform(19, 22)))
    value_font = rng.choice(VALUE_FONTS)
    title_font = rng.choice(VALUE_FONTS[:3])
    ink = rng.choice(INKS)
    title = ImageFont.truetype(title_font[0], mm(rng.uniform(4.3, 4.9)), index=title_font[1])
    big = ImageFont.truetype(title_font[0], mm(rng.uniform(6.6, 7.4)), index=title_font[1])
    x_title = mm(rng.uniform(31, 33))
    _spaced(d, (x_title, mm(7.5)), "中华人民共和国", title, ink, mm(rng.uniform(0.6, 1.2)))
    _spaced(d, (x_title, mm(16)), "居民身份证", big, ink, mm(rng.uniform(1.8, 2.6)))
    label = ImageFont.truetype(value_font[0], mm(rng.uniform(2.4, 2.8)), index=value_font[1])
    value = ImageFont.truetype(value_font[0], mm(rng.uniform(3.0, 3.4)), index=value_font[1])
    x_label, x_value = mm(rng.uniform(13.5, 15.5)), mm(rng.uniform(27.5, 29.5))
    # The template's column for the authority ends before the card's edge; a long one wraps.
    column = mm(rng.uniform(36, 54))
    per_line = max(8, int(column // d.textlength("国", font=value)))
    issue = truth["issue"]
    lines = [issue[i:i + per_line] for i in range(0, len(issue), per_line)]
    y_issue = rng.uniform(38.5, 40.0) - (2.2 if len(lines) > 1 else 0)
    centre = (value.getbbox("国")[1] + value.getbbox("国")[3]) // 2
    label_centre = (label.getbbox("国")[1] + label.getbbox("国")[3]) // 2
    _spaced(d, (x_label, mm(y_issue) - label_centre), "签发机关", label, ink, mm(0.4))
    for i, line in enumerate(lines):
        log.append(line)
        d.text((x_value, mm(y_issue + 4.4 * i) - centre), line, font=value, fill=ink)
    y_valid = y_issue + 4.4 * len(lines) + rng.uniform(2.6, 3.4)
    _spaced(d, (x_label, mm(y_valid) - label_centre), "有效期限", label, ink, mm(0.4))
    s, e = truth["start_date"], truth["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    log.append(f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}")
    d.text((x_value, mm(y_valid) - centre), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", font=value,
           fill=ink)
    return img


def _spaced(d, xy, text, font, fill, gap) -> None:
    x, y = xy
    for ch in text:
        d.text((x, y), ch, font=font, fill=fill)
        x += d.textlength(ch, font=font) + gap


def _security_print(rng: random.Random, face: bool) -> Image.Image:
    """Rainbow print (light blue into rose) under fine interference lines and a rosette; the
    back with a faint wall-like band along its lower half."""
    w, h = CARD_SIZE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    left = np.array([rng.randint(222, 236), rng.randint(232, 242), rng.randint(240, 250)],
                    np.float32)
    right = np.array([rng.randint(240, 250), rng.randint(226, 236), rng.randint(228, 240)],
                     np.float32)
    t = (xx / w * rng.uniform(0.7, 1.0) + yy / h * rng.uniform(0.0, 0.3))[..., None]
    arr = left * (1 - t) + right * t
    k1, k2 = rng.uniform(0.05, 0.09), rng.uniform(0.008, 0.02)
    wave = np.sin(k1 * yy + rng.uniform(4, 9) * np.sin(k2 * xx + rng.uniform(0, 6)))
    lines = np.clip(1 - np.abs(wave) / 0.18, 0, 1) * rng.uniform(10, 18)
    cx, cy = rng.uniform(0.3, 0.6) * w, rng.uniform(0.3, 0.7) * h
    r = np.hypot(xx - cx, yy - cy)
    petals = np.sin(np.arctan2(yy - cy, xx - cx) * rng.choice((12, 16, 18)) + r / 9)
    rosette = np.clip(1 - np.abs(petals) / 0.15, 0, 1) * np.exp(-(r / (0.28 * w)) ** 2) * 14
    shade = lines + rosette
    if not face:  # crenellated wall silhouette, as the back's print shows the Great Wall
        top = h * rng.uniform(0.55, 0.65) + 8 * np.sign(np.sin(xx / rng.uniform(10, 16)))
        shade = shade + ((yy > top) & (yy < top + h * 0.12)) * rng.uniform(6, 10)
    arr = arr - shade[..., None] * np.array([0.9, 0.7, 0.4], np.float32)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _portrait(img: Image.Image, rng: random.Random, box) -> None:
    """A head-and-shoulders photo on a white background, as the card's portrait."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    photo = Image.new("RGB", (w, h), tuple(rng.randint(240, 252) for _ in range(3)))
    d = ImageDraw.Draw(photo)
    skin = (rng.randint(190, 230), rng.randint(150, 190), rng.randint(120, 160))
    hair = tuple(rng.randint(10, 45) for _ in range(3))
    cx = w // 2 + rng.randint(-w // 20, w // 20)
    hw = int(w * rng.uniform(0.2, 0.26))
    top = int(h * rng.uniform(0.12, 0.2))
    d.pieslice((cx - int(w * 0.5), int(h * 0.72), cx + int(w * 0.5), int(h * 1.3)), 180, 360,
               fill=tuple(rng.randint(15, 100) for _ in range(3)))
    d.rectangle((cx - hw // 2, int(h * 0.55), cx + hw // 2, int(h * 0.8)), fill=skin)
    long_hair = rng.random() < 0.4
    d.ellipse((cx - hw - 6, top - 8, cx + hw + 6, top + int(hw * 2.6) + (40 if long_hair else 0)),
              fill=hair)
    d.ellipse((cx - hw, top + int(hw * 0.5), cx + hw, top + int(hw * 2.7)), fill=skin)
    eye_y = top + int(hw * 1.4)
    for ex in (cx - hw // 2, cx + hw // 2):
        d.ellipse((ex - 6, eye_y - 3, ex + 6, eye_y + 4), fill=(35, 25, 25))
    if rng.random() < 0.3:  # glasses
        for ex in (cx - hw // 2, cx + hw // 2):
            d.ellipse((ex - 16, eye_y - 12, ex + 16, eye_y + 12), outline=(30, 30, 30), width=3)
    d.line((cx - 12, top + int(hw * 2.2), cx + 12, top + int(hw * 2.2)), fill=(160, 80, 80),
           width=3)
    img.paste(photo.filter(ImageFilter.GaussianBlur(1.2)), (x0, y0))


def _emblem(img: Image.Image, xy, size: int) -> None:
    """The national emblem: a red field with the gate and five stars inside a ring of wheat
    ears, a cogwheel at the foot; in gold."""
    x, y = xy
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    gold, red = (222, 176, 48, 255), (196, 24, 30, 255)
    c = size / 2
    d.ellipse((0, 0, size - 1, size - 1), fill=gold)
    d.ellipse((size * 0.12, size * 0.1, size * 0.88, size * 0.86), fill=red)
    for i in range(14):  # wheat grains along the rim
        a = math.pi * (0.15 + 0.7 * i / 13)
        for side in (-1, 1):
            gx, gy = c + side * c * 0.86 * math.cos(a), c - c * 0.86 * math.sin(a) + c * 0.25
            d.ellipse((gx - size * 0.035, gy - size * 0.05, gx + size * 0.035, gy + size * 0.05),
                      fill=gold)
    def star(sx, sy, r):
        pts = [(sx + (r if i % 2 == 0 else r * 0.38) * math.cos(-math.pi / 2 + i * math.pi / 5),
                sy + (r if i % 2 == 0 else r * 0.38) * math.sin(-math.pi / 2 + i * math.pi / 5))
               for i in range(10)]
        d.polygon(pts, fill=gold)
    star(c, size * 0.27, size * 0.09)
    for dx, dy in ((-0.2, 0.2), (-0.25, 0.3), (0.2, 0.2), (0.25, 0.3)):
        star(c + dx * size, dy * size, size * 0.035)
    d.rectangle((c - size * 0.25, size * 0.5, c + size * 0.25, size * 0.66), fill=gold)
    d.polygon([(c - size * 0.3, size * 0.5), (c, size * 0.4), (c + size * 0.3, size * 0.5)],
              fill=gold)
    for k in (-1, 0, 1):
        d.rectangle((c + k * size * 0.12 - size * 0.03, size * 0.56, c + k * size * 0.12
                     + size * 0.03, size * 0.66), fill=red)
    d.ellipse((c - size * 0.12, size * 0.78, c + size * 0.12, size * 0.98), fill=gold)
    d.ellipse((c - size * 0.05, size * 0.84, c + size * 0.05, size * 0.92), fill=red)
    img.paste(layer, (x, y), layer)


# Overlays: what people put on copies they send ------------------------------------------------

def _overlays(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, List[str]]:
    notes = []
    if rng.random() < 0.45:
        card = _seal(card, rng)
        notes.append("seal")
    if rng.random() < 0.45:
        card = _watermark(card, rng)
        notes.append("watermark")
    return card, notes


def _seal(card: Image.Image, rng: random.Random) -> Image.Image:
    """A round red seal with its wording round the rim: the ink darkens what is under it, so
    the print stays legible through it. Pressed near the card's lower right, over at most
    part of a value."""
    w, h = card.size
    r = mm(rng.uniform(8, 11))
    layer = Image.new("L", (2 * r + 4, 2 * r + 4), 0)
    d = ImageDraw.Draw(layer)
    d.ellipse((2, 2, 2 * r, 2 * r), outline=255, width=max(3, r // 14))
    font = ImageFont.truetype(VALUE_FONTS[0][0], max(12, r // 3), index=VALUE_FONTS[0][1])
    text = rng.choice(("仅供办理业务使用", "复印件与原件一致", "再次复印无效"))
    for i, ch in enumerate(text):  # round the rim, from 8 to 4 o'clock over the top
        a = math.radians(-210 + 240 * i / max(1, len(text) - 1))
        cx, cy = r + 2 + 0.7 * r * math.cos(a), r + 2 + 0.7 * r * math.sin(a)
        glyph = Image.new("L", (font.size + 6, font.size + 6), 0)
        ImageDraw.Draw(glyph).text((3, 3 - font.getbbox(ch)[1] // 2), ch, font=font, fill=255)
        glyph = glyph.rotate(-math.degrees(a) - 90, expand=True)
        layer.paste(255, (int(cx - glyph.width / 2), int(cy - glyph.height / 2)), glyph)
    arms = [(r * 0.28 if i % 2 == 0 else r * 0.11, -math.pi / 2 + i * math.pi / 5)
            for i in range(10)]
    star = [(r + 2 + rr * math.cos(a), r + 2 + rr * math.sin(a)) for rr, a in arms]
    d.polygon(star, fill=255)
    layer = layer.rotate(rng.uniform(-25, 25))
    ink = np.asarray(layer, dtype=np.float32)[..., None] / 255 * rng.uniform(0.55, 0.8)
    # uneven pressure: parts of the ring print lighter
    ink *= np.random.RandomState(rng.randrange(1 << 30)).uniform(0.6, 1.0, ink.shape)
    px, py = int(w * rng.uniform(0.55, 0.82)) - r, int(h * rng.uniform(0.5, 0.8)) - r
    arr = np.asarray(card, dtype=np.float32).copy()
    region = arr[py:py + layer.height, px:px + layer.width]
    ink = ink[:region.shape[0], :region.shape[1]]
    region[:] = region * (1 - ink) + np.minimum(region, SEAL_RED) * ink
    return Image.fromarray(arr.astype(np.uint8))


def _watermark(card: Image.Image, rng: random.Random) -> Image.Image:
    """The copy's purpose written across the card in light grey, blue or red, thin enough to
    read the values through."""
    w, h = card.size
    purpose = rng.choice(PURPOSES)
    text = rng.choice(OVERLAYS).format(purpose)
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    font = ImageFont.truetype(LABEL_FONTS[0][0], mm(rng.uniform(3.6, 5.0)), index=LABEL_FONTS[0][1])
    for k in range(rng.randint(1, 3)):
        d.text((w // 2 + rng.randint(-mm(10), mm(20)), h // 2 + k * mm(15) + rng.randint(0, mm(8))),
               text, font=font, fill=255)
    layer = layer.rotate(rng.uniform(10, 30)).crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    colour = np.array(rng.choice(((120, 120, 125), (60, 90, 170), (200, 50, 50))), np.float32)
    alpha = np.asarray(layer, dtype=np.float32)[..., None] / 255 * rng.uniform(0.22, 0.38)
    arr = np.asarray(card, dtype=np.float32)
    return Image.fromarray((arr * (1 - alpha) + colour * alpha).astype(np.uint8))


# Photographing --------------------------------------------------------------------------------

def _photograph(card: Image.Image, rng: random.Random, hard: bool) -> Tuple[Image.Image, str]:
    width = rng.randint(448, 1300) if hard else rng.randint(700, 1300)
    turn = rng.choice((0, 90, 180, 270)) if hard else 0
    skew = rng.uniform(-15, 15) if hard else rng.uniform(-4, 4)
    tilt = rng.uniform(0.0, 0.08) if hard else rng.uniform(0.0, 0.03)
    frame = (int(width * rng.uniform(1.2, 1.6)), int(width * rng.uniform(0.95, 1.3)))
    scene = _scene(rng, frame)
    height = round(width * card.height / card.width)
    rgba = _rounded(card.resize((width, height), Image.LANCZOS).convert("RGBA"),
                    int(width * 0.045))  # the card's round corners
    rgba = _keystone(rgba, rng, tilt)
    rgba = rgba.rotate(skew, expand=True, resample=Image.BICUBIC)
    if rgba.width > frame[0] - 16 or rgba.height > frame[1] - 16:
        frame = (max(frame[0], rgba.width + 40), max(frame[1], rgba.height + 40))
        scene = _scene(rng, frame)
    x = rng.randint(8, frame[0] - rgba.width - 8)
    y = rng.randint(8, frame[1] - rgba.height - 8)
    shadow = rgba.getchannel("A").point(lambda a: a * 70 // 255).filter(ImageFilter.GaussianBlur(6))
    scene.paste((0, 0, 0), (x + 6, y + 8), shadow)
    scene.paste(rgba, (x, y), rgba)
    notes = [f"card {width}px", f"skew {skew:.0f}", f"keystone {tilt:.2f}"]
    if hard:
        scene, light = _light(scene, rng, (x, y, x + rgba.width, y + rgba.height))
        notes += light
        if rng.random() < 0.3:
            scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.3)))
            notes.append("defocus")
        elif rng.random() < 0.2:
            n = rng.choice((3, 5))
            kernel = [1.0 / n if i // n == n // 2 else 0.0 for i in range(n * n)]  # sideways
            scene = scene.filter(ImageFilter.Kernel((n, n), kernel, scale=1))
            notes.append("shake")
    else:
        scene = ImageEnhance.Brightness(scene).enhance(rng.uniform(0.92, 1.08))
    scene = _sensor(scene, rng, strength=2.0 + (4.0 if "dim" in notes else 0.0))
    if turn:
        scene = scene.rotate(turn, expand=True)
        notes.append(f"turned {turn}")
    return scene, ", ".join(notes)


def _keystone(rgba: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """The camera not square to the card: one edge nearer (longer) than the other."""
    if strength <= 0:
        return rgba
    w, h = rgba.size
    pad = int(max(w, h) * strength) + 2
    canvas = Image.new("RGBA", (w + 2 * pad, h + 2 * pad), (0, 0, 0, 0))
    canvas.paste(rgba, (pad, pad))
    s = strength * (w if rng.random() < 0.5 else h)
    corners = [(pad, pad), (pad + w, pad), (pad + w, pad + h), (pad, pad + h)]
    near = rng.randrange(4)  # the edge from corner `near` to the next comes closer
    out = []
    for i, (cx, cy) in enumerate(corners):
        grow = 1 if i in (near, (near + 1) % 4) else -1
        dx, dy = cx - (pad + w / 2), cy - (pad + h / 2)
        k = grow * s / max(w, h) * rng.uniform(0.6, 1.0)
        out.append((cx + dx * k, cy + dy * k))
    return canvas.transform(canvas.size, Image.PERSPECTIVE, _homography(out, corners),
                            Image.BICUBIC)


def _homography(dst, src):
    """PIL's PERSPECTIVE data: the map from output points `dst` to input points `src`."""
    a = np.zeros((8, 8))
    b = np.zeros(8)
    for i, ((x, y), (u, v)) in enumerate(zip(dst, src)):
        a[2 * i] = (x, y, 1, 0, 0, 0, -u * x, -u * y)
        a[2 * i + 1] = (0, 0, 0, x, y, 1, -v * x, -v * y)
        b[2 * i], b[2 * i + 1] = u, v
    return tuple(np.linalg.solve(a, b))


def _scene(rng: random.Random, size) -> Image.Image:
    """What the card lies on: stone counter, fabric, lined notebook paper or a dark desk mat."""
    w, h = size
    state = np.random.RandomState(rng.randrange(1 << 30))
    choice = rng.randrange(4)
    if choice == 0:  # stone: cloudy speckle
        base = np.array([rng.randint(150, 215)] * 3, np.float32) + np.array(
            [rng.randint(-8, 8) for _ in range(3)], np.float32)
        cloud = np.asarray(Image.fromarray((state.rand(h // 24 + 2, w // 24 + 2) * 255)
                                           .astype(np.uint8)).resize((w, h), Image.BICUBIC),
                           np.float32)
        arr = base + (cloud[..., None] - 128) * 0.15 + state.normal(0, 6, (h, w, 1))
    elif choice == 1:  # fabric: a coloured twill
        base = np.array([rng.randint(40, 200) for _ in range(3)], np.float32)
        yy, xx = np.mgrid[0:h, 0:w]
        twill = ((xx + yy) % rng.randint(4, 7) < 2) * rng.uniform(8, 16)
        arr = base + twill[..., None]
    elif choice == 2:  # notebook paper with blue rules and a margin line
        arr = np.full((h, w, 3), rng.randint(236, 250), np.float32)
        gap = rng.randint(24, 36)
        arr[::gap, :, :] = (170, 190, 225)
        arr[:, w // 9:w // 9 + 2, :] = (220, 120, 120)
    else:  # dark rubber desk mat
        arr = np.full((h, w, 3), rng.randint(25, 60), np.float32) + state.normal(0, 3, (h, w, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _light(scene: Image.Image, rng: random.Random, box) -> Tuple[Image.Image, List[str]]:
    """One way the light is bad: dim, warm (tungsten), a shadow across part of the card, or a
    spot of glare weaker than the print (the values under it stay legible)."""
    arr = np.asarray(scene, dtype=np.float32)
    h, w = arr.shape[:2]
    what = rng.choice(("dim", "warm", "shadow", "glare", "none"))
    if what == "dim":
        arr = arr * rng.uniform(0.35, 0.6)
    elif what == "warm":
        arr = arr * np.array([1.08, 0.96, rng.uniform(0.7, 0.82)], np.float32)
    elif what == "shadow":  # a phone's or a hand's shadow: a soft-edged half plane
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = rng.uniform(0, 2 * math.pi)
        px = rng.uniform(box[0], box[2])
        py = rng.uniform(box[1], box[3])
        side = (xx - px) * math.cos(a) + (yy - py) * math.sin(a)
        soft = 1 / (1 + np.exp(-side / rng.uniform(8, 30)))
        arr = arr * (1 - soft[..., None] * rng.uniform(0.3, 0.5))
    elif what == "glare":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
        r = (box[2] - box[0]) * rng.uniform(0.06, 0.14)
        spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
        arr = arr + (255 - arr) * spot * rng.uniform(0.35, 0.55)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), ([what] if what != "none"
                                                                     else [])


def _sensor(img: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """Photon noise that grows with the dark, and the phone's sharpening."""
    state = np.random.RandomState(rng.randrange(1 << 30))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + state.normal(0, strength, arr.shape[:2] + (1,)) \
        + state.normal(0, strength * 0.4, arr.shape)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return out.filter(ImageFilter.UnsharpMask(radius=1.5, percent=rng.randint(30, 80),
                                              threshold=2))


# Sheets ---------------------------------------------------------------------------------------

def _copy(card: Image.Image, rng: random.Random, colour: bool) -> Image.Image:
    """A copier's rendering: colour (washed out, paper white) or black-and-white (gamma, toner
    grain)."""
    if colour:
        img = ImageEnhance.Color(card).enhance(rng.uniform(0.6, 0.9))
        return ImageEnhance.Contrast(img).enhance(rng.uniform(1.1, 1.3))
    grey = np.asarray(card.convert("L"), dtype=np.float32) / 255
    grey = grey ** rng.uniform(1.3, 1.9)
    grain = np.random.RandomState(rng.randrange(1 << 30)).normal(0, 0.025, grey.shape)
    grey = np.clip((grey + grain) * rng.uniform(1.05, 1.15), 0, 1) * 255
    return Image.fromarray(grey.astype(np.uint8)).convert("RGB")


def _sheet(face: Image.Image, back: Image.Image, rng: random.Random):
    """身份证复印件: both sides on an A4 page, face above back or side by side in the upper
    half; each side copied, darkened and turned on its own (quarter turns and a few degrees);
    the purpose written across; the page scanned or photographed."""
    dpi = rng.choice((150, 200, 240, 300))
    per_mm = dpi / 25.4
    paper = tuple(rng.randint(244, 253) for _ in range(3))
    page = Image.new("RGB", (round(210 * per_mm), round(297 * per_mm)), paper)
    colour = rng.random() < 0.35
    width = round(85.6 * per_mm)
    notes = [f"A4 at {dpi} dpi", "colour copy" if colour else "black-and-white copy",
             f"card {width}px"]
    tops = (rng.uniform(25, 45), rng.uniform(110, 150))
    for card, top in ((face, tops[0]), (back, tops[1])):
        img = _copy(card, rng, colour).resize((width, round(54 * per_mm)), Image.LANCZOS)
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.6, 1.05))
        turn = rng.choice((0, 0, 0, 90, 180, 270))
        img = img.rotate(turn + rng.uniform(-4, 4), expand=True, fillcolor=paper,
                         resample=Image.BICUBIC)
        x = round(page.width / 2 - img.width / 2 + rng.uniform(-15, 15) * per_mm)
        page.paste(img, (x, round(top * per_mm)))
        notes.append(f"turned {turn}")
    if rng.random() < 0.5:  # the purpose, across both sides, as people write it before sending
        font = ImageFont.truetype(VALUE_FONTS[0][0], round(7 * per_mm), index=VALUE_FONTS[0][1])
        text = rng.choice(OVERLAYS).format(rng.choice(PURPOSES))
        layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).text((round(20 * per_mm), round(rng.uniform(70, 110) * per_mm)),
                                   text, font=font, fill=(150, 150, 150, 90))
        layer = layer.rotate(rng.uniform(-12, 12))
        page = Image.alpha_composite(page.convert("RGBA"), layer).convert("RGB")
        notes.append("purpose written across")
    if rng.random() < 0.5:
        page_w = rng.randint(1100, 1600)
        page = page.resize((page_w, round(page_w * 297 / 210)), Image.LANCZOS)
        frame = (page_w + rng.randint(150, 400), round(page_w * 1.414) + rng.randint(150, 400))
        scene = _scene(rng, frame)
        rgba = _keystone(page.convert("RGBA"), rng, rng.uniform(0.0, 0.05))
        rgba = rgba.rotate(rng.uniform(-6, 6), expand=True, resample=Image.BICUBIC)
        if rgba.width > frame[0] or rgba.height > frame[1]:
            scene = _scene(rng, (rgba.width + 40, rgba.height + 40))
        scene.paste(rgba, ((scene.width - rgba.width) // 2, (scene.height - rgba.height) // 2),
                    rgba)
        page, light = _light(scene, rng, (0, 0, scene.width, scene.height))
        page = _sensor(page, rng, 2.5)
        notes += ["photographed"] + light
    return page, ", ".join(notes)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    import io

    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()
