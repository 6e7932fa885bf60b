"""The twelfth hold-out rendering of the resident ID card, `rover`: its own card, data, fonts and
photos, drawn 2026-12-07 without reading the engine, the KYC rules, the cascade or any other
generator's drawing code (only the registration contract in renderings.py and artifacts.py,
typefaces.py for font questions, card/checks.py for what a valid card is).

Sources (public descriptions, not other generators):
- GB 19584-2004 as the public pages describe the second-generation card: 85.6 x 54.0 mm, a
  multi-layer polyester card; the side with the portrait carries 姓名, 性别, 民族, 出生, 住址 and
  公民身份号码 with the colour photo on the right; the other side the national emblem, the
  name 中华人民共和国 / 居民身份证, the stylised Great Wall, 签发机关 and 有效期限; the security
  print's rainbow runs light blue to light pink and back to light blue from left to right
  (e.g. zhideedu.com/shenghuo/55796.html, m.tutulvyou.com/shenghuo/107379.html, and
  Wikipedia's 中华人民共和国居民身份证).
- The resident ID card law (居民身份证法) articles 5 and 8: valid 5 years under 16, 10 years at
  16-25, 20 years at 26-45, 长期 from 46; issued by the county-level public-security organ
  where the holder's household is registered (a city district's is the city bureau's 分局).
- GB 11643-1999: six region digits, the birth date, a sequence whose last digit is odd for men,
  the ISO 7064 MOD 11-2 check character.
- GB/T 2260: every district in PLACES is checked against the region codes card/checks.py
  uses (tests/test_rover_holdout.py).

The card is drawn at 11 px a millimetre (942 x 594). Fonts no other set draws with: the values
in Noto Sans CJK JP or KR Regular or Noto Serif CJK JP Medium (the Japanese and Korean faces of
Noto's collections, index 0 and 1, which draw every simplified character the data holds, some
in their own regional shapes), the labels in Noto Sans CJK KR Medium, the titles in Noto Serif
CJK JP Bold or Noto Sans CJK KR Black, the number in Fantasque Sans Mono, Monoid or monofur
(fonts-fantasque-sans, fonts-monoid, fonts-monofur). IPAmj Mincho was tried and dropped: it
lacks a third of the simplified characters. A character a value face does not draw would be
drawn in the next of VALUE_FONTS that does (typefaces.covers); none is missing today.

`shoot(kind, seed)` gives a Photo for plain_face, plain_back, hard (one of HARD_EFFECTS in turn
by seed, with quarter turns, skew, stamps and watermarks by chance) and sheet (both sides of
one holder on A4, one of SHEET_EFFECTS in turn by seed). Everything follows from the seed.
"""

import io
import math
import random
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from tests.fakes.realistic import Photo
from tests.fakes.typefaces import covers, face as font_face, installed

KINDS = ("plain_face", "plain_back", "hard", "sheet")
PX_MM = 11.0
CARD_SIZE = (round(85.6 * PX_MM), round(54.0 * PX_MM))
TODAY = date(2026, 12, 7)
CHARS_PER_LINE = 11

_NOTO = "/usr/share/fonts/opentype/noto/"
VALUE_FONTS = ((_NOTO + "NotoSansCJK-Regular.ttc", 0), (_NOTO + "NotoSansCJK-Regular.ttc", 1),
               (_NOTO + "NotoSerifCJK-Medium.ttc", 0))
LABEL_FONTS = ((_NOTO + "NotoSansCJK-Medium.ttc", 1),)
TITLE_FONTS = ((_NOTO + "NotoSerifCJK-Bold.ttc", 0), (_NOTO + "NotoSansCJK-Black.ttc", 1))
NUMBER_FONTS = (("/usr/share/fonts/opentype/fantasque-sans/Normal/OTF/FantasqueSansMono-Regular"
                 ".otf", 0), ("/usr/share/fonts/truetype/monoid/Monoid-Regular.ttf", 0),
                ("/usr/share/fonts/truetype/monofur/monof55.ttf", 0))
ALL_FONTS = VALUE_FONTS + LABEL_FONTS + TITLE_FONTS + NUMBER_FONTS
PACKAGES = "fonts-noto-cjk fonts-noto-cjk-extra fonts-fantasque-sans " \
           "fonts-monoid fonts-monofur"

LABEL_BLUE = (38, 118, 190)
INK = (18, 18, 20)
SEAL_RED = (205, 30, 36)


def available() -> bool:
    return installed(ALL_FONTS)


def mm(value: float) -> int:
    return int(round(value * PX_MM))


# Data ------------------------------------------------------------------------------------------

NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
            "魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
            "龚邵万钱严覃武戴莫孔向汤")
RARE_SURNAMES = "甯昝佘隗麴郦帅冼邰琚巫乜郗蔺戢靳阚宓宦逯缑郜羿嵇綦"
COMPOUND_SURNAMES = ("欧阳", "上官", "皇甫", "公孙", "慕容", "令狐", "宇文", "闻人", "东方", "夏侯",
                     "诸葛", "万俟", "呼延", "端木", "钟离")
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文宇浩然思雨欣怡子涵梓轩俊凯佳琪晨阳海燕春梅德胜永福宏伟晓东雪梅丹丹一鸣嘉怡婷"
RARE_GIVEN_CHARS = "昶珝曌喆燚沅旻玥翯頔祎斐甡炜昱晔瑄琰璟珣"
# Names of nationalities written with a middle dot (transliterated given name · father's name).
DOTTED_PARTS = {
    "维吾尔": ("阿依古丽", "买买提", "努尔", "艾力", "吐尔逊", "热依拉", "阿不都热合曼", "古丽米热",
             "依明", "帕提古丽", "麦合木提", "阿布力克木"),
    "哈萨克": ("叶尔兰", "哈力木", "加娜尔", "努尔兰", "别克", "阿依达娜", "沙吾列", "托合塔尔"),
    "柯尔克孜": ("阿依别克", "玛纳斯", "古丽加娜提", "吐尔洪"),
    "塔吉克": ("帕米尔", "阿依努尔", "古力汗", "买买提江"),
    "乌孜别克": ("努尔阿米娜", "阿克木", "沙比尔"),
    "塔塔尔": ("阿丽娅", "卡米勒", "萨比拉"),
    "俄罗斯": ("伊万", "安娜", "瓦西里耶维奇", "娜塔莎"),
}
# Names written whole (no surname): Tibetan, Mongolian, Yi, Monba and Lhoba holders often.
GIVEN_WHOLE = {
    "藏": ("扎西次仁", "格桑卓玛", "次仁央金", "丹增尼玛", "拉巴顿珠", "德吉央宗", "索朗旺堆",
          "白玛曲珍"),
    "蒙古": ("巴特尔", "乌云其木格", "额尔敦巴雅尔", "斯琴高娃", "苏日娜", "那仁满都拉",
           "阿拉坦仓"),
    "彝": ("阿苏木呷", "吉克曲布", "沙马阿果", "俄木拉则"),
    "门巴": ("次旺多吉", "平措卓嘎"),
    "珞巴": ("达久", "亚依"),
    "鄂温克": ("乌日娜", "杜拉尔敖登"),
}
STREETS = ("和平", "团结", "幸福", "光明", "建设", "胜利", "解放", "友谊", "新华", "人民", "文化",
           "迎宾", "滨河", "朝阳", "长青", "育才", "望江", "金桥")
