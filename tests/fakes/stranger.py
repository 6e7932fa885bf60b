"""The seventh hold-out rendering of the resident ID card, "stranger", drawn on 2026-12-07 (the
second that day) by an engineer who read none of the engine, the KYC rules, the cascade or the
other generators' drawing code. Never tuned on.

Sources (public descriptions only):
- GA 448-2013 / GB 19584: the card is 85.6 x 54 mm with 3.18 mm round corners; the emblem side
  carries a red national emblem 15 mm across at the top left, 中华人民共和国 (Song, size 4) over
  居民身份证 (Song, size 2), a grey 长城 picture over a rainbow guilloche running light blue to
  light pink, and 签发机关 / 有效期限 (labels bold Hei size 6, the validity as
  2016.03.01-2036.03.01); the holder's side has labels in blue Hei size 6, the name in Hei size
  5, the other values in Hei size small-5 (年 月 日 printed in the labels' blue), the number on
  its own row at the bottom, and a 26 x 32 mm portrait on the right.
- The validity law: under 16 five years, 16-25 ten, 26-45 twenty, from 46 长期.
- GB 11643-1999: region code, birth date, sequence (odd: male), ISO 7064 MOD 11-2 check.
- GB/T 2260 region codes of real districts, with the authority each prints (公安局XX分局,
  XX区分局, a county's 公安局).
- How phones, chat apps, scanners and copiers degrade a photo (lens vignetting and barrel
  distortion, rolling-shutter skew, motion blur, HDR halos, beauty smoothing, chroma
  subsampling and double JPEG, scanner lid shadows, toner density), and how people mark the
  copies they hand over (handwritten "仅供…使用", a red 复印件与原件一致 stamp, an app's
  tiled watermark).

Fonts nobody else draws with: Noto Sans CJK SC Light/Medium/Black and Noto Serif CJK SC
SemiBold (fonts-noto-cjk-extra's weights), HanaMin A (an old-style Song, fonts-hanazono); the
number in JetBrains Mono, Cousine or Hack. PACKAGES names them; `make fonts` installs them.

`shoot(kind, seed)` gives a renderings.Photo for plain_face, plain_back, hard and sheet;
everything follows from the seed.
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
PX_MM = 14  # the card is drawn at 14 px/mm
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
TODAY = date(2026, 12, 7)
PACKAGES = "fonts-noto-cjk-extra fonts-hanazono fonts-jetbrains-mono fonts-croscore fonts-hack"

_NOTO = "/usr/share/fonts/opentype/noto/"
SC = 2  # Simplified Chinese's face in Noto's collections
SANS_LIGHT = (_NOTO + "NotoSansCJK-Light.ttc", SC)
SANS_MEDIUM = (_NOTO + "NotoSansCJK-Medium.ttc", SC)
SANS_BLACK = (_NOTO + "NotoSansCJK-Black.ttc", SC)
SANS_DEMILIGHT = (_NOTO + "NotoSansCJK-DemiLight.ttc", SC)
SERIF_SEMIBOLD = (_NOTO + "NotoSerifCJK-SemiBold.ttc", SC)
SERIF_MEDIUM = (_NOTO + "NotoSerifCJK-Medium.ttc", SC)
HANAMIN = ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", 0)
# A template app draws values in one of these (the card itself in a Hei, apps often in a Song).
VALUE_FONTS = (SANS_MEDIUM, SANS_DEMILIGHT, SANS_LIGHT, SERIF_SEMIBOLD, HANAMIN)
LABEL_FONTS = (SANS_MEDIUM, SANS_BLACK)
TITLE_FONTS = (SERIF_SEMIBOLD, SERIF_MEDIUM, HANAMIN)
NUMBER_FONTS = (("/usr/share/fonts/truetype/jetbrains-mono/JetBrainsMono-Medium.ttf", 0),
                ("/usr/share/fonts/truetype/croscore/Cousine-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/hack/Hack-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/jetbrains-mono/JetBrainsMono-Bold.ttf", 0))
ALL_FONTS = VALUE_FONTS + LABEL_FONTS + TITLE_FONTS + NUMBER_FONTS + (SANS_BLACK,)


def available() -> bool:
    return installed(ALL_FONTS)


def mm(v: float) -> int:
    return round(v * PX_MM)


# The holder ------------------------------------------------------------------------------------

NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
# (region code, address start, authority as printed, nationalities often met there)
PLACES = (
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局", ()),
    ("110108", "北京市海淀区", "北京市公安局海淀分局", ()),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局", ()),
    ("120101", "天津市和平区", "天津市公安局和平分局", ()),
    ("500112", "重庆市渝北区", "重庆市公安局渝北区分局", ()),
    ("500241", "重庆市秀山土家族苗族自治县", "秀山土家族苗族自治县公安局", ("土家", "苗")),
    ("440106", "广东省广州市天河区", "广州市公安局天河区分局", ()),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局", ()),
    ("441481", "广东省兴宁市", "兴宁市公安局", ("畲",)),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局", ()),
    ("330782", "浙江省义乌市", "义乌市公安局", ()),
    ("320106", "江苏省南京市鼓楼区", "南京市公安局鼓楼分局", ("回",)),
    ("320583", "江苏省昆山市", "昆山市公安局", ()),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局", ("藏", "羌")),
    ("510703", "四川省绵阳市涪城区", "绵阳市公安局涪城区分局", ("羌",)),
    ("513401", "四川省凉山彝族自治州西昌市", "西昌市公安局", ("彝",)),
    ("341023", "安徽省黄山市黟县", "黟县公安局", ()),
    ("433101", "湖南省湘西土家族苗族自治州吉首市", "吉首市公安局", ("土家", "苗")),
    ("522601", "贵州省黔东南苗族侗族自治州凯里市", "凯里市公安局", ("苗", "侗", "水")),
    ("522301", "贵州省黔西南布依族苗族自治州兴义市", "兴义市公安局", ("布依", "仡佬")),
    ("520103", "贵州省贵阳市云岩区", "贵阳市公安局云岩分局", ("布依",)),
    ("532801", "云南省西双版纳傣族自治州景洪市", "景洪市公安局", ("傣", "哈尼", "基诺", "布朗")),
    ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "瑞丽市公安局",
     ("傣", "景颇", "阿昌", "德昂")),
    ("530102", "云南省昆明市五华区", "昆明市公安局五华分局", ("彝", "白", "纳西", "傈僳", "普米")),
    ("652801", "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市", "库尔勒市公安局",
     ("维吾尔", "蒙古")),
    ("654002", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "伊宁市公安局",
     ("哈萨克", "锡伯", "俄罗斯", "乌孜别克", "塔塔尔")),
    ("653101", "新疆维吾尔自治区喀什市", "喀什市公安局", ("维吾尔", "塔吉克", "柯尔克孜")),
    ("650102", "新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市公安局天山区分局",
     ("维吾尔", "回", "哈萨克")),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特市公安局新城区分局", ("蒙古", "满")),
    ("152502", "内蒙古自治区锡林郭勒盟锡林浩特市", "锡林浩特市公安局", ("蒙古",)),
    ("152501", "内蒙古自治区锡林郭勒盟二连浩特市", "二连浩特市公安局", ("蒙古",)),
    ("150781", "内蒙古自治区满洲里市", "满洲里市公安局", ("蒙古", "鄂温克", "俄罗斯", "达斡尔")),
    ("150622", "内蒙古自治区鄂尔多斯市准格尔旗", "准格尔旗公安局", ("蒙古",)),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局", ("蒙古",)),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关分局", ("藏", "门巴", "珞巴")),
    ("632801", "青海省海西蒙古族藏族自治州格尔木市", "格尔木市公安局", ("蒙古", "藏", "撒拉", "土")),
    ("630102", "青海省西宁市城东区", "西宁市公安局城东分局", ("回", "土", "撒拉")),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局", ("回",)),
    ("450102", "广西壮族自治区南宁市兴宁区", "南宁市公安局兴宁分局", ("壮", "瑶", "京")),
    ("451081", "广西壮族自治区靖西市", "靖西市公安局", ("壮", "仫佬", "毛南")),
    ("469001", "海南省五指山市", "五指山市公安局", ("黎",)),
    ("460106", "海南省海口市龙华区", "海口市公安局龙华分局", ("黎",)),
    ("222401", "吉林省延边朝鲜族自治州延吉市", "延吉市公安局", ("朝鲜",)),
    ("220102", "吉林省长春市南关区", "长春市公安局南关区分局", ("满", "朝鲜")),
    ("230102", "黑龙江省哈尔滨市道里区", "哈尔滨市公安局道里分局", ("满", "赫哲", "鄂伦春")),
    ("231002", "黑龙江省牡丹江市东安区", "牡丹江市公安局东安分局", ("朝鲜", "满")),
    ("210102", "辽宁省沈阳市和平区", "沈阳市公安局和平分局", ("满", "锡伯")),
    ("211324", "辽宁省朝阳市喀喇沁左翼蒙古族自治县", "喀喇沁左翼蒙古族自治县公安局", ("蒙古",)),
    ("130102", "河北省石家庄市长安区", "石家庄市公安局长安分局", ()),
    ("130828", "河北省承德市围场满族蒙古族自治县", "围场满族蒙古族自治县公安局", ("满", "蒙古")),
    ("140105", "山西省太原市小店区", "太原市公安局小店分局", ()),
    ("370102", "山东省济南市历下区", "济南市公安局历下分局", ("回",)),
    ("410105", "河南省郑州市金水区", "郑州市公安局金水分局", ()),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌区分局", ()),
    ("422801", "湖北省恩施土家族苗族自治州恩施市", "恩施市公安局", ("土家", "苗", "侗")),
    ("360102", "江西省南昌市东湖区", "南昌市公安局东湖分局", ()),
    ("350203", "福建省厦门市思明区", "厦门市公安局思明分局", ("畲", "高山")),
    ("350582", "福建省晋江市", "晋江市公安局", ()),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局", ("回",)),
    ("620102", "甘肃省兰州市城关区", "兰州市公安局城关分局", ("回", "东乡", "保安", "裕固")),
    ("623001", "甘肃省甘南藏族自治州合作市", "合作市公安局", ("藏",)),
    ("340104", "安徽省合肥市蜀山区", "合肥市公安局蜀山分局", ()),
)
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷")
# Rare surnames that dictionaries still carry.
RARE_SURNAMES = "亓芮嵇隗郄缪晁雒琚蒯逄宓厍訾靳鄢眭郦蓟滕"
COMPOUND_SURNAMES = ("司徒", "东方", "南宫", "钟离", "宇文", "长孙", "西门", "端木")
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国玉兰志红梅海波鹏宇晨欣怡浩然子轩梓涵"
RARE_GIVEN_CHARS = "韡璠骞斓祯霁翎旸晞颢瀚峤婳熠煊镕堉珩昀玙琛骅玮"
# Uyghur and Kazakh names: given name · father's name.
DOTTED_PARTS = ("阿依努尔", "艾克拜尔", "古丽巴哈尔", "买尔旦", "吐尔洪", "帕提古丽", "叶尔波拉提",
                "努尔兰", "阿迪力", "热孜万古丽", "吐尔逊", "依明", "沙吾提", "哈力木拉提")
TIBETAN_NAMES = ("洛桑次仁", "德吉卓嘎", "旦增曲扎", "次旦央宗", "边巴", "拉巴次仁")
MONGOLIAN_NAMES = ("斯琴高娃", "乌日娜", "额尔德尼", "巴雅尔", "图门吉日嘎拉")
YI_NAMES = ("阿西木呷", "吉克曲布", "沙马阿果")
STREETS = ("新华", "中山", "和平", "建设", "解放", "文化", "胜利", "光明", "朝阳", "幸福", "团结",
           "滨河", "振兴", "花园", "育才", "东风", "北环", "南湖")
STREET_KINDS = ("路", "街", "大道", "巷", "东路", "西街", "南路")
TOWNS = ("城关镇", "新城街道", "东风街道", "龙泉镇", "马场乡", "石桥镇", "茶山镇", "河西街道",
         "团结乡", "云岭镇")
VILLAGES = ("红旗村", "下寨村", "杨柳村", "双河村", "金沙村", "平坝村", "新寨村")
COMPOUNDS = ("锦园小区", "教师公寓", "红星家属院", "金桂苑", "电厂宿舍", "阳光城", "翠苑")
CHARS_PER_LINE = 11  # the address column at small-5 holds 11 characters a line, 3 lines at most
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, as GB 11643-1999 computes the number's last character."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def _name(rng: random.Random, nationality: str) -> str:
    if nationality in ("维吾尔", "哈萨克", "柯尔克孜", "乌孜别克", "塔塔尔", "塔吉克") and \
            rng.random() < 0.8:
        given, father = rng.sample(DOTTED_PARTS, 2)
        return f"{given}·{father}"
    if nationality == "藏" and rng.random() < 0.8:
        return rng.choice(TIBETAN_NAMES)
    if nationality == "蒙古" and rng.random() < 0.6:
        return rng.choice(MONGOLIAN_NAMES)
    if nationality == "彝" and rng.random() < 0.6:
        return rng.choice(YI_NAMES)
    roll = rng.random()
    surname = rng.choice(COMPOUND_SURNAMES) if roll < 0.06 else \
        rng.choice(RARE_SURNAMES) if roll < 0.22 else rng.choice(SURNAMES)
    length = 1 if rng.random() < 0.35 else 2
    given = "".join(rng.choice(RARE_GIVEN_CHARS if rng.random() < 0.25 else GIVEN_CHARS)
                    for _ in range(length))
    return surname + given


def _address(rng: random.Random, start: str) -> str:
    rural = rng.random() < 0.4
    if rural:
        rest = rng.choice(TOWNS) + rng.choice(VILLAGES) + \
            (f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号" if rng.random() < 0.7
             else f"{rng.randint(1, 199)}号")
    else:
        rest = rng.choice(STREETS) + rng.choice(STREET_KINDS) + f"{rng.randint(1, 888)}号"
        if rng.random() < 0.6:
            rest += rng.choice(COMPOUNDS) + f"{rng.randint(1, 30)}栋" + \
                (f"{rng.randint(1, 6)}单元" if rng.random() < 0.6 else "") + \
                f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
    if len(start + rest) > 3 * CHARS_PER_LINE and "号" in rest:  # the compound left out
        rest = rest[:rest.index("号") + 1]
    return (start + rest)[:3 * CHARS_PER_LINE]


def _validity(rng: random.Random, born: date) -> Tuple[date, str]:
    """An issue date and its end (YYYYMMDD or 长期) as the law gives for the age at issue, the
    card still valid on TODAY; ages never within days of a threshold (16, 26, 46)."""
    for _ in range(200):
        start = TODAY - timedelta(days=rng.randint(20, 20 * 365))
        start = start.replace(day=min(start.day, 28))
        if start <= born + timedelta(days=200):
            continue
        age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
        if (start - born).days // 365 != age:
            continue
        years = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0
        end = "长期" if years == 0 else start.replace(year=start.year + years).strftime("%Y%m%d")
        if end == "长期" or date(int(end[:4]), int(end[4:6]), int(end[6:])) > TODAY:
            return start, end
    raise AssertionError("no valid issue date")  # not reached for births before TODAY - 1 year


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """One holder's face and back: what a real card of theirs prints, exactly."""
    code, start_address, authority, local = rng.choice(PLACES)
    roll = rng.random()
    nationality = rng.choice(local) if local and roll < 0.55 else \
        rng.choice(NATIONALITIES[1:]) if roll < 0.75 else "汉"
    sex = rng.choice("男女")
    born = date(1936, 1, 1) + timedelta(days=rng.randint(0, (date(2023, 1, 1) -
                                                             date(1936, 1, 1)).days))
    sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else
                                                    (0, 2, 4, 6, 8))
    first17 = f"{code}{born:%Y%m%d}{sequence:03d}"
    num = first17 + check_character(first17)
    start, end = _validity(rng, born)
    face = {"name": _name(rng, nationality), "sex": sex, "nationality": nationality,
            "birth": f"{born:%Y%m%d}", "address": _address(rng, start_address), "num": num}
    back = {"issue": authority, "start_date": f"{start:%Y%m%d}", "end_date": end}
    return {"face": face, "back": back}


