"""The eighth rendering of the resident ID card ("wayfarer"), a hold-out never tuned on.

Drawn on 2026-12-07 by an engineer who read none of the engine, the KYC rules, the cascade or
the other generators' drawing code, from public descriptions of the card only: GB 19584-2004's
85.6 x 54 mm card with rounded corners; on the face the blue labels 姓名, 性别, 民族, 出生,
住址 and 公民身份号码 left of black values, the portrait on the right, the number on its own
row at the bottom; on the back the national emblem at the top left, 中华人民共和国 and a larger
居民身份证 beside it, and 签发机关 and 有效期限 in two rows at the bottom; a pale guilloche
ground on the face and the Great Wall over pale hills on the back. Both the 2004-2013 print
and the later one (a cooler ground, a larger portrait) are drawn, with the same layout.

Truths are the printed text exactly: names (two to four characters, compound surnames, rare
characters still in the common dictionaries, minority names with the middle dot), the 56
nationalities, real districts (GB/T 2260 codes) with their public security bureau (…公安局,
…分局, …区分局), addresses of one to three lines, validity by the age at issue (5, 10, 20
years or 长期) and an 18-character number whose region, birth date, sex digit and check
character agree with the face.

Fonts nobody else's rendering uses: Noto Serif CJK SC Light and Bold, Noto Sans CJK SC Bold,
Noto Sans Mono CJK SC Bold; the number in mononoki, Noto Mono, Fira Code or that Mono CJK Bold.

`shoot(kind, seed)` gives a Photo for plain_face, plain_back, hard and sheet; every choice
follows from the seed. Photo phenomena (hard): quarter and half turns with skew, a strong
low-angle perspective, LED flicker bands, night-mode noise smeared by denoising, a far card
brought closer by digital zoom, over-sharpened JPEG ringing, a chat app's screenshot of the
photo with its UI, a clear ID-card holder on a lanyard, a wallet's window, a glass table's
reflection, a bokeh background, colour casts, a flash hotspot, a phone's shadow; red round or
box stamps and tiled or pen watermarks; double JPEG with chroma subsampling. Sheets: an A4
page with both sides, each turned and darkened on its own, black-and-white or colour copies on
white, recycled or cream paper, two-up with staple and punch holes, scanned at 150-300 dpi,
grey fax-like, a scanner app's "magic colour" or binarised output, or photographed on a desk.
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
PX_MM = 12  # the card is drawn at 12 px/mm
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
TODAY = date(2026, 12, 7)
PACKAGES = "fonts-noto-cjk fonts-noto-cjk-extra fonts-mononoki fonts-noto-mono fonts-firacode"

_NOTO = "/usr/share/fonts/opentype/noto/"
SC, MONO_SC = 2, 7  # the Simplified Chinese faces in Noto's collections
SERIF_LIGHT = (_NOTO + "NotoSerifCJK-Light.ttc", SC)
SERIF_BOLD = (_NOTO + "NotoSerifCJK-Bold.ttc", SC)
SERIF_BLACK = (_NOTO + "NotoSerifCJK-Black.ttc", SC)
SANS_BOLD = (_NOTO + "NotoSansCJK-Bold.ttc", SC)
SANS_MONO_BOLD = (_NOTO + "NotoSansCJK-Bold.ttc", MONO_SC)
VALUE_FONTS = (SERIF_LIGHT, SERIF_BOLD, SANS_BOLD, SANS_MONO_BOLD)
LABEL_FONTS = (SANS_BOLD, SANS_MONO_BOLD)
TITLE_FONTS = (SERIF_BLACK, SERIF_BOLD)
NUMBER_FONTS = (("/usr/share/fonts/truetype/mononoki/mononoki-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/mononoki/mononoki-Regular.ttf", 0),
                ("/usr/share/fonts/truetype/noto/NotoMono-Regular.ttf", 0),
                ("/usr/share/fonts/truetype/firacode/FiraCode-Medium.ttf", 0),
                SANS_MONO_BOLD)
ALL_FONTS = VALUE_FONTS + LABEL_FONTS + TITLE_FONTS + NUMBER_FONTS


def available() -> bool:
    return installed(ALL_FONTS)


def mm(v: float) -> int:
    return round(v * PX_MM)


# The data a card carries ---------------------------------------------------------------------

NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
# (GB/T 2260 code, the address as it starts, the issuing authority as printed)
PLACES = (
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("120101", "天津市和平区", "天津市公安局和平分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("500103", "重庆市渝中区", "重庆市公安局渝中区分局"),
    ("500240", "重庆市石柱土家族自治县", "石柱土家族自治县公安局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("513401", "四川省凉山彝族自治州西昌市", "西昌市公安局"),
    ("522601", "贵州省黔东南苗族侗族自治州凯里市", "凯里市公安局"),
    ("433101", "湖南省湘西土家族苗族自治州吉首市", "吉首市公安局"),
    ("152502", "内蒙古自治区锡林郭勒盟锡林浩特市", "锡林浩特市公安局"),
    ("150502", "内蒙古自治区通辽市科尔沁区", "通辽市公安局科尔沁区分局"),
    ("150621", "内蒙古自治区鄂尔多斯市达拉特旗", "达拉特旗公安局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("152223", "内蒙古自治区兴安盟扎赉特旗", "扎赉特旗公安局"),
    ("532801", "云南省西双版纳傣族自治州景洪市", "景洪市公安局"),
    ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "瑞丽市公安局"),
    ("532502", "云南省红河哈尼族彝族自治州开远市", "开远市公安局"),
    ("532923", "云南省大理白族自治州祥云县", "祥云县公安局"),
    ("530102", "云南省昆明市五华区", "昆明市公安局五华分局"),
    ("650104", "新疆维吾尔自治区乌鲁木齐市新市区", "乌鲁木齐市公安局新市区分局"),
    ("653101", "新疆维吾尔自治区喀什地区喀什市", "喀什市公安局"),
    ("652901", "新疆维吾尔自治区阿克苏地区阿克苏市", "阿克苏市公安局"),
    ("654002", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "伊宁市公安局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关区分局"),
    ("632801", "青海省海西蒙古族藏族自治州格尔木市", "格尔木市公安局"),
    ("623001", "甘肃省甘南藏族自治州合作市", "合作市公安局"),
    ("622901", "甘肃省临夏回族自治州临夏市", "临夏市公安局"),
    ("450102", "广西壮族自治区南宁市兴宁区", "南宁市公安局兴宁分局"),
    ("451121", "广西壮族自治区贺州市昭平县", "昭平县公安局"),
    ("469027", "海南省乐东黎族自治县", "乐东黎族自治县公安局"),
    ("469030", "海南省琼中黎族苗族自治县", "琼中黎族苗族自治县公安局"),
    ("130828", "河北省承德市围场满族蒙古族自治县", "围场满族蒙古族自治县公安局"),
    ("222401", "吉林省延边朝鲜族自治州延吉市", "延吉市公安局"),
    ("331122", "浙江省丽水市缙云县", "缙云县公安局"),
    ("330381", "浙江省温州市瑞安市", "瑞安市公安局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("341024", "安徽省黄山市祁门县", "祁门县公安局"),
    ("420102", "湖北省武汉市江岸区", "武汉市公安局江岸区分局"),
    ("370102", "山东省济南市历下区", "济南市公安局历下区分局"),
    ("320106", "江苏省南京市鼓楼区", "南京市公安局鼓楼分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨市公安局南岗分局"),
    ("350203", "福建省厦门市思明区", "厦门市公安局思明分局"),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局"),
    ("140105", "山西省太原市小店区", "太原市公安局小店分局"),
    ("410105", "河南省郑州市金水区", "郑州市公安局金水区分局"),
    ("360102", "江西省南昌市东湖区", "南昌市公安局东湖分局"),
)
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕" \
           "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
RARE_SURNAMES = "綦邝阚笪郗禚逯矫冼隋佘昝谯钭酆闵缑仉亢"
COMPOUND_SURNAMES = ("欧阳", "上官", "诸葛", "慕容", "皇甫", "公孙", "令狐", "澹台")
GIVEN_CHARS = "子文博思雨嘉俊雪梦佳晓婷慧丹宁磊鑫亮辉飞斌林帆瑶彤浩轩泽一诗琪可馨凯睿天昊" \
              "雅倩萌悦怡琳颖春秋冬松柏桦青山海峰岚云霞卫东红兵建华德福寿永"
RARE_GIVEN_CHARS = "喆淼犇昇玥珺堃焱翀彧婧珏琰芃沄昶赟祎旻炜琬骁晟"
# Names written in characters as minorities carry them, the parts joined by the middle dot.
DOTTED_PARTS = {"维吾尔": ("买买提", "艾力", "热依拉", "阿不都拉", "努尔古丽", "吐逊江", "阿迪力",
                        "米日古丽", "艾合买提"),
                "哈萨克": ("努尔兰", "叶尔兰", "阿依达娜", "别克", "加娜尔", "吐尔逊"),
                "柯尔克孜": ("阿斯卡尔", "古丽加依", "托合托逊"),
                "塔吉克": ("阿依姑", "热合曼", "库尔班"),
                "乌孜别克": ("阿布都", "沙吾提"), "塔塔尔": ("萨比尔", "阿米娜"),
                "俄罗斯": ("伊万", "娜塔莎", "彼得罗夫")}
# Whole names without a surname, as Tibetan, Mongolian and Yi names are written.
GIVEN_WHOLE = {"藏": ("扎西顿珠", "卓玛", "次仁旺姆", "格桑梅朵", "尼玛", "多吉才让"),
               "蒙古": ("巴特尔", "其其格", "苏和巴特尔", "乌兰图雅", "那日苏"),
               "彝": ("阿牛木呷", "吉伍伍各", "海来拉则")}
STREETS = ("学院", "滨江", "人民", "长安", "青年", "花园", "环城", "育才", "劳动", "工农", "建国",
           "振兴", "健康", "北京", "友谊", "民族")
STREET_KINDS = ("路", "大街", "街", "北路", "中路", "巷", "胡同")
TOWNS = ("城北街道", "南门街道", "桃源镇", "白沙乡", "新店镇", "清水河乡", "沙坝镇", "西园街道")
VILLAGES = ("大湾村", "柳树沟村", "上坝村", "团山村", "荷花村", "马鞍山村")
ESTATES = ("幸福家园", "水岸名都", "丽景苑", "职工宿舍", "康乐小区", "书香门第", "滨湖花园")
CHARS_PER_LINE = 11  # the address column holds 11 characters a line, 3 lines at most
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """GB 11643-1999's ISO 7064 MOD 11-2 check character."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def _name(rng: random.Random, nationality: str) -> str:
    if nationality in DOTTED_PARTS and rng.random() < 0.8:
        parts = DOTTED_PARTS[nationality]
        return "·".join(rng.sample(parts, 2))
    if nationality in GIVEN_WHOLE and rng.random() < 0.7:
        return rng.choice(GIVEN_WHOLE[nationality])
    roll = rng.random()
    surname = rng.choice(COMPOUND_SURNAMES) if roll < 0.1 else \
        rng.choice(RARE_SURNAMES) if roll < 0.25 else rng.choice(SURNAMES)
    given = "".join(rng.choice(RARE_GIVEN_CHARS if rng.random() < 0.22 else GIVEN_CHARS)
                    for _ in range(rng.choice((1, 1, 2, 2, 2, 3) if len(surname) == 1 else (1, 2))))
    return surname + given


