"""The thirteenth hold-out rendering of the resident ID card, `vagabond` (drawn 2026-12-07).

Written without reading the engine, the KYC rules, the cascade or the other generators' drawing
code, from public descriptions of the card: GB 19584-2004's card (85.6 x 54 mm, 3.18 mm
corners; on the face blue labels left of the values, the address at 11 characters a line, the
number on its own row at the bottom, the 26 x 32 mm portrait on the right; on the back the red
emblem top left, 中华人民共和国 / 居民身份证 beside it, 签发机关 and 有效期限 below), the resident
ID card law (5 years under 16, 10 to 25, 20 to 45, 长期 from 46, issued by the county-level
police where the holder lives, a city district's 分局), GB 11643's check character and
GB/T 2260's districts (each checked against the region codes the checks use).

Drawn at 13 px a millimetre (1,113 x 702 px), in fonts no other set uses: the values in Noto
Sans CJK HK Bold or Light (index 4 of the collections: every simplified character, a few in
Hong Kong shapes) or Smiley Sans (得意黑, a condensed oblique Hei), the labels in Noto Serif CJK
HK Bold or Smiley Sans, the titles in Noto Serif CJK KR Black or Smiley Sans, the number in
Ricty Diminished, TlwgMono Bold or STIX's proportional serif digits.

Its photos are what an 8 MP phone (3280 x 2464, 4:3) sends after the app scaled it: plain
photos of an upright card 500-1,300 px wide on a desk; hard photos carrying one phenomenon each
in turn by seed (HARD_EFFECTS), with quarter turns, skew up to 15 degrees, either chroma
subsampling, and by chance a red seal or a watermark in its own wording; A4 sheets of one
holder's two sides, each side turned and darkened on its own, with one copier's or scanner's
phenomenon each in turn by seed (SHEET_EFFECTS).

`shoot(kind, seed)` gives a realistic.Photo (JPEG bytes, the truth per side, a detail line).
Everything follows from the seed.
"""

import io
import math
import random
from datetime import date, timedelta
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from tests.fakes.realistic import Photo
from tests.fakes.typefaces import covers, face as font_at, installed  # noqa: F401 (covers:
# the conftest's font checks ask the rendering)

KINDS = ("plain_face", "plain_back", "hard", "sheet")
TODAY = date(2026, 12, 7)  # every holder's card is still valid on this day
PX_MM = 13
CHARS_PER_LINE = 11


def mm(value: float) -> int:
    """`value` millimetres of the card in this rendering's pixels."""
    return int(round(value * PX_MM))


CARD_SIZE = (mm(85.6), mm(54))
CORNER = mm(3.18)
PHONE = (3280, 2464)  # the 8 MP phone whose photos these are, before the app scales them

# Fonts: (path, face index). ------------------------------------------------------------------
_NOTO = "/usr/share/fonts/opentype/noto/"
SMILEY = ("/usr/share/fonts/truetype/smiley-sans/SmileySans-Oblique.ttf", 0)
VALUE_FONTS = ((_NOTO + "NotoSansCJK-Bold.ttc", 4), (_NOTO + "NotoSansCJK-Light.ttc", 4), SMILEY)
LABEL_FONTS = ((_NOTO + "NotoSerifCJK-Bold.ttc", 4), SMILEY)
TITLE_FONTS = ((_NOTO + "NotoSerifCJK-Black.ttc", 1), SMILEY)
NUMBER_FONTS = (("/usr/share/fonts/truetype/tlwg/TlwgMono-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/ricty-diminished/RictyDiminished-Regular.ttf", 0),
                ("/usr/share/fonts/opentype/stix/STIXGeneral-Regular.otf", 0))
ALL_FONTS = tuple(dict.fromkeys(VALUE_FONTS + LABEL_FONTS + TITLE_FONTS + NUMBER_FONTS))
PACKAGES = "fonts-noto-cjk-extra fonts-smiley-sans fonts-ricty-diminished fonts-tlwg-mono-ttf " \
           "fonts-stix"


def available() -> bool:
    return installed(ALL_FONTS)


# The data real cards carry. ------------------------------------------------------------------
NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
            "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
            "毛郝龚邵万钱严覃武戴莫孔向汤")
RARE_SURNAMES = "乜芈逯郗璩郏嵇冼邴阚綦蹇隽酆谯缑鄢殳"
COMPOUND_SURNAMES = ("上官", "诸葛", "皇甫", "夏侯", "慕容", "令狐", "宇文", "呼延", "端木",
                     "东方", "公孙", "第五", "左丘", "闻人", "轩辕")
GIVEN_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞建国红梅志文斌宇浩凯鑫鹏辉佳"
               "欣怡晨阳雪琳婷子涵梓萱博轩雨彤思源宏波海燕春晓亮")