STREET_KINDS = ("路", "大街", "街", "巷", "北路", "南路", "东路")
TOWNS = ("城关镇", "新兴镇", "河口乡", "石门镇", "龙泉街道", "东关街道", "青山乡", "白沙镇",
         "红旗街道", "双河镇")
SUMU = ("巴彦苏木", "宝日希勒苏木", "乌兰苏木")
VILLAGES = ("上庄村", "下河村", "柳树湾村", "马家坪村", "石桥村", "黄土岗村", "南沟村",
            "团山村")
ESTATES = ("锦绣家园", "阳光花园", "翠湖小区", "金色港湾", "书香苑", "润园", "滨江华府")
GACHA = ("乌兰嘎查", "巴彦嘎查", "查干嘎查")

# (region code, the address as far as the district, the authority that issues there). Every
# code is GB/T 2260's for that district (checked against card/checks.py's region codes); a city
# district's authority is the city bureau's 分局, a county's, banner's or autonomous county's
# its own 公安局 (居民身份证法 article 8).
PLACES = (
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("440106", "广东省广州市天河区", "广州市公安局天河区分局"),
    ("420111", "湖北省武汉市洪山区", "武汉市公安局洪山区分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("370212", "山东省青岛市崂山区", "青岛市公安局崂山分局"),
    ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨市公安局南岗分局"),
    ("650104", "新疆维吾尔自治区乌鲁木齐市新市区", "乌鲁木齐市公安局新市区分局"),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特市公安局新城区分局"),
    ("520102", "贵州省贵阳市南明区", "贵阳市公安局南明分局"),
    ("350203", "福建省厦门市思明区", "厦门市公安局思明分局"),
    ("620102", "甘肃省兰州市城关区", "兰州市公安局城关分局"),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("152526", "内蒙古自治区锡林郭勒盟西乌珠穆沁旗", "西乌珠穆沁旗公安局"),
    ("150723", "内蒙古自治区呼伦贝尔市鄂伦春自治旗", "鄂伦春自治旗公安局"),
    ("533422", "云南省迪庆藏族自治州德钦县", "德钦县公安局"),
    ("532625", "云南省文山壮族苗族自治州马关县", "马关县公安局"),
    ("433130", "湖南省湘西土家族苗族自治州龙山县", "龙山县公安局"),
    ("513336", "四川省甘孜藏族自治州乡城县", "乡城县公安局"),
    ("513431", "四川省凉山彝族自治州昭觉县", "昭觉县公安局"),
    ("632323", "青海省黄南藏族自治州泽库县", "泽库县公安局"),
    ("654326", "新疆维吾尔自治区阿勒泰地区吉木乃县", "吉木乃县公安局"),
    ("653130", "新疆维吾尔自治区喀什地区巴楚县", "巴楚县公安局"),
    ("451031", "广西壮族自治区百色市隆林各族自治县", "隆林各族自治县公安局"),
    ("522631", "贵州省黔东南苗族侗族自治州黎平县", "黎平县公安局"),
    ("130828", "河北省承德市围场满族蒙古族自治县", "围场满族蒙古族自治县公安局"),
    ("211324", "辽宁省朝阳市喀喇沁左翼蒙古族自治县", "喀喇沁左翼蒙古族自治县公安局"),
    ("622927", "甘肃省临夏回族自治州积石山保安族东乡族撒拉族自治县",
     "积石山保安族东乡族撒拉族自治县公安局"),
    ("469025", "海南省白沙黎族自治县", "白沙黎族自治县公安局"),
    ("360722", "江西省赣州市信丰县", "信丰县公安局"),
    ("410526", "河南省安阳市滑县", "滑县公安局"),
    ("340828", "安徽省安庆市岳西县", "岳西县公安局"),
    ("500242", "重庆市酉阳土家族苗族自治县", "酉阳土家族苗族自治县公安局"),
    ("540402", "西藏自治区林芝市巴宜区", "林芝市公安局巴宜分局"),
    ("530925", "云南省临沧市双江拉祜族佤族布朗族傣族自治县", "双江拉祜族佤族布朗族傣族自治县公安局"),
    ("530825", "云南省普洱市镇沅彝族哈尼族拉祜族自治县", "镇沅彝族哈尼族拉祜族自治县公安局"),
    ("530827", "云南省普洱市孟连傣族拉祜族佤族自治县", "孟连傣族拉祜族佤族自治县公安局"),
    ("150703", "内蒙古自治区呼伦贝尔市扎赉诺尔区", "呼伦贝尔市公安局扎赉诺尔区分局"),
    ("150603", "内蒙古自治区鄂尔多斯市康巴什区", "鄂尔多斯市公安局康巴什区分局"),
    ("653022", "新疆维吾尔自治区克孜勒苏柯尔克孜自治州阿克陶县", "阿克陶县公安局"),
)


def check_character(first17: str) -> str:
    """GB 11643-1999's check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def _name(rng: random.Random, nationality: str) -> str:
    if nationality in DOTTED_PARTS and rng.random() < 0.8:
        parts = DOTTED_PARTS[nationality]
        return "·".join(rng.sample(parts, 2))[:11]
    if nationality in GIVEN_WHOLE and rng.random() < 0.7:
        return rng.choice(GIVEN_WHOLE[nationality])
    roll = rng.random()
    surname = rng.choice(COMPOUND_SURNAMES) if roll < 0.05 else \
        rng.choice(RARE_SURNAMES) if roll < 0.16 else rng.choice(SURNAMES)
    given = "".join(rng.choice(RARE_GIVEN_CHARS if rng.random() < 0.12 else GIVEN_CHARS)
                    for _ in range(1 if rng.random() < 0.35 else 2))
    if rng.random() < 0.03:  # both parents' surnames before the given name
        given = rng.choice(SURNAMES) + given
    return surname + given


def _address(rng: random.Random, prefix: str) -> str:
    banner = prefix.endswith("旗")
    roll = rng.random()
    if banner and roll < 0.5:
        rest = rng.choice(SUMU) + rng.choice(GACHA) + f"{rng.randint(1, 60)}号"
    elif roll < 0.45:
        rest = rng.choice(TOWNS) + rng.choice(VILLAGES) + f"{rng.randint(1, 12)}组" \
            + f"{rng.randint(1, 99)}号"
    elif roll < 0.8:
        rest = rng.choice(STREETS) + rng.choice(STREET_KINDS) + f"{rng.randint(1, 399)}号" \
            + rng.choice(ESTATES) + f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元" \
            + f"{rng.randint(1, 33)}0{rng.randint(1, 4)}室"
    else:
        rest = rng.choice(STREETS) + rng.choice(STREET_KINDS) + f"{rng.randint(1, 199)}号"
    if len(prefix + rest) > 3 * CHARS_PER_LINE:  # the card holds three lines: a shorter one
        rest = rng.choice(STREETS) + rng.choice(STREET_KINDS) + f"{rng.randint(1, 99)}号"
    if len(prefix + rest) > 3 * CHARS_PER_LINE:
        rest = f"{rng.choice(STREETS)}路{rng.randint(1, 9)}号"
    return prefix + rest


def _years_for(age: int) -> int:
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def _validity(rng: random.Random, birth: date) -> Tuple[date, Optional[date]]:
    """An issue date after birth and by TODAY, and its end (None: 长期) as long as the age at
    issue gives, drawn again until the card is still valid on TODAY."""
    while True:
        start = TODAY - timedelta(days=rng.randint(20, 20 * 365))
        if start <= birth + timedelta(days=30):
            continue
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        years = _years_for(age)
        if years != _years_for(start.year - birth.year):
            continue  # issued in the weeks before a birthday that changes it: not drawn
        if years == 0:
            return start, None
        try:
            end = start.replace(year=start.year + years)
        except ValueError:  # 29 February
            end = start.replace(year=start.year + years, day=28)
        if end > TODAY:
            return start, end


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """One holder: the face's and the back's truth, as a real card carries them."""
    code, prefix, authority = rng.choice(PLACES)
    roll = rng.random()
    nationality = "汉" if roll < 0.4 else rng.choice(NATIONALITIES[1:])
    birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, (date(2022, 6, 30) -
                                                               date(1940, 1, 1)).days))
    male = rng.random() < 0.5
    sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{code}{birth:%Y%m%d}{sequence:03d}"
    start, end = _validity(rng, birth)
    face = {"name": _name(rng, nationality), "sex": "男" if male else "女",
            "nationality": nationality, "birth": f"{birth:%Y%m%d}",
            "address": _address(rng, prefix), "num": first17 + check_character(first17)}
    back = {"issue": authority, "start_date": f"{start:%Y%m%d}",
            "end_date": "长期" if end is None else f"{end:%Y%m%d}"}
    return {"face": face, "back": back}


# The card --------------------------------------------------------------------------------------

def _security_print(rng: random.Random, tint: float = 1.0) -> Image.Image:
    """The rainbow ground (light blue, light pink, light blue from left to right) with fine
    guilloche waves, as whole-image numpy operations."""
    w, h = CARD_SIZE
    x = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    pink = np.sin(np.pi * x) ** 2  # 0 at the edges, 1 in the middle
    blue = np.array((226, 236, 246), np.float32)
    rose = np.array((246, 228, 232), np.float32)
    ground = blue[None, None] * (1 - pink[..., None]) + rose[None, None] * pink[..., None]
    phase = rng.uniform(0, 6.28)
    waves = np.sin(x * rng.uniform(70, 90) + np.sin(y * rng.uniform(9, 14) + phase) * 2.2)
    waves2 = np.sin(y * rng.uniform(110, 140) + np.sin(x * rng.uniform(6, 9)) * 3.0)
    lines = ((np.abs(waves) < 0.07) | (np.abs(waves2) < 0.05)).astype(np.float32)
    ground = ground - lines[..., None] * np.array((22, 14, 10), np.float32) * tint
    return Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8))


def rounded(img: Image.Image) -> Image.Image:
    """The card with its 3.18 mm rounded corners (RGBA, transparent outside)."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1),
                                           radius=mm(3.18), fill=255)
    out = img.convert("RGBA")
    out.putalpha(mask)
    return out


