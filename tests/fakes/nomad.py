"""The tenth hold-out rendering of the resident ID card ("nomad"), for issue 22's engine, issue
21's KYC warnings (tests/fakes/nomad_kyc.py) and issue 23's cascade.

Drawn on 2026-12-07 (the fifth set that day) by an engineer who read none of the engine, the
KYC rules, the cascade or the other generators, from public descriptions of the card (GB
19584-2004: 85.6 x 54 mm; the face's 姓名 性别 民族 出生 住址 公民身份号码 beside the portrait, the
back's national emblem, 中华人民共和国 居民身份证, 签发机关 and 有效期限), GB 11643-1999's check
character and GB/T 2260's real district codes.

Its own fonts: the values in TW-Sung / TW-Kai (the CNS 11643 faces, which also hold every GB
2312 character) or Noto Serif CJK HK Medium, the labels in Noto Sans CJK's Hong Kong and
Taiwan Medium faces (their regional glyph forms), the number in League Mono or Agave.

Its own photos: besides quarter and half turns, skew and keystone, a card in a scratched and
yellowed sleeve, under a glass table top, through a bank counter's double-pane window (a ghost
image), a sepia filter, a tight crop by the user, a steep 30-45 degree view, peeling laminate,
water droplets acting as lenses, a fingerprint smudge, laminate scratches, a vignette with
cat-eye bokeh, a windscreen's reflection on a dashboard, lens-flare ghosts, a picture shrunk
without filtering (jagged), pixels stored turned with an EXIF orientation tag, and 4:4:4 or
4:2:0 JPEG; sheets fed through a document feeder, rasterised from a PDF, photographed on a
clipboard or copied on an inkjet. Everything follows from the seed.
"""

import io
import math
import random
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from tests.fakes.realistic import Photo
from tests.fakes.typefaces import covers, installed
from tests.fakes.typefaces import face as font

KINDS = ("plain_face", "plain_back", "hard", "sheet")
PX_MM = 12  # the card is drawn at 12 px per mm
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
TODAY = date(2026, 12, 7)
PACKAGES = "fonts-cns11643-sung fonts-cns11643-kai fonts-noto-cjk-extra fonts-league-mono " \
    "fonts-agave"

_NOTO = "/usr/share/fonts/opentype/noto/"
TW_SUNG = ("/usr/share/fonts/truetype/cns11643/TW-Sung-98_1.ttf", 0)
TW_KAI = ("/usr/share/fonts/truetype/cns11643/TW-Kai-98_1.ttf", 0)
SERIF_HK_MEDIUM = (_NOTO + "NotoSerifCJK-Medium.ttc", 4)  # Noto Serif CJK HK Medium
SANS_HK_MEDIUM = (_NOTO + "NotoSansCJK-Medium.ttc", 4)  # Noto Sans CJK HK Medium
SANS_TC_MEDIUM = (_NOTO + "NotoSansCJK-Medium.ttc", 3)  # Noto Sans CJK TC Medium
VALUE_FONTS = (TW_SUNG, TW_SUNG, SERIF_HK_MEDIUM, TW_KAI)  # Song most often, as real cards print
LABEL_FONTS = (SANS_HK_MEDIUM, SANS_TC_MEDIUM)
TITLE_FONTS = (SERIF_HK_MEDIUM, TW_SUNG)
NUMBER_FONTS = (("/usr/share/fonts/opentype/league-mono/LeagueMono-NarrowRegular.otf", 0),
                ("/usr/share/fonts/opentype/league-mono/LeagueMono-Regular.otf", 0),
                ("/usr/share/fonts/truetype/agave/agave-r-autohinted.ttf", 0))
ALL_FONTS = tuple(dict.fromkeys(VALUE_FONTS + LABEL_FONTS + TITLE_FONTS + NUMBER_FONTS))


def available() -> bool:
    return installed(ALL_FONTS)


def mm(v: float) -> int:
    return round(v * PX_MM)


# Who is on the card -----------------------------------------------------------------------------