# The card --------------------------------------------------------------------------------------

LABEL_BLUE = ((28, 104, 170), (46, 118, 186), (60, 96, 150))
INK = ((18, 18, 20), (30, 28, 26), (14, 18, 34))
Drawn = List[Tuple[str, Tuple[int, int, int, int]]]  # what was drawn as a value, and where


def _guilloche(rng: random.Random, size: Tuple[int, int], faded: float) -> Image.Image:
    """The card's ground: a left-to-right light blue to light pink wash under fine sine
    lines (彩虹纽索花纹)."""
    w, h = size
    x = np.linspace(0, 1, w)[None, :, None]
    blue, pink = np.array([222, 234, 244.0]), np.array([246, 230, 232.0])
    tone = rng.uniform(-6, 6)
    ground = (blue * (1 - x) + pink * x + tone) * np.ones((h, 1, 1))
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(9, 15) * PX_MM / 10
    waves = np.sin(xs / period + 3 * np.sin(ys / (period * 4.3))) * \
        np.sin(ys / (period * 0.9) + 2 * np.sin(xs / (period * 6.1)))
    lines = np.clip(1 - np.abs(waves) / 0.05, 0, 1)[..., None]
    ground -= lines * np.array([14, 9, 7.0]) * (1 - faded)
    return Image.fromarray(np.clip(ground + 255 * faded * 0.5, 0, 255).astype(np.uint8))