RARE_GIVEN_CHARS = "婧昀翊炜曦昕琰瑾晗璐溱毓煜霈晟熠骅昱蕤苒菁"
# Names of the Turkic, Tajik and Russian nationalities: their parts joined by the middle dot.
DOTTED_PARTS = {
    "维吾尔": ["艾尔肯", "买买提", "阿不都", "热合曼", "古丽娜尔", "迪丽拜尔", "努尔", "吐尔逊",
            "依明", "帕提古丽", "阿依努尔", "麦麦提敏"],
    "哈萨克": ["叶尔兰", "努尔兰", "阿依达娜", "加那尔", "别克", "哈布德克", "木拉提", "赛力克"],
    "柯尔克孜": ["托合提", "玛纳斯", "阿斯力别克", "古丽巴哈尔"],
    "塔吉克": ["阿米尔", "古力米热", "祖力皮卡尔", "热依拉"],
    "乌孜别克": ["乌斯曼", "法蒂玛", "阿力木", "萨比尔"],
    "塔塔尔": ["卡米尔", "热依汗", "沙比提"],
    "俄罗斯": ["伊万", "安娜", "彼得罗夫", "娜塔莎", "瓦西里耶娃", "谢尔盖"],
}
# Names written whole, without a surname.
GIVEN_WHOLE = {
    "藏": ["次仁卓玛", "扎西顿珠", "格桑", "央金拉姆", "索朗旺堆", "尼玛次仁", "白玛"],
    "蒙古": ["巴特尔", "其其格", "乌日娜", "斯琴高娃", "额尔敦", "阿拉坦仓", "苏日娜"],
    "门巴": ["达瓦", "巴桑次仁"],
    "珞巴": ["亚依", "达娘"],
    "彝": ["阿呷", "吉克阿依", "沙马拉毅"],
    "鄂温克": ["涂格敦", "娜日斯"],
}
# GB/T 2260 districts: (code, the address's start down to the district, the authority).
PLACES = (
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("440106", "广东省广州市天河区", "广州市公安局天河区分局"),
    ("320106", "江苏省南京市鼓楼区", "南京市公安局鼓楼分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌区分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("500112", "重庆市渝北区", "重庆市公安局渝北区分局"),
    ("210102", "辽宁省沈阳市和平区", "沈阳市公安局和平分局"),
    ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨市公安局南岗分局"),
    ("650105", "新疆维吾尔自治区乌鲁木齐市水磨沟区", "乌鲁木齐市公安局水磨沟区分局"),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特市公安局新城区分局"),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局"),
    ("450103", "广西壮族自治区南宁市青秀区", "南宁市公安局青秀分局"),
    ("460108", "海南省海口市美兰区", "海口市公安局美兰分局"),
    ("370212", "山东省青岛市崂山区", "青岛市公安局崂山分局"),
    ("350203", "福建省厦门市思明区", "厦门市公安局思明分局"),
    ("530102", "云南省昆明市五华区", "昆明市公安局五华分局"),
    ("630104", "青海省西宁市城西区", "西宁市公安局城西区分局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关区分局"),
    ("620102", "甘肃省兰州市城关区", "兰州市公安局城关分局"),
    ("522633", "贵州省黔东南苗族侗族自治州从江县", "从江县公安局"),
    ("433130", "湖南省湘西土家族苗族自治州龙山县", "龙山县公安局"),
    ("532823", "云南省西双版纳傣族自治州勐腊县", "勐腊县公安局"),
    ("513431", "四川省凉山彝族自治州昭觉县", "昭觉县公安局"),
    ("652327", "新疆维吾尔自治区昌吉回族自治州吉木萨尔县", "吉木萨尔县公安局"),
    ("632223", "青海省海北藏族自治州海晏县", "海晏县公安局"),
    ("341024", "安徽省黄山市祁门县", "祁门县公安局"),
    ("141126", "山西省吕梁市石楼县", "石楼县公安局"),
    ("451031", "广西壮族自治区百色市隆林各族自治县", "隆林各族自治县公安局"),
    ("623027", "甘肃省甘南藏族自治州夏河县", "夏河县公安局"),
    ("533325", "云南省怒江傈僳族自治州兰坪白族普米族自治县", "兰坪白族普米族自治县公安局"),
    ("630222", "青海省海东市民和回族土族自治县", "民和回族土族自治县公安局"),
    ("422828", "湖北省恩施土家族苗族自治州鹤峰县", "鹤峰县公安局"),
    ("520526", "贵州省毕节市威宁彝族回族苗族自治县", "威宁彝族回族苗族自治县公安局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("150725", "内蒙古自治区呼伦贝尔市陈巴尔虎旗", "陈巴尔虎旗公安局"),
    ("152527", "内蒙古自治区锡林郭勒盟太仆寺旗", "太仆寺旗公安局"),
    ("150727", "内蒙古自治区呼伦贝尔市新巴尔虎右旗", "新巴尔虎右旗公安局"),
    ("150626", "内蒙古自治区鄂尔多斯市乌审旗", "乌审旗公安局"),
    ("150524", "内蒙古自治区通辽市库伦旗", "库伦旗公安局"),
    ("150723", "内蒙古自治区呼伦贝尔市鄂伦春自治旗", "鄂伦春自治旗公安局"),
    ("532502", "云南省红河哈尼族彝族自治州开远市", "开远市公安局"),
    ("652801", "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市", "库尔勒市公安局"),
    ("653024", "新疆维吾尔自治区克孜勒苏柯尔克孜自治州乌恰县", "乌恰县公安局"),
    ("653131", "新疆维吾尔自治区喀什地区塔什库尔干塔吉克自治县", "塔什库尔干塔吉克自治县公安局"),
    ("654321", "新疆维吾尔自治区阿勒泰地区布尔津县", "布尔津县公安局"),
    ("232721", "黑龙江省大兴安岭地区呼玛县", "呼玛县公安局"),
    ("540122", "西藏自治区拉萨市当雄县", "当雄县公安局"),
    ("140223", "山西省大同市广灵县", "广灵县公安局"),
)
STREETS = ("学院", "文昌", "解放", "建设", "友谊", "光明", "迎宾", "滨河", "青年", "长庆", "丰收",
           "金桥", "幸福", "望江")
STREET_KINDS = ("路", "街", "大道", "巷", "东路", "北街")
ESTATES = ("锦绣花园", "金色家园", "阳光小区", "紫荆苑", "枫林湾", "翠湖新村", "御景华庭")
TOWNS = ("城关镇", "新华乡", "河坝镇", "石门乡", "龙泉镇", "清水乡", "大坪镇", "白沙乡")
VILLAGES = ("团结村", "黄泥塘村", "上寨村", "下坝村", "新民村", "石岩村", "柳树沟村", "红旗村")
SUMU = ("巴彦塔拉苏木", "宝日希勒苏木", "额尔敦宝拉格苏木", "查干诺尔苏木")
GACHA = ("哈日乌苏嘎查", "巴音嘎查", "乌兰哈达嘎查", "浩特嘎查")

# Overlays in this set's own wording.
OVERLAY_PHRASES = ("本复印件仅供{}使用", "{}专用 再复印无效", "与原件核对一致", "仅用于{}备案",
                   "复印件作废于他用")
PURPOSES = ("开通手机卡", "酒店入住", "快递实名", "公积金提取", "驾校报名", "房屋过户")

INK = (26, 24, 28)
LABEL_BLUE = (38, 104, 170)
SEAL_RED = (206, 30, 38)


def check_character(first17: str) -> str:
    """GB 11643's check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _years_for(age: int) -> int:
    """Validity by age at issue (0: 长期)."""
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def _name(nationality: str, rng: random.Random) -> str:
    if nationality in DOTTED_PARTS and rng.random() < 0.9:
        parts = DOTTED_PARTS[nationality]
        while True:
            name = "·".join(rng.sample(parts, 3 if rng.random() < 0.15 else 2))
            if len(name) <= 11:
                return name
    if nationality in GIVEN_WHOLE and rng.random() < 0.8:
        return rng.choice(GIVEN_WHOLE[nationality])
    roll = rng.random()
    surname = (rng.choice(COMPOUND_SURNAMES) if roll < 0.07 else
               rng.choice(RARE_SURNAMES) if roll < 0.27 else rng.choice(SURNAMES))
    given = "".join(rng.choice(RARE_GIVEN_CHARS) if rng.random() < 0.14 else
                    rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.36 else 2))
    return surname + given


def _address(prefix: str, rng: random.Random) -> str:
    for _ in range(50):
        if prefix.endswith("区"):
            tail = (rng.choice(STREETS) + rng.choice(STREET_KINDS) + f"{rng.randint(1, 399)}号")
            if rng.random() < 0.4:
                tail += (rng.choice(ESTATES) + f"{rng.randint(1, 32)}栋"
                         + (f"{rng.randint(1, 6)}单元" if rng.random() < 0.5 else "")
                         + f"{rng.randint(1, 28)}0{rng.randint(1, 6)}室")
        elif prefix.endswith("旗") and rng.random() < 0.6:
            tail = rng.choice(SUMU) + rng.choice(GACHA) + f"{rng.randint(1, 90)}号"
        else:
            tail = rng.choice(TOWNS) + rng.choice(VILLAGES)
            tail += f"{rng.randint(1, 12)}组{rng.randint(1, 80)}号" if rng.random() < 0.7 else \
                f"{rng.randint(1, 150)}号"
        address = prefix + tail
        if len(address) <= 3 * CHARS_PER_LINE:
            return address
    return prefix + f"{rng.randint(1, 99)}号"


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """One holder: the face's fields and the back's, as one real card carries them (still valid
    on TODAY, issued where the holder's number was, validity by age at issue)."""
    code, prefix, authority = rng.choice(PLACES)
    nationality = "汉" if rng.random() < 0.42 else rng.choice(NATIONALITIES[1:])
    years = rng.choices((5, 10, 20, 0), weights=(14, 28, 40, 18))[0]
    while True:
        if years:
            start = TODAY - timedelta(days=rng.randint(2, years * 365 - 3))
        else:
            start = TODAY - timedelta(days=rng.randint(2, 22 * 365))
        low, high = {5: (1, 15), 10: (16, 25), 20: (26, 45), 0: (46, 78)}[years]
        birth = start - timedelta(days=rng.randint(low * 365 + 1, high * 365 + 360))
        if (start.month, start.day) == (2, 29) or (birth.month, birth.day) == (2, 29):
            continue
        if _years_for(_age(birth, start)) == years and birth.year >= 1930:
            break
    end = "长期" if not years else _ymd(start.replace(year=start.year + years))
    sex = rng.choice(("男", "女"))
    sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else
                                                   (0, 2, 4, 6, 8))
    first17 = code + _ymd(birth) + f"{sequence:03d}"
    face = {"name": _name(nationality, rng), "sex": sex, "nationality": nationality,
            "birth": _ymd(birth), "address": _address(prefix, rng),
            "num": first17 + check_character(first17)}
    back = {"issue": authority, "start_date": _ymd(start), "end_date": end}
    return {"face": face, "back": back}


# The card. -----------------------------------------------------------------------------------

GROUNDS = 6  # printed grounds drawn per side (each costs a tenth of a second; kept once drawn)


def _ground(rng: random.Random, side: str) -> np.ndarray:
    """One of the GROUNDS printed grounds of a side, as uint8 (a copy to draw on)."""
    return _ground_drawn(side, rng.randrange(GROUNDS)).copy()


@lru_cache(maxsize=2 * GROUNDS)
def _ground_drawn(side: str, variant: int) -> np.ndarray:
    """The card's printed ground: a pale wash (light blue to a warm pink and back) under a fine
    guilloche of crossing sine curves, as the security print looks from a phone's distance."""
    rng = random.Random(f"vagabond ground {side} {variant}")
    w, h = CARD_SIZE
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    wave = np.sin(2 * np.pi * (x * 1.2 + y * 0.4 + rng.random()))
    base = np.empty((h, w, 3), np.float32)
    tint = (0.5 + 0.5 * wave)
    blue, pink = np.array([226, 236, 242], np.float32), np.array([244, 232, 228], np.float32)
    base[:] = (blue * (1 - tint[..., None]) + pink * tint[..., None])
    phase = rng.uniform(0, 6.28)
    cx, cy = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)
    r = np.sqrt((x - cx) ** 2 + ((y - cy) * 0.63) ** 2)
    lines = np.abs(np.sin(r * 180 + 3 * np.sin(np.arctan2(y - cy, x - cx) * 12 + phase)))
    fine = (lines > 0.96).astype(np.float32) * rng.uniform(14, 24)
    base -= fine[..., None] * np.array([0.7, 0.5, 0.3], np.float32)
    if side == "back":  # the pale Great Wall band across the lower middle
        band = np.exp(-((y - 0.62) / 0.08) ** 2) * (0.5 + 0.5 * np.sin(x * 60))
        base -= (band * 10)[..., None]
    return np.clip(base, 0, 255).astype(np.uint8)