# The 56 nationalities as the card's 民族 field writes them (without 族).
NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
# (GB/T 2260 code, the address's beginning, the authority that issues there)
PLACES = (
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局"),
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("120104", "天津市南开区", "天津市公安局南开分局"),
    ("500112", "重庆市渝北区", "重庆市公安局渝北区分局"),
    ("440106", "广东省广州市天河区", "广州市公安局天河区分局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("320106", "江苏省南京市鼓楼区", "南京市公安局鼓楼分局"),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("370102", "山东省济南市历下区", "济南市公安局历下区分局"),
    ("130523", "河北省邢台市内丘县", "内丘县公安局"),
    ("411523", "河南省信阳市新县", "新县公安局"),
    ("341182", "安徽省滁州市明光市", "明光市公安局"),
    ("152502", "内蒙古自治区锡林郭勒盟锡林浩特市", "锡林浩特市公安局"),
    ("152527", "内蒙古自治区锡林郭勒盟太仆寺旗", "太仆寺旗公安局"),
    ("150421", "内蒙古自治区赤峰市阿鲁科尔沁旗", "阿鲁科尔沁旗公安局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("150724", "内蒙古自治区呼伦贝尔市鄂温克族自治旗", "鄂温克族自治旗公安局"),
    ("652801", "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市", "库尔勒市公安局"),
    ("653101", "新疆维吾尔自治区喀什地区喀什市", "喀什市公安局"),
    ("654021", "新疆维吾尔自治区伊犁哈萨克自治州伊宁县", "伊宁县公安局"),
    ("653131", "新疆维吾尔自治区喀什地区塔什库尔干塔吉克自治县", "塔什库尔干塔吉克自治县公安局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关分局"),
    ("632221", "青海省海北藏族自治州门源回族自治县", "门源回族自治县公安局"),
    ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "瑞丽市公安局"),
    ("532823", "云南省西双版纳傣族自治州勐腊县", "勐腊县公安局"),
    ("533325", "云南省怒江傈僳族自治州兰坪白族普米族自治县", "兰坪白族普米族自治县公安局"),
    ("433130", "湖南省湘西土家族苗族自治州龙山县", "龙山县公安局"),
    ("522631", "贵州省黔东南苗族侗族自治州黎平县", "黎平县公安局"),
    ("422802", "湖北省恩施土家族苗族自治州利川市", "利川市公安局"),
    ("513222", "四川省阿坝藏族羌族自治州理县", "理县公安局"),
    ("513423", "四川省凉山彝族自治州盐源县", "盐源县公安局"),
    ("451031", "广西壮族自治区百色市隆林各族自治县", "隆林各族自治县公安局"),
    ("450102", "广西壮族自治区南宁市兴宁区", "南宁市公安局兴宁分局"),
    ("222426", "吉林省延边朝鲜族自治州安图县", "安图县公安局"),
    ("211324", "辽宁省朝阳市喀喇沁左翼蒙古族自治县", "喀喇沁左翼蒙古族自治县公安局"),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局"),
    ("460105", "海南省海口市秀英区", "海口市公安局秀英分局"),
    ("469027", "海南省乐东黎族自治县", "乐东黎族自治县公安局"),
    ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨市公安局南岗分局"),
    ("350203", "福建省厦门市思明区", "厦门市公安局思明分局"),
    ("360124", "江西省南昌市进贤县", "进贤县公安局"),
    ("620923", "甘肃省酒泉市肃北蒙古族自治县", "肃北蒙古族自治县公安局"),
    ("140105", "山西省太原市小店区", "太原市公安局小店分局"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶" \
    "程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
RARE_SURNAMES = "亓厍訾晁蒯郏逄苌眭湛敖佴缪乜覃靳冉璩郦仝揭"
COMPOUND_SURNAMES = ("司马", "司徒", "东方", "夏侯", "尉迟", "长孙", "宇文", "端木", "呼延", "独孤")
GIVEN_CHARS = "建国华明军平玉兰秀英桂芳志强伟敏静丽涛勇杰娟霞刚斌文辉宇鹏飞艳红磊超梅晨阳雪婷" \
    "浩然欣怡子涵梓萱宇航嘉豪一鸣心怡佳琪诗雨俊熙思远"
RARE_GIVEN_CHARS = "骞霁暄晔祺煜翊赟彧昊璟瑾琛珈玮钰琨暾铖曦湉婕"
# Names written whole (Tibetan, Mongolian, Monba and Lhoba usage): several long, no dot.
GIVEN_WHOLE = {"藏": ("洛桑次仁", "丹增尼玛", "白玛央金", "次旦卓嘎", "格桑", "边巴"),
               "蒙古": ("额尔敦巴雅尔", "乌日娜", "巴特尔", "苏日古嘎", "宝力德", "其其格"),
               "门巴": ("达瓦次仁", "拉姆"), "珞巴": ("达娃卓玛", "亚依")}
# Given name and father's name joined by the middle dot (Uyghur, Kazakh and others).
DOTTED_PARTS = {"维吾尔": ("阿依古丽", "买买提", "艾克拜尔", "古丽米拉", "吐尔洪", "热娜"),
                "哈萨克": ("叶尔兰", "阿依达娜", "努尔兰", "加娜尔", "别克"),
                "柯尔克孜": ("阿斯卡尔", "古丽娜尔", "托合提"),
                "塔吉克": ("买买提江", "古丽巴哈尔", "热合曼"),
                "乌孜别克": ("阿不都", "帕提古丽", "沙吾提"),
                "塔塔尔": ("阿力木", "娜菲莎", "哈米提"),
                "俄罗斯": ("伊万", "娜塔莎", "尼古拉", "瓦西里")}
STREETS = ("光华", "朝阳", "解放", "新华", "和平", "文化", "建设", "健康", "团结", "东风", "胜利",
           "民主", "幸福", "振兴", "红旗")
STREET_KINDS = ("路", "街", "大道", "东路", "西街", "南路")
ESTATES = ("金色家园", "阳光小区", "翠湖苑", "锦绣华庭", "东方明珠花园", "供电局宿舍", "桂花里")
TOWNS = ("城关镇", "新华乡", "红星街道", "太平镇", "永安乡", "河东街道", "巴彦镇", "勐捧镇")
VILLAGES = ("前进村", "石门村", "沙河村", "上寨村", "双山村", "那扎村", "嘎查")
CHARS_PER_LINE = 11  # the address column holds 11 characters a line, 3 lines at most
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """GB 11643-1999's check character of a number's first 17 digits (ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def _name(rng: random.Random, nationality: str) -> str:
    if nationality in DOTTED_PARTS:
        parts = DOTTED_PARTS[nationality]
        given, father = rng.sample(parts, 2)
        return f"{given}·{father}"
    if nationality in GIVEN_WHOLE:
        return rng.choice(GIVEN_WHOLE[nationality])
    roll = rng.random()
    surname = rng.choice(COMPOUND_SURNAMES) if roll < 0.08 else \
        rng.choice(RARE_SURNAMES) if roll < 0.22 else rng.choice(SURNAMES)
    given = [rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.35 else 2)]
    if rng.random() < 0.3:
        given[-1] = rng.choice(RARE_GIVEN_CHARS)
    return surname + "".join(given)


def _address(rng: random.Random, prefix: str) -> str:
    rural = prefix.endswith(("县", "旗"))
    if rural or rng.random() < 0.25:
        rest = rng.choice(TOWNS) + rng.choice(VILLAGES)
        rest += (f"{rng.randint(1, 12)}组" if rng.random() < 0.6 else "") + \
            f"{rng.randint(1, 199)}号"
    else:
        rest = rng.choice(STREETS) + rng.choice(STREET_KINDS) + f"{rng.randint(1, 688)}号"
        if rng.random() < 0.6:
            rest += rng.choice(ESTATES) + f"{rng.randint(1, 32)}栋"
            if rng.random() < 0.6:
                rest += f"{rng.randint(1, 6)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    text = prefix + rest
    return text if len(text) <= 3 * CHARS_PER_LINE else _address(rng, prefix)


def _age_days_rule(birth: date, start: date) -> int:
    return (start - birth).days // 365


def _whole_age(birth: date, start: date) -> int:
    return start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))


def _years_for(age: int) -> int:
    """Validity for an age at issue: 5 years under 16, 10 to 25, 20 to 45, then 长期 (0)."""
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """A holder a real card could carry: face and back truths, exactly as printed."""
    code, prefix, authority = rng.choice(PLACES)
    nationality = "汉" if rng.random() < 0.45 else rng.choice(NATIONALITIES)
    sex = rng.choice("男女")
    years = rng.choices((5, 10, 20, 0), weights=(14, 24, 34, 28))[0]
    ages = {5: (0, 15), 10: (16, 25), 20: (26, 45), 0: (46, 84)}[years]
    while True:
        back_days = rng.randint(1, (years or 20) * 365 - 20)
        start = TODAY - timedelta(days=back_days)
        age = rng.randint(*ages)
        birth = start - timedelta(days=int(age * 365.25) + rng.randint(20, 340))
        if (start.month, start.day) == (2, 29) or birth.year < 1930:
            continue
        # both ways of counting the age at issue must give this validity (holder_faults counts
        # whole 365-day years, the project's checks whole calendar years)
        whole, rough = _whole_age(birth, start), _age_days_rule(birth, start)
        if _years_for(whole) == years and _years_for(rough) == years:
            break
    end = "长期" if years == 0 else start.replace(year=start.year + years).strftime("%Y%m%d")
    sequence = f"{rng.randint(0, 99):02d}{rng.choice('13579' if sex == '男' else '02468')}"
    first17 = code + birth.strftime("%Y%m%d") + sequence
    face = {"name": _name(rng, nationality), "sex": sex, "nationality": nationality,
            "birth": birth.strftime("%Y%m%d"), "address": _address(rng, prefix),
            "num": first17 + check_character(first17)}
    back = {"issue": authority, "start_date": start.strftime("%Y%m%d"), "end_date": end}
    return {"face": face, "back": back}


# Drawing the card -------------------------------------------------------------------------------

Drawn = List[Tuple[str, Tuple[int, int, int, int]]]
LABEL_BLUES = ((0, 118, 188), (26, 128, 196), (10, 98, 170))
INKS = ((12, 12, 14), (38, 34, 32), (26, 28, 40))


def _guilloche(size: Tuple[int, int], rng: random.Random, tint: Tuple[int, int, int],
               base: Tuple[int, int, int]) -> np.ndarray:
    """The security print's fine interlaced curves (a pale rosette of sine waves) on a pale
    ground that shades from one tint to another."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    f1, f2 = rng.uniform(30, 46), rng.uniform(48, 70)
    phase = rng.uniform(0, 6.28)
    wave = np.sin(x / f1 + 3.0 * np.sin(y / f2 + phase)) * np.cos(y / (f1 * 0.7) - 2.0 *
                                                                  np.sin(x / (f2 * 1.3)))
    lines = (np.abs(wave) < 0.06).astype(np.float32) * rng.uniform(0.10, 0.2)
    shade = (x / w)[..., None] * np.array([-6, 2, 6], np.float32)[None, None, :]
    ground = np.array(base, np.float32)[None, None, :] + shade
    ground = ground * (1 - lines[..., None]) + np.array(tint, np.float32) * lines[..., None]
    return ground


def _portrait(rng: random.Random, size: Tuple[int, int]) -> Image.Image:
    """The holder's photo: a pale blue-grey ground, shoulders in a dark jacket, a face."""
    w, h = size
    img = Image.new("RGB", size, tuple(rng.randint(200, 226) for _ in range(2)) + (232,))
    d = ImageDraw.Draw(img)
    skin = rng.choice(((236, 200, 176), (214, 172, 140), (180, 132, 100), (150, 104, 76)))
    jacket = rng.choice(((30, 32, 40), (60, 60, 66), (240, 240, 236), (70, 40, 36)))
    d.ellipse((w * 0.05, h * 0.72, w * 0.95, h * 1.4), fill=jacket)
    d.rectangle((w * 0.4, h * 0.58, w * 0.6, h * 0.78), fill=skin)
    d.ellipse((w * 0.26, h * 0.18, w * 0.74, h * 0.68), fill=skin)
    hair = rng.choice(((20, 18, 16), (46, 36, 30), (90, 88, 86)))
    d.pieslice((w * 0.24, h * 0.1, w * 0.76, h * 0.6), 180, 360, fill=hair)
    for ex in (0.4, 0.6):
        d.ellipse((w * (ex - 0.03), h * 0.4, w * (ex + 0.03), h * 0.44), fill=(30, 26, 24))
    d.line((w * 0.44, h * 0.56, w * 0.56, h * 0.56), fill=(150, 80, 70), width=3)
    return img.filter(ImageFilter.GaussianBlur(1.2))


def _text(d: ImageDraw.ImageDraw, xy, text: str, face, fill, spacing: float = 0.0):
    """Draw `text` from its top-left (ink) at xy, `spacing` px between characters; its ink box."""
    x, y = xy
    boxes = []
    for ch in (text if spacing else [text]):
        left, top, right, bottom = d.textbbox((0, 0), ch, font=face)
        d.text((x - left, y - top), ch, font=face, fill=fill)
        boxes.append((x, y, x + right - left, y + bottom - top))
        x += right - left + spacing
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _wrapped(text: str, width: int, face) -> List[str]:
    lines, line = [], ""
    for ch in text:
        if line and face.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line]


def _rounded(card: Image.Image, radius: int = mm(3.2)) -> Image.Image:
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius, 255)
    out = card.convert("RGBA")
    out.putalpha(mask)
    return out


def draw_face(face: Dict[str, str], rng: random.Random, log: Drawn) -> Image.Image:
    """The card's face with `face`'s values; each value drawn is logged with its ink box."""
    ground = _guilloche(CARD_SIZE, rng, (214, 178, 196), (246, 243, 236))
    card = Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8))
    portrait = _portrait(rng, (mm(26), mm(32)))
    card.paste(portrait, (mm(56.5), mm(7.5)))
    d = ImageDraw.Draw(card)
    blue, ink = rng.choice(LABEL_BLUES), rng.choice(INKS)
    label = font(rng.choice(LABEL_FONTS), mm(2.6))
    spec = rng.choice(VALUE_FONTS)
    value = font(spec, mm(rng.uniform(2.9, 3.1)))
    small = font(spec, mm(2.7))
    left, col = mm(6.5), mm(17.5)
    rows = (mm(8.5), mm(14.5), mm(20.5), mm(26.5))
    _text(d, (left, rows[0]), "姓名", label, blue, mm(1.6))
    log.append((face["name"], _text(d, (col, rows[0] - mm(0.3)), face["name"], value, ink,
                                    mm(0.4) if len(face["name"]) <= 3 else 0)))
    _text(d, (left, rows[1]), "性别", label, blue, mm(1.6))
    log.append((face["sex"], _text(d, (col, rows[1] - mm(0.2)), face["sex"], value, ink)))
    _text(d, (mm(30), rows[1]), "民族", label, blue, mm(1.6))
    log.append((face["nationality"], _text(d, (mm(40.5), rows[1] - mm(0.2)),
                                           face["nationality"], value, ink)))
    _text(d, (left, rows[2]), "出生", label, blue, mm(1.6))
    birth = face["birth"]
    x = col
    for part, unit, gap in ((birth[:4], "年", 1.0), (str(int(birth[4:6])), "月", 1.0),
                            (str(int(birth[6:])), "日", 0)):
        box = _text(d, (x, rows[2] - mm(0.2)), part, small, ink)
        log.append((part, box))
        unit_box = _text(d, (box[2] + mm(0.8), rows[2]), unit, label, blue)
        x = unit_box[2] + mm(0.8 + gap) + (mm(1.5) if len(part) == 1 else 0)
    _text(d, (left, rows[3]), "住址", label, blue, mm(1.6))
    width = value.size * CHARS_PER_LINE + 2
    for i, line in enumerate(_wrapped(face["address"], width, value)[:3]):
        log.append((line, _text(d, (col, rows[3] - mm(0.2) + i * mm(4.6)), line, value, ink)))
    number_y = mm(rng.uniform(44.5, 46.5))
    _text(d, (left, number_y + mm(0.4)), "公民身份号码", label, blue, mm(0.5))
    number_font = font(rng.choice(NUMBER_FONTS), mm(rng.uniform(3.6, 4.0)))
    gap = mm(rng.uniform(0.2, 0.5))
    # the number ends before the card's right margin whatever the font's advance
    while gap > 0 and number_font.getlength(face["num"]) + 17 * gap > mm(52):
        gap -= 1
    log.append((face["num"], _text(d, (mm(29), number_y), face["num"], number_font, ink, gap)))
    return _rounded(card)


