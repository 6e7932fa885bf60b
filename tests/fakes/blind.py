"""A fourth rendering of the resident ID card, `blind`: the hold-out written last, by someone who
read neither the engine, the quality checks nor the other renderings' drawing code
(renderings.shoot("blind", kind, seed); kinds plain_face, plain_back, hard, sheet). Drawn from
the public description of the second-generation card (GB/T 19584: 85.6 x 54 mm; face with
姓名 / 性别 民族 / 出生 年 月 日 / 住址 / 公民身份号码 and the portrait at the right; back with the
national emblem, "中华人民共和国" over "居民身份证", 签发机关 and 有效期限), with its own choices:

- The card at 13 px/mm (1113 x 702). Security print: a pale two-colour gradient, fine wave
  guilloche (families of thin sine lines), a rosette, a faint map-like contour texture, and a
  slight colour cast as a print batch has. Labels in one of several blues (cyan-blue, royal,
  steel, ultramarine); 年 月 日 printed in the label colour.
- Fonts no other rendering draws values with: Noto Sans CJK TC and HK, Noto Sans CJK JP Bold,
  Noto Serif CJK TC Regular, WenQuanYi Micro Hei Mono, WenQuanYi Zen Hei Mono, AR PL UMing TW;
  labels in Noto Sans Mono CJK KR or Noto Sans CJK HK; the number in OCR-B Sharp, DejaVu Sans
  Mono Bold, Noto Sans Mono CJK JP Bold or Noto Sans Mono CJK HK, letter-spaced.
- Data drawn here: rare surnames (亓, 訾, 禤, 仉, 逯, 冼, 笪, 阚, 宓, 尉迟, 澹台, 令狐...), names of 2-4
  characters, dotted Uyghur/Kazakh names and Tibetan/Mongolian names; all 56 nationalities
  (NATIONALITIES); places in 35 districts, counties and county-level cities of 25
  provinces (real codes), addresses of streets, residential blocks or villages with 组 and 号
  that wrap to 2-3 lines of 11 characters; the authority follows the place (XX市公安局XX分局,
  XX县公安局, XX市公安局 for a county-level city) and wraps when long; validity by the age at
  issue (5/10/20 years, 长期 from 46), children's cards included.
- Photographs: frames 1280x960 to 4032x3024 (landscape or held upright), the card 500-1,400 px
  wide; quarter turns with skew up to 12 degrees (plain photos up to 5), mild perspective,
  barrel distortion, motion blur or defocus, low light with sensor noise, phone sharpening,
  white-balance shifts, the shadow of a hand or phone over part of the card, JPEG 60-95.
- Overlays as copies carry them (hard kind): red round or oval seals partly over the text,
  handwritten-looking or printed "仅供…使用" lines, "复印无效" and "与原件一致" box stamps; values
  stay readable.
- Sheets: an A4 copy holding both sides of one person's card, each side at its own angle and
  darkness, greyscale or colour; scanned at 150 or 200 dpi, or photographed on a desk.

draw_face / draw_back append every piece of text they draw to `log`; every truth value is drawn
in full. Everything follows from the seed.
"""

import math
import random
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes.cards import check_char
from tests.fakes.realistic import Photo, _jpeg, _perspective_coefficients
from tests.fakes.typefaces import face as _font
from tests.fakes.typefaces import installed

KINDS = ("plain_face", "plain_back", "hard", "sheet")
PX_MM = 13
CARD_SIZE = (round(85.6 * PX_MM), round(54 * PX_MM))
NOTO = "/usr/share/fonts/opentype/noto/"
WQY = "/usr/share/fonts/truetype/wqy/"
VALUE_FONTS = (  # (path, face index)
    (NOTO + "NotoSansCJK-Regular.ttc", 3),      # Noto Sans CJK TC
    (NOTO + "NotoSansCJK-Regular.ttc", 4),      # Noto Sans CJK HK
    (NOTO + "NotoSansCJK-Bold.ttc", 0),         # Noto Sans CJK JP Bold
    (NOTO + "NotoSerifCJK-Regular.ttc", 3),     # Noto Serif CJK TC
    (WQY + "wqy-microhei.ttc", 1),              # WenQuanYi Micro Hei Mono
    (WQY + "wqy-zenhei.ttc", 1),                # WenQuanYi Zen Hei Mono
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 3),  # AR PL UMing TW MBE
)
LABEL_FONTS = ((NOTO + "NotoSansCJK-Regular.ttc", 6), (NOTO + "NotoSansCJK-Regular.ttc", 4))
NUMBER_FONTS = (("/usr/share/fonts/opentype/ocr-b/OCRBS.otf", 0),
                ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0),
                (NOTO + "NotoSansCJK-Bold.ttc", 5),
                (NOTO + "NotoSansCJK-Regular.ttc", 9))
HAND_FONT = ("/usr/share/fonts/truetype/arphic/ukai.ttc", 2)  # brush-like, for written lines
LABEL_BLUES = ((0, 122, 184), (38, 84, 168), (70, 110, 150), (24, 60, 140))
INKS = ((18, 18, 20), (30, 26, 30), (14, 20, 30))
SEAL_REDS = ((210, 30, 38), (196, 22, 60), (222, 48, 40))

