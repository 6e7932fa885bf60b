"""The sixth rendering of the resident ID card ("novel"), a hold-out for the offline engine
(issue 22), drawn on 2026-12-07 by an engineer who read none of the engine, the KYC rules, the
cascade or the other generators' drawing code.

Drawn from public descriptions of the second-generation card (GB 19584: ID-1 size, 85.6 x 54
mm, rounded corners; the portrait side with 姓名, 性别 and 民族, 出生, a wrapped 住址 and the
公民身份号码 on its own row, the portrait on the right; the emblem side with the national
emblem, 中华人民共和国 / 居民身份证, 签发机关 and 有效期限) and from GB 11643 for the number.
Its own data: surnames with rare but dictionary characters, double surnames, Tibetan and
Mongolian names, dotted Uyghur and Kazakh names; the 56 nationalities; real county-level
divisions with their GB/T 2260 codes and the police bureau that issues there; addresses of one
to three lines; validity by age at issue (5, 10, 20 years, 长期).

Its own fonts (`make fonts`): LXGW WenKai (Kai, regular and bold), BabelStone Han (Song),
WenQuanYi Zen Hei Sharp (labels); the number in B612 Mono, Go Mono or Inconsolata.

Its own photographs: phone frames up to 4000 px with cards 448-1,300 px wide; ISP
over-sharpening halos, chromatic aberration, white-balance casts (tungsten, fluorescent
green, shade blue), the card's iridescent film catching light, a laminated card's bend,
EXIF-rotated photos, messenger recompression, 4:2:0 / 4:2:2 / 4:4:4 chroma; hard photos turned
by every quarter with skew and keystone, motion blur, low light with row noise, glare, the
shadow of the phone, a plastic sleeve, worn and faded print, red stamps and watermarks in its
own phrasing; A4 sheets with both sides, each turned and darkened separately, scanned (flatbed
or a copier's greyscale) or photographed.

`shoot(kind, seed)` gives a tests/fakes/realistic.Photo; everything follows from the seed.
"""

import io
import math
import random
from datetime import date, timedelta
from functools import lru_cache
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

WENKAI = ("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", 0)
WENKAI_BOLD = ("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Bold.ttf", 0)
BABELSTONE = ("/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", 0)
ZEN_HEI_SHARP = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 2)
VALUE_FONTS = (WENKAI, WENKAI_BOLD, BABELSTONE, ZEN_HEI_SHARP)
LABEL_FONTS = (ZEN_HEI_SHARP, WENKAI_BOLD)
NUMBER_FONTS = (("/usr/share/fonts/opentype/b612/B612Mono-Regular.otf", 0),
                ("/usr/share/fonts/opentype/b612/B612Mono-Bold.otf", 0),
                ("/usr/share/fonts/fonts-go/Go-Mono.ttf", 0),
                ("/usr/share/fonts/truetype/inconsolata/Inconsolata.otf", 0))
PACKAGES = "fonts-lxgw-wenkai fonts-babelstone-han fonts-b612 fonts-go fonts-inconsolata"

NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")

# (GB/T 2260 code, province, prefecture as addresses write it or "", county-level division,
# the issuing police bureau)
PLACES = (
    ("110105", "北京市", "", "朝阳区", "北京市公安局朝阳分局"),
    ("120116", "天津市", "", "滨海新区", "天津市公安局滨海分局"),
    ("310115", "上海市", "", "浦东新区", "上海市公安局浦东分局"),
    ("500102", "重庆市", "", "涪陵区", "重庆市公安局涪陵区分局"),
    ("500120", "重庆市", "", "璧山区", "重庆市公安局璧山区分局"),
    ("130635", "河北省", "保定市", "蠡县", "蠡县公安局"),
    ("140830", "山西省", "运城市", "芮城县", "芮城县公安局"),
    ("141031", "山西省", "临汾市", "隰县", "隰县公安局"),
    ("150723", "内蒙古自治区", "呼伦贝尔市", "鄂伦春自治旗", "鄂伦春自治旗公安局"),
    ("150781", "内蒙古自治区", "", "满洲里市", "满洲里市公安局"),
    ("210624", "辽宁省", "丹东市", "宽甸满族自治县", "宽甸满族自治县公安局"),
    ("222404", "吉林省", "延边朝鲜族自治州", "珲春市", "珲春市公安局"),
    ("231081", "黑龙江省", "", "绥芬河市", "绥芬河市公安局"),
    ("320324", "江苏省", "徐州市", "睢宁县", "睢宁县公安局"),
    ("320830", "江苏省", "淮安市", "盱眙县", "盱眙县公安局"),
    ("330212", "浙江省", "宁波市", "鄞州区", "宁波市公安局鄞州分局"),
    ("341021", "安徽省", "黄山市", "歙县", "歙县公安局"),
    ("341602", "安徽省", "亳州市", "谯城区", "亳州市公安局谯城分局"),
    ("350102", "福建省", "福州市", "鼓楼区", "福州市公安局鼓楼分局"),
    ("361130", "江西省", "上饶市", "婺源县", "婺源县公安局"),
    ("371122", "山东省", "日照市", "莒县", "莒县公安局"),
    ("371322", "山东省", "临沂市", "郯城县", "郯城县公安局"),
    ("410425", "河南省", "平顶山市", "郏县", "郏县公安局"),
    ("410621", "河南省", "鹤壁市", "浚县", "浚县公安局"),
    ("411024", "河南省", "许昌市", "鄢陵县", "鄢陵县公安局"),
    ("420881", "湖北省", "", "钟祥市", "钟祥市公安局"),
    ("422802", "湖北省", "恩施土家族苗族自治州", "利川市", "利川市公安局"),
    ("433101", "湖南省", "湘西土家族苗族自治州", "吉首市", "吉首市公安局"),
    ("440604", "广东省", "佛山市", "禅城区", "佛山市公安局禅城分局"),
    ("450681", "广西壮族自治区", "防城港市", "东兴市", "东兴市公安局"),
    ("451225", "广西壮族自治区", "河池市", "罗城仫佬族自治县", "罗城仫佬族自治县公安局"),
    ("469030", "海南省", "", "琼中黎族苗族自治县", "琼中黎族苗族自治县公安局"),
    ("510183", "四川省", "成都市", "邛崃市", "邛崃市公安局"),
    ("513221", "四川省", "阿坝藏族羌族自治州", "汶川县", "汶川县公安局"),
    ("513330", "四川省", "甘孜藏族自治州", "德格县", "德格县公安局"),
    ("522601", "贵州省", "黔东南苗族侗族自治州", "凯里市", "凯里市公安局"),
    ("522732", "贵州省", "黔南布依族苗族自治州", "三都水族自治县", "三都水族自治县公安局"),
    ("532822", "云南省", "西双版纳傣族自治州", "勐海县", "勐海县公安局"),
    ("530825", "云南省", "普洱市", "镇沅彝族哈尼族拉祜族自治县", "镇沅彝族哈尼族拉祜族自治县公安局"),
    ("530827", "云南省", "普洱市", "孟连傣族拉祜族佤族自治县", "孟连傣族拉祜族佤族自治县公安局"),
    ("530925", "云南省", "临沧市", "双江拉祜族佤族布朗族傣族自治县",
     "双江拉祜族佤族布朗族傣族自治县公安局"),
    ("520326", "贵州省", "遵义市", "务川仡佬族苗族自治县", "务川仡佬族苗族自治县公安局"),
    ("620924", "甘肃省", "酒泉市", "阿克塞哈萨克族自治县", "阿克塞哈萨克族自治县公安局"),
    ("653131", "新疆维吾尔自治区", "喀什地区", "塔什库尔干塔吉克自治县", "塔什库尔干塔吉克自治县公安局"),
    ("532927", "云南省", "大理白族自治州", "巍山彝族回族自治县", "巍山彝族回族自治县公安局"),
    ("533103", "云南省", "德宏傣族景颇族自治州", "芒市", "芒市公安局"),
    ("540423", "西藏自治区", "林芝市", "墨脱县", "墨脱县公安局"),
    ("622927", "甘肃省", "临夏回族自治州", "积石山保安族东乡族撒拉族自治县",
     "积石山保安族东乡族撒拉族自治县公安局"),
    ("623026", "甘肃省", "甘南藏族自治州", "碌曲县", "碌曲县公安局"),
    ("630223", "青海省", "海东市", "互助土族自治县", "互助土族自治县公安局"),
    ("632801", "青海省", "海西蒙古族藏族自治州", "格尔木市", "格尔木市公安局"),
    ("640104", "宁夏回族自治区", "银川市", "兴庆区", "银川市公安局兴庆分局"),
    ("640522", "宁夏回族自治区", "中卫市", "海原县", "海原县公安局"),
    ("650402", "新疆维吾尔自治区", "吐鲁番市", "高昌区", "吐鲁番市公安局高昌分局"),
    ("653101", "新疆维吾尔自治区", "喀什地区", "喀什市", "喀什市公安局"),
    ("654002", "新疆维吾尔自治区", "伊犁哈萨克自治州", "伊宁市", "伊宁市公安局"),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏"
RARE_SURNAMES = ("禤", "仉", "邴", "亢", "昝", "逯", "笪", "訾", "佘", "郗", "甯", "冼", "邝", "覃",
                 "逄", "冉", "郜", "隋", "麴", "鞠", "暴", "蒯", "綦", "璩", "酆", "乜", "寇", "琴")
DOUBLE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "尉迟", "令狐", "澹台", "公孙", "皇甫", "慕容")
GIVEN = ("子涵", "浩然", "思琪", "一诺", "雨萱", "俊杰", "嘉怡", "梓轩", "欣妍", "宇航", "振华",
         "秀兰", "建军", "桂英", "海燕", "志强", "丽娟", "国庆", "红霞", "晓东", "文博", "佳琪",
         "明", "静", "磊", "婷", "勇", "芳", "鹏", "霞")