def _emblem(rng: random.Random, size: int) -> Image.Image:
    """The national emblem as a card prints it: a red disc, a gold rim, five gold stars over
    the gate's silhouette, a cogwheel below."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    red, gold = (206, 32, 38), (234, 190, 70)
    d.ellipse((0, 0, size - 1, size - 1), fill=gold)
    d.ellipse((size * 0.08, size * 0.08, size * 0.92, size * 0.92), fill=red)

    def star(cx, cy, r):
        points = [(cx + r * (1 if i % 2 == 0 else 0.4) * math.sin(i * math.pi / 5),
                   cy - r * (1 if i % 2 == 0 else 0.4) * math.cos(i * math.pi / 5))
                  for i in range(10)]
        d.polygon(points, fill=gold)

    star(size * 0.5, size * 0.3, size * 0.11)
    for dx, dy in ((-0.2, -0.08), (-0.13, -0.2), (0.13, -0.2), (0.2, -0.08)):
        star(size * (0.5 + dx), size * (0.3 - dy * 0.5), size * 0.04)
    d.rectangle((size * 0.3, size * 0.52, size * 0.7, size * 0.62), fill=gold)
    d.polygon(((size * 0.26, size * 0.52), (size * 0.5, size * 0.44), (size * 0.74, size * 0.52)),
              fill=gold)
    d.ellipse((size * 0.42, size * 0.7, size * 0.58, size * 0.86), outline=gold,
              width=max(2, size // 40))
    return img


def draw_back(back: Dict[str, str], rng: random.Random, log: Drawn) -> Image.Image:
    """The card's back: emblem, title, and the authority's lines and the validity (logged)."""
    ground = _guilloche(CARD_SIZE, rng, (160, 196, 214), (242, 244, 240))
    card = Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(card)
    # the Great Wall's ridge line, faint, across the lower half
    ridge = [(x, mm(30) + mm(3) * math.sin(x / mm(9) + rng.uniform(0, 1)) +
              mm(1.2) * math.sin(x / mm(2.6))) for x in range(0, CARD_SIZE[0], 6)]
    d.line(ridge, fill=(208, 214, 212), width=mm(0.5))
    emblem = _emblem(rng, mm(rng.uniform(17, 19)))
    card.paste(emblem, (mm(7), mm(5.5)), emblem)
    title = rng.choice(TITLE_FONTS)
    ink = rng.choice(INKS)
    _text(d, (mm(31), mm(8)), "中华人民共和国", font(title, mm(4.4)), ink, mm(1.2))
    _text(d, (mm(29), mm(17)), "居民身份证", font(title, mm(7.2)), ink, mm(2.4))
    label = font(rng.choice(LABEL_FONTS), mm(2.6))
    value = font(rng.choice(VALUE_FONTS), mm(rng.uniform(2.9, 3.1)))
    blue = rng.choice(LABEL_BLUES)
    left, col = mm(14), mm(30)
    _text(d, (left, mm(38.5)), "签发机关", label, blue, mm(0.3))
    lines = _wrapped(back["issue"], mm(82) - col, value)
    y = mm(38.3) if len(lines) == 1 else mm(36.4)
    for line in lines:
        log.append((line, _text(d, (col, y), line, value, ink)))
        y += mm(4.0)
    _text(d, (left, mm(46.5)), "有效期限", label, blue, mm(0.3))

    def dotted(day: str) -> str:
        return f"{day[:4]}.{day[4:6]}.{day[6:]}"

    end = back["end_date"] if back["end_date"] == "长期" else dotted(back["end_date"])
    validity = f"{dotted(back['start_date'])}-{end}"
    log.append((validity, _text(d, (col, mm(46.3)), validity, value, ink)))
    return _rounded(card)


def card_image(side: str, truth: Dict[str, str], rng: random.Random) -> Image.Image:
    return (draw_face if side == "face" else draw_back)(truth, rng, [])


# Stamps and watermarks ---------------------------------------------------------------------------

PURPOSES = ("办理居住证", "银行开卡", "租车", "报名考试", "快递实名", "房屋租赁", "申领社保卡")
OVERLAY_PHRASES = ("复印无效", "仅限{}使用", "仅供{}用 他用无效", "此复印件仅用于{}",
                   "与原件一致", "{}专用 再复印无效")
STAMP_INKS = ((200, 26, 36), (222, 48, 56), (180, 30, 60))


def overlay_phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))


def _ink_over(card: Image.Image, mask: Image.Image, colour, opacity: float) -> Image.Image:
    """Ink laid over the print: it darkens (multiplies) what is under it, as ink does."""
    base = np.asarray(card.convert("RGBA"), np.float32)
    a = np.asarray(mask, np.float32)[..., None] / 255.0 * opacity
    rgb = base[..., :3] * (1 - a) + base[..., :3] * (np.array(colour, np.float32) / 255.0) * a
    return Image.fromarray(np.dstack([np.clip(rgb, 0, 255), base[..., 3:]]).astype(np.uint8))


def stamp(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A company's round seal (a star, its name around the rim) or a rectangular
    "复印无效" chop, pressed unevenly somewhere on the card."""
    w, h = card.size
    mask = Image.new("L", card.size, 0)
    d = ImageDraw.Draw(mask)
    size = int(h * rng.uniform(0.36, 0.5))
    cx, cy = rng.uniform(0.25, 0.8) * w, rng.uniform(0.3, 0.7) * h
    face = font(TW_SUNG, size // 7)
    if rng.random() < 0.55:
        shape = "round"
        r = size / 2
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=max(3, size // 28))
        star = [(cx + r * 0.2 * (1 if i % 2 == 0 else 0.4) * math.sin(i * math.pi / 5),
                 cy - r * 0.2 * (1 if i % 2 == 0 else 0.4) * math.cos(i * math.pi / 5))
                for i in range(10)]
        d.polygon(star, fill=255)
        text = rng.choice(("某某物业服务有限公司", "城南社区居民委员会", "人力资源部专用章"))
        for i, ch in enumerate(text):
            angle = math.radians(-150 + 300 * i / max(1, len(text) - 1))
            x, y = cx + r * 0.72 * math.sin(angle), cy - r * 0.72 * math.cos(angle)
            d.text((x, y), ch, font=face, fill=255, anchor="mm")
        d.text((cx, cy + r * 0.45), overlay_phrase(rng)[:6], font=font(TW_SUNG, size // 9),
               fill=255, anchor="mm")
    else:
        shape = "box"
        text = overlay_phrase(rng)
        f = font(TW_SUNG, size // 4)
        tw = f.getlength(text)
        d.rectangle((cx - tw / 2 - size * 0.08, cy - size * 0.2, cx + tw / 2 + size * 0.08,
                     cy + size * 0.2), outline=255, width=max(3, size // 24))
        d.text((cx, cy), text, font=f, fill=255, anchor="mm")
    mask = mask.rotate(rng.uniform(-25, 25), center=(cx, cy))
    # a seal prints unevenly: ink thins where the pad pressed less
    grain = np.asarray(mask, np.float32) * (0.55 + 0.45 * np.random.default_rng(
        rng.randint(0, 2**31)).random((h, w), np.float32))
    out = _ink_over(card, Image.fromarray(grain.astype(np.uint8)), rng.choice(STAMP_INKS),
                    rng.uniform(0.85, 1.0))
    return out, f"{shape} red stamp"


def watermark(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phone app's watermark: the phrase tiled diagonally in a translucent colour, or once in
    a translucent band across the card."""
    w, h = card.size
    text = overlay_phrase(rng)
    how = rng.choice(("tiled", "band"))
    colour = rng.choice(((120, 120, 120), (60, 90, 200), (220, 60, 60)))
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    if how == "tiled":
        f = font(SANS_TC_MEDIUM, h // rng.randint(9, 13))
        step_x, step_y = int(f.getlength(text) + h * 0.25), int(h * 0.28)
        for row, y in enumerate(range(0, h * 2, step_y)):
            for x in range(-(row % 2) * step_x // 2, w * 2, step_x):
                d.text((x, y), text, font=f, fill=255)
        layer = layer.rotate(rng.uniform(20, 40), center=(w, h)).crop((w // 2, h // 2,
                                                                      w // 2 + w, h // 2 + h))
        out = _ink_over(card, layer, colour, rng.uniform(0.45, 0.6))
    else:
        f = font(SANS_TC_MEDIUM, h // 7)
        d.text((w, h), text, font=f, fill=255, anchor="mm")
        layer = layer.rotate(rng.uniform(-12, 12), center=(w, h)).crop((w // 2, h // 2,
                                                                       w // 2 + w, h // 2 + h))
        band = Image.new("L", card.size, 0)
        y = int(h * rng.uniform(0.35, 0.6))
        ImageDraw.Draw(band).rectangle((0, y - h // 9, w, y + h // 9), fill=110)
        lifted = np.asarray(card.convert("RGBA"), np.float32)
        a = np.asarray(band, np.float32)[..., None] / 255.0
        lifted[..., :3] = lifted[..., :3] * (1 - a) + 255 * a  # a white band lifts the print
        out = _ink_over(Image.fromarray(lifted.astype(np.uint8)),
                        layer.transform(card.size, Image.AFFINE,
                                        (1, 0, 0, 0, 1, (h // 2) - y)), colour, 0.7)
    return out, f"watermark {how} {colour == (120, 120, 120) and 'grey' or 'coloured'}"


# Photographing ----------------------------------------------------------------------------------

def _array(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"), np.float32)


def _image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _perspective_coefficients(dst, src) -> List[float]:
    """PIL's PERSPECTIVE coefficients mapping output points `dst` to input points `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, np.float64), np.array(rhs, np.float64)))


def place(scene: Image.Image, card: Image.Image, quad, shadow: float = 0.3) -> Image.Image:
    """Lay `card` (RGBA) onto `scene` with its corners TL, BL, BR, TR at `quad`, a soft contact
    shadow under it; only the quad's bounding box is resampled."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    pad = int(max(max(xs) - min(xs), max(ys) - min(ys)) * 0.03) + 4
    x0, y0 = int(math.floor(min(xs))) - pad, int(math.floor(min(ys))) - pad
    x1, y1 = int(math.ceil(max(xs))) + pad, int(math.ceil(max(ys))) + pad
    longest = max(math.dist(quad[0], quad[3]), math.dist(quad[1], quad[2]))
    if longest < card.width * 0.9:  # shrunk first with a proper filter: no aliased strokes
        card = card.resize((max(8, round(longest)), max(8, round(longest * card.height /
                                                                  card.width))), Image.BOX)
    w, h = card.size
    local = [(x - x0, y - y0) for x, y in quad]
    coeffs = _perspective_coefficients(local, [(0, 0), (0, h), (w, h), (w, 0)])
    patch = card.convert("RGBA").transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, coeffs,
                                           Image.BILINEAR)
    if shadow:
        alpha = patch.getchannel("A").filter(ImageFilter.GaussianBlur(pad / 2))
        dark = Image.new("RGB", patch.size, (0, 0, 0))
        offset = (x0 + pad // 3, y0 + pad // 2)
        scene.paste(dark, offset, alpha.point(lambda a: int(a * shadow)))
    scene.paste(patch, (x0, y0), patch)
    return scene


def card_quad(centre, width: float, angle: float, keystone: float = 0.0,
              aspect: float = 54 / 85.6):
    """The corners TL, BL, BR, TR of a card `width` px wide turned by `angle` degrees about
    `centre`; keystone > 0 shrinks the card's far (top) edge by that fraction."""
    cx, cy = centre
    hw, hh = width / 2, width * aspect / 2
    top = 1 - keystone
    corners = [(-hw * top, -hh), (-hw, hh), (hw, hh), (hw * top, -hh)]
    a = math.radians(angle)
    return [(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
            for x, y in corners]


SURFACES = ("tatami mat", "brushed steel counter", "slate", "kraft paper", "knitted blanket",
            "car dashboard", "white laminate desk", "newspaper under glass")


def surface(rng: random.Random, size: Tuple[int, int], name: Optional[str] = None
            ) -> Tuple[Image.Image, str]:
    """A surface the card lies on, drawn small and enlarged (its texture is coarse anyway)."""
    name = name or rng.choice(SURFACES)
    w, h = size
    scale = max(1, max(size) // 900)
    sw, sh = w // scale + 1, h // scale + 1
    gen = np.random.default_rng(rng.randint(0, 2**31))
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    grain = gen.standard_normal((sh, sw)).astype(np.float32)
    if name == "tatami mat":
        weave = np.sin(x * 1.4) * 0.5 + np.sin(y / 40.0) * 0.2
        base, amp = (196, 184, 130), 18 * weave[..., None] + 6 * grain[..., None]
    elif name == "brushed steel counter":
        streak = np.repeat(gen.standard_normal((sh, 1)).astype(np.float32), sw, 1)
        base, amp = (168, 170, 174), (10 * streak + 3 * grain)[..., None]
    elif name == "slate":
        blot = np.asarray(Image.fromarray(((grain + 3) * 40).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(6)), np.float32) - 120
        base, amp = (64, 68, 72), (0.4 * blot + 4 * grain)[..., None]
    elif name == "kraft paper":
        fibre = np.asarray(Image.fromarray(((grain + 3) * 40).astype(np.uint8)).filter(
            ImageFilter.BoxBlur(2)), np.float32) - 120
        base, amp = (176, 136, 92), (0.3 * fibre)[..., None]
    elif name == "knitted blanket":
        knit = np.abs(((x % 10) - 5) - np.abs((y % 12) - 6)) / 6.0
        colour = rng.choice(((150, 40, 48), (70, 96, 140), (200, 190, 170)))
        base, amp = colour, (26 * knit - 13 + 4 * grain)[..., None]
    elif name == "car dashboard":
        base, amp = (46, 46, 48), (5 * grain + 6 * np.sin(y / 90.0))[..., None]
    elif name == "newspaper under glass":
        column = ((x // 3) % 40 < 36) & ((y // 4) % 2 == 0) & (gen.random((sh, sw)) < 0.6)
        base, amp = (218, 214, 200), (-90 * column.astype(np.float32) + 3 * grain)[..., None]
        amp = amp + np.array([0, 4, 0], np.float32)  # the glass's green edge tint
    else:  # white laminate desk
        base, amp = (226, 226, 222), (3 * grain)[..., None]
    small = np.array(base, np.float32)[None, None, :] + amp
    return _image(small).resize((sw * scale, sh * scale), Image.BILINEAR).crop((0, 0, w, h)), name


def _gain(rng: random.Random, size: Tuple[int, int], low: float, high: float) -> np.ndarray:
    """A smooth brightness field (light falling off across the frame), small, then enlarged."""
    g = np.array([[rng.uniform(low, high) for _ in range(3)] for _ in range(3)], np.float32)
    field = Image.fromarray(g).resize(size, Image.BILINEAR)
    return np.asarray(field, np.float32)[..., None]


def light(scene: Image.Image, rng: random.Random, dim: float = 1.0,
          cast: Tuple[float, float, float] = (1.0, 1.0, 1.0)) -> Image.Image:
    """Light falling off across the frame, dimmed by `dim` and tinted by `cast` (PIL's
    multiply, in C: a 12 MP frame must stay quick)."""
    g = np.array([[rng.uniform(0.78, 1.0) * dim for _ in range(3)] for _ in range(3)],
                 np.float32)
    bands = [Image.fromarray(np.clip(g * c * 255, 0, 255).astype(np.uint8)).resize(
        scene.size, Image.BILINEAR) for c in cast]
    return ImageChops.multiply(scene.convert("RGB"), Image.merge("RGB", bands))


def sensor(img: Image.Image, rng: random.Random, amount: float = 1.0) -> Image.Image:
    """A phone's grain after demosaicing and denoising: luma noise in 2 x 2 clumps, stronger
    in a dark shot (`amount`)."""
    w, h = img.size
    gen = np.random.default_rng(rng.randint(0, 2**31))
    grain = gen.standard_normal(((h + 1) // 2, (w + 1) // 2), dtype=np.float32) * 3.0 * amount
    noise = Image.fromarray(np.clip(grain + 128, 0, 255).astype(np.uint8)).resize(
        (w, h), Image.NEAREST)
    return ImageChops.add(img.convert("RGB"), Image.merge("RGB", (noise,) * 3), 1.0, -128)


def encode(img: Image.Image, rng: random.Random, quality: Optional[int] = None,
           subsampling: int = 2, exif: Optional[bytes] = None) -> bytes:
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    img.convert("RGB").save(out, "JPEG", quality=quality or rng.randint(78, 93),
                            subsampling=subsampling, **kwargs)
    return out.getvalue()


def _soft_disc(size: Tuple[int, int], centre, radius: float, blur: float) -> np.ndarray:
    mask = Image.new("L", size, 0)
    cx, cy = centre
    ImageDraw.Draw(mask).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255)
    return np.asarray(mask.filter(ImageFilter.GaussianBlur(blur)), np.float32)[..., None] / 255


# What a hard photo adds: on the card before it is laid down, or on the scene after.

def _sleeve(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A plastic card sleeve gone yellow, scratched, a little wider than the card."""
    m = mm(2.5)
    sleeve = Image.new("RGBA", (card.width + 2 * m, card.height + 2 * m), (236, 232, 206, 70))
    sleeve.paste(card, (m, m), card)
    a = np.asarray(sleeve, np.float32)
    a[..., :3] = a[..., :3] * np.array((1.0, 0.97, 0.84), np.float32) * 0.88 + 24
    out = Image.fromarray(a.astype(np.uint8))
    d = ImageDraw.Draw(out)
    for _ in range(rng.randint(25, 60)):
        x, y = rng.uniform(0, out.width), rng.uniform(0, out.height)
        ang, length = rng.uniform(0, math.pi), rng.uniform(20, 160)
        d.line((x, y, x + length * math.cos(ang), y + length * math.sin(ang)),
               fill=(255, 255, 250, 110), width=1)
    return out, "scratched yellowed sleeve"


def _peeling(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """Laminate lifting off a corner: a milky film with a bright fold line at its border."""
    w, h = card.size
    cx, cy = rng.choice(((0, 0), (w, 0), (0, h), (w, h)))
    r = rng.uniform(0.22, 0.34) * w
    a = np.asarray(card, np.float32)
    film = _soft_disc((w, h), (cx, cy), r, 6)
    a[..., :3] = a[..., :3] * (1 - 0.3 * film) + 236 * 0.3 * film
    out = Image.fromarray(a.astype(np.uint8))
    ImageDraw.Draw(out).arc((cx - r, cy - r, cx + r, cy + r), 0, 360, fill=(255, 255, 255, 255),
                            width=3)
    return out, "peeling laminate"


def _scratches(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """Fine scratches on an old card's laminate, catching the light."""
    out = card.copy()
    d = ImageDraw.Draw(out)
    for _ in range(rng.randint(30, 70)):
        x, y = rng.uniform(0, card.width), rng.uniform(0, card.height)
        r = rng.uniform(40, 400)
        start = rng.uniform(0, 360)
        d.arc((x - r, y - r, x + r, y + r), start, start + rng.uniform(5, 25),
              fill=(250, 250, 250, 255), width=1)
    return out, "laminate scratches"


def _smudge(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A fingerprint's grease on the laminate: whorls that scatter light, lifting the print."""
    w, h = card.size
    cx, cy = rng.uniform(0.15, 0.55) * w, rng.uniform(0.2, 0.8) * h
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rx, ry = w * rng.uniform(0.08, 0.12), h * rng.uniform(0.16, 0.22)
    dist = np.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)
    ridges = (0.5 + 0.5 * np.sin(dist * 40)) * np.clip(1.2 - dist, 0, 1)
    a = np.asarray(card, np.float32)
    k = (0.35 * ridges)[..., None]
    a[..., :3] = a[..., :3] * (1 - k) + 200 * k
    return Image.fromarray(a.astype(np.uint8)), "fingerprint smudge"


CARD_EFFECTS = {"sleeve": _sleeve, "peeling": _peeling, "scratches": _scratches,
                "smudge": _smudge}


def _glass_table(scene, quad, rng):
    a = _array(scene) * np.array((0.93, 1.0, 0.95), np.float32)
    w, h = scene.size
    lamp = _soft_disc(scene.size, (rng.uniform(0.2, 0.8) * w, rng.uniform(0.1, 0.9) * h),
                      rng.uniform(0.05, 0.12) * w, 0.04 * w)
    a = a * (1 - 0.5 * lamp) + 255 * 0.5 * lamp
    return _image(a + 10), "under a glass table top"


def _counter_window(scene, quad, rng):
    """Two panes of glass: a faint second image a few pixels off, and the hall's light."""
    dx, dy = (int(scene.width * rng.uniform(0.004, 0.012)) * rng.choice((-1, 1)),
              int(scene.width * rng.uniform(0.002, 0.008)))
    out = Image.blend(scene, ImageChops.offset(scene, dx, dy), 0.15)
    hall = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(scene.size)
    hall = Image.merge("RGB", [hall.point(lambda v, k=k: int(v * k)) for k in (0.3, 0.33, 0.36)])
    return ImageChops.screen(out, hall), "bank counter window ghost"


def _sepia(scene, quad, rng):
    a = _array(scene)
    m = np.array(((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131)),
                 np.float32)
    return _image(a @ m.T * rng.uniform(0.85, 0.95)), "sepia filter"


def _bokeh_vignette(scene, quad, rng):
    """A wide-open lens: background highlights as discs, cut into cat's eyes towards the
    corners (the lens barrel clips them), and dark corners."""
    w, h = scene.size
    layer = Image.new("L", scene.size, 0)
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    for _ in range(rng.randint(10, 24)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        if min(xs) - 40 < x < max(xs) + 40 and min(ys) - 40 < y < max(ys) + 40:
            continue
        r = rng.uniform(0.015, 0.04) * w
        ox, oy = (x - w / 2) / w * r * 1.2, (y - h / 2) / h * r * 1.2
        side = int(2 * r + 2 * max(abs(ox), abs(oy)) + 4)
        disc, cut = Image.new("L", (side, side), 0), Image.new("L", (side, side), 0)
        c = side / 2
        ImageDraw.Draw(disc).ellipse((c - r, c - r, c + r, c + r), fill=rng.randint(60, 140))
        ImageDraw.Draw(cut).ellipse((c - r + ox, c - r + oy, c + r + ox, c + r + oy), fill=255)
        box = (int(x - c), int(y - c))
        under = layer.crop((box[0], box[1], box[0] + side, box[1] + side))
        layer.paste(ImageChops.lighter(under, ImageChops.darker(disc, cut)), box)
    glow = np.asarray(layer.filter(ImageFilter.GaussianBlur(2)), np.float32)[..., None] / 255
    a = _array(scene) * (1 - glow) + np.array((255, 226, 170), np.float32) * glow
    y, x = np.mgrid[0:h:8, 0:w:8].astype(np.float32)
    r2 = ((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2
    vignette = Image.fromarray((np.clip(1 - 0.45 * r2, 0.2, 1) * 255).astype(np.uint8)).resize(
        scene.size, Image.BILINEAR)
    return _image(a * np.asarray(vignette, np.float32)[..., None] / 255), \
        "vignette and cat-eye bokeh"


def _windscreen(scene, quad, rng):
    """A card on a dashboard: the windscreen reflects the sky and the dash's vents over it."""
    w, h = scene.size
    band = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(band)
    x = rng.uniform(0, w)
    slope = rng.uniform(-0.6, 0.6) * h
    d.polygon(((x, 0), (x + 0.3 * w, 0), (x + 0.3 * w + slope, h), (x + slope, h)), fill=120)
    for i in range(rng.randint(3, 6)):
        yy = rng.uniform(0, h)
        d.line((0, yy, w, yy + rng.uniform(-0.1, 0.1) * h), fill=70, width=max(3, h // 90))
    k = np.asarray(band.filter(ImageFilter.GaussianBlur(w / 60)), np.float32)[..., None] / 255
    a = _array(scene) * (1 - 0.6 * k) + np.array((210, 225, 240), np.float32) * 0.6 * k
    return _image(a), "windscreen reflection"


def _flare(scene, quad, rng):
    """A bright light just outside the frame: ghosts of the aperture along the line through
    the lens's centre."""
    w, h = scene.size
    sx, sy = rng.choice(((0, 0), (w, 0), (0, h), (w, h)))
    layer = np.zeros((h, w, 3), np.float32)
    for i in range(rng.randint(4, 7)):
        t = rng.uniform(0.3, 1.7)
        cx, cy = sx + (w / 2 - sx) * t, sy + (h / 2 - sy) * t
        r = rng.uniform(0.02, 0.07) * w
        hexagon = Image.new("L", scene.size, 0)
        ImageDraw.Draw(hexagon).regular_polygon((cx, cy, r), 6, rotation=rng.uniform(0, 60),
                                                fill=rng.randint(30, 70))
        colour = np.array(rng.choice(((120, 255, 160), (255, 150, 90), (140, 170, 255))),
                          np.float32) / 255
        layer += np.asarray(hexagon, np.float32)[..., None] * colour
    return _image(_array(scene) + layer), "lens flare ghosts"


def _droplets(scene, quad, rng):
    """Water drops on the card, each a small lens: what is under it enlarged, a bright glint,
    a dark rim."""
    a = _array(scene)
    (tlx, tly), _, (brx, bry), _ = quad
    width = math.dist(quad[0], quad[3])
    xs, ys = sorted((tlx, brx)), sorted((tly, bry))
    for _ in range(rng.randint(3, 6)):
        r = int(width * rng.uniform(0.015, 0.04))
        cx, cy = int(rng.uniform(*xs)), int(rng.uniform(*ys))
        x0, y0 = max(0, cx - r), max(0, cy - r)
        x1, y1 = min(scene.width, cx + r), min(scene.height, cy + r)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        patch = a[y0:y1, x0:x1]
        my, mx = (y1 - y0) // 5, (x1 - x0) // 5  # the middle of the patch, enlarged
        inner = patch[my:-my or None, mx:-mx or None]
        zoom = np.asarray(_image(inner).resize((x1 - x0, y1 - y0), Image.BILINEAR), np.float32)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / max(r, 1)
        inside = (dist < 1)[..., None]
        rim = ((dist > 0.8) & (dist < 1))[..., None]
        lens = zoom * 1.05
        lens = np.where(rim, lens * 0.55, lens)
        glint = (np.sqrt((xx - cx + r * 0.35) ** 2 + (yy - cy + r * 0.35) ** 2) < r * 0.18)
        lens = np.where(glint[..., None], 255.0, lens)
        a[y0:y1, x0:x1] = np.where(inside, lens, patch)
    return _image(a), "water droplets"


def _glare(scene, quad, rng):
    (tlx, tly), _, (brx, bry), _ = quad
    centre = (rng.uniform(min(tlx, brx), max(tlx, brx)), rng.uniform(min(tly, bry), max(tly, bry)))
    width = math.dist(quad[0], quad[3])
    disc = _soft_disc(scene.size, centre, width * rng.uniform(0.04, 0.09), width * 0.03)
    return _image(_array(scene) * (1 - disc) + 255 * disc), "flash glare"


def _hand_shadow(scene, quad, rng):
    w, h = scene.size
    mask = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(mask)
    x, y = rng.uniform(0.2, 0.8) * w, rng.choice((0, h))
    d.ellipse((x - 0.25 * w, y - 0.3 * h, x + 0.25 * w, y + 0.3 * h), fill=150)
    k = np.asarray(mask.filter(ImageFilter.GaussianBlur(w / 30)), np.float32)[..., None] / 255
    return _image(_array(scene) * (1 - 0.6 * k)), "hand shadow"


SCENE_EFFECTS = {"glass table": _glass_table, "counter window": _counter_window,
                 "sepia": _sepia, "bokeh": _bokeh_vignette, "windscreen": _windscreen,
                 "flare": _flare, "droplets": _droplets}
# Each hard photo's chief phenomenon, in turn by seed; the rest are added by chance.
HARD_EFFECTS = tuple(CARD_EFFECTS) + tuple(SCENE_EFFECTS) + (
    "tight crop", "steep angle", "jagged resize", "exif turned", "recompressed")
TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}


def _frame_around(rng: random.Random, quad, least: int = 1280) -> Tuple[Tuple[int, int], list]:
    """A phone's frame (4:3 or 16:9, either way up, up to 4000 px) holding `quad` with room
    around it; the quad moved to a random place inside."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    bw, bh = max(xs) - min(xs), max(ys) - min(ys)
    ratio = rng.choice((4 / 3, 4 / 3, 16 / 9))
    fill = rng.uniform(0.4, 0.75)
    long_side = min(4000, max(least, max(bw, bh) / fill, bw * 1.1 * ratio, bh * 1.1 * ratio))
    size = (int(long_side), int(long_side / ratio))
    if rng.random() < 0.3:
        size = size[::-1]
    if size[0] < bw * 1.05 or size[1] < bh * 1.05:
        size = size[::-1]
    dx = rng.uniform(0.02 * size[0] - min(xs), 0.98 * size[0] - max(xs))
    dy = rng.uniform(0.02 * size[1] - min(ys), 0.98 * size[1] - max(ys))
    return size, [(x + dx, y + dy) for x, y in quad]


def _blur(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    if rng.random() < 0.5:
        return scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.8))), "soft focus"
    length = rng.randint(3, 5)  # a hand's shake during the exposure, along one direction
    kernel = [0.0] * 25
    horizontal = rng.random() < 0.5
    for i in range(length):
        step = i - length // 2
        kernel[10 + 2 + step if horizontal else (2 + step) * 5 + 2] = 1.0
    return scene.filter(ImageFilter.Kernel((5, 5), kernel, scale=sum(kernel))), \
        "motion blur " + ("sideways" if horizontal else "upwards")


def _photo(card: Image.Image, side: str, rng: random.Random, kind: str,
           seed: int) -> Tuple[bytes, str]:
    notes: List[str] = []
    hard = kind == "hard"
    chief = HARD_EFFECTS[seed % len(HARD_EFFECTS)] if hard else ""
    if hard:
        if rng.random() < 0.35:
            card, what = stamp(card, rng)
            notes.append(what)
        if rng.random() < 0.25:
            card, what = watermark(card, rng)
            notes.append(what)
    if chief in CARD_EFFECTS:
        card, what = CARD_EFFECTS[chief](card, rng)
        notes.append(what)
    shrink = {"jagged resize": rng.uniform(0.55, 0.8)}.get(chief, 1.0)
    final_width = rng.randint(448, 900 if chief == "jagged resize" else 1300)
    width = final_width / shrink
    # every chief phenomenon meets every turn over 4 x len(HARD_EFFECTS) seeds
    turn = tuple(TURNS)[(seed + seed // len(HARD_EFFECTS)) % 4] if hard else 0
    skew = rng.uniform(-20, 20) if hard else rng.uniform(-3, 3)
    keystone = rng.uniform(0.3, 0.42) if chief == "steep angle" else \
        rng.uniform(0, 0.12) if hard else rng.uniform(0, 0.04)
    aspect = 54 / 85.6 * (rng.uniform(0.62, 0.8) if chief == "steep angle" else 1.0)
    # the card's width counts from its wider (near) edge; a sleeve adds its margin
    quad = card_quad((0, 0), width * card.width / CARD_SIZE[0], turn + skew, keystone,
                     aspect * card.height / card.width * CARD_SIZE[0] / CARD_SIZE[1])
    if chief == "recompressed":
        longest = rng.choice((1280, 1600, 1920))
        size, quad = _frame_around(rng, quad)
        if max(size) > longest:  # the chat app's shrink must leave the card 448 px wide
            quad = [(x * longest / max(size), y * longest / max(size)) for x, y in quad]
            quad = card_quad((0, 0), max(448, width * longest / max(size)) *
                             card.width / CARD_SIZE[0], turn + skew, keystone,
                             aspect * card.height / card.width * CARD_SIZE[0] / CARD_SIZE[1])
            size, quad = _frame_around(rng, quad, least=min(longest, 1280))
        notes.append(f"recompressed to {max(size)} px")
    else:
        size, quad = _frame_around(rng, quad)
    scene, where = surface(rng, size, "car dashboard" if chief == "windscreen" else
                           "newspaper under glass" if chief == "glass table" else None)
    notes.append("on " + where)
    scene = place(scene, card, quad, shadow=rng.uniform(0.15, 0.4))
    dim = rng.uniform(0.35, 0.6) if hard and rng.random() < 0.2 else rng.uniform(0.85, 1.05)
    if dim < 0.7:
        notes.append("dark")
    cast = rng.choice(((1.0, 1.0, 1.0), (1.06, 1.0, 0.9), (0.94, 1.0, 1.06)))
    scene = light(scene, rng, dim, cast)
    if chief == "steep angle":
        notes.append("steep angle")
    if chief in SCENE_EFFECTS:
        scene, what = SCENE_EFFECTS[chief](scene, quad, rng)
        notes.append(what)
    if hard and rng.random() < 0.2:
        scene, what = _glare(scene, quad, rng)
        notes.append(what)
    if hard and rng.random() < 0.15:
        scene, what = _hand_shadow(scene, quad, rng)
        notes.append(what)
    if hard and rng.random() < 0.25 or rng.random() < 0.1:
        scene, what = _blur(scene, rng)
        notes.append(what)
    scene = sensor(scene, rng, 2.5 if dim < 0.7 else 1.0)
    scale = 1.0
    if chief == "jagged resize":  # an old app's shrink without filtering: jagged strokes
        scene = scene.resize((int(scene.width * shrink), int(scene.height * shrink)),
                             Image.NEAREST)
        scale = shrink
        notes.append("jagged resize")
    if chief == "tight crop":  # the user cropped to the card, an edge's sliver left
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        m = math.dist(quad[0], quad[3]) * rng.uniform(0.01, 0.05)
        box = (max(0, int(min(xs) - m)), max(0, int(min(ys) - m)),
               min(scene.width, int(max(xs) + m)), min(scene.height, int(max(ys) + m)))
        scene = scene.crop(box)
        notes.append("tight crop")
    exif = None
    if chief == "exif turned":  # the phone stores the sensor's pixels and a tag to turn them
        scene = scene.transpose(Image.ROTATE_90)
        tags = Image.Exif()
        tags[0x0112] = 6  # shown turned back 90 degrees clockwise by a viewer that reads it
        exif = tags.tobytes()
        notes.append("exif turned: pixels 90 more, orientation 6")
    subsampling = rng.choice((0, 2)) if hard else 2
    if subsampling == 0:
        notes.append("4:4:4 chroma")
    quality = rng.randint(58, 75) if chief == "recompressed" else None
    data = encode(scene, rng, quality, subsampling, exif)
    card_px = round(math.dist(quad[1], quad[2]) * scale * CARD_SIZE[0] / card.width)
    turned = TURNS[turn] if abs(skew) < 45 else TURNS[(turn + 90 * round(skew / 90)) % 360]
    head = [side, f"card {card_px} px", turned, f"skew {round(skew)}",
            f"frame {scene.width}x{scene.height}"]
    return data, ", ".join(head + notes)


# Sheets -----------------------------------------------------------------------------------------

SHEET_DPI = (150, 200, 240, 300)
SHEET_OUTPUTS = ("document feeder scan", "PDF rasterised", "photo on a clipboard",
                 "inkjet colour copy")


def copy_of(card: Image.Image, rng: random.Random, colour: bool, density: float) -> Image.Image:
    """A copier's rendering of the card: pale grounds drop to paper white, print darkens by
    `density`; colour copies keep a washed-out colour. Keeps the card's alpha."""
    a = np.asarray(card.convert("RGBA"), np.float32)
    rgb = a[..., :3]
    lo, hi = rng.uniform(30, 60) / density, rng.uniform(200, 228)
    if colour:
        out = np.clip((rgb - lo) / (hi - lo), 0, 1) * 255
        grey = out.mean(-1, keepdims=True)
        out = grey + (out - grey) * rng.uniform(0.5, 0.8)
    else:
        luma = rgb @ np.array((0.299, 0.587, 0.114), np.float32)
        out = np.repeat((np.clip((luma - lo) / (hi - lo), 0, 1) ** density * 255)[..., None],
                        3, -1)
    gen = np.random.default_rng(rng.randint(0, 2**31))
    speck = gen.random(out.shape[:2]) < 0.0004  # stray toner
    out[speck] = 60
    return Image.fromarray(np.dstack([np.clip(out, 0, 255), a[..., 3:]]).astype(np.uint8))


def _sheet(face_card: Image.Image, back_card: Image.Image, rng: random.Random
           ) -> Tuple[Image.Image, str]:
    output = rng.choice(SHEET_OUTPUTS)
    dpi = 150 if output == "PDF rasterised" else rng.choice(SHEET_DPI)
    page_size = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
    paper = rng.choice(((250, 250, 248), (244, 243, 236), (238, 240, 244)))
    page = Image.new("RGB", page_size, paper)
    card_w = 85.6 / 25.4 * dpi
    colour = output == "inkjet colour copy" or rng.random() < 0.2
    notes = [f"A4 at {dpi} dpi", output, "colour" if colour else "black and white"]
    for i, (side, card) in enumerate((("face", face_card), ("back", back_card))):
        if rng.random() < 0.3:
            card, what = (stamp if rng.random() < 0.5 else watermark)(card, rng)
            notes.append(f"{side} {what}")
        density = rng.uniform(0.8, 1.5)  # each side copied darker or lighter than the other
        copy = copy_of(card, rng, colour, density)
        turn = rng.choices((0, 180, 90), weights=(6, 2, 1))[0]
        skew = rng.uniform(-4, 4)
        centre = (page_size[0] * rng.uniform(0.45, 0.55), page_size[1] * (0.28 + 0.44 * i))
        page = place(page, copy, card_quad(centre, card_w, turn + skew), shadow=0.12)
        notes.append(f"{side} {TURNS[turn]} skew {round(skew)} density {density:.2f}")
    gen = np.random.default_rng(rng.randint(0, 2**31))
    if output == "document feeder scan":
        a = _array(page)
        for _ in range(rng.randint(1, 3)):  # dust on the feeder's glass: a line down the page
            x = rng.randrange(page.width)
            a[:, x:x + rng.randint(1, 3)] *= rng.uniform(0.6, 0.85)
        page = _image(a).rotate(rng.uniform(-1.5, 1.5), Image.BICUBIC, expand=True,
                                fillcolor=(255, 255, 255))
        page = page.resize((page.width, int(page.height * rng.uniform(1.0, 1.02))),
                           Image.BILINEAR)
    elif output == "PDF rasterised":
        framed = Image.new("RGB", (page.width + 120, page.height + 120), (82, 86, 89))
        framed.paste(page, (60, 60))
        page = framed
    elif output == "inkjet colour copy":
        a = _array(page) * np.array((0.96, 1.0, 1.02), np.float32)
        for y in range(0, page.height, rng.randint(40, 90)):  # the head's pass bands
            a[y:y + 2] *= 0.93
        page = _image(a)
    else:  # photographed on a clipboard
        frame = rng.choice(((2250, 3000), (2448, 3264)))
        board, _ = surface(rng, frame, "kraft paper")
        d = ImageDraw.Draw(board)
        d.rectangle((0, 0, frame[0], frame[1]), fill=(150, 108, 60))
        scale_w = frame[0] * rng.uniform(0.78, 0.9)
        h = scale_w * page.height / page.width
        cx, cy = frame[0] / 2 + rng.uniform(-60, 60), frame[1] / 2 + rng.uniform(0, 80)
        quad = card_quad((cx, cy), scale_w, rng.uniform(-4, 4), rng.uniform(0.02, 0.08),
                         h / scale_w)
        # shrunk first: resampling the whole 300 dpi page into the frame would be slow
        small = page.resize((int(scale_w), int(h)), Image.BILINEAR).convert("RGBA")
        page = place(board, small, quad, shadow=0.3)
        d = ImageDraw.Draw(page)
        clip = frame[0] * 0.14
        d.rounded_rectangle((cx - clip, quad[0][1] - clip * 0.3, cx + clip, quad[0][1] + clip *
                             0.26), clip * 0.1, fill=(170, 172, 178), outline=(90, 92, 96),
                            width=6)
        page = light(page, rng, rng.uniform(0.8, 1.05))
        page = sensor(page, rng)
        notes.append(f"page {round(scale_w)} px wide")
        return page, ", ".join(notes)
    noise = gen.standard_normal((page.height, page.width)).astype(np.float32) * 2.0
    page = _image(_array(page) + noise[..., None])
    return page, ", ".join(notes)


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    rng = random.Random(f"nomad/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        face = card_image("face", person["face"], rng)
        back = card_image("back", person["back"], rng)
        img, detail = _sheet(face, back, rng)
        return Photo(kind, encode(img, rng, rng.randint(80, 92)), person, detail)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    card = card_image(side, person[side], rng)
    data, detail = _photo(card, side, rng, kind, seed)
    return Photo(kind, data, {side: person[side]}, detail)
