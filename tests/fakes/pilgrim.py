"""The ninth hold-out rendering ("pilgrim"): the resident ID card and photos of it, drawn on
2026-12-07 (the fourth that day) by an engineer who read none of the engine, the KYC rules, the
cascade or the other generators' drawing code, from public descriptions only:

- the card after GB 19584-2004's public description: 85.6 x 54 mm with rounded corners; on
  the face the labels 姓名 性别 民族 出生 住址 公民身份号码 in a blue Hei of 6号 (7.5 pt), the
  name in 5号 and the other values in 小5号 black, 年 月 日 in the labels' blue, the address in
  up to three lines left of the 26 x 32 mm portrait, the number on its own row at the bottom;
  on the back the national emblem at the top left, 中华人民共和国 (4号) over a larger 居民身份证
  (2号), and 签发机关 / 有效期限 at the bottom, the validity written 2016.03.01-2036.03.01 or
  2016.03.01-长期;
- holders a real card could carry: the 56 nationalities, names of two to five characters
  (compound surnames, both parents' surnames, rare characters that dictionaries hold, Uyghur,
  Kazakh, Kyrgyz and Tajik names with the middle dot, Tibetan and Mongolian names written
  whole), real districts of GB/T 2260 (autonomous prefectures and counties, banners, leagues)
  with the authority each prints, GB 11643's number (region, birth date, sequence whose parity
  is the sex, check character) and the validity the law gives by age at issue (5, 10, 20 years,
  长期 from 46);
- photos of phenomena of real phones and rooms: window-blind and dappled shadows, tungsten,
  neon and red-lamp casts, a bent card, a dirty lens's haze, shallow focus at close range, a
  webcam's 720p frame, a video frame's interlace and smear, a photo of a printed photo, a card
  on a mirror with its reflection, a ring light's reflection, a coin or a watch at the card's
  edge, loose hairs across it, a sun-faded card, the selfie holding the card (手持身份证) with
  the photo turned as a lost orientation tag leaves it, chroma subsampling and chat
  recompression; red seals and pen, app and
  tiled watermarks in this set's own phrasing; A4 sheets (face above back, each turned and
  darkened on its own) folded, crumpled, with low-toner streaks, thermal-fax fading, a pen note
  across them, scanned or photographed.

Fonts no other rendering draws with (`make fonts` installs them): Noto Sans CJK SC Thin and
Noto Serif CJK SC ExtraLight, drawn with a stroke that gives them a printed Hei's or Song's
weight; the number in OCR-A, IBM 3270 or Hermit.

`shoot(kind, seed)` gives a Photo (tests/fakes/realistic.py) for renderings.KINDS; everything
follows from the seed.
"""

import io
import math
import random
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes.realistic import Photo
from tests.fakes.typefaces import covers, installed
from tests.fakes.typefaces import face as font

KINDS = ("plain_face", "plain_back", "hard", "sheet")
PX_MM = 12  # the card is drawn at 12 px/mm
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
ASPECT = 54 / 85.6
TODAY = date(2026, 12, 7)
PACKAGES = "fonts-noto-cjk-extra fonts-ocr-a fonts-3270 fonts-hermit"

_NOTO = "/usr/share/fonts/opentype/noto/"
SC = 2  # the simplified-Chinese face of a Noto CJK collection
SANS_THIN = (_NOTO + "NotoSansCJK-Thin.ttc", SC)
SERIF_EXTRALIGHT = (_NOTO + "NotoSerifCJK-ExtraLight.ttc", SC)
OCR_A = ("/usr/share/fonts/truetype/ocr-a/OCRA.ttf", 0)
IBM_3270 = ("/usr/share/fonts/truetype/3270/3270-Regular.ttf", 0)
HERMIT = ("/usr/share/fonts/truetype/hermit/Hermit-medium.otf", 0)
VALUE_FONTS = (SANS_THIN, SERIF_EXTRALIGHT)
LABEL_FONTS = (SANS_THIN, SERIF_EXTRALIGHT)
TITLE_FONTS = (SERIF_EXTRALIGHT, SANS_THIN)
NUMBER_FONTS = (OCR_A, IBM_3270, HERMIT)
ALL_FONTS = tuple(dict.fromkeys(VALUE_FONTS + LABEL_FONTS + TITLE_FONTS + NUMBER_FONTS))
# The thin faces get a stroke of size/STROKE_PER px: a Thin or ExtraLight face is far lighter
# than the Hei a card is printed in, and the stroke brings it to that weight.
THIN = {SANS_THIN, SERIF_EXTRALIGHT}
STROKE_PER = 22


def available() -> bool:
    return installed(ALL_FONTS)


def stroke(spec: Tuple[str, int], size: int) -> int:
    return max(1, round(size / STROKE_PER)) if spec in THIN else 0


def mm(v: float) -> int:
    return round(v * PX_MM)


# Holders ---------------------------------------------------------------------------------------

NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
# (GB/T 2260 code, the address's start, the authority printed on the back), each checked
# against the region codes card/checks.py knows (tests/test_pilgrim_holdout.py)
PLACES = (
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("120101", "天津市和平区", "天津市公安局和平分局"),
    ("500112", "重庆市渝北区", "重庆市公安局渝北区分局"),
    ("440106", "广东省广州市天河区", "广州市公安局天河区分局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("320102", "江苏省南京市玄武区", "南京市公安局玄武分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("513221", "四川省阿坝藏族羌族自治州汶川县", "汶川县公安局"),
    ("513401", "四川省凉山彝族自治州西昌市", "西昌市公安局"),
    ("522601", "贵州省黔东南苗族侗族自治州凯里市", "凯里市公安局"),
    ("532801", "云南省西双版纳傣族自治州景洪市", "景洪市公安局"),
    ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "瑞丽市公安局"),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特市公安局新城区分局"),
    ("152502", "内蒙古自治区锡林郭勒盟锡林浩特市", "锡林浩特市公安局"),
    ("150621", "内蒙古自治区鄂尔多斯市达拉特旗", "达拉特旗公安局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("650102", "新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市公安局天山区分局"),
    ("653101", "新疆维吾尔自治区喀什地区喀什市", "喀什市公安局"),
    ("654002", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "伊宁市公安局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关区分局"),
    ("630104", "青海省西宁市城西区", "西宁市公安局城西区分局"),
    ("632221", "青海省海北藏族自治州门源回族自治县", "门源回族自治县公安局"),
    ("450102", "广西壮族自治区南宁市兴宁区", "南宁市公安局兴宁分局"),
    ("451229", "广西壮族自治区河池市大化瑶族自治县", "大化瑶族自治县公安局"),
    ("640302", "宁夏回族自治区吴忠市利通区", "吴忠市公安局利通区分局"),
    ("220104", "吉林省长春市朝阳区", "长春市公安局朝阳分局"),
    ("222401", "吉林省延边朝鲜族自治州延吉市", "延吉市公安局"),
    ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨市公安局南岗分局"),
    ("131082", "河北省廊坊市三河市", "三河市公安局"),
    ("341023", "安徽省黄山市黟县", "黟县公安局"),
    ("431226", "湖南省怀化市麻阳苗族自治县", "麻阳苗族自治县公安局"),
    ("433101", "湖南省湘西土家族苗族自治州吉首市", "吉首市公安局"),
    ("422801", "湖北省恩施土家族苗族自治州恩施市", "恩施市公安局"),
    ("370102", "山东省济南市历下区", "济南市公安局历下分局"),
    ("410105", "河南省郑州市金水区", "郑州市公安局金水分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("620102", "甘肃省兰州市城关区", "兰州市公安局城关分局"),
    ("623001", "甘肃省甘南藏族自治州合作市", "合作市公安局"),
    ("350206", "福建省厦门市湖里区", "厦门市公安局湖里分局"),
    ("360102", "江西省南昌市东湖区", "南昌市公安局东湖分局"),
    ("460105", "海南省海口市秀英区", "海口市公安局秀英分局"),
    ("469025", "海南省白沙黎族自治县", "白沙黎族自治县公安局"),
    ("210102", "辽宁省沈阳市和平区", "沈阳市公安局和平分局"),
    ("211324", "辽宁省朝阳市喀喇沁左翼蒙古族自治县", "喀喇沁左翼蒙古族自治县公安局"),
    ("140105", "山西省太原市小店区", "太原市公安局小店分局"),
)
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于"
            "杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙"
            "黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文")
RARE_SURNAMES = "郜郦鄢靳蒯巩訾隗芮濮邴勾蔺禤鞠郏亓逄晁阙"
COMPOUND_SURNAMES = ("司马", "端木", "尉迟", "宇文", "长孙", "夏侯", "东方", "钟离")
GIVEN_CHARS = ("伟芳娜敏静丽强军杰涛明超秀英华霞平刚桂兰红玉萍建国志勇艳燕海云鹏宇晨欣怡涵梓萱轩浩"
               "然铭嘉昊天佳琳诗雅思彤俊豪诺若曦逸辰沐安乐心语宁恒远卓越凡")
RARE_GIVEN_CHARS = "婕璇翊珩瑾玮琛奕曌燚垚骞昱煜旸钰璟湉祺禛"
# given name · father's name, as Uyghur, Kazakh, Kyrgyz and Tajik names are written in Chinese
DOTTED = {"维吾尔": (("阿依古丽", "麦麦提", "艾合买提", "古丽娜尔", "帕尔哈提", "买合木提", "祖丽皮耶"),
                   ("吐尔逊", "阿布都", "热合曼", "依明", "玉素甫", "艾山")),
          "哈萨克": (("努尔兰", "阿依达娜", "加娜尔", "叶尔波拉提", "阿斯哈尔"),
                   ("叶尔兰", "别克", "哈力木", "吐尔汗", "加肯")),
          "柯尔克孜": (("阿依别克", "古丽巴哈尔", "托合提"), ("玛纳斯", "居素普", "吐尔地")),
          "塔吉克": (("热娜", "阿米娜", "库尔班"), ("沙迪克", "买买提江", "帕米尔"))}
WHOLE = {"藏": ("次仁卓嘎", "格桑曲珍", "拉巴次仁", "丹增旺堆", "德吉央宗", "索朗", "旦增"),
         "蒙古": ("巴特尔", "乌云其木格", "哈斯巴根", "娜仁图雅", "额尔敦", "其其格", "苏日娜")}
STREETS = ("文昌", "解放", "和平", "新华", "光明", "朝阳", "建设", "胜利", "迎宾", "中山", "友谊",
           "团结", "金沙", "河畔")
STREET_KINDS = ("路", "街", "大道", "东路", "西街", "南巷")
TOWNS = ("城关镇", "新华街道", "东风乡", "河西镇", "白马乡", "草原街道", "红星镇")
VILLAGES = ("石门村", "杨家坪村", "前进村", "沙河村", "庙台村", "新庄村")
ESTATES = ("金色家园", "翠苑小区", "锦绣花城", "电力宿舍", "阳光新村", "紫荆公寓")
CHARS_PER_LINE = 11  # the address column holds 11 characters a line, three lines at most
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """GB 11643's check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def _name(rng: random.Random, nationality: str) -> str:
    if nationality in DOTTED and rng.random() < 0.85:
        given, father = DOTTED[nationality]
        return f"{rng.choice(given)}·{rng.choice(father)}"
    if nationality in WHOLE and rng.random() < 0.7:
        return rng.choice(WHOLE[nationality])
    roll = rng.random()
    if roll < 0.08:
        surname = rng.choice(COMPOUND_SURNAMES)
    elif roll < 0.14:  # both parents' surnames, a naming fashion of the 2010s
        surname = rng.choice(SURNAMES) + rng.choice(SURNAMES)
    elif roll < 0.30:
        surname = rng.choice(RARE_SURNAMES)
    else:
        surname = rng.choice(SURNAMES)
    given = [rng.choice(RARE_GIVEN_CHARS if rng.random() < 0.18 else GIVEN_CHARS)
             for _ in range(1 if rng.random() < 0.35 else 2)]
    return surname + "".join(given)


def _address(rng: random.Random, prefix: str) -> str:
    room = f"{rng.randint(1, 24)}栋{rng.randint(1, 4)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    if prefix.endswith("区") or rng.random() < 0.3:
        parts = [f"{rng.choice(STREETS)}{rng.choice(STREET_KINDS)}{rng.randint(1, 999)}号"]
        if rng.random() < 0.65:
            parts.append(rng.choice(ESTATES) + room if rng.random() < 0.6 else room)
    else:
        parts = [rng.choice(TOWNS), rng.choice(VILLAGES)]
        if rng.random() < 0.6:
            parts.append(f"{rng.randint(1, 12)}组")
        parts.append(f"{rng.randint(1, 199)}号")
    while len(prefix + "".join(parts)) > 3 * CHARS_PER_LINE and len(parts) > 1:
        parts.pop()
    address = prefix + "".join(parts)
    return address[:3 * CHARS_PER_LINE - 1] + "号" if len(address) > 3 * CHARS_PER_LINE \
        else address


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _validity_years(age: int) -> int:
    return 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0


def _added_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years)


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """One holder: {"face": name, sex, nationality, birth, address, num; "back": issue,
    start_date, end_date}, as a real card could carry them on TODAY."""
    nationality = "汉" if rng.random() < 0.5 else rng.choice(NATIONALITIES[1:])
    autonomous = [p for p in PLACES if "自治" in p[1] or "盟" in p[1] or "旗" in p[1]]
    code, prefix, issue = rng.choice(autonomous if nationality != "汉" and rng.random() < 0.5
                                     else PLACES)
    while True:
        birth = date(1938, 1, 1) + timedelta(days=rng.randint(0, (date(2024, 6, 1) -
                                                                  date(1938, 1, 1)).days))
        # the card in hand was issued within the last 20 years, after birth, not on a 29 Feb
        start = TODAY - timedelta(days=rng.randint(20, 20 * 365))
        if start <= birth + timedelta(days=60) or (start.month, start.day) == (2, 29):
            continue
        age = _age(birth, start)
        near_birthday = any(abs((start - _added_years(birth, a)).days) < 15
                            for a in (16, 26, 46) if not (birth.month == 2 and birth.day == 29))
        years = _validity_years(age)
        if near_birthday or (years and _added_years(start, years) <= TODAY + timedelta(days=30)):
            continue
        break
    male = rng.random() < 0.5
    sequence = f"{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
    first17 = code + birth.strftime("%Y%m%d") + sequence
    face = {"name": _name(rng, nationality), "sex": "男" if male else "女",
            "nationality": nationality, "birth": birth.strftime("%Y%m%d"),
            "address": _address(rng, prefix), "num": first17 + check_character(first17)}
    back = {"issue": issue, "start_date": start.strftime("%Y%m%d"),
            "end_date": _added_years(start, years).strftime("%Y%m%d") if years else "长期"}
    return {"face": face, "back": back}


# The card --------------------------------------------------------------------------------------

LABEL_BLUE = ((36, 104, 172), (48, 118, 186), (30, 96, 150))
INK = ((18, 18, 20), (36, 32, 30), (22, 26, 38))
Drawn = List[Tuple[str, Tuple[int, int, int, int]]]


def _rng_np(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(32))


def _ground(rng: random.Random, side: str) -> Image.Image:
    """The card's pale printed ground: a tint fading across it and fine guilloche lines (the
    card's security print), on the back a pale wall of battlements over hills."""
    w, h = CARD_SIZE[0] // 2, CARD_SIZE[1] // 2  # drawn at half size: the pattern is pale
    y, x = np.mgrid[0:h, 0:w].astype(np.float32) * 2
    base = np.array([rng.randint(238, 248), rng.randint(238, 246), rng.randint(228, 240)],
                    np.float32)
    fade = (x / CARD_SIZE[0])[..., None] * np.array([-6, 0, 8], np.float32) + \
        (y / CARD_SIZE[1])[..., None] * np.array([4, -2, -6], np.float32)
    phase = rng.uniform(0, 6.28)
    lines = np.cos(2 * math.pi * (x / rng.uniform(7, 11) + 2.2 * np.sin(y / rng.uniform(30, 50)
                                                                         + phase)))
    wave = np.cos(2 * math.pi * (y / rng.uniform(11, 16) + 1.7 * np.sin(x / rng.uniform(40, 70))))
    ink = ((lines > 0.93) | (wave > 0.95)).astype(np.float32)[..., None]
    tint = np.array([rng.choice((18, 10)), rng.choice((12, 22)), rng.choice((6, 16))],
                    np.float32)
    img = np.clip(base + fade - ink * tint, 0, 255).astype(np.uint8)
    card = Image.fromarray(img).resize(CARD_SIZE, Image.BILINEAR)
    w, h = CARD_SIZE
    if side == "back":  # battlements on a ridge, pale, over the lower half
        d = ImageDraw.Draw(card)
        colour = tuple(int(c) - 14 for c in base)
        top = mm(rng.uniform(26, 31))
        points = [(0, h)]
        for i in range(0, w + 40, 40):
            points.append((i, top + int(28 * math.sin(i / 160 + phase)) + (0 if i % 80 else 14)))
        points.append((w, h))
        d.polygon(points, fill=colour)
        tower = mm(rng.uniform(45, 60))
        d.rectangle((tower, top - mm(9), tower + mm(7), top + mm(4)), fill=colour)
        card = Image.blend(Image.fromarray(img).resize(CARD_SIZE, Image.BILINEAR), card, 0.55)
    return card


def _portrait(rng: random.Random, size: Tuple[int, int]) -> Image.Image:
    w, h = size
    bg = tuple(rng.randint(226, 244) for _ in range(3))
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    tone = rng.randint(110, 200)
    skin = (tone + 30, tone + 8, tone - 10)
    cloth = tuple(rng.randint(20, 90) for _ in range(3))
    d.polygon([(w * 0.05, h), (w * 0.2, h * 0.72), (w * 0.8, h * 0.72), (w * 0.95, h)], fill=cloth)
    d.rectangle((w * 0.42, h * 0.55, w * 0.58, h * 0.75), fill=skin)
    d.ellipse((w * 0.27, h * 0.16, w * 0.73, h * 0.66), fill=skin)
    hair = rng.randint(10, 50)
    d.chord((w * 0.25, h * 0.1, w * 0.75, h * 0.5), 180, 360, fill=(hair, hair, hair))
    for ex in (0.4, 0.6):
        d.ellipse((w * ex - 5, h * 0.4 - 3, w * ex + 5, h * 0.4 + 3), fill=(30, 30, 30))
    d.line((w * 0.43, h * 0.55, w * 0.57, h * 0.55), fill=(120, 50, 50), width=3)
    return img.filter(ImageFilter.GaussianBlur(1.2))


def _text(d: ImageDraw.ImageDraw, xy, text: str, spec, size: int, fill,
          spacing: float = 0.0) -> Tuple[int, int, int, int]:
    """Draws `text` at xy (its top-left) and returns its inked box."""
    f, width = font(spec, size), stroke(spec, size)
    x, y = xy
    if not spacing:
        d.text((x, y), text, font=f, fill=fill, stroke_width=width, stroke_fill=fill)
        return tuple(int(v) for v in d.textbbox((x, y), text, font=f, stroke_width=width))
    boxes = []
    for ch in text:
        d.text((x, y), ch, font=f, fill=fill, stroke_width=width, stroke_fill=fill)
        boxes.append(d.textbbox((x, y), ch, font=f, stroke_width=width))
        x += f.getlength(ch) + spacing
    return (int(min(b[0] for b in boxes)), int(min(b[1] for b in boxes)),
            int(max(b[2] for b in boxes)), int(max(b[3] for b in boxes)))


def wrapped(text: str, width: float, spec, size: int) -> List[str]:
    f, lines, line = font(spec, size), [], ""
    for ch in text:
        if line and f.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def draw_face(face: Dict[str, str], rng: random.Random, log: Optional[Drawn] = None
              ) -> Image.Image:
    """The face, logging every value drawn (name, sex, nationality, the birth's year, month
    and day, the address's lines, the number) with its box."""
    log = [] if log is None else log
    card = _ground(rng, "face")
    d = ImageDraw.Draw(card)
    value, label = rng.choice(VALUE_FONTS), rng.choice(LABEL_FONTS)
    blue, ink = rng.choice(LABEL_BLUE), rng.choice(INK)
    dx, dy = rng.uniform(-1.2, 1.2), rng.uniform(-1.0, 1.0)  # the printer's registration
    lab, small, big = mm(2.65), mm(3.1), mm(3.6)
    left, col = mm(6.5 + dx), mm(16.5 + dx)

    def row(y):
        return mm(y + dy)

    _text(d, (left, row(6.3)), "姓名", label, lab, blue, mm(0.9))
    log.append((face["name"], _text(d, (col, row(5.4)), face["name"], value, big, ink)))
    _text(d, (left, row(12.8)), "性别", label, lab, blue, mm(0.9))
    log.append((face["sex"], _text(d, (col, row(12.3)), face["sex"], value, small, ink)))
    _text(d, (mm(29.5 + dx), row(12.8)), "民族", label, lab, blue, mm(0.9))
    log.append((face["nationality"], _text(d, (mm(39.5 + dx), row(12.3)), face["nationality"],
                                           value, small, ink)))
    _text(d, (left, row(19.3)), "出生", label, lab, blue, mm(0.9))
    birth = face["birth"]
    x = col
    for part, unit in ((birth[:4], "年"), (str(int(birth[4:6])), "月"), (str(int(birth[6:])), "日")):
        box = _text(d, (x, row(18.8)), part, value, small, ink)
        log.append((part, box))
        x = box[2] + mm(1.2)
        unit_box = _text(d, (x, row(19.3)), unit, label, lab, blue)
        x = unit_box[2] + mm(1.5)
    _text(d, (left, row(25.8)), "住址", label, lab, blue, mm(0.9))
    width = font(value, small).getlength("国" * CHARS_PER_LINE) + 2
    for i, line in enumerate(wrapped(face["address"], width, value, small)[:3]):
        log.append((line, _text(d, (col, row(25.3 + 4.6 * i)), line, value, small, ink)))
    _text(d, (left, row(45.2)), "公民身份号码", label, lab, blue, mm(0.5))
    number_font = rng.choice(NUMBER_FONTS)
    size = mm(4.0)
    gap = mm(rng.uniform(0.3, 0.7))
    room = mm(83.5) - mm(28.5 + dx)  # a wide face is set smaller to end on the card
    while font(number_font, size).getlength(face["num"]) + 17 * gap > room:
        size -= 2
    log.append((face["num"], _text(d, (mm(28.5 + dx), row(44.3)), face["num"], number_font,
                                   size, ink, gap)))
    portrait = _portrait(rng, (mm(26), mm(32)))
    card.paste(portrait, (mm(55.5 + dx / 2), mm(5.5 + dy / 2)))
    return card


def _star(d: ImageDraw.ImageDraw, centre, radius: float, fill, turn: float = 0.0) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        a = turn + i * math.pi / 5 - math.pi / 2
        points.append((centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)))
    d.polygon(points, fill=fill)