def _address(rng: random.Random, prefix: str) -> str:
    """The address as printed: the place, then a street and number, or a town and village."""
    rest = rng.random()
    if rest < 0.4:
        tail = f"{rng.choice(STREETS)}{rng.choice(STREET_KINDS)}{rng.randint(1, 388)}号"
        if rng.random() < 0.6:
            block, unit = rng.randint(1, 24), rng.randint(1, 6)
            tail += f"{block}栋{unit}单元{rng.randint(1, 32)}{rng.randint(1, 4):02d}号"
    elif rest < 0.7:
        town, village = rng.choice(TOWNS), rng.choice(VILLAGES)
        tail = f"{town}{village}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
    else:
        tail = f"{rng.choice(STREETS)}{rng.choice(STREET_KINDS)}{rng.choice(ESTATES)}" \
               f"{rng.randint(1, 30)}幢{rng.randint(101, 2806)}室"
    if rng.random() < 0.3:  # a short address: a street and a number after the district
        tail = f"{rng.choice(STREETS)}{rng.choice(STREET_KINDS)}{rng.randint(1, 99)}号"
    return (prefix + tail)[:3 * CHARS_PER_LINE]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _validity_years(age: int) -> int:
    """The years a card issued at `age` is valid (0: 长期), as the law on the card sets."""
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """One holder's face and back, as a real card of theirs prints them, valid on TODAY."""
    code, prefix, authority = rng.choice(PLACES)
    nationality = "汉" if rng.random() < 0.4 else rng.choice(NATIONALITIES)
    while True:
        birth = date(1938, 1, 1) + timedelta(days=rng.randint(0, (date(2024, 6, 1) -
                                                                  date(1938, 1, 1)).days))
        # a card issued after 2004 (the second generation), still valid on TODAY
        first = max(birth + timedelta(days=200), date(2004, 1, 1))
        latest = TODAY - timedelta(days=1)
        if first > latest:
            continue
        start = first + timedelta(days=rng.randint(0, (latest - first).days))
        if (start.month, start.day) == (2, 29):
            continue
        years = _validity_years(_age(birth, start))
        if years != _validity_years((start - birth).days // 365):
            continue  # days from a birthday that changes the validity: no ambiguous holder
        end = "长期" if years == 0 else date(start.year + years, start.month, start.day)
        if end != "长期" and end <= TODAY:
            continue
        break
    sequence = rng.randint(0, 99)
    sex = rng.choice(("男", "女"))
    digit = rng.choice("13579" if sex == "男" else "02468")
    first17 = f"{code}{birth:%Y%m%d}{sequence:02d}{digit}"
    face = {"name": _name(rng, nationality), "sex": sex, "nationality": nationality,
            "birth": f"{birth:%Y%m%d}", "address": _address(rng, prefix),
            "num": first17 + check_character(first17)}
    back = {"issue": authority, "start_date": f"{start:%Y%m%d}",
            "end_date": end if end == "长期" else f"{end:%Y%m%d}"}
    return {"face": face, "back": back}


# Drawing the card ----------------------------------------------------------------------------

LABEL_BLUE = ((32, 110, 178), (52, 124, 190), (24, 92, 160))
INK = ((16, 16, 18), (34, 30, 30), (20, 24, 36))
PRINTS = ("2013 print", "2004 print")
Drawn = List[Tuple[str, Tuple[int, int, int, int]]]


def _ground(rng: random.Random, side: str, printing: str) -> Image.Image:
    """The card's pale printed ground: a guilloche of fine waves, blue-green on the later
    print and warmer on the 2004 one, fading towards the edges (an iridescent film is not
    drawn: this rendering prints what the card prints)."""
    w, h = CARD_SIZE
    base = np.array((244, 246, 240) if printing == PRINTS[0] else (246, 242, 232), np.float32)
    x = np.arange(w, dtype=np.float32)[None, :]
    y = np.arange(h, dtype=np.float32)[:, None]
    shade = np.zeros((3, h, w), np.float32)
    for _ in range(3):
        fx, fy = rng.uniform(0.02, 0.05), rng.uniform(0.01, 0.04)
        phase = rng.uniform(0, 6.28)
        wave = np.sin(x * fx + 6 * np.sin(y * fy + phase)) * np.sin(y * fx * 0.7 + phase)
        lines = np.clip(1 - np.abs(wave) * 9, 0, 1)  # thin lines where the wave crosses 0
        tint = np.abs(np.array(rng.choice(((70, 30, -10), (40, 10, -30), (-10, 30, 10),
                                            (20, 40, 60))), np.float32)) * rng.uniform(0.18, 0.3)
        for c in range(3):
            shade[c] += lines * tint[c]
    cx, cy = w * rng.uniform(0.3, 0.6), h * rng.uniform(0.3, 0.6)
    rosette = np.hypot(x - cx, y - cy)
    ring = np.clip(1 - np.abs(np.sin(rosette / rng.uniform(7, 12))) * 6, 0, 1) * \
        (rosette < h * 0.45)
    for c, depth in enumerate((6, 14, 4)):
        shade[c] += ring * depth
    ground = base[:, None, None] - shade
    ground = np.ascontiguousarray(ground.transpose(1, 2, 0))
    if side == "back":
        _great_wall(ground, rng)
    return Image.fromarray(np.clip(ground, 0, 255).astype(np.uint8))


def _great_wall(ground: np.ndarray, rng: random.Random) -> None:
    """The back's pale Great Wall: a crenellated band along a ridge, with watchtowers."""
    h, w, _ = ground.shape
    xs = np.arange(w, dtype=np.float32)
    ridge = h * 0.62 + h * 0.12 * np.sin(xs / w * rng.uniform(4, 7) + rng.uniform(0, 6)) + \
        h * 0.05 * np.sin(xs / w * 19 + rng.uniform(0, 6))
    y = np.arange(h, dtype=np.float32)[:, None]
    hills = (y > ridge[None, :]).astype(np.float32)
    band = ((y > ridge[None, :] - mm(2.2)) & (y <= ridge[None, :])).astype(np.float32)
    crenels = ((y > ridge[None, :] - mm(3.0)) & (y <= ridge[None, :] - mm(2.2)) &
               ((xs[None, :] // mm(1.2)) % 2 == 0)).astype(np.float32)
    towers = np.zeros_like(band)
    for tx in rng.sample(range(mm(10), w - mm(10)), 4):
        top = int(ridge[tx] - mm(6))
        towers[max(top, 0):int(ridge[tx]), tx - mm(2):tx + mm(2)] = 1
    ground -= hills[..., None] * np.array((4, 6, 2), np.float32)
    ground -= np.maximum(np.maximum(band, crenels), towers)[..., None] * \
        np.array((22, 16, 6), np.float32) * rng.uniform(0.7, 1.1)


def _portrait(rng: random.Random, size: Tuple[int, int]) -> Image.Image:
    """A head-and-shoulders photo on a white ground, as the card prints it (no real face)."""
    w, h = size
    img = Image.new("RGB", size, tuple(rng.randint(236, 250) for _ in range(3)))
    d = ImageDraw.Draw(img)
    skin = rng.choice(((236, 200, 172), (218, 176, 140), (190, 144, 108), (150, 104, 76)))
    clothes = rng.choice(((30, 34, 48), (70, 70, 74), (120, 30, 40), (230, 230, 232),
                          (40, 70, 120)))
    d.ellipse((w * 0.05, h * 0.72, w * 0.95, h * 1.35), fill=clothes)
    d.rectangle((w * 0.41, h * 0.55, w * 0.59, h * 0.8), fill=skin)
    d.ellipse((w * 0.27, h * 0.14, w * 0.73, h * 0.66), fill=skin)
    hair = rng.choice(((20, 18, 16), (48, 34, 26), (90, 86, 84)))
    if rng.random() < 0.5:
        d.chord((w * 0.25, h * 0.1, w * 0.75, h * 0.5), 180, 360, fill=hair)
    else:
        d.ellipse((w * 0.22, h * 0.08, w * 0.78, h * 0.44), fill=hair)
        d.rectangle((w * 0.22, h * 0.26, w * 0.3, h * 0.72), fill=hair)
        d.rectangle((w * 0.7, h * 0.26, w * 0.78, h * 0.72), fill=hair)
    for ex in (0.41, 0.59):
        d.ellipse((w * (ex - 0.03), h * 0.38, w * (ex + 0.03), h * 0.42), fill=(30, 26, 24))
    d.line((w * 0.44, h * 0.54, w * 0.56, h * 0.54), fill=(150, 70, 70), width=max(1, w // 60))
    return img.filter(ImageFilter.GaussianBlur(1.2))


def _text(d: ImageDraw.ImageDraw, xy, text: str, face, fill, spacing: float = 0) -> Tuple:
    """Draws `text` from its top-left `xy` (its ink box's top edge), characters `spacing` px
    apart beyond their advance; returns the ink's box."""
    x, y = xy
    top = face.getbbox(text)[1] if text else 0
    x0 = None
    for ch in text if spacing else (text,):
        d.text((x, y - top), ch, font=face, fill=fill)
        box = d.textbbox((x, y - top), ch, font=face)
        x0 = box[0] if x0 is None else x0
        x = (box[2] if spacing else box[2]) + spacing
    bottom = y - top + face.getbbox(text)[3]
    return (int(x0), int(y), int(x - spacing), int(bottom))


def _wrapped(text: str, width: int, face) -> List[str]:
    """`text` broken into lines no wider than `width`, at any character (as the card does)."""
    lines, line = [], ""
    for ch in text:
        if line and face.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def draw_face(face: Dict[str, str], rng: random.Random, log: Drawn,
              printing: Optional[str] = None) -> Image.Image:
    """The card's face with `face`'s values; each value drawn is logged with its ink box."""
    printing = printing or rng.choice(PRINTS)
    img = _ground(rng, "face", printing)
    d = ImageDraw.Draw(img)
    blue, ink = rng.choice(LABEL_BLUE), rng.choice(INK)
    value_spec, label_spec = rng.choice(VALUE_FONTS), rng.choice(LABEL_FONTS)
    x_label = mm(rng.uniform(5.2, 7.0))
    x_value = x_label + mm(rng.uniform(10.0, 11.5))
    column_end = mm(55.5)
    size = min(mm(rng.uniform(3.0, 3.5)), (column_end - x_value) // CHARS_PER_LINE)
    value = font(value_spec, size)
    label = font(label_spec, size * rng.uniform(0.78, 0.9))
    step = mm(rng.uniform(6.4, 7.2))
    y = mm(rng.uniform(6.0, 8.0))
    # while the value's characters are as wide as its size, 11 fit the column
    assert value.getlength("国" * CHARS_PER_LINE) <= column_end - x_value + 2

    def labelled(y_, text, x=x_label, spacing=0.6):
        return _text(d, (x, y_ + (size - label.size) // 2), text, label, blue,
                     spacing=label.size * spacing)

    def logged(xy, text, face_=value, spacing=0.0):
        log.append((text, _text(d, xy, text, face_, ink, spacing)))
        return log[-1][1]

    labelled(y, "姓名")
    logged((x_value, y), face["name"], font(value_spec, size * rng.uniform(1.0, 1.12)))
    y += step
    labelled(y, "性别")
    logged((x_value, y), face["sex"])
    x_nation = x_value + mm(rng.uniform(11, 13))
    labelled(y, "民族", x_nation)
    logged((x_nation + mm(rng.uniform(8.5, 10)), y), face["nationality"])
    y += step
    labelled(y, "出生")
    x = x_value
    birth = face["birth"]
    for part, unit in ((birth[:4], "年"), (str(int(birth[4:6])), "月"), (str(int(birth[6:])), "日")):
        box = logged((x, y), part)
        x = box[2] + mm(0.8)
        _text(d, (x, y + (size - label.size) // 2), unit, label, blue)
        x += label.size + mm(rng.uniform(0.8, 1.6))
    y += step
    labelled(y, "住址")
    line_step = int(size * rng.uniform(1.3, 1.5))
    for n, start in enumerate(range(0, len(face["address"]), CHARS_PER_LINE)):
        logged((x_value, y + n * line_step), face["address"][start:start + CHARS_PER_LINE])
    # the portrait, larger on the later print
    pw = mm(rng.uniform(24, 26) if printing == PRINTS[0] else rng.uniform(22, 24))
    ph = int(pw * 1.25)
    px, py = mm(rng.uniform(56.5, 58)), mm(rng.uniform(5.5, 8.5))
    img.paste(_portrait(rng, (pw, ph)), (px, py))
    # the number, on its own row at the bottom
    y_num = mm(rng.uniform(44.5, 46.5))
    number_spec = rng.choice(NUMBER_FONTS)
    num_size = mm(rng.uniform(3.6, 4.3))
    number = font(number_spec, num_size)
    label_end = labelled(y_num + (num_size - size) // 2, "公民身份号码",
                         spacing=rng.uniform(0.05, 0.3))[2]
    x_num = max(mm(rng.uniform(25.5, 28.5)), label_end + mm(rng.uniform(1.2, 2.5)))
    span = min(mm(rng.uniform(50, 54)), mm(83) - x_num)
    if number.getlength(face["num"]) > span:  # a wide face: smaller, to stay on the card
        number = font(number_spec, num_size * span / number.getlength(face["num"]))
    gap = max(0.0, (span - number.getlength(face["num"])) / 17)
    logged((x_num, y_num), face["num"], number, spacing=gap)
    return _rounded(img)


def _emblem(rng: random.Random, size: int) -> Image.Image:
    """The national emblem as small print shows it: a red disc with the five gold stars over
    Tiananmen's outline, ringed with ears of grain, a gear at the foot."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    gold, red = (226, 178, 40, 255), (206, 28, 36, 255)
    d.ellipse((0, 0, size - 1, size - 1), fill=gold)
    d.ellipse((size * 0.1, size * 0.1, size * 0.9, size * 0.9), fill=red)
    for k in range(28):  # the grain's ears around the ring
        a = 2 * math.pi * k / 28
        cx, cy = size / 2 + math.cos(a) * size * 0.45, size / 2 + math.sin(a) * size * 0.45
        d.ellipse((cx - size * 0.035, cy - size * 0.05, cx + size * 0.035, cy + size * 0.05),
                  fill=(236, 196, 70, 255))

    def star(cx, cy, r):
        pts = [(cx + r * (1 if i % 2 == 0 else 0.4) * math.sin(i * math.pi / 5),
                cy - r * (1 if i % 2 == 0 else 0.4) * math.cos(i * math.pi / 5)) for i in range(10)]
        d.polygon(pts, fill=gold)

    star(size * 0.5, size * 0.3, size * 0.11)
    for k, (sx, sy) in enumerate(((0.3, 0.22), (0.36, 0.34), (0.64, 0.34), (0.7, 0.22))):
        star(size * sx, size * sy, size * 0.045)
    d.rectangle((size * 0.28, size * 0.52, size * 0.72, size * 0.66), fill=gold)
    d.polygon(((size * 0.24, size * 0.52), (size * 0.5, size * 0.44), (size * 0.76, size * 0.52)),
              fill=gold)
    d.rectangle((size * 0.46, size * 0.56, size * 0.54, size * 0.66), fill=red)
    d.ellipse((size * 0.4, size * 0.76, size * 0.6, size * 0.94), fill=gold)
    return img


def draw_back(back: Dict[str, str], rng: random.Random, log: Drawn,
              printing: Optional[str] = None) -> Image.Image:
    """The card's back: emblem, title, and the authority's lines and the validity (logged)."""
    printing = printing or rng.choice(PRINTS)
    img = _ground(rng, "back", printing)
    size = mm(rng.uniform(19, 22))
    emblem = _emblem(rng, size)
    img.paste(emblem, (mm(rng.uniform(6, 9)), mm(rng.uniform(5, 7.5))), emblem)
    d = ImageDraw.Draw(img)
    title_spec = rng.choice(TITLE_FONTS)
    title_ink = rng.choice(((20, 20, 22), (40, 36, 34)))
    x_title = mm(rng.uniform(30, 33))
    small = font(title_spec, mm(rng.uniform(4.3, 5.0)))
    _text(d, (x_title, mm(rng.uniform(8, 10))), "中华人民共和国", small, title_ink,
          spacing=mm(rng.uniform(0.8, 1.6)))
    big = font(title_spec, mm(rng.uniform(7.2, 8.2)))
    _text(d, (x_title - mm(1), mm(rng.uniform(18, 20))), "居民身份证", big, title_ink,
          spacing=mm(rng.uniform(1.2, 2.6)))
    blue, ink = rng.choice(LABEL_BLUE), rng.choice(INK)
    value_spec, label_spec = rng.choice(VALUE_FONTS), rng.choice(LABEL_FONTS)
    size = mm(rng.uniform(3.0, 3.8))
    value = font(value_spec, size)
    label = font(label_spec, size * rng.uniform(0.8, 0.9))
    x_label = mm(rng.uniform(14.5, 17.5))
    label_spacing = label.size * rng.uniform(0.1, 0.4)
    x_value = x_label + int(label.getlength("签发机关") + 3 * label_spacing) + \
        mm(rng.uniform(1.5, 3.0))
    lines = _wrapped(back["issue"], mm(rng.uniform(44, 50)) if rng.random() < 0.5 else
                     mm(82) - x_value, value)
    line_step = int(size * 1.35)
    y = mm(rng.uniform(38.5, 41)) - (len(lines) - 1) * line_step
    _text(d, (x_label, y + (size - label.size) // 2), "签发机关", label, blue,
          spacing=label_spacing)
    for n, line in enumerate(lines):
        log.append((line, _text(d, (x_value, y + n * line_step), line, value, ink)))
    y = max(y + mm(rng.uniform(6.5, 7.5)), y + len(lines) * line_step + mm(1.5))
    _text(d, (x_label, y + (size - label.size) // 2), "有效期限", label, blue,
          spacing=label_spacing)

    def dotted(day: str) -> str:
        return f"{day[:4]}.{day[4:6]}.{day[6:]}"

    end = back["end_date"] if back["end_date"] == "长期" else dotted(back["end_date"])
    validity = f"{dotted(back['start_date'])}-{end}"
    log.append((validity, _text(d, (x_value, y), validity, value, ink)))
    return _rounded(img)


def _rounded(card: Image.Image) -> Image.Image:
    """The card with its rounded corners (about 3 mm) made transparent."""
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1),
                                           radius=mm(3.2), fill=255)
    out = card.convert("RGBA")
    out.putalpha(mask)
    return out


def card_image(side: str, truth: Dict[str, str], rng: random.Random,
               printing: Optional[str] = None) -> Image.Image:
    draw = draw_face if side == "face" else draw_back
    return draw(truth, rng, [], printing)


# Overlays people put on copies -------------------------------------------------------------

PURPOSES = ("办理护照", "车辆过户", "公积金提取", "手机卡办理", "酒店入住登记", "驾校报名",
            "医保报销", "签订劳动合同", "开具证明", "学籍注册")
OVERLAY_PHRASES = ("复印无效", "仅限{}使用", "仅供{}使用 他用无效", "此件仅用于{}",
                   "与原件核对无误", "再复印无效", "{}专用")
STAMP_INKS = ((210, 30, 44), (190, 22, 30), (232, 60, 70))
PEN_INKS = ((30, 50, 160), (24, 24, 30))


def overlay_phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))


def stamp(card: Image.Image, rng: random.Random, unit: Optional[int] = None
          ) -> Tuple[Image.Image, str]:
    """A red seal pressed on the card (or on a page of copies whose card is `unit` px high):
    round with a star and its words along the rim, or a box with the phrase in it; uneven
    ink, partly over the values."""
    w, h = card.size
    size = int((unit or h) * rng.uniform(0.32, 0.5))
    layer = Image.new("L", (size * 2, size * 2), 0)
    d = ImageDraw.Draw(layer)
    phrase = overlay_phrase(rng)
    round_seal = rng.random() < 0.6
    if round_seal:
        c = size
        r = size * 0.92
        d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(3, size // 22))
        star_r = size * 0.2
        d.polygon([(c + star_r * (1 if i % 2 == 0 else 0.4) * math.sin(i * math.pi / 5),
                    c - star_r * (1 if i % 2 == 0 else 0.4) * math.cos(i * math.pi / 5))
                   for i in range(10)], fill=255)
        rim = phrase.replace(" ", "")
        face = font(SERIF_BOLD, size * 0.2)
        span = min(250.0, 26.0 * len(rim))
        for k, ch in enumerate(rim):
            a = math.radians(-90 - span / 2 + span * (k + 0.5) / len(rim))
            glyph = Image.new("L", (int(face.size * 1.4),) * 2, 0)
            ImageDraw.Draw(glyph).text((face.size * 0.2, 0), ch, font=face, fill=255)
            glyph = glyph.rotate(-math.degrees(a) - 90, expand=True)
            gx = c + math.cos(a) * r * 0.7 - glyph.width / 2
            gy = c + math.sin(a) * r * 0.7 - glyph.height / 2
            layer.paste(255, (int(gx), int(gy)), glyph)
        what = "round red stamp"
    else:
        face = font(SERIF_BOLD, size * 0.28)
        text_w = int(face.getlength(phrase)) + size // 4
        box = (max(0, size - text_w // 2), int(size * 0.75), min(2 * size - 1, size + text_w // 2),
               int(size * 1.25))
        d.rectangle(box, outline=255, width=max(3, size // 25))
        d.text((box[0] + size // 8, box[1] + size * 0.08), phrase, font=face, fill=255)
        what = "box red stamp"
    layer = layer.rotate(rng.uniform(-35, 35), resample=Image.BICUBIC)
    ink = np.asarray(layer, np.float32) / 255
    speckle = np.random.default_rng(rng.randrange(1 << 30)).random(ink.shape, np.float32)
    ink *= rng.uniform(0.7, 0.95) * (0.6 + 0.4 * speckle)  # the pad's uneven ink
    colour = np.array(rng.choice(STAMP_INKS), np.float32)
    x = int(w * rng.uniform(0.05, 0.6)) - size // 2
    y = int(h * rng.uniform(0.1, 0.7)) - size // 2
    return _multiply(card, ink, colour, (x, y)), what


def _multiply(card: Image.Image, ink: np.ndarray, colour: np.ndarray, at) -> Image.Image:
    """Ink laid on paper: it darkens what is under it towards `colour` (multiplicatively)."""
    out = np.asarray(card.convert("RGBA"), np.float32).copy()
    x, y = at
    ih, iw = ink.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + iw, out.shape[1]), min(y + ih, out.shape[0])
    if x1 <= x0 or y1 <= y0:
        return card
    a = ink[y0 - y:y1 - y, x0 - x:x1 - x, None]
    region = out[y0:y1, x0:x1, :3]
    out[y0:y1, x0:x1, :3] = region * (1 - a) + region * (colour / 255) * a
    return Image.fromarray(out.astype(np.uint8))


def watermark(card: Image.Image, rng: random.Random, unit: Optional[int] = None
              ) -> Tuple[Image.Image, str]:
    """A phrase over the card (or a page of copies whose card is `unit` px high): tiled
    diagonally in grey or red (a copy shop's or an app's watermark), or written once across
    it with a pen."""
    w, h = card.size
    unit = unit or h
    phrase = overlay_phrase(rng)
    layer = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(layer)
    if rng.random() < 0.6:
        face = font(SANS_BOLD, unit * rng.uniform(0.07, 0.11))
        step_x = int(face.getlength(phrase) + unit * 0.15)
        step_y = int(face.size * rng.uniform(2.2, 3.2))
        big = Image.new("L", (w * 2, h * 2), 0)
        bd = ImageDraw.Draw(big)
        for row, yy in enumerate(range(0, h * 2, step_y)):
            for xx in range(-(row % 2) * step_x // 2, w * 2, step_x):
                bd.text((xx, yy), phrase, font=face, fill=255)
        big = big.rotate(rng.uniform(20, 40), resample=Image.BICUBIC)
        layer = big.crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
        strength, colour = rng.uniform(0.25, 0.45), rng.choice(((120, 120, 124), (214, 60, 60)))
        what = "watermark tiled"
    else:
        face = font(SERIF_BOLD, unit * rng.uniform(0.1, 0.14))
        d.text((w * rng.uniform(0.05, 0.25), h * rng.uniform(0.3, 0.6)), phrase, font=face,
               fill=255)
        layer = layer.rotate(rng.uniform(-20, 20), resample=Image.BICUBIC,
                             center=(w / 2, h / 2))
        strength, colour = rng.uniform(0.75, 0.95), rng.choice(PEN_INKS)
        what = "watermark pen"
    ink = np.asarray(layer, np.float32) / 255 * strength
    return _multiply(card, ink, np.array(colour, np.float32), (0, 0)), what


# Putting the card in a photo ---------------------------------------------------------------

def homography(src, dst) -> np.ndarray:
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        b += [u, v]
    return np.append(np.linalg.solve(np.array(a, float), np.array(b, float)), 1).reshape(3, 3)


def place(scene: Image.Image, card: Image.Image, quad, shadow: float = 0.35,
          rng: Optional[random.Random] = None) -> None:
    """Pastes the RGBA `card` into `scene` with its corners (TL, TR, BR, BL of the card as
    drawn) at `quad`, with a soft shadow under it."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    pad = 3 + int(0.05 * (max(xs) - min(xs)) if shadow else 0)  # room for the shadow's blur
    x0, y0 = max(int(min(xs)) - pad, 0), max(int(min(ys)) - pad, 0)
    x1, y1 = min(int(max(xs)) + pad, scene.width), min(int(max(ys)) + pad, scene.height)
    if x1 <= x0 or y1 <= y0:
        return
    w, h = card.size
    local = [(x - x0, y - y0) for x, y in quad]
    inverse = homography(local, [(0, 0), (w, 0), (w, h), (0, h)])
    # bicubic where the card is enlarged or kept, bilinear for large shrunk pages (as fast)
    big = (x1 - x0) * (y1 - y0) > 4_000_000
    warped = card.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, tuple(inverse.flatten()[:8]),
                            Image.BILINEAR if big else Image.BICUBIC)
    if shadow:
        offset = max(2, int(0.012 * (max(xs) - min(xs))))
        alpha = warped.getchannel("A")
        small = alpha.resize((max(alpha.width // 4, 1), max(alpha.height // 4, 1)), Image.BOX)
        mask = small.filter(ImageFilter.GaussianBlur(offset * 1.5 / 4)).resize(alpha.size,
                                                                               Image.BILINEAR)
        shade = mask.point(lambda v: int(v * shadow))
        scene.paste((0, 0, 0), (x0 + offset, y0 + offset), shade)
    scene.paste(warped.convert("RGB"), (x0, y0), warped.getchannel("A"))


def card_quad(rng: random.Random, centre, width: float, turn: int, skew: float,
              keystone: float = 0.0) -> List[Tuple[float, float]]:
    """The card's corners (TL, TR, BR, BL as drawn) in the photo: `width` px wide, turned by
    `turn` + `skew` degrees, its far edge shortened by `keystone` (0: none)."""
    w, h = width, width * 54 / 85.6
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    if keystone:  # the top edge (as drawn) further from the lens
        corners = [(x * (1 - keystone) if y < 0 else x * (1 + keystone * 0.3), y *
                    (1 - keystone * 0.35)) for x, y in corners]
    a = math.radians(turn + skew)
    cos, sin = math.cos(a), math.sin(a)
    return [(centre[0] + x * cos - y * sin, centre[1] + x * sin + y * cos) for x, y in corners]


SURFACES = ("cherry veneer", "grey felt mat", "woven placemat", "concrete bench",
            "car seat fabric", "denim", "white duvet", "glass table", "bokeh")


def surface(rng: random.Random, size: Tuple[int, int], name: Optional[str] = None
            ) -> Tuple[Image.Image, str]:
    """A surface to put the card on, drawn at a quarter of the size and enlarged (texture at
    a phone's distance is soft anyway)."""
    name = name or rng.choice(SURFACES)
    w, h = max(size[0] // 4, 8), max(size[1] // 4, 8)
    g = np.random.default_rng(rng.randrange(1 << 30))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    if name == "cherry veneer":
        grain = np.sin(y * 0.35 + 4 * np.sin(x * 0.01 + y * 0.02)) * 0.5 + 0.5
        base = np.stack([150 + 30 * grain, 80 + 18 * grain, 50 + 10 * grain], -1)
    elif name == "grey felt mat":
        base = np.full((h, w, 3), (96, 100, 104), np.float32) + g.normal(0, 6, (h, w, 1))
    elif name == "woven placemat":
        weave = ((np.sin(x * 0.9) > 0) ^ (np.sin(y * 0.9) > 0)).astype(np.float32)
        base = np.stack([190 + 25 * weave, 160 + 20 * weave, 110 + 15 * weave], -1)
    elif name == "concrete bench":
        base = np.full((h, w, 3), (150, 148, 142), np.float32) + g.normal(0, 14, (h, w, 1))
    elif name == "car seat fabric":
        dots = (np.sin(x * 1.3) * np.sin(y * 1.3) > 0.6).astype(np.float32)
        base = np.full((h, w, 3), (44, 44, 50), np.float32) + dots[..., None] * 24
    elif name == "denim":
        twill = np.sin((x + y) * 1.6) * 0.5 + 0.5
        base = np.stack([50 + 30 * twill, 70 + 30 * twill, 110 + 40 * twill], -1) + \
            g.normal(0, 8, (h, w, 1))
    elif name == "white duvet":
        folds = np.sin(x * 0.03 + np.sin(y * 0.02) * 2) * 10
        base = np.full((h, w, 3), (226, 226, 230), np.float32) + folds[..., None]
    elif name == "glass table":
        base = np.stack([60 + 0 * x, 66 + 0 * x, 64 + 0 * x], -1) + \
            (x / w * 40)[..., None]  # dark glass over a floor, lighter to one side
    else:  # bokeh: lights far behind, out of focus
        base = np.full((h, w, 3), rng.choice(((40, 34, 30), (70, 80, 60), (30, 36, 56))),
                       np.float32)
        canvas = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
        d = ImageDraw.Draw(canvas, "RGBA")
        for _ in range(40):
            r = rng.uniform(0.02, 0.07) * w
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            colour = rng.choice(((255, 200, 120), (255, 240, 200), (160, 200, 255), (255, 140, 90)))
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour + (rng.randint(40, 110),))
        base = np.asarray(canvas.filter(ImageFilter.GaussianBlur(2)), np.float32)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    return img.resize(size, Image.BILINEAR), name


def _array(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"), np.float32)


def _image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _scaled(scene: Image.Image, gain: Image.Image) -> Image.Image:
    """`scene` times `gain` (an L picture of the same size, 255 = 1)."""
    return ImageChops.multiply(scene.convert("RGB"), gain.convert("RGB"))


def _gain(small: np.ndarray, size: Tuple[int, int]) -> Image.Image:
    """A smooth gain field (at most 1) drawn small and enlarged to `size`."""
    return Image.fromarray(np.clip(small * 255, 0, 255).astype(np.uint8)) \
        .resize(size, Image.BILINEAR)


def tinted(scene: Image.Image, gains) -> Image.Image:
    """The white balance off: each channel scaled by its gain."""
    lut = [min(255, round(v * g)) for g in gains for v in range(256)]
    return scene.convert("RGB").point(lut)


def light(scene: Image.Image, rng: random.Random, dim: float = 1.0) -> Image.Image:
    """Uneven light across the frame with a lens's vignetting, in a colour temperature."""
    sw, sh = 64, 48
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rng.uniform(-0.35, 0.35), rng.uniform(-0.35, 0.35)
    field = 1 + gx * (x / sw - 0.5) + gy * (y / sh - 0.5)
    r2 = ((x / sw - 0.5) ** 2 + (y / sh - 0.5) ** 2) / 0.5
    field *= 1 - rng.uniform(0.1, 0.35) * r2
    peak = float(field.max())
    cast = rng.choice(((1.0, 1.0, 1.0), (1.05, 1.0, 0.9), (0.95, 1.0, 1.05), (0.98, 1.04, 0.95)))
    return tinted(_scaled(scene, _gain(field / peak, scene.size)),
                  [c * peak * dim for c in cast])


def flicker(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """LED or fluorescent light flickering at mains frequency: a rolling shutter reads the
    rows at different moments, so bright and dark bands cross the frame."""
    w, h = scene.size
    period = h / rng.uniform(3, 9)
    rows = 1 - rng.uniform(0.12, 0.3) * (0.5 + 0.5 * np.sin(
        np.arange(h, dtype=np.float32) * 2 * math.pi / period + rng.uniform(0, 6.28)))
    gain = Image.fromarray((np.repeat(rows[:, None], 8, 1) * 255).astype(np.uint8))
    return _scaled(scene, gain.resize((w, h), Image.NEAREST)), "flicker bands"


def night_mode(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A dark room: strong sensor noise that the phone's night mode then smears (its noise
    reduction, on a smaller picture, leaves blotches and soft edges), lifted back up."""
    small = scene.convert("RGB").resize((scene.width // 2, scene.height // 2), Image.BILINEAR)
    g = np.random.default_rng(rng.randrange(1 << 30))
    a = np.asarray(small, np.float32) * rng.uniform(0.25, 0.4)
    a += g.normal(0, rng.uniform(5, 9), a.shape[:2] + (1,)).astype(np.float32)
    a *= rng.uniform(2.0, 2.6)
    smeared = _image(a).filter(ImageFilter.GaussianBlur(0.9))
    return smeared.resize(scene.size, Image.BICUBIC), "night mode"


def oversharpen(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """The phone's sharpening turned up: halos and ringing along every stroke."""
    return scene.filter(ImageFilter.UnsharpMask(radius=rng.uniform(2, 4),
                                                percent=rng.randint(200, 320), threshold=1)), \
        "over-sharpened"


def glare(scene: Image.Image, rng: random.Random, centre, radius: float) -> Tuple[Image.Image, str]:
    """A flash or a lamp reflected by the laminate: a saturated core fading out."""
    w, h = scene.size
    sw, sh = max(w // 8, 1), max(h // 8, 1)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    d = np.hypot(x - centre[0] / 8, (y - centre[1] / 8) / rng.uniform(0.6, 1.4))
    spot = np.clip(1.3 - d / (radius / 8), 0, 1) ** 1.5
    add = Image.fromarray((np.clip(spot * 290, 0, 255)).astype(np.uint8)) \
        .resize((w, h), Image.BILINEAR).convert("RGB")
    return ImageChops.add(scene.convert("RGB"), add), "flash glare"


def reflection(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A glass table's reflection of a window: a bright, soft band over everything."""
    band = Image.new("L", (64, 48), 0)
    x = rng.uniform(5, 50)
    ImageDraw.Draw(band).polygon(((x, 0), (x + 12, 0), (x + 4, 48), (x - 8, 48)),
                                 fill=rng.randint(40, 80))
    band = band.filter(ImageFilter.GaussianBlur(3)).resize(scene.size, Image.BILINEAR)
    return ImageChops.add(scene.convert("RGB"), band.convert("RGB")), "glass reflection"


def phone_shadow(scene: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """The phone's own shadow when shot from straight above under a ceiling lamp."""
    mask = Image.new("L", (64, 48), 255)
    x, y = rng.uniform(10, 40), rng.uniform(-10, 20)
    ImageDraw.Draw(mask).rounded_rectangle((x, y, x + 22, y + 40), radius=4,
                                           fill=255 - rng.randint(60, 110))
    mask = mask.filter(ImageFilter.GaussianBlur(2.5)).resize(scene.size, Image.BILINEAR)
    return _scaled(scene, mask), "phone shadow"


def holder(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """The card in a clear ID-card holder on a lanyard: a wider clear sleeve with a slot and a
    strap at its top, a faint haze and a bright edge where the plastic bends."""
    w, h = card.size
    pad = int(h * 0.08)
    out = Image.new("RGBA", (w + 2 * pad, h + int(3.2 * pad)), (0, 0, 0, 0))
    d = ImageDraw.Draw(out)
    d.rounded_rectangle((0, 0, out.width - 1, out.height - 1), radius=pad,
                        fill=(225, 230, 235, 70), outline=(250, 250, 252, 200), width=3)
    out.alpha_composite(card, (pad, int(2.2 * pad)))
    slot_w = int(w * 0.22)
    d = ImageDraw.Draw(out)
    d.rounded_rectangle(((out.width - slot_w) // 2, pad // 2, (out.width + slot_w) // 2,
                         int(1.4 * pad)), radius=pad // 3, fill=(40, 40, 44, 255))
    haze = Image.new("RGBA", out.size, (235, 238, 242, rng.randint(18, 40)))
    out = Image.alpha_composite(out, haze)
    return out, "ID-card holder on a lanyard"


def wallet(scene: Image.Image, quad, rng: random.Random) -> Tuple[Image.Image, str]:
    """The card behind a wallet's clear window: leather around it, the window's plastic a
    faint sheen over the card."""
    w, h = scene.size
    leather = Image.new("RGB", (w, h), rng.choice(((70, 40, 26), (30, 28, 28), (120, 80, 50))))
    mask = Image.new("L", (w, h), 255)
    cx = sum(p[0] for p in quad) / 4
    cy = sum(p[1] for p in quad) / 4
    grown = [(cx + (x - cx) * 1.04, cy + (y - cy) * 1.06) for x, y in quad]
    ImageDraw.Draw(mask).polygon(grown, fill=0)
    out = Image.composite(leather, scene, mask)
    sheen = Image.new("L", (w, h), 0)
    ImageDraw.Draw(sheen).polygon(grown, fill=rng.randint(10, 25))
    return ImageChops.add(out, sheen.convert("RGB")), "wallet window"


def encode(img: Image.Image, rng: random.Random, quality: Optional[int] = None,
           subsampling: Optional[int] = None) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality or rng.randint(74, 93),
                            subsampling=rng.choice((0, 1, 2)) if subsampling is None
                            else subsampling)
    return out.getvalue()


def recompressed(img: Image.Image, rng: random.Random, longest: int) -> Tuple[Image.Image, str]:
    """Sent through a messenger: shrunk to its longest side, JPEG at a low quality with 4:2:0
    chroma, decoded again (the final save encodes it once more)."""
    scale = min(1.0, longest / max(img.size))
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.BILINEAR)
    quality = rng.randint(55, 72)
    img = Image.open(io.BytesIO(encode(img, rng, quality, 2))).convert("RGB")
    return img, f"sent at {max(img.size)} px q{quality}"


SCREENS = ((1080, 2340), (1170, 2532), (1080, 2400))


def chat_screenshot(photo: Image.Image, rng: random.Random, card_width: float
                    ) -> Tuple[Image.Image, float, str]:
    """A screenshot of the photo opened full screen in a chat app: fitted to the phone's
    width on black, the status bar, the viewer's counter and buttons over it."""
    sw, sh = rng.choice(SCREENS)
    screen = Image.new("RGB", (sw, sh), (0, 0, 0))
    scale = min(sw / photo.width, (sh - 500) / photo.height)
    shown = photo.resize((round(photo.width * scale), round(photo.height * scale)),
                         Image.BILINEAR)
    screen.paste(shown, ((sw - shown.width) // 2, (sh - shown.height) // 2))
    d = ImageDraw.Draw(screen)
    ui = font(SANS_BOLD, 40)
    d.text((60, 30), f"{rng.randint(8, 22)}:{rng.randint(0, 59):02d}", font=ui, fill=(240,) * 3)
    d.rectangle((sw - 160, 40, sw - 70, 74), outline=(240,) * 3, width=3)
    d.text((sw // 2 - 40, 150), f"{rng.randint(1, 3)}/{rng.randint(3, 9)}", font=ui,
           fill=(230,) * 3)
    d.rounded_rectangle((60, sh - 190, 300, sh - 110), radius=12, outline=(230,) * 3, width=3)
    d.text((100, sh - 175), "查看原图", font=ui, fill=(230,) * 3)
    for k in range(3):
        d.ellipse((sw - 170 + k * 40, sh - 160, sw - 150 + k * 40, sh - 140), fill=(230,) * 3)
    return screen, card_width * scale, "chat screenshot"


NOISE_TILE = 509  # px; a prime, so that the tiling does not line up with the card's print


def sensor(img: Image.Image, rng: random.Random, amount: float = 1.0) -> Image.Image:
    """A phone's noise after its processing: fine luma grain and coarser chroma blotches (a
    tile of it repeated from a random offset: cheap on a 12 MP frame)."""
    w, h = img.size
    g = np.random.default_rng(rng.randrange(1 << 30))
    t = NOISE_TILE
    luma = g.normal(0, 2.5 * amount, (t, t, 1))
    chroma = Image.fromarray(np.clip(g.normal(128, 3 * amount, (t // 8, t // 8, 3)), 0, 255)
                             .astype(np.uint8)).resize((t, t), Image.BILINEAR)
    tile = (luma + np.asarray(chroma, np.float32) - 128).astype(np.int16)
    ox, oy = rng.randrange(t), rng.randrange(t)
    noise = np.tile(tile, ((h + oy) // t + 1, (w + ox) // t + 1, 1))[oy:oy + h, ox:ox + w]
    return Image.fromarray(np.clip(np.asarray(img.convert("RGB"), np.int16) + noise, 0, 255)
                           .astype(np.uint8))


# Photos --------------------------------------------------------------------------------------

TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}
FRAMES = ((4000, 3000), (3000, 4000), (4080, 3072), (2560, 1920), (2048, 1536), (1920, 1440),
          (1600, 1200), (1280, 960), (1440, 1920), (1536, 2048), (2304, 1728))
HARD_EFFECTS = ("flicker", "night mode", "zoom", "oversharpen", "chat", "holder", "wallet",
                "reflection", "low angle", "glare", "shadow", "messenger", "stamp", "watermark",
                "cast")


def _frame_for(rng: random.Random, card_width: int, turn: int) -> Tuple[int, int]:
    """A frame from FRAMES that holds the card at that turn, with any skew, and a margin."""
    along, across = card_width * 1.4, card_width * 54 / 85.6 * 1.4 + card_width * 0.35
    upright = turn in (0, 180)
    fitting = [f for f in FRAMES if (f[0] >= along and f[1] >= across) if upright] + \
        [f for f in FRAMES if (f[1] >= along and f[0] >= across) if not upright]
    return rng.choice(fitting or [max(FRAMES, key=lambda f: f[0] * f[1])])


def _centred(rng: random.Random, quad, size: Tuple[int, int]):
    """`quad` (drawn around the origin) moved to a random place where it is whole in `size`."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    pad = 0.03 * min(size)
    x = rng.uniform(-min(xs) + pad, size[0] - max(xs) - pad) \
        if size[0] - max(xs) - pad > -min(xs) + pad else size[0] / 2
    y = rng.uniform(-min(ys) + pad, size[1] - max(ys) - pad) \
        if size[1] - max(ys) - pad > -min(ys) + pad else size[1] / 2
    return [(px + x, py + y) for px, py in quad]


def _photo(card: Image.Image, side: str, rng: random.Random, kind: str) -> Tuple[bytes, str]:
    """The card photographed: a plain photo (upright, a few degrees off, ordinary light and
    focus) or a hard one (any quarter turn with skew and some of HARD_EFFECTS)."""
    hard = kind == "hard"
    effects = set(rng.sample(HARD_EFFECTS, rng.randint(2, 4))) if hard else set()
    if hard and rng.random() < 0.45:
        effects.add(rng.choice(("stamp", "watermark")))
    notes = [side]
    for overlay in ("stamp", "watermark"):
        if overlay in effects:
            card, what = (stamp if overlay == "stamp" else watermark)(card, rng)
            notes.append(what)
    if "holder" in effects:
        card, what = holder(card, rng)
        notes.append(what)
    turn = rng.choice((0, 90, 180, 270)) if hard else 0
    skew = rng.uniform(-20, 20) if hard else rng.uniform(-3, 3)
    width = rng.randint(448, 1300)
    frame = _frame_for(rng, width, turn)
    if "chat" in effects and min(SCREENS[0][0] / frame[0], 1900 / frame[1]) * width < 448:
        effects.discard("chat")  # shown full screen, the card would be under 448 px
        effects.add("messenger")
    # digital zoom: the card drawn on the sensor at >= 400 px, enlarged to the frame
    zoom = min(rng.uniform(1.6, 3.0), width / 400) if "zoom" in effects else 1.0
    zoom = zoom if zoom >= 1.25 else 1.0
    keystone = rng.uniform(0.25, 0.4) if "low angle" in effects else \
        rng.uniform(0, 0.08) if hard else rng.uniform(0, 0.03)
    drawn_width = width / zoom
    scene_size = (round(frame[0] / zoom), round(frame[1] / zoom))
    # a reflection needs a glass top to come from
    scene, where = surface(rng, scene_size, "glass table" if "reflection" in effects else None)
    notes.append(f"on {where}")
    card_w = drawn_width * (card.width / CARD_SIZE[0])  # a holder is wider than the card
    quad = _centred(rng, card_quad(rng, (0, 0), card_w, turn, skew, keystone), scene_size)
    place(scene, card, quad, shadow=rng.uniform(0.15, 0.4))
    if "wallet" in effects:
        scene, what = wallet(scene, quad, rng)
        notes.append(what)
    dim = rng.uniform(0.45, 0.7) if hard and rng.random() < 0.25 else rng.uniform(0.85, 1.1)
    scene = light(scene, rng, dim)
    if dim < 0.75:
        notes.append("dark")
    if "cast" in effects:
        name, gains = rng.choice((("tungsten cast", (1.12, 0.98, 0.78)),
                                  ("fluorescent cast", (0.92, 1.06, 0.96))))
        scene = tinted(scene, gains)
        notes.append(name)
    for effect, apply in (("reflection", reflection), ("shadow", phone_shadow),
                          ("flicker", flicker)):
        if effect in effects:
            scene, what = apply(scene, rng)
            notes.append(what)
    if "glare" in effects:
        cx, cy = sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4
        corner, t = rng.choice(quad), rng.uniform(0.2, 0.6)
        scene, what = glare(scene, rng, (cx + (corner[0] - cx) * t, cy + (corner[1] - cy) * t),
                            drawn_width * rng.uniform(0.08, 0.16))
        notes.append(what)
    if "night mode" in effects:
        scene, what = night_mode(scene, rng)
        notes.append(what)
    else:
        scene = sensor(scene, rng, rng.uniform(0.6, 1.4))
    if zoom > 1:
        scene = scene.resize(frame, Image.BICUBIC)
        notes.append(f"digital zoom {zoom:.1f}x")
    if "oversharpen" in effects:
        scene, what = oversharpen(scene, rng)
        notes.append(what)
    elif not hard and rng.random() < 0.3:
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
        notes.append("soft focus")
    shown_width = float(width)
    if "chat" in effects:
        scene, shown_width, what = chat_screenshot(scene, rng, width)
        notes.append(what)
    elif "messenger" in effects:
        scene, what = recompressed(scene, rng, max(1600, math.ceil(448 / width * max(frame))))
        shown_width = width * max(scene.size) / max(frame)
        notes.append(what)
    notes[1:1] = [f"card {round(shown_width)} px", TURNS[turn], f"skew {round(skew)}",
                  f"{scene.width}x{scene.height}"]
    if keystone >= 0.25:
        notes.append("low angle")
    return encode(scene, rng), ", ".join(notes)


# Sheets ---------------------------------------------------------------------------------------

SHEET_DPI = (150, 200, 240, 300)
PAPERS = {"white paper": (246, 246, 244), "recycled paper": (226, 224, 214),
          "cream paper": (244, 236, 214)}
SHEET_OUTPUTS = ("flatbed scan", "grey fax-like scan", "scanner app magic colour",
                 "scanner app black and white", "photographed on a desk")


def copy_of(card: Image.Image, rng: random.Random, colour: bool, density: float) -> Image.Image:
    """The card as a copier prints it: greyscale toner (or colour), its ground washed out,
    darker or lighter by the copier's `density`, with the toner's grain."""
    a = _array(Image.alpha_composite(Image.new("RGBA", card.size, (255, 255, 255, 255)),
                                     card.convert("RGBA")))
    if not colour:
        a = a @ np.array((0.299, 0.587, 0.114), np.float32)
        a = np.repeat(a[..., None], 3, -1)
    a = 255 * np.clip((a / 255 - 0.1) / 0.82, 0, 1) ** density  # washed ground, toner weight
    g = np.random.default_rng(rng.randrange(1 << 30))
    a += g.normal(0, 6, a.shape[:2])[..., None]
    out = _image(a).convert("RGBA")
    out.putalpha(card.getchannel("A"))
    return out


def _sheet(face_card, back_card, rng) -> Tuple[Image.Image, str]:
    dpi = rng.choice(SHEET_DPI)
    paper_name = rng.choice(tuple(PAPERS))
    page = Image.new("RGB", (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)), PAPERS[paper_name])
    colour = rng.random() < 0.3
    card_w = 85.6 / 25.4 * dpi
    notes = [f"A4 at {dpi} dpi", paper_name, "colour copy" if colour else "black-and-white copy",
             f"card {round(card_w)} px"]
    two_up = rng.random() < 0.25
    slots = [(0.5, 0.27), (0.5, 0.62)] if not two_up else [(0.3, 0.25), (0.72, 0.25),
                                                            (0.3, 0.7), (0.72, 0.7)]
    cards = [face_card, back_card] if not two_up else [face_card, back_card, face_card, back_card]
    if two_up:
        notes.append("two-up")
    for n, (card, (fx, fy)) in enumerate(zip(cards, slots)):
        density = rng.uniform(0.7, 1.6)
        copied = copy_of(card, rng, colour, density)
        turn = rng.choice((0, 0, 0, 180, 90)) if not two_up else rng.choice((0, 0, 180))
        skew = rng.uniform(-6, 6)
        centre = (page.width * fx, page.height * fy)
        place(page, copied, card_quad(rng, centre, card_w, turn, skew), shadow=0)
        if n < 2:
            notes.append(f"{'face' if n == 0 else 'back'} {TURNS[turn]} skew {round(skew)} "
                         f"density {density:.1f}")
    if rng.random() < 0.5:
        overlay = stamp if rng.random() < 0.5 else watermark
        page, what = overlay(page, rng, round(54 / 25.4 * dpi))
        page = page.convert("RGB")
        notes.append(what)
    if two_up or rng.random() < 0.3:
        d = ImageDraw.Draw(page)
        r = dpi * 0.12
        for fy in (0.35, 0.65):  # two punched holes in the left margin
            d.ellipse((dpi * 0.35 - r, page.height * fy - r, dpi * 0.35 + r, page.height * fy + r),
                      fill=(30, 30, 30))
        d.line((dpi * 0.3, dpi * 0.45, dpi * 0.75, dpi * 0.25), fill=(150, 150, 156),
               width=max(2, dpi // 50))  # a staple
        notes.append("punched and stapled")
    output = rng.choice(SHEET_OUTPUTS if dpi >= 200 else
                        [o for o in SHEET_OUTPUTS if o != "scanner app black and white"])
    notes.append(output)
    if output == "grey fax-like scan":
        page = page.convert("L").filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")
    elif output == "scanner app magic colour":
        a = _array(page)
        a = 255 * np.clip((a - 40) / (a.max() - 40 + 1e-3), 0, 1) ** 0.85
        page = _image(a).filter(ImageFilter.UnsharpMask(2, 160, 2))
    elif output == "scanner app black and white":
        grey = page.convert("L")
        local = grey.filter(ImageFilter.BoxBlur(max(4, dpi // 12)))
        page = ImageChops.subtract(local, grey, 1, -10).point(lambda v: 0 if v > 40 else 255) \
            .convert("RGB")
    elif output == "photographed on a desk":
        frame = rng.choice(((4000, 3000), (3000, 4000), (3264, 2448), (2448, 3264), (2592, 1944)))
        scene, where = surface(rng, frame)
        scale = min(frame) * rng.uniform(0.9, 0.97) / page.width if frame[0] > frame[1] else \
            frame[1] * rng.uniform(0.88, 0.95) / page.height
        pw, ph = page.width * scale, page.height * scale
        a = math.radians(rng.uniform(-3, 3) + (90 if frame[0] > frame[1] else 0))
        corners = [(-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2), (-pw / 2, ph / 2)]
        quad = [(frame[0] / 2 + x * math.cos(a) - y * math.sin(a),
                 frame[1] / 2 + x * math.sin(a) + y * math.cos(a)) for x, y in corners]
        place(scene, page.convert("RGBA"), quad, shadow=0.3)
        page = sensor(light(scene, rng, rng.uniform(0.75, 1.05)), rng)
        notes[3] = f"card {round(card_w * scale)} px"
        notes.append(f"on {where}")
    else:
        page = page.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC,
                           fillcolor=(250, 250, 250))
    return page, ", ".join(notes)


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    rng = random.Random(f"wayfarer/{kind}/{seed}")
    person = random_person(rng)
    printing = rng.choice(PRINTS)
    if kind == "sheet":
        face = draw_face(person["face"], rng, [], printing)
        back = draw_back(person["back"], rng, [], printing)
        page, detail = _sheet(face, back, rng)
        return Photo(kind, encode(page, rng, rng.randint(78, 92)), dict(person), detail)
    # hard photos: faces and backs in turn, so a short run measures both alike
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or ("face", "back")[seed % 2]
    card = card_image(side, person[side], rng, printing)
    data, detail = _photo(card, side, rng, kind)
    return Photo(kind, data, {side: person[side]}, f"{detail}, {printing}")