RARE_GIVEN = "喆昇犇淼垚堃玥珺璟旻翀珏焱彧婧妤祎芃赟晗钰锴骁铮琮瑾翊昶曦湉菁"
DOTTED_GIVEN = ("阿依古丽", "热依拉", "古丽娜尔", "买买提", "艾力", "努尔兰", "阿斯哈尔", "迪丽娜尔",
                "麦尔旦", "帕提古丽")
DOTTED_FAMILY = ("买买提", "艾则孜", "吐尔逊", "艾山", "努尔", "阿不都", "卡德尔", "叶尔兰")
TIBETAN_NAMES = ("扎西顿珠", "次仁卓玛", "格桑拉姆", "央金", "索朗多吉", "普布", "德吉", "尼玛次仁")
MONGOLIAN_NAMES = ("巴特尔", "乌云其木格", "苏和", "其其格", "额尔敦", "那仁花", "朝鲁")
DOTTED_NATIONS = ("维吾尔", "哈萨克", "柯尔克孜", "塔吉克", "乌孜别克", "塔塔尔")

TOWNS = ("东城街道", "西关街道", "城关镇", "新华街道", "桥头镇", "龙潭乡", "白沙镇", "枫香乡",
         "杨柳街道", "青石镇", "盐井乡", "五里牌街道", "黄泥塘镇", "金鸡乡")
VILLAGES = ("新民村", "高坪村", "红岩村", "大湾村", "柿子坪村", "向阳村", "石门坎村", "茶园村")
ROADS = ("人民路", "迎宾大道", "滨江东路", "解放北路", "学府街", "建设巷", "团结西路", "长征路",
         "友谊路", "花园北街")
ESTATES = ("锦绣花园", "阳光小区", "翠湖苑", "电力宿舍", "东方家园", "桃李新村", "滨河湾")
CHARS_PER_LINE = 11  # the address column holds 11 characters a line, three lines at most

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """GB 11643-1999's check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return "10X98765432"[total % 11]


def _name(rng: random.Random, nation: str) -> str:
    if nation in DOTTED_NATIONS and rng.random() < 0.8:
        return f"{rng.choice(DOTTED_GIVEN)}·{rng.choice(DOTTED_FAMILY)}"
    if nation in ("藏", "门巴", "珞巴") and rng.random() < 0.8:
        return rng.choice(TIBETAN_NAMES)
    if nation == "蒙古" and rng.random() < 0.7:
        return rng.choice(MONGOLIAN_NAMES)
    roll = rng.random()
    surname = (rng.choice(DOUBLE_SURNAMES) if roll < 0.08 else rng.choice(RARE_SURNAMES)
               if roll < 0.3 else rng.choice(SURNAMES))
    given = rng.choice(GIVEN)
    if rng.random() < 0.3:  # a rare character in the given name
        given = (given[:1] if len(given) > 1 else "") + rng.choice(RARE_GIVEN)
    return surname + given


def _address(rng: random.Random, place) -> str:
    """An address in the place, three lines at most (a shorter one drawn when it overflows)."""
    _, province, prefecture, county, _ = place
    head = province + (prefecture if prefecture and rng.random() < 0.6 else "") + county
    for _ in range(12):
        address = head + _street(rng)
        if len(address) <= 3 * CHARS_PER_LINE:
            return address
    return (province + county + f"{rng.choice(ROADS)}{rng.randint(1, 99)}号")[:3 * CHARS_PER_LINE]


def _street(rng: random.Random) -> str:
    house = rng.randint(1, 388)
    shape = rng.random()
    if shape < 0.35:
        tail = f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randint(1, 12)}组{house}号"
    elif shape < 0.7:
        tail = f"{rng.choice(ROADS)}{house}号"
        if rng.random() < 0.5:
            tail += (f"{rng.randint(1, 9)}栋{rng.randint(1, 4)}单元"
                     f"{rng.randint(1, 28)}0{rng.randint(1, 6)}室")
    else:
        tail = (f"{rng.choice(ROADS)}{rng.choice(ESTATES)}{rng.randint(1, 30)}幢"
                f"{rng.randint(101, 2604)}号")
    return tail


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _validity(birth: date, start: date) -> int:
    """Years a card issued at `start` is valid for (0: 长期), by the holder's age then."""
    age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
    return 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else 0


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """One holder's face and back, as a real card carries them (valid today)."""
    place = rng.choice(PLACES)
    nation = "汉" if rng.random() < 0.4 else rng.choice(NATIONALITIES[1:])
    sex = rng.choice("男女")
    while True:
        birth = date(rng.randint(1938, 2021), rng.randint(1, 12), rng.randint(1, 28))
        start = TODAY - timedelta(days=rng.randint(20, 365 * 22))
        if start.month == 2 and start.day == 29 or start <= birth + timedelta(days=30):
            continue
        years = _validity(birth, start)
        age_days = (start - birth).days // 365  # how a days-count reckons the age: agree with it
        if years != (5 if age_days < 16 else 10 if age_days < 26 else 20 if age_days < 46 else 0):
            continue
        end = "长期" if years == 0 else start.replace(year=start.year + years).strftime("%Y%m%d")
        if end == "长期" or _day(end) > TODAY:
            break
    sequence = rng.randint(0, 99) * 10 + (rng.choice((1, 3, 5, 7, 9)) if sex == "男"
                                          else rng.choice((0, 2, 4, 6, 8)))
    first17 = f"{place[0]}{birth:%Y%m%d}{sequence:03d}"
    face = {"name": _name(rng, nation), "sex": sex, "nationality": nation,
            "birth": f"{birth:%Y%m%d}", "address": _address(rng, place),
            "num": first17 + check_character(first17)}
    back = {"issue": place[4], "start_date": f"{start:%Y%m%d}", "end_date": end}
    return {"face": face, "back": back}