def _emblem(d: ImageDraw.ImageDraw, centre, radius: float) -> None:
    """The national emblem as the card shows it: a red field in a gold ring of wheat, five
    stars over the gate, a cog below."""
    cx, cy = centre
    gold, red = (214, 168, 52), (206, 34, 38)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=gold)
    r = radius * 0.78
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=red)
    _star(d, (cx - r * 0.35, cy - r * 0.45), r * 0.28, gold)
    for i, a in enumerate((-0.9, -0.35, 0.2, 0.75)):
        _star(d, (cx + r * 0.15 + r * 0.45 * math.cos(a), cy - r * 0.45 + r * 0.45 * math.sin(a)),
              r * 0.09, gold, a)
    d.rectangle((cx - r * 0.6, cy + r * 0.05, cx + r * 0.6, cy + r * 0.45), fill=gold)
    d.polygon([(cx - r * 0.72, cy + r * 0.08), (cx, cy - r * 0.12), (cx + r * 0.72, cy + r * 0.08)],
              fill=gold)
    for i in range(5):
        gx = cx - r * 0.48 + i * r * 0.24
        d.rectangle((gx - r * 0.05, cy + r * 0.25, gx + r * 0.05, cy + r * 0.45), fill=red)
    d.ellipse((cx - r * 0.25, cy + r * 0.55, cx + r * 0.25, cy + r * 1.05), fill=gold)
    for i in range(16):  # ears of wheat up both sides of the ring
        a = math.pi * (0.15 + 0.7 * i / 15) - math.pi / 2
        for side in (-1, 1):
            ax = cx + side * radius * 0.9 * math.cos(a)
            ay = cy - radius * 0.9 * math.sin(a)
            d.ellipse((ax - radius * 0.07, ay - radius * 0.04, ax + radius * 0.07,
                       ay + radius * 0.04), fill=(230, 190, 80))


def _dotted(day: str) -> str:
    return f"{day[:4]}.{day[4:6]}.{day[6:]}"


def validity_text(back: Dict[str, str]) -> str:
    end = back["end_date"] if back["end_date"] == "长期" else _dotted(back["end_date"])
    return f"{_dotted(back['start_date'])}-{end}"