def _rounded(card: Image.Image) -> Image.Image:
    """The corners cut round (3.18 mm), transparent beyond."""
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1),
                                           radius=mm(3.18), fill=255)
    card = card.convert("RGBA")
    card.putalpha(mask)
    return card


def _portrait(rng: random.Random, size: Tuple[int, int]) -> Image.Image:
    """A head and shoulders on the pale ground real card portraits have (no real face)."""
    w, h = size
    img = Image.new("RGB", size, tuple(rng.randint(236, 250) for _ in range(3)))
    d = ImageDraw.Draw(img)
    skin = rng.choice(((236, 200, 176), (214, 170, 138), (186, 136, 100), (150, 104, 74)))
    cloth = tuple(rng.randint(20, 140) for _ in range(3))
    hair = tuple(rng.randint(10, 60) for _ in range(3))
    d.ellipse((w * 0.02, h * 0.70, w * 0.98, h * 1.35), fill=cloth)
    d.rectangle((w * 0.41, h * 0.55, w * 0.59, h * 0.78), fill=skin)
    d.ellipse((w * 0.24, h * 0.12, w * 0.76, h * 0.66), fill=skin)
    d.chord((w * 0.22, h * 0.06, w * 0.78, h * 0.50), 180, 360, fill=hair)
    return img.filter(ImageFilter.GaussianBlur(PX_MM / 10))


def _text(d: ImageDraw.ImageDraw, xy, text: str, f, fill, gap: float = 0.0) -> Tuple[int, ...]:
    """Draws `text` from its top-left at xy (characters `gap` px apart beyond the font's own
    advance); returns its box."""
    x, y = xy
    x0 = x
    for ch in text:
        d.text((x, y), ch, font=f, fill=fill)
        x += f.getlength(ch) + gap
    top, bottom = f.getbbox(text)[1], f.getbbox(text)[3]
    return (int(x0), int(y + top), int(math.ceil(x - gap)), int(y + bottom))


def draw_face(face: Dict[str, str], rng: random.Random, log: Drawn,
              faded: float = 0.0) -> Image.Image:
    """The holder's side, by GB 19584's layout; each value drawn is logged with its box."""
    card = _guilloche(rng, CARD_SIZE, faded)
    card.paste(_portrait(rng, (mm(26), mm(32))), (mm(55.5), mm(8.5)))
    d = ImageDraw.Draw(card)
    blue, ink = rng.choice(LABEL_BLUE), rng.choice(INK)
    value_font = rng.choice([f for f in VALUE_FONTS if covers(f, "".join(face.values()))] or
                            [HANAMIN])
    label = font(rng.choice(LABEL_FONTS), mm(2.65))
    small = font(value_font, mm(rng.uniform(3.05, 3.35)))
    large = font(value_font, mm(rng.uniform(3.6, 3.9)))
    left, value_x = mm(rng.uniform(5.0, 6.5)), mm(rng.uniform(15.5, 17.0))
    rows = [mm(7.5 + rng.uniform(-0.4, 0.4)) + mm(6.1) * i for i in range(4)]
    spaced = mm(rng.uniform(0.9, 1.6))  # labels are printed letter-spaced
    for text, y in (("姓名", rows[0]), ("性别", rows[1]), ("出生", rows[2]), ("住址", rows[3])):
        _text(d, (left, y + mm(0.5)), text, label, blue, spaced)
    log.append((face["name"], _text(d, (value_x, rows[0] - mm(0.3)), face["name"], large, ink)))
    log.append((face["sex"], _text(d, (value_x, rows[1]), face["sex"], small, ink)))
    nation_label_x = value_x + mm(rng.uniform(9.5, 11.0))
    _text(d, (nation_label_x, rows[1] + mm(0.5)), "民族", label, blue, spaced)
    log.append((face["nationality"], _text(d, (nation_label_x + mm(8), rows[1]),
                                           face["nationality"], small, ink)))
    birth = face["birth"]
    x = value_x
    for part, unit in ((birth[:4], "年"), (str(int(birth[4:6])), "月"), (str(int(birth[6:])), "日")):
        box = _text(d, (x, rows[2]), part, small, ink)
        log.append((part, box))
        x = box[2] + mm(0.8)
        _text(d, (x, rows[2] + mm(0.5)), unit, label, blue)
        x += label.getlength(unit) + mm(1.6 if unit == "年" else 1.2)
    address, y, room = face["address"], rows[3], mm(54.5) - value_x
    while address:  # wrapped where the column ends, as the card's printer does
        n = len(address)
        while small.getlength(address[:n]) > room:
            n -= 1
        log.append((address[:n], _text(d, (value_x, y), address[:n], small, ink)))
        address, y = address[n:], y + mm(rng.uniform(4.3, 4.8))
    number_y = mm(rng.uniform(44.5, 46.0))
    _text(d, (left, number_y + mm(0.7)), "公民身份号码", label, blue, mm(0.35))
    number_font = font(rng.choice(NUMBER_FONTS), mm(rng.uniform(3.6, 4.0)))
    span = mm(rng.uniform(47, 53))  # the 18 characters spread along the row, letter-spaced
    gap = max(0.0, (span - number_font.getlength(face["num"])) / 17)
    log.append((face["num"], _text(d, (mm(rng.uniform(25.5, 27.5)), number_y), face["num"],
                                   number_font, ink, gap)))
    return card