# The 56 written out here, not taken from the engine's list: the yardstick must not share a
# mistake with what it measures (tests/test_blind_holdout.py compares the two).
NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
# (code, the address's start, the authority): districts of cities issue as 分局, counties and
# county-level cities as their own 公安局.
PLACES = (
    ("130102", "河北省石家庄市长安区", "石家庄市公安局长安分局"),
    ("130627", "河北省保定市唐县", "唐县公安局"),
    ("140105", "山西省太原市小店区", "太原市公安局小店分局"),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特市公安局新城分局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("210102", "辽宁省沈阳市和平区", "沈阳市公安局和平分局"),
    ("222401", "吉林省延边朝鲜族自治州延吉市", "延吉市公安局"),
    ("231083", "黑龙江省牡丹江市海林市", "海林市公安局"),
    ("120101", "天津市和平区", "天津市公安局和平分局"),
    ("330782", "浙江省金华市义乌市", "义乌市公安局"),
    ("340104", "安徽省合肥市蜀山区", "合肥市公安局蜀山分局"),
    ("350203", "福建省厦门市思明区", "厦门市公安局思明分局"),
    ("360730", "江西省赣州市宁都县", "宁都县公安局"),
    ("370202", "山东省青岛市市南区", "青岛市公安局市南分局"),
    ("411522", "河南省信阳市光山县", "光山县公安局"),
    ("430104", "湖南省长沙市岳麓区", "长沙市公安局岳麓分局"),
    ("433101", "湖南省湘西土家族苗族自治州吉首市", "吉首市公安局"),
    ("441302", "广东省惠州市惠城区", "惠州市公安局惠城分局"),
    ("450621", "广西壮族自治区防城港市上思县", "上思县公安局"),
    ("460105", "海南省海口市秀英区", "海口市公安局秀英分局"),
    ("513432", "四川省凉山彝族自治州喜德县", "喜德县公安局"),
    ("520102", "贵州省贵阳市南明区", "贵阳市公安局南明分局"),
    ("522601", "贵州省黔东南苗族侗族自治州凯里市", "凯里市公安局"),
    ("532901", "云南省大理白族自治州大理市", "大理市公安局"),
    ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "瑞丽市公安局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关分局"),
    ("620102", "甘肃省兰州市城关区", "兰州市公安局城关分局"),
    ("623001", "甘肃省甘南藏族自治州合作市", "合作市公安局"),
    ("632221", "青海省海北藏族自治州门源回族自治县", "门源回族自治县公安局"),
    ("653101", "新疆维吾尔自治区喀什地区喀什市", "喀什市公安局"),
    ("654002", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "伊宁市公安局"),
    ("500112", "重庆市渝北区", "重庆市公安局渝北区分局"),
    ("650103", "新疆维吾尔自治区乌鲁木齐市沙依巴克区", "乌鲁木齐市公安局沙依巴克区分局"),
    ("150702", "内蒙古自治区呼伦贝尔市海拉尔区", "呼伦贝尔市公安局海拉尔区分局"),
    ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨市公安局南岗分局"),
)
SURNAMES = ("亓", "訾", "禤", "仉", "逯", "冼", "笪", "阚", "宓", "蒯", "昝", "佘", "甄", "缪", "郗",
            "尉迟", "澹台", "令狐", "皇甫", "公孙", "慕容", "呼延", "端木", "钟离",
            "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "胡", "朱", "高", "郭",
            "何", "罗", "梁", "谢", "韦", "覃", "莫", "蒋", "龚", "温", "侯", "邱", "熊", "鲁", "苏")
GIVEN = "彧昕煜珂瑾璐婧骁翊琛溪沁蔚岚淼晟湘桐楠柏澄妍彤逸舟宏伟秀兰建军丽娟志强桂芳德福玉珍春生" \
        "海涛晓东雪梅家豪子墨诗涵若曦浩宇一诺梓萱俊杰淑华永红金凤国庆立新卫东红英"
DOTTED = ("阿卜杜拉·艾买提", "热依拉·吐尔洪", "麦麦提·依明", "努尔兰·别克", "阿依努尔·哈力克",
          "吐尔逊·卡德尔", "古力米热·阿西木", "叶尔兰·努尔兰")
PLAIN_ETHNIC = ("扎西次仁", "格桑卓玛", "巴特尔", "乌日娜", "阿旺", "其其格", "达瓦", "斯琴")
TOWNS = ("桥头镇", "石门乡", "大营镇", "双河镇", "柳树屯乡", "沙坪镇", "古城街道", "马鞍山乡")
VILLAGES = ("下湾村", "前进村", "五星村", "杨家庄村", "上坝村", "新农村", "西沟村", "东岗村")
STREETS = ("朝阳路", "育才街", "人民南路", "滨江西路", "纺织路", "工农路", "环城北路", "民主街")
BLOCKS = ("金桂园", "盛世家园", "怡景苑", "望江花园", "和谐小区", "职工宿舍", "书香门第", "丽水湾")
PURPOSES = ("办理社保卡", "开立银行账户", "入职", "办理宽带", "车辆过户", "申请公租房", "考试报名")
TODAY = date(2026, 12, 1)
CHARS_PER_LINE = 11


def available() -> bool:
    return installed(VALUE_FONTS + LABEL_FONTS + NUMBER_FONTS + (HAND_FONT,))