def draw_back(back: Dict[str, str], rng: random.Random, log: Optional[Drawn] = None
              ) -> Image.Image:
    """The back, logging the authority's lines and then the validity with their boxes."""
    log = [] if log is None else log
    card = _ground(rng, "back")
    d = ImageDraw.Draw(card)
    value, label, title = rng.choice(VALUE_FONTS), rng.choice(LABEL_FONTS), rng.choice(TITLE_FONTS)
    ink = rng.choice(INK)
    dx, dy = rng.uniform(-1.2, 1.2), rng.uniform(-0.8, 0.8)
    _emblem(d, (mm(15 + dx), mm(14.5 + dy)), mm(rng.uniform(8.5, 9.5)))
    _text(d, (mm(30 + dx), mm(7 + dy)), "中华人民共和国", title, mm(4.6), ink, mm(1.6))
    _text(d, (mm(30 + dx), mm(15.5 + dy)), "居民身份证", title, mm(7.4), ink, mm(2.0))
    size, lab = mm(3.1), mm(2.65)
    col = mm(28 + dx)
    # a long authority wraps within the column; its first line moves up to keep the rows apart
    lines = wrapped(back["issue"], mm(rng.choice((40, 46, 54))), value, size)
    top = 41.0 - 4.4 * (len(lines) - 1)
    _text(d, (mm(13 + dx), mm(top + 0.4 + dy)), "签发机关", label, lab, (20, 20, 20), mm(0.5))
    for i, line in enumerate(lines):
        log.append((line, _text(d, (col, mm(top + 4.4 * i + dy)), line, value, size, ink)))
    _text(d, (mm(13 + dx), mm(47.9 + dy)), "有效期限", label, lab, (20, 20, 20), mm(0.5))
    text = validity_text(back)
    log.append((text, _text(d, (col, mm(47.5 + dy)), text, value, size, ink)))
    return card


def rounded(card: Image.Image) -> Image.Image:
    """The card with its rounded corners (3 mm) transparent."""
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), mm(3),
                                           fill=255)
    out = card.convert("RGBA")
    out.putalpha(mask)
    return out


def card_image(side: str, truth: Dict[str, str], rng: random.Random,
               log: Optional[Drawn] = None) -> Image.Image:
    """The card of that side as RGBA, transparent outside its rounded corners."""
    draw = draw_face if side == "face" else draw_back
    return rounded(draw(truth, rng, log))


# Stamps and watermarks -------------------------------------------------------------------------

PURPOSES = ("办理社保卡", "签订劳动合同", "宽带开户", "房屋租赁备案", "学籍注册", "快递实名登记",
            "贷款审批", "供电过户")
OVERLAY_PHRASES = ("复印无效", "仅限{}使用", "仅供{}使用，再复印无效", "本复印件只用于{}",
                   "{}专用 他用作废", "与原件核对一致")
STAMP_UNITS = ("人力资源部", "业务受理专用章", "营业部", "档案审核专用")
STAMP_INKS = ((200, 24, 36), (222, 48, 52), (180, 30, 60))
PEN_INKS = ((28, 44, 150), (20, 20, 26), (170, 30, 30))


def overlay_phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))


def _multiply(card: Image.Image, mask: Image.Image, colour, strength: float) -> Image.Image:
    """Ink laid over print: the card's colour times the ink's where the mask is."""
    base = np.asarray(card.convert("RGBA"), np.float32)
    a = np.asarray(mask, np.float32)[..., None] / 255 * strength
    ink = np.array(colour, np.float32) / 255
    rgb = base[..., :3] * (1 - a + a * ink)
    return Image.fromarray(np.dstack([rgb, base[..., 3:]]).clip(0, 255).astype(np.uint8))