def available() -> bool:
    return installed(VALUE_FONTS + LABEL_FONTS + NUMBER_FONTS)


def mm(v: float) -> int:
    return round(v * PX_MM)


# Cards ---------------------------------------------------------------------------------------
# Where things are, in mm from the card's top-left, after the specimen pictures: labels in a
# column at the left, values from x=17.5 mm, the portrait at the right, the number's row at
# the bottom. Each card moves the template a little (printers' registration).

Drawn = List[Tuple[str, Tuple[int, int, int, int]]]  # (text, box in card pixels), in order

LABEL_TINT = ((34, 108, 168), (52, 120, 190), (70, 100, 140))
INK = ((20, 20, 22), (34, 30, 28), (12, 16, 30))


def _guilloche(img: Image.Image, rng: random.Random, tints) -> None:
    """Fine interlaced wave lines in pale inks, the card's security background."""
    d = ImageDraw.Draw(img)
    w, h = img.size
    xs = np.linspace(0, w, 160)
    for i in range(34):
        colour = rng.choice(tints)
        y0 = h * i / 34
        amp, period, phase = rng.uniform(6, 18), rng.uniform(90, 260), rng.uniform(0, 6.3)
        ys = y0 + amp * np.sin(xs / period * 6.283 + phase) + 0.4 * amp * np.sin(xs / 37 + i)
        d.line(list(zip(xs.tolist(), ys.tolist())), fill=colour, width=1)
    cx, cy = w * rng.uniform(0.55, 0.7), h * rng.uniform(0.4, 0.6)
    for r in range(40, int(w * 0.45), 22):  # the rosette under the portrait side
        d.ellipse((cx - r, cy - r * 0.62, cx + r, cy + r * 0.62), outline=rng.choice(tints))


def _blank(rng: random.Random, side: str) -> Image.Image:
    w, h = CARD_SIZE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array(rng.choice(((246, 244, 236), (240, 244, 244), (248, 242, 238))), np.float32)
    # the printed wash: blue-green at the top left fading into a warm tint
    t = (xx / w * 0.6 + yy / h * 0.4)[..., None]
    warm = np.array((250, 236, 226) if side == "face" else (246, 238, 214), np.float32)
    cool = np.array((222, 236, 242), np.float32)
    rgb = base * 0.5 + (cool * (1 - t) + warm * t) * 0.5
    img = Image.fromarray(rgb.clip(0, 255).astype(np.uint8))
    _guilloche(img, rng, ((206, 222, 232), (232, 214, 214), (214, 228, 210), (226, 222, 236)))
    return img