def _fonts_for(text: str, first) -> List[Tuple[str, object]]:
    """`text` cut into runs, each drawn by `first` or, for a character it lacks, the next
    value font that draws it (a printer's font fallback)."""
    runs: List[Tuple[str, object]] = []
    for ch in text:
        spec = first if covers(first, ch) else next(
            (f for f in VALUE_FONTS if covers(f, ch)), first)
        if runs and runs[-1][1] == spec:
            runs[-1] = (runs[-1][0] + ch, spec)
        else:
            runs.append((ch, spec))
    return runs


def _write(d: ImageDraw.ImageDraw, xy, text: str, spec, size: float, fill, log=None,
           spacing: float = 0.0) -> Tuple[int, int, int, int]:
    """`text` left-aligned with its middle at xy; returns (and logs) its box."""
    x, y = xy
    boxes = []
    for run, run_spec in _fonts_for(text, spec):
        f = font_face(run_spec, size)
        if spacing:
            for ch in run:
                boxes.append(d.textbbox((x, y), ch, font=f, anchor="lm"))
                d.text((x, y), ch, font=f, fill=fill, anchor="lm")
                x += f.getlength(ch) + spacing
        else:
            boxes.append(d.textbbox((x, y), run, font=f, anchor="lm"))
            d.text((x, y), run, font=f, fill=fill, anchor="lm")
            x += f.getlength(run)
    box = (math.floor(min(b[0] for b in boxes)), math.floor(min(b[1] for b in boxes)),
           math.ceil(max(b[2] for b in boxes)), math.ceil(max(b[3] for b in boxes)))
    if log is not None:
        log.append((text, box))
    return box


def _portrait(img: Image.Image, rng: random.Random) -> None:
    """A holder's colour photo (26 x 32 mm at the right): a pale ground, shoulders in a dark
    jacket, a face and hair, drawn with shapes."""
    x0, y0, x1, y1 = 0, 0, mm(26), mm(32)
    photo = Image.new("RGB", (x1, y1), tuple(rng.randint(236, 252) for _ in range(3)))
    d = ImageDraw.Draw(photo)
    cx = (x0 + x1) // 2 + rng.randint(-mm(1), mm(1))
    skin = rng.choice(((232, 196, 170), (214, 172, 140), (190, 146, 112), (240, 210, 186)))
    coat = rng.choice(((40, 44, 60), (70, 70, 74), (30, 60, 90), (110, 40, 40), (230, 230, 226)))
    d.ellipse((cx - mm(12), y1 - mm(9), cx + mm(12), y1 + mm(9)), fill=coat)
    d.rectangle((cx - mm(2.2), y1 - mm(13), cx + mm(2.2), y1 - mm(8)), fill=skin)
    d.ellipse((cx - mm(6), y0 + mm(6.5), cx + mm(6), y0 + mm(22)), fill=skin)
    hair = rng.choice(((20, 18, 18), (46, 34, 28), (70, 70, 70)))
    d.chord((cx - mm(6.6), y0 + mm(5.2), cx + mm(6.6), y0 + mm(17)), 180, 360, fill=hair)
    for side in (-1, 1):
        d.ellipse((cx + side * mm(2.6) - mm(0.7), y0 + mm(13), cx + side * mm(2.6) + mm(0.7),
                   y0 + mm(14)), fill=(40, 30, 30))
    d.line((cx - mm(1.6), y0 + mm(18.5), cx + mm(1.6), y0 + mm(18.5)), fill=(160, 90, 90),
           width=3)
    img.paste(photo, (mm(56.8), mm(5.4)))