def shoot(kind: str, seed: int) -> Photo:
    """A photo of `kind` (KINDS) from `seed`: JPEG bytes, the truth of every side on it, and a
    detail naming what was done."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    rng = random.Random(f"blind/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        face, back = draw_face(person["face"], rng), draw_back(person["back"], rng)
        page, detail = _sheet(face, back, rng)
        quality = rng.randint(68, 94)
        return Photo(kind, _jpeg(page, quality), person, f"{detail}, JPEG {quality}")
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    card = (draw_face if side == "face" else draw_back)(person[side], rng)
    notes = [side]
    if kind == "hard":
        card, marks = overlays(card, rng)
        notes += marks
    img, how = photograph(card, rng, hard=kind == "hard")
    quality = rng.randint(60, 95) if kind == "hard" else rng.randint(78, 95)
    return Photo(kind, _jpeg(img, quality), {side: person[side]},
                 ", ".join(notes + how + [f"JPEG {quality}"]))


# Data ------------------------------------------------------------------------------------------

def random_person(rng: random.Random, today: date = TODAY) -> Dict[str, Dict[str, str]]:
    """One holder's face and back: the back's authority is the address's place, its validity
    follows the age at issue."""
    code, place, police = rng.choice(PLACES)
    birth = date(1938, 1, 1) + timedelta(days=rng.randrange(0, 365 * 82))
    sex = rng.choice("男女")
    first17 = f"{code}{birth:%Y%m%d}{rng.randrange(0, 500) * 2 + (sex == '男'):03d}"
    nation = "汉" if rng.random() < 0.3 else rng.choice(NATIONALITIES)
    roll = rng.random()
    if nation in ("维吾尔", "哈萨克", "柯尔克孜", "塔塔尔", "乌孜别克") and roll < 0.6:
        name = rng.choice(DOTTED)
    elif nation in ("藏", "蒙古", "门巴") and roll < 0.6:
        name = rng.choice(PLAIN_ETHNIC)
    else:
        surname = rng.choice(SURNAMES)
        size = rng.choice((2, 2, 3, 3, 3, 4)) - len(surname)
        name = surname + "".join(rng.choice(GIVEN) for _ in range(max(1, size)))
    shape = rng.random()
    if shape < 0.3:
        rest = f"{rng.choice(STREETS)}{rng.randint(1, 520)}号"
    elif shape < 0.6:
        rest = (f"{rng.choice(STREETS)}{rng.randint(1, 300)}号{rng.choice(BLOCKS)}"
                f"{rng.randint(1, 28)}栋{rng.randint(1, 4)}单元{rng.randint(1, 26)}0{rng.randint(1, 4)}室")
    elif shape < 0.9:
        rest = f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randint(1, 15)}组{rng.randint(1, 99)}号"
    else:
        rest = f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randint(1, 300)}号"
    address = place + rest
    if len(address) > 3 * CHARS_PER_LINE:  # three lines at most: the registry shortens it
        address = place + rest[:rest.index("号") + 1]
        address = address[:3 * CHARS_PER_LINE]
    start = max(birth + timedelta(days=rng.randrange(365 * 5, 365 * 17)),
                today - timedelta(days=rng.randrange(60, 365 * 19)))
    start = min(start, today - timedelta(days=20))
    age = (start - birth).days // 365
    years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0
    while years and date(start.year + years, start.month, min(start.day, 28)) < today:
        start = start.replace(year=start.year + years, day=min(start.day, 28))  # renewed
        age = (start - birth).days // 365
        years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0
    age = (start - birth).days // 365
    years = 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0
    end = "长期" if years == 0 else f"{start.year + years}{start:%m%d}"
    if end.endswith("0229"):
        end = end[:4] + "0301"
    face = {"name": name, "sex": sex, "nationality": nation, "birth": f"{birth:%Y%m%d}",
            "address": address, "num": first17 + check_char(first17)}
    return {"face": face, "back": {"issue": police, "start_date": f"{start:%Y%m%d}",
                                   "end_date": end}}


def wrap(text: str, width: int) -> List[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


# The card --------------------------------------------------------------------------------------

def mm(v: float) -> int:
    return round(v * PX_MM)


def _text(d: ImageDraw.ImageDraw, xy, text: str, font, fill, gap: int = 0,
          log: Optional[list] = None) -> int:
    """Draws `text` from its top-left at `xy` with `gap` px between characters; returns the x
    after it."""
    x, y = xy
    for ch in text if gap else [text]:
        d.text((x, y), ch, font=font, fill=fill)
        x += d.textlength(ch, font=font) + gap
    if log is not None:
        log.append(text)
    return int(x)


def security_print(rng: random.Random, back: bool) -> Image.Image:
    w, h = CARD_SIZE
    nrng = np.random.default_rng(rng.getrandbits(32))
    left = np.array([rng.randint(232, 246), rng.randint(238, 250), rng.randint(240, 252)], float)
    right = np.array([rng.randint(244, 254), rng.randint(234, 246), rng.randint(226, 240)], float)
    t = np.linspace(0, 1, w)[None, :, None]
    diag = np.linspace(0, 1, h)[:, None, None] * 0.3
    base = left * (1 - t) * (1 - diag) + right * np.clip(t + diag, 0, 1) + 0 * t
    base = np.clip(base, 0, 255)
    # a faint map-like texture: contour bands of smooth noise
    coarse = nrng.normal(0, 1, (h // 40 + 2, w // 40 + 2))
    smooth = np.asarray(Image.fromarray(((coarse - coarse.min()) / np.ptp(coarse) * 255)
                                        .astype(np.uint8)).resize((w, h), Image.BICUBIC), float)
    bands = (np.abs(((smooth / 18) % 1) - 0.5) < 0.04)[..., None]
    base = base - bands * np.array([10, 6, 2])
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    ink = tuple(int(c) for c in (rng.randint(170, 215), rng.randint(195, 225), rng.randint(205, 235)))
    xs = np.arange(0, w + 8, 6)
    period, amp = rng.uniform(90, 160), rng.uniform(8, 18)
    for k in range(0, h + 40, rng.choice((9, 11, 13))):  # a family of fine waves
        phase = k * 0.07
        ys = k + amp * np.sin(xs / period * 2 * math.pi + phase)
        d.line(list(zip(xs.tolist(), ys.tolist())), fill=ink, width=1)
    cx, cy = (mm(rng.uniform(30, 55)), mm(rng.uniform(20, 34))) if not back else \
        (mm(rng.uniform(45, 70)), mm(rng.uniform(24, 34)))
    R, r_, dist = mm(14), mm(rng.uniform(2.5, 4.5)), mm(rng.uniform(5, 8))
    th = np.linspace(0, 2 * math.pi * 7, 1400)
    ex = cx + (R + r_) * np.cos(th) - dist * np.cos((R + r_) / r_ * th)
    ey = cy + (R + r_) * np.sin(th) - dist * np.sin((R + r_) / r_ * th)
    rose = tuple(int(c) for c in (rng.randint(215, 235), rng.randint(190, 215), rng.randint(200, 225)))
    d.line(list(zip(ex.tolist(), ey.tolist())), fill=rose, width=1)
    if back:  # a faint wall-like ridge along the middle
        for i in range(0, w, mm(6)):
            top = mm(27) + int(mm(2) * math.sin(i / w * 3 * math.pi))
            d.rectangle((i, top, i + mm(3), top + mm(2)), outline=ink)
    cast = np.array([rng.uniform(0.96, 1.0), rng.uniform(0.96, 1.0), rng.uniform(0.95, 1.0)])
    return Image.fromarray(np.clip(np.asarray(img, float) * cast, 0, 255).astype(np.uint8))


def _portrait(card: Image.Image, rng: random.Random, box) -> None:
    """A head and shoulders on a light ground, drawn inside `box` only."""
    img = Image.new("RGB", (box[2] - box[0], box[3] - box[1]),
                    tuple(rng.randint(236, 250) for _ in range(3)))
    x0, y0, x1, y1 = 0, 0, img.width, img.height
    d = ImageDraw.Draw(img)
    cx, w = (x0 + x1) // 2, x1 - x0
    skin = (rng.randint(200, 235), rng.randint(160, 195), rng.randint(130, 170))
    cloth = tuple(rng.randint(20, 90) for _ in range(3))
    d.ellipse((cx - w * 0.55, y1 - (y1 - y0) * 0.28, cx + w * 0.55, y1 + (y1 - y0) * 0.3),
              fill=cloth)
    d.rectangle((cx - w * 0.1, y0 + (y1 - y0) * 0.55, cx + w * 0.1, y1 - (y1 - y0) * 0.2),
                fill=skin)
    d.ellipse((cx - w * 0.26, y0 + (y1 - y0) * 0.16, cx + w * 0.26, y0 + (y1 - y0) * 0.66),
              fill=skin)
    hair = tuple(rng.randint(10, 45) for _ in range(3))
    d.chord((cx - w * 0.28, y0 + (y1 - y0) * 0.12, cx + w * 0.28, y0 + (y1 - y0) * 0.5), 180,
            360, fill=hair)
    card.paste(img, box[:2])


def _emblem(img: Image.Image, xy, size: int) -> None:
    """The national emblem, simplified: a red disc, a gold gate and five gold stars."""
    x, y = xy
    d = ImageDraw.Draw(img)
    gold, red = (232, 186, 40), (206, 30, 36)
    d.ellipse((x, y, x + size, y + size), fill=gold)
    d.ellipse((x + size * 0.08, y + size * 0.08, x + size * 0.92, y + size * 0.92), fill=red)
    d.rectangle((x + size * 0.25, y + size * 0.55, x + size * 0.75, y + size * 0.7), fill=gold)
    d.rectangle((x + size * 0.3, y + size * 0.47, x + size * 0.7, y + size * 0.55), fill=gold)
    for k, (fx, fy, fr) in enumerate(((0.5, 0.28, 0.1), (0.32, 0.22, 0.04), (0.4, 0.14, 0.04),
                                      (0.6, 0.14, 0.04), (0.68, 0.22, 0.04))):
        cx, cy, r = x + size * fx, y + size * fy, size * fr
        d.polygon([(cx + r * (1 if i % 2 == 0 else 0.4) * math.sin(i * math.pi / 5),
                    cy - r * (1 if i % 2 == 0 else 0.4) * math.cos(i * math.pi / 5))
                   for i in range(10)], fill=gold)
    d.arc((x + size * 0.12, y + size * 0.12, x + size * 0.88, y + size * 0.95), 20, 160,
          fill=gold, width=max(2, size // 25))


def draw_face(truth: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    img = security_print(rng, back=False)
    d = ImageDraw.Draw(img)
    blue, ink = rng.choice(LABEL_BLUES), rng.choice(INKS)
    vsize = rng.randint(mm(3.0), mm(3.3))
    value = _font(rng.choice(VALUE_FONTS), vsize)
    label = _font(rng.choice(LABEL_FONTS), rng.randint(mm(2.3), mm(2.6)))
    lx, vx = mm(rng.uniform(4.5, 6.5)), mm(rng.uniform(15.5, 17))
    top = mm(rng.uniform(5.5, 7.5))
    pitch = mm(rng.uniform(7.4, 8.2))
    lift = (vsize - label.size) // 2

    def row(y, name, text, x=vx):
        _text(d, (lx if x == vx else x - mm(10), y + lift), name, label, blue, gap=mm(1.2))
        _text(d, (x, y), text, value, ink, log=log)

    name = truth["name"]
    name_font = value if len(name) <= 5 else _font(rng.choice(VALUE_FONTS), int(vsize * 0.8))
    _text(d, (lx, top + lift), "姓名", label, blue, gap=mm(1.2))
    _text(d, (vx, top), name, name_font, ink, log=log)
    y = top + pitch
    row(y, "性别", truth["sex"])
    row(y, "民族", truth["nationality"], x=vx + mm(rng.uniform(18, 21)))
    y += pitch
    _text(d, (lx, y + lift), "出生", label, blue, gap=mm(1.2))
    b = truth["birth"]
    x = vx
    for part, unit in ((b[:4], "年"), (str(int(b[4:6])), "月"), (str(int(b[6:])), "日")):
        x = _text(d, (x, y), part, value, ink, log=log) + mm(0.8)
        x = _text(d, (x, y + lift), unit, label, blue) + mm(1.2)
    y += pitch
    _text(d, (lx, y + lift), "住址", label, blue, gap=mm(1.2))
    for line in wrap(truth["address"], CHARS_PER_LINE):
        _text(d, (vx, y), line, value, ink, log=log)
        y += int(vsize * rng.uniform(1.18, 1.3))
    ny = mm(rng.uniform(44.5, 46.5))
    number = _font(rng.choice(NUMBER_FONTS), rng.randint(mm(3.3), mm(3.8)))
    _text(d, (lx, ny + mm(0.6)), "公民身份号码", label, blue, gap=mm(0.4))
    nx, gap = mm(rng.uniform(26, 29)), mm(rng.uniform(0.6, 1.2))
    while nx + d.textlength(truth["num"], font=number) + 17 * gap > mm(82):  # it must fit
        gap -= 1
        if gap < 0:
            gap, number = mm(0.4), _font((number.path, number.index), number.size - 2)
    _text(d, (nx, ny), truth["num"], number, ink, gap=gap)
    if log is not None:
        log.append(truth["num"])
    _portrait(img, rng, (mm(57.5), mm(rng.uniform(4.5, 6.5)), mm(82.5), mm(38)))
    return img


def draw_back(truth: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    img = security_print(rng, back=True)
    d = ImageDraw.Draw(img)
    blue, ink = rng.choice(LABEL_BLUES), rng.choice(INKS)
    _emblem(img, (mm(rng.uniform(5, 8)), mm(rng.uniform(4, 6.5))), mm(rng.uniform(15, 17.5)))
    title = _font(rng.choice(VALUE_FONTS), mm(rng.uniform(3.6, 4.2)))
    big = _font((NOTO + "NotoSansCJK-Bold.ttc", rng.choice((0, 3))), mm(rng.uniform(6.8, 7.6)))
    _text(d, (mm(rng.uniform(28, 31)), mm(rng.uniform(6.5, 8))), "中华人民共和国", title, ink,
          gap=mm(rng.uniform(1.5, 2.4)))
    _text(d, (mm(rng.uniform(26, 29)), mm(rng.uniform(14, 16))), "居民身份证", big, ink,
          gap=mm(rng.uniform(2.2, 3.2)))
    vsize = rng.randint(mm(3.0), mm(3.3))
    value = _font(rng.choice(VALUE_FONTS), vsize)
    label = _font(rng.choice(LABEL_FONTS), rng.randint(mm(2.3), mm(2.6)))
    lift = (vsize - label.size) // 2
    lx, vx = mm(rng.uniform(13, 16)), mm(rng.uniform(30, 32))
    # the template's column for the authority: 12-15 characters, a longer one wraps
    per_line = min(rng.randint(12, 15), int((CARD_SIZE[0] - vx - mm(3)) // (vsize * 1.02)))
    lines = wrap(truth["issue"], per_line)
    y = mm(rng.uniform(38, 40)) - (len(lines) - 1) * int(vsize * 1.15)
    _text(d, (lx, y + lift), "签发机关", label, blue, gap=mm(0.5))
    for line in lines:
        _text(d, (vx, y), line, value, ink, log=log)
        y += int(vsize * 1.2)
    y = max(y + mm(1.5), mm(rng.uniform(45.5, 47)))
    s, e = truth["start_date"], truth["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    _text(d, (lx, y + lift), "有效期限", label, blue, gap=mm(0.5))
    _text(d, (vx, y), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", value, ink, log=log)
    return img


# Overlays a copy carries -----------------------------------------------------------------------

def overlays(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, List[str]]:
    """Seals, stamps and written lines over a card, each leaving the values readable (blended
    translucent, as ink over print)."""
    notes = []
    card = card.convert("RGB")
    for what in rng.sample(("seal", "line", "box"), rng.choice((1, 1, 2))):
        layer = Image.new("L", card.size, 0)
        d = ImageDraw.Draw(layer)
        w, h = card.size
        if what == "seal":
            colour = rng.choice(SEAL_REDS)
            rx = mm(rng.uniform(9, 12))
            ry = rx if rng.random() < 0.6 else int(rx * rng.uniform(0.65, 0.8))
            cx, cy = rng.randint(int(w * 0.35), int(w * 0.85)), rng.randint(int(h * 0.3), int(h * 0.8))
            d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=255, width=mm(0.6))
            font = _font(rng.choice(VALUE_FONTS), mm(2.4))
            words = rng.choice(("专用章", "复印专用", "业务专用章"))
            d.text((cx - d.textlength(words, font=font) / 2, cy + ry * 0.35), words, font=font, fill=255)
            star = mm(2.5)
            d.polygon([(cx + star * (1 if i % 2 == 0 else 0.4) * math.sin(i * math.pi / 5),
                        cy - star * (1 if i % 2 == 0 else 0.4) * math.cos(i * math.pi / 5))
                       for i in range(10)], fill=255)
            arc_font = _font(rng.choice(VALUE_FONTS), mm(2.2))
            title = rng.choice(("某某有限公司", "人力资源服务中心", "街道办事处"))
            for i, ch in enumerate(title):
                a = math.pi * (-0.75 + 1.5 * i / max(1, len(title) - 1)) - math.pi / 2
                d.text((cx + (rx - mm(3)) * math.cos(a) - mm(1), cy + (ry - mm(3)) * math.sin(a)
                        - mm(1)), ch, font=arc_font, fill=255)
            alpha = rng.uniform(0.45, 0.65)
            notes.append("seal")
        elif what == "line":
            written = rng.random() < 0.5
            font = _font(HAND_FONT if written else rng.choice(VALUE_FONTS), mm(rng.uniform(3.4, 4.4)))
            text = rng.choice(("仅供{}使用", "此复印件仅供{}使用", "仅供{}使用 他用无效")).format(
                rng.choice(PURPOSES))
            tile = Image.new("L", (int(d.textlength(text, font=font)) + 20, mm(6)), 0)
            ImageDraw.Draw(tile).text((10, 0), text, font=font, fill=255)
            tile = tile.rotate(rng.uniform(-14, 14), expand=True, resample=Image.BICUBIC)
            layer.paste(tile, (rng.randint(0, max(1, w - tile.width)),
                               rng.randint(int(h * 0.2), max(int(h * 0.2) + 1, h - tile.height))),
                        tile)
            colour = rng.choice(((30, 40, 120), (20, 20, 20), (90, 90, 96))) if written else \
                (120, 120, 128)
            alpha = rng.uniform(0.35, 0.55)
            notes.append("written line" if written else "printed line")
        else:
            colour = rng.choice(SEAL_REDS)
            font = _font(rng.choice(VALUE_FONTS), mm(rng.uniform(3.5, 4.5)))
            text = rng.choice(("复印无效", "与原件一致", "再复印无效"))
            tw = int(d.textlength(text, font=font))
            tile = Image.new("L", (tw + mm(4), font.size + mm(4)), 0)
            td = ImageDraw.Draw(tile)
            td.rectangle((1, 1, tile.width - 2, tile.height - 2), outline=255, width=mm(0.5))
            td.text((mm(2), mm(1.5)), text, font=font, fill=255)
            tile = tile.rotate(rng.uniform(-20, 20), expand=True, resample=Image.BICUBIC)
            layer.paste(tile, (rng.randint(0, w - tile.width), rng.randint(0, h - tile.height)),
                        tile)
            alpha = rng.uniform(0.4, 0.6)
            notes.append(f"box stamp {text}")
        # ink over print: multiply the card by the ink colour where the layer is
        mask = np.asarray(layer, float)[..., None] / 255 * alpha
        arr = np.asarray(card, float)
        arr = arr * (1 - mask) + arr * np.array(colour) / 255 * mask
        card = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return card, notes


# Photographs -----------------------------------------------------------------------------------

FRAMES = ((1280, 960), (1600, 1200), (2048, 1536), (2592, 1944), (3264, 2448), (4032, 3024))


def _surface(rng: random.Random, size) -> Tuple[Image.Image, str]:
    """A desk or cloth under the card, drawn small and enlarged (fast at 12 MP)."""
    w, h = size
    nrng = np.random.default_rng(rng.getrandbits(32))
    kind = rng.choice(("wood", "granite", "felt", "paper"))
    sw, sh = max(8, w // 8), max(8, h // 8)
    if kind == "wood":
        base = np.array([rng.randint(120, 170), rng.randint(80, 115), rng.randint(50, 75)], float)
        y = np.arange(sh)[:, None] + 6 * np.sin(np.arange(sw)[None, :] / rng.uniform(15, 40))
        grain = (np.sin(y / rng.uniform(1.5, 3.5)) * 12)[..., None]
        arr = base + grain + nrng.normal(0, 4, (sh, sw, 1))
    elif kind == "granite":
        arr = rng.randint(90, 170) + nrng.normal(0, 22, (sh, sw, 1)) * np.ones(3)
    elif kind == "felt":
        arr = np.array([rng.randint(20, 70), rng.randint(40, 90), rng.randint(30, 80)], float) + \
            nrng.normal(0, 6, (sh, sw, 1))
    else:
        arr = np.full((sh, sw, 3), float(rng.randint(215, 240))) + nrng.normal(0, 3, (sh, sw, 1))
    arr = np.broadcast_to(arr, (sh, sw, 3))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).resize(size, Image.BILINEAR)
    return img, kind


def _rounded_alpha(card: Image.Image) -> Image.Image:
    rgba = card.convert("RGBA")
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1),
                                           radius=mm(3.2), fill=255)
    rgba.putalpha(mask)
    return rgba


def place(scene: Image.Image, card: Image.Image, quad) -> None:
    """Draws `card` (RGBA) into `scene` so that its corners TL, TR, BR, BL land on `quad`."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, y0 = int(math.floor(min(xs))), int(math.floor(min(ys)))
    x1, y1 = int(math.ceil(max(xs))) + 1, int(math.ceil(max(ys))) + 1
    w, h = card.size
    coeffs = _perspective_coefficients([(x - x0, y - y0) for x, y in quad],
                                       [(0, 0), (w, 0), (w, h), (0, h)])
    warped = card.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    scene.paste(warped, (x0, y0), warped)


