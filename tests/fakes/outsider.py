"""The fifth rendering of the resident ID card, `outsider`: a hold-out written by someone who
read neither the engine, the KYC rules, the cascade nor the other generators' insides.

Drawn from the card's public description (GB 19584-2004, the second-generation card: ID-1 size,
85.6 x 54 mm with 3.18 mm rounded corners; on the face the blue labels 姓名, 性别, 民族, 出生,
住址 in a small Hei left of black Hei values, the portrait on the right, 公民身份号码 and the
18-character number in an OCR-B-like face along the bottom; on the back the red national emblem
at the top left, 中华人民共和国 and a larger, spaced 居民身份证 beside it, and the rows 签发机关
and 有效期限 in the lower part) at 15 px/mm (1284 x 810), with fonts no older rendering uses
(Droid Sans Fallback, AR PL SungtiL GB, AR PL KaitiM GB, Noto Serif CJK KR Bold, Noto Sans CJK
KR Bold for labels; the number in OCR-B's E, F, L and X cuts, FreeMono Bold, FreeSans or Noto
Sans Mono), and its own data (OUTSIDER_PLACES, surnames, all 56 nationalities, validity by the
holder's age at issue).

The photographs are what real users send: worn cards (faded print, scratches, a dirty
laminate), cards in a plastic sleeve, a hand behind the card, strong perspective (up to 40
degrees off), small cards in big frames, a phone's HDR or night look, messaging-app
recompression (long side 1280 or 1080, JPEG 50-75, 4:2:0); hard photos turned by quarter turns
with skew, under tiled watermarks and red stamps that leave every value legible; A4 sheets
with each side turned and darkened on its own.

`shoot(kind, seed)` gives a tests/fakes/realistic.py Photo (JPEG, truth per side, detail) for
the kinds plain_face, plain_back, hard and sheet; a sheet holds both sides of one holder's card.
Everything follows from the seed. The truth is exactly what is printed.
"""

import io
import math
import random
from datetime import date
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes.realistic import Photo
from tests.fakes.typefaces import covers, installed
from tests.fakes.typefaces import face as _font

KINDS = ("plain_face", "plain_back", "hard", "sheet")
PX_MM = 15  # the card is drawn at 15 px/mm
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
CORNER_MM = 3.18  # ID-1's corner radius