def draw_face(truth: Dict[str, str], rng: random.Random, log: Optional[list] = None,
              faded: float = 1.0) -> Image.Image:
    """The portrait side: blue labels in the left column, the values beside them, the address
    wrapped at CHARS_PER_LINE, the number on its own row at the bottom, the photo at the right.
    `faded`: how much of the labels' blue survives (1: all). `log` gets (value, box) in the
    order name, sex, nationality, year, month, day, address lines, number."""
    img = _security_print(rng)
    d = ImageDraw.Draw(img)
    value_font = rng.choice(VALUE_FONTS)
    label_font = LABEL_FONTS[0]
    blue = tuple(int(255 - (255 - c) * faded) for c in LABEL_BLUE)
    lx, vx = mm(5.2) + rng.randint(-3, 3), mm(13.8) + rng.randint(-3, 3)
    label_size, value_size = mm(2.6), mm(3.2)
    name_size = mm(3.7)
    dy = rng.randint(-3, 3)
    rows = [mm(8.6) + dy, mm(14.6) + dy, mm(20.6) + dy, mm(26.6) + dy]
    line_pitch = mm(4.7)

    def label(y, text, x=lx):
        _write(d, (x, y), text, label_font, label_size, blue, spacing=mm(0.6))

    label(rows[0], "姓名")
    _write(d, (vx, rows[0]), truth["name"], value_font, name_size, INK, log)
    label(rows[1], "性别")
    _write(d, (vx, rows[1]), truth["sex"], value_font, value_size, INK, log)
    label(rows[1], "民族", mm(26.5))
    _write(d, (mm(35.0), rows[1]), truth["nationality"], value_font, value_size, INK, log)
    label(rows[2], "出生")
    b = truth["birth"]
    x = vx
    for text, unit in ((b[:4], "年"), (str(int(b[4:6])), "月"), (str(int(b[6:])), "日")):
        box = _write(d, (x, rows[2]), text, value_font, value_size, INK, log)
        x = box[2] + mm(1.0)
        unit_box = _write(d, (x, rows[2]), unit, label_font, label_size, blue)
        x = unit_box[2] + mm(1.2)
    label(rows[3], "住址")
    address = truth["address"]
    for i in range(0, len(address), CHARS_PER_LINE):
        _write(d, (vx, rows[3] + line_pitch * (i // CHARS_PER_LINE)),
               address[i:i + CHARS_PER_LINE], value_font, value_size, INK, log)
    y = mm(47.2) + rng.randint(-3, 3)
    label(y, "公民身份号码")
    number_font = rng.choice(NUMBER_FONTS)
    x, size, spacing = mm(29.5) + rng.randint(-4, 4), mm(4.2), mm(rng.uniform(0.35, 0.7))
    while x + font_face(number_font, size).getlength(truth["num"]) + 17 * spacing > mm(83):
        size, spacing = size - 1, spacing * 0.9  # a wide face set smaller, as the row allows
    _write(d, (x, y), truth["num"], number_font, size, INK, log, spacing=spacing)
    _portrait(img, rng)
    return img


def star_points(x: float, y: float, r: float) -> List[Tuple[float, float]]:
    """A five-pointed star's outline, point up, `r` px to its points."""
    return [(x + r * (1 if k % 2 == 0 else 0.4) * math.cos(-math.pi / 2 + k * math.pi / 5),
             y + r * (1 if k % 2 == 0 else 0.4) * math.sin(-math.pi / 2 + k * math.pi / 5))
            for k in range(10)]


def _emblem(d: ImageDraw.ImageDraw, centre: Tuple[int, int], radius: int) -> None:
    """The national emblem's outline as seen on the card: a red disc, five gold stars over a
    gate, the ring of wheat as a gold band, a cogwheel's teeth below."""
    cx, cy = centre
    gold, red = (236, 190, 60), (212, 28, 30)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=gold)
    d.ellipse((cx - radius * 0.82, cy - radius * 0.82, cx + radius * 0.82, cy + radius * 0.82),
              fill=red)

    def star(x, y, r):
        d.polygon(star_points(x, y, r), fill=gold)

    star(cx - radius * 0.3, cy - radius * 0.42, radius * 0.2)
    for angle in (-70, -35, 0, 35):
        a = math.radians(angle - 90 + 45)
        star(cx - radius * 0.3 + math.cos(a) * radius * 0.38,
             cy - radius * 0.42 + math.sin(a) * radius * 0.38, radius * 0.07)
    d.rectangle((cx - radius * 0.45, cy + radius * 0.05, cx + radius * 0.45, cy + radius * 0.35),
                fill=gold)
    d.rectangle((cx - radius * 0.3, cy - radius * 0.05, cx + radius * 0.3, cy + radius * 0.05),
                fill=gold)
    for k in range(9):
        a = math.radians(60 + k * 7.5)
        d.ellipse((cx + math.cos(a) * radius * 0.95 - 4, cy + math.sin(a) * radius * 0.95 - 4,
                   cx + math.cos(a) * radius * 0.95 + 4, cy + math.sin(a) * radius * 0.95 + 4),
                  fill=red)


def _great_wall(img: Image.Image, rng: random.Random) -> None:
    """The stylised Great Wall across the back's middle, faint grey."""
    d = ImageDraw.Draw(img)
    w = img.width
    base = mm(33) + rng.randint(-6, 6)
    points = []
    for k in range(0, w + 20, 20):
        points.append((k, base - mm(5) * math.sin(k / w * 3.3 + 0.6) - (k // 20 % 2) * 6))
    d.line(points, fill=(200, 204, 210), width=mm(1.2))
    for k in range(0, w, 70):
        y = base - mm(5) * math.sin(k / w * 3.3 + 0.6)
        d.rectangle((k, y - mm(4), k + mm(2.4), y), fill=(206, 210, 216))


def wrap_authority(issue: str, per_line: int) -> List[str]:
    """The authority in lines of at most `per_line` characters, cut after 公安局 where it
    ends a line's worth (a district's 分局 goes on the second line), never inside 公安局."""
    if len(issue) <= per_line:
        return [issue]
    bureau = issue.find("公安局")
    cut = bureau + 3
    if not 0 < cut <= per_line or cut == len(issue):
        cut = per_line
        if bureau < cut < bureau + 3:  # 公安局 kept whole: the county's name ends the line
            cut = bureau
    return [issue[:cut]] + wrap_authority(issue[cut:], per_line)


def draw_back(truth: Dict[str, str], rng: random.Random, log: Optional[list] = None,
              faded: float = 1.0) -> Image.Image:
    """The emblem side: the emblem at the top left, 中华人民共和国 and the larger 居民身份证 to its
    right, the Great Wall, then 签发机关 (wrapped when long) and 有效期限 at the bottom. `log`
    gets the authority's lines and then the validity."""
    img = _security_print(rng, 0.8)
    _great_wall(img, rng)
    d = ImageDraw.Draw(img)
    _emblem(d, (mm(13.5) + rng.randint(-3, 3), mm(13.5) + rng.randint(-3, 3)), mm(8.2))
    title = rng.choice(TITLE_FONTS)
    _write(d, (mm(27), mm(9.5)), "中华人民共和国", title, mm(4.2), INK, spacing=mm(1.3))
    _write(d, (mm(27), mm(19)), "居民身份证", title, mm(6.6), INK, spacing=mm(2.6))
    label_font, value_font = LABEL_FONTS[0], rng.choice(VALUE_FONTS)
    label_ink = tuple(int(255 - (255 - c) * faded) for c in INK)
    size = mm(3.3)
    # The field holds 14 characters of this size before the card's edge: a longer authority
    # goes on a second line (after its 公安局, so a district's 分局 starts the second line).
    lines = wrap_authority(truth["issue"], 14)
    top = mm(41.5) - (len(lines) - 1) * mm(2.2)
    _write(d, (mm(15), top), "签发机关", label_font, mm(2.7), label_ink, spacing=mm(0.5))
    for k, line in enumerate(lines):
        _write(d, (mm(29), top + k * mm(4.3)), line, value_font, size, INK, log)
    y = top + len(lines) * mm(4.3) + mm(1.6)
    _write(d, (mm(15), y), "有效期限", label_font, mm(2.7), label_ink, spacing=mm(0.5))
    s, e = truth["start_date"], truth["end_date"]

    def dotted(day: str) -> str:
        return f"{day[:4]}.{day[4:6]}.{day[6:]}"

    _write(d, (mm(29), y), f"{dotted(s)}-{e if e == '长期' else dotted(e)}", value_font, size,
           INK, log)
    return img


def card_image(side: str, truth: Dict[str, str], rng: random.Random, faded: float = 1.0
               ) -> Image.Image:
    return draw_face(truth, rng, faded=faded) if side == "face" else \
        draw_back(truth, rng, faded=faded)


# Marks over the card ---------------------------------------------------------------------------

OVERLAY_PHRASES = ("此件仅作{}之用", "{}专用 他处无效", "复印留存 不作他用", "已核对原件")
PURPOSES = ("开户", "入学报名", "房屋租赁", "公积金提取", "快递实名")


def stamp(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A red office seal (round with a star, or a double-ringed rectangle) over the fields."""
    layer = Image.new("L", card.size, 0)
    d = ImageDraw.Draw(layer)
    cx, cy = rng.randint(mm(18), mm(60)), rng.randint(mm(14), mm(44))
    font = font_face(VALUE_FONTS[1], mm(2.8))
    if rng.random() < 0.5:
        r = mm(rng.uniform(8, 11))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=mm(0.6))
        d.polygon(star_points(cx, cy, r * 0.3), fill=255)
        what = "round red stamp"
    else:
        rw, rh = mm(rng.uniform(12, 16)), mm(rng.uniform(5, 7))
        d.rectangle((cx - rw, cy - rh, cx + rw, cy + rh), outline=255, width=mm(0.5))
        d.rectangle((cx - rw + mm(0.9), cy - rh + mm(0.9), cx + rw - mm(0.9), cy + rh - mm(0.9)),
                    outline=255, width=mm(0.25))
        what = "box red stamp"
    phrase = rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))
    d.text((cx, cy + mm(3.2 if what.startswith("round") else 0)), phrase[:8], font=font,
           fill=255, anchor="mm")
    layer = layer.rotate(rng.uniform(-25, 25), center=(cx, cy))
    alpha = np.asarray(layer, np.float32)[..., None] / 255 * rng.uniform(0.55, 0.85)
    arr = np.asarray(card.convert("RGB"), np.float32)
    out = arr * (1 - alpha) + np.minimum(arr, np.array(SEAL_RED, np.float32)) * alpha
    return Image.fromarray(out.astype(np.uint8)), what


def watermark(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phrase typed across the card by a phone app before sending (grey or blue, tiled in
    two rows, tilted)."""
    w, h = card.size
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    phrase = rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))
    font = font_face(VALUE_FONTS[2], mm(rng.uniform(4.0, 5.5)))
    step = int(font.getlength(phrase)) + mm(8)
    for row in range(4):
        for col in range(-1, 3):
            d.text((col * step + (row % 2) * step // 2, h // 2 + row * mm(14)), phrase,
                   font=font, fill=255)
    layer = layer.rotate(rng.uniform(18, 32)).crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    alpha = np.asarray(layer, np.float32)[..., None] / 255 * rng.uniform(0.3, 0.5)
    colour = np.array(rng.choice(((120, 120, 126), (60, 110, 200))), np.float32)
    arr = np.asarray(card.convert("RGB"), np.float32)
    return Image.fromarray((arr * (1 - alpha) + colour * alpha).astype(np.uint8)), \
        f"watermark {phrase}"


# Photographs -----------------------------------------------------------------------------------

Quad = List[Tuple[float, float]]  # top-left, bottom-left, bottom-right, top-right
HARD_EFFECTS = ("pouch", "wallet", "magnifier", "fog", "tablecloth", "worn", "bent", "faded",
                "motion", "mirror", "printout", "hdr", "rolling")
SHEET_EFFECTS = ("greyscale 300 dpi", "fax", "stapled", "folded in thirds", "handwritten note")
TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}


def _coefficients(quad: Quad, size: Tuple[int, int]) -> List[float]:
    """PIL's perspective coefficients taking the photo's pixels back to the card's."""
    w, h = size
    source = ((0, 0), (0, h), (w, h), (w, 0))
    rows, rhs = [], []
    for (x, y), (u, v) in zip(quad, source):
        rows.append((x, y, 1, 0, 0, 0, -u * x, -u * y))
        rows.append((0, 0, 0, x, y, 1, -v * x, -v * y))
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, np.float64), np.array(rhs, np.float64)))


