"""The eleventh hold-out rendering, "drifter": the resident ID card drawn from public descriptions
of it (GB 19584's 85.6 x 54 mm card; on the face 姓名, 性别 and 民族, 出生, 住址 in up to three
lines and 公民身份号码 on its own row under a portrait on the right; on the back the national
emblem, 中华人民共和国 / 居民身份证, 签发机关 and 有效期限), by an engineer who read none of the
engine, the KYC rules, the cascade or the other generators' drawing code.

Its own fonts (Noto CJK's TC faces drawing the simplified characters, the number in Courier
Prime Sans, Anonymous Pro or DejaVu Sans Mono), its own holders (real districts, their
authorities, names from common and rare surnames, dotted, Tibetan, Mongolian and Yi names) and
its own photographs of phenomena real phones meet: a photo album's plastic pocket, a phone torch
at night, a card backlit by a window, a card on black cloth blown out by the exposure, a card on
a printed form or a keyboard, a crumpled plastic bag over it, thumbs holding its corners, a
cheap sensor's demosaicing zipper, a cracked camera cover's streaks, a printed ID-card holder and
a document-scanner app's "enhance". Sheets: A4 copies whose two sides are turned, darkened or
placed apart separately (one upside down, crooked on the glass, signed and dated, stamped
与原件一致, two copies of each side, coloured paper, toner saving, photographed on a desk).

`shoot(kind, seed)` gives a tests/fakes/realistic.py Photo; everything follows from the seed.
"""

import functools
import io
import math
import random
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

from tests.fakes.realistic import Photo
from tests.fakes.typefaces import covers, installed
from tests.fakes.typefaces import face as _font

KINDS = ("plain_face", "plain_back", "hard", "sheet")
TODAY = date(2026, 12, 7)
PX_MM = 12  # the card drawn at 12 px a millimetre: 1027 x 648
CHARS_PER_LINE = 11  # an address line on the face
AUTHORITY_CHARS = 14  # an authority line on the back

NOTO = "/usr/share/fonts/opentype/noto/"
# Noto CJK's traditional-Chinese (index 3) faces: they hold every simplified character too, in
# shapes a little unlike the SC faces the other sets print with.
LABEL_FONTS = ((NOTO + "NotoSansCJK-DemiLight.ttc", 3), (NOTO + "NotoSansCJK-Regular.ttc", 3))
VALUE_FONTS = ((NOTO + "NotoSerifCJK-Regular.ttc", 3), (NOTO + "NotoSerifCJK-SemiBold.ttc", 3),
               (NOTO + "NotoSerifCJK-Light.ttc", 3))
TITLE_FONTS = ((NOTO + "NotoSerifCJK-Black.ttc", 3), (NOTO + "NotoSansCJK-Black.ttc", 3))
NUMBER_FONTS = (("/usr/share/fonts/opentype/courier-prime/Courier Prime Sans Bold.otf", 0),
                ("/usr/share/fonts/truetype/anonymous-pro/Anonymous Pro B.ttf", 0),
                ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0))
ALL_FONTS = LABEL_FONTS + VALUE_FONTS + TITLE_FONTS + NUMBER_FONTS
PACKAGES = "fonts-noto-cjk fonts-noto-cjk-extra fonts-courier-prime fonts-anonymous-pro " \
           "fonts-dejavu-core"

LABEL_BLUE = (30, 96, 160)
INK = (28, 26, 30)
STAMP_RED = (200, 30, 38)


def available() -> bool:
    return installed(ALL_FONTS)


def mm(v: float) -> int:
    return round(v * PX_MM)


CARD_SIZE = (mm(85.6), mm(54))


# Who is on the card -----------------------------------------------------------------------------

# The 56 nationalities as the card's 民族 field prints them (without 族).
NATIONALITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
            "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# Surnames a dictionary holds that few people carry.
RARE_SURNAMES = "仉亓訾郗逄禚笪昝厍蒯逯隗酆佘芮麴琚邴郜"
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "慕容", "尉迟", "公孙", "令狐", "端木",
                     "夏侯", "宇文", "呼延", "澹台", "独孤", "司徒")
GIVEN_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文辉鹏飞云峰海燕宁博宇浩"
               "然晨阳欣怡佳琪子涵梓轩思雨梦婷嘉俊凯志远晓东雪梅春生立新振兴永福德")
# Given-name characters in every common dictionary, rare in print.
RARE_GIVEN_CHARS = "堃淼喆玥昶翀珺彧祎煜蓁芃旻晗琤昀珩琬瑭垚赟璟骐犇鑫"
# Names written whole, by the people who carry them (no surname of the Han kind).
GIVEN_WHOLE = {
    "藏": ("扎西顿珠", "次仁卓玛", "格桑梅朵", "央金拉姆", "洛桑丹增", "达瓦次仁", "尼玛扎西",
          "旦增曲珍", "索朗旺姆"),
    "门巴": ("次仁旺堆", "白玛央宗"),
    "蒙古": ("乌云其其格", "孟和巴雅尔", "额尔敦巴特尔", "其木格", "巴特尔", "苏日娜", "阿拉坦仓",
            "图门吉日嘎拉"),
    "达斡尔": ("敖登格日勒", "苏都日古"),
    "鄂温克": ("杜拉尔·娜仁", "涂吉雅"),
    "彝": ("吉克阿依", "阿果伍呷", "沙马拉毅", "吉木布初"),
}
# Dotted names: the holder's own name, then the father's (维吾尔, 哈萨克 and their neighbours).
DOTTED_PARTS = {
    "own": ("买买提", "艾力", "阿卜杜拉", "吐尔逊", "艾山", "依明", "古丽娜尔", "热依拉", "阿依古丽",
            "迪丽努尔", "帕提古丽", "米热古丽", "叶尔兰", "努尔兰", "阿依达娜", "祖丽菲娅"),
    "father": ("艾买提", "吐尔洪", "阿不都热合曼", "买合木提", "赛买提", "阿布都拉", "哈力木拉提",
               "肉孜", "卡德尔", "司马义"),
}
DOTTED_NATIONS = ("维吾尔", "哈萨克", "柯尔克孜", "塔吉克", "乌孜别克", "塔塔尔")