def _text(d: ImageDraw.ImageDraw, xy, text, font, fill, log=None, spacing=0.0):
    """Draws `text` left-aligned with its top at xy (letters `spacing` px apart when set) and
    logs (text, box)."""
    x, y = xy
    top = y - font.getbbox("国" if not text.isascii() else "0")[1]
    if spacing:
        cursor = x
        for ch in text:
            d.text((cursor, top), ch, font=font, fill=fill)
            cursor += d.textlength(ch, font=font) + spacing
        right = cursor - spacing
    else:
        d.text((x, top), text, font=font, fill=fill)
        right = x + d.textlength(text, font=font)
    box = d.textbbox((x, top), text, font=font)
    box = (int(x), int(box[1]), int(math.ceil(max(right, box[2]) if not spacing else right)),
           int(box[3]))
    if log is not None:
        log.append((text, box))
    return box


def _portrait(img: Image.Image, rng: random.Random) -> None:
    """The holder's photo, 26 x 32 mm on the right: a pale ground, shoulders in a dark or white
    top, a head with hair; nothing of it outside its frame."""
    x0, y0 = mm(56.5) + rng.randint(-3, 3), mm(7) + rng.randint(-3, 3)
    w, h = mm(26), mm(32)
    photo = Image.new("RGB", (w, h), tuple(rng.randint(225, 248) for _ in range(3)))
    d = ImageDraw.Draw(photo)
    skin = rng.choice(((236, 200, 170), (222, 180, 146), (196, 150, 116), (240, 212, 188)))
    cloth = rng.choice(((30, 34, 48), (60, 60, 66), (24, 50, 90), (240, 240, 240)))
    cx = w // 2 + rng.randint(-6, 6)
    d.ellipse((cx - w * 0.55, h * 0.76, cx + w * 0.55, h * 1.4), fill=cloth)
    d.rectangle((cx - w * 0.09, h * 0.55, cx + w * 0.09, h * 0.82), fill=skin)
    hw, hh = w * rng.uniform(0.2, 0.25), h * rng.uniform(0.2, 0.23)
    d.ellipse((cx - hw, h * 0.3 - hh * 0.2, cx + hw, h * 0.3 + hh * 1.8), fill=skin)
    hair = rng.choice(((18, 16, 16), (40, 30, 24), (70, 60, 56)))
    d.chord((cx - hw * 1.1, h * 0.2, cx + hw * 1.1, h * 0.5), 180, 360, fill=hair)
    for ex in (-0.4, 0.4):
        d.ellipse((cx + hw * ex - 4, h * 0.45 - 3, cx + hw * ex + 4, h * 0.45 + 3),
                  fill=(30, 26, 24))
    d.line((cx - hw * 0.3, h * 0.62, cx + hw * 0.3, h * 0.62), fill=(150, 80, 80), width=3)
    img.paste(photo, (x0, y0))


def _fonts(rng: random.Random):
    value = rng.choices(VALUE_FONTS, weights=(40, 35, 25))[0]
    label = rng.choice(LABEL_FONTS)
    number = rng.choice(NUMBER_FONTS)
    return value, label, number