DROID = ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0)
SUNG = ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0)
KAI = ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0)
SERIF_KR_BOLD = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 1)
SANS_KR_BOLD = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 1)
# (font, weight): the values are mostly in a Hei, as on the real card; some templates use others
VALUE_FONTS = ((DROID, 5), (SERIF_KR_BOLD, 2), (SUNG, 1), (KAI, 1))
LABEL_FONTS = (DROID, SANS_KR_BOLD)
# The number: OCR-B as on the real card now and then, mostly faces no older rendering uses.
NUMBER_FONTS = (("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0),
                ("/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf", 0),
                ("/usr/share/fonts/truetype/freefont/FreeSans.ttf", 0),
                ("/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf", 0),
                ("/usr/share/fonts/truetype/noto/NotoSansMono-Bold.ttf", 0),
                ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf", 0))
# Latin letters and digits where a CJK face has none (Droid Sans Fallback), as phones pair them
LATIN = ("/usr/share/fonts/truetype/freefont/FreeSans.ttf", 0)
# Debian packages beyond `make fonts`'s that these fonts come from (the Makefile installs them)
PACKAGES = "fonts-droid-fallback fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-freefont-ttf"

# Data -----------------------------------------------------------------------------------------

NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤")
RARE_SURNAMES = ("郦", "隗", "阙", "闵", "宓", "揭", "蹇", "琚", "嵇", "缪", "殳", "禚", "厍",
                 "茆", "佘", "甯", "郗", "眭", "靳", "逄", "郜", "璩", "昝", "蒯", "竺", "蔺",
                 "鄢", "麴", "晁", "黟", "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "公孙",
                 "慕容", "宇文", "长孙", "呼延", "端木")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红梅志文斌宇浩凯鹏飞辉玲婷"
         "雪琳晨阳欣怡子轩梓涵诗雨嘉一诺思彤佳俊熙睿泽铭昊天琰玥翀堃犇淼焱喆昶晞彧婧珺颢韬"
         "旻曦煜翊骁")
# (division code, province, prefecture or "", county, the authority issuing its cards)
OUTSIDER_PLACES = (
    ("110101", "北京市", "", "东城区", "北京市公安局东城分局"),
    ("120101", "天津市", "", "和平区", "天津市公安局和平分局"),
    ("310104", "上海市", "", "徐汇区", "上海市公安局徐汇分局"),
    ("500103", "重庆市", "", "渝中区", "重庆市公安局渝中区分局"),
    ("440305", "广东省", "深圳市", "南山区", "深圳市公安局南山分局"),
    ("440106", "广东省", "广州市", "天河区", "广州市公安局天河区分局"),
    ("330106", "浙江省", "杭州市", "西湖区", "杭州市公安局西湖区分局"),
    ("330681", "浙江省", "绍兴市", "诸暨市", "诸暨市公安局"),
    ("320582", "江苏省", "苏州市", "张家港市", "张家港市公安局"),
    ("341023", "安徽省", "黄山市", "黟县", "黟县公安局"),
    ("360781", "江西省", "赣州市", "瑞金市", "瑞金市公安局"),
    ("510703", "四川省", "绵阳市", "涪城区", "绵阳市公安局涪城区分局"),
    ("513401", "四川省", "凉山彝族自治州", "西昌市", "西昌市公安局"),
    ("532801", "云南省", "西双版纳傣族自治州", "景洪市", "景洪市公安局"),
    ("433101", "湖南省", "湘西土家族苗族自治州", "吉首市", "吉首市公安局"),
    ("522601", "贵州省", "黔东南苗族侗族自治州", "凯里市", "凯里市公安局"),
    ("450321", "广西壮族自治区", "桂林市", "阳朔县", "阳朔县公安局"),
    ("469002", "海南省", "", "琼海市", "琼海市公安局"),
    ("622901", "甘肃省", "临夏回族自治州", "临夏市", "临夏市公安局"),
    ("652301", "新疆维吾尔自治区", "昌吉回族自治州", "昌吉市", "昌吉市公安局"),
    ("650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "乌鲁木齐市公安局天山区分局"),
    ("653101", "新疆维吾尔自治区", "喀什地区", "喀什市", "喀什市公安局"),
    ("152502", "内蒙古自治区", "锡林郭勒盟", "锡林浩特市", "锡林浩特市公安局"),
    ("150102", "内蒙古自治区", "呼和浩特市", "新城区", "呼和浩特市公安局新城区分局"),
    ("632801", "青海省", "海西蒙古族藏族自治州", "格尔木市", "格尔木市公安局"),
    ("540102", "西藏自治区", "拉萨市", "城关区", "拉萨市公安局城关区分局"),
    ("640104", "宁夏回族自治区", "银川市", "兴庆区", "银川市公安局兴庆区分局"),
    ("230103", "黑龙江省", "哈尔滨市", "南岗区", "哈尔滨市公安局南岗分局"),
    ("210682", "辽宁省", "丹东市", "凤城市", "凤城市公安局"),
    ("370202", "山东省", "青岛市", "市南区", "青岛市公安局市南分局"),
    ("610113", "陕西省", "西安市", "雁塔区", "西安市公安局雁塔分局"),
    ("420106", "湖北省", "武汉市", "武昌区", "武汉市公安局武昌区分局"),
)
STREET_WORDS = ("人民", "解放", "中山", "建设", "和平", "胜利", "文化", "光明", "新华", "朝阳",
                "滨江", "跃进", "团结", "幸福", "振兴", "长江", "黄河", "花园", "育才", "东风")
TOWN_WORDS = ("红旗", "石桥", "柳塘", "桃源", "金沙", "龙泉", "青山", "枫林", "杏花", "双河")
CHARS_PER_LINE = 11  # the address column holds 11 characters a line, three lines at most
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TODAY = date(2026, 12, 1)


def check_character(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def _address(rng: random.Random, place) -> str:
    code, province, prefecture, county, _ = place
    head = province + prefecture + county
    for _ in range(30):
        style = rng.random()
        if style < 0.4:
            rest = f"{rng.choice(STREET_WORDS)}{rng.choice('路街')}{rng.randint(1, 899)}号"
            if rng.random() < 0.5:
                rest += (f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                         f"{rng.randint(1, 33)}0{rng.randint(1, 4)}室")
        elif style < 0.7:
            rest = (f"{rng.choice(TOWN_WORDS)}镇{rng.choice(TOWN_WORDS)}村"
                    f"{rng.choice('一二三四五六七八')}组{rng.randint(1, 120)}号")
        else:
            rest = (f"{rng.choice(STREET_WORDS)}{rng.choice(('小区', '新村', '花园'))}"
                    f"{rng.randint(1, 40)}号楼{rng.randint(1, 9)}单元{rng.randint(101, 2804)}室")
        if len(head + rest) <= 3 * CHARS_PER_LINE:  # the column holds three lines
            return head + rest
    return f"{head}{rng.choice(STREET_WORDS)}路{rng.randint(1, 99)}号"


def _name(rng: random.Random) -> str:
    surname = rng.choice(RARE_SURNAMES) if rng.random() < 0.25 else rng.choice(SURNAMES)
    length = rng.choices((2, 3, 4), (35, 55, 10))[0]
    given = "".join(rng.choice(GIVEN) for _ in range(max(1, length - len(surname))))
    return surname + given


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """A holder's face and back, consistent as on a real card: the number of the birth date,
    sex and place, the authority of the address's place, validity by the age at issue (under
    16: 5 years, 16-25: 10, 26-45: 20, from 46: 长期), the card valid on TODAY."""
    place = rng.choice(OUTSIDER_PLACES)
    nation = "汉" if rng.random() < 0.35 else rng.choice(NATIONALITIES)
    while True:
        birth = date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
        start = date(rng.randint(max(2006, birth.year + 1), 2026), rng.randint(1, 12),
                     rng.randint(1, 28))
        if not (birth < start <= date(2026, 11, 20)):
            continue
        age = (start - birth).days // 365
        years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else None
        end = None if years is None else date(start.year + years, start.month, start.day)
        if end is None or end >= TODAY:
            break
    sex = rng.choice("男女")
    seq = 2 * rng.randint(0, 498) + (1 if sex == "男" else 2)  # odd for men, even for women
    first17 = f"{place[0]}{birth:%Y%m%d}{seq:03d}"
    face = {"name": _name(rng), "sex": sex, "nationality": nation, "birth": f"{birth:%Y%m%d}",
            "address": _address(rng, place), "num": first17 + check_character(first17)}
    back = {"issue": place[4], "start_date": f"{start:%Y%m%d}",
            "end_date": "长期" if end is None else f"{end:%Y%m%d}"}
    return {"face": face, "back": back}


# Fonts ----------------------------------------------------------------------------------------

def available() -> bool:
    return installed([f for f, _ in VALUE_FONTS] + list(LABEL_FONTS) + list(NUMBER_FONTS))


# The card -------------------------------------------------------------------------------------

def mm(v: float) -> int:
    return round(v * PX_MM)


Drawn = List[Tuple[str, Tuple[int, int, int, int]]]  # text and its box on the card


def _text(d: ImageDraw.ImageDraw, xy, text: str, sized: Tuple[Tuple[str, int], int], fill,
          log: Drawn, gap: float = 0.0, record: bool = True) -> float:
    """Draw `text` in `sized` (a face and a size in px) with its top-left at xy (letter-spaced
    by `gap` px), characters the face lacks in LATIN; the x after it. `log` gets the text and
    its box."""
    face, size = sized
    x = x0 = xy[0]
    y = xy[1]
    top, bottom = size, 0
    for ch in text:
        f = _font(face if covers(face, ch) else LATIN, size)
        d.text((x, y), ch, font=f, fill=fill)
        x += d.textlength(ch, font=f) + gap
        box = f.getbbox(ch)
        top, bottom = min(top, box[1]), max(bottom, box[3])
    if record:
        log.append((text, (int(x0), int(y + top), int(x - gap), int(y + bottom))))
    return x - gap


def _security_print(rng: random.Random, side: str) -> Image.Image:
    """The background print: a pale two-tone wash with a fine wave pattern and, on the back,
    faint hills and a wall's crenellations (the Great Wall motif), all in pale ink."""
    w, h = CARD_SIZE[0] // 2, CARD_SIZE[1] // 2  # drawn at half size, enlarged: pale and soft
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if side == "face":
        a, b = np.array((246, 242, 226), np.float32), np.array((228, 238, 240), np.float32)
    else:
        a, b = np.array((236, 242, 246), np.float32), np.array((246, 240, 226), np.float32)
    t = (xx / w * 0.7 + yy / h * 0.3)[..., None]
    img = a * (1 - t) + b * t
    k1, k2 = rng.uniform(0.07, 0.12), rng.uniform(0.04, 0.08)
    waves = np.sin(xx * k1 + 9 * np.sin(yy * k2)) * np.sin(yy * k1 * 0.8 + 7 * np.cos(xx * k2))
    img -= (np.abs(waves) > 0.93)[..., None] * np.array((22, 14, 6), np.float32)
    if side == "back":
        ridge = h * 0.62 + 20 * np.sin(xx / w * 5 + rng.uniform(0, 6)) + 10 * np.sin(xx / 18)
        img -= ((yy > ridge) & (yy < ridge + 3))[..., None] * np.array((30, 20, 10), np.float32)
        teeth = ((xx // 9) % 2 == 0) & (yy > ridge - 7) & (yy < ridge)
        img -= teeth[..., None] * np.array((18, 12, 6), np.float32)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).resize(CARD_SIZE,
                                                                          Image.BILINEAR)


def _portrait(img: Image.Image, rng: random.Random) -> None:
    """A head and shoulders in the photo box (26 x 32.5 mm at the face's right), cut by it."""
    x0, y0, x1, y1 = mm(56.5), mm(5.5), mm(82.5), mm(38)
    box = Image.new("RGB", (x1 - x0, y1 - y0), tuple(rng.randint(225, 250) for _ in range(3)))
    d = ImageDraw.Draw(box)
    w, h = box.size
    cx = w // 2 + rng.randint(-8, 8)
    skin = (rng.randint(180, 230), rng.randint(140, 185), rng.randint(110, 150))
    hair = tuple([rng.randint(10, 60)] * 3)
    cloth = tuple(rng.randint(20, 90) for _ in range(3))
    d.ellipse((cx - mm(12), h - mm(8), cx + mm(12), h + mm(14)), fill=cloth)
    d.rectangle((cx - mm(2.5), h - mm(12), cx + mm(2.5), h - mm(7)), fill=skin)
    d.ellipse((cx - mm(7), mm(3.5), cx + mm(7), mm(21)), fill=hair)
    d.ellipse((cx - mm(6), mm(6), cx + mm(6), mm(22.5)), fill=skin)
    for ex in (-mm(2.4), mm(2.4)):
        d.ellipse((cx + ex - 6, mm(13), cx + ex + 6, mm(13) + 8), fill=(40, 30, 30))
    d.line((cx - mm(2), mm(19), cx + mm(2), mm(19)), fill=(150, 70, 70), width=4)
    img.paste(box, (x0, y0))


def _value_font(rng: random.Random, texts: Sequence[str]) -> Tuple[str, int]:
    """A value font drawn by weight among those that hold every character to print (a card is
    printed whole: a font lacking a character is not used for it)."""
    fonts = [f for f, _ in VALUE_FONTS]
    weights = [w for _, w in VALUE_FONTS]
    choice = rng.choices(fonts, weights)[0]
    cjk = [ch for t in texts for ch in t if ord(ch) > 0x2e80]
    return choice if covers(choice, cjk) else DROID


def _wrap(text: str, per_line: int) -> List[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


def draw_face(face: Dict[str, str], rng: random.Random, log: Drawn) -> Image.Image:
    img = _security_print(rng, "face")
    d = ImageDraw.Draw(img)
    vfont = _value_font(rng, (face["name"], face["nationality"], face["address"]))
    lfont = rng.choice(LABEL_FONTS)
    blue = rng.choice(((38, 110, 178), (52, 120, 190), (30, 96, 160)))
    ink = (rng.randint(10, 30),) * 3
    label = (lfont, mm(rng.uniform(2.2, 2.5)))
    value = (vfont, mm(rng.uniform(2.9, 3.2)))
    dx, dy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)

    def top(y_mm, sized):  # the row's centre at y_mm
        b = _font(*sized).getbbox("国" if covers(sized[0], "国") else "0")
        return mm(y_mm + dy) - (b[1] + b[3]) // 2

    lx, vx = mm(5.5 + dx), mm(16.0 + dx)
    rows = (8.5, 15.3, 22.1, 28.9)
    _text(d, (lx, top(rows[0], label)), "姓名", label, blue, log, gap=mm(1.2), record=False)
    _text(d, (vx, top(rows[0], value)), face["name"], value, ink, log)
    _text(d, (lx, top(rows[1], label)), "性别", label, blue, log, gap=mm(1.2), record=False)
    _text(d, (vx, top(rows[1], value)), face["sex"], value, ink, log)
    _text(d, (mm(28.5 + dx), top(rows[1], label)), "民族", label, blue, log, gap=mm(1.2),
          record=False)
    _text(d, (mm(38.5 + dx), top(rows[1], value)), face["nationality"], value, ink, log)
    _text(d, (lx, top(rows[2], label)), "出生", label, blue, log, gap=mm(1.2), record=False)
    b = face["birth"]
    x = vx
    for text, is_value in ((b[:4], True), ("年", False), (str(int(b[4:6])), True),
                           ("月", False), (str(int(b[6:])), True), ("日", False)):
        font = value if is_value else label
        x = _text(d, (x, top(rows[2], font)), text, font, ink if is_value else blue, log,
                  record=is_value) + mm(rng.uniform(0.9, 1.5))
    _text(d, (lx, top(rows[3], label)), "住址", label, blue, log, gap=mm(1.2), record=False)
    for i, line in enumerate(_wrap(face["address"], CHARS_PER_LINE)):
        _text(d, (vx, top(rows[3] + 4.6 * i, value)), line, value, ink, log)
    _text(d, (lx, top(46.8, label)), "公民身份号码", label, blue, log, gap=mm(0.25),
          record=False)
    nfont = rng.choice(NUMBER_FONTS)
    digits = (nfont, mm(rng.uniform(3.4, 3.9)))
    width = d.textlength(face["num"], font=_font(*digits))
    gap = max(0.0, min(mm(0.6), (mm(83) - mm(28.5) - width) / 17))
    _text(d, (mm(28.5 + dx), top(46.8, digits)), face["num"], digits, ink, log, gap=gap)
    _portrait(img, rng)
    return img


def _emblem(img: Image.Image, rng: random.Random) -> None:
    """The national emblem's outline as a red disc with gold stars and a gate, at the back's
    top left."""
    d = ImageDraw.Draw(img)
    cx, cy, r = mm(13 + rng.uniform(-0.5, 0.5)), mm(12.5 + rng.uniform(-0.5, 0.5)), mm(8.5)
    red, gold = (206, 30, 36), (246, 206, 70)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=red, outline=gold, width=mm(0.7))

    def star(x, y, s):
        pts = [(x + s * (1 if i % 2 == 0 else 0.4) * math.cos(-math.pi / 2 + i * math.pi / 5),
                y + s * (1 if i % 2 == 0 else 0.4) * math.sin(-math.pi / 2 + i * math.pi / 5))
               for i in range(10)]
        d.polygon(pts, fill=gold)

    star(cx, cy - r * 0.5, r * 0.28)
    for k in range(4):
        a = math.radians(200 + 35 * k)
        star(cx + r * 0.62 * math.cos(a) * -1, cy - r * 0.5 + r * 0.4 * math.sin(a) + r * 0.2,
             r * 0.1)
    d.rectangle((cx - r * 0.55, cy + r * 0.05, cx + r * 0.55, cy + r * 0.45), fill=gold)
    d.rectangle((cx - r * 0.45, cy + r * 0.15, cx + r * 0.45, cy + r * 0.3), fill=red)


def draw_back(back: Dict[str, str], rng: random.Random, log: Drawn) -> Image.Image:
    img = _security_print(rng, "back")
    d = ImageDraw.Draw(img)
    _emblem(img, rng)
    ink = (rng.randint(10, 30),) * 3
    title_font = rng.choice((SUNG, DROID))
    title = (title_font, mm(4.2))
    big = (title_font, mm(6.4))
    _text(d, (mm(27), mm(6.5)), "中华人民共和国", title, ink, log, gap=mm(1.4), record=False)
    _text(d, (mm(27), mm(14.5)), "居民身份证", big, ink, log, gap=mm(3.6), record=False)
    vfont = _value_font(rng, (back["issue"],))
    label = (rng.choice(LABEL_FONTS), mm(rng.uniform(2.2, 2.5)))
    value = (vfont, mm(rng.uniform(2.9, 3.2)))
    dy = rng.uniform(-0.5, 0.5)

    def top(y_mm, sized):
        b = _font(*sized).getbbox("国")
        return mm(y_mm + dy) - (b[1] + b[3]) // 2

    # The authority's column ends before the card's edge: a long one wraps under itself and
    # the validity row moves down.
    per_line = rng.randint(10, 12)
    lines = _wrap(back["issue"], per_line)
    y_issue = 40.6 if len(lines) == 1 else 38.4
    _text(d, (mm(14.5), top(y_issue, label)), "签发机关", label, ink, log, gap=mm(0.5),
          record=False)
    for i, line in enumerate(lines):
        _text(d, (mm(29.5), top(y_issue + 4.4 * i, value)), line, value, ink, log)
    y_valid = y_issue + 4.4 * len(lines) + 2.6
    _text(d, (mm(14.5), top(y_valid, label)), "有效期限", label, ink, log, gap=mm(0.5),
          record=False)
    s, e = back["start_date"], back["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    _text(d, (mm(29.5), top(y_valid, value)), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", value, ink, log)
    return img


# Wear and overlays ----------------------------------------------------------------------------

def _wear(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """An old card: print faded towards the paper, scratches in the laminate, grime."""
    arr = np.asarray(card, dtype=np.float32)
    notes = []
    fade = rng.uniform(0.08, 0.3)
    arr = arr + (np.array((238, 236, 226), np.float32) - arr) * fade
    notes.append(f"faded {fade:.2f}")
    state = np.random.RandomState(rng.randrange(1 << 30))
    if rng.random() < 0.7:  # grime: a low-frequency brownish film
        small = state.random_sample((6, 9)).astype(np.float32)
        film = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize(
            card.size, Image.BICUBIC), dtype=np.float32)[..., None] / 255
        arr = arr * (1 - film * rng.uniform(0.05, 0.14) * np.array((0.6, 0.8, 1.0)))
        notes.append("grime")
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.7:
        d = ImageDraw.Draw(img, "RGBA")
        for _ in range(rng.randint(5, 25)):
            x, y = rng.uniform(0, card.width), rng.uniform(0, card.height)
            a, length = rng.uniform(0, math.pi), rng.uniform(30, 300)
            d.line((x, y, x + length * math.cos(a), y + length * math.sin(a)),
                   fill=(255, 255, 255, rng.randint(40, 110)), width=rng.choice((1, 1, 2)))
        notes.append("scratched")
    return img, ", ".join(notes)


OVERLAY_PHRASES = ("仅供{}使用", "仅限办理{}", "此复印件仅用于{}", "{}专用 他用无效",
                   "复印无效", "与原件相符")
PURPOSES = ("开户", "实名认证", "入学报名", "签约", "贷款审核", "快递实名", "租房备案")


def _watermark(card: Image.Image, rng: random.Random) -> Image.Image:
    """A tiled watermark as phone apps add before a copy is sent: a phrase repeated in rows,
    turned, translucent grey or blue."""
    w, h = card.size
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    font = _font(DROID, mm(rng.uniform(3.2, 4.6)))
    phrase = rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))
    step_x = int(d.textlength(phrase, font=font)) + mm(rng.uniform(6, 14))
    step_y = mm(rng.uniform(9, 15))
    for row, y in enumerate(range(0, h * 2, step_y)):
        for x in range(-(row % 2) * step_x // 2, w * 2, step_x):
            d.text((x, y), phrase, font=font, fill=255)
    layer = layer.rotate(rng.uniform(-35, 35)).crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    alpha = np.asarray(layer, dtype=np.float32)[..., None] / 255 * rng.uniform(0.18, 0.35)
    colour = np.array(rng.choice(((120, 120, 124), (70, 110, 190), (150, 150, 150))),
                      np.float32)
    arr = np.asarray(card, dtype=np.float32)
    return Image.fromarray((arr * (1 - alpha) + np.minimum(arr, colour) * alpha
                            ).astype(np.uint8))


def _stamp(card: Image.Image, rng: random.Random) -> Image.Image:
    """A red seal (round, or a rectangle with a phrase) pressed over part of the values; red
    ink multiplies, so the black print under it stays dark."""
    w, h = card.size
    layer = Image.new("L", card.size, 0)
    d = ImageDraw.Draw(layer)
    cx, cy = rng.uniform(0.25, 0.7) * w, rng.uniform(0.25, 0.8) * h
    phrase = rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))[:7]
    font = _font(DROID, mm(rng.uniform(2.8, 3.6)))
    tw = d.textlength(phrase, font=font)
    if rng.random() < 0.5:
        r = mm(rng.uniform(9, 13))
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=mm(0.6))
        d.text((cx - tw / 2, cy + r * 0.25), phrase, font=font, fill=255)
    else:
        d.rectangle((cx - tw / 2 - mm(2), cy - mm(3), cx + tw / 2 + mm(2), cy + mm(3)),
                    outline=255, width=mm(0.5))
        d.text((cx - tw / 2, cy - mm(1.9)), phrase, font=font, fill=255)
    layer = layer.rotate(rng.uniform(-25, 25), center=(cx, cy))
    alpha = np.asarray(layer, dtype=np.float32)[..., None] / 255 * rng.uniform(0.55, 0.8)
    arr = np.asarray(card, dtype=np.float32)
    red = np.array((200, 40, 52), np.float32)
    return Image.fromarray((arr * (1 - alpha) + np.minimum(arr, red) * alpha).astype(np.uint8))