def _rounded(img: Image.Image) -> Image.Image:
    """The card with ID-1's rounded corners (3.18 mm), outside them transparent."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1), mm(3.18),
                                           fill=255)
    out = img.convert("RGBA")
    out.putalpha(mask)
    return out


def _text(d, xy, text, spec, size, fill, log: Optional[Drawn], gap: float = 0.0):
    """Draws `text` (letter gap `gap` px) with its top-left at xy; logs its box."""
    f = font(spec, size)
    x, y = xy
    x0 = x
    for ch in text:
        d.text((x, y), ch, font=f, fill=fill)
        x += f.getlength(ch) + gap
    box = (int(x0), int(y), int(math.ceil(x - gap)), int(y + size * 1.05))
    if log is not None:
        log.append((text, box))
    return box


def _value_font(rng: random.Random, text: str):
    choices = [spec for spec in VALUE_FONTS if covers(spec, text)]
    return rng.choice(choices or [BABELSTONE])


def _portrait(rng: random.Random, size: Tuple[int, int], sex: str) -> Image.Image:
    """A passport-style head and shoulders in muted tones (no real face)."""
    w, h = size
    bg = rng.choice(((236, 238, 240), (226, 232, 240), (242, 240, 236)))
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    skin = rng.choice(((214, 182, 160), (196, 160, 130), (170, 130, 100), (226, 196, 176)))
    cloth = rng.choice(((40, 44, 60), (90, 90, 96), (230, 230, 232), (60, 70, 90)))
    d.ellipse((w * 0.08, h * 0.70, w * 0.92, h * 1.35), fill=cloth)
    d.rectangle((w * 0.42, h * 0.58, w * 0.58, h * 0.76), fill=skin)
    hair = rng.choice(((24, 20, 18), (40, 32, 26), (70, 60, 54)))
    d.ellipse((w * 0.22, h * 0.08, w * 0.78, h * 0.60), fill=hair)
    d.ellipse((w * 0.27, h * 0.16, w * 0.73, h * 0.66), fill=skin)
    if sex == "女" and rng.random() < 0.7:
        d.rectangle((w * 0.2, h * 0.3, w * 0.29, h * 0.78), fill=hair)
        d.rectangle((w * 0.71, h * 0.3, w * 0.8, h * 0.78), fill=hair)
    d.rectangle((w * 0.25, h * 0.10, w * 0.75, h * 0.24), fill=hair)
    for ex in (0.39, 0.61):
        d.ellipse((w * ex - 5, h * 0.38 - 3, w * ex + 5, h * 0.38 + 3), fill=(40, 34, 30))
    d.line((w * 0.44, h * 0.53, w * 0.56, h * 0.53), fill=(150, 96, 90), width=3)
    return img.filter(ImageFilter.GaussianBlur(1.2))


def draw_face(face: Dict[str, str], rng: random.Random, log: Drawn) -> Image.Image:
    img = _blank(rng, "face")
    d = ImageDraw.Draw(img)
    dx, dy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)
    label_spec, label_fill = rng.choice(LABEL_FONTS), rng.choice(LABEL_TINT)
    ink = rng.choice(INK)
    text_all = face["name"] + face["nationality"] + face["address"] + face["sex"]
    spec = _value_font(rng, text_all)
    label, value = mm(rng.uniform(2.5, 2.9)), mm(rng.uniform(3.3, 3.7))
    lx, vx = mm(6.5 + dx), mm(17.5 + dx)

    def label_at(text, x, y, spaced=True):
        _text(d, (x, y + (value - label) * 0.6), text, label_spec, label, label_fill, None,
              gap=label * 0.6 if spaced and len(text) == 2 else 0)

    y = mm(7.5 + dy)
    label_at("姓名", lx, y)
    _text(d, (vx, y - mm(0.3)), face["name"], spec, mm(rng.uniform(3.8, 4.2)), ink, log)
    y = mm(14.5 + dy)
    label_at("性别", lx, y)
    _text(d, (vx, y), face["sex"], spec, value, ink, log)
    label_at("民族", mm(27.5 + dx), y)
    _text(d, (mm(38 + dx), y), face["nationality"], spec, value, ink, log)
    y = mm(21.5 + dy)
    label_at("出生", lx, y)
    birth = face["birth"]
    x = vx
    for part, unit in ((birth[:4], "年"), (str(int(birth[4:6])), "月"), (str(int(birth[6:])), "日")):
        box = _text(d, (x, y), part, spec, value, ink, log)
        x = box[2] + mm(0.8)
        label_at(unit, x, y, spaced=False)
        x += label + mm(1.2)
    y = mm(28.5 + dy)
    label_at("住址", lx, y)
    address = face["address"]
    for i in range(0, len(address), CHARS_PER_LINE):
        _text(d, (vx, y), address[i:i + CHARS_PER_LINE], spec, value, ink, log)
        y += mm(rng.uniform(4.4, 4.8))
    y = mm(45.2 + dy)
    label_at("公民身份号码", lx, y, spaced=False)
    number_spec = rng.choice(NUMBER_FONTS)
    size = mm(rng.uniform(3.9, 4.4))
    plain = font(number_spec, size).getlength(face["num"])
    gap = min(mm(rng.uniform(0.25, 0.6)), (mm(52) - plain) / 17)  # it ends before the edge
    _text(d, (mm(29.5 + dx), y - mm(0.2)), face["num"], number_spec, size, ink, log, gap=gap)
    portrait = _portrait(rng, (mm(25), mm(31)), face["sex"])
    img.paste(portrait, (mm(56.5 + dx), mm(7 + dy)))
    return img


def _emblem(img: Image.Image, centre, radius: float, rng: random.Random) -> None:
    """The national emblem, drawn as shapes: a red field with Tiananmen's gate, one large and
    four small gold stars, a ring of wheat and the cogwheel below."""
    d = ImageDraw.Draw(img)
    cx, cy = centre
    gold = rng.choice(((214, 168, 60), (226, 180, 70)))
    red = rng.choice(((200, 30, 34), (214, 44, 40)))
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=gold)
    r = radius * 0.78
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=red)
    for k in range(18):  # wheat ears around
        a = math.pi * (0.15 + 0.7 * k / 17) + math.pi / 2
        for s in (-1, 1):
            x = cx + s * radius * 0.89 * math.cos(a)
            y = cy + radius * 0.89 * math.sin(a) * -1
            d.ellipse((x - radius * 0.07, y - radius * 0.11, x + radius * 0.07, y + radius * 0.11),
                      fill=(238, 200, 100))

    def star(x, y, rr, turn=0.0):
        pts = []
        for k in range(10):
            a = turn - math.pi / 2 + k * math.pi / 5
            q = rr if k % 2 == 0 else rr * 0.4
            pts.append((x + q * math.cos(a), y + q * math.sin(a)))
        d.polygon(pts, fill=gold)

    star(cx - r * 0.45, cy - r * 0.45, r * 0.22)
    for k, (ox, oy) in enumerate(((-0.12, -0.7), (0.05, -0.52), (0.05, -0.3), (-0.12, -0.14))):
        star(cx + r * ox, cy + r * oy, r * 0.08, turn=0.3 * k)
    d.rectangle((cx - r * 0.55, cy + r * 0.05, cx + r * 0.55, cy + r * 0.45), fill=gold)
    d.polygon([(cx - r * 0.65, cy + r * 0.05), (cx, cy - r * 0.1), (cx + r * 0.65, cy + r * 0.05)],
              fill=gold)
    for k in range(5):
        x = cx - r * 0.4 + k * r * 0.2
        d.rectangle((x - r * 0.04, cy + r * 0.25, x + r * 0.04, cy + r * 0.45), fill=red)
    d.ellipse((cx - r * 0.28, cy + r * 0.6, cx + r * 0.28, cy + r * 1.1), fill=gold)


def draw_back(back: Dict[str, str], rng: random.Random, log: Drawn) -> Image.Image:
    img = _blank(rng, "back")
    d = ImageDraw.Draw(img)
    dx, dy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)
    _emblem(img, (mm(15.5 + dx), mm(15 + dy)), mm(rng.uniform(9.0, 10.0)), rng)
    title_spec = rng.choice((WENKAI_BOLD, BABELSTONE, ZEN_HEI_SHARP))
    ink = rng.choice(INK)
    for text, y, size in (("中华人民共和国", 8.0, 4.6), ("居民身份证", 16.0, 7.2)):
        s = mm(size)
        width = font(title_spec, s).getlength(text)
        gap = (mm(44) - width) / (len(text) - 1)
        _text(d, (mm(32 + dx), mm(y + dy)), text, title_spec, s, ink, None, gap=max(gap, 0))
    label_spec, label_fill = rng.choice(LABEL_FONTS), rng.choice(LABEL_TINT)
    spec = _value_font(rng, back["issue"])
    label, value = mm(rng.uniform(2.5, 2.9)), mm(rng.uniform(3.3, 3.6))
    per_line = int((mm(82) - mm(35.5 + dx)) // (value * 1.0))
    issue = back["issue"]
    lines = [issue[i:i + per_line] for i in range(0, len(issue), per_line)]
    y = mm((38.0 if len(lines) > 1 else 40.5) + dy)
    _text(d, (mm(21 + dx), y + (value - label) * 0.6), "签发机关", label_spec, label, label_fill,
          None)
    for line in lines:
        _text(d, (mm(35.5 + dx), y), line, spec, value, ink, log)
        y += mm(4.3)
    y = max(y + mm(1.5), mm(47.0 + dy))
    _text(d, (mm(21 + dx), y + (value - label) * 0.6), "有效期限", label_spec, label, label_fill,
          None)
    s, e = back["start_date"], back["end_date"]
    end = e if e == "长期" else f"{e[:4]}.{e[4:6]}.{e[6:]}"
    _text(d, (mm(35.5 + dx), y), f"{s[:4]}.{s[4:6]}.{s[6:]}-{end}", spec, value, ink, log)
    return img


# Overlays: what people put on the copy they hand over ------------------------------------

PURPOSES = ("实名登记", "宽带办理", "驾校报名", "公积金提取", "手机卡开户", "酒店入住", "考试报名",
            "房屋租赁")
OVERLAY_PHRASES = ("本复印件仅供{}使用", "限{}用 再复印无效", "复印无效", "仅限办理{}使用",
                   "此件与原件一致", "{}专用 他用作废")
STAMP_INKS = ((206, 30, 44), (190, 40, 60), (222, 60, 50))


def overlay_phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).format(rng.choice(PURPOSES))


def _ink_mask(size, rng: random.Random, density: float) -> np.ndarray:
    """Uneven stamp ink: blotchy coverage, stronger in the middle of strokes."""
    h, w = size[1], size[0]
    small = np.random.default_rng(rng.randint(0, 2**31)).random((max(h // 6, 2), max(w // 6, 2)))
    blot = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize(
        (w, h), Image.BILINEAR), np.float32) / 255
    return np.clip((blot + density - 0.5) * 1.6, 0.15, 1.0)


def stamp(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A red seal pressed over the card: round with text on its rim and a star, or a square
    seal with two rows; partly inked."""
    w, h = card.size
    size = int(h * rng.uniform(0.38, 0.56))
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    phrase = overlay_phrase(rng).replace(" ", "")
    spec = rng.choice((WENKAI_BOLD, BABELSTONE))
    if rng.random() < 0.65:
        shape = "round"
        d.ellipse((4, 4, size - 5, size - 5), outline=255, width=max(3, size // 28))
        rim = phrase[:12]
        fs = max(10, size // 9)
        f = font(spec, fs)
        for k, ch in enumerate(rim):
            a = math.pi * (1.15 + 0.7 * k / max(len(rim) - 1, 1))
            x = size / 2 + size * 0.34 * math.cos(a)
            y = size / 2 + size * 0.34 * math.sin(a)
            glyph = Image.new("L", (fs * 2, fs * 2), 0)
            ImageDraw.Draw(glyph).text((fs // 2, fs // 2), ch, font=f, fill=255)
            glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BILINEAR)
            layer.paste(255, (int(x - fs), int(y - fs)), glyph)
        r = size * 0.12
        arms = [(r if k % 2 == 0 else r * 0.4, -math.pi / 2 + k * math.pi / 5) for k in range(10)]
        pts = [(size / 2 + q * math.cos(a), size / 2 + q * math.sin(a)) for q, a in arms]
        d.polygon(pts, fill=255)
    else:
        shape = "square"
        d.rectangle((4, 4, size - 5, size - 5), outline=255, width=max(3, size // 24))
        half = (len(phrase) + 1) // 2
        fs = max(10, int(size * 0.8 / max(half, 1)))
        f = font(spec, fs)
        for row, text in enumerate((phrase[:half], phrase[half:])):
            d.text((size * 0.1, size * 0.18 + row * size * 0.38), text, font=f, fill=255)
    layer = layer.rotate(rng.uniform(-35, 35), resample=Image.BILINEAR)
    alpha = np.asarray(layer, np.float32) / 255 * _ink_mask(layer.size, rng, rng.uniform(0.5, 0.9))
    x = int(rng.uniform(0.05, 0.95) * w - size / 2)
    y = int(rng.uniform(0.15, 0.85) * h - size / 2)
    return _blend(card, alpha * rng.uniform(0.6, 0.9), rng.choice(STAMP_INKS), (x, y)), \
        f"{shape} stamp"


def watermark(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phrase repeated in diagonal rows across the card, as photo apps and copy shops add."""
    w, h = card.size
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    phrase = overlay_phrase(rng)
    fs = int(h * rng.uniform(0.07, 0.12))
    f = font(rng.choice((WENKAI, ZEN_HEI_SHARP, BABELSTONE)), fs)
    step_x = f.getlength(phrase) + fs * 2
    for row, y in enumerate(range(0, h * 2, int(fs * rng.uniform(2.4, 3.6)))):
        for x in np.arange(-(row % 2) * step_x / 2, w * 2, step_x):
            d.text((x, y), phrase, font=f, fill=255)
    layer = layer.rotate(rng.uniform(18, 40) * rng.choice((-1, 1)), resample=Image.BILINEAR)
    layer = layer.crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    colour = rng.choice(((120, 120, 124), (200, 60, 60), (70, 110, 200)))
    alpha = np.asarray(layer, np.float32) / 255 * rng.uniform(0.25, 0.5)
    return _blend(card, alpha, colour, (0, 0)), "watermark " + (
        "grey" if colour[0] == 120 else "red" if colour[0] == 200 else "blue")


def _blend(img: Image.Image, alpha: np.ndarray, colour, at) -> Image.Image:
    """`img` with `colour` laid over it through `alpha` (multiplied, as ink over print)."""
    out = np.asarray(img.convert("RGB"), np.float32).copy()
    x, y = at
    h, w = alpha.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, out.shape[1]), min(y + h, out.shape[0])
    if x1 <= x0 or y1 <= y0:
        return img.convert("RGB")
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x, None]
    region = out[y0:y1, x0:x1]
    inked = region * (np.array(colour, np.float32) / 255)
    out[y0:y1, x0:x1] = region * (1 - a) + inked * a
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def wear(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A card carried for years: print faded towards the paper, scratches, a rubbed patch."""
    a = np.asarray(card.convert("RGB"), np.float32)
    fade = rng.uniform(0.15, 0.4)
    a = a * (1 - fade) + 235 * fade
    img = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    w, h = img.size
    for _ in range(rng.randint(6, 20)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        ang, ln = rng.uniform(0, math.pi), rng.uniform(30, w * 0.4)
        d.line((x, y, x + ln * math.cos(ang), y + ln * math.sin(ang)),
               fill=(236, 236, 232), width=rng.choice((1, 1, 2)))
    return img, f"worn (faded {fade:.2f})"


# Photographs ---------------------------------------------------------------------------------

FRAMES = ((4000, 3000), (3000, 4000), (4000, 2250), (2560, 1920), (1920, 1080), (1600, 1200),
          (1280, 960), (1080, 1440))
SURFACES = ("walnut desk", "linen weave", "granite counter", "ruled notebook", "cutting mat",
            "quilt")


def surface(rng: random.Random, size: Tuple[int, int]) -> Tuple[Image.Image, str]:
    """What the card lies on, drawn small and scaled up (its texture is coarse anyway)."""
    name = rng.choice(SURFACES)
    w, h = size
    sw, sh = max(w // 4, 8), max(h // 4, 8)
    g = np.random.default_rng(rng.randint(0, 2**31))
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    if name == "walnut desk":
        rings = yy + 9 * np.sin(xx / 70) + g.normal(0, 0.8, (sh, sw))
        grain = np.sin(rings / rng.uniform(1.2, 3))
        base = np.array((112, 72, 46), np.float32) + np.array((14, 10, 6)) * grain[..., None] \
            + g.normal(0, 5, (sh, sw, 1))
    elif name == "linen weave":
        weave = (np.sin(xx * 1.9) * np.sin(yy * 1.9)) * 10 + g.normal(0, 6, (sh, sw))
        base = np.array(rng.choice(((196, 188, 170), (150, 164, 180), (120, 130, 110))),
                        np.float32) + weave[..., None]
    elif name == "granite counter":
        speck = g.random((sh, sw))
        base = np.where(speck[..., None] < 0.15, 40, np.where(speck[..., None] > 0.9, 210, 120)
                        ).astype(np.float32) + g.normal(0, 12, (sh, sw, 1))
        base = base * np.array((1.0, 0.96, 0.92))
    elif name == "ruled notebook":
        base = np.full((sh, sw, 3), 236, np.float32) + g.normal(0, 2, (sh, sw, 1))
        base[(yy.astype(int) % max(sh // 30, 3)) == 0] = (170, 190, 220)
        base[:, sw // 9] = (220, 120, 120)
    elif name == "cutting mat":
        base = np.array((38, 96, 70), np.float32) + g.normal(0, 3, (sh, sw, 3))
        step = max(sw // 25, 4)
        base[(yy.astype(int) % step) == 0] = (190, 210, 200)
        base[:, (xx[0].astype(int) % step) == 0] = (190, 210, 200)
    else:  # a patterned quilt: coloured patches
        patch = max(sw // 8, 4)
        colours = g.integers(60, 220, ((sh // patch) + 2, (sw // patch) + 2, 3))
        base = colours[(yy // patch).astype(int), (xx // patch).astype(int)].astype(np.float32)
        base += g.normal(0, 8, (sh, sw, 1))
    img = Image.fromarray(base.clip(0, 255).astype(np.uint8)).resize(size, Image.BILINEAR)
    return img, name


def homography(src, dst) -> np.ndarray:
    """The 3x3 matrix mapping the four points src onto dst."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    p = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return np.append(p, 1).reshape(3, 3)


def card_quad(rng: random.Random, frame: Tuple[int, int], width: float, turn: int,
              skew: float, keystone: float, at: Optional[Tuple[float, float]] = None):
    """The card's four corners (TL, BL, BR, TR of the card itself) in the frame: `width` px
    wide, turned `turn` degrees (a quarter turn) plus `skew`, the far edge shortened by
    `keystone` (0-0.4); centred at `at` or somewhere the whole card fits."""
    w, h = width, width * 54 / 85.6
    corners = np.array([(-w / 2, -h / 2), (-w / 2, h / 2), (w / 2, h / 2), (w / 2, -h / 2)])
    # keystone: the edge further from the camera shrinks (which edge: any)
    edge = rng.randrange(4)
    pairs = ((0, 3), (0, 1), (1, 2), (2, 3))[edge]
    for i in pairs:
        other = [j for j in pairs if j != i][0]
        corners[i] = corners[i] + (corners[other] - corners[i]) * keystone / 2
    a = math.radians(turn + skew)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    pts = corners @ rot.T
    pts += np.array([rng.uniform(-1, 1) * width * 0.01 for _ in range(8)]).reshape(4, 2)
    if at is None:
        span = pts.max(0) - pts.min(0)
        room = np.array(frame) - span - 8
        lo = -pts.min(0) + 4
        at = (lo[0] + rng.uniform(0.1, 0.9) * max(room[0], 0),
              lo[1] + rng.uniform(0.1, 0.9) * max(room[1], 0))
    return [(float(x + at[0]), float(y + at[1])) for x, y in pts]


def place(scene: Image.Image, card: Image.Image, quad, shadow: float = 0.35,
          bend: float = 0.0) -> None:
    """Lays `card` (RGBA, or RGB) onto `scene` in `quad`, with a soft drop shadow; `bend`: a
    laminated card's curl, which makes its long edges bow."""
    card = card if card.mode == "RGBA" else _rounded(card)
    if bend:
        card = _bent(card, bend)
    cw, ch = card.size
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, y0 = max(int(min(xs)) - 2, 0), max(int(min(ys)) - 2, 0)
    x1, y1 = min(int(max(xs)) + 3, scene.width), min(int(max(ys)) + 3, scene.height)
    if x1 <= x0 or y1 <= y0:
        return
    local = [(x - x0, y - y0) for x, y in quad]
    inverse = homography(local, [(0, 0), (0, ch), (cw, ch), (cw, 0)])
    warped = card.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, inverse.flatten()[:8].tolist(),
                            Image.BICUBIC)
    if shadow:
        alpha = warped.getchannel("A").filter(ImageFilter.GaussianBlur(max(cw / 90, 2)))
        dark = Image.new("RGB", warped.size, (0, 0, 0))
        off = int(max(xs) - min(xs)) // 80 + 1
        region = scene.crop((x0 + off, y0 + off, x1 + off, y1 + off))
        region = Image.composite(dark, region, alpha.point(lambda v: int(v * shadow)))
        scene.paste(region, (x0 + off, y0 + off))
    scene.paste(warped.convert("RGB"), (x0, y0), warped.getchannel("A"))


def _bent(card: Image.Image, bend: float) -> Image.Image:
    """The card bowed: rows pushed up in the middle, as a curled card seen from above."""
    a = np.asarray(card)
    h, w = a.shape[:2]
    pad = int(abs(bend) * h) + 2
    out = np.zeros((h + 2 * pad, w, a.shape[2]), a.dtype)
    xs = np.arange(w)
    shift = (bend * h * np.sin(np.pi * xs / (w - 1))).astype(int)
    for x in range(w):
        out[pad - shift[x]:pad - shift[x] + h, x] = a[:, x]
    return Image.fromarray(out).resize((w, h), Image.BILINEAR)  # corners stay at the ends


# White balance as the phone leaves it under each light (gains for R, G, B)
CASTS = (("daylight", (1.0, 1.0, 1.0)), ("tungsten", (1.08, 0.98, 0.80)),
         ("fluorescent", (0.95, 1.05, 0.93)), ("shade", (0.90, 0.97, 1.10)),
         ("LED", (1.02, 1.0, 0.96)))


def lighting(scene: Image.Image, rng: random.Random, dim: float = 1.0) -> Tuple[Image.Image, str]:
    """Exposure, a white-balance cast and a light falling off across the frame."""
    w, h = scene.size
    cast_name, cast = rng.choice(CASTS)
    small = (max(w // 16, 4), max(h // 16, 4))
    yy, xx = np.mgrid[0:small[1], 0:small[0]].astype(np.float32)
    ang = rng.uniform(0, 6.28)
    ramp = (np.cos(ang) * xx / small[0] + np.sin(ang) * yy / small[1])
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    r = np.hypot(xx / small[0] - 0.5, yy / small[1] - 0.5)
    field = (1 - rng.uniform(0.05, 0.3) * ramp) * (1 - rng.uniform(0.1, 0.35) * r ** 2) * dim
    # the gain per channel as an 8-bit picture (1.25 at most, so 200 stands for 1), applied
    # by 8-bit multiplication and a lookup: the frame is never held in floats
    gains = field[..., None] * np.array(cast, np.float32) / 1.25
    light = Image.fromarray((gains * 255).clip(0, 255).astype(np.uint8)).resize((w, h),
                                                                                 Image.BILINEAR)
    lit = ImageChops.multiply(scene.convert("RGB"), light)
    return lit.point(lambda v: min(255, int(v * 1.25))), cast_name


@lru_cache(maxsize=16)
def _grain(seed: int, strength: int) -> Image.Image:
    """A tile of gaussian noise around 128 (sd `strength`) that phone() lays over a frame."""
    tile = np.random.default_rng(seed).standard_normal((509, 511, 3)) * strength + 128
    return Image.fromarray(tile.clip(0, 255).astype(np.uint8))


def grainy(img: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """`img` with gaussian noise of spread `strength` added (a tile laid at a random offset)."""
    img = img.convert("RGB")
    w, h = img.size
    tile = _grain(rng.randrange(4), max(1, round(strength)))
    noise = Image.new("RGB", (w, h))
    oy, ox = rng.randrange(509), rng.randrange(511)
    for y in range(-oy, h, 509):
        for x in range(-ox, w, 511):
            noise.paste(tile, (x, y))
    return ImageChops.add(img, noise, 1.0, -128)


def phone(img: Image.Image, rng: random.Random, iso: float = 1.0) -> Image.Image:
    """A phone camera's processing: sensor noise (stronger with the ISO), a denoise that smears
    it, then over-sharpening that rings at edges, and sometimes a little lateral chromatic
    aberration."""
    img = grainy(img, rng, 3.5 * iso)
    w, h = img.size
    if iso > 2:  # low light: row noise from the sensor's readout
        rows = np.random.default_rng(rng.randint(0, 2**31)).normal(128, iso * 1.2, (h, 1))
        img = ImageChops.add(img, Image.fromarray(rows.clip(0, 255).astype(np.uint8))
                             .resize((w, h), Image.NEAREST).convert("RGB"), 1.0, -128)
    img = img.filter(ImageFilter.SMOOTH)
    img = img.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1.5, 3.5),
                                             percent=rng.randint(60, 220), threshold=2))
    if rng.random() < 0.5:  # lateral chromatic aberration: red a touch larger than blue
        r, gch, b = img.split()
        k = rng.uniform(0.0008, 0.0025)
        rw, rh = int(w * (1 + k)), int(h * (1 + k))
        r = r.resize((rw, rh), Image.BILINEAR).crop(((rw - w) // 2, (rh - h) // 2,
                                                      (rw - w) // 2 + w, (rh - h) // 2 + h))
        img = Image.merge("RGB", (r, gch, b))
    return img


def motion_blur(img: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """The hand moving while the shutter is open: the frame averaged along a short line."""
    length = rng.randint(3, 9)
    ang = rng.uniform(0, math.pi)
    out = img
    for k in range(1, length):
        t = k - (length - 1) / 2
        moved = ImageChops.offset(img, int(round(t * math.cos(ang))), int(round(t * math.sin(ang))))
        out = Image.blend(out, moved, 1 / (k + 1))
    return out, f"shake {length} px"


def glare(scene: Image.Image, rng: random.Random, centre, radius: float) -> Image.Image:
    """A specular reflection: a saturated core with a soft halo (a lamp or the flash)."""
    w, h = scene.size
    x0, y0 = int(max(centre[0] - radius * 2, 0)), int(max(centre[1] - radius * 2, 0))
    x1, y1 = int(min(centre[0] + radius * 2, w)), int(min(centre[1] + radius * 2, h))
    if x1 <= x0 or y1 <= y0:
        return scene
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    stretch = rng.uniform(1.0, 2.6)
    ang = rng.uniform(0, math.pi)
    dx, dy = xx - centre[0], yy - centre[1]
    u = (dx * math.cos(ang) + dy * math.sin(ang)) / stretch
    v = -dx * math.sin(ang) + dy * math.cos(ang)
    d = np.hypot(u, v) / radius
    boost = np.clip(1.6 - d, 0, 1) ** 1.5 * 255 * 1.4
    a = np.asarray(scene.crop((x0, y0, x1, y1)), np.float32) + boost[..., None]
    scene = scene.copy()
    scene.paste(Image.fromarray(a.clip(0, 255).astype(np.uint8)), (x0, y0))
    return scene


def phone_shadow(scene: Image.Image, rng: random.Random, quad) -> Image.Image:
    """The shadow of the phone and the hand holding it, soft, falling over part of the card."""
    w, h = scene.size
    cx = sum(p[0] for p in quad) / 4 + rng.uniform(-0.3, 0.3) * (quad[3][0] - quad[0][0])
    cy = sum(p[1] for p in quad) / 4
    size = abs(quad[3][0] - quad[0][0]) + abs(quad[1][1] - quad[0][1])
    mask = Image.new("L", (w // 4 + 1, h // 4 + 1), 0)
    ang = rng.uniform(0, 6.28)
    pts = [((cx + size * math.cos(ang + k * 1.57) * rng.uniform(0.4, 0.9)) / 4,
            (cy + size * math.sin(ang + k * 1.57) * rng.uniform(0.4, 0.9)) / 4) for k in range(4)]
    ImageDraw.Draw(mask).polygon(pts, fill=int(255 * rng.uniform(0.25, 0.5)))
    mask = mask.filter(ImageFilter.GaussianBlur(size / 40 + 2)).resize((w, h), Image.BILINEAR)
    dark = Image.new("RGB", (w, h), (10, 10, 16))
    return Image.composite(dark, scene, mask)


def sleeve(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """The card in a clear plastic sleeve: a milky haze, softer print, a sheen band."""
    a = np.asarray(card.convert("RGB"), np.float32)
    haze = rng.uniform(0.08, 0.22)
    a = a * (1 - haze) + 240 * haze
    h, w = a.shape[:2]
    xx = np.arange(w, dtype=np.float32)[None, :]
    yy = np.arange(h, dtype=np.float32)[:, None]
    band = np.exp(-((xx * 0.6 + yy - rng.uniform(0.2, 1.2) * w * 0.6) / (w * 0.05)) ** 2)
    a = a + band[..., None] * rng.uniform(40, 90)
    img = Image.fromarray(a.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    return img, "in a sleeve"


def iridescence(card: Image.Image, rng: random.Random) -> Image.Image:
    """The card's optically variable film catching the light: a faint rainbow band."""
    a = np.asarray(card.convert("RGB"), np.float32)
    h, w = a.shape[:2]
    xx = np.arange(w, dtype=np.float32)[None, :] / w
    yy = np.arange(h, dtype=np.float32)[:, None] / h
    t = xx * math.cos(rng.uniform(0, 3)) + yy * rng.uniform(-1, 1)
    strength = np.exp(-((t - rng.uniform(0.1, 0.9)) / 0.18) ** 2) * rng.uniform(12, 30)
    hue = np.stack([np.sin(t * 18 + k * 2.1) for k in range(3)], -1)
    a = a + strength[..., None] * hue
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def encode(img: Image.Image, rng: random.Random, quality: Optional[int] = None,
           exif_turn: int = 0) -> bytes:
    """JPEG as a phone writes it: a quality, a chroma subsampling; with `exif_turn` the pixels
    are stored turned and the EXIF orientation tag says how to show them."""
    out = io.BytesIO()
    kwargs = {"quality": quality or rng.randint(78, 95),
              "subsampling": rng.choice((0, 1, 2, 2, 2))}
    if exif_turn:
        exif = Image.Exif()
        exif[0x0112] = {90: 6, 180: 3, 270: 8}[exif_turn]  # what the viewer turns back
        img = img.rotate(exif_turn, expand=True)
        kwargs["exif"] = exif.tobytes()
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


def messenger(img: Image.Image, rng: random.Random) -> Tuple[bytes, str]:
    """Sent through a chat app: long side 1280 (or 1080), recompressed twice."""
    long_side = rng.choice((1280, 1080))
    scale = long_side / max(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.BILINEAR)
    first = Image.open(io.BytesIO(encode(img, rng, rng.randint(80, 90)))).convert("RGB")
    out = io.BytesIO()
    first.save(out, "JPEG", quality=rng.randint(62, 78), subsampling=2)
    return out.getvalue(), f"sent at {max(img.size)} px"


# The kinds -----------------------------------------------------------------------------------

def card_image(side: str, truth: Dict[str, str], rng: random.Random,
               log: Optional[Drawn] = None) -> Image.Image:
    log = [] if log is None else log
    return (draw_face if side == "face" else draw_back)(truth, rng, log)


def _photo(card: Image.Image, rng: random.Random,
           hard: bool) -> Tuple[Image.Image, List[str], float]:
    frame = rng.choice(FRAMES)
    scene, where = surface(rng, frame)
    notes = [where, f"{frame[0]}x{frame[1]}"]
    width = rng.uniform(448, min(1300, frame[0] * 0.85, frame[1] * 0.85 * 85.6 / 54))
    turn = rng.choice((0, 90, 180, 270)) if hard else 0
    skew = rng.uniform(-20, 20) if hard else rng.uniform(-5, 5)
    keystone = rng.uniform(0.0, 0.35) if hard else rng.uniform(0.0, 0.08)
    if turn in (90, 270):
        width = min(width, frame[1] * 0.85, frame[0] * 0.85 * 85.6 / 54)
    width = max(width, 448)
    notes.append(f"card {int(width)} px")
    notes.append("upright" if turn == 0 else f"turned {turn}")
    notes.append(f"{abs(skew):.0f} degrees off, keystone {keystone:.2f}")
    if rng.random() < 0.35:
        card = iridescence(card, rng)
        notes.append("film sheen")
    bend = rng.uniform(-0.02, 0.02) if rng.random() < 0.3 else 0.0
    if bend:
        notes.append("bent")
    quad = card_quad(rng, frame, width, turn, skew, keystone)
    place(scene, card, quad, shadow=rng.uniform(0.15, 0.45), bend=bend)
    dim = 1.0
    iso = rng.uniform(0.6, 1.4)
    if hard and rng.random() < 0.25:
        dim, iso = rng.uniform(0.3, 0.55), rng.uniform(2.5, 4.5)
        notes.append("low light")
    scene, cast = lighting(scene, rng, dim)
    notes.append(cast)
    if hard and rng.random() < 0.3:
        scene = phone_shadow(scene, rng, quad)
        notes.append("phone shadow")
    if hard and rng.random() < 0.3:
        k = rng.randrange(4)
        t = rng.uniform(0.2, 0.8)
        a, b = quad[k], quad[(k + 2) % 4]
        centre = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        scene = glare(scene, rng, centre, width * rng.uniform(0.05, 0.12))
        notes.append("glare")
    scene = phone(scene, rng, iso)
    if hard and rng.random() < 0.25:
        scene, shake = motion_blur(scene, rng)
        notes.append(shake)
    elif rng.random() < 0.3:
        scene = scene.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.6)))
        notes.append("out of focus")
    return scene, notes, width


def _dress(card: Image.Image, rng: random.Random, notes: List[str]) -> Image.Image:
    """What a hard photo's card may carry: stamps, watermarks, wear, a sleeve."""
    if rng.random() < 0.45:
        card, what = stamp(card, rng)
        notes.append(what)
    if rng.random() < 0.4:
        card, what = watermark(card, rng)
        notes.append(what)
    if rng.random() < 0.2:
        card, what = wear(card, rng)
        notes.append(what)
    if rng.random() < 0.2:
        card, what = sleeve(card, rng)
        notes.append(what)
    return card


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
    rng = random.Random(f"novel/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        img, detail = _sheet(person, rng)
        return Photo(kind, img, dict(person), detail)
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    card = card_image(side, person[side], rng)
    notes = [side]
    if kind == "hard":
        card = _dress(card, rng, notes)
    scene, more, width = _photo(card, rng, kind == "hard")
    notes += more
    # a messenger shrinks the photo: only where the card stays 448 px wide or more
    if kind == "hard" and rng.random() < 0.25 and width * 1080 / max(scene.size) >= 448:
        data, sent = messenger(scene, rng)
        notes.append(sent)
    elif kind == "hard" and rng.random() < 0.15:
        exif_turn = rng.choice((90, 270))
        data = encode(scene, rng, rng.randint(60, 90), exif_turn=exif_turn)
        notes.append(f"stored turned {exif_turn} with an EXIF orientation")
    else:
        data = encode(scene, rng, rng.randint(60, 95) if kind == "hard" else None)
    return Photo(kind, data, {side: person[side]}, ", ".join(notes))


# Sheets --------------------------------------------------------------------------------------

def _sheet(person, rng: random.Random) -> Tuple[bytes, str]:
    """Both sides copied onto an A4 page, each placed, turned and darkened on its own; the page
    scanned (flatbed colour or a copier's greyscale) or photographed on a surface."""
    dpi = rng.choice((150, 200, 300))
    pw, ph = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    page = Image.new("RGB", (pw, ph), tuple(rng.randint(238, 252) for _ in range(3)))
    card_w = 85.6 / 25.4 * dpi
    notes = [f"A4 at {dpi} dpi"]
    colour = rng.random() < 0.4
    notes.append("colour copy" if colour else "black-and-white copy")
    layout = rng.choice(("stacked", "stacked", "side by side"))
    notes.append(layout)
    centres = ([(pw * 0.5, ph * 0.3), (pw * 0.5, ph * 0.62)] if layout == "stacked"
               else [(pw * 0.27, ph * 0.4), (pw * 0.73, ph * 0.4)])
    if layout == "side by side":
        card_w = min(card_w, pw * 0.44)
    order = ["face", "back"] if rng.random() < 0.8 else ["back", "face"]
    for side, centre in zip(order, centres):
        card = card_image(side, person[side], rng)
        density = rng.uniform(0.0, 0.45)  # each side's copy darker or lighter on its own
        a = np.asarray(card.convert("RGB"), np.float32)
        if not colour:
            a = a.mean(-1, keepdims=True).repeat(3, -1)
        a = 255 * (a / 255) ** (1 + density * 1.5)
        # a copier's curve: the pale background washes out, the print thickens
        a = np.where(a > 200, a + (255 - a) * 0.6, a * rng.uniform(0.85, 1.0))
        card = Image.fromarray(a.clip(0, 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
        turn = rng.choice((0, 0, 90, 180, 270)) if layout == "stacked" else rng.choice((0, 180))
        skew = rng.uniform(-6, 6)
        w = card_w if turn in (0, 180) else min(card_w, ph * 0.25 * 85.6 / 54)
        quad = card_quad(rng, (pw, ph), w, turn, skew, 0.0, at=centre)
        place(page, card, quad, shadow=0.0)
        notes.append(f"{side} turned {turn} ({skew:+.0f}), density {density:.2f}")
    if rng.random() < 0.5:
        page, what = watermark(page, rng)
        notes.append(what)
    if rng.random() < 0.4:
        page, what = stamp(page, rng)
        notes.append(what)
    if rng.random() < 0.5:  # what the holder writes under the copy
        d = ImageDraw.Draw(page)
        f = font(rng.choice((WENKAI, BABELSTONE)), int(dpi * 0.2))
        d.text((pw * 0.15, ph * 0.85), overlay_phrase(rng), font=f, fill=(40, 40, 60))
        notes.append("note under the copy")
    a = np.asarray(page, np.float32)
    g = np.random.default_rng(rng.randint(0, 2**31))
    toner = g.random(a.shape[:2]) < rng.uniform(0.0003, 0.002)  # stray toner specks
    a[toner] = rng.uniform(20, 90)
    page = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    if rng.random() < 0.55:
        notes.append("scanned")
        page = page.rotate(rng.uniform(-1.5, 1.5), resample=Image.BILINEAR,
                           fillcolor=(250, 250, 250))
        if not colour:
            page = page.convert("L").convert("RGB")
        return encode(page, rng, rng.randint(75, 92)), ", ".join(notes)
    notes.append("photographed")
    frame = rng.choice(((4000, 3000), (3000, 4000), (3024, 4032), (2448, 3264)))
    if frame[0] > frame[1]:
        page = page.rotate(90, expand=True)
    scene, where = surface(rng, frame)
    notes.append(where)
    fit = min(frame[0] * 0.9 / page.width, frame[1] * 0.9 / page.height)
    width = page.width * fit * rng.uniform(0.85, 1.0)
    corners = [(0, 0), (0, page.height), (page.width, page.height), (page.width, 0)]
    s = width / page.width
    ox = rng.uniform(0.02, 0.98) * (frame[0] - page.width * s)
    oy = rng.uniform(0.02, 0.98) * (frame[1] - page.height * s)
    jitter = page.width * s * 0.03
    quad = [(ox + x * s + rng.uniform(-jitter, jitter), oy + y * s + rng.uniform(-jitter, jitter))
            for x, y in corners]
    quad = [(min(max(x, 0), frame[0] - 1), min(max(y, 0), frame[1] - 1)) for x, y in quad]
    place(scene, page.convert("RGBA"), quad, shadow=0.3)
    scene, cast = lighting(scene, rng)
    notes.append(cast)
    scene = phone(scene, rng)
    return encode(scene, rng, rng.randint(72, 92)), ", ".join(notes)