# Real districts: (GB/T 2260 code, the address as it begins, the authority that issues there).
PLACES = (
    ("150602", "内蒙古自治区鄂尔多斯市东胜区", "鄂尔多斯市公安局东胜分局"),
    ("150627", "内蒙古自治区鄂尔多斯市伊金霍洛旗", "伊金霍洛旗公安局"),
    ("152921", "内蒙古自治区阿拉善盟阿拉善左旗", "阿拉善左旗公安局"),
    ("152502", "内蒙古自治区锡林郭勒盟锡林浩特市", "锡林浩特市公安局"),
    ("150782", "内蒙古自治区呼伦贝尔市牙克石市", "牙克石市公安局"),
    ("150121", "内蒙古自治区呼和浩特市土默特左旗", "土默特左旗公安局"),
    ("152221", "内蒙古自治区兴安盟科尔沁右翼前旗", "科尔沁右翼前旗公安局"),
    ("150430", "内蒙古自治区赤峰市敖汉旗", "敖汉旗公安局"),
    ("433101", "湖南省湘西土家族苗族自治州吉首市", "吉首市公安局"),
    ("433130", "湖南省湘西土家族苗族自治州龙山县", "龙山县公安局"),
    ("422801", "湖北省恩施土家族苗族自治州恩施市", "恩施市公安局"),
    ("522601", "贵州省黔东南苗族侗族自治州凯里市", "凯里市公安局"),
    ("522631", "贵州省黔东南苗族侗族自治州黎平县", "黎平县公安局"),
    ("532801", "云南省西双版纳傣族自治州景洪市", "景洪市公安局"),
    ("533102", "云南省德宏傣族景颇族自治州瑞丽市", "瑞丽市公安局"),
    ("532923", "云南省大理白族自治州祥云县", "祥云县公安局"),
    ("530724", "云南省丽江市宁蒗彝族自治县", "宁蒗彝族自治县公安局"),
    ("513401", "四川省凉山彝族自治州西昌市", "西昌市公安局"),
    ("513233", "四川省阿坝藏族羌族自治州红原县", "红原县公安局"),
    ("623001", "甘肃省甘南藏族自治州合作市", "合作市公安局"),
    ("622921", "甘肃省临夏回族自治州临夏县", "临夏县公安局"),
    ("632801", "青海省海西蒙古族藏族自治州格尔木市", "格尔木市公安局"),
    ("652801", "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市", "库尔勒市公安局"),
    ("652901", "新疆维吾尔自治区阿克苏地区阿克苏市", "阿克苏市公安局"),
    ("653101", "新疆维吾尔自治区喀什地区喀什市", "喀什市公安局"),
    ("654002", "新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "伊宁市公安局"),
    ("650104", "新疆维吾尔自治区乌鲁木齐市新市区", "乌鲁木齐市公安局新市区分局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关分局"),
    ("222401", "吉林省延边朝鲜族自治州延吉市", "延吉市公安局"),
    ("450103", "广西壮族自治区南宁市青秀区", "南宁市公安局青秀分局"),
    ("451202", "广西壮族自治区河池市金城江区", "河池市公安局金城江分局"),
    ("450329", "广西壮族自治区桂林市资源县", "资源县公安局"),
    ("450332", "广西壮族自治区桂林市恭城瑶族自治县", "恭城瑶族自治县公安局"),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局"),
    ("460105", "海南省海口市秀英区", "海口市公安局秀英分局"),
    ("469027", "海南省乐东黎族自治县", "乐东黎族自治县公安局"),
    ("110108", "北京市海淀区", "北京市公安局海淀分局"),
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("310104", "上海市徐汇区", "上海市公安局徐汇分局"),
    ("120101", "天津市和平区", "天津市公安局和平分局"),
    ("500112", "重庆市渝北区", "重庆市公安局渝北区分局"),
    ("500241", "重庆市秀山土家族苗族自治县", "秀山土家族苗族自治县公安局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("440106", "广东省广州市天河区", "广州市公安局天河区分局"),
    ("441881", "广东省清远市英德市", "英德市公安局"),
    ("441826", "广东省清远市连南瑶族自治县", "连南瑶族自治县公安局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("330382", "浙江省温州市乐清市", "乐清市公安局"),
    ("320583", "江苏省苏州市昆山市", "昆山市公安局"),
    ("320106", "江苏省南京市鼓楼区", "南京市公安局鼓楼分局"),
    ("370212", "山东省青岛市崂山区", "青岛市公安局崂山分局"),
    ("371702", "山东省菏泽市牡丹区", "菏泽市公安局牡丹分局"),
    ("410185", "河南省郑州市登封市", "登封市公安局"),
    ("411326", "河南省南阳市淅川县", "淅川县公安局"),
    ("130636", "河北省保定市顺平县", "顺平县公安局"),
    ("131127", "河北省衡水市景县", "景县公安局"),
    ("130826", "河北省承德市丰宁满族自治县", "丰宁满族自治县公安局"),
    ("140581", "山西省晋城市高平市", "高平市公安局"),
    ("210411", "辽宁省抚顺市顺城区", "抚顺市公安局顺城分局"),
    ("210522", "辽宁省本溪市桓仁满族自治县", "桓仁满族自治县公安局"),
    ("230104", "黑龙江省哈尔滨市道外区", "哈尔滨市公安局道外分局"),
    ("232721", "黑龙江省大兴安岭地区呼玛县", "呼玛县公安局"),
    ("340104", "安徽省合肥市蜀山区", "合肥市公安局蜀山分局"),
    ("350583", "福建省泉州市南安市", "南安市公安局"),
    ("360781", "江西省赣州市瑞金市", "瑞金市公安局"),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌区分局"),
    ("430602", "湖南省岳阳市岳阳楼区", "岳阳市公安局岳阳楼分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("520102", "贵州省贵阳市南明区", "贵阳市公安局南明分局"),
    ("530102", "云南省昆明市五华区", "昆明市公安局五华分局"),
    ("610113", "陕西省西安市雁塔区", "西安市公安局雁塔分局"),
    ("620102", "甘肃省兰州市城关区", "兰州市公安局城关分局"),
    ("630102", "青海省西宁市城东区", "西宁市公安局城东分局"),
)
STREETS = ("建设", "人民", "解放", "团结", "迎宾", "新华", "文化", "幸福", "光明", "胜利", "友谊", "和平",
           "振兴", "民族", "青年", "环城", "滨河", "工农", "红旗", "朝阳")
STREET_KINDS = ("路", "街", "大道", "巷", "南路", "北街", "东路")
TOWNS = ("城关镇", "新华镇", "红星乡", "白塔镇", "三道河乡", "太平镇", "柳树镇", "东风乡", "团结乡")
VILLAGES = ("王家庄村", "石门村", "新民村", "河湾村", "前进村", "红光村", "柳沟村", "高家坪村")
ESTATES = ("阳光花园", "锦绣家园", "金色华庭", "滨江小区", "和谐家园", "翠苑", "御景湾", "枫林苑")
# Inner Mongolia's villages and townships are 嘎查 and 苏木.
GACHA = ("巴彦嘎查", "乌兰嘎查", "宝力根嘎查", "阿日善嘎查")
SUMU = ("巴音苏木", "宝日勒岱苏木", "乌兰敖都苏木")
XINJIANG_AND_TIBET = ("65", "54", "63")


def check_character(first17: str) -> str:
    """GB 11643-1999's check character: the digits weighted by 2^(17-i) mod 11."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return "10X98765432"[total % 11]


def _name_and_nation(rng: random.Random) -> Tuple[str, str]:
    roll = rng.random()
    if roll < 0.06:
        nation = rng.choice(DOTTED_NATIONS)
        while True:
            name = rng.choice(DOTTED_PARTS["own"]) + "·" + rng.choice(DOTTED_PARTS["father"])
            if len(name) <= 11:
                return name, nation
    if roll < 0.12:
        nation = rng.choice(sorted(GIVEN_WHOLE))
        return rng.choice(GIVEN_WHOLE[nation]), nation
    if roll < 0.15:
        surname = rng.choice(COMPOUND_SURNAMES)
    elif roll < 0.25:
        surname = rng.choice(RARE_SURNAMES)
    else:
        surname = rng.choice(SURNAMES)
    pool = GIVEN_CHARS * 3 + RARE_GIVEN_CHARS
    given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2))))
    if rng.random() < 0.06:
        given = rng.choice(RARE_GIVEN_CHARS) + rng.choice(GIVEN_CHARS)
    # half the holders are not 汉, so every nationality turns up in a few hundred cards
    nation = "汉" if rng.random() < 0.45 else rng.choice(NATIONALITIES[1:])
    return surname + given, nation


def _address(rng: random.Random, place: Tuple[str, str, str]) -> str:
    """The place, then a street, a township's village or a flat, at most three lines."""
    code, prefix, _ = place
    while True:
        number = rng.randint(1, 399)
        style = rng.random()
        if code.startswith("15") and style < 0.35:
            tail = f"{rng.choice(SUMU)}{rng.choice(GACHA)}{rng.randint(1, 9)}组"
        elif style < 0.3:
            tail = f"{rng.choice(TOWNS)}{rng.choice(VILLAGES)}{rng.randint(1, 12)}组{number}号"
        elif style < 0.6:
            tail = f"{rng.choice(STREETS)}{rng.choice(STREET_KINDS)}{number}号"
        elif style < 0.75:
            tail = f"{rng.choice(ESTATES)}{rng.randint(1, 30)}号楼{rng.randint(101, 2604)}室"
        else:
            tail = (f"{rng.choice(STREETS)}{rng.choice(STREET_KINDS)}{number}号"
                    f"{rng.choice(ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                    f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室")
        if len(prefix + tail) <= 3 * CHARS_PER_LINE:
            return prefix + tail


def _validity_years(birth: date, start: date) -> int:
    """5, 10 or 20 years by the age at issue (0: 长期 from 46), as the card law sets it."""
    age = (start - birth).days // 365
    return 5 if age < 16 else 10 if age < 26 else 20 if age < 46 else 0


def _whole_years_on(start: date, birth: date) -> int:
    return start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))


def random_person(rng: random.Random) -> Dict[str, Dict[str, str]]:
    """A holder: face fields (name, sex, nationality, birth, address, num) and back fields
    (issue, start_date, end_date), as a real card prints them."""
    name, nation = _name_and_nation(rng)
    if "·" in name and rng.random() < 0.7:
        place = rng.choice([p for p in PLACES if p[0][:2] == "65"])
    elif nation in ("藏", "门巴") and rng.random() < 0.7:
        place = rng.choice([p for p in PLACES if p[0][:2] in XINJIANG_AND_TIBET[1:]])
    else:
        place = rng.choice(PLACES)
    while True:
        # holders' ages as a population's: more young than old
        birth = date(2016, 6, 30) - timedelta(days=int(abs(rng.gauss(0, 365 * 30))))
        if birth.year < 1936:
            continue
        # the newest card: issued within the last 20 years, still valid today
        start = TODAY - timedelta(days=rng.randint(30, 365 * 20))
        if start <= birth + timedelta(days=365 * 2) or (start.month, start.day) == (2, 29):
            continue
        years = _validity_years(birth, start)
        # an issue in the year round a 16th, 26th or 46th birthday could be counted either way
        # (leap days): not drawn
        if _whole_years_on(start, birth) in (15, 16, 25, 26, 45, 46):
            continue
        end = "长期" if years == 0 else f"{start.year + years}{start:%m%d}"
        if end != "长期" and date(int(end[:4]), start.month, start.day) <= TODAY:
            continue
        break
    sex = rng.choice("男女")
    sequence = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "男" else
                                                    (0, 2, 4, 6, 8))
    first17 = f"{place[0]}{birth:%Y%m%d}{sequence:03d}"
    face = {"name": name, "sex": sex, "nationality": nation, "birth": f"{birth:%Y%m%d}",
            "address": _address(rng, place), "num": first17 + check_character(first17)}
    back = {"issue": place[2], "start_date": f"{start:%Y%m%d}", "end_date": end}
    return {"face": face, "back": back}


# Drawing the card -------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _guilloche(side: str) -> np.ndarray:
    """The card's fine security ground: interleaved sine lines, a rosette, and (on the back)
    the Great Wall's ridge; 0..1 ink weight, drawn once."""
    w, h = CARD_SIZE
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    ink = np.zeros((h, w), np.float32)
    for k in range(3):
        phase = np.sin(x / (31 + 9 * k) + k) * (9 + 4 * k) + np.cos(x / 97 + k * 2) * 14
        ink += np.clip(1.2 - np.abs(((y + phase) % (18 + 5 * k)) - 2.5), 0, 1) * 0.35
    cx, cy = (w * 0.72, h * 0.55) if side == "face" else (w * 0.5, h * 0.62)
    r = np.hypot(x - cx, y - cy)
    theta = np.arctan2(y - cy, x - cx)
    ink += np.clip(1.1 - np.abs((r + 12 * np.sin(theta * 14)) % 22 - 3), 0, 1) * 0.3 * \
        (r < h * 0.45)
    if side == "back":  # the wall's ridge and battlements along the lower half
        ridge = h * 0.66 + np.sin(x / 70) * h * 0.08 + np.sin(x / 23) * h * 0.02
        ink += np.clip(1.5 - np.abs(y - ridge), 0, 1) * 0.8
        ink += ((y < ridge) & (y > ridge - 7) & ((x // 9) % 2 == 0)) * 0.5
    return np.clip(ink, 0, 1)


def _ground(side: str, rng: random.Random) -> Image.Image:
    w, h = CARD_SIZE
    base = np.array((rng.randint(228, 242), rng.randint(232, 244), rng.randint(234, 248)),
                    np.float32)
    tint = np.array((rng.randint(150, 200), rng.randint(175, 210), rng.randint(205, 235)),
                    np.float32)
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    # the card's ground shades from pale blue-grey at the top to a warmer cream below
    gradient = base + (y - 0.5) * np.array((10, 4, -14), np.float32)
    ink = _guilloche(side)[..., None] * rng.uniform(0.25, 0.5)
    rgb = gradient * (1 - ink) + tint * ink
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def _rounded(img: Image.Image) -> Image.Image:
    """The card cut with its rounded corners (an alpha channel)."""
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, img.width - 1, img.height - 1), mm(3.2),
                                           fill=255)
    out = img.convert("RGBA")
    out.putalpha(mask)
    return out


def _text(d: ImageDraw.ImageDraw, xy, text: str, font, fill, log, gap: float = 0.0,
          logged: bool = True):
    """Draws `text` at its top-left (x, y), character by character when `gap` spaces them;
    logs (text, its inked box)."""
    x, y = xy
    if gap:
        x0 = x
        for c in text:
            d.text((x, y), c, font=font, fill=fill)
            x += font.getlength(c) + gap
        box = d.textbbox((x0, y), text[0], font=font)
        right = x - gap
        last = d.textbbox((right - font.getlength(text[-1]), y), text[-1], font=font)
        box = (box[0], min(box[1], last[1]), last[2], max(box[3], last[3]))
    else:
        d.text((x, y), text, font=font, fill=fill)
        box = d.textbbox((x, y), text, font=font)
    if logged:
        log.append((text, tuple(int(v) for v in box)))
    return box


def _portrait(card: Image.Image, rng: random.Random, box) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    pic = Image.new("RGB", (w, h), (rng.randint(236, 250),) * 3)
    d = ImageDraw.Draw(pic)
    skin = rng.choice(((234, 200, 170), (214, 172, 138), (190, 146, 110), (160, 118, 90)))
    hair = rng.choice(((20, 18, 18), (40, 32, 28), (70, 60, 55), (150, 150, 150)))
    cloth = rng.choice(((30, 40, 70), (240, 240, 240), (60, 60, 62), (120, 30, 40)))
    d.ellipse((w * 0.05, h * 0.72, w * 0.95, h * 1.4), fill=cloth)
    d.rectangle((w * 0.40, h * 0.55, w * 0.60, h * 0.78), fill=skin)
    d.ellipse((w * 0.22, h * 0.10, w * 0.78, h * 0.68), fill=hair)
    d.ellipse((w * 0.27, h * 0.20, w * 0.73, h * 0.70), fill=skin)
    d.rectangle((w * 0.25, h * 0.12, w * 0.75, h * 0.26), fill=hair)
    for ex in (0.40, 0.60):
        d.ellipse((w * (ex - 0.04), h * 0.40, w * (ex + 0.04), h * 0.44), fill=(40, 30, 30))
    d.line((w * 0.43, h * 0.58, w * 0.57, h * 0.58), fill=(150, 80, 80), width=max(2, w // 60))
    pic = pic.filter(ImageFilter.GaussianBlur(1.2))
    # the printed portrait sits in the ground, lighter at its edges
    fade = Image.new("L", (w, h), 0)
    ImageDraw.Draw(fade).rounded_rectangle((4, 4, w - 5, h - 5), 10, fill=235)
    card.paste(pic, (x0, y0), fade.filter(ImageFilter.GaussianBlur(5)))


def draw_face(face: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    """The face, logging each value drawn: name, sex, nationality, birth year, month, day,
    the address's lines, the number."""
    log = [] if log is None else log
    card = _ground("face", rng)
    d = ImageDraw.Draw(card)
    label = rng.choice(LABEL_FONTS)
    value = rng.choice(VALUE_FONTS)
    ink = tuple(c + rng.randint(-8, 12) for c in INK)
    blue = tuple(c + rng.randint(-12, 12) for c in LABEL_BLUE)
    lsize, vsize = mm(rng.uniform(2.5, 2.8)), mm(rng.uniform(3.2, 3.5))
    lf, vf = _font(label, lsize), _font(value, vsize)
    left, vx = mm(rng.uniform(4.8, 6.0)), mm(rng.uniform(14.5, 15.5))
    row = [mm(5.2), mm(11.2), mm(17.0), mm(23.0)]
    nothing = []
    _text(d, (left, row[0] + mm(0.6)), "姓 名", lf, blue, nothing)
    name_size = mm(3.9) if len(face["name"]) <= 6 else int(mm(3.9) * 6 / len(face["name"]) + 8)
    name_font = _font(value, max(name_size, mm(2.6)))
    _text(d, (vx, row[0]), face["name"], name_font, ink, log)
    _text(d, (left, row[1] + mm(0.5)), "性 别", lf, blue, nothing)
    _text(d, (vx, row[1]), face["sex"], vf, ink, log)
    nx = mm(rng.uniform(25.0, 27.0))
    _text(d, (nx, row[1] + mm(0.5)), "民 族", lf, blue, nothing)
    _text(d, (nx + mm(10), row[1]), face["nationality"], vf, ink, log)
    _text(d, (left, row[2] + mm(0.5)), "出 生", lf, blue, nothing)
    birth = face["birth"]
    x = vx
    for part, unit in ((birth[:4], "年"), (str(int(birth[4:6])), "月"),
                       (str(int(birth[6:])), "日")):
        box = _text(d, (x, row[2]), part, vf, ink, log)
        x = box[2] + mm(1.0)
        ubox = _text(d, (x, row[2] + mm(0.5)), unit, lf, blue, nothing)
        x = ubox[2] + mm(1.6)
    _text(d, (left, row[3] + mm(0.5)), "住 址", lf, blue, nothing)
    address = face["address"]
    lines = [address[i:i + CHARS_PER_LINE] for i in range(0, len(address), CHARS_PER_LINE)]
    pitch = mm(rng.uniform(4.3, 4.8))
    for i, line in enumerate(lines):
        _text(d, (vx, row[3] + i * pitch), line, vf, ink, log)
    _text(d, (left, mm(44.5)), "公民身份号码", lf, blue, nothing)
    number_spec = rng.choice(NUMBER_FONTS)
    nsize = mm(rng.uniform(3.9, 4.4))
    nf = _font(number_spec, nsize)
    nx0 = mm(rng.uniform(27.5, 30.0))
    gap = mm(rng.uniform(0.0, 0.35))
    while nx0 + sum(nf.getlength(c) for c in face["num"]) + 17 * gap > mm(82.5):
        nsize -= 2
        nf = _font(number_spec, nsize)
    _text(d, (nx0, mm(43.2)), face["num"], nf, ink, log, gap=gap)
    _portrait(card, rng, (mm(56.5), mm(5.5), mm(81.5), mm(39.5)))
    return card


def _emblem(card: Image.Image, rng: random.Random, centre, radius: int) -> None:
    """The national emblem as the back prints it in red: a ring of wheat, the gate, five stars."""
    d = ImageDraw.Draw(card)
    cx, cy = centre
    red = tuple(c + rng.randint(-15, 10) for c in (210, 40, 40))
    gold = (224, 178, 60)
    d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=red,
              width=max(3, radius // 7))
    for a in range(0, 360, 15):  # the wheat ears round the ring
        t = math.radians(a)
        px, py = cx + math.cos(t) * radius * 0.86, cy + math.sin(t) * radius * 0.86
        d.ellipse((px - radius * 0.08, py - radius * 0.12, px + radius * 0.08,
                   py + radius * 0.12), fill=red)
    d.rectangle((cx - radius * 0.45, cy + radius * 0.05, cx + radius * 0.45,
                 cy + radius * 0.42), fill=red)
    d.polygon([(cx - radius * 0.55, cy + radius * 0.05), (cx + radius * 0.55, cy + radius * 0.05),
               (cx + radius * 0.35, cy - radius * 0.12), (cx - radius * 0.35, cy - radius * 0.12)],
              fill=red)
    d.rectangle((cx - radius * 0.1, cy + radius * 0.2, cx + radius * 0.1, cy + radius * 0.42),
                fill=gold)

    def star(sx, sy, r):
        pts = []
        for i in range(10):
            t = math.radians(-90 + i * 36)
            rr = r if i % 2 == 0 else r * 0.4
            pts.append((sx + math.cos(t) * rr, sy + math.sin(t) * rr))
        d.polygon(pts, fill=gold)
    star(cx, cy - radius * 0.42, radius * 0.17)
    for i, a in enumerate((-60, -30, 30, 60)):
        t = math.radians(a - 90)
        star(cx + math.cos(t) * radius * 0.45, cy - radius * 0.3 + math.sin(t) * radius * 0.12
             + abs(i - 1.5) * radius * 0.04, radius * 0.07)


def draw_back(back: Dict[str, str], rng: random.Random, log: Optional[list] = None
              ) -> Image.Image:
    """The back, logging the authority's lines and then the validity as printed."""
    log = [] if log is None else log
    card = _ground("back", rng)
    d = ImageDraw.Draw(card)
    _emblem(card, rng, (mm(rng.uniform(13.5, 15.0)), mm(rng.uniform(13.5, 15.0))),
            mm(rng.uniform(8.5, 9.5)))
    title = rng.choice(TITLE_FONTS)
    nothing = []
    _text(d, (mm(29), mm(7.5)), "中华人民共和国", _font(title, mm(4.4)), (20, 20, 24), nothing,
          gap=mm(2.4))
    _text(d, (mm(29), mm(16.5)), "居民身份证", _font(title, mm(7.2)), (20, 20, 24), nothing,
          gap=mm(2.8))
    lf = _font(rng.choice(LABEL_FONTS), mm(rng.uniform(2.5, 2.8)))
    vf = _font(rng.choice(VALUE_FONTS), mm(rng.uniform(3.1, 3.4)))
    blue = tuple(c + rng.randint(-12, 12) for c in LABEL_BLUE)
    ink = tuple(c + rng.randint(-8, 12) for c in INK)
    issue = back["issue"]
    lines = [issue[i:i + AUTHORITY_CHARS] for i in range(0, len(issue), AUTHORITY_CHARS)]
    lx, vx = mm(rng.uniform(15.5, 17.0)), mm(rng.uniform(29.5, 31.0))
    valid_y = mm(46.2)
    first = valid_y - mm(6.8) - (len(lines) - 1) * mm(4.2)
    _text(d, (lx, first + mm(0.5)), "签发机关", lf, blue, nothing)
    for i, line in enumerate(lines):
        _text(d, (vx, first + i * mm(4.2)), line, vf, ink, log)
    _text(d, (lx, valid_y + mm(0.5)), "有效期限", lf, blue, nothing)

    def dotted(day: str) -> str:
        return f"{day[:4]}.{day[4:6]}.{day[6:]}"

    end = back["end_date"] if back["end_date"] == "长期" else dotted(back["end_date"])
    _text(d, (vx, valid_y), f"{dotted(back['start_date'])}-{end}", vf, ink, log)
    return card


def card_image(side: str, truth: Dict[str, str], rng: random.Random) -> Image.Image:
    """One side of the card, RGB, CARD_SIZE, square corners (callers round them)."""
    return draw_face(truth, rng) if side == "face" else draw_back(truth, rng)


# Overlays a holder or a clerk adds ---------------------------------------------------------------

OVERLAY_PHRASES = ("复印无效", "仅限{}使用", "此复印件仅供{}", "他用无效", "与原件一致",
                   "再复印无效", "仅作{}用途")
PURPOSES = ("办理宽带", "手机卡实名", "公积金提取", "酒店入住", "快递实名", "考试报名", "房屋租赁")


def _phrase(rng: random.Random) -> str:
    return rng.choice(OVERLAY_PHRASES).replace("{}", rng.choice(PURPOSES))


def _blotches(size, cells, rng: random.Random) -> np.ndarray:
    """Smooth random blotches 0..1 of `size`, `cells` of them across (from the seed)."""
    state = np.random.RandomState(rng.randint(0, 2 ** 31))
    small = (state.rand(cells[1], cells[0]) * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(small).resize(size, Image.BILINEAR), np.float32) / 255


def stamp(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A red seal pressed on the card: a round company seal with a star, or a box stamp with a
    phrase, unevenly inked."""
    img = card.convert("RGB")
    w, h = img.size
    layer = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(layer)
    cx, cy = rng.uniform(0.3, 0.75) * w, rng.uniform(0.3, 0.7) * h
    font_spec = rng.choice(TITLE_FONTS)
    if rng.random() < 0.5:
        r = rng.uniform(0.16, 0.24) * h
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=max(3, int(r / 14)))
        text = rng.choice(("专用章", "业务专用章", "复印无效"))
        f = _font(font_spec, max(10, int(r * 0.32)))
        tw = f.getlength(text)
        d.text((cx - tw / 2, cy + r * 0.25), text, font=f, fill=255)
        pts = [(cx + math.cos(math.radians(-90 + i * 36)) * r * (0.3 if i % 2 == 0 else 0.12),
                cy - r * 0.1 + math.sin(math.radians(-90 + i * 36)) * r *
                (0.3 if i % 2 == 0 else 0.12)) for i in range(10)]
        d.polygon(pts, fill=255)
        what = "round red stamp"
    else:
        text = _phrase(rng)
        f = _font(font_spec, int(h * rng.uniform(0.07, 0.1)))
        tw = f.getlength(text)
        pad = h * 0.03
        d.rectangle((cx - tw / 2 - pad, cy - pad, cx + tw / 2 + pad, cy + f.size + pad),
                    outline=255, width=max(3, int(h / 120)))
        d.text((cx - tw / 2, cy), text, font=f, fill=255)
        what = "box red stamp"
    layer = layer.rotate(rng.uniform(-25, 25), center=(cx, cy))
    # uneven ink: the pad was dry in places
    patch = _blotches(img.size, (max(4, w // 24), max(4, h // 24)), rng)
    alpha = np.asarray(layer, np.float32) / 255 * np.clip(0.55 + patch * 0.6, 0, 1) * \
        rng.uniform(0.75, 0.95)
    rgb = np.asarray(img, np.float32)
    red = np.array(STAMP_RED, np.float32) + rng.randint(-10, 10)
    # ink multiplies with what is under it, so the print stays readable through the seal
    out = rgb * (1 - alpha[..., None]) + (rgb * red / 255) * alpha[..., None]
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), what


def watermark(card: Image.Image, rng: random.Random) -> Tuple[Image.Image, str]:
    """A phrase laid over the card by an app or a clerk's pen: tiled grey, one diagonal red line,
    or handwritten-looking blue ballpoint."""
    img = card.convert("RGB")
    w, h = img.size
    text = _phrase(rng)
    how = rng.choice(("tiled grey", "diagonal red", "ballpoint blue"))
    layer = Image.new("L", (w * 2, h * 2), 0)
    d = ImageDraw.Draw(layer)
    spec = rng.choice(VALUE_FONTS + LABEL_FONTS)
    if how == "tiled grey":
        f = _font(spec, int(h * 0.08))
        step_x, step_y = int(f.getlength(text) + h * 0.12), int(h * 0.2)
        for row, y in enumerate(range(0, h * 2, step_y)):
            for x in range(-(row % 2) * step_x // 2, w * 2, step_x):
                d.text((x, y), text, font=f, fill=255)
        colour, strength = (120, 120, 125), 0.35
    else:
        f = _font(spec, int(h * rng.uniform(0.11, 0.15)))
        tw = f.getlength(text)
        d.text((w - tw / 2, h - f.size / 2), text, font=f, fill=255)
        if how == "ballpoint blue":
            layer = layer.filter(ImageFilter.MaxFilter(3))
        colour = (200, 40, 40) if how == "diagonal red" else (30, 50, 150)
        strength = 0.75
    layer = layer.rotate(rng.uniform(20, 35), center=(w, h)).crop((w // 2, h // 2,
                                                                    w // 2 + w, h // 2 + h))
    alpha = np.asarray(layer, np.float32)[..., None] / 255 * strength
    rgb = np.asarray(img, np.float32)
    out = rgb * (1 - alpha) + np.array(colour, np.float32) * alpha
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), f"watermark {how} {text}"


# Photographs -------------------------------------------------------------------------------------

HARD_EFFECTS = ("album pocket", "torch", "backlit", "black cloth", "printed form", "keyboard",
                "plastic bag", "thumbs", "bayer", "cracked cover", "holder", "scanner app",
                "case lip")
TURNS = {0: "upright", 90: "turned 90", 180: "turned 180", 270: "turned 270"}
SURFACES = ("oak desk", "ruled notebook", "bed sheet", "car floor mat", "grey laminate")


def _perspective(card: Image.Image, quad) -> Tuple[Image.Image, Tuple[int, int]]:
    """The card (RGBA) warped onto `quad` (TL, TR, BR, BL in scene pixels): the warped patch
    and where its top-left goes."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    ox, oy = int(math.floor(min(xs))), int(math.floor(min(ys)))
    size = (int(math.ceil(max(xs))) - ox + 1, int(math.ceil(max(ys))) - oy + 1)
    w, h = card.size
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    rows, rhs = [], []
    for (x, y), (u, v) in zip([(px - ox, py - oy) for px, py in quad], src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return card.transform(size, Image.PERSPECTIVE, tuple(coeffs), Image.BICUBIC), (ox, oy)


def _quad(rng: random.Random, width: int, centre, angle: float, keystone: float):
    """The card's corners TL, TR, BR, BL: `width` wide, turned by `angle` degrees, its far edge
    shortened by `keystone` (a phone held at a slant)."""
    w, h = width, width * 54 / 85.6
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    if keystone:
        top = rng.random() < 0.5
        corners = [(x * (1 - keystone if (y < 0) == top else 1), y) for x, y in corners]
    t = math.radians(angle)
    return [(centre[0] + x * math.cos(t) - y * math.sin(t),
             centre[1] + x * math.sin(t) + y * math.cos(t)) for x, y in corners]


def _surface(name: str, size, rng: random.Random) -> Image.Image:
    """A surface under the card, drawn small and enlarged (its texture is coarse anyway)."""
    w, h = size
    sw, sh = max(8, w // 4), max(8, h // 4)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    if name == "oak desk":
        grain = np.sin(y / rng.uniform(3, 6) + np.sin(x / 40) * 3) * 0.5 + 0.5
        rgb = np.stack([150 + grain * 40, 105 + grain * 30, 60 + grain * 20], -1)
    elif name == "ruled notebook":
        rgb = np.full((sh, sw, 3), (238, 236, 228), np.float32)
        rgb[(y.astype(int) % 12) == 0] = (160, 190, 220)
        rgb[:, sw // 8:sw // 8 + 1] = (220, 120, 120)
    elif name == "bed sheet":
        check = ((x // 14 + y // 14) % 2)[..., None]
        rgb = np.where(check > 0, np.array((210, 220, 235), np.float32),
                       np.array((170, 185, 210), np.float32)) + 0 * check
    elif name == "car floor mat":
        rib = (np.sin(y * 1.3) * 0.5 + 0.5)[..., None]
        rgb = np.array((38, 38, 40), np.float32) + rib * 18
    elif name == "black cloth":
        rgb = np.full((sh, sw, 3), 18, np.float32) + np.random.RandomState(
            rng.randint(0, 2 ** 31)).rand(sh, sw, 1) * 8
    elif name == "keyboard":
        rgb = np.full((sh, sw, 3), 30, np.float32)
        key = ((x % 22) > 2) & ((y % 22) > 2)
        rgb[key] = (58, 58, 62)
    else:  # grey laminate
        rgb = np.full((sh, sw, 3), (168, 166, 160), np.float32) + np.random.RandomState(
            rng.randint(0, 2 ** 31)).rand(sh, sw, 1) * 14
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).resize((w, h), Image.BILINEAR)
    if name == "keyboard":  # letters on the keys
        d = ImageDraw.Draw(img)
        f = _font(LABEL_FONTS[0], max(10, w // 90))
        step = 88 * w // (4 * sw) if sw else 88
        for ky in range(30, h, max(20, step)):
            for kx in range(30, w, max(20, step)):
                d.text((kx, ky), rng.choice("QWERTYUIOPASDFGHJKL"), font=f, fill=(200, 200, 200))
    return img


FORM_LINES = ("个人信息登记表", "姓名：", "性别：        民族：", "联系电话：", "申请人签字：",
              "身份证复印件粘贴处", "单位名称：", "填表日期：    年    月    日", "备注：")


def _printed_form(size, rng: random.Random) -> Image.Image:
    """A printed application form the card was laid on: text and ruled boxes all round it."""
    img = Image.new("RGB", size, (246, 245, 240))
    d = ImageDraw.Draw(img)
    w, h = size
    f = _font(rng.choice(LABEL_FONTS), max(14, h // 34))
    y = h // 20
    while y < h:
        d.text((w // 16, y), rng.choice(FORM_LINES), font=f, fill=(40, 40, 40))
        d.line((w // 20, y + f.size * 1.5, w - w // 20, y + f.size * 1.5), fill=(90, 90, 90),
               width=2)
        y += int(f.size * 2.6)
    return img


def _shadow(scene: Image.Image, patch: Image.Image, at, rng: random.Random, strength: float):
    alpha = patch.getchannel("A")
    small = alpha.resize((max(1, alpha.width // 8), max(1, alpha.height // 8)))
    soft = small.filter(ImageFilter.GaussianBlur(3)).resize(alpha.size)
    dark = Image.new("RGB", alpha.size, (0, 0, 0))
    mask = soft.point(lambda v: int(v * strength))
    scene.paste(dark, (at[0] + rng.randint(4, 18), at[1] + rng.randint(4, 18)), mask)


def _album_pocket(card: Image.Image, rng: random.Random) -> Image.Image:
    """A photo album's plastic pocket: a milky haze, a pebbled emboss and a welded seam."""
    rgb = np.asarray(card.convert("RGB"), np.float32)
    h, w = rgb.shape[:2]
    pebble = _blotches((w, h), (w // 3, h // 3), rng)[..., None]
    haze = rng.uniform(0.12, 0.22)
    out = rgb * (1 - haze) + 235 * haze + (pebble - 0.5) * 14
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    seam = int(h * rng.uniform(0.02, 0.06))
    d.rectangle((0, 0, w, seam), fill=(225, 225, 228))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def _plastic_bag(card: Image.Image, rng: random.Random) -> Image.Image:
    """A crumpled clear bag over the card: creases that catch the light as bright streaks."""
    img = card.convert("RGB")
    w, h = img.size
    light = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(light)
    for _ in range(rng.randint(5, 9)):
        x0, y0 = rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h
        x1, y1 = x0 + rng.uniform(-0.8, 0.8) * w, y0 + rng.uniform(-0.8, 0.8) * h
        d.line((x0, y0, x1, y1), fill=rng.randint(70, 150), width=rng.randint(4, 14))
    light = light.filter(ImageFilter.GaussianBlur(6))
    rgb = np.asarray(img, np.float32)
    a = np.asarray(light, np.float32)[..., None] / 255
    out = rgb * (1 - a * 0.6) + 250 * a * 0.6
    return Image.fromarray(np.clip(out * 0.97 + 6, 0, 255).astype(np.uint8))


def _holder(card: Image.Image, rng: random.Random) -> Image.Image:
    """A translucent blue ID-card holder with its printed logo on the window's margin."""
    img = card.convert("RGB")
    w, h = img.size
    tint = Image.new("RGB", img.size, (190, 210, 235))
    img = Image.blend(img, tint, rng.uniform(0.15, 0.25))
    d = ImageDraw.Draw(img)
    f = _font(TITLE_FONTS[1], int(h * 0.055))
    text = rng.choice(("工会会员之家", "平安出行", "便民服务中心", "ID CARD HOLDER"))
    d.text((w * 0.04, h * 0.91), text, font=f, fill=(40, 80, 160))
    return img


def _thumbs(scene: Image.Image, quad, rng: random.Random) -> None:
    """Two thumbs pinching the card's left and right rims (not over the fields)."""
    d = ImageDraw.Draw(scene)
    skin = rng.choice(((232, 190, 160), (205, 160, 125), (170, 120, 90), (120, 82, 60)))
    tl, tr, br, bl = quad
    size = math.dist(tl, tr) * 0.1
    for a, b in ((tl, bl), (tr, br)):
        t = rng.uniform(0.55, 0.8)
        px, py = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        d.ellipse((px - size * 0.7, py - size * 0.45, px + size * 0.7, py + size * 0.45),
                  fill=skin)


def _torch(scene: Image.Image, centre, rng: random.Random) -> Image.Image:
    """A phone torch at night: one hot spot near the card's centre, darkness falling off hard."""
    w, h = scene.size
    y, x = np.mgrid[0:h // 4, 0:w // 4].astype(np.float32) * 4
    cx, cy = centre[0] + rng.uniform(-0.1, 0.1) * w, centre[1] + rng.uniform(-0.1, 0.1) * h
    r = np.hypot(x - cx, y - cy) / (max(w, h) * rng.uniform(0.35, 0.5))
    gain = np.clip(1.35 / (1 + (r * 2.2) ** 3), 0.08, 1.3)
    gain_img = Image.fromarray((gain / 1.3 * 255).astype(np.uint8)).resize((w, h),
                                                                          Image.BILINEAR)
    rgb = np.asarray(scene, np.float32) * (np.asarray(gain_img, np.float32)[..., None] / 255
                                           * 1.3)
    rgb *= np.array((1.0, 0.97, 1.05), np.float32)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def _bayer(scene: Image.Image) -> Image.Image:
    """A cheap sensor's demosaicing: each pixel keeps one colour, the others are averaged from
    its neighbours, so edges zip in alternating colours."""
    rgb = np.asarray(scene, np.float32)
    h, w = rgb.shape[:2]
    mosaic = np.zeros((h, w), np.float32)
    mosaic[0::2, 0::2] = rgb[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = rgb[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = rgb[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = rgb[1::2, 1::2, 2]
    out = np.zeros_like(rgb)
    masks = [np.zeros((h, w), np.float32) for _ in range(3)]
    masks[0][0::2, 0::2] = 1
    masks[1][0::2, 1::2] = 1
    masks[1][1::2, 0::2] = 1
    masks[2][1::2, 1::2] = 1
    for c in range(3):
        sampled = mosaic * masks[c]
        total = sampled.copy()
        weight = masks[c].copy()
        for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1)):
            total += np.roll(sampled, (dy, dx), (0, 1))
            weight += np.roll(masks[c], (dy, dx), (0, 1))
        out[..., c] = np.where(masks[c] > 0, mosaic, total / np.maximum(weight, 1))
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _cracked_cover(scene: Image.Image, rng: random.Random) -> Image.Image:
    """A cracked glass over the camera: a crack line and the light it scatters in streaks."""
    w, h = scene.size
    layer = Image.new("L", scene.size, 0)
    d = ImageDraw.Draw(layer)
    x, y = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    pts = [(x, y)]
    angle = rng.uniform(0, math.pi)
    for _ in range(12):
        angle += rng.uniform(-0.4, 0.4)
        x, y = x + math.cos(angle) * w / 12, y + math.sin(angle) * w / 12
        pts.append((x, y))
    d.line(pts, fill=255, width=max(2, w // 500))
    streaks = layer.filter(ImageFilter.BoxBlur(max(2, w // 120)))
    rgb = np.asarray(scene, np.float32)
    crack = np.asarray(layer, np.float32)[..., None] / 255
    glow = np.asarray(streaks, np.float32)[..., None] / 255
    out = rgb * (1 - crack * 0.5) + glow * 160 + crack * 40
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def _scanner_app(card: Image.Image, rng: random.Random) -> Image.Image:
    """A document-scanner app's output: the card rectified to the frame with its edges bent by
    the dewarp, colours stretched and sharpened (its "enhance"), the ground bleached."""
    w, h = card.size
    rgb = np.asarray(card.convert("RGB"), np.float32)
    lo, hi = np.percentile(rgb, 3), np.percentile(rgb, 92)
    rgb = np.clip((rgb - lo) / max(1, hi - lo) * 255, 0, 255)
    img = Image.fromarray(rgb.astype(np.uint8))
    img = ImageEnhance.Color(img).enhance(rng.uniform(1.2, 1.6))
    img = img.filter(ImageFilter.UnsharpMask(2, 140, 2))
    # the dewarp's residue: rows shifted along a gentle curve
    arr = np.asarray(img)
    bend = rng.uniform(0.004, 0.012) * w
    shifts = (np.sin(np.linspace(0, math.pi, h)) * bend).astype(int)
    out = np.empty_like(arr)
    for i in range(h):
        out[i] = np.roll(arr[i], shifts[i], axis=0)
    return Image.fromarray(out)


def _noise(img: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    w, h = img.size
    state = np.random.RandomState(rng.randint(0, 2 ** 31))
    small = state.normal(128, sigma, (h // 2 + 1, w // 2 + 1)).clip(0, 255).astype(np.uint8)
    # luma grain in 2 x 2 cells, added as an 8-bit offset (a float copy of 8 MP costs seconds)
    grain = Image.fromarray(small).resize((small.shape[1] * 2, small.shape[0] * 2),
                                          Image.NEAREST).crop((0, 0, w, h)).convert("RGB")
    return ImageChops.add(img.convert("RGB"), grain, 1.0, -128)


def _jpeg(img: Image.Image, quality: int, subsampling: int) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality, subsampling=subsampling)
    return out.getvalue()


SUBSAMPLING = {0: "4:4:4 chroma", 1: "4:2:2 chroma", 2: "4:2:0 chroma"}


# The hard effects that change the card itself before it is photographed, and their notes.
ON_THE_CARD = {"album pocket": (_album_pocket, "in an album pocket"),
               "plastic bag": (_plastic_bag, "under a crumpled plastic bag"),
               "holder": (_holder, "in a printed card holder"),
               "scanner app": (_scanner_app, "scanner app enhance")}


def _photograph(card: Image.Image, rng: random.Random, kind: str, seed: int
                ) -> Tuple[bytes, List[str]]:
    """The card photographed: (JPEG, notes). Plain photos are upright and mild; hard ones carry
    HARD_EFFECTS[seed % 12] among quarter turns, skew, keystone, overlays and recompression."""
    notes = []
    effect = HARD_EFFECTS[seed % len(HARD_EFFECTS)] if kind == "hard" else None
    if kind == "hard":
        if rng.random() < 0.3:
            card, what = stamp(card, rng)
            notes.append(what)
        if rng.random() < 0.3:
            card, what = watermark(card, rng)
            notes.append(what)
    if effect in ON_THE_CARD:
        change, note = ON_THE_CARD[effect]
        card = change(card, rng)
        notes.append(note)
    width = rng.randint(448, 1300)
    notes.append(f"card {width} px")
    if effect == "scanner app":  # the app has squared the card up; a little is left
        angle, keystone = rng.uniform(-1.5, 1.5), rng.uniform(0, 0.015)
    elif kind == "hard":
        angle = rng.choice((-1, 1)) * rng.uniform(0, 15)
        keystone = rng.uniform(0, 0.12)
    else:
        angle, keystone = rng.uniform(-2.5, 2.5), rng.uniform(0, 0.03)
    notes.append(f"skew {round(angle)}")
    if keystone > 0.01:
        notes.append(f"keystone {keystone:.2f}")
    if effect == "scanner app":  # the app fills its frame with the card
        fill = rng.uniform(0.88, 0.96)
    elif effect == "bayer":  # a cheap phone: a small sensor
        fill = rng.uniform(0.6, 0.8)
    else:
        fill = rng.uniform(0.4, 0.75)
    long_side = min(3200, int(width / fill))
    frame = (long_side, max(int(long_side * rng.choice((0.75, 0.5625, 0.8))), int(width * 1.0)))
    surface = {"printed form": None, "keyboard": "keyboard", "black cloth": "black cloth"
               }.get(effect, rng.choice(SURFACES))
    if effect == "printed form":
        scene = _printed_form(frame, rng)
        notes.append("on a printed form")
    elif effect == "scanner app":
        scene = Image.new("RGB", frame, (250, 250, 250))
    else:
        scene = _surface(surface, frame, rng)
        notes.append(f"on {surface}")
    centre = (frame[0] / 2 + rng.uniform(-0.08, 0.08) * frame[0],
              frame[1] / 2 + rng.uniform(-0.06, 0.06) * frame[1])
    quad = _quad(rng, width, centre, angle, keystone)
    # the whole card stays in the frame: moved in from an edge it would cross
    dx = max(0, 4 - min(x for x, _ in quad)) - max(0, max(x for x, _ in quad) - frame[0] + 5)
    dy = max(0, 4 - min(y for _, y in quad)) - max(0, max(y for _, y in quad) - frame[1] + 5)
    quad = [(x + dx, y + dy) for x, y in quad]
    centre = (centre[0] + dx, centre[1] + dy)
    patch, at = _perspective(_rounded(card.convert("RGB")), quad)
    if effect != "scanner app":
        _shadow(scene, patch, at, rng, rng.uniform(0.25, 0.5))
    scene.paste(patch, at, patch.getchannel("A"))
    if effect == "thumbs":
        _thumbs(scene, quad, rng)
        notes.append("thumbs on the rims")
    if effect == "torch":
        scene = _torch(scene, centre, rng)
        notes.append("phone torch at night")
    elif effect == "backlit":  # metered on a bright window behind: the card comes out dark
        scene = ImageEnhance.Brightness(scene).enhance(rng.uniform(0.35, 0.5))
        glow = Image.new("RGB", frame, (255, 252, 240))
        mask = Image.linear_gradient("L").resize(frame).point(lambda v: int(v * 0.55))
        scene.paste(glow, (0, 0), mask.rotate(rng.choice((0, 90, 180, 270)), expand=False))
        notes.append("backlit by a window")
    elif effect == "black cloth":  # metered on the black: the card comes out blown
        scene = ImageEnhance.Brightness(scene).enhance(rng.uniform(1.25, 1.45))
        scene = ImageEnhance.Contrast(scene).enhance(0.8)
        notes.append("overexposed on black cloth")
    elif effect == "bayer":
        scene = _bayer(scene)
        notes.append("demosaic zipper")
    elif effect == "cracked cover":
        scene = _cracked_cover(scene, rng)
        notes.append("cracked camera cover")
    elif effect == "keyboard":
        notes.append("among keys")
    elif effect == "case lip":  # a thick phone case's rim in front of the lens: a dark soft arc
        small = Image.new("L", (max(8, frame[0] // 8), max(8, frame[1] // 8)), 0)
        cx, cy = rng.choice(((0, 0), (small.width, 0), (0, small.height),
                             (small.width, small.height)))
        r = min(small.size) * rng.uniform(0.3, 0.45)
        ImageDraw.Draw(small).ellipse((cx - r, cy - r, cx + r, cy + r), fill=235)
        lip = small.filter(ImageFilter.GaussianBlur(r / 5)).resize(frame, Image.BILINEAR)
        scene.paste(Image.new("RGB", frame, (12, 10, 10)), (0, 0), lip)
        notes.append("phone case lip in a corner")
    blur = rng.uniform(0.3, 1.3) if kind == "hard" else rng.uniform(0.2, 0.7)
    scene = scene.filter(ImageFilter.GaussianBlur(blur * width / 900))
    if kind == "hard" or rng.random() < 0.5:  # mixed light: cool on one side, warm on the other
        ramp = np.linspace(-1, 1, frame[0], dtype=np.float32)[None, :, None]
        cast = np.array((1, 0.2, -1), np.float32) * rng.uniform(4, 16)
        scene = Image.fromarray(np.clip(np.asarray(scene, np.float32) + ramp * cast, 0, 255)
                                .astype(np.uint8))
    scene = _noise(scene, rng, rng.uniform(2, 7) if kind == "hard" else rng.uniform(1, 3))
    turn = rng.choice((0, 90, 180, 270)) if kind == "hard" else 0
    if turn:
        scene = scene.transpose({90: Image.ROTATE_90, 180: Image.ROTATE_180,
                                 270: Image.ROTATE_270}[turn])
    notes.append(TURNS[turn])
    subsampling = rng.choice((0, 1, 2, 2)) if kind == "hard" else 2
    quality = rng.randint(72, 92) if kind == "hard" else rng.randint(82, 94)
    data = _jpeg(scene, quality, subsampling)
    notes.append(SUBSAMPLING[subsampling])
    if kind == "hard" and rng.random() < 0.35:  # forwarded in a chat app: shrunk, re-encoded
        scale = min(1.0, 1600 / max(scene.size), 1.0)
        if width * scale >= 448:
            again = Image.open(io.BytesIO(data)).convert("RGB")
            if scale < 1:
                again = again.resize((int(again.width * scale), int(again.height * scale)),
                                     Image.BILINEAR)
                notes[notes.index(f"card {width} px")] = f"card {int(width * scale)} px"
            q2 = rng.randint(60, 80)
            data = _jpeg(again, q2, 2)
            notes.append(f"recompressed to q{q2}")
    return data, notes


# Sheets ------------------------------------------------------------------------------------------

SHEET_EFFECTS = ("upside down", "crooked", "signed", "certified stamp", "two copies",
                 "coloured paper", "toner save", "photographed", "enlarged")


def _copier(card: Image.Image, rng: random.Random, grey: bool, toner: float) -> Image.Image:
    img = card.convert("L" if grey else "RGB")
    img = ImageEnhance.Contrast(img).enhance(rng.uniform(1.3, 1.7) * toner)
    img = ImageEnhance.Brightness(img).enhance(rng.uniform(1.0, 1.15) + (1 - toner) * 0.5)
    return img.convert("RGB")


def _sheet(face: Image.Image, back: Image.Image, rng: random.Random, seed: int
           ) -> Tuple[Image.Image, List[str]]:
    effect = SHEET_EFFECTS[seed % len(SHEET_EFFECTS)]
    dpi = rng.choice((150, 180, 200))
    page = (round(210 / 25.4 * dpi), round(297 / 25.4 * dpi))
    notes = [f"A4 at {dpi} dpi"]
    paper = (250, 250, 247)
    if effect == "coloured paper":
        paper = rng.choice(((250, 226, 230), (226, 240, 250), (250, 246, 210)))
        notes.append("coloured paper")
    sheet = Image.new("RGB", page, paper)
    grey = rng.random() < 0.6
    toner = rng.uniform(0.45, 0.6) if effect == "toner save" else 1.0
    if toner < 1:
        notes.append("toner save")
    width = round(85.6 / 25.4 * dpi)
    if effect == "enlarged":  # copied at the copier's A5-to-A4 zoom, as counters ask for
        width = round(width * 1.41)
        notes.append("enlarged 141%")
    cards = [("face", face), ("back", back)]
    if effect == "two copies":
        cards = cards * 2
        notes.append("two copies of each side")
    slots = [(0.5, 0.27), (0.5, 0.68)] if len(cards) == 2 else \
        [(0.28, 0.25), (0.28, 0.7), (0.73, 0.25), (0.73, 0.7)]
    if effect == "upside down" or len(cards) == 2 and rng.random() < 0.3:
        slots = [(rng.uniform(0.35, 0.65), 0.2), (rng.uniform(0.35, 0.65), 0.8)]
        notes.append("sides far apart")
    for i, ((side, img), (sx, sy)) in enumerate(zip(cards, slots)):
        copy = _copier(img, rng, grey, toner)
        copy = copy.resize((width, round(width * 54 / 85.6)), Image.LANCZOS)
        copy = ImageEnhance.Brightness(copy).enhance(rng.uniform(0.85, 1.05))
        angle = rng.uniform(-2, 2)
        if effect == "crooked":
            angle = rng.choice((-1, 1)) * rng.uniform(5, 15)
        if effect == "upside down" and side == "back":
            angle += 180
        rounded = _rounded(copy).rotate(angle, expand=True, resample=Image.BICUBIC)
        at = (int(sx * page[0] - rounded.width / 2), int(sy * page[1] - rounded.height / 2))
        sheet.paste(rounded, at, rounded.getchannel("A"))
        if i < 2:
            notes.append(f"{side} {round(angle)}")
    d = ImageDraw.Draw(sheet)
    if effect == "signed":  # the holder's signature and the date, in pen, beside the copy
        f = _font(VALUE_FONTS[2], dpi // 6)
        d.text((page[0] * 0.55, page[1] * 0.44), "本人签字：", font=f, fill=(30, 40, 120))
        pts = [(page[0] * 0.72 + i * dpi / 20, page[1] * 0.445 + math.sin(i) * dpi / 25)
               for i in range(14)]
        d.line(pts, fill=(30, 40, 120), width=max(2, dpi // 60))
        d.text((page[0] * 0.55, page[1] * 0.48), f"{TODAY.year}年{TODAY.month}月{TODAY.day}日",
               font=f, fill=(30, 40, 120))
        notes.append("signed and dated")
    if effect == "certified stamp":  # a clerk's faded "与原件一致" seal across the copy's edge
        f = _font(TITLE_FONTS[0], dpi // 5)
        layer = Image.new("L", page, 0)
        ld = ImageDraw.Draw(layer)
        x, y = page[0] * 0.6, page[1] * 0.44
        ld.rectangle((x - dpi * 0.1, y - dpi * 0.1, x + f.getlength("与原件一致") + dpi * 0.1,
                      y + f.size + dpi * 0.1), outline=255, width=max(3, dpi // 50))
        ld.text((x, y), "与原件一致", font=f, fill=255)
        red = Image.new("RGB", page, (220, 80, 90))
        sheet.paste(red, (0, 0), layer.point(lambda v: int(v * 0.55)))
        notes.append("faded 与原件一致 stamp")
    if effect == "photographed":  # the sheet on a desk, from a phone at an angle, its shadow on it
        frame = (round(page[0] * 1.25), round(page[1] * 1.15))
        desk = _surface("oak desk", frame, rng)
        quad = [(frame[0] * 0.1 + rng.uniform(0, 40), frame[1] * 0.06),
                (frame[0] * 0.9 - rng.uniform(0, 40), frame[1] * 0.07),
                (frame[0] * 0.94, frame[1] * 0.95), (frame[0] * 0.06, frame[1] * 0.94)]
        patch, at = _perspective(sheet.convert("RGBA"), quad)
        desk.paste(patch, at, patch.getchannel("A"))
        shade = Image.new("L", frame, 0)
        ImageDraw.Draw(shade).ellipse((frame[0] * 0.3, frame[1] * 0.7, frame[0] * 1.1,
                                       frame[1] * 1.3), fill=110)
        desk.paste(Image.new("RGB", frame, (0, 0, 0)), (0, 0),
                   shade.filter(ImageFilter.GaussianBlur(dpi // 4)))
        sheet = desk
        notes.append("photographed with the phone's shadow")
    elif grey and rng.random() < 0.5:
        sheet = sheet.convert("L").convert("RGB")
        notes.append("grey scan")
    else:
        notes.append("colour scan")
    sheet = _noise(sheet, rng, rng.uniform(1, 3))
    return sheet, notes


def shoot(kind: str, seed: int) -> Photo:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (drifter draws {', '.join(KINDS)})")
    rng = random.Random(f"drifter/{kind}/{seed}")
    person = random_person(rng)
    if kind == "sheet":
        face = draw_face(person["face"], rng)
        back = draw_back(person["back"], rng)
        img, notes = _sheet(face, back, rng, seed)
        data = _jpeg(img, rng.randint(78, 92), 2)
        return Photo(kind, data, {"face": person["face"], "back": person["back"]},
                     ", ".join(notes))
    side = {"plain_face": "face", "plain_back": "back"}.get(kind) or rng.choice(("face", "back"))
    card = card_image(side, person[side], rng)
    data, notes = _photograph(card, rng, kind, seed)
    return Photo(kind, data, {side: person[side]}, ", ".join([side] + notes))