def _emblem(d: ImageDraw.ImageDraw, box: Tuple[int, int, int, int], red) -> None:
    """A stand-in for the red national emblem: a ring of wheat round a gate under five stars."""
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    d.ellipse(box, outline=red, width=max(2, int(r * 0.16)))
    d.rectangle((cx - r * 0.45, cy + r * 0.05, cx + r * 0.45, cy + r * 0.45), fill=red)
    d.polygon([(cx - r * 0.55, cy + r * 0.05), (cx, cy - r * 0.2), (cx + r * 0.55, cy + r * 0.05)],
              fill=red)
    for k, (dx, dy, s) in enumerate(((0, -0.55, 0.2), (-0.35, -0.4, 0.09), (-0.18, -0.28, 0.09),
                                     (0.18, -0.28, 0.09), (0.35, -0.4, 0.09))):
        sx, sy, sr = cx + dx * r, cy + dy * r, s * r
        points = [(sx + sr * math.cos(math.pi / 2 + i * math.pi * 4 / 5),
                   sy - sr * math.sin(math.pi / 2 + i * math.pi * 4 / 5)) for i in range(5)]
        d.polygon(points, fill=red)
    d.rectangle((cx - r * 0.7, cy + r * 0.55, cx + r * 0.7, cy + r * 0.7), fill=red)


def _great_wall(card: Image.Image, rng: random.Random) -> None:
    """The grey 长城 picture: far hills, and a crenellated wall climbing across them."""
    d = ImageDraw.Draw(card)
    w, h = card.size
    grey = rng.randint(196, 214)
    ridge = [(x, h * 0.55 - h * 0.08 * math.sin(x / w * 5.1 + 0.7) - h * 0.04 *
              math.sin(x / w * 13)) for x in range(0, w + 8, 8)]
    d.polygon(ridge + [(w, h * 0.74), (0, h * 0.74)], fill=(min(grey + 24, 238),) * 3)
    wall = [(x, h * 0.62 - h * 0.1 * math.sin(x / w * 3.3 + 1.2)) for x in range(0, w + 6, 6)]
    d.line(wall, fill=(grey,) * 3, width=mm(1.2))
    for x, y in wall[::5]:
        d.rectangle((x, y - mm(1.4), x + mm(0.7), y), fill=(grey,) * 3)
    for x, y in wall[25::60]:
        d.rectangle((x - mm(2), y - mm(4), x + mm(2), y), fill=(grey - 8,) * 3)


def draw_back(back: Dict[str, str], rng: random.Random, log: Drawn,
              faded: float = 0.0) -> Image.Image:
    """The emblem side: the authority's lines and then the validity are logged."""
    card = _guilloche(rng, CARD_SIZE, faded)
    _great_wall(card, rng)
    d = ImageDraw.Draw(card)
    red = (rng.randint(196, 226), rng.randint(20, 48), rng.randint(24, 50))
    size = mm(rng.uniform(14.5, 15.5))
    ex, ey = mm(rng.uniform(4.5, 6.5)), mm(rng.uniform(4.0, 5.5))
    _emblem(d, (ex, ey, ex + size, ey + size), red)
    title = rng.choice(TITLE_FONTS)
    _text(d, (mm(27), mm(6.5)), "中华人民共和国", font(title, mm(4.6)), INK[0], mm(1.9))
    _text(d, (mm(24.5), mm(14.5)), "居民身份证", font(title, mm(7.2)), INK[0], mm(3.6))
    blue, ink = rng.choice(LABEL_BLUE), rng.choice(INK)
    label = font(rng.choice(LABEL_FONTS), mm(2.65))
    value_font = rng.choice([f for f in VALUE_FONTS if covers(f, back["issue"])] or [HANAMIN])
    value = font(value_font, mm(rng.uniform(2.9, 3.6)))
    left, value_x = mm(rng.uniform(13.5, 15.5)), mm(rng.uniform(30.0, 31.5))
    issue_y, validity_y = mm(rng.uniform(38.5, 39.5)), mm(rng.uniform(46.5, 47.5))
    _text(d, (left, validity_y + mm(0.4)), "有效期限", label, blue, mm(0.4))
    room = mm(81) - value_x
    issue, y, lines = back["issue"], issue_y, []
    while issue:  # an authority too long for the row wraps beneath itself
        n = len(issue)
        while value.getlength(issue[:n]) > room:
            n -= 1
        lines.append(issue[:n])
        issue = issue[n:]
    if len(lines) > 1:
        issue_y -= mm(3.9) * (len(lines) - 1)
        y = issue_y
    _text(d, (left, issue_y + mm(0.4)), "签发机关", label, blue, mm(0.4))
    for line in lines:
        log.append((line, _text(d, (value_x, y), line, value, ink)))
        y += mm(3.9)

    def dotted(day: str) -> str:
        return f"{day[:4]}.{day[4:6]}.{day[6:]}"

    end = back["end_date"] if back["end_date"] == "长期" else dotted(back["end_date"])
    validity = f"{dotted(back['start_date'])}-{end}"
    log.append((validity, _text(d, (value_x, validity_y - mm(0.3)), validity,
                                font(value_font, mm(rng.uniform(3.1, 3.5))), ink)))
    return card


def card_image(side: str, truth: Dict[str, str], rng: random.Random,
               faded: float = 0.0) -> Image.Image:
    """The side's card, corners rounded (RGBA)."""
    drawn: Drawn = []
    img = (draw_face if side == "face" else draw_back)(truth, rng, drawn, faded)
    return _rounded(img)


# What people put on the copies they hand over --------------------------------------------------

PURPOSES = ("办理宽带", "租房登记", "入学报名", "银行开户", "社保转移", "应聘", "购房合同", "快递实名")
OVERLAY_PHRASES = ("仅供{}使用", "此复印件仅用于{}", "仅限{}用 他用无效", "复印无效",
                   "复印件与原件一致", "仅供本次{}使用 再复印无效", "只用于{}")
STAMP_INKS = ((200, 28, 36), (226, 52, 48), (178, 36, 64))
PEN_INKS = ((24, 48, 150), (20, 20, 28), (170, 30, 40))


def overlay_phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))