def draw_face(face: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    """The face as GB 19584 lays it out; logs every value drawn (text, box) in order: name,
    sex, nationality, birth year, month, day, the address's lines, the number."""
    value_font, label_font, number_font = _fonts(rng)
    img = Image.fromarray(_ground(rng, "face"))
    d = ImageDraw.Draw(img)
    value = font_at(value_font, mm(rng.uniform(2.9, 3.3)))
    label = font_at(label_font, mm(rng.uniform(2.3, 2.6)))
    left, column = mm(rng.uniform(5.5, 6.5)), mm(rng.uniform(15.5, 17))
    rows = [mm(6.5), mm(13), mm(19.5), mm(26)]
    rows = [r + rng.randint(-4, 4) for r in rows]
    ink = tuple(max(0, c + rng.randint(-10, 10)) for c in INK)
    lift = (value.size - label.size) // 2

    def labelled(y, text, x=left):
        _text(d, (x, y + lift), text, label, LABEL_BLUE, spacing=label.size * 0.5)

    labelled(rows[0], "姓名")
    _text(d, (column, rows[0]), face["name"], value, ink, log)
    labelled(rows[1], "性别")
    _text(d, (column, rows[1]), face["sex"], value, ink, log)
    nation_x = column + mm(rng.uniform(12.5, 14))  # 柯尔克孜 in the widest face still ends
    labelled(rows[1], "民族", nation_x)                # before the portrait
    _text(d, (nation_x + mm(rng.uniform(8.5, 9.5)), rows[1]), face["nationality"], value, ink,
          log)
    labelled(rows[2], "出生")
    b = face["birth"]
    x = column
    for part, unit in ((b[:4], "年"), (str(int(b[4:6])), "月"), (str(int(b[6:])), "日")):
        box = _text(d, (x, rows[2]), part, value, ink, log)
        x = box[2] + mm(0.8)
        box = _text(d, (x, rows[2] + lift), unit, label, LABEL_BLUE)
        x = box[2] + mm(0.8)
    labelled(rows[3], "住址")
    address = face["address"]
    for i in range(0, len(address), CHARS_PER_LINE):
        _text(d, (column, rows[3] + (i // CHARS_PER_LINE) * mm(4.6)),
              address[i:i + CHARS_PER_LINE], value, ink, log)
    y = mm(46) + rng.randint(-4, 4)
    digits = font_at(number_font, mm(rng.uniform(3.3, 3.8)))
    _text(d, (left, y + (digits.size - label.size) // 2), "公民身份号码", label, LABEL_BLUE,
          spacing=mm(0.35))
    x = mm(rng.uniform(27, 29))
    room = mm(83.5) - x - d.textlength(face["num"], font=digits)
    _text(d, (x, y), face["num"], digits, ink, log, spacing=max(0.0, min(mm(0.5), room / 17)))
    _portrait(img, rng)
    return img


def wrap_authority(issue: str, limit: int) -> List[str]:
    """The authority as the back prints it: one line up to `limit` characters, else two, broken
    after the city's 公安局 (…公安局 / …分局) or before a county's 公安局, never inside it."""
    if len(issue) <= limit:
        return [issue]
    at = issue.find("公安局")
    if 0 < at and at + 3 < len(issue) and at + 3 <= limit:
        return [issue[:at + 3], issue[at + 3:]]
    if issue.endswith("公安局") and len(issue) - 3 <= limit:
        return [issue[:-3], "公安局"]
    return [issue[:limit], issue[limit:]]


def _emblem(img: Image.Image, centre, radius: int) -> None:
    """The national emblem's shape: a red disc in a gold ring, five gold stars over a gate."""
    d = ImageDraw.Draw(img)
    cx, cy = centre
    gold, red = (226, 178, 40), (200, 24, 30)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=gold)
    d.ellipse((cx - radius * 0.82, cy - radius * 0.82, cx + radius * 0.82, cy + radius * 0.82),
              fill=red)

    def star(x, y, r):
        pts = [(x + r * (1 if i % 2 == 0 else 0.4) * math.cos(-math.pi / 2 + i * math.pi / 5),
                y + r * (1 if i % 2 == 0 else 0.4) * math.sin(-math.pi / 2 + i * math.pi / 5))
               for i in range(10)]
        d.polygon(pts, fill=gold)

    star(cx - radius * 0.3, cy - radius * 0.35, radius * 0.2)
    for k, (dx, dy) in enumerate(((0.05, -0.6), (0.22, -0.48), (0.25, -0.28), (0.12, -0.12))):
        star(cx + radius * dx, cy + radius * dy, radius * 0.08)
    d.rectangle((cx - radius * 0.45, cy + radius * 0.05, cx + radius * 0.45, cy + radius * 0.45),
                fill=gold)
    d.rectangle((cx - radius * 0.3, cy + radius * 0.15, cx + radius * 0.3, cy + radius * 0.45),
                fill=red)


def draw_back(back: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    """The back: the emblem, the titles, 签发机关 (wrapped onto two lines when the template's
    column is too short for it) and 有效期限; logs the authority's lines, then the validity."""
    value_font, label_font, _ = _fonts(rng)
    title_font = rng.choice(TITLE_FONTS)
    img = Image.fromarray(_ground(rng, "back"))
    d = ImageDraw.Draw(img)
    _emblem(img, (mm(13) + rng.randint(-4, 4), mm(13) + rng.randint(-4, 4)), mm(rng.uniform(8.5,
                                                                                         9.5)))
    small = font_at(title_font, mm(rng.uniform(4.2, 4.6)))
    big = font_at(title_font, mm(rng.uniform(6.6, 7.2)))
    ink = tuple(max(0, c + rng.randint(-10, 10)) for c in INK)
    _text(d, (mm(29), mm(8.5)), "中华人民共和国", small, ink, spacing=mm(1.2))
    _text(d, (mm(27), mm(18)), "居民身份证", big, ink, spacing=mm(2.4))
    value = font_at(value_font, mm(rng.uniform(2.8, 3.1)))
    label = font_at(label_font, mm(rng.uniform(2.3, 2.6)))
    lines = wrap_authority(back["issue"], rng.choice((11, 13, 15, 99)))
    y_issue = mm(39.5) if len(lines) == 1 else mm(37.5)
    lift = (value.size - label.size) // 2
    _text(d, (mm(15), y_issue + lift), "签发机关", label, ink, spacing=mm(0.5))
    for k, line in enumerate(lines):
        _text(d, (mm(29.5), y_issue + k * mm(4.2)), line, value, ink, log)
    y_valid = y_issue + len(lines) * mm(4.2) + mm(2.5)
    _text(d, (mm(15), y_valid + lift), "有效期限", label, ink, spacing=mm(0.5))
    s, e = back["start_date"], back["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    _text(d, (mm(29.5), y_valid), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", value, ink, log)
    return img


def card_image(side: str, truth: Dict[str, str], rng: random.Random) -> Image.Image:
    return draw_face(truth, rng) if side == "face" else draw_back(truth, rng)


# Overlays ------------------------------------------------------------------------------------

def _phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))


def stamp(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A red seal pressed over the values (round, oval or a rectangular box), ink multiplying
    the print, with a phrase; says what it drew."""
    w, h = card.size
    layer = Image.new("L", card.size, 0)
    d = ImageDraw.Draw(layer)
    shape = rng.choice(("round", "oval", "box"))
    cx, cy = rng.randint(mm(20), mm(55)), rng.randint(mm(14), mm(44))
    rx = mm(rng.uniform(9, 13))
    ry = rx if shape == "round" else int(rx * 0.62)
    width = rng.randint(5, 8)
    if shape == "box":
        d.rectangle((cx - rx, cy - ry, cx + rx, cy + ry), outline=255, width=width)
    else:
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=255, width=width)
    phrase = _phrase(rng)[:7]
    font = font_at(SMILEY, min(mm(3.6), 2 * rx * 0.85 / max(1, len(phrase))))
    d.text((cx - d.textlength(phrase, font=font) / 2, cy - font.size / 2), phrase, font=font,
           fill=255)
    layer = layer.rotate(rng.uniform(-25, 25), center=(cx, cy))
    alpha = np.asarray(layer, np.float32)[..., None] / 255 * rng.uniform(0.65, 0.9)
    arr = np.asarray(card.convert("RGB"), np.float32)
    out = arr * (1 - alpha) + np.minimum(arr, np.array(SEAL_RED, np.float32)) * alpha
    return Image.fromarray(out.astype(np.uint8)), f"{shape} red stamp"


def watermark(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phrase tiled across the card at an angle in pale grey or blue, as apps mark a copy
    before it is sent; says what it drew."""
    w, h = card.size
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    phrase = _phrase(rng)
    font = font_at(rng.choice(VALUE_FONTS), mm(rng.uniform(3.5, 5)))
    step_y = mm(rng.uniform(11, 16))
    for row, y in enumerate(range(0, h * 2, step_y)):
        x = -(row % 2) * mm(20)
        while x < w * 2:
            d.text((x, y), phrase, font=font, fill=255)
            x += d.textlength(phrase, font=font) + mm(8)
    angle = rng.uniform(18, 35) * rng.choice((1, -1))
    layer = layer.rotate(angle).crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    colour = rng.choice(((120, 120, 126), (90, 120, 190)))
    alpha = np.asarray(layer, np.float32)[..., None] / 255 * rng.uniform(0.22, 0.38)
    arr = np.asarray(card.convert("RGB"), np.float32)
    out = arr * (1 - alpha) + np.array(colour, np.float32) * alpha
    tone = "grey" if colour[0] > 100 else "blue"
    return Image.fromarray(out.astype(np.uint8)), f"watermark {tone}"


# Placing the card in a scene -----------------------------------------------------------------

def card_quad(centre, width: float, angle: float, keystone: float = 0.0,
              aspect: float = CARD_SIZE[1] / CARD_SIZE[0]) -> List[Tuple[float, float]]:
    """The card's corners TL, BL, BR, TR, `width` px wide, turned `angle` degrees (clockwise on
    screen) about `centre`; `keystone` narrows the top edge by that fraction (the phone tilted
    back)."""
    cx, cy = centre
    hw, hh = width / 2, width * aspect / 2
    top = hw * (1 - keystone)
    corners = [(-top, -hh), (-hw, hh), (hw, hh), (top, -hh)]
    a = math.radians(angle)
    return [(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
            for x, y in corners]


def _perspective(src, dst) -> list:
    """Coefficients PIL's PERSPECTIVE transform needs to map `dst` points back to `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, np.float64), np.array(rhs, np.float64)))


def _rounded_mask(size) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1),
                                           radius=int(CORNER * size[0] / CARD_SIZE[0]), fill=255)
    return mask


def place(scene: Image.Image, card: Image.Image, quad, shadow: float = 0.35) -> Image.Image:
    """`card` laid on `scene` with its corners at `quad` (TL, BL, BR, TR), its corners rounded,
    with a soft shadow under it (`shadow`: its darkness)."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, y0 = int(math.floor(min(xs))) - 2, int(math.floor(min(ys))) - 2
    x1, y1 = int(math.ceil(max(xs))) + 3, int(math.ceil(max(ys))) + 3
    size = (x1 - x0, y1 - y0)
    w, h = card.size
    local = [(x - x0, y - y0) for x, y in quad]
    coeffs = _perspective([(0, 0), (0, h), (w, h), (w, 0)], local)
    warped = card.convert("RGB").transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    mask = _rounded_mask(card.size).transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    if shadow:
        offset = max(2, int(size[0] * 0.012))
        blurred = mask.filter(ImageFilter.BoxBlur(offset * 2))
        dark = Image.new("RGB", size, (0, 0, 0))
        scene.paste(dark, (x0 + offset, y0 + offset),
                    blurred.point(lambda v: int(v * shadow)))
    scene.paste(warped, (x0, y0), mask)
    return scene


# Surfaces ------------------------------------------------------------------------------------

SURFACES = ("walnut desk", "grey laminate", "white melamine", "cork board", "linen cloth",
            "black glass desk", "beech plywood", "grey felt")


def surface(name: str, size, rng: random.Random) -> Image.Image:
    """A surface to lay the card on, drawn at a quarter of `size` and scaled up (its texture is
    soft at a phone's focus distance anyway)."""
    w, h = max(8, size[0] // 4), max(8, size[1] // 4)
    x = np.arange(w, dtype=np.float32)[None, :]
    y = np.arange(h, dtype=np.float32)[:, None]
    noise = noise_field((w, h), rng, 24).astype(np.float32)
    if name in ("walnut desk", "beech plywood"):
        base = np.array((92, 60, 40) if name == "walnut desk" else (206, 170, 122), np.float32)
        grain = np.sin(y * rng.uniform(0.15, 0.3) + 4 * np.sin(x * 0.01 + rng.random() * 6))
        arr = base + grain[..., None] * 9 + noise[..., None] * 0.3
    elif name == "cork board":
        arr = np.array((176, 132, 88), np.float32) + noise[..., None] * 1.2
    elif name == "linen cloth":
        weave = np.sin(x * 1.6)[..., None] * 6 + np.sin(y * 1.7)[..., None] * 6
        arr = np.array((214, 204, 184), np.float32) + weave + noise[..., None] * 0.25
    elif name == "black glass desk":
        sheen = np.exp(-((x - w * rng.uniform(0.2, 0.8)) / (w * 0.3)) ** 2) * 50
        arr = np.array((18, 20, 24), np.float32) + sheen[..., None] + noise[..., None] * 0.1
    elif name == "grey felt":
        arr = np.array((110, 112, 116), np.float32) + noise[..., None] * 0.8
    else:
        base = (150, 152, 150) if name == "grey laminate" else (232, 232, 228)
        arr = np.array(base, np.float32) + noise[..., None] * 0.2 \
            + (y / h * rng.uniform(-20, 20))[..., None]
    small = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return small.resize(size, Image.BILINEAR)


def light(img: Image.Image, rng: random.Random, strength: float = 0.25) -> Image.Image:
    """The room's uneven light: brighter toward a random side, a tint of the lamp's colour."""
    w, h = img.size
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    x = np.linspace(-1, 1, 64, dtype=np.float32)[None, :]
    y = np.linspace(-1, 1, 48, dtype=np.float32)[:, None]
    gain = 1 + strength * (gx * x + gy * y) / 2
    tint = np.array([rng.uniform(0.96, 1.04), 1, rng.uniform(0.93, 1.03)], np.float32)
    field = Image.fromarray(np.clip(gain[..., None] * tint * 200, 0, 255).astype(np.uint8))
    field = field.resize((w, h), Image.BILINEAR)
    arr = np.asarray(img, np.uint16) * np.asarray(field, np.uint16) // 200
    return Image.fromarray(np.minimum(arr, 255).astype(np.uint8))


@lru_cache(maxsize=1)
def _noise_tile() -> np.ndarray:
    """Unit gaussian noise, 509 x 499 (primes: its repeats do not line up with a grid)."""
    return np.random.default_rng(13).standard_normal((499, 509)).astype(np.float32)


def noise_field(size, rng: random.Random, sigma: float) -> np.ndarray:
    """Gaussian noise of `sigma` over `size` (w, h) as int16, tiled from one drawn field at an
    offset the rng picks (drawing fresh noise per pixel costs more than the rest of a photo)."""
    w, h = size
    tile = np.roll(_noise_tile(), (rng.randrange(499), rng.randrange(509)), axis=(0, 1))
    reps = (-(-h // tile.shape[0]), -(-w // tile.shape[1]))
    return (np.tile(tile, reps)[:h, :w] * sigma).astype(np.int16)


def grain(img: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    """Sensor noise, in luma."""
    arr = np.asarray(img, np.int16) + noise_field(img.size, rng, sigma)[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def jpeg(img: Image.Image, rng: random.Random, quality: Tuple[int, int] = (76, 93),
         chroma: Optional[str] = None) -> Tuple[bytes, str]:
    """JPEG bytes and the chroma subsampling used ("4:4:4" or "4:2:0")."""
    chroma = chroma or rng.choice(("4:4:4", "4:2:0"))
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=rng.randint(*quality),
                            subsampling=0 if chroma == "4:4:4" else 2)
    return out.getvalue(), chroma


# Photos --------------------------------------------------------------------------------------

TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}
HARD_EFFECTS = ("sleeve", "mirror", "motion", "bent", "glare", "hand_shadow", "night",
                "messenger", "perspective", "screenshot", "scanner_app", "digital_zoom",
                "defocus", "fringes", "pixelated", "annotated")
HARD_NOTES = {"sleeve": "in a plastic sleeve", "mirror": "mirrored by the front camera",
              "motion": "motion blur", "bent": "bent card", "glare": "glare across the text",
              "hand_shadow": "a hand's shadow", "night": "low light noise",
              "messenger": "recompressed by a messaging app",
              "perspective": "strong perspective", "screenshot": "a chat app's screenshot",
              "scanner_app": "a scanner app's B&W filter", "digital_zoom": "digital zoom",
              "defocus": "out of focus", "fringes": "colour fringes",
              "pixelated": "portrait pixelated by the sender",
              "annotated": "circled in the photo editor"}
SHEET_EFFECTS = ("colour laser copy", "inkjet copy with banding", "fax", "sides turned apart",
                 "sides darkened apart", "punched holes", "photographed on a desk",
                 "copy of a copy")


def _rng(kind: str, seed: int) -> random.Random:
    return random.Random(f"vagabond/{kind}/{seed}")


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (vagabond draws {', '.join(KINDS)})")
    rng = _rng(kind, seed)
    person = random_person(rng)
    if kind == "sheet":
        return _sheet(person, rng, seed)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or \
        ("face" if seed % 3 != 2 else "back")
    card = card_image(side, person[side], rng)
    if kind == "hard":
        return _hard(card, side, person[side], rng, seed)
    width = rng.randint(500, 1300)
    fill = rng.uniform(0.55, 0.85)
    frame_w = int(width / fill)
    frame = (frame_w, int(frame_w * PHONE[1] / PHONE[0]))
    where = rng.choice(SURFACES)
    scene = surface(where, frame, rng)
    centre = (frame[0] / 2 + rng.uniform(-0.06, 0.06) * frame[0],
              frame[1] / 2 + rng.uniform(-0.06, 0.06) * frame[1])
    tilt = rng.uniform(-2.5, 2.5)
    place(scene, card, card_quad(centre, width, tilt, rng.uniform(0, 0.03)))
    scene = grain(light(scene, rng, 0.2), rng, rng.uniform(3, 7))
    data, chroma = jpeg(scene, rng)
    return Photo(kind, data, {side: person[side]},
                 f"{side}, upright, card {width}px, tilt {int(round(tilt))}, on {where}, "
                 f"{chroma} chroma")


def _overlays(card: Image.Image, rng: random.Random, notes: list) -> Image.Image:
    if rng.random() < 0.3:
        card, what = stamp(card, rng)
        notes.append(what)
    if rng.random() < 0.3:
        card, what = watermark(card, rng)
        notes.append(what)
    return card


def _bend(card: Image.Image, rng: random.Random) -> Image.Image:
    """A card bent along its length: the rows curve up or down by a few pixels and the bent
    half is shaded."""
    arr = np.asarray(card)
    h, w = arr.shape[:2]
    depth = rng.uniform(0.025, 0.05) * h * rng.choice((1, -1))
    x = np.arange(w)
    shift = (depth * np.sin(np.pi * x / w)).astype(np.int32)
    rows = np.clip(np.arange(h)[:, None] + shift[None, :], 0, h - 1)
    out = arr[rows, x[None, :]]
    shade = 1 - 0.12 * np.clip((x - w * 0.55) / (w * 0.45), 0, 1)
    return Image.fromarray((out * shade[None, :, None]).astype(np.uint8))


def _blur_along(img: Image.Image, length: int, angle: float) -> Image.Image:
    """Motion blur: the mean of `length` copies shifted along `angle` degrees."""
    arr = np.asarray(img, np.float32)
    acc = np.zeros_like(arr)
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for k in range(length):
        t = k - (length - 1) / 2
        acc += np.roll(arr, (int(round(t * dy)), int(round(t * dx))), axis=(0, 1))
    return Image.fromarray((acc / length).astype(np.uint8))


def _highlight(img: Image.Image, quad, rng: random.Random, peak: float, thin: bool):
    """A specular band across the card (a lamp's reflection), brightest along its axis."""
    w, h = img.size
    small = (w // 4, h // 4)
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    cx = (tlx + brx) / 2 / 4 + rng.uniform(-0.1, 0.1) * small[0]
    cy = (tly + bry) / 2 / 4 + rng.uniform(-0.1, 0.1) * small[1]
    x = np.arange(small[0], dtype=np.float32)[None, :] - cx
    y = np.arange(small[1], dtype=np.float32)[:, None] - cy
    a = math.radians(rng.uniform(-60, 60))
    across = x * math.sin(a) - y * math.cos(a)
    along = x * math.cos(a) + y * math.sin(a)
    width = small[0] * (0.02 if thin else 0.06)
    band = np.exp(-(across / width) ** 2) * np.exp(-(along / (small[0] * 0.35)) ** 2)
    alpha = Image.fromarray((np.clip(band * peak, 0, 1) * 255).astype(np.uint8)).resize(
        (w, h), Image.BILINEAR)
    return Image.composite(Image.new("RGB", (w, h), (255, 255, 252)), img, alpha)


def _hand_shadow(img: Image.Image, quad, rng: random.Random) -> Image.Image:
    """The soft shadow of a hand held over the phone: a palm and fingers reaching in from one
    side of the card, darkening it by a third."""
    w, h = img.size
    mask = Image.new("L", (w // 4, h // 4), 0)
    d = ImageDraw.Draw(mask)
    (tlx, tly), _, (brx, bry), _ = [(x / 4, y / 4) for x, y in quad]
    cw, ch = brx - tlx, bry - tly
    from_right = rng.random() < 0.5
    px = brx if from_right else tlx  # the palm's centre over the card's edge
    py = tly + ch * rng.uniform(0.3, 0.7)
    d.ellipse((px - cw * 0.25, py - ch * 0.5, px + cw * 0.25, py + ch * 0.5), fill=255)
    for k in range(4):
        fy = py - ch * 0.45 + k * ch * 0.27
        reach = cw * rng.uniform(0.45, 0.7)
        fx = px - reach if from_right else px + reach
        d.line((px, fy, fx, fy + ch * 0.05), fill=255, width=max(2, int(ch * 0.14)))
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, cw * 0.03))).resize((w, h),
                                                                         Image.BILINEAR)
    dark = Image.eval(img, lambda v: int(v * rng.uniform(0.55, 0.7)))
    return Image.composite(dark, img, mask)


def _hard(card: Image.Image, side: str, truth: dict, rng: random.Random, seed: int) -> Photo:
    effect = HARD_EFFECTS[seed % len(HARD_EFFECTS)]
    notes: List[str] = []
    card = _overlays(card, rng, notes)
    if effect == "pixelated":  # the sender hid the portrait (the face) or the emblem (the back)
        box = (mm(56.4), mm(6.5), mm(83), mm(39.5)) if side == "face" else \
            (mm(3), mm(3), mm(24), mm(24))
        part = card.crop(box)
        block = rng.randint(12, 22)
        part = part.resize((max(1, part.width // block), max(1, part.height // block)),
                           Image.BILINEAR).resize(part.size, Image.NEAREST)
        card.paste(part, box[:2])
    if effect == "bent":
        card = _bend(card, rng)
    width = rng.randint(448, 1300)
    if effect in ("digital_zoom",):
        width = rng.randint(448, 700)
    if effect == "messenger":
        width = rng.randint(900, 1300)  # before the app scales it by half or so
    turn = rng.choice(tuple(TURNS))
    skew = rng.randint(-15, 15)
    fill = rng.uniform(0.5, 0.78)
    frame_w = int(width / fill * (1.15 if abs(skew) > 8 else 1.0))
    frame = (frame_w, int(frame_w * PHONE[1] / PHONE[0]))
    where = rng.choice(SURFACES)
    keystone = rng.uniform(0.18, 0.3) if effect == "perspective" else rng.uniform(0, 0.06)
    shrink = 1.0
    draw_width = width
    if effect == "digital_zoom":
        shrink = rng.uniform(2.2, 3.0)  # drawn small, then enlarged by the phone's zoom
        draw_width = int(width / shrink)
        frame = (int(frame[0] / shrink), int(frame[1] / shrink))
    scene = surface(where, frame, rng)
    centre = (frame[0] / 2, frame[1] / 2)
    quad = card_quad(centre, draw_width, skew, keystone)
    if effect == "perspective":  # the far edge narrows: the card also looks shorter
        quad = [(x, centre[1] + (y - centre[1]) * 0.8) for x, y in quad]
    place(scene, card, quad)
    if effect == "sleeve":
        sleeve = card_quad(centre, draw_width * 1.12, skew, keystone)
        haze = Image.new("RGB", frame, (236, 240, 244))
        mask = Image.new("L", frame, 0)
        ImageDraw.Draw(mask).polygon(sleeve, fill=int(255 * rng.uniform(0.12, 0.2)))
        scene = Image.composite(haze, scene, mask)
        scene = _highlight(scene, quad, rng, 0.55, thin=True).filter(
            ImageFilter.GaussianBlur(0.8))
    elif effect == "glare":
        scene = _highlight(scene, quad, rng, rng.uniform(0.75, 0.9), thin=False)
    elif effect == "hand_shadow":
        scene = _hand_shadow(scene, quad, rng)
    elif effect == "annotated":
        d = ImageDraw.Draw(scene)
        (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
        # a ring round the number row (face, between its label and the card's edge) or round
        # the emblem (back): never across another field
        u0, u1, v0, v1, grow = (0.26, 0.99, 0.78, 0.97, 1.4) if side == "face" else \
            (0.05, 0.26, 0.07, 0.41, 1.2)

        def at(u, v):
            top = (tlx + (trx - tlx) * u, tly + (try_ - tly) * u)
            bottom = (blx + (brx - blx) * u, bly + (bry - bly) * u)
            return (top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v)

        ring = []
        for k in range(40):
            t = 2 * math.pi * k / 39
            ring.append(at((u0 + u1) / 2 + (u1 - u0) / 2 * (grow if side == "back" else 1.05)
                           * math.cos(t), (v0 + v1) / 2 + (v1 - v0) / 2 * grow * math.sin(t)))
        d.line(ring, fill=(230, 30, 40), width=max(3, draw_width // 160))
    scene = light(scene, rng, 0.3)
    noise = rng.uniform(3, 7)
    if effect == "night":
        scene = Image.eval(scene, lambda v: int(v * 0.38))
        noise = rng.uniform(14, 20)
    scene = grain(scene, rng, noise)
    if effect == "motion":
        scene = _blur_along(scene, rng.randint(6, 11), rng.uniform(0, 180))
    elif effect == "defocus":
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(1.4, 2.2)))
    elif effect == "fringes":
        r, g, b = scene.split()
        k = rng.uniform(0.004, 0.007)
        grow = (int(frame[0] * (1 + k)), int(frame[1] * (1 + k)))
        r = ImageOps.fit(r.resize(grow, Image.BILINEAR), frame, centering=(0.5, 0.5))
        scene = Image.merge("RGB", (r, g, b)).filter(ImageFilter.GaussianBlur(0.6))
    elif effect == "scanner_app":  # flattened to the card, grey, levels pushed to paper white
        coeffs = _perspective(quad, [(0, 0), (0, 702), (1113, 702), (1113, 0)])
        flat = scene.transform((1113, 702), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
        grey = ImageOps.autocontrast(flat.convert("L"), cutoff=(2, 30))
        grey = grey.point(lambda v: 255 if v > 200 else int(v * 0.85))
        scene = grey.resize((width, int(width * 702 / 1113)), Image.BILINEAR).convert("RGB")
        pad = rng.randint(0, 8)
        scene = ImageOps.expand(scene, pad, fill=(255, 255, 255))
    if effect == "digital_zoom":
        scene = scene.resize((int(scene.width * shrink), int(scene.height * shrink)),
                             Image.BICUBIC).filter(ImageFilter.UnsharpMask(2, 120, 2))
    if effect == "mirror":
        scene = ImageOps.mirror(scene)
    if turn:
        scene = scene.rotate(turn, expand=True)
    if effect == "screenshot":  # the photo as a chat shows it, screenshotted: bars above, below
        screen_w = 1080
        scale = screen_w / scene.width
        shown = scene.resize((screen_w, int(scene.height * scale)), Image.BILINEAR)
        width = int(width * scale)
        screen = Image.new("RGB", (screen_w, max(2340, shown.height + 500)), (0, 0, 0))
        screen.paste(shown, (0, (screen.height - shown.height) // 2))
        d = ImageDraw.Draw(screen)
        d.rectangle((0, 0, screen_w, 90), fill=(18, 18, 18))
        d.text((40, 24), "12:4" + str(rng.randint(0, 9)), font=font_at(SMILEY, 40),
               fill=(240, 240, 240))
        d.rectangle((0, screen.height - 150, screen_w, screen.height), fill=(18, 18, 18))
        scene = screen
    chroma = "4:4:4" if seed % 2 == 0 else "4:2:0"
    if effect == "messenger":
        scale = rng.uniform(0.5, 0.65)
        scene = scene.resize((int(scene.width * scale), int(scene.height * scale)),
                             Image.BILINEAR)
        width = int(width * scale)
        first, _ = jpeg(scene, rng, (55, 68), "4:2:0")
        scene = Image.open(io.BytesIO(first)).convert("RGB")
        data, chroma = jpeg(scene, rng, (60, 72), chroma)
    else:
        data, chroma = jpeg(scene, rng, (74, 92), chroma)
    detail = ", ".join([side, f"card {width}px", TURNS[turn], f"skew {skew}",
                        HARD_NOTES[effect], f"on {where}", f"{chroma} chroma", *notes])
    return Photo("hard", data, {side: truth}, detail)


# A4 sheets -----------------------------------------------------------------------------------

def _copy_look(card: Image.Image, how: str, rng: random.Random) -> Image.Image:
    """A side as a copier prints it: a colour laser's washed, toner-speckled colour, an
    inkjet's bands, or a copy of a copy's lost greys."""
    arr = np.asarray(card, np.float32)
    if how == "colour laser copy":
        grey = arr.mean(-1, keepdims=True)
        arr = grey + (arr - grey) * 0.55
        arr = (arr - 30) * 1.18
    elif how == "inkjet copy with banding":
        bands = 1 + 0.06 * np.sin(np.arange(arr.shape[0], dtype=np.float32) * 0.9)[:, None, None]
        arr = arr * bands + np.array([6, 0, -6], np.float32)
    else:  # a copy of a copy: grey, contrast pushed twice, toner dust
        grey = arr.mean(-1, keepdims=True).repeat(3, -1)
        arr = np.clip((grey - 60) * 1.5, 0, 255)
        arr = np.clip((arr - 40) * 1.3, 0, 255)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    specks = Image.fromarray(((noise_field(card.size, rng, 1.0) > 3) * 255).astype(np.uint8))
    return Image.composite(Image.new("RGB", card.size, (40, 40, 44)), out, specks)


def _sheet(person: dict, rng: random.Random, seed: int) -> Photo:
    effect = SHEET_EFFECTS[seed % len(SHEET_EFFECTS)]
    dpi = rng.choice((150, 180, 200))
    px = dpi / 25.4
    page = Image.new("RGB", (int(210 * px), int(297 * px)), (250, 250, 247))
    width = int(85.6 * px)
    notes, turns = [], []
    for side, top in (("face", rng.uniform(28, 50)), ("back", rng.uniform(150, 175))):
        card = _overlays(card_image(side, person[side], rng), rng, notes)
        if effect in ("colour laser copy", "inkjet copy with banding", "copy of a copy"):
            card = _copy_look(card, effect, rng)
        img = card.resize((width, int(width * CARD_SIZE[1] / CARD_SIZE[0])), Image.LANCZOS)
        turn = rng.choice((0, 0, 90, 180, 270)) if effect != "sides turned apart" else \
            (0, 90, 180, 270)[(seed // len(SHEET_EFFECTS) + (side == "back") * 2 + 1) % 4]
        darker = rng.uniform(0.75, 1.0) if effect != "sides darkened apart" else \
            (rng.uniform(0.45, 0.6) if side == "face" else rng.uniform(0.8, 1.0))
        img = Image.eval(img, lambda v, k=darker: int(v * k))
        tilt = rng.uniform(-3, 3)
        img = img.rotate(turn + tilt, expand=True, resample=Image.BICUBIC,
                         fillcolor=(250, 250, 247))
        page.paste(img, (int(page.width / 2 - img.width / 2 + rng.uniform(-15, 15) * px),
                         int(top * px - img.height / 2 + 27 * px)))
        turns.append(f"{side} {TURNS[turn]}" + (f" darkened to {darker:.2f}"
                                                if effect == "sides darkened apart" else ""))
    if effect == "punched holes":
        d = ImageDraw.Draw(page)
        for y in (page.height * 0.5 - 40 * px, page.height * 0.5 + 40 * px):
            d.ellipse((12 * px - 3 * px, y - 3 * px, 12 * px + 3 * px, y + 3 * px),
                      fill=(30, 30, 30))
    if effect == "fax":  # 204 x 98 dpi, dithered to black and white, shown at 204 x 196
        fine = page.resize((int(210 / 25.4 * 204), int(297 / 25.4 * 98)), Image.BILINEAR)
        fine = fine.convert("L").point(lambda v: 255 if v > 228 else v).convert("1")
        fine = fine.convert("RGB")
        page = fine.resize((fine.width, fine.height * 2), Image.NEAREST)
        ImageDraw.Draw(page).text((40, 12), f"2026-11-{rng.randint(10, 28)} 0{rng.randint(1, 9)}"
                                  f":{rng.randint(10, 59)}  FROM 0{rng.randint(20, 99)}-"
                                  f"{rng.randint(1000000, 9999999)}  P.001",
                                  font=font_at(NUMBER_FONTS[0], 26), fill=(0, 0, 0))
        width = int(85.6 / 25.4 * 204)
        dpi_note = "A4 at 204 x 98 dpi"
    else:
        dpi_note = f"A4 at {dpi} dpi"
    if effect == "photographed on a desk":
        page_w = rng.randint(1300, 1700)
        scale = page_w / page.width
        page = page.resize((page_w, int(page.height * scale)), Image.BILINEAR)
        width = int(width * scale)
        frame = (int(page_w * 1.25), int(page.height * 1.12))
        scene = surface(rng.choice(SURFACES), frame, rng)
        quad = card_quad((frame[0] / 2, frame[1] / 2), page_w, rng.uniform(-4, 4),
                         rng.uniform(0, 0.05), aspect=page.height / page.width)
        place_page(scene, page, quad)
        page = grain(light(scene, rng, 0.35), rng, 5)
    elif effect not in ("fax",):  # a scanner's faint noise
        page = grain(page, rng, 3)
    data, _ = jpeg(page, rng, (80, 92), "4:2:0")
    detail = ", ".join([dpi_note, f"card {width}px", *turns, effect, *notes])
    return Photo("sheet", data, {"face": person["face"], "back": person["back"]}, detail)


def place_page(scene: Image.Image, page: Image.Image, quad) -> None:
    """A sheet of paper laid on `scene` at `quad` (square corners, a faint shadow)."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, y0 = int(min(xs)), int(min(ys))
    size = (int(max(xs)) - x0 + 2, int(max(ys)) - y0 + 2)
    w, h = page.size
    coeffs = _perspective([(0, 0), (0, h), (w, h), (w, 0)], [(x - x0, y - y0) for x, y in quad])
    warped = page.transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    mask = Image.new("L", page.size, 255).transform(size, Image.PERSPECTIVE, coeffs,
                                                    Image.BILINEAR)
    scene.paste(warped, (x0, y0), mask)