# Photographing --------------------------------------------------------------------------------

def homography(src: Sequence[Tuple[float, float]], dst: Sequence[Tuple[float, float]]):
    """The 8 coefficients mapping dst points to src points (PIL's PERSPECTIVE transform)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append((x, y, 1, 0, 0, 0, -u * x, -u * y))
        rows.append((0, 0, 0, x, y, 1, -v * x, -v * y))
        rhs += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def view_quad(size: Tuple[int, int], yaw: float, pitch: float, roll: float, width: float,
              centre: Tuple[float, float]) -> List[Tuple[float, float]]:
    """The corners (TL, BL, BR, TR) of a `size` card seen turned by yaw and pitch (degrees
    out of the image plane) and roll (in it) from a phone camera (a 28 mm-equivalent lens),
    scaled so that the quad is `width` px wide at its widest and centred on `centre`."""
    w, h = size
    pts = np.array(((-w / 2, -h / 2, 0), (-w / 2, h / 2, 0), (w / 2, h / 2, 0),
                    (w / 2, -h / 2, 0)), float)
    cy_, sy = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    cp, sp = math.cos(math.radians(pitch)), math.sin(math.radians(pitch))
    cr, sr = math.cos(math.radians(roll)), math.sin(math.radians(roll))
    ry = np.array(((cy_, 0, sy), (0, 1, 0), (-sy, 0, cy_)))
    rx = np.array(((1, 0, 0), (0, cp, -sp), (0, sp, cp)))
    rz = np.array(((cr, -sr, 0), (sr, cr, 0), (0, 0, 1)))
    p = pts @ (rz @ rx @ ry).T
    focal = w * 1.1
    z = p[:, 2] + w * 1.6
    xy = p[:, :2] * focal / z[:, None]
    xy -= xy.mean(axis=0)
    xy *= width / (xy[:, 0].max() - xy[:, 0].min())
    return [(float(x + centre[0]), float(y + centre[1])) for x, y in xy]


def _rounded(card: Image.Image) -> Image.Image:
    rgba = card.convert("RGBA")
    mask = Image.new("L", card.size, 0)
    radius = int(CORNER_MM * card.width / 85.6)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius,
                                           fill=255)
    rgba.putalpha(mask)
    return rgba


def place(scene: Image.Image, card: Image.Image, quad, shadow: bool = True) -> None:
    """Paste `card` (RGB or RGBA) into `scene` so that its corners land on `quad`."""
    rgba = card if card.mode == "RGBA" else _rounded(card)
    w, h = rgba.size
    coeffs = homography(((0, 0), (0, h), (w, h), (w, 0)), quad)
    warped = rgba.transform(scene.size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    if shadow:
        alpha = warped.getchannel("A").filter(ImageFilter.GaussianBlur(max(3, w // 120)))
        dark = Image.new("RGB", scene.size, (0, 0, 0))
        offset = Image.new("L", scene.size, 0)
        offset.paste(alpha.point(lambda a: a * 70 // 255), (6, 9))
        scene.paste(dark, (0, 0), offset)
    scene.paste(warped, (0, 0), warped)


def surface(rng: random.Random, size: Tuple[int, int]) -> Tuple[Image.Image, str]:
    """What the card lies on: a bamboo mat, terrazzo, a bedsheet, a glass desk or floor tiles;
    drawn small and enlarged (their texture is soft at the card's scale)."""
    w, h = size
    sw, sh = max(8, w // 4), max(8, h // 4)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    state = np.random.RandomState(rng.randrange(1 << 30))
    kind = rng.choice(("bamboo mat", "terrazzo", "bedsheet", "glass desk", "floor tiles"))
    if kind == "bamboo mat":
        base = np.array((196, 168, 112), np.float32) * rng.uniform(0.8, 1.05)
        stripe = ((xx % rng.randint(6, 10)) < 1).astype(np.float32)[..., None]
        arr = base - stripe * 45 + state.normal(0, 5, (sh, sw, 1))
    elif kind == "terrazzo":
        base = np.array([rng.randint(170, 225)] * 3, np.float32)
        arr = base + state.normal(0, 4, (sh, sw, 1))
        chips = state.random_sample((sh, sw)) < 0.03
        arr[chips] = state.randint(40, 200, (int(chips.sum()), 3))
    elif kind == "bedsheet":
        base = np.array([rng.randint(120, 235) for _ in range(3)], np.float32)
        folds = np.sin(xx / rng.uniform(20, 50) + np.sin(yy / 30) * 2) * 18
        arr = base + folds[..., None] + state.normal(0, 3, (sh, sw, 1))
    elif kind == "glass desk":
        base = np.array((38, 44, 46), np.float32)
        band = np.exp(-((xx - yy * rng.uniform(0.3, 1.2) - sw * rng.uniform(0.1, 0.6)) / (sw * 0.08)) ** 2)
        arr = base + band[..., None] * 50 + state.normal(0, 3, (sh, sw, 1))
    else:
        base = np.array([rng.randint(200, 235)] * 3, np.float32) - np.array((0, 4, 10))
        tile = rng.randint(60, 110)
        grout = ((xx % tile) < 2) | ((yy % tile) < 2)
        arr = base - grout[..., None] * 50 + state.normal(0, 3, (sh, sw, 1))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).resize(size, Image.BILINEAR)
    return img, kind


def _hand_behind(scene: Image.Image, rng: random.Random, quad) -> None:
    """A hand holding the card up from behind, drawn before the card is placed so that only
    what lies beyond the card shows: the palm and the wrist below its lower edge, running out
    of the frame, and fingertips beyond one side."""
    (tlx, tly), (blx, bly), (brx, bry), (trx, try_) = quad
    skin = rng.choice(((228, 186, 160), (198, 150, 118), (150, 104, 76), (104, 70, 52)))
    layer = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(layer)
    width = math.hypot(brx - blx, bry - bly)
    down = ((blx - tlx), (bly - tly))
    norm = math.hypot(*down) or 1.0
    down = (down[0] / norm, down[1] / norm)
    t0 = rng.uniform(0.15, 0.4)
    t1 = t0 + rng.uniform(0.3, 0.45)

    def edge(t, out):  # a point on the lower edge at t, `out` px below it
        return (blx + (brx - blx) * t + down[0] * out, bly + (bry - bly) * t + down[1] * out)

    reach = max(scene.size) * 1.5
    palm = width * 0.35
    mid = (t0 + t1) / 2
    d.polygon((edge(t0, -palm * 0.5), edge(t1, -palm * 0.5), edge(t1 + 0.03, palm * 0.4),
               edge(mid + 0.1, palm), edge(mid + 0.22, reach), edge(mid - 0.22, reach),
               edge(mid - 0.1, palm), edge(t0 - 0.03, palm * 0.4)), fill=255)
    side = rng.choice(("left", "right"))
    (sx0, sy0), (sx1, sy1) = ((tlx, tly), (blx, bly)) if side == "left" else         ((trx, try_), (brx, bry))
    outward = (-1 if side == "left" else 1) * width * 0.025
    across = ((trx - tlx) / width, (try_ - tly) / width)
    tip = width * 0.055
    for k in range(rng.randint(2, 4)):
        f = 0.25 + 0.17 * k
        cx = sx0 + (sx1 - sx0) * f + across[0] * outward
        cy = sy0 + (sy1 - sy0) * f + across[1] * outward
        d.ellipse((cx - tip, cy - tip * 0.8, cx + tip, cy + tip * 0.8), fill=255)
    layer = layer.filter(ImageFilter.GaussianBlur(2))
    scene.paste(Image.new("RGB", scene.size, skin), (0, 0), layer)


def sleeve(card: Image.Image, rng: random.Random) -> Image.Image:
    """The card in a clear plastic sleeve: a slight milky haze over it and a sleeve edge
    a little beyond its outline (returned larger than the card, RGBA)."""
    w, h = card.size
    pad = int(w * rng.uniform(0.03, 0.06))
    out = Image.new("RGBA", (w + 2 * pad, h + 2 * pad), (235, 238, 240, 60))
    out.paste(_rounded(card), (pad, pad), _rounded(card))
    haze = Image.new("RGBA", out.size, (245, 247, 250, rng.randint(12, 24)))
    out = Image.alpha_composite(out, haze)
    d = ImageDraw.Draw(out)
    d.rectangle((0, 0, out.width - 1, out.height - 1), outline=(250, 250, 252, 150), width=3)
    return out


def hdr(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone's HDR look: shadows lifted, highlights held, local contrast with halos."""
    arr = np.asarray(img, dtype=np.float32) / 255
    arr = arr ** rng.uniform(0.7, 0.85)
    out = Image.fromarray((np.clip(arr, 0, 1) * 255).astype(np.uint8))
    out = out.filter(ImageFilter.UnsharpMask(radius=rng.randint(20, 40),
                                             percent=rng.randint(30, 60), threshold=2))
    return ImageEnhance.Color(out).enhance(rng.uniform(1.05, 1.25))


def night(img: Image.Image, rng: random.Random) -> Image.Image:
    """A phone's night mode: a dark, warm scene brightened, its noise smoothed into blotches
    and the edges sharpened again."""
    arr = np.asarray(img, dtype=np.float32) * rng.uniform(0.55, 0.8)
    arr *= np.array((1.06, 1.0, 0.86), np.float32)
    state = np.random.RandomState(rng.randrange(1 << 30))
    arr += state.normal(0, rng.uniform(5, 10), arr.shape)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.4)))
    return out.filter(ImageFilter.UnsharpMask(2, rng.randint(80, 160), 3))


def jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality, subsampling=2)  # 4:2:0
    return out.getvalue()


def messaging(img: Image.Image, rng: random.Random) -> Tuple[bytes, str]:
    """What a messaging app sends: the long side at 1280 or 1080 px, JPEG 50-75, 4:2:0."""
    long_side = rng.choice((1280, 1080))
    scale = long_side / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
    quality = rng.randint(50, 75)
    return jpeg(img, quality), f"sent at {long_side} px, JPEG {quality}"


def _turn_detail(turn: int) -> str:
    return f"turned {turn}" if turn else "upright"


def turn_of(seed: int) -> int:
    """A hard photo's quarter turn: each in turn, so that every run has as many of each."""
    return (0, 90, 180, 270)[seed % 4]


def _photograph(card: Image.Image, rng: random.Random, kind: str,
                seed: int) -> Tuple[bytes, str]:
    notes = []
    hard = kind == "hard"
    if rng.random() < (0.5 if hard else 0.3):
        card, worn = _wear(card, rng)
        notes.append(worn)
    in_sleeve = rng.random() < 0.2
    subject = sleeve(card, rng) if in_sleeve else _rounded(card)
    if in_sleeve:
        notes.append("in a sleeve")
    small = rng.random() < 0.25
    if hard:
        width = rng.randint(448, 1150)
    else:
        width = rng.randint(480, 1000) if small else rng.randint(640, 1300)
    share = rng.uniform(0.3, 0.42) if small else rng.uniform(0.55, 0.85)
    # a phone's frame (4:3), at least as wide as the card needs and never under 1080 px long
    across = max(int(width / share), 810)
    portrait = rng.random() < 0.3
    frame = (across, across * 4 // 3) if portrait else (max(across, 1080), max(across, 1080) * 3 // 4)
    scene, what = surface(rng, frame)
    notes.insert(0, f"card {width}px on {what}, frame {frame[0]}x{frame[1]}")
    steep = rng.random() < (0.35 if hard else 0.1)
    off = rng.uniform(28, 40) if steep else rng.uniform(0, 14)
    a = rng.uniform(0, 2 * math.pi)
    yaw, pitch = off * math.cos(a), off * math.sin(a)
    turn = turn_of(seed) if hard else 0
    roll = turn + (rng.uniform(-15, 15) if hard else rng.uniform(-4, 4))
    # the card's own width (its edges' mean length) is `width`, unless the frame is too small
    quad = view_quad(subject.size, yaw, pitch, roll, 1000, (0, 0))
    edge = (math.dist(quad[0], quad[3]) + math.dist(quad[1], quad[2])) / 2
    span_x = max(x for x, _ in quad) - min(x for x, _ in quad)
    span_y = max(y for _, y in quad) - min(y for _, y in quad)
    scale = min(width / edge, 0.95 * frame[0] / span_x, 0.95 * frame[1] / span_y)
    quad = view_quad(subject.size, yaw, pitch, roll, 1000 * scale, (0, 0))
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    cx = rng.uniform(-min(xs) + 4, frame[0] - max(xs) - 4)
    cy = rng.uniform(-min(ys) + 4, frame[1] - max(ys) - 4)
    quad = [(x + cx, y + cy) for x, y in quad]
    if off > 1:
        notes.append(f"{off:.0f} degrees off")
    if hard:
        notes.append(f"{_turn_detail(turn)}, skew {roll - turn:.0f}")
    if not hard and rng.random() < 0.25:
        _hand_behind(scene, rng, quad)
        notes.append("held")
    place(scene, subject, quad)
    look = rng.random()
    if look < 0.2:
        scene = hdr(scene, rng)
        notes.append("HDR")
    elif look < (0.4 if hard else 0.3):
        scene = night(scene, rng)
        notes.append("night mode")
    if rng.random() < 0.5:
        data, sent = messaging(scene, rng)
        notes.append(sent)
    else:
        quality = rng.randint(80, 94)
        data = jpeg(scene, quality)
        notes.append(f"JPEG {quality}")
    return data, ", ".join(notes)


def _sheet(face_card: Image.Image, back_card: Image.Image,
           rng: random.Random) -> Tuple[bytes, str]:
    """Both sides copied onto an A4 page, each at its own turn, skew and darkness, the copy
    greyscale or colour, then scanned or photographed (and maybe sent through a messenger)."""
    dpi = rng.choice((150, 200, 300))
    px_mm = dpi / 25.4
    paper = tuple(rng.randint(240, 254) for _ in range(3))
    page = Image.new("RGB", (round(210 * px_mm), round(297 * px_mm)), paper)
    size = (round(85.6 * px_mm), round(54 * px_mm))
    grey = rng.random() < 0.5
    notes = [f"A4 at {dpi} dpi, {'greyscale' if grey else 'colour'} copy"]
    for card, centre_mm, name in ((face_card, rng.uniform(60, 85), "face"),
                                  (back_card, rng.uniform(190, 225), "back")):
        img = card.resize(size, Image.LANCZOS)
        if grey:
            img = ImageEnhance.Contrast(img.convert("L")).enhance(rng.uniform(1.1, 1.5))
            img = img.convert("RGB")
        img = ImageEnhance.Brightness(img).enhance(rng.uniform(0.5, 1.0))
        turn = rng.choice((0, 0, 90, 180, 270))
        skew = rng.uniform(-6, 6)
        img = img.convert("RGBA").rotate(turn + skew, expand=True, resample=Image.BICUBIC)
        x = int(page.width / 2 - img.width / 2 + rng.uniform(-15, 15) * px_mm)
        y = min(max(0, int(centre_mm * px_mm - img.height / 2)), page.height - img.height)
        page.paste(img, (x, y), img)
        notes.append(f"{name} {_turn_detail(turn)} skew {skew:.0f}")
    if rng.random() < 0.45:  # photographed on a table rather than scanned
        width = rng.randint(1100, 1700)
        frame = (int(width * 1.15), int(width * 1.15 * 4 / 3))
        scene, what = surface(rng, frame)
        quad = view_quad(page.size, rng.uniform(-12, 12), rng.uniform(-12, 12),
                         rng.uniform(-4, 4), width, (frame[0] / 2, frame[1] / 2))
        place(scene, page.convert("RGBA"), quad)
        page = scene
        notes.append(f"photographed on {what}")
    if rng.random() < 0.4:
        data, sent = messaging(page, rng)
        notes.append(sent)
    else:
        data = jpeg(page, rng.randint(78, 92))
    return data, ", ".join(notes)


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    rng = random.Random(f"outsider/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        face = draw_face(person["face"], rng, [])
        back = draw_back(person["back"], rng, [])
        if rng.random() < 0.4:
            face, back = _watermark(face, rng), _watermark(back, rng)
        data, detail = _sheet(face, back, rng)
        return Photo(kind, data, person, detail)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    card = (draw_face if side == "face" else draw_back)(person[side], rng, [])
    overlays = []
    if kind == "hard":
        if rng.random() < 0.5:
            card = _watermark(card, rng)
            overlays.append("watermark")
        if rng.random() < 0.5:
            card = _stamp(card, rng)
            overlays.append("stamp")
    data, detail = _photograph(card, rng, kind, seed)
    return Photo(kind, data, {side: person[side]}, ", ".join([side, detail, *overlays]))