def stamp(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A red seal pressed on the card: round with its unit's name round the rim and a star, or
    oval, or a square box, with a phrase; uneven ink."""
    w, h = card.size
    shape = rng.choice(("round", "oval", "square"))
    size = int(w * rng.uniform(0.32, 0.45))
    mask = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(mask)
    phrase = overlay_phrase(rng)
    spec = rng.choice((SERIF_EXTRALIGHT, SANS_THIN))
    line = max(3, size // 40)
    if shape == "round":
        d.ellipse((line, line, size - line, size - line), outline=255, width=line)
        _star(d, (size / 2, size / 2), size * 0.12, 255)
        unit = rng.choice(STAMP_UNITS)
        glyph = int(size * 0.11)
        for i, ch in enumerate(unit):
            a = math.radians(-150 + 120 * i / max(1, len(unit) - 1))
            tile = Image.new("L", (glyph * 2, glyph * 2), 0)
            ImageDraw.Draw(tile).text((glyph // 2, glyph // 2), ch, font=font(spec, glyph),
                                      fill=255, stroke_width=stroke(spec, glyph), stroke_fill=255)
            tile = tile.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
            r = size / 2 - line - glyph * 0.9
            mask.paste(255, (int(size / 2 + r * math.cos(a) - glyph),
                             int(size / 2 + r * math.sin(a) - glyph)), tile)
        text_y = size * 0.66
    elif shape == "oval":
        d.ellipse((line, size * 0.2, size - line, size * 0.8), outline=255, width=line)
        text_y = size * 0.42
    else:
        d.rectangle((line, size * 0.3, size - line, size * 0.7), outline=255, width=line)
        text_y = size * 0.42
    glyph = max(10, int(size * 0.8 / max(4, len(phrase))))
    tw = font(spec, glyph).getlength(phrase)
    d.text(((size - tw) / 2, text_y), phrase, font=font(spec, glyph), fill=255,
           stroke_width=stroke(spec, glyph), stroke_fill=255)
    # uneven pressure: the ink thins in patches
    patches = Image.fromarray((_rng_np(rng).random((8, 8)) * 120 + 135).astype(np.uint8)) \
        .resize((size, size), Image.BILINEAR)
    mask = ImageChops.multiply(mask, patches).rotate(rng.uniform(-35, 35), Image.BICUBIC)
    full = Image.new("L", card.size, 0)
    full.paste(mask, (rng.randint(0, max(0, w - size)), rng.randint(0, max(0, h - size))))
    stamped = _multiply(card, full, rng.choice(STAMP_INKS), rng.uniform(0.85, 1.0))
    return stamped, f"{shape} red stamp"


def watermark(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phrase over the card: written across it in pen, an app's grey line with the date, or
    tiled diagonally."""
    how = rng.choice(("pen", "app", "tiled"))
    phrase = overlay_phrase(rng)
    w, h = card.size
    mask = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(mask)
    if how == "pen":  # hand lettering: every character its own size, lean and height
        size = int(h * rng.uniform(0.11, 0.16))
        x, y = w * 0.5 + rng.uniform(0, w * 0.2), h * 0.5 + h * rng.uniform(0.2, 0.6)
        for ch in phrase:
            s = int(size * rng.uniform(0.85, 1.15))
            tile = Image.new("L", (s * 2, s * 2), 0)
            ImageDraw.Draw(tile).text((s // 2, s // 2), ch, font=font(SERIF_EXTRALIGHT, s),
                                      fill=255, stroke_width=max(1, s // 18), stroke_fill=255)
            mask.paste(255, (int(x), int(y + rng.uniform(-s * 0.1, s * 0.1))),
                       tile.rotate(rng.uniform(-12, 12), Image.BICUBIC))
            x += s * rng.uniform(0.9, 1.05)
        colour, strength = rng.choice(PEN_INKS), 0.9
    elif how == "app":  # a watermarking app's line with the date, semi-transparent grey
        text = f"{phrase} {TODAY:%Y.%m.%d}"
        size = int(w * 1.2 / len(text))
        for k in range(rng.randint(1, 3)):
            d.text((w * 0.5 + rng.uniform(0, w * 0.1), h * 0.6 + k * h * 0.45), text,
                   font=font(SANS_THIN, size), fill=255, stroke_width=max(1, size // 16),
                   stroke_fill=255)
        colour, strength = (110, 110, 116), 0.55
    else:
        size = int(h * rng.uniform(0.07, 0.1))
        step_x, step_y = font(SANS_THIN, size).getlength(phrase) + size * 2, size * 3.2
        for j in range(int(2 * h / step_y) + 1):
            for i in range(int(2 * w / step_x) + 1):
                d.text((i * step_x + (j % 2) * step_x / 2, j * step_y), phrase,
                       font=font(SANS_THIN, size), fill=255, stroke_width=1, stroke_fill=255)
        colour, strength = rng.choice(((150, 150, 150), (226, 80, 80))), 0.5
    mask = mask.rotate(rng.uniform(15, 35), Image.BICUBIC).crop((w // 2, h // 2, w // 2 + w,
                                                                  h // 2 + h))
    return _multiply(card, mask, colour, strength), f"watermark {how}"


# Putting the card in a photo -------------------------------------------------------------------

Quad = List[Tuple[float, float]]


def homography(src, dst) -> np.ndarray:
    """The 3x3 projective map taking the four `src` points to `dst`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return np.append(h, 1).reshape(3, 3)


def through(matrix: np.ndarray, points) -> Quad:
    out = []
    for x, y in points:
        u, v, s = matrix @ (x, y, 1)
        out.append((float(u / s), float(v / s)))
    return out


def place(scene: Image.Image, card: Image.Image, quad: Quad, shadow: float = 0.3) -> None:
    """Pastes the RGBA `card` into `scene` so that its corners (TL, BL, BR, TR) land on
    `quad`, warping only the quad's bounding box, with a soft contact shadow."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    pad = int(max(4, (max(xs) - min(xs)) * 0.03))
    x0, y0 = max(int(min(xs)) - pad, 0), max(int(min(ys)) - pad, 0)
    x1, y1 = min(int(max(xs)) + pad + 1, scene.width), min(int(max(ys)) + pad + 1, scene.height)
    if x1 <= x0 or y1 <= y0:
        return
    across = max(math.dist(quad[0], quad[3]), math.dist(quad[1], quad[2]))
    if card.width > 1.1 * across:  # the lens's blur before the sensor's sampling: no aliasing
        card = card.resize((max(2, round(across)), max(2, round(across * card.height /
                                                                  card.width))), Image.BOX)
    w, h = card.size
    back = homography([(x - x0, y - y0) for x, y in quad], [(0, 0), (0, h), (w, h), (w, 0)])
    coeffs = tuple((back / back[2, 2]).flatten()[:8])
    big = (x1 - x0) * (y1 - y0) > 3_000_000  # a whole page: bilinear is as good and quicker
    warped = card.convert("RGBA").transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, coeffs,
                                            Image.BILINEAR if big else Image.BICUBIC)
    alpha = warped.getchannel("A")
    if shadow:  # blurred at an eighth of the size: a soft shadow has no detail to lose
        small = alpha.resize((max(1, alpha.width // 8), max(1, alpha.height // 8)), Image.BOX)
        soft = small.filter(ImageFilter.GaussianBlur(pad / 16)).resize(alpha.size,
                                                                        Image.BILINEAR)
        scene.paste((0, 0, 0), (x0 + pad // 3, y0 + pad // 2),
                    soft.point(lambda v: int(v * shadow)))
    scene.paste(warped.convert("RGB"), (x0, y0), alpha)


def card_quad(centre, width: float, angle: float, keystone: float = 0.0,
              aspect: float = ASPECT) -> Quad:
    """Corners TL, BL, BR, TR of a card `width` px wide turned `angle` degrees clockwise about
    `centre`, its far (top) edge shortened by `keystone` (a tilted phone)."""
    w, h = width / 2, width * aspect / 2
    a = math.radians(angle)
    out = []
    for x, y in ((-w, -h), (-w, h), (w, h), (w, -h)):
        x *= 1 + keystone * (y / h) / 2
        out.append((centre[0] + x * math.cos(a) - y * math.sin(a),
                    centre[1] + x * math.sin(a) + y * math.cos(a)))
    return out


SURFACES = ("terrazzo floor", "linen tablecloth", "bamboo mat", "cork board", "ceramic tiles",
            "dark leatherette", "floral bedsheet")


def surface(rng: random.Random, size: Tuple[int, int], name: Optional[str] = None
            ) -> Tuple[Image.Image, str]:
    """A surface the card lies on, drawn at a quarter of the frame and enlarged (its texture
    is coarse; the camera's noise adds the fine grain)."""
    name = name or rng.choice(SURFACES)
    gen = _rng_np(rng)
    w, h = max(8, size[0] // 4), max(8, size[1] // 4)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    if name == "terrazzo floor":
        base = np.array([rng.randint(150, 200)] * 3, np.float32) + (0, -4, -10)
        img = Image.fromarray(np.broadcast_to(base, (h, w, 3)).astype(np.uint8))
        d = ImageDraw.Draw(img)
        for _ in range(w * h // 250):
            cx, cy, r = gen.integers(0, w), gen.integers(0, h), gen.integers(1, 4)
            c = tuple(int(v) for v in gen.choice([[90, 90, 92], [230, 228, 220], [160, 120, 90],
                                                  [70, 80, 60]]))
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=c)
    elif name == "linen tablecloth":
        base = np.array([rng.randint(190, 230), rng.randint(180, 220), rng.randint(160, 200)],
                        np.float32)
        weave = 8 * np.sin(x * 2.1) * np.sin(y * 2.3) + gen.normal(0, 5, (h, w))
        img = Image.fromarray(np.clip(base + weave[..., None], 0, 255).astype(np.uint8))
    elif name == "bamboo mat":
        base = np.array([196, 160, 104], np.float32)
        slat = (x % 14 < 1.5).astype(np.float32) * -60 + ((y % 90) < 2).astype(np.float32) * -40
        grain = 10 * np.sin(y / 7 + x) + gen.normal(0, 4, (h, w))
        img = Image.fromarray(np.clip(base + (slat + grain)[..., None], 0, 255).astype(np.uint8))
    elif name == "cork board":
        base = np.array([170, 124, 80], np.float32)
        spots = gen.normal(0, 22, (h, w))
        img = Image.fromarray(np.clip(base + spots[..., None], 0, 255).astype(np.uint8))
    elif name == "ceramic tiles":
        tile = rng.randint(60, 110)
        base = np.array([rng.randint(200, 235)] * 3, np.float32) - (0, 2, 6)
        tone = gen.normal(0, 6, (h // tile + 2, w // tile + 2))[(y // tile).astype(int),
                                                                (x // tile).astype(int)]
        grout = (((x % tile) < 2) | ((y % tile) < 2)).astype(np.float32) * -70
        img = Image.fromarray(np.clip(base + (tone + grout)[..., None], 0, 255).astype(np.uint8))
    elif name == "dark leatherette":
        base = np.array([rng.randint(30, 60), rng.randint(24, 44), rng.randint(20, 36)],
                        np.float32)
        grain = gen.normal(0, 7, (h, w))
        img = Image.fromarray(np.clip(base + grain[..., None], 0, 255).astype(np.uint8))
    else:  # pastel flowers on a pale cotton sheet
        base = np.array([236, 232, 226], np.float32)
        img = Image.fromarray(np.broadcast_to(base, (h, w, 3)).astype(np.uint8))
        d = ImageDraw.Draw(img)
        for _ in range(max(4, w * h // 4000)):
            cx, cy, r = gen.integers(0, w), gen.integers(0, h), gen.integers(8, 22)
            c = tuple(int(v) for v in gen.choice([[232, 170, 180], [170, 200, 230],
                                                  [200, 220, 160]]))
            for k in range(5):
                a = k * 2 * math.pi / 5
                px, py = cx + r * math.cos(a), cy + r * math.sin(a)
                d.ellipse((px - r * 0.6, py - r * 0.6, px + r * 0.6, py + r * 0.6), fill=c)
    return img.resize(size, Image.BILINEAR), name


def _gain(small: np.ndarray, size: Tuple[int, int]) -> Image.Image:
    return Image.fromarray(np.clip(small * 255, 0, 255).astype(np.uint8)) \
        .resize(size, Image.BICUBIC)


def light(scene: Image.Image, rng: random.Random, dim: float = 1.0,
          colour=(1.0, 1.0, 1.0)) -> Image.Image:
    """Uneven room light: a gradient across the scene, a lens's vignetting, a colour; values
    above 1 brighten."""
    w, h = 8, 6
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25)
    g = 1 + gx * (x / (w - 1) - 0.5) * 2 + gy * (y / (h - 1) - 0.5) * 2
    r2 = ((x - (w - 1) / 2) / w) ** 2 + ((y - (h - 1) / 2) / h) ** 2
    g = g * (1 - rng.uniform(0.2, 0.9) * r2) * dim
    gains = g[..., None] * np.array(colour, np.float32)
    top = max(1.0, float(gains.max()))
    out = ImageChops.multiply(scene, _gain(gains / top, scene.size))
    if top > 1.0:
        out = out.point(lambda v: min(255, int(v * top)))
    return out


def _tiled(tile: np.ndarray, size: Tuple[int, int], gen: np.random.Generator) -> Image.Image:
    """`tile` (uint8, RGB) repeated over `size` from a random offset: one strip built with
    numpy, pasted down the frame (building a 12 MP array per effect costs seconds)."""
    th, tw = tile.shape[:2]
    w, h = size
    ox, oy = int(gen.integers(0, tw)), int(gen.integers(0, th))
    strip = Image.fromarray(np.tile(tile, (1, w // tw + 2, 1))[:, ox:ox + w])
    out = Image.new("RGB", size)
    for y in range(-oy, h, th):
        out.paste(strip, (0, y))
    return out


def sensor(img: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """The sensor's noise, stronger in a darker picture (shot noise): grain shared by the
    channels and a weaker chroma part."""
    gen = _rng_np(rng)
    mean = float(np.asarray(img.resize((32, 24), Image.BOX)).mean())
    sigma = amount * (1.5 + 4.5 * (1 - mean / 255))
    tile = gen.normal(0, sigma, (257, 263, 1)) + gen.normal(0, sigma * 0.4, (257, 263, 3))
    noise = _tiled(np.clip(tile + 128, 0, 255).astype(np.uint8), img.size, gen)
    return ImageChops.add(img.convert("RGB"), noise, 1.0, -128)


def encode(img: Image.Image, rng: random.Random, quality: Optional[int] = None,
           subsampling: Optional[int] = None) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality or rng.randint(76, 94),
                            subsampling=rng.choice((0, 1, 2)) if subsampling is None
                            else subsampling)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


# Phenomena of this set -------------------------------------------------------------------------

def blind_stripes(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """Sun through a window blind: parallel bright and shadowed bands, soft-edged, at a slant,
    warm where lit."""
    w, h = scene.size
    period = rng.uniform(0.05, 0.12) * max(w, h)
    a = math.radians(rng.uniform(-40, 40))
    small = (64, max(2, 64 * h // w))
    y, x = np.mgrid[0:small[1], 0:small[0]].astype(np.float32) * (w / small[0])
    s = (x * math.cos(a) + y * math.sin(a)) / period
    band = np.clip((np.sin(2 * math.pi * s) + rng.uniform(-0.2, 0.3)) * 3, -1, 1) * 0.5 + 0.5
    lit = 0.5 + 0.5 * band
    gains = lit[..., None] * np.array([1.0, 0.95, 0.86], np.float32)
    return ImageChops.multiply(scene, _gain(gains, scene.size)), "blind stripes"


def dappled(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """Sunlight through leaves: round bright patches on a shaded scene."""
    w, h = scene.size
    mask = Image.new("L", (w // 8, h // 8), 0)
    d = ImageDraw.Draw(mask)
    for _ in range(rng.randint(10, 25)):
        cx, cy = rng.uniform(0, w / 8), rng.uniform(0, h / 8)
        r = rng.uniform(0.02, 0.07) * w / 8
        d.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(w / 400)).resize(scene.size, Image.BILINEAR)
    shade = scene.point(lambda v: int(v * 0.55))
    return Image.composite(scene, shade, mask), "dappled sunlight"


CASTS = {"tungsten cast": (1.0, 0.78, 0.5), "neon cast": (0.8, 0.55, 1.0),
         "red lamp cast": (1.0, 0.55, 0.5), "cold LED cast": (0.82, 0.92, 1.0)}


def cast(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    name = rng.choice(sorted(CASTS))
    return light(scene, rng, rng.uniform(0.75, 1.0), CASTS[name]), name


def bent(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A card bowed from being carried in a pocket: its middle rises, rows shift as a curve
    and the light falls off along it."""
    a = np.asarray(card.convert("RGBA"))
    h, w = a.shape[:2]
    depth = rng.uniform(0.01, 0.03) * h
    xs = np.arange(w, dtype=np.float32)
    shift = (depth * np.sin(math.pi * xs / (w - 1))).astype(np.int32)
    pad = int(depth) + 1
    out = np.zeros((h + pad, w, 4), np.uint8)
    rows = np.arange(h)[:, None] + (pad - shift)[None, :]
    out[rows, np.arange(w)[None, :]] = a
    shade = 0.85 + 0.15 * np.cos(math.pi * (xs / (w - 1) - rng.uniform(0.3, 0.7)))
    out[..., :3] = (out[..., :3] * shade[None, :, None]).astype(np.uint8)
    return Image.fromarray(out), "bent card"


def haze(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A greasy lens: light scattered over the whole frame (a veil), contrast lost, highlights
    blooming."""
    w, h = scene.size
    bloom = scene.resize((max(1, w // 16), max(1, h // 16)), Image.BILINEAR) \
        .filter(ImageFilter.GaussianBlur(3)).resize(scene.size, Image.BILINEAR)
    veil = rng.uniform(0.25, 0.45)
    return Image.blend(scene, ImageChops.screen(bloom, Image.new("RGB", scene.size,
                                                                 (60, 60, 60))), veil), \
        "dirty lens haze"


def shallow_focus(scene: Image.Image, rng: random.Random, quad: Quad) -> Tuple[Image.Image, str]:
    """Close range, wide aperture: the focus on one end of the card, the other soft."""
    w, h = scene.size
    width = max(x for x, _ in quad) - min(x for x, _ in quad)
    soft = scene.filter(ImageFilter.GaussianBlur(max(1.5, width / rng.uniform(220, 400))))
    ramp = np.clip((np.linspace(-1, 1, w, dtype=np.float32) * rng.choice((1, -1)) *
                    rng.uniform(1.2, 2.0)) + 0.3, 0, 1)
    mask = Image.fromarray((np.broadcast_to(ramp, (2, w)) * 255).astype(np.uint8)) \
        .resize(scene.size, Image.BILINEAR)
    return Image.composite(soft, scene, mask), "shallow focus"


def mirror(scene: Image.Image, card: Image.Image, quad: Quad, rng: random.Random
           ) -> Tuple[Image.Image, str]:
    """A card on a mirror: its faint reflection offset below it, flipped, in the glass."""
    flipped = card.transpose(Image.FLIP_TOP_BOTTOM)
    ys = [y for _, y in quad]
    off = (max(ys) - min(ys)) * rng.uniform(0.06, 0.15)
    ghost = scene.copy()
    place(ghost, flipped, [(x + off * 0.3, y + off) for x, y in quad], shadow=0)
    out = Image.blend(scene, ghost, 0.35)
    place(out, card, quad, shadow=0)
    return out, "on a mirror"


def ring_light(scene: Image.Image, rng: random.Random, centre, radius: float
               ) -> Tuple[Image.Image, str]:
    """A ring light's reflection in the laminate: a bright annulus, not quite saturating."""
    mask = Image.new("L", scene.size, 0)
    cx, cy = centre
    ImageDraw.Draw(mask).ellipse((cx - radius, cy - radius, cx + radius, cy + radius),
                                 outline=150, width=max(3, int(radius / 7)))
    mask = mask.filter(ImageFilter.GaussianBlur(radius / 25))
    return Image.composite(Image.new("RGB", scene.size, (250, 250, 250)), scene, mask), \
        "ring light reflection"


def edge_object(scene: Image.Image, rng: random.Random, quad: Quad) -> Tuple[Image.Image, str]:
    """A coin or a watch resting on the card's corner, away from the fields."""
    what = rng.choice(("coin", "watch"))
    d = ImageDraw.Draw(scene)
    width = math.dist(quad[0], quad[3])
    corner = quad[rng.choice((0, 1, 2, 3))]
    if what == "coin":
        r = width * 0.1
        d.ellipse((corner[0] - r, corner[1] - r, corner[0] + r, corner[1] + r),
                  fill=(184, 170, 140), outline=(120, 110, 90), width=max(2, int(r / 10)))
    else:
        r = width * 0.09
        d.rectangle((corner[0] - r * 0.6, corner[1] - r * 3, corner[0] + r * 0.6,
                     corner[1] + r * 3), fill=(30, 28, 26))
        d.ellipse((corner[0] - r, corner[1] - r, corner[0] + r, corner[1] + r),
                  fill=(200, 200, 204), outline=(60, 60, 60), width=max(2, int(r / 8)))
    return scene, f"{what} at a corner"


def faded(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A card left in the sun: the ink's contrast lost, the ground yellowed."""
    a = np.asarray(card.convert("RGBA"), np.float32)
    k = rng.uniform(0.55, 0.75)
    rgb = 255 - (255 - a[..., :3]) * k
    rgb *= np.array([1.0, 0.98, 0.9], np.float32)
    return Image.fromarray(np.dstack([rgb, a[..., 3:]]).clip(0, 255).astype(np.uint8)), \
        "sun-faded"


def webcam(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A laptop webcam's 720p frame: small sensor noise, softness, heavy compression."""
    small = scene.filter(ImageFilter.GaussianBlur(0.8))
    small = sensor(small, rng, 2.2)
    return decoded(encode(small, rng, rng.randint(35, 55), 2)), "webcam 720p"


def video_frame(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A frame grabbed from a video of the card moving: motion smear and interlaced combing
    (every other line from the next field), then a streaming codec's compression."""
    a = np.asarray(scene).copy()
    shift = rng.randint(2, 5) * rng.choice((1, -1))
    a[1::2] = np.roll(a[1::2], shift, axis=1)
    img = Image.fromarray(a).filter(ImageFilter.BoxBlur(1))
    return decoded(encode(img, rng, rng.randint(40, 60), 2)), "video frame"


def printed_photo(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A photo of a printed photo: the print's rosette of ink dots, its white border and the
    paper's warm white."""
    w, h = scene.size
    pitch = rng.choice((3, 4))
    y, x = np.mgrid[0:pitch * 16, 0:pitch * 16].astype(np.float32)
    dots = np.cos(2 * math.pi * x / pitch) * np.cos(2 * math.pi * y / pitch)
    tile = np.repeat((237 + 18 * (dots[..., None] * 0.5 + 0.5)), 3, axis=2) * \
        np.array([1.0, 0.98, 0.93], np.float32)
    out = ImageChops.multiply(scene, _tiled(tile.astype(np.uint8), scene.size, _rng_np(rng)))
    border = int(min(w, h) * 0.03)
    ImageDraw.Draw(out).rectangle((0, 0, w - 1, h - 1), outline=(238, 236, 228), width=border)
    return out, "photo of a printed photo"


def chat(img: Image.Image, rng: random.Random, least: int = 0) -> Tuple[Image.Image, str]:
    """A chat app's recompression: the longer side brought to 1280-1920 px (not below
    `least`), 4:2:0, quality about 70, twice when forwarded."""
    longest = max(rng.choice((1280, 1600, 1920)), least)
    scale = longest / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    for _ in range(rng.randint(1, 2)):
        img = decoded(encode(img, rng, rng.randint(62, 75), 2))
    return img, f"chat recompression to {longest} px"


# Photos ------------------------------------------------------------------------------------------

TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}
FRAMES = ((4000, 3000), (3000, 4000), (4000, 2250), (2250, 4000), (3264, 2448), (2448, 3264),
          (1920, 1080), (1600, 1200))
HARD_EFFECTS = ("blinds", "dappled", "cast", "bent", "haze", "shallow", "mirror", "ring",
                "edge object", "faded", "webcam", "video", "printed photo", "chat", "dark",
                "stamp", "watermark", "motion", "hair", "selfie")
# a photo turned after it was taken (its orientation tag lost): the turn that rotates it
ROTATED = {90: Image.ROTATE_270, 180: Image.ROTATE_180, 270: Image.ROTATE_90}


def _frame_for(rng: random.Random, width: int, turn: int, frames=FRAMES) -> Tuple[int, int]:
    """A frame the card (`width` px, turned) fits in with a margin, spanning 28-80 % of it."""
    across, down = (width, width * ASPECT) if turn in (0, 180) else (width * ASPECT, width)
    fits = [f for f in frames if across <= 0.8 * f[0] and down <= 0.8 * f[1]]
    return rng.choice([f for f in fits if across >= 0.28 * f[0]] or fits or [frames[0]])


def hair(scene: Image.Image, rng: random.Random, quad: Quad) -> Tuple[Image.Image, str]:
    """Loose hairs lying across the card: thin dark curves, a pixel or two wide."""
    d = ImageDraw.Draw(scene)
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    width = math.dist(quad[0], quad[3])
    count = rng.randint(1, 3)
    for _ in range(count):
        v0, v1 = rng.uniform(-0.1, 1.1), rng.uniform(-0.1, 1.1)
        bow, phase = rng.uniform(0.03, 0.12), rng.uniform(0, math.pi)
        points = []
        for i in range(41):
            u = -0.15 + 1.3 * i / 40
            v = v0 + (v1 - v0) * i / 40 + bow * math.sin(phase + 3 * u)
            top = (tlx + (trx - tlx) * u, tly + (try_ - tly) * u)
            bottom = (blx + (brx - blx) * u, bly + (bry - bly) * u)
            points.append((top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v))
        shade = rng.randint(15, 70)
        d.line(points, fill=(shade, shade - 6 if shade > 6 else 0, 0),
               width=max(1, round(width / rng.uniform(400, 700))), joint="curve")
    return scene, f"{count} hair{'s' if count > 1 else ''} across the card"


def _selfie_frame(rng: random.Random, width: int) -> Tuple[int, int]:
    """A portrait frame the card, held at the chest, spans 30-65 % of."""
    upright = [f for f in FRAMES if f[1] > f[0]]
    fits = [f for f in upright if 0.3 * f[0] <= width <= 0.65 * f[0]]
    return rng.choice(fits or [max(upright)])


def _photo(card: Image.Image, side: str, rng: random.Random, kind: str) -> Tuple[bytes, str]:
    notes = [side]
    turn, skew, keystone = 0, rng.uniform(-2, 2), rng.uniform(0, 0.03)
    effects: List[str] = []
    if kind == "hard":
        turn = rng.choice(sorted(TURNS))
        skew = rng.uniform(-20, 20)
        keystone = rng.uniform(0, 0.2)
        effects = rng.sample(HARD_EFFECTS, rng.randint(1, 3))
        if "webcam" in effects and "video" in effects:
            effects.remove("video")
        if "selfie" in effects and {"mirror", "webcam", "video"} & set(effects):
            effects.remove("selfie")
    selfie = "selfie" in effects  # drawn upright, then the whole photo turned
    for effect, apply in (("stamp", stamp), ("watermark", watermark), ("faded", faded),
                          ("bent", bent)):  # on the card itself, before it is photographed
        if effect in effects:
            card, what = apply(card, rng)
            notes.append(what)
    small_frames = ((1280, 720),) if "webcam" in effects else \
        ((1280, 720), (1920, 1080)) if "video" in effects else FRAMES
    width = rng.randint(448, 1300 if small_frames is FRAMES else 700)
    frame = _selfie_frame(rng, width) if selfie else _frame_for(rng, width, turn, small_frames)
    scene, where = surface(rng, frame)
    if "mirror" in effects:
        scene = Image.new("RGB", frame, tuple(rng.randint(40, 90) for _ in range(3)))
        where = "bathroom mirror"
    if selfie:  # 手持身份证: the holder's face above the card held at the chest
        from tests.fakes import pilgrim_kyc  # the same person as the KYC selfies

        scene = Image.new("RGB", frame, tuple(rng.randint(150, 230) for _ in range(3)))
        pilgrim_kyc.selfie_person(scene, rng, rng.choice(pilgrim_kyc.SKINS))
        where = f"selfie holding the card, photo turned {turn}"
        skew *= 0.4
    notes += [f"card {width} px", TURNS[turn], f"skew {round(skew)}", where,
              f"{frame[0]}x{frame[1]}"]
    angle = skew if selfie else turn + skew
    bound = abs(math.cos(math.radians(angle))) * width + abs(math.sin(math.radians(angle))) * \
        width * ASPECT
    bound_y = abs(math.sin(math.radians(angle))) * width + abs(math.cos(math.radians(angle))) * \
        width * ASPECT
    scale = min(1.0, 0.92 * frame[0] / bound, 0.92 * frame[1] / bound_y)
    if scale < 1.0:  # a steep skew's bounding box: the card kept whole, a little smaller
        width = max(448, int(width * scale))
        notes[notes.index(next(n for n in notes if n.startswith("card ")))] = f"card {width} px"
    cx = frame[0] / 2 + rng.uniform(-0.1, 0.1) * max(0.0, frame[0] - bound)
    cy = frame[1] / 2 + rng.uniform(-0.1, 0.1) * max(0.0, frame[1] - bound_y)
    if selfie:
        cy = min(frame[1] * rng.uniform(0.62, 0.7), frame[1] - bound_y * 0.55)
    quad = card_quad((cx, cy), width, angle, keystone)
    if "mirror" in effects:
        scene, what = mirror(scene, card, quad, rng)
        notes.append(what)
    else:
        place(scene, card, quad, rng.uniform(0.15, 0.4))
    if "hair" in effects:
        scene, what = hair(scene, rng, quad)
        notes.append(what)
    for effect, apply in (("blinds", blind_stripes), ("dappled", dappled), ("cast", cast),
                          ("haze", haze)):
        if effect in effects:
            scene, what = apply(scene, rng)
            notes.append(what)
    if "shallow" in effects:
        scene, what = shallow_focus(scene, rng, quad)
        notes.append(what)
    if "ring" in effects:
        corner = quad[rng.choice((0, 3))] if side == "face" else quad[rng.choice((2, 3))]
        centre = ((corner[0] * 2 + cx) / 3, (corner[1] * 2 + cy) / 3)
        scene, what = ring_light(scene, rng, centre, width * rng.uniform(0.08, 0.14))
        notes.append(what)
    if "edge object" in effects:
        scene, what = edge_object(scene, rng, quad)
        notes.append(what)
    if "motion" in effects:  # the hand moving during a long exposure: a smear one way
        length = rng.randint(3, 7)
        w, h = scene.size
        if rng.random() < 0.5:
            direction, squeezed = "horizontal", (max(1, w // length), h)
        else:
            direction, squeezed = "vertical", (w, max(1, h // length))
        scene = scene.resize(squeezed, Image.BOX).resize((w, h), Image.BILINEAR)
        notes.append(f"motion blur {direction} {length} px")
    dim = rng.uniform(0.3, 0.5) if "dark" in effects else rng.uniform(0.85, 1.15)
    if "dark" in effects:
        notes.append("dark")
    scene = light(scene, rng, dim)
    scene = sensor(scene, rng, 2.5 if "dark" in effects else rng.uniform(0.6, 1.4))
    if selfie and turn:
        scene = scene.transpose(ROTATED[turn])
    for effect, apply in (("webcam", webcam), ("video", video_frame),
                          ("printed photo", printed_photo), ("chat", chat)):
        if effect in effects:
            before = scene.width
            if effect == "chat":  # the card kept at least 448 px wide in what is sent
                scene, what = chat(scene, rng, math.ceil(448 * max(scene.size) / width))
            else:
                scene, what = apply(scene, rng)
            notes.append(what)
            if scene.width != before:  # the card is smaller in the sent picture
                width = round(width * scene.width / before)
                notes[notes.index(next(n for n in notes if n.startswith("card ")))] = \
                    f"card {width} px"
    sub = rng.choice((0, 1, 2))
    notes.append({0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}[sub])
    return encode(scene, rng, rng.randint(72, 94) if kind == "hard" else rng.randint(82, 95),
                  sub), ", ".join(notes)


# Sheets ----------------------------------------------------------------------------------------

SHEET_DPI = (150, 200, 300)
SHEET_PHOTO_FRAMES = ((4000, 3000), (3000, 4000), (3264, 2448))
SHEET_OUTPUTS = ("flatbed scan", "folded in the middle", "crumpled", "low-toner streaks",
                 "thermal fax", "photographed on a desk")


def copy_of(card: Image.Image, rng: random.Random, colour: bool, density: float
            ) -> Image.Image:
    """A copier's rendering of the card on white: grey (or faded colour), contrast pushed,
    the card's pale ground dropping to the paper's white, `density` darkening it all."""
    card = card.convert("RGBA")
    img = ImageEnhance.Color(card.convert("RGB")).enhance(0.6) if colour else \
        card.convert("L").convert("RGB")
    lut = [int(min(255, max(0, 255 - (255 - min(255, max(0, (v - 40) * 1.35))) * density)))
           for v in range(256)]
    img = img.point(lut * 3)
    white = Image.new("RGB", card.size, (255, 255, 255))
    white.paste(img, (0, 0), card.getchannel("A"))
    return white


def _pen_note(page: Image.Image, rng: random.Random, box) -> str:
    """A note across the copy in ballpoint, as people write on copies they hand over."""
    phrase = f"仅供{rng.choice(PURPOSES)}使用，再复印无效"
    mask = Image.new("L", page.size, 0)
    x0, y0, x1, y1 = box
    size = int((x1 - x0) / len(phrase) * 1.1)
    x, y = x0 - size, (y0 + y1) / 2
    for ch in phrase:
        s = int(size * rng.uniform(0.85, 1.15))
        tile = Image.new("L", (s * 2, s * 2), 0)
        ImageDraw.Draw(tile).text((s // 2, s // 2), ch, font=font(SERIF_EXTRALIGHT, s), fill=255,
                                  stroke_width=max(1, s // 20), stroke_fill=255)
        mask.paste(255, (int(x), int(y)), tile.rotate(rng.uniform(-10, 10) + 18,
                                                        Image.BICUBIC))
        x += s * 0.95
        y -= s * 0.3
    page.paste(rng.choice(PEN_INKS), (0, 0), mask.point(lambda v: int(v * 0.85)))
    return "pen note"


def _sheet(face_card: Image.Image, back_card: Image.Image, rng: random.Random
           ) -> Tuple[Image.Image, str]:
    output = rng.choice(SHEET_OUTPUTS)
    # a page photographed is resampled by the camera anyway: drawn at the lowest resolution
    dpi = SHEET_DPI[0] if output == "photographed on a desk" else rng.choice(SHEET_DPI)
    px_mm = dpi / 25.4
    page = Image.new("RGB", (round(210 * px_mm), round(297 * px_mm)),
                     tuple(rng.randint(244, 252) for _ in range(3)))
    colour = rng.random() < 0.35
    notes = [f"A4 at {dpi} dpi", "colour copy" if colour else "black-and-white copy"]
    width = 85.6 * px_mm
    boxes = []
    for i, card in enumerate((face_card, back_card)):
        density = rng.uniform(0.7, 1.15)
        copy = rounded(copy_of(card, rng, colour, density))
        turn = rng.choice((0, 0, 0, 90, 180, 270)) if rng.random() < 0.4 else 0
        skew = rng.uniform(-6, 6)
        centre = (page.width / 2 + rng.uniform(-15, 15) * px_mm,
                  page.height * (0.3 if i == 0 else 0.68) + rng.uniform(-10, 10) * px_mm)
        quad = card_quad(centre, width, turn + skew)
        place(page, copy, quad, shadow=0)
        boxes.append((min(x for x, _ in quad), min(y for _, y in quad),
                      max(x for x, _ in quad), max(y for _, y in quad)))
        notes.append(f"{('face', 'back')[i]} {TURNS[turn]} skew {round(skew)} density {density:.2f}")
    if rng.random() < 0.45:
        notes.append(_pen_note(page, rng, boxes[1 if rng.random() < 0.5 else 0]))
    notes.append(output)
    a = np.asarray(page, np.float32)
    h, w = a.shape[:2]
    if output == "folded in the middle":  # a crease between (or across) the cards, shadowed
        y = int(h * rng.uniform(0.45, 0.55))
        rows = np.arange(h, dtype=np.float32)[:, None, None]
        a *= 1 - 0.25 * np.exp(-((rows - y) / (h * 0.004)) ** 2)
        a[:y] *= 0.96
    elif output == "crumpled":  # creases' light and shade, low frequency
        gen = _rng_np(rng)
        shade = Image.fromarray((gen.random((9, 7)) * 60 + 195).astype(np.uint8)) \
            .resize((w, h), Image.BICUBIC)
        a *= np.asarray(shade, np.float32)[..., None] / 255
    elif output == "low-toner streaks":  # the drum starved: pale vertical bands
        gen = _rng_np(rng)
        cols = np.ones(w, np.float32)
        for _ in range(rng.randint(2, 5)):
            c, half = int(gen.integers(0, w)), int(gen.integers(w // 80, w // 25))
            cols[max(0, c - half):c + half] = rng.uniform(0.35, 0.6)
        a = 255 - (255 - a) * cols[None, :, None]
    elif output == "thermal fax":  # faded paper, toward one end, grey, slightly smeared rows
        fade = np.linspace(rng.uniform(0.55, 0.8), 1.0, h, dtype=np.float32)[:, None, None]
        a = 255 - (255 - a.mean(axis=2, keepdims=True)) * fade
        a = np.broadcast_to(a * 0.96 + 6, (h, w, 3))
    page = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    if output == "photographed on a desk":
        frame = rng.choice(SHEET_PHOTO_FRAMES)
        scene, where = surface(rng, frame)
        ph = frame[1] * rng.uniform(0.85, 0.95)
        pw = ph * 210 / 297
        if pw > frame[0] * 0.95:
            pw = frame[0] * 0.95
            ph = pw * 297 / 210
        quad = card_quad((frame[0] / 2, frame[1] / 2), pw, rng.uniform(-4, 4),
                         rng.uniform(0, 0.08), aspect=297 / 210)
        place(scene, page, quad, 0.2)
        page = sensor(light(scene, rng, rng.uniform(0.7, 1.05)), rng, 1.0)
        notes.append(f"on {where}")
    else:
        page = sensor(page, rng, 0.6)
    return page, ", ".join(notes)


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (pilgrim draws {', '.join(KINDS)})")
    rng = random.Random(f"pilgrim/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        face = card_image("face", person["face"], rng)
        back = card_image("back", person["back"], rng)
        page, detail = _sheet(face, back, rng)
        return Photo(kind, encode(page, rng, rng.randint(80, 92), 2), dict(person), detail)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or \
        ("face", "back")[seed % 2]  # hard photos take the sides in turn
    card = card_image(side, person[side], rng)
    data, detail = _photo(card, side, rng, kind)
    return Photo(kind, data, {side: person[side]}, detail)