def place(scene: Image.Image, card: Image.Image, quad: Quad, shadow: float = 0.35) -> Image.Image:
    """The card (rounded, RGBA) laid into the scene at `quad`, with a soft shadow under it."""
    cut = card if card.mode == "RGBA" else rounded(card)
    layer = cut.transform(scene.size, Image.PERSPECTIVE, _coefficients(quad, cut.size),
                          Image.BICUBIC)
    out = scene.convert("RGB")
    if shadow:
        alpha = layer.getchannel("A")
        offset = max(2, int(abs(quad[3][0] - quad[0][0]) / 120))
        shade = ImageChops.offset(alpha, offset, offset).filter(
            ImageFilter.BoxBlur(offset * 2)).point(lambda v: int(v * shadow))
        out = Image.composite(Image.new("RGB", out.size, (0, 0, 0)), out, shade)
    out.paste(layer, (0, 0), layer)
    return out


def card_quad(centre: Tuple[float, float], width: float, tilt: float, keystone: float = 0.0,
              aspect: float = 54.0 / 85.6) -> Quad:
    """The corners of a card `width` px wide centred at `centre`, turned `tilt` degrees, its
    far (top) edge narrowed by `keystone` (a share of the width) as seen from below."""
    h = width * aspect
    half = ((-width / 2 * (1 - keystone), -h / 2), (-width / 2, h / 2), (width / 2, h / 2),
            (width / 2 * (1 - keystone), -h / 2))
    a = math.radians(tilt)
    return [(centre[0] + x * math.cos(a) - y * math.sin(a),
             centre[1] + x * math.sin(a) + y * math.cos(a)) for x, y in half]