def _layer(size) -> Tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def stamp(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A red seal pressed over the card: round with a star and its owner's name on an arc,
    or the rectangular 复印件与原件一致 a clerk stamps on certified copies; uneven ink."""
    w, h = img.size
    side = min(w, h)
    layer, d = _layer(img.size)
    ink = rng.choice(STAMP_INKS) + (rng.randint(150, 225),)
    cx, cy = rng.uniform(0.25, 0.75) * w, rng.uniform(0.3, 0.7) * h
    if rng.random() < 0.55:
        r = side * rng.uniform(0.2, 0.3)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ink, width=max(3, int(r * 0.06)))
        star = [(cx + r * (0.28 if i % 2 == 0 else 0.11) * math.sin(i * math.pi / 5),
                 cy - r * (0.28 if i % 2 == 0 else 0.11) * math.cos(i * math.pi / 5))
                for i in range(10)]
        d.polygon(star, fill=ink)
        owner = rng.choice(("人事专用章", "业务专用章", "合同专用章", "行政章"))
        words = rng.choice(("华信", "长联", "恒达", "星河")) + "科技有限公司" + owner
        f = font(SANS_MEDIUM, max(8, int(r * 0.2)))
        for i, ch in enumerate(words):
            a = math.radians(-150 + 300 * i / max(1, len(words) - 1))
            glyph, gd = _layer((int(r * 0.3), int(r * 0.3)))
            gd.text((0, 0), ch, font=f, fill=ink)
            glyph = glyph.rotate(-math.degrees(a), expand=True)
            layer.alpha_composite(glyph, (int(cx + 0.74 * r * math.sin(a) - glyph.width / 2),
                                          int(cy - 0.74 * r * math.cos(a) - glyph.height / 2)))
        what = "round red stamp"
    else:
        text = "复印件与原件一致"
        f = font(SANS_BLACK, max(10, int(side * rng.uniform(0.07, 0.1))))
        tw = f.getlength(text)
        box = (cx - tw / 2 - 10, cy - f.size * 0.8, cx + tw / 2 + 10, cy + f.size * 0.9)
        d.rectangle(box, outline=ink, width=max(3, f.size // 8))
        d.text((cx - tw / 2, cy - f.size * 0.6), text, font=f, fill=ink)
        layer = layer.rotate(rng.uniform(-20, 20), center=(cx, cy))
        what = "square red stamp"
    speckle = np.random.default_rng(rng.randint(0, 2**31)).random((h, w)) < rng.uniform(0.6, 0.9)
    alpha = np.asarray(layer)[..., 3] * speckle
    layer.putalpha(Image.fromarray(alpha.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1)))
    out = img.convert("RGBA")
    out.alpha_composite(layer)
    return out.convert(img.mode) if img.mode != "RGBA" else out, what


def watermark(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phrase over the card: written by hand with a pen across it, or tiled by a phone app
    in translucent grey or red diagonal rows."""
    w, h = img.size
    phrase = overlay_phrase(rng)
    out = img.convert("RGBA")
    if rng.random() < 0.5:  # by hand: each character a little off, bigger and smaller
        ink = rng.choice(PEN_INKS) + (rng.randint(190, 240),)
        size = int(min(w, h) * rng.uniform(0.08, 0.12))
        layer, d = _layer(img.size)
        x, y = w * rng.uniform(0.05, 0.2), h * rng.uniform(0.35, 0.65)
        for ch in phrase:
            f = font(SANS_LIGHT, int(size * rng.uniform(0.85, 1.15)))
            glyph, gd = _layer((int(size * 1.6), int(size * 1.6)))
            for dx in (0, 1):  # a ballpoint's stroke is thicker than the Light face's
                gd.text((size * 0.2 + dx, size * 0.2), ch, font=f, fill=ink)
            glyph = glyph.rotate(rng.uniform(-12, 12))
            out.alpha_composite(glyph, (int(x), int(y + rng.uniform(-0.1, 0.1) * size)))
            x += size * rng.uniform(0.9, 1.05)
            y -= size * rng.uniform(0.0, 0.2)
        what = "handwritten"
    else:
        grey = rng.random() < 0.6
        ink = ((120, 120, 120) if grey else (220, 60, 60)) + (rng.randint(70, 120),)
        f = font(SANS_MEDIUM, int(min(w, h) * rng.uniform(0.06, 0.09)))
        tile, d = _layer((w * 2, h * 2))
        step_x, step_y = int(f.getlength(phrase) + f.size * 2), int(f.size * rng.uniform(2.6, 3.6))
        for row, y in enumerate(range(0, h * 2, step_y)):
            for x in range(-(row % 2) * step_x // 2, w * 2, step_x):
                d.text((x, y), phrase, font=f, fill=ink)
        tile = tile.rotate(rng.uniform(20, 40))
        out.alpha_composite(tile.crop((w // 2, h // 2, w // 2 + w, h // 2 + h)))
        what = "tiled grey" if grey else "tiled red"
    return (out if img.mode == "RGBA" else out.convert(img.mode)), f"watermark {what} {phrase}"


# What time does to a card ----------------------------------------------------------------------

def wear(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A card carried for years: a corner worn white, scratches across the laminate, or the
    print faded by sun (lower contrast, yellowed)."""
    a = np.asarray(card.convert("RGBA"), np.float32)
    h, w = a.shape[:2]
    npr = np.random.default_rng(rng.randint(0, 2**31))
    what = rng.choice(("worn corner", "scratched laminate", "sun-faded"))
    if what == "worn corner":
        cx, cy = rng.choice(((0, 0), (w, 0), (0, h), (w, h)))
        ys, xs = np.mgrid[0:h, 0:w]
        dist = np.hypot(xs - cx, ys - cy) + npr.normal(0, mm(0.8), (h, w))
        worn = np.clip((mm(rng.uniform(5, 9)) - dist) / mm(2), 0, 1)[..., None]
        a[..., :3] = a[..., :3] * (1 - 0.7 * worn) + 235 * 0.7 * worn
    elif what == "scratched laminate":
        layer, d = _layer(card.size)
        for _ in range(rng.randint(8, 20)):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            angle, length = rng.uniform(0, math.pi), rng.uniform(0.1, 0.5) * w
            d.line((x, y, x + length * math.cos(angle), y + length * math.sin(angle)),
                   fill=(255, 255, 255, rng.randint(60, 140)), width=rng.randint(1, 3))
        out = card.convert("RGBA")
        out.alpha_composite(layer)
        out.putalpha(card.convert("RGBA").getchannel("A"))
        return out, what
    else:
        a[..., :3] = 150 + (a[..., :3] - 150) * rng.uniform(0.55, 0.75)
        a[..., 2] -= rng.uniform(8, 20)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), what


def iridescence(card: Image.Image, rng: random.Random) -> Image.Image:
    """The laminate's holographic 长城 film catching light: rainbow bands across the card."""
    a = np.asarray(card.convert("RGBA"), np.float32)
    h, w = a.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, math.pi)
    phase = (xs * math.cos(angle) + ys * math.sin(angle)) / (w * rng.uniform(0.15, 0.3))
    rainbow = np.stack([np.sin(phase * 6.28 + k * 2.09) for k in range(3)], -1)
    strength = rng.uniform(10, 26) * np.clip(np.sin(phase * 1.3 + rng.uniform(0, 6)), 0, 1)
    a[..., :3] += rainbow * strength[..., None] + strength[..., None] * 0.6
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def sleeve(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A clear plastic card sleeve: a milky haze, its seam, and a sheen along one edge."""
    a = np.asarray(card.convert("RGBA"), np.float32)
    h, w = a.shape[:2]
    haze = rng.uniform(0.08, 0.2)
    a[..., :3] = a[..., :3] * (1 - haze) + 240 * haze
    band = np.exp(-((np.arange(w) - w * rng.uniform(0.1, 0.9)) / (w * 0.05)) ** 2)
    a[..., :3] += band[None, :, None] * rng.uniform(25, 60)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), "in a plastic sleeve"


# The scene -------------------------------------------------------------------------------------

FRAMES = ((4000, 3000), (3000, 4000), (4000, 2252), (3264, 2448), (2592, 1944), (1920, 1440),
          (1280, 960), (2448, 3264))
SURFACES = ("oak table", "checked tablecloth", "white marble", "dark leather", "printed cotton",
            "grey office desk", "rattan mat", "palm of a hand")


def _npr(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.randint(0, 2**31))


def _smooth_noise(npr, shape, scale: int) -> np.ndarray:
    """Noise varying over about `scale` pixels (upsampled from a coarse grid), in 0..1."""
    h, w = shape
    coarse = npr.random((max(2, h // scale + 2), max(2, w // scale + 2)))
    img = Image.fromarray((coarse * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
    return np.asarray(img, np.float32) / 255


def surface(rng: random.Random, size: Tuple[int, int], name: Optional[str] = None
            ) -> Tuple[Image.Image, str]:
    """A textured surface of `size` (drawn at half size above 2,000 px, then enlarged: a phone
    resolves no finer texture at that distance)."""
    full = size
    if max(size) > 2000:
        size = (size[0] // 2, size[1] // 2)
    img, name = _surface(rng, size, name)
    return (img.resize(full, Image.BILINEAR) if size != full else img), name


def _surface(rng: random.Random, size: Tuple[int, int], name: Optional[str]
             ) -> Tuple[Image.Image, str]:
    w, h = size
    name = name or rng.choice(SURFACES)
    npr = _npr(rng)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if name == "oak table":
        warp = _smooth_noise(npr, (h, w), max(w, h) // 6) * 40
        grain = np.sin((ys + warp + 8 * np.sin(xs / 300)) / rng.uniform(6, 14)) * 0.5 + 0.5
        base = np.array([150, 104, 62.0]) * rng.uniform(0.8, 1.15)
        img = base * (0.8 + 0.25 * grain[..., None])
    elif name == "checked tablecloth":
        cell = rng.randint(40, 160)
        check = ((xs // cell) % 2 + (ys // cell) % 2)[..., None] / 2
        colour = np.array(rng.choice(((200, 40, 40), (40, 90, 170), (40, 130, 70))), np.float32)
        img = 245 * (1 - check) + colour * check + (np.sin(xs / 2.5) * 6)[..., None]
    elif name == "white marble":
        veins = np.abs(np.sin((xs + ys * 0.6 + _smooth_noise(npr, (h, w), 200) * 500) / 90))
        img = np.full((h, w, 3), 232.0) - (veins < 0.06)[..., None] * 60 * \
            _smooth_noise(npr, (h, w), 60)[..., None]
    elif name == "dark leather":
        img = np.array([58, 40, 32.0]) + npr.normal(0, 5, (h, w, 1)) + \
            _smooth_noise(npr, (h, w), 8)[..., None] * 18
    elif name == "printed cotton":  # flowers on a coloured ground
        img = np.ones((h, w, 3)) * np.array(rng.choice(((236, 220, 190), (190, 214, 230),
                                                        (240, 200, 210))), np.float32)
        pil = Image.fromarray(img.astype(np.uint8))
        d = ImageDraw.Draw(pil)
        r = rng.randint(18, 60)
        for _ in range(int(w * h / (r * r * 12))):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            colour = tuple(rng.randint(60, 220) for _ in range(3))
            for k in range(5):
                a = k * 1.2566
                d.ellipse((x + r * math.cos(a) - r / 2, y + r * math.sin(a) - r / 2,
                           x + r * math.cos(a) + r / 2, y + r * math.sin(a) + r / 2), fill=colour)
        img = np.asarray(pil, np.float32)
    elif name == "grey office desk":
        img = np.full((h, w, 3), rng.uniform(120, 170)) + npr.normal(0, 3, (h, w, 1))
    elif name == "rattan mat":
        weave = np.sin(xs / 7) * np.sin(ys / 7) > 0
        img = np.where(weave[..., None], np.array([196, 160, 100.0]), np.array([170, 130, 80.0]))
        img = img + (np.sin((xs + ys) / 3) * 8)[..., None]
    else:  # a palm: skin under the card, the card held flat on it
        skin = np.array(rng.choice(((232, 190, 160), (200, 150, 116), (150, 100, 72),
                                    (100, 66, 48))), np.float32)
        img = skin * (0.85 + 0.2 * _smooth_noise(npr, (h, w), 120))[..., None]
        img *= np.clip(1.2 - np.hypot(xs / w - 0.5, ys / h - 0.5), 0.3, 1)[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), name


def homography(src, dst) -> np.ndarray:
    """The 3x3 matrix mapping the four points `src` onto `dst`."""
    rows = []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    a = np.array(rows, np.float64)
    solution = np.linalg.solve(a[:, :8], a[:, 8])
    return np.append(solution, 1).reshape(3, 3)


def card_quad(rng: random.Random, width: float, turn: int, skew: float, keystone: float,
              at: Tuple[float, float]):
    """The card's corners TL, BL, BR, TR (of the card itself, in the photo) when it is
    `width` px wide, turned by `turn` + `skew` degrees clockwise about `at`, and seen at an
    angle that narrows one edge by `keystone`."""
    height = width * 54 / 85.6
    pts = np.array([(-width / 2, -height / 2), (-width / 2, height / 2), (width / 2, height / 2),
                    (width / 2, -height / 2)])
    edge = rng.randrange(4)  # the edge further from the camera looks shorter
    near, far = edge, (edge + 1) % 4
    middle = (pts[near] + pts[far]) / 2
    pts[near] = middle + (pts[near] - middle) * (1 - keystone)
    pts[far] = middle + (pts[far] - middle) * (1 - keystone)
    a = math.radians(turn + skew)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return [tuple(p) for p in (pts @ rot.T + np.array(at))]


def place(scene: Image.Image, card: Image.Image, quad, shadow: float = 0.3) -> Image.Image:
    """The card (RGBA) warped onto the scene at `quad`, with a soft contact shadow."""
    w, h = card.size
    inverse = homography(quad, [(0, 0), (0, h), (w, h), (w, 0)])
    coeffs = (inverse / inverse[2, 2]).flatten()[:8]
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    box = (max(0, int(min(xs)) - 40), max(0, int(min(ys)) - 40),
           min(scene.width, int(max(xs)) + 40), min(scene.height, int(max(ys)) + 40))
    if box[2] <= box[0] or box[3] <= box[1]:
        return scene
    shifted = np.array([[1, 0, box[0]], [0, 1, box[1]], [0, 0, 1]], np.float64)
    local = inverse @ shifted
    coeffs = (local / local[2, 2]).flatten()[:8]
    size = (box[2] - box[0], box[3] - box[1])
    warped = card.transform(size, Image.PERSPECTIVE, tuple(coeffs), Image.BICUBIC)
    scene = scene.convert("RGB")
    if shadow:
        alpha = warped.getchannel("A").filter(ImageFilter.GaussianBlur(max(3, size[0] // 80)))
        dark = Image.new("RGB", size, (0, 0, 0))
        region = scene.crop(box)
        offset = Image.new("L", size, 0)
        offset.paste(alpha, (size[0] // 120, size[0] // 90))
        scene.paste(Image.composite(dark, region, offset.point(lambda v: int(v * shadow))),
                    box[:2])
    scene.paste(warped.convert("RGB"), box[:2], warped.getchannel("A"))
    return scene


# The camera ------------------------------------------------------------------------------------

def lighting(scene: Image.Image, rng: random.Random, dim: float = 1.0,
             mixed: bool = False) -> Tuple[Image.Image, str]:
    """Exposure falling off across the frame and to the corners (vignetting); optionally a
    warm lamp on one side and cool daylight on the other."""
    w, h = scene.size
    ys, xs = np.mgrid[0:h:8, 0:w:8].astype(np.float32)  # light varies slowly: a coarse grid
    r = np.hypot(xs / w - 0.5, ys / h - 0.5) / 0.707
    gain = dim * (1 - rng.uniform(0.15, 0.45) * r ** 2)
    angle = rng.uniform(0, 2 * math.pi)
    gain *= 1 + rng.uniform(0, 0.25) * ((xs / w - 0.5) * math.cos(angle) +
                                        (ys / h - 0.5) * math.sin(angle))
    gains = [gain] * 3
    what = "even light"
    if mixed:
        t = np.clip((xs / w - 0.5) * math.cos(angle) + 0.5, 0, 1)
        gains = [gain * (warm * t + cool * (1 - t))
                 for warm, cool in ((1.12, 0.9), (0.98, 0.98), (0.74, 1.12))]
        what = "lamp and daylight"
    top = max(float(g.max()) for g in gains)
    # multiplied in 8 bits (gain / top), then every level raised by top: the same picture
    maps = Image.merge("RGB", [Image.fromarray(np.clip(g / top * 255, 0, 255).astype(np.uint8))
                               .resize((w, h), Image.BILINEAR) for g in gains])
    lit = ImageChops.multiply(scene.convert("RGB"), maps)
    lut = [min(255, round(v * top)) for v in range(256)]
    return lit.point(lut * 3), what


def sensor(img: Image.Image, rng: random.Random, iso: float = 1.0) -> Image.Image:
    """Sensor noise (grey grain and weaker colour grain, stronger at a high ISO), then the
    phone's denoise and sharpening."""
    img = img.convert("RGB")
    npr = _npr(rng)
    # a noise patch repeated at a prime period: the same grain for a tenth of the random draws
    luma = npr.standard_normal((509, 509, 1), np.float32) * 4.5 * iso
    chroma = npr.standard_normal((509, 509, 3), np.float32) * 1.5 * iso
    patch = Image.fromarray(np.clip(128 + luma + chroma, 0, 255).astype(np.uint8))
    noise = Image.new("RGB", img.size)
    dx, dy = rng.randrange(509), rng.randrange(509)
    for y in range(-dy, img.height, 509):
        for x in range(-dx, img.width, 509):
            noise.paste(patch, (x, y))
    img = ImageChops.add(img, noise, 1.0, -128)
    if iso > 2:
        img = img.filter(ImageFilter.GaussianBlur(0.8))
    if rng.random() < 0.4:  # the phone's sharpening
        img = img.filter(ImageFilter.UnsharpMask(2, rng.randint(40, 90), 3))
    return img


def motion_blur(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A shaken hand: the picture smeared along one direction."""
    length = rng.randint(4, 12)
    angle = rng.uniform(0, math.pi)
    a = np.asarray(img.convert("RGB"))
    out = np.zeros(a.shape, np.uint16)
    for k in range(length):
        dx = int(round((k - length / 2) * math.cos(angle)))
        dy = int(round((k - length / 2) * math.sin(angle)))
        out += np.roll(a, (dy, dx), (0, 1))
    return Image.fromarray((out // length).astype(np.uint8)), f"motion blur {length} px"


def rolling_shutter(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phone panned while its sensor reads row by row: each row shifted a little more."""
    shear = rng.uniform(-0.06, 0.06)
    w, h = img.size
    out = img.transform(img.size, Image.AFFINE, (1, shear, -shear * h / 2, 0, 1, 0),
                        Image.BILINEAR)
    return out, f"rolling shutter {shear:+.2f}"


def barrel(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A wide phone lens's barrel distortion (straight edges bow outwards)."""
    k = rng.uniform(0.04, 0.1)
    w, h = img.size
    small = max(w, h) > 2000
    work = img.resize((w // 2, h // 2), Image.BILINEAR) if small else img
    ww, hh = work.size
    ys, xs = np.mgrid[0:hh, 0:ww].astype(np.float32)
    nx, ny = (xs - ww / 2) / (ww / 2), (ys - hh / 2) / (ww / 2)
    r2 = nx * nx + ny * ny
    sx = np.clip(ww / 2 + nx * (1 - k * r2) * ww / 2, 0, ww - 1).astype(np.int32)
    sy = np.clip(hh / 2 + ny * (1 - k * r2) * ww / 2, 0, hh - 1).astype(np.int32)
    out = Image.fromarray(np.asarray(work)[sy, sx])
    if small:
        out = out.resize((w, h), Image.BICUBIC)
    return out, f"barrel {k:.2f}"


def hdr(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phone's HDR tone mapping: local contrast lifted, with halos along strong edges."""
    return img.filter(ImageFilter.UnsharpMask(rng.randint(25, 60), rng.randint(40, 80), 0)), \
        "HDR halos"


def beauty(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A beauty filter: smooth areas smoothed further (edges kept), then brightened."""
    a = np.asarray(img, np.float32)
    blurred = np.asarray(img.filter(ImageFilter.GaussianBlur(rng.uniform(2, 4))), np.float32)
    edge = np.abs(a - blurred).sum(-1, keepdims=True)
    keep = np.clip(edge / 40, 0, 1)
    out = a * keep + blurred * (1 - keep)
    return Image.fromarray(np.clip(out * 1.05 + 6, 0, 255).astype(np.uint8)), "beauty filter"


def glare(scene: Image.Image, rng: random.Random, centre, radius: float,
          shape: str = "spot") -> Image.Image:
    """Light reflected by the laminate: a saturated core fading out (a spot, or a window's
    long band)."""
    reach = radius * (1.5 if shape == "spot" else 7)
    box = (max(0, int(centre[0] - reach)), max(0, int(centre[1] - reach)),
           min(scene.width, int(centre[0] + reach) + 1),
           min(scene.height, int(centre[1] + reach) + 1))
    if box[2] <= box[0] or box[3] <= box[1]:
        return scene
    a = np.asarray(scene.crop(box), np.float32)
    ys, xs = np.mgrid[box[1]:box[3], box[0]:box[2]].astype(np.float32)
    if shape == "spot":
        d = np.hypot(xs - centre[0], ys - centre[1]) / radius
    else:  # a window's reflection: a band, fading along its length too
        angle = rng.uniform(0, math.pi)
        d = np.abs((xs - centre[0]) * math.sin(angle) - (ys - centre[1]) * math.cos(angle)) / \
            (radius * 0.5) + (np.hypot(xs - centre[0], ys - centre[1]) / (radius * 5)) ** 2
    light = np.clip(1.4 - d, 0, 1.4)[..., None] ** 1.5
    out = scene.convert("RGB")
    out.paste(Image.fromarray(np.clip(a + light * 255, 0, 255).astype(np.uint8)), box[:2])
    return out


def shadow_of(scene: Image.Image, rng: random.Random, quad) -> Tuple[Image.Image, str]:
    """The phone's or the hand's shadow falling across part of the card."""
    w, h = scene.size
    mask = Image.new("L", (w // 4, h // 4), 0)  # a soft shadow: drawn coarse, then enlarged
    xs, ys = [p[0] / 4 for p in quad], [p[1] / 4 for p in quad]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    cut = rng.uniform(0.3, 0.7)
    polygon = [(x0 - 50, y0 - 50), (x0 + (x1 - x0) * cut, y0 - 50),
               (x0 + (x1 - x0) * rng.uniform(0.1, 0.6), y1 + 50), (x0 - 50, y1 + 50)]
    ImageDraw.Draw(mask).polygon(polygon, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, (x1 - x0) / 40))).resize((w, h),
                                                                               Image.BILINEAR)
    depth = rng.uniform(0.35, 0.6)
    dark = Image.eval(scene.convert("RGB"), lambda v: int(v * (1 - depth)))
    return Image.composite(dark, scene.convert("RGB"), mask), "hand shadow"


def encode(img: Image.Image, rng: random.Random, quality: Optional[int] = None,
           subsampling: int = 0) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality or rng.randint(80, 94),
                            subsampling=subsampling)
    return out.getvalue()


def messenger(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """Sent through a chat app: the long side cut to 1280 or 1080 and recompressed at 4:2:0,
    once or twice (forwarded)."""
    long_side = rng.choice((1280, 1080))
    scale = long_side / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    times = rng.choice((1, 2))
    for _ in range(times):
        img = Image.open(io.BytesIO(encode(img, rng, rng.randint(60, 78), 2))).convert("RGB")
    return img, f"sent at {max(img.size)} px{' twice' if times == 2 else ''}"


# The photos ------------------------------------------------------------------------------------

TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}


def _fits(frame: Tuple[int, int], turn: int, slack: float) -> float:
    """The widest card that fits the frame at that quarter turn, with room to spare."""
    w, h = frame
    along, across = (w, h) if turn in (0, 180) else (h, w)
    return slack * min(along, across * 85.6 / 54)


def _by_chance(img: Image.Image, rng: random.Random, notes: List[str], steps) -> Image.Image:
    """Each (chance, effect) of `steps` in turn, applied when the dice say so; what each did
    is noted."""
    for chance, effect in steps:
        if rng.random() < chance:
            img, what = effect(img, rng)
            notes.append(what)
    return img


def _hard_card(card: Image.Image, rng: random.Random, notes: List[str]) -> Image.Image:
    """What happens to the card itself before the photo (each with its chance)."""
    return _by_chance(card, rng, notes, (
        (0.3, wear), (0.25, lambda img, r: (iridescence(img, r), "holographic sheen")),
        (0.2, sleeve), (0.35, stamp), (0.35, watermark)))


def _photo_effects(scene: Image.Image, rng: random.Random, quad, notes: List[str],
                   hard: bool) -> Image.Image:
    mixed = hard and rng.random() < 0.25
    dim = rng.uniform(0.3, 0.55) if hard and rng.random() < 0.25 else rng.uniform(0.85, 1.1)
    scene, what = lighting(scene, rng, dim, mixed)
    notes.append(what if dim > 0.8 else f"dark ({dim:.2f})")
    if hard:
        centre = np.mean(quad, 0)
        size = np.ptp(np.array(quad), 0).max()
        if rng.random() < 0.3:
            spot = centre + np.array([rng.uniform(-0.3, 0.3), rng.uniform(-0.2, 0.2)]) * size
            shape = rng.choice(("spot", "band"))
            scene = glare(scene, rng, spot, size * rng.uniform(0.08, 0.18), shape)
            notes.append(f"glare {shape}")
        if rng.random() < 0.2:
            scene, what = shadow_of(scene, rng, quad)
            notes.append(what)
        scene = _by_chance(scene, rng, notes, ((0.2, motion_blur), (0.15, rolling_shutter),
                                               (0.2, barrel), (0.15, hdr), (0.12, beauty)))
        if rng.random() < 0.2:
            radius = rng.uniform(1.0, 2.2)
            scene = scene.filter(ImageFilter.GaussianBlur(radius))
            notes.append(f"out of focus {radius:.1f}")
    return sensor(scene, rng, 3.0 if dim < 0.6 else rng.uniform(0.6, 1.4))


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    rng = random.Random(f"stranger/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        return _sheet(person, rng)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    hard = kind == "hard"
    notes = [side]
    card = card_image(side, person[side], rng, rng.uniform(0, 0.25) if hard else 0.0)
    if hard:
        card = _hard_card(card, rng, notes)
    turn = rng.choice((0, 90, 180, 270)) if hard else 0
    skew = rng.uniform(-20, 20) if hard else rng.uniform(-4, 4)
    keystone = rng.uniform(0, 0.3) if hard else rng.uniform(0, 0.06)
    frame = rng.choice(FRAMES)
    sent = rng.random() < (0.35 if hard else 0.25)
    scale = min(1.0, rng.choice((1280, 1080)) / max(frame)) if sent else 1.0
    widest = min(1300, _fits((frame[0] * scale, frame[1] * scale), turn, 0.62 if hard else 0.8))
    final = rng.uniform(448, max(449, widest))
    width = final / scale
    scene, where = surface(rng, frame)
    half = np.array([width, width]) * 0.6
    at = (rng.uniform(half[0], frame[0] - half[0]) if frame[0] > 2 * half[0] else frame[0] / 2,
          rng.uniform(half[1], frame[1] - half[1]) if frame[1] > 2 * half[1] else frame[1] / 2)
    quad = card_quad(rng, width, turn, skew, keystone, at)
    scene = place(scene, card, quad, rng.uniform(0.15, 0.45))
    notes += [TURNS[turn], f"skew {skew:+.0f}", f"{keystone * 60:.0f} degrees off",
              f"card {round(final)} px", f"{frame[0]}x{frame[1]}", f"on {where}"]
    scene = _photo_effects(scene, rng, quad, notes, hard)
    if hard and rng.random() < 0.15:
        scene, what = watermark(scene, rng)  # an app's mark over the whole photo
        notes.append(what)
    if sent:
        scene, what = messenger(scene, rng)
        notes.append(what)
        data = encode(scene, rng, rng.randint(70, 82), 2)
    else:
        low = hard and rng.random() < 0.3
        data = encode(scene, rng, rng.randint(45, 65) if low else None, 2 if low else 0)
    return Photo(kind, data, {side: person[side]}, ", ".join(notes))


SHEET_DPI = (150, 200, 240, 300)


def _sheet(person, rng: random.Random) -> Photo:
    """Both sides on an A4 page, each laid on the glass its own way (turned, skewed) and
    copied darker or lighter; then scanned in colour, copied black-and-white, or the page
    photographed on a table."""
    dpi = rng.choice(SHEET_DPI)
    page_size = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
    page = Image.new("RGB", page_size, tuple(rng.randint(238, 252) for _ in range(3)))
    width = 85.6 / 25.4 * dpi
    notes = [f"A4 at {dpi} dpi", f"card {round(width)} px"]
    order = ["face", "back"] if rng.random() < 0.75 else ["back", "face"]
    for slot, side in enumerate(order):
        card = card_image(side, person[side], rng)
        turn = rng.choice((0, 0, 90, 180, 270))
        skew = rng.uniform(-6, 6)
        darker = rng.uniform(0.55, 1.05)
        a = np.asarray(card, np.float32)
        a[..., :3] = 255 * (a[..., :3] / 255) ** (1 / darker) * min(1.0, darker + 0.1)
        card = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
        room = page_size[1] / 2
        at = (page_size[0] * rng.uniform(0.4, 0.6), room * slot + room * rng.uniform(0.45, 0.55))
        page = place(page, card, card_quad(rng, width, turn, skew, 0.0, at), 0.0)
        notes.append(f"{side} {TURNS[turn]} skew {skew:+.0f} density {darker:.2f}")
    page = _by_chance(page, rng, notes, ((0.4, stamp), (0.5, watermark)))
    how = rng.choice(("colour scan", "black-and-white copy", "photographed"))
    if how == "colour scan":
        a = np.asarray(page, np.float32)
        edge = rng.choice((0, 1))  # the lid did not close: a shadow along one edge
        ramp = np.linspace(0, 1, a.shape[1 - edge])
        lid = 1 - 0.45 * np.clip(1 - ramp / 0.06, 0, 1)
        a = a * (lid[None, :, None] if edge == 0 else lid[:, None, None])
        page = sensor(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), rng, 0.5)
    elif how == "black-and-white copy":
        grey = np.asarray(page.convert("L"), np.float32)
        grey = np.clip((grey - 60) * rng.uniform(1.2, 1.5), 0, 255)
        grey += _npr(rng).normal(0, 6, grey.shape)
        page = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")
    else:
        frame = rng.choice(((4000, 3000), (3000, 4000), (3264, 2448)))
        scene, where = surface(rng, frame, rng.choice(SURFACES[:-1]))
        height = min(frame[1] * 0.9, frame[0] * 0.9 * 297 / 210)
        wide = height * 210 / 297
        sheet = page.convert("RGBA")
        cx, cy = frame[0] / 2, frame[1] / 2
        shrink = rng.uniform(0, 0.12)
        quad = [(cx - wide / 2, cy - height / 2), (cx - wide / 2 * (1 - shrink), cy + height / 2),
                (cx + wide / 2 * (1 - shrink), cy + height / 2), (cx + wide / 2, cy - height / 2)]
        scene = place(scene, sheet, quad, 0.25)
        scene, light = lighting(scene, rng, rng.uniform(0.75, 1.05))
        page = sensor(scene, rng, 1.2)
        notes[1] = f"card {round(width * height / page_size[1])} px"
        how += f" on {where}, {light}"
    notes.append(how)
    return Photo("sheet", encode(page, rng, rng.randint(72, 90)), dict(person), ", ".join(notes))