def card_quad(rng: random.Random, centre, width: float, angle: float, keystone: float,
              aspect: float = 54 / 85.6):
    """The corners TL, TR, BR, BL of a card `width` px wide turned by `angle` degrees about
    `centre`, one edge shortened by `keystone` (a share) for the camera's perspective."""
    w, h = width, width * aspect
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    edge = rng.choice(("top", "bottom", "left", "right"))
    squeezed = []
    for x, y in corners:
        if edge in ("top", "bottom") and (y < 0) == (edge == "top"):
            x *= 1 - keystone
        if edge in ("left", "right") and (x < 0) == (edge == "left"):
            y *= 1 - keystone
        squeezed.append((x, y))
    a = math.radians(angle)
    cx, cy = centre
    return [(cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
            for x, y in squeezed]


def barrel(img: Image.Image, k: float) -> Image.Image:
    """A phone lens's mild barrel distortion, by a mesh transform (fast on 12 MP frames)."""
    w, h = img.size
    cx, cy, norm = w / 2, h / 2, math.hypot(w / 2, h / 2)

    def src(x, y):
        dx, dy = (x - cx) / norm, (y - cy) / norm
        f = 1 + k * (dx * dx + dy * dy)
        return cx + dx * f * norm / (1 + k), cy + dy * f * norm / (1 + k)

    mesh, step = [], 12
    for i in range(step):
        for j in range(step):
            bx0, by0 = w * i // step, h * j // step
            bx1, by1 = w * (i + 1) // step, h * (j + 1) // step
            quad = (*src(bx0, by0), *src(bx0, by1), *src(bx1, by1), *src(bx1, by0))
            mesh.append(((bx0, by0, bx1, by1), quad))
    return img.transform(img.size, Image.MESH, mesh, Image.BILINEAR)


def motion_blur(img: Image.Image, length: int, angle: float) -> Image.Image:
    arr = np.asarray(img, np.float32)
    out = np.zeros_like(arr)
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for i in range(length):
        t = i - (length - 1) / 2
        out += np.roll(arr, (int(round(t * dy)), int(round(t * dx))), axis=(0, 1))
    return Image.fromarray((out / length).astype(np.uint8))


def tint(img: Image.Image, gains) -> Image.Image:
    """Each channel times its gain (a lookup table: fast on 12 MP frames)."""
    return Image.merge("RGB", [band.point(lambda v, g=g: min(255, int(v * g + 0.5)))
                               for band, g in zip(img.convert("RGB").split(), gains)])


def grain(img: Image.Image, nrng: np.random.Generator, sigma: float) -> Image.Image:
    """Sensor noise after a phone's denoising: grey grain in 2 x 2 px clumps."""
    w, h = img.size
    noise = np.clip(nrng.normal(128, sigma, (h // 2 + 1, w // 2 + 1)), 0, 255).astype(np.uint8)
    layer = Image.fromarray(noise).resize((w + w % 2, h + h % 2), Image.NEAREST).crop((0, 0, w, h))
    return ImageChops.add(img, Image.merge("RGB", (layer,) * 3), 1.0, -128)


def camera(img: Image.Image, rng: random.Random, hard: bool, scale: float) -> Tuple[Image.Image, List[str]]:
    """What the phone does after the lens: light, white balance, blur, noise, sharpening.
    `scale`: the card's width over 1000 px (blur and noise follow the card's size)."""
    notes = []
    nrng = np.random.default_rng(rng.getrandbits(32))
    gains = np.array([rng.uniform(0.9, 1.1), 1.0, rng.uniform(0.88, 1.1)])
    if abs(gains[0] - gains[2]) > 0.12:
        notes.append("white balance off")
    light = rng.uniform(0.45, 0.75) if hard and rng.random() < 0.3 else rng.uniform(0.85, 1.05)
    if light < 0.8:
        notes.append(f"low light {light:.2f}")
    if hard and rng.random() < 0.35:
        k = rng.uniform(0.03, 0.08)
        img = barrel(img, k)
        notes.append(f"barrel {k:.2f}")
    blur = rng.random() if hard else 1.0
    if blur < 0.25:
        length = max(3, int(rng.uniform(4, 9) * scale))
        img = motion_blur(img, length, rng.uniform(0, 180))
        notes.append(f"motion blur {length} px")
    elif blur < 0.5:
        radius = rng.uniform(0.9, 1.8) * scale
        img = img.filter(ImageFilter.GaussianBlur(radius))
        notes.append(f"defocus {radius:.1f}")
    img = tint(img, [g * light for g in gains])
    sigma = (rng.uniform(4, 9) if light < 0.8 else rng.uniform(1, 3.5))
    img = grain(img, nrng, sigma)
    if rng.random() < 0.6:
        img = img.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1.2, 2.5) * max(scale, 0.6),
                                                 percent=rng.randint(60, 160), threshold=2))
        notes.append("sharpened")
    return img, notes


def _shadow(scene: Image.Image, rng: random.Random, quad) -> Image.Image:
    """The shadow of a hand or a phone over part of the card: a soft dark shape."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    mask = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(mask)
    corner = rng.randrange(4)
    cx, cy = quad[corner]
    if rng.random() < 0.5:  # a hand: a blob with finger stubs
        r = 0.35 * max(w, h)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        for i in range(4):
            a = rng.uniform(0, 2 * math.pi)
            d.line((cx, cy, cx + 1.4 * r * math.cos(a), cy + 1.4 * r * math.sin(a)), fill=255,
                   width=int(r * 0.25))
        what = "hand shadow"
    else:  # the phone: a straight-edged band
        d.polygon([(cx - w, cy - h * 0.1), (cx + w * 0.3, cy - h * 0.3), (cx + w * 0.4, cy + h * 0.2),
                   (cx - w, cy + h)], fill=255)
        what = "phone shadow"
    mask = mask.resize((scene.width // 8, scene.height // 8)).filter(
        ImageFilter.GaussianBlur(max(2, w / 80))).resize(scene.size, Image.BILINEAR)
    depth = rng.uniform(0.55, 0.78)
    arr = np.asarray(scene, np.float32)
    m = np.asarray(mask, np.float32)[..., None] / 255
    return Image.fromarray((arr * (1 - m * (1 - depth))).astype(np.uint8)), what


def photograph(card: Image.Image, rng: random.Random, hard: bool) -> Tuple[Image.Image, List[str]]:
    turn = rng.choice((0, 90, 180, 270)) if hard else rng.choice((0, 0, 0, 0, 180))
    frame = rng.choice(FRAMES)
    if (turn in (90, 270)) != (rng.random() < 0.25):  # held upright now and then
        frame = frame[::-1]
    width = rng.uniform(500, min(1400, 0.8 * min(frame) * (85.6 / 54 if turn in (0, 180) and
                                                           frame[0] >= frame[1] else 1)))
    width = max(500, min(width, 0.8 * (frame[0] if turn in (0, 180) else frame[1])))
    skew = rng.uniform(-12, 12) if hard else rng.uniform(-5, 5)
    keystone = rng.uniform(0, 0.12) if hard else rng.uniform(0, 0.05)
    scene, surface = _surface(rng, frame)
    w, h = width, width * 54 / 85.6
    span = max(w, h) * 0.62
    centre = (rng.uniform(span, frame[0] - span) if frame[0] > 2 * span else frame[0] / 2,
              rng.uniform(span, frame[1] - span) if frame[1] > 2 * span else frame[1] / 2)
    quad = card_quad(rng, centre, width, turn + skew, keystone)
    place(scene, _rounded_alpha(card), quad)
    notes = [f"{frame[0]}x{frame[1]}", surface, f"card {int(width)} px", f"turn {turn}",
             f"skew {skew:.1f}"]
    if hard and rng.random() < 0.4:
        scene, what = _shadow(scene, rng, quad)
        notes.append(what)
    scene, how = camera(scene, rng, hard, width / 1000)
    return scene, notes + how


# Sheets ----------------------------------------------------------------------------------------

def _sheet(face: Image.Image, back: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """Both sides on an A4 copy: each side at its own angle and darkness; scanned at 150 or
    200 dpi, or the page photographed on a desk."""
    dpi = rng.choice((150, 200))
    page_size = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
    paper = tuple(rng.randint(238, 252) for _ in range(3))
    grey = rng.random() < 0.5
    page = Image.new("RGB", page_size, (paper[0],) * 3 if grey else paper)
    width = 85.6 / 25.4 * dpi * rng.uniform(1.0, 1.12)
    notes = [f"A4 {dpi} dpi", "greyscale" if grey else "colour"]
    for i, side in enumerate((face, back)):
        if rng.random() < 0.3:  # the holder's note or a stamp on the copy, over that side
            side, marks = overlays(side, rng)
            notes += marks
        dark = rng.uniform(0.72, 1.05)
        img = ImageEnhance.Brightness(side).enhance(dark)
        img = ImageEnhance.Contrast(img).enhance(rng.uniform(1.0, 1.3))
        if grey:
            img = img.convert("L").convert("RGB")
        angle = rng.uniform(-6, 6)
        centre = (page_size[0] * rng.uniform(0.45, 0.55),
                  page_size[1] * (0.28 if i == 0 else 0.7) + rng.uniform(-30, 30))
        place(page, _rounded_alpha(img), card_quad(rng, centre, width, angle, 0.0))
        notes.append(f"{'face' if i == 0 else 'back'} {angle:.1f} deg x{dark:.2f}")
    nrng = np.random.default_rng(rng.getrandbits(32))
    arr = np.asarray(page, np.float32) + nrng.normal(0, 2.5, (page_size[1], page_size[0], 1))
    page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        notes.append("scanned")
        return page.filter(ImageFilter.GaussianBlur(0.5)), ", ".join(notes)
    frame = rng.choice(((3264, 2448), (4032, 3024), (2592, 1944)))[::-1]
    scene, surface = _surface(rng, frame)
    pw = frame[0] * rng.uniform(0.75, 0.9)
    ph = pw * 297 / 210
    if ph > frame[1] * 0.95:
        pw, ph = pw * frame[1] * 0.95 / ph, frame[1] * 0.95
    quad = card_quad(rng, (frame[0] / 2, frame[1] / 2), pw, rng.uniform(-8, 8),
                     rng.uniform(0, 0.08), aspect=297 / 210)
    place(scene, page.convert("RGBA"), quad)
    scene, how = camera(scene, rng, False, pw / 1600)
    notes += ["photographed", surface] + how
    return scene, ", ".join(notes)