def surface(rng: random.Random, size: Tuple[int, int], kind: Optional[str] = None
            ) -> Tuple[Image.Image, str]:
    """A surface to lay the card on, drawn small and enlarged (cheap): a painted table, a wooden
    tray, a felt pad, a polka-dot oilcloth or a leather wallet."""
    kind = kind or rng.choice(("painted table", "wooden tray", "felt pad"))
    w, h = size
    sw, sh = max(8, w // 8), max(8, h // 8)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    state = np.random.RandomState(rng.randrange(1 << 30))
    if kind == "wooden tray":
        base = np.array((150, 104, 62), np.float32) * rng.uniform(0.8, 1.15)
        grain = np.sin(yy / rng.uniform(2.5, 4.5) + np.sin(xx / rng.uniform(8, 16)) * 1.5)
        arr = base + grain[..., None] * 14 + state.normal(0, 4, (sh, sw, 1))
    elif kind == "felt pad":
        base = np.array(rng.choice(((40, 90, 60), (50, 50, 90), (110, 40, 50))), np.float32)
        arr = base + state.normal(0, 6, (sh, sw, 1))
    elif kind == "leather wallet":
        base = np.array(rng.choice(((92, 54, 30), (30, 26, 24), (120, 70, 40))), np.float32)
        arr = base + state.normal(0, 7, (sh, sw, 1)) + (xx / sw * 20)[..., None]
    else:  # painted table, or the oilcloth's ground
        base = np.array([rng.randint(150, 235) for _ in range(3)], np.float32)
        arr = base + (xx / sw * rng.uniform(-25, 25) + yy / sh * rng.uniform(-20, 20))[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).resize(size, Image.BILINEAR)
    if kind == "polka-dot oilcloth":
        d = ImageDraw.Draw(img)
        dot = tuple(rng.randint(0, 200) for _ in range(3))
        pitch = rng.randint(40, 90)
        r = pitch * rng.uniform(0.15, 0.3)
        for y in range(0, h + pitch, pitch):
            for x in range((y // pitch % 2) * pitch // 2, w + pitch, pitch):
                d.ellipse((x - r, y - r, x + r, y + r), fill=dot)
    return img, kind


def sensor(img: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """A phone's grain: luma noise drawn at half size and enlarged, as denoising leaves it."""
    w, h = img.size
    state = np.random.RandomState(rng.randrange(1 << 30))
    grain = state.standard_normal((h // 2 + 1, w // 2 + 1)).astype(np.float32) * strength
    grain = np.repeat(np.repeat(grain, 2, 0), 2, 1)[:h, :w, None]
    return Image.fromarray(np.clip(np.asarray(img, np.float32) + grain, 0, 255).astype(np.uint8))


def jpeg(img: Image.Image, quality: int, subsampling: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, subsampling=subsampling)
    return out.getvalue()


def _blend_white(img: Image.Image, mask: np.ndarray, amount: float) -> Image.Image:
    arr = np.asarray(img, np.float32)
    return Image.fromarray((arr + (255 - arr) * (mask[..., None] * amount)).astype(np.uint8))


# Effects on the card, before it is photographed.

def pouch(card: Image.Image, rng: random.Random) -> Image.Image:
    """A card sealed in a laminating pouch: a clear margin round it and a diagonal sheen."""
    margin = mm(rng.uniform(2.5, 4))
    w, h = card.size
    out = Image.new("RGBA", (w + 2 * margin, h + 2 * margin), (235, 238, 240, 70))
    ImageDraw.Draw(out).rectangle((0, 0, out.width - 1, out.height - 1),
                                  outline=(250, 250, 250, 160), width=3)
    out.alpha_composite(rounded(card), (margin, margin))
    ow, oh = out.size
    x = np.arange(ow, dtype=np.float32)[None, :]
    y = np.arange(oh, dtype=np.float32)[:, None]
    a = math.radians(rng.uniform(25, 65))
    across = (x - ow * rng.uniform(0.3, 0.7)) * math.cos(a) + (y - oh / 2) * math.sin(a)
    sheen = np.exp(-(across / (ow * rng.uniform(0.05, 0.1))) ** 2)
    rgb = _blend_white(out.convert("RGB"), sheen, rng.uniform(0.35, 0.6))
    rgb.putalpha(out.getchannel("A"))
    return rgb


def _worn(card: Image.Image, rng: random.Random) -> Image.Image:
    """A card carried for years: print rubbed pale in patches, grime in others."""
    w, h = card.size
    state = np.random.RandomState(rng.randrange(1 << 30))
    patches = Image.fromarray((state.random_sample((6, 9)) * 255).astype(np.uint8)).resize(
        (w, h), Image.BICUBIC)
    rub = np.clip((np.asarray(patches, np.float32) / 255 - 0.55) * 2.2, 0, 1) * 0.55
    out = _blend_white(card.convert("RGB"), rub, 1.0)
    grime = Image.fromarray((state.random_sample((5, 8)) * 255).astype(np.uint8)).resize(
        (w, h), Image.BICUBIC)
    dirt = np.clip((np.asarray(grime, np.float32) / 255 - 0.6) * 2.0, 0, 1)[..., None] * 0.3
    arr = np.asarray(out, np.float32)
    arr = arr * (1 - dirt) + arr * np.array((0.72, 0.66, 0.55), np.float32) * dirt
    return Image.fromarray(arr.astype(np.uint8))


def _bent(card: Image.Image, rng: random.Random) -> Image.Image:
    """A card bent along its length: each column dropped by a sine (rows curve), shaded."""
    w, h = card.size
    depth = rng.uniform(0.04, 0.08) * h * rng.choice((-1, 1))
    x = np.arange(w, dtype=np.float32)
    shift = (depth * np.sin(np.pi * x / w)).astype(np.int32)
    pad = int(abs(depth)) + 2
    arr = np.asarray(card.convert("RGB"))
    padded = np.pad(arr, ((pad, pad), (0, 0), (0, 0)), mode="edge")
    rows = np.arange(h)[:, None] + pad - shift[None, :]
    out = padded[rows, np.arange(w)[None, :]]
    shade = 1 - 0.12 * np.cos(np.pi * x / w)[None, :, None] ** 2
    return Image.fromarray((out * shade).astype(np.uint8))


def _printout(card: Image.Image, rng: random.Random) -> Image.Image:
    """The card printed on office paper by an inkjet: a cmy dot screen, weaker colour, a
    thin printed edge, white paper around."""
    w, h = card.size
    arr = np.asarray(card.convert("RGB"), np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    pitch = rng.uniform(3.0, 4.5)
    screen = (np.sin(xx / pitch * 2.1) * np.sin(yy / pitch * 2.1)) * 14
    arr = 255 - (255 - arr) * rng.uniform(0.75, 0.9) + screen[..., None]
    grey = arr.mean(-1, keepdims=True)
    arr = grey + (arr - grey) * 0.7
    printed = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    margin = mm(rng.uniform(8, 14))
    paper = Image.new("RGB", (w + 2 * margin, h + int(2.6 * margin)), (246, 246, 242))
    paper.paste(printed, (margin, margin), rounded(printed).getchannel("A"))
    ImageDraw.Draw(paper).rounded_rectangle((margin, margin, margin + w, margin + h), mm(3.18),
                                            outline=(150, 150, 150), width=2)
    return paper


def _magnifier(img: Image.Image, quad: Quad, rng: random.Random) -> Image.Image:
    """A reading magnifier held over the card: the rows under it enlarged and bowed, its rim
    dark."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    cx = rng.uniform(min(xs) + 0.2 * (max(xs) - min(xs)), min(xs) + 0.55 * (max(xs) - min(xs)))
    cy = rng.uniform(min(ys) + 0.3 * (max(ys) - min(ys)), min(ys) + 0.7 * (max(ys) - min(ys)))
    r = (max(xs) - min(xs)) * rng.uniform(0.16, 0.24)
    x0, y0 = int(max(0, cx - r)), int(max(0, cy - r))
    x1, y1 = int(min(img.width, cx + r)), int(min(img.height, cy + r))
    arr = np.asarray(img).copy()
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx - cx, yy - cy
    dist = np.sqrt(dx * dx + dy * dy) / r
    power = rng.uniform(1.5, 2.0)
    scale = np.where(dist < 1, (1 / power) + (1 - 1 / power) * dist ** 2, 1.0)
    sx = np.clip(cx + dx * scale, 0, img.width - 1).astype(np.int32)
    sy = np.clip(cy + dy * scale, 0, img.height - 1).astype(np.int32)
    arr[y0:y1, x0:x1] = arr[sy, sx]
    out = Image.fromarray(arr)
    d = ImageDraw.Draw(out)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(30, 30, 34), width=max(4, int(r / 12)))
    a = rng.uniform(0.3, 1.2)
    d.line((cx + r * math.cos(a), cy + r * math.sin(a), cx + 2.4 * r * math.cos(a),
            cy + 2.4 * r * math.sin(a)), fill=(25, 25, 28), width=max(8, int(r / 5)))
    return out


def _fog(img: Image.Image, rng: random.Random) -> Image.Image:
    """A fogged or wet lens: a veil of scattered light and lost contrast."""
    glow = img.resize((max(1, img.width // 16), max(1, img.height // 16)), Image.BILINEAR) \
        .filter(ImageFilter.GaussianBlur(2)).resize(img.size, Image.BILINEAR)
    soft = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.6)))
    veil = rng.uniform(0.25, 0.4)
    return Image.blend(soft, glow, veil).point(lambda v: int(28 + v * 0.86))


def _motion(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A shaken hand: the photo smeared along one direction."""
    length = rng.randint(5, 11)
    angle = rng.uniform(0, 180)
    a = math.radians(angle)
    arr = np.asarray(img, np.uint16)
    total = np.zeros_like(arr)
    for k in range(length):
        t = k - (length - 1) / 2
        total += np.roll(arr, (int(round(t * math.sin(a))), int(round(t * math.cos(a)))),
                         axis=(0, 1))
    return Image.fromarray((total // length).astype(np.uint8)), \
        f"motion blur {length} px at {angle:.0f} degrees"


def hdr(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone's HDR tone mapping: local contrast raised, halos round strong edges."""
    small = img.resize((max(1, img.width // 8), max(1, img.height // 8)), Image.BILINEAR)
    base = small.filter(ImageFilter.GaussianBlur(3)).resize(img.size, Image.BILINEAR)
    arr, base_arr = np.asarray(img, np.float32), np.asarray(base, np.float32)
    out = base_arr * 0.7 + 40 + (arr - base_arr) * rng.uniform(1.5, 2.1)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _rolling(img: Image.Image, rng: random.Random) -> Image.Image:
    """A rolling shutter while the phone moved sideways: each row shifted by its read-out time,
    with a wobble."""
    w, h = img.size
    skew = rng.uniform(0.06, 0.14) * rng.choice((-1, 1))
    y = np.arange(h, dtype=np.float32)
    shift = (skew * (y - h / 2) + rng.uniform(3, 8) * np.sin(y / h * rng.uniform(6, 14))
             ).astype(np.int32)
    arr = np.asarray(img)
    cols = np.clip(np.arange(w)[None, :] - shift[:, None], 0, w - 1)
    return Image.fromarray(arr[np.arange(h)[:, None], cols])


def wallet_window(scene: Image.Image, quad: Quad, rng: random.Random) -> Image.Image:
    """A card in a wallet's clear window: leather all round, the window's plastic hazing the
    card, a stitched border."""
    leather, _ = surface(rng, scene.size, "leather wallet")
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    pad = (max(xs) - min(xs)) * rng.uniform(0.0, 0.02)
    window = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
    mask = Image.new("L", scene.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(window, radius=int((max(xs) - min(xs)) / 30),
                                           fill=255)
    hazy = Image.blend(scene, Image.new("RGB", scene.size, (228, 230, 232)),
                       rng.uniform(0.1, 0.2))
    out = Image.composite(hazy, leather, mask)
    d = ImageDraw.Draw(out)
    gap = max(6, int((max(xs) - min(xs)) / 60))
    x0, y0, x1, y1 = window[0] - 2 * gap, window[1] - 2 * gap, window[2] + 2 * gap, \
        window[3] + 2 * gap
    stitch = (210, 190, 150)
    for x in np.arange(x0, x1, gap * 2):
        d.line((x, y0, x + gap, y0), fill=stitch, width=3)
        d.line((x, y1, x + gap, y1), fill=stitch, width=3)
    for y in np.arange(y0, y1, gap * 2):
        d.line((x0, y, x0, y + gap), fill=stitch, width=3)
        d.line((x1, y, x1, y + gap), fill=stitch, width=3)
    return out


# Hard photos' effects on the card before it is laid down, and on the photo once taken:
# effect -> (what it does, the note it leaves in the detail).
CARD_EFFECTS = {"worn": (_worn, "worn print and grime"), "bent": (_bent, "bent card, rows curved"),
                "pouch": (pouch, "laminated pouch sheen"),
                "printout": (_printout, "a photo of a print-out")}
PHOTO_EFFECTS = {"fog": (_fog, "fogged lens"), "hdr": (hdr, "HDR halo"),
                 "rolling": (_rolling, "rolling-shutter skew"),
                 "mirror": (lambda img, rng: ImageOps.mirror(img), "mirrored by the front camera")}


def _plain(card: Image.Image, side: str, rng: random.Random) -> Tuple[Image.Image, str]:
    width = rng.randint(500, 1300)
    size = (int(width * rng.uniform(1.15, 1.45)), int(width * rng.uniform(0.8, 1.05)))
    tilt = rng.uniform(-3, 3)
    scene, what = surface(rng, size)
    quad = card_quad((size[0] / 2 + rng.uniform(-0.05, 0.05) * size[0],
                      size[1] / 2 + rng.uniform(-0.05, 0.05) * size[1]), width, tilt,
                     rng.uniform(0, 0.03))
    img = sensor(place(scene, card, quad), rng, rng.uniform(2, 4))
    return img, f"{side}, card {width}px, upright, tilt {tilt:.0f}, on a {what}"


def _hard(card: Image.Image, side: str, effect: str, rng: random.Random
          ) -> Tuple[Image.Image, str]:
    notes = [side]
    if rng.random() < 0.3:
        card, what = stamp(card, rng)
        notes.append(what)
    if rng.random() < 0.25:
        card, what = watermark(card, rng)
        notes.append(what)
    if effect in CARD_EFFECTS:
        change, note = CARD_EFFECTS[effect]
        card = change(card, rng)
        notes.append(note)
    width = rng.randint(448, 1300)
    box = width * (card.width / CARD_SIZE[0])  # a pouch or a print-out is larger than the card
    size = (int(box * rng.uniform(1.2, 1.6)), int(box * rng.uniform(0.9, 1.25)))
    skew = rng.uniform(-15, 15)
    keystone = rng.uniform(0, 0.12)
    scene, what = surface(rng, size, "polka-dot oilcloth" if effect == "tablecloth" else None)
    notes.append(f"card {width}px")
    notes.append(f"skew {skew:.0f}")
    quad = card_quad((size[0] / 2, size[1] / 2), box, skew, keystone,
                     aspect=card.height / card.width)
    img = place(scene, card, quad, shadow=0.0 if effect == "printout" else 0.35)
    if effect == "tablecloth":
        notes.append("on a polka-dot oilcloth")
    elif effect == "wallet":
        img = wallet_window(img, quad, rng)
        notes.append("in a wallet's clear window")
    elif effect == "magnifier":
        img = _magnifier(img, quad, rng)
        notes.append("magnifier over the card")
    img = sensor(img, rng, rng.uniform(2, 5))
    if effect in PHOTO_EFFECTS:
        change, note = PHOTO_EFFECTS[effect]
        img = change(img, rng)
        notes.append(note)
    elif effect == "motion":
        img, what = _motion(img, rng)
        notes.append(what)
    elif effect == "faded":
        notes.append("faded labels")
    turn = rng.choice(tuple(TURNS))
    if turn:
        img = img.rotate(turn, expand=True)
    notes.append(TURNS[turn])
    return img, ", ".join(notes)


# Sheets ----------------------------------------------------------------------------------------

def _handwriting(page: Image.Image, xy, text: str, size: int, rng: random.Random) -> None:
    """A note in blue ballpoint: each character turned, raised and sized a little on its own."""
    x, y = xy
    ink = (30, 50, 150)
    for ch in text:
        f = font_face(LABEL_FONTS[0], size * rng.uniform(0.9, 1.1))
        glyph = Image.new("L", (int(size * 1.6), int(size * 1.6)), 0)
        ImageDraw.Draw(glyph).text((size * 0.3, size * 0.3), ch, font=f, fill=255)
        glyph = glyph.rotate(rng.uniform(-9, 9), resample=Image.BICUBIC)
        page.paste(Image.new("RGB", glyph.size, ink), (int(x), int(y + rng.uniform(-3, 3))),
                   glyph)
        x += f.getlength(ch) * rng.uniform(0.9, 1.05)


def _sheet(person: Dict[str, Dict[str, str]], effect: str, rng: random.Random
           ) -> Tuple[Image.Image, str]:
    dpi = 300 if effect == "greyscale 300 dpi" else rng.choice((150, 200))
    px = dpi / 25.4
    paper = (250, 250, 247) if effect != "fax" else (255, 255, 255)
    page = Image.new("RGB", (int(210 * px), int(297 * px)), paper)
    notes = [f"A4 at {dpi} dpi"]
    width = int(85.6 * px)
    for side, top in (("face", rng.uniform(22, 40)), ("back", rng.uniform(135, 165))):
        card = card_image(side, person[side], rng).resize((width, int(54 * px)), Image.BILINEAR)
        grey = card.convert("L")
        lut = [int(min(255, max(0, (v - 40) * rng.uniform(1.15, 1.35) + rng.uniform(0, 20))))
               for v in range(256)]
        copy = Image.merge("RGB", [grey.point(lut)] * 3) if rng.random() < 0.7 else card
        turn = rng.choice((0, 0, 0, 90, 180, 270)) if effect != "stapled" else 0
        copy = rounded(copy).rotate(turn + rng.uniform(-2.5, 2.5), expand=True,
                                     resample=Image.BICUBIC)
        x = int(page.width / 2 - copy.width / 2 + rng.uniform(-12, 12) * px)
        page.paste(copy, (x, int(top * px)), copy)
        notes.append(f"{side} {TURNS[turn]}")
    if effect == "handwritten note":
        phrase = rng.choice(("本复印件仅供{}使用", "仅用于{} 再复印无效", "与原件相符 仅限{}"))
        _handwriting(page, (rng.uniform(25, 60) * px, rng.uniform(100, 118) * px),
                     phrase.format(rng.choice(PURPOSES)), int(6 * px), rng)
        d = ImageDraw.Draw(page)
        sx, sy = rng.uniform(120, 150) * px, rng.uniform(240, 262) * px
        pts = [(sx + k * 3 * px, sy + math.sin(k * 1.7) * 4 * px * rng.uniform(0.6, 1.2))
               for k in range(12)]
        d.line(pts, fill=(30, 50, 150), width=max(2, int(0.5 * px)))
        notes.append("handwritten note")
    elif effect == "stapled":
        d = ImageDraw.Draw(page)
        x0, y0 = 10 * px, 10 * px
        d.line((x0, y0 + 8 * px, x0 + 8 * px, y0), fill=(120, 120, 126), width=int(1.0 * px))
        d.line((x0 + 1, y0 + 8 * px + 2, x0 + 8 * px + 1, y0 + 2), fill=(235, 235, 240),
               width=max(1, int(0.3 * px)))
        d.line((0, page.height - 3 * px, page.width, page.height - 1 * px), fill=(200, 200, 196),
               width=max(2, int(0.6 * px)))  # the page under it
        notes.append("stapled")
    elif effect == "folded in thirds":
        arr = np.asarray(page, np.float32)
        y = np.arange(page.height, dtype=np.float32)[:, None, None]
        shade = np.ones_like(y)
        for fold in (page.height / 3, 2 * page.height / 3):
            dist = (y - fold) / (4 * px)
            shade *= 1 - 0.18 * np.exp(-dist ** 2) + 0.05 * np.tanh(dist) * np.exp(-np.abs(dist))
        page = Image.fromarray(np.clip(arr * shade, 0, 255).astype(np.uint8))
        notes.append("folded in thirds")
    if effect == "fax":
        # Standard fax resolution: 204 x 98 dpi, black and white, dithered; a header line.
        small = page.convert("L").resize((page.width, page.height // 2), Image.BILINEAR)
        small = small.point(lambda v: min(255, int(v * 1.1))).convert("1").convert("L")
        page = small.resize((small.width, small.height * 2), Image.NEAREST).convert("RGB")
        sent = f"{TODAY:%Y-%m-%d} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
        ImageDraw.Draw(page).text((8 * px, 3 * px),
                                  f"{sent}  FAX {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                                  "  P.01",
                                  font=font_face(NUMBER_FONTS[1], 3 * px), fill=(0, 0, 0))
        notes.append("fax")
    elif effect == "greyscale 300 dpi":
        page = page.convert("L")
        notes.append("greyscale scan")
    return page, ", ".join(notes)


# Shooting --------------------------------------------------------------------------------------

def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (rover draws {', '.join(KINDS)})")
    rng = random.Random(f"rover/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        effect = SHEET_EFFECTS[seed % len(SHEET_EFFECTS)]
        page, detail = _sheet(person, effect, rng)
        return Photo(kind, jpeg(page, rng.randint(80, 92), 2 if page.mode == "RGB" else 0),
                     {"face": person["face"], "back": person["back"]}, detail)
    if kind == "hard":
        effect = HARD_EFFECTS[seed % len(HARD_EFFECTS)]
        side = rng.choice(("face", "back"))
        card = card_image(side, person[side], rng,
                          faded=rng.uniform(0.2, 0.4) if effect == "faded" else 1.0)
        img, detail = _hard(card, side, effect, rng)
        subsampling = rng.choice((0, 2))
        detail += ", 4:4:4 chroma" if subsampling == 0 else ", 4:2:0 chroma"
        return Photo(kind, jpeg(img, rng.randint(72, 92), subsampling), {side: person[side]},
                     detail)
    side = "face" if kind == "plain_face" else "back"
    img, detail = _plain(card_image(side, person[side], rng), side, rng)
    return Photo(kind, jpeg(img, rng.randint(80, 94), 2), {side: person[side]}, detail)
