"""The places a card prints: China's provinces, prefectures and counties, each with its code.

An address begins with its province, prefecture and county (GB 19584: 住址 as registered,
河南省许昌市鄢陵县...), and an authority is a county's 公安局 or a city's 公安局 with a
district's 分局 (宁波市公安局鄞州分局). Their names are a closed vocabulary, the county-level
divisions of GB/T 2260, and the recogniser misreads or drops exactly the rare characters many
of them hold (鄢, 涪, 鄞, 仡, 睢). A place read one character off a real name, where the
province or city read before it leaves that name the only one so close, is taken for it
(`corrected_address`, `corrected_authority`); a read that is itself a real name is never
changed, and a closeness shared by two names changes nothing.

PLACES: each division as its six-digit code (the first six digits of a citizen number name
the county where it was issued) and its name, as in the administrative division codes shipped
with cpca 0.5.5 (resources/adcodes.csv, MIT licence, its notice below), without the 市辖区
and 县 placeholders. The list is older than its package: it still holds 宁波's 江东区 and
奉化市 (merged and made a district in 2016), so a division created or renamed since is not in
it (see _renamed).
"""

from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

from .look_alikes import PLACE_LOOK_ALIKES

SUFFIXES = "县区市旗州盟"  # how a county's name ends (县, 区, 市, 旗) or a prefecture's (市, 州, 盟, 地区)
# The least length of a name read one character off (substituted, dropped or added), by how
# many names it was chosen among: a city's few counties (a two-character 莒县 read 吕县), a
# province's, or the whole country's, where a short name one character off is too often
# another real name. Two characters off: names of seven characters or more (自治县 names).
ONE_OFF_FROM = {"prefecture": 2, "province": 3, "country": 4}
TWO_OFF_FROM = 7


def _edits_allowed(name: str, among: str) -> int:
    if len(name) >= TWO_OFF_FROM:
        return 2
    return 1 if len(name) >= ONE_OFF_FROM[among] else 0


def _distance(a: str, b: str, most: int) -> int:
    """Levenshtein distance of a and b, or most + 1 when it is larger."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return min(row[-1], most + 1)


@lru_cache(maxsize=1)
def _places() -> Tuple[Tuple[str, str], ...]:
    return tuple((entry[:6], entry[6:]) for entry in (PLACES + NEWER).split())


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


@lru_cache(maxsize=None)
def _under(prefix: str, level: str) -> Tuple[Tuple[str, str], ...]:
    """The places of `level` whose code starts with `prefix` ("" for the whole country)."""
    return tuple((code, name) for code, name in _places()
                 if code.startswith(prefix) and _level(code) == level)


def _closest(reads: List[str], spellings: Sequence[Tuple[str, str]], among: str,
             hint: Optional[str] = None) -> Optional[Tuple[str, str]]:
    """(read, spelling): the one spelling (code, how a card prints the name) that one of
    `reads` (the same place cut at different lengths) is within its allowed edits of, or None
    when a read is a spelling itself, when none is close or when two names are equally close
    (the number's county, code `hint`, breaks a tie)."""
    if any(read == spelling or _renamed(read, spelling)
           for read in reads for _, spelling in spellings):
        return None
    best, found = None, {}
    # a place's longer spelling first: of 天山区 and 天山, 天区 is taken for the one it lost
    # a character of
    for code, spelling in sorted(spellings, key=lambda place: -len(place[1])):
        for read in reads:
            # a name too short to be taken one character off still is where that character
            # is one the recogniser reads for the rarer one printed (淅川县 read 浙川县 at 0.99)
            most = _edits_allowed(spelling, among) or int(_read_for_look_alike(read, spelling))
            # a single character says too little (天 for 天山区 or 天山)
            distance = _distance(read, spelling, most) if most and len(read) >= 2 else most + 1
            if distance > most or (best is not None and distance > best):
                continue
            if best is None or distance < best:
                best, found = distance, {}
            found.setdefault(code, (read, spelling))
    if hint in found:
        return found[hint]
    return next(iter(found.values())) if len(found) == 1 else None


def _read_for_look_alike(read: str, spelling: str) -> bool:
    """Whether `read` is `spelling` with one character read as a common look-alike of it, as
    the recogniser was measured reading it (look_alikes.PLACE_LOOK_ALIKES: 淅 read 浙)."""
    if len(read) != len(spelling):
        return False
    apart = [(r, s) for r, s in zip(read, spelling) if r != s]
    return len(apart) == 1 and any(rarer == apart[0][1]
                                   for rarer, _, _ in PLACE_LOOK_ALIKES.get(apart[0][0], ()))


def _renamed(read: str, spelling: str) -> bool:
    """Whether `read` is `spelling` with another suffix: a county made a district or a city
    (奉化市 made 奉化区, 平泉县 平泉市, 滦县 滦州市) keeps its name and changes only its
    suffix, a change the list predates for many, and a suffix is a common character read as
    printed. A real name, then, not a misread one."""
    return (len(read) >= 2 and len(spelling) >= 2 and read[-1] in SUFFIXES
            and spelling[-1] in SUFFIXES and read[:-1] == spelling[:-1])


def _cuts(text: str, start: int, spellings: Sequence[Tuple[str, str]]) -> List[str]:
    """The reads of a name starting at `start` that end in a county-level suffix, as long as
    any spelling is give or take two characters (where the name ends is not known)."""
    longest = max((len(s) for _, s in spellings), default=0) + 2
    return [text[start:end] for end in range(start + 1, min(len(text), start + longest) + 1)
            if text[end - 1] in SUFFIXES]


def _exact(text: str, start: int, places: Sequence[Tuple[str, str]]) -> Optional[Tuple[str, str]]:
    """The longest place whose name is read at `start` as it is printed."""
    found = [(code, name) for code, name in places if text.startswith(name, start)]
    return max(found, key=lambda place: len(place[1]), default=None)


def corrected_address(address: str, number_county: Optional[str] = None) -> Optional[str]:
    """The address with its county (or its prefecture) read one or two characters off taken
    for the real name it is closest to, or None when nothing is corrected. The province must
    be read as printed: it says which prefectures and counties to choose among.
    `number_county`: the first six digits of a valid citizen number, to choose between two
    names equally close (most people live where their number was issued). A character read
    before the province (a speck or a rule's end read 一) is not the address's: an address
    begins with its province."""
    provinces, corrected = _under("", "province"), None
    province = _exact(address, 0, provinces)
    if province is None and _exact(address, 1, provinces) is not None:
        corrected = address = address[1:]
        province = _exact(address, 0, provinces)
    if province is None:
        corrected = address = _province_read_off(address, number_county)
        province = address and _exact(address, 0, provinces)
    if not province:
        return None
    start, prefix = len(province[1]), province[0][:2]
    among = "prefecture" if prefix in MUNICIPALITIES else "province"
    prefectures = _under(prefix, "prefecture")
    prefecture = _exact(address, start, prefectures)
    if prefecture is None and _exact(address, start, _under(prefix, "county")) is None:
        # the prefecture itself read off (a county follows it: it is looked for in its place)
        found = _closest(_cuts(address, start, prefectures), prefectures, "province",
                         number_county and number_county[:4] + "00")
        if found:
            corrected = address = address[:start] + found[1] + address[start + len(found[0]):]
            prefecture = _exact(address, start, prefectures)
    if prefecture is not None:
        start, prefix, among = start + len(prefecture[1]), prefecture[0][:4], "prefecture"
    counties = _under(prefix, "county")
    if _exact(address, start, counties) is not None or _in_zone(address, start):
        return corrected
    found = _closest(_cuts(address, start, counties), counties, among, number_county)
    if found is None and among == "prefecture":
        found = _lost_name(address, start, counties, number_county)
    if found is None:
        return corrected
    return address[:start] + found[1] + address[start + len(found[0]):]


def _province_read_off(address: str, number_county: Optional[str]) -> Optional[str]:
    """The address with its province read a character off (安徽省 read 安微省) given as that
    province, when it is the only one so close and one of its own prefectures or counties
    follows as printed: a province alone is too short to settle (山西省 and 陕西省 are one
    apart), and an address whose province was lost (南京市… for 江苏省南京市…) would otherwise
    be taken for another (北京市)."""
    provinces = _under("", "province")
    found = _closest([address[:end] for end in range(2, 9)], provinces, "province",
                     number_county and number_county[:2] + "0000")
    if found is None:
        return None
    code, rest = next(c for c, name in provinces if name == found[1])[:2], len(found[0])
    if _exact(address, rest, _under(code, "prefecture") + _under(code, "county")) is None:
        return None
    return found[1] + address[rest:]


def _lost_name(address: str, start: int, counties: Sequence[Tuple[str, str]],
               number_county: Optional[str]) -> Optional[Tuple[str, str]]:
    """(read, name): a county whose name was lost and only its suffix read (安徽省黄山市县…,
    歙 unread), given as the county of the valid number when that is one of the prefecture's
    and ends in that suffix: one character says nothing by itself, the number says which."""
    name = dict(counties).get(number_county or "")
    if name and address.startswith(name[-1], start):
        return name[-1], name
    return None


def _district_spellings(name: str) -> set:
    """How a district's name is printed before 分局: whole, without 区, or without 新区
    (上海市公安局浦东分局 for 浦东新区)."""
    spellings = {name}
    for suffix in ("新区", "区"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            spellings.add(name[:-len(suffix)])
    return spellings


# Development and high-tech zones keep household registers and their bureaus issue cards
# (成都市公安局高新分局, an address in 南京市高新区), but they are no division of GB/T 2260:
# the list has no name for them, and their short names are one character off many districts'
# (高新 off 高淳, 高邮, 高明; 开发区 off 开平区; 经开 off 南开). Read as printed, they are left.
ZONES = ("高新技术产业开发区", "经济技术开发区", "经济开发区", "开发区", "高新区", "经开区",
         "新区", "工业园区", "园区", "保税区", "港区", "高新", "经开")


def _in_zone(text: str, start: int) -> bool:
    """Whether `text` names a development zone at `start` (a district's name before 分局, or an
    address's county's place)."""
    return any(text.startswith(zone, start) for zone in ZONES)


MUNICIPALITIES = ("11", "12", "31", "50")  # 北京, 天津, 上海, 重庆: their districts follow them


def corrected_authority(issue: str) -> Optional[str]:
    """The authority with its county or district read one or two characters off taken for
    the real name it is closest to, or None when nothing is corrected. A district's 分局
    is chosen among its city's districts, printed with or without 区 (宁波市公安局鄞州分局);
    a county's or city's 公安局 among the whole country's, so only names of four characters
    or more (ONE_OFF_FROM)."""
    if issue.endswith("分局") and "公安局" in issue:
        city, _, district = issue[:-2].partition("公安局")
        head = _exact(city, 0, _under("", "province") + _under("", "prefecture"))
        if head is None or head[1] != city:
            found = _city_of_district(city, district)
            return found + "公安局" + district + "分局" if found else None
        prefix = head[0][:2] if _level(head[0]) == "province" else head[0][:4]
        counties = _under(prefix, "county")
        # a county or a city since made a district, printed without its 县 or 市 (宁波市公安局
        # 奉化分局 for 奉化市, a district since 2016): a real name, though never a target
        if _in_zone(district, 0) or any(len(name) > 2 and district == name[:-1]
                                        for _, name in counties):
            return None
        spellings = [(code, spelling) for code, name in counties
                     for spelling in _district_spellings(name)]
        found = _closest([district], spellings, "prefecture")
        return city + "公安局" + found[1] + "分局" if found else None
    if issue.endswith("公安局"):
        found = _closest([issue[:-3]], _under("", "prefecture") + _under("", "county"), "country")
        return found[1] + "公安局" if found else None
    return None


def _city_of_district(city: str, district: str) -> Optional[str]:
    """The city a 分局's district, read as printed, belongs to, when the city before it was
    read one character off that city's name (海口市公安局秀英分局 read 口市公安局秀英分局: its
    first character lost) and off no other city holding a district so named; else None. A
    district's name alone is shared by many cities (鼓楼区: 福州, 南京, 开封, 徐州), which
    the read city then tells apart."""
    names = dict(_places())
    found = set()
    for code, name in _places():
        if _level(code) != "county" or district not in _district_spellings(name):
            continue
        owner = names.get(code[:2] + "0000") if code[:2] in MUNICIPALITIES \
            else names.get(code[:4] + "00")
        if owner and len(owner) >= 3 and _distance(city, owner, 1) <= 1:
            found.add(owner)
    return found.pop() if len(found) == 1 else None


def authority_of_address(issue: str, address: str) -> Optional[str]:
    """The authority read as `issue` taken for the one the face's `address` (of the same
    card: a sheet with both sides) names, or None when nothing is corrected. A card is issued
    where its holder is registered, and its address is that registration: a county's or a
    county-level city's 公安局, a district's 分局 of its city's 公安局, or the city's own
    公安局. Where the read is a character or two off exactly one of those (鄢陵县 read 陵县,
    睢宁县 read 唯宁县, short names the whole country's list cannot settle), it is that one;
    a read that is one of them, or as close to two, is left."""
    provinces = _under("", "province")
    province = _exact(address, 0, provinces)
    if province is None:
        return None
    start, prefix = len(province[1]), province[0][:2]
    city = province[1] if prefix in MUNICIPALITIES else None
    prefecture = _exact(address, start, _under(prefix, "prefecture"))
    if prefecture is not None:
        start, prefix, city = start + len(prefecture[1]), prefecture[0][:4], prefecture[1]
    counties = _under(prefix, "county")
    county = _exact(address, start, counties)
    authorities = _authorities(city, [county] if county else [])
    # Another authority of the same city read as printed (海淀分局 beside an address in 朝阳区)
    # is left: two real names a character or two apart, the read says which better than the
    # address does.
    if issue in _authorities(city, counties):
        return None
    off = {name: _distance(issue, name, 2 if len(name) >= TWO_OFF_FROM else 1)
           for name in authorities}
    close = [name for name in authorities if off[name] <= (2 if len(name) >= TWO_OFF_FROM else 1)]
    nearest = [name for name in close if off[name] == min(off[n] for n in close)]
    if len(nearest) != 1:
        return None
    # A real bureau elsewhere read as printed (东乡县公安局 beside an address in 东海县) is a
    # card issued where its holder applied, or a sheet with two people's cards: left, unless
    # the address's bureau ends with it (陵县 of 鄢陵县, its first characters lost).
    if issue in _every_authority() and not nearest[0].endswith(issue):
        return None
    return nearest[0]


@lru_cache(maxsize=1)
def _every_authority() -> frozenset:
    """Every authority a card may print (_authorities), of every county in the country."""
    names = dict(_places())
    out = set()
    for code, name in _places():
        if _level(code) == "county":
            city = names.get(code[:2] + "0000") if code[:2] in MUNICIPALITIES \
                else names.get(code[:4] + "00")
            out |= _authorities(city, [(code, name)])
    return frozenset(out)


def _authorities(city: Optional[str], counties: Sequence[Tuple[str, str]]) -> set:
    """How a card prints the authorities of `counties` (of `city`, if known): a district's
    分局 of the city's 公安局, a county's own 公安局; and the city's 公安局."""
    out = {city + "公安局"} if city else set()
    for _, name in counties:
        if name.endswith("区") and city:
            out |= {city + "公安局" + spelling + "分局" for spelling in _district_spellings(name)}
        elif not name.endswith("区"):
            out.add(name + "公安局")
    return out


# Divisions created or renamed after PLACES was drawn up whose new names are one character off
# an older neighbour's (深圳's 龙华区 read as printed was taken for 龙岗区): without them a right
# address of millions of holders would be "corrected" into a wrong one. These are the ones a
# right read was seen corrected for, with their siblings of the same reorganisations; a current
# list from the Ministry of Civil Affairs, its terms checked, is what should replace both.
NEWER = """
440309龙华区 440310坪山区 440311光明区 510117郫都区 140213平城区 140214云冈区 140215云州区
230717伊美区 230718乌翠区 230751金林区 361104广信区 330213奉化区
"""


# PLACES is taken from cpca 0.5.5's resources/adcodes.csv, under this licence:
#
# The MIT License (MIT)
#
# Copyright (c) 2018 QinYuan Du
#
# Permission is hereby granted, free of charge, to any person obtaining a copy of
# this software and associated documentation files (the "Software"), to deal in
# the Software without restriction, including without limitation the rights to
# use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
# the Software, and to permit persons to whom the Software is furnished to do so,
# subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
# FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
# COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
# IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
# CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
PLACES = """
110000北京市 110101东城区 110102西城区 110105朝阳区 110106丰台区 110107石景山区 110108海淀区 110109门头沟区 110111房山区
110112通州区 110113顺义区 110114昌平区 110115大兴区 110116怀柔区 110117平谷区 110118密云区 110119延庆区 120000天津市
120101和平区 120102河东区 120103河西区 120104南开区 120105河北区 120106红桥区 120110东丽区 120111西青区 120112津南区
120113北辰区 120114武清区 120115宝坻区 120116滨海新区 120117宁河区 120118静海区 120119蓟州区 130000河北省 130100石家庄市
130102长安区 130104桥西区 130105新华区 130107井陉矿区 130108裕华区 130109藁城区 130110鹿泉区 130111栾城区 130121井陉县
130123正定县 130125行唐县 130126灵寿县 130127高邑县 130128深泽县 130129赞皇县 130130无极县 130131平山县 130132元氏县
130133赵县 130183晋州市 130184新乐市 130200唐山市 130202路南区 130203路北区 130204古冶区 130205开平区 130207丰南区
130208丰润区 130209曹妃甸区 130223滦县 130224滦南县 130225乐亭县 130227迁西县 130229玉田县 130281遵化市 130283迁安市
130300秦皇岛市 130302海港区 130303山海关区 130304北戴河区 130306抚宁区 130321青龙满族自治县 130322昌黎县 130324卢龙县 130400邯郸市
130402邯山区 130403丛台区 130404复兴区 130406峰峰矿区 130421邯郸县 130423临漳县 130424成安县 130425大名县 130426涉县
130427磁县 130428肥乡县 130429永年县 130430邱县 130431鸡泽县 130432广平县 130433馆陶县 130434魏县 130435曲周县 130481武安市
130500邢台市 130502桥东区 130503桥西区 130521邢台县 130522临城县 130523内丘县 130524柏乡县 130525隆尧县 130526任县
130527南和县 130528宁晋县 130529巨鹿县 130530新河县 130531广宗县 130532平乡县 130533威县 130534清河县 130535临西县
130581南宫市 130582沙河市 130600保定市 130602竞秀区 130606莲池区 130607满城区 130608清苑区 130609徐水区 130623涞水县
130624阜平县 130626定兴县 130627唐县 130628高阳县 130629容城县 130630涞源县 130631望都县 130632安新县 130633易县
130634曲阳县 130635蠡县 130636顺平县 130637博野县 130638雄县 130681涿州市 130683安国市 130684高碑店市 130700张家口市
130702桥东区 130703桥西区 130705宣化区 130706下花园区 130708万全区 130709崇礼区 130722张北县 130723康保县 130724沽源县
130725尚义县 130726蔚县 130727阳原县 130728怀安县 130730怀来县 130731涿鹿县 130732赤城县 130800承德市 130802双桥区
130803双滦区 130804鹰手营子矿区 130821承德县 130822兴隆县 130823平泉县 130824滦平县 130825隆化县 130826丰宁满族自治县
130827宽城满族自治县 130828围场满族蒙古族自治县 130900沧州市 130902新华区 130903运河区 130921沧县 130922青县 130923东光县
130924海兴县 130925盐山县 130926肃宁县 130927南皮县 130928吴桥县 130929献县 130930孟村回族自治县 130981泊头市 130982任丘市
130983黄骅市 130984河间市 131000廊坊市 131002安次区 131003广阳区 131022固安县 131023永清县 131024香河县 131025大城县
131026文安县 131028大厂回族自治县 131081霸州市 131082三河市 131100衡水市 131102桃城区 131103冀州区 131121枣强县 131122武邑县
131123武强县 131124饶阳县 131125安平县 131126故城县 131127景县 131128阜城县 131182深州市 139001定州市 139002辛集市
140000山西省 140100太原市 140105小店区 140106迎泽区 140107杏花岭区 140108尖草坪区 140109万柏林区 140110晋源区 140121清徐县
140122阳曲县 140123娄烦县 140181古交市 140200大同市 140202城区 140203矿区 140211南郊区 140212新荣区 140221阳高县
140222天镇县 140223广灵县 140224灵丘县 140225浑源县 140226左云县 140227大同县 140300阳泉市 140302城区 140303矿区 140311郊区
140321平定县 140322盂县 140400长治市 140402城区 140411郊区 140421长治县 140423襄垣县 140424屯留县 140425平顺县 140426黎城县
140427壶关县 140428长子县 140429武乡县 140430沁县 140431沁源县 140481潞城市 140500晋城市 140502城区 140521沁水县
140522阳城县 140524陵川县 140525泽州县 140581高平市 140600朔州市 140602朔城区 140603平鲁区 140621山阴县 140622应县
140623右玉县 140624怀仁县 140700晋中市 140702榆次区 140721榆社县 140722左权县 140723和顺县 140724昔阳县 140725寿阳县
140726太谷县 140727祁县 140728平遥县 140729灵石县 140781介休市 140800运城市 140802盐湖区 140821临猗县 140822万荣县
140823闻喜县 140824稷山县 140825新绛县 140826绛县 140827垣曲县 140828夏县 140829平陆县 140830芮城县 140881永济市
140882河津市 140900忻州市 140902忻府区 140921定襄县 140922五台县 140923代县 140924繁峙县 140925宁武县 140926静乐县
140927神池县 140928五寨县 140929岢岚县 140930河曲县 140931保德县 140932偏关县 140981原平市 141000临汾市 141002尧都区
141021曲沃县 141022翼城县 141023襄汾县 141024洪洞县 141025古县 141026安泽县 141027浮山县 141028吉县 141029乡宁县
141030大宁县 141031隰县 141032永和县 141033蒲县 141034汾西县 141081侯马市 141082霍州市 141100吕梁市 141102离石区
141121文水县 141122交城县 141123兴县 141124临县 141125柳林县 141126石楼县 141127岚县 141128方山县 141129中阳县 141130交口县
141181孝义市 141182汾阳市 150000内蒙古自治区 150100呼和浩特市 150102新城区 150103回民区 150104玉泉区 150105赛罕区 150121土默特左旗
150122托克托县 150123和林格尔县 150124清水河县 150125武川县 150200包头市 150202东河区 150203昆都仑区 150204青山区 150205石拐区
150206白云鄂博矿区 150207九原区 150221土默特右旗 150222固阳县 150223达尔罕茂明安联合旗 150300乌海市 150302海勃湾区 150303海南区
150304乌达区 150400赤峰市 150402红山区 150403元宝山区 150404松山区 150421阿鲁科尔沁旗 150422巴林左旗 150423巴林右旗 150424林西县
150425克什克腾旗 150426翁牛特旗 150428喀喇沁旗 150429宁城县 150430敖汉旗 150500通辽市 150502科尔沁区 150521科尔沁左翼中旗
150522科尔沁左翼后旗 150523开鲁县 150524库伦旗 150525奈曼旗 150526扎鲁特旗 150581霍林郭勒市 150600鄂尔多斯市 150602东胜区
150603康巴什区 150621达拉特旗 150622准格尔旗 150623鄂托克前旗 150624鄂托克旗 150625杭锦旗 150626乌审旗 150627伊金霍洛旗
150700呼伦贝尔市 150702海拉尔区 150703扎赉诺尔区 150721阿荣旗 150722莫力达瓦达斡尔族自治旗 150723鄂伦春自治旗 150724鄂温克族自治旗
150725陈巴尔虎旗 150726新巴尔虎左旗 150727新巴尔虎右旗 150781满洲里市 150782牙克石市 150783扎兰屯市 150784额尔古纳市 150785根河市
150800巴彦淖尔市 150802临河区 150821五原县 150822磴口县 150823乌拉特前旗 150824乌拉特中旗 150825乌拉特后旗 150826杭锦后旗
150900乌兰察布市 150902集宁区 150921卓资县 150922化德县 150923商都县 150924兴和县 150925凉城县 150926察哈尔右翼前旗
150927察哈尔右翼中旗 150928察哈尔右翼后旗 150929四子王旗 150981丰镇市 152200兴安盟 152201乌兰浩特市 152202阿尔山市 152221科尔沁右翼前旗
152222科尔沁右翼中旗 152223扎赉特旗 152224突泉县 152500锡林郭勒盟 152501二连浩特市 152502锡林浩特市 152522阿巴嘎旗 152523苏尼特左旗
152524苏尼特右旗 152525东乌珠穆沁旗 152526西乌珠穆沁旗 152527太仆寺旗 152528镶黄旗 152529正镶白旗 152530正蓝旗 152531多伦县
152900阿拉善盟 152921阿拉善左旗 152922阿拉善右旗 152923额济纳旗 210000辽宁省 210100沈阳市 210102和平区 210103沈河区 210104大东区
210105皇姑区 210106铁西区 210111苏家屯区 210112浑南区 210113沈北新区 210114于洪区 210115辽中区 210123康平县 210124法库县
210181新民市 210200大连市 210202中山区 210203西岗区 210204沙河口区 210211甘井子区 210212旅顺口区 210213金州区 210214普兰店区
210224长海县 210281瓦房店市 210283庄河市 210300鞍山市 210302铁东区 210303铁西区 210304立山区 210311千山区 210321台安县
210323岫岩满族自治县 210381海城市 210400抚顺市 210402新抚区 210403东洲区 210404望花区 210411顺城区 210421抚顺县
210422新宾满族自治县 210423清原满族自治县 210500本溪市 210502平山区 210503溪湖区 210504明山区 210505南芬区 210521本溪满族自治县
210522桓仁满族自治县 210600丹东市 210602元宝区 210603振兴区 210604振安区 210624宽甸满族自治县 210681东港市 210682凤城市
210700锦州市 210702古塔区 210703凌河区 210711太和区 210726黑山县 210727义县 210781凌海市 210782北镇市 210800营口市
210802站前区 210803西市区 210804鲅鱼圈区 210811老边区 210881盖州市 210882大石桥市 210900阜新市 210902海州区 210903新邱区
210904太平区 210905清河门区 210911细河区 210921阜新蒙古族自治县 210922彰武县 211000辽阳市 211002白塔区 211003文圣区 211004宏伟区
211005弓长岭区 211011太子河区 211021辽阳县 211081灯塔市 211100盘锦市 211102双台子区 211103兴隆台区 211104大洼区 211122盘山县
211200铁岭市 211202银州区 211204清河区 211221铁岭县 211223西丰县 211224昌图县 211281调兵山市 211282开原市 211300朝阳市
211302双塔区 211303龙城区 211321朝阳县 211322建平县 211324喀喇沁左翼蒙古族自治县 211381北票市 211382凌源市 211400葫芦岛市
211402连山区 211403龙港区 211404南票区 211421绥中县 211422建昌县 211481兴城市 220000吉林省 220100长春市 220102南关区
220103宽城区 220104朝阳区 220105二道区 220106绿园区 220112双阳区 220113九台区 220122农安县 220182榆树市 220183德惠市
220200吉林市 220202昌邑区 220203龙潭区 220204船营区 220211丰满区 220221永吉县 220281蛟河市 220282桦甸市 220283舒兰市
220284磐石市 220300四平市 220302铁西区 220303铁东区 220322梨树县 220323伊通满族自治县 220381公主岭市 220382双辽市 220400辽源市
220402龙山区 220403西安区 220421东丰县 220422东辽县 220500通化市 220502东昌区 220503二道江区 220521通化县 220523辉南县
220524柳河县 220581梅河口市 220582集安市 220600白山市 220602浑江区 220605江源区 220621抚松县 220622靖宇县 220623长白朝鲜族自治县
220681临江市 220700松原市 220702宁江区 220721前郭尔罗斯蒙古族自治县 220722长岭县 220723乾安县 220781扶余市 220800白城市
220802洮北区 220821镇赉县 220822通榆县 220881洮南市 220882大安市 222400延边朝鲜族自治州 222401延吉市 222402图们市 222403敦化市
222404珲春市 222405龙井市 222406和龙市 222424汪清县 222426安图县 230000黑龙江省 230100哈尔滨市 230102道里区 230103南岗区
230104道外区 230108平房区 230109松北区 230110香坊区 230111呼兰区 230112阿城区 230113双城区 230123依兰县 230124方正县
230125宾县 230126巴彦县 230127木兰县 230128通河县 230129延寿县 230183尚志市 230184五常市 230200齐齐哈尔市 230202龙沙区
230203建华区 230204铁锋区 230205昂昂溪区 230206富拉尔基区 230207碾子山区 230208梅里斯达斡尔族区 230221龙江县 230223依安县
230224泰来县 230225甘南县 230227富裕县 230229克山县 230230克东县 230231拜泉县 230281讷河市 230300鸡西市 230302鸡冠区
230303恒山区 230304滴道区 230305梨树区 230306城子河区 230307麻山区 230321鸡东县 230381虎林市 230382密山市 230400鹤岗市
230402向阳区 230403工农区 230404南山区 230405兴安区 230406东山区 230407兴山区 230421萝北县 230422绥滨县 230500双鸭山市
230502尖山区 230503岭东区 230505四方台区 230506宝山区 230521集贤县 230522友谊县 230523宝清县 230524饶河县 230600大庆市
230602萨尔图区 230603龙凤区 230604让胡路区 230605红岗区 230606大同区 230621肇州县 230622肇源县 230623林甸县
230624杜尔伯特蒙古族自治县 230700伊春市 230702伊春区 230703南岔区 230704友好区 230705西林区 230706翠峦区 230707新青区 230708美溪区
230709金山屯区 230710五营区 230711乌马河区 230712汤旺河区 230713带岭区 230714乌伊岭区 230715红星区 230716上甘岭区 230722嘉荫县
230781铁力市 230800佳木斯市 230803向阳区 230804前进区 230805东风区 230811郊区 230822桦南县 230826桦川县 230828汤原县
230881同江市 230882富锦市 230883抚远市 230900七台河市 230902新兴区 230903桃山区 230904茄子河区 230921勃利县 231000牡丹江市
231002东安区 231003阳明区 231004爱民区 231005西安区 231025林口县 231081绥芬河市 231083海林市 231084宁安市 231085穆棱市
231086东宁市 231100黑河市 231102爱辉区 231121嫩江县 231123逊克县 231124孙吴县 231181北安市 231182五大连池市 231200绥化市
231202北林区 231221望奎县 231222兰西县 231223青冈县 231224庆安县 231225明水县 231226绥棱县 231281安达市 231282肇东市
231283海伦市 232700大兴安岭地区 232721呼玛县 232722塔河县 232723漠河县 310000上海市 310101黄浦区 310104徐汇区 310105长宁区
310106静安区 310107普陀区 310109虹口区 310110杨浦区 310112闵行区 310113宝山区 310114嘉定区 310115浦东新区 310116金山区
310117松江区 310118青浦区 310120奉贤区 310151崇明区 320000江苏省 320100南京市 320102玄武区 320104秦淮区 320105建邺区
320106鼓楼区 320111浦口区 320113栖霞区 320114雨花台区 320115江宁区 320116六合区 320117溧水区 320118高淳区 320200无锡市
320205锡山区 320206惠山区 320211滨湖区 320213梁溪区 320214新吴区 320281江阴市 320282宜兴市 320300徐州市 320302鼓楼区
320303云龙区 320305贾汪区 320311泉山区 320312铜山区 320321丰县 320322沛县 320324睢宁县 320381新沂市 320382邳州市
320400常州市 320402天宁区 320404钟楼区 320411新北区 320412武进区 320413金坛区 320481溧阳市 320500苏州市 320505虎丘区
320506吴中区 320507相城区 320508姑苏区 320509吴江区 320581常熟市 320582张家港市 320583昆山市 320585太仓市 320600南通市
320602崇川区 320611港闸区 320612通州区 320621海安县 320623如东县 320681启东市 320682如皋市 320684海门市 320700连云港市
320703连云区 320706海州区 320707赣榆区 320722东海县 320723灌云县 320724灌南县 320800淮安市 320803淮安区 320804淮阴区
320812清江浦区 320813洪泽区 320826涟水县 320830盱眙县 320831金湖县 320900盐城市 320902亭湖区 320903盐都区 320904大丰区
320921响水县 320922滨海县 320923阜宁县 320924射阳县 320925建湖县 320981东台市 321000扬州市 321002广陵区 321003邗江区
321012江都区 321023宝应县 321081仪征市 321084高邮市 321100镇江市 321102京口区 321111润州区 321112丹徒区 321181丹阳市
321182扬中市 321183句容市 321200泰州市 321202海陵区 321203高港区 321204姜堰区 321281兴化市 321282靖江市 321283泰兴市
321300宿迁市 321302宿城区 321311宿豫区 321322沭阳县 321323泗阳县 321324泗洪县 330000浙江省 330100杭州市 330102上城区
330103下城区 330104江干区 330105拱墅区 330106西湖区 330108滨江区 330109萧山区 330110余杭区 330111富阳区 330122桐庐县
330127淳安县 330182建德市 330185临安市 330200宁波市 330203海曙区 330204江东区 330205江北区 330206北仑区 330211镇海区
330212鄞州区 330225象山县 330226宁海县 330281余姚市 330282慈溪市 330283奉化市 330300温州市 330302鹿城区 330303龙湾区
330304瓯海区 330305洞头区 330324永嘉县 330326平阳县 330327苍南县 330328文成县 330329泰顺县 330381瑞安市 330382乐清市
330400嘉兴市 330402南湖区 330411秀洲区 330421嘉善县 330424海盐县 330481海宁市 330482平湖市 330483桐乡市 330500湖州市
330502吴兴区 330503南浔区 330521德清县 330522长兴县 330523安吉县 330600绍兴市 330602越城区 330603柯桥区 330604上虞区
330624新昌县 330681诸暨市 330683嵊州市 330700金华市 330702婺城区 330703金东区 330723武义县 330726浦江县 330727磐安县
330781兰溪市 330782义乌市 330783东阳市 330784永康市 330800衢州市 330802柯城区 330803衢江区 330822常山县 330824开化县
330825龙游县 330881江山市 330900舟山市 330902定海区 330903普陀区 330921岱山县 330922嵊泗县 331000台州市 331002椒江区
331003黄岩区 331004路桥区 331021玉环县 331022三门县 331023天台县 331024仙居县 331081温岭市 331082临海市 331100丽水市
331102莲都区 331121青田县 331122缙云县 331123遂昌县 331124松阳县 331125云和县 331126庆元县 331127景宁畲族自治县 331181龙泉市
340000安徽省 340100合肥市 340102瑶海区 340103庐阳区 340104蜀山区 340111包河区 340121长丰县 340122肥东县 340123肥西县
340124庐江县 340181巢湖市 340200芜湖市 340202镜湖区 340203弋江区 340207鸠江区 340208三山区 340221芜湖县 340222繁昌县
340223南陵县 340225无为县 340300蚌埠市 340302龙子湖区 340303蚌山区 340304禹会区 340311淮上区 340321怀远县 340322五河县
340323固镇县 340400淮南市 340402大通区 340403田家庵区 340404谢家集区 340405八公山区 340406潘集区 340421凤台县 340422寿县
340500马鞍山市 340503花山区 340504雨山区 340506博望区 340521当涂县 340522含山县 340523和县 340600淮北市 340602杜集区
340603相山区 340604烈山区 340621濉溪县 340700铜陵市 340705铜官区 340706义安区 340711郊区 340722枞阳县 340800安庆市
340802迎江区 340803大观区 340811宜秀区 340822怀宁县 340824潜山县 340825太湖县 340826宿松县 340827望江县 340828岳西县
340881桐城市 341000黄山市 341002屯溪区 341003黄山区 341004徽州区 341021歙县 341022休宁县 341023黟县 341024祁门县
341100滁州市 341102琅琊区 341103南谯区 341122来安县 341124全椒县 341125定远县 341126凤阳县 341181天长市 341182明光市
341200阜阳市 341202颍州区 341203颍东区 341204颍泉区 341221临泉县 341222太和县 341225阜南县 341226颍上县 341282界首市
341300宿州市 341302埇桥区 341321砀山县 341322萧县 341323灵璧县 341324泗县 341500六安市 341502金安区 341503裕安区
341504叶集区 341522霍邱县 341523舒城县 341524金寨县 341525霍山县 341600亳州市 341602谯城区 341621涡阳县 341622蒙城县
341623利辛县 341700池州市 341702贵池区 341721东至县 341722石台县 341723青阳县 341800宣城市 341802宣州区 341821郎溪县
341822广德县 341823泾县 341824绩溪县 341825旌德县 341881宁国市 350000福建省 350100福州市 350102鼓楼区 350103台江区
350104仓山区 350105马尾区 350111晋安区 350121闽侯县 350122连江县 350123罗源县 350124闽清县 350125永泰县 350128平潭县
350181福清市 350182长乐市 350200厦门市 350203思明区 350205海沧区 350206湖里区 350211集美区 350212同安区 350213翔安区
350300莆田市 350302城厢区 350303涵江区 350304荔城区 350305秀屿区 350322仙游县 350400三明市 350402梅列区 350403三元区
350421明溪县 350423清流县 350424宁化县 350425大田县 350426尤溪县 350427沙县 350428将乐县 350429泰宁县 350430建宁县
350481永安市 350500泉州市 350502鲤城区 350503丰泽区 350504洛江区 350505泉港区 350521惠安县 350524安溪县 350525永春县
350526德化县 350527金门县 350581石狮市 350582晋江市 350583南安市 350600漳州市 350602芗城区 350603龙文区 350622云霄县
350623漳浦县 350624诏安县 350625长泰县 350626东山县 350627南靖县 350628平和县 350629华安县 350681龙海市 350700南平市
350702延平区 350703建阳区 350721顺昌县 350722浦城县 350723光泽县 350724松溪县 350725政和县 350781邵武市 350782武夷山市
350783建瓯市 350800龙岩市 350802新罗区 350803永定区 350821长汀县 350823上杭县 350824武平县 350825连城县 350881漳平市
350900宁德市 350902蕉城区 350921霞浦县 350922古田县 350923屏南县 350924寿宁县 350925周宁县 350926柘荣县 350981福安市
350982福鼎市 360000江西省 360100南昌市 360102东湖区 360103西湖区 360104青云谱区 360105湾里区 360111青山湖区 360112新建区
360121南昌县 360123安义县 360124进贤县 360200景德镇市 360202昌江区 360203珠山区 360222浮梁县 360281乐平市 360300萍乡市
360302安源区 360313湘东区 360321莲花县 360322上栗县 360323芦溪县 360400九江市 360402濂溪区 360403浔阳区 360421九江县
360423武宁县 360424修水县 360425永修县 360426德安县 360428都昌县 360429湖口县 360430彭泽县 360481瑞昌市 360482共青城市
360483庐山市 360500新余市 360502渝水区 360521分宜县 360600鹰潭市 360602月湖区 360622余江县 360681贵溪市 360700赣州市
360702章贡区 360703南康区 360721赣县 360722信丰县 360723大余县 360724上犹县 360725崇义县 360726安远县 360727龙南县
360728定南县 360729全南县 360730宁都县 360731于都县 360732兴国县 360733会昌县 360734寻乌县 360735石城县 360781瑞金市
360800吉安市 360802吉州区 360803青原区 360821吉安县 360822吉水县 360823峡江县 360824新干县 360825永丰县 360826泰和县
360827遂川县 360828万安县 360829安福县 360830永新县 360881井冈山市 360900宜春市 360902袁州区 360921奉新县 360922万载县
360923上高县 360924宜丰县 360925靖安县 360926铜鼓县 360981丰城市 360982樟树市 360983高安市 361000抚州市 361002临川区
361021南城县 361022黎川县 361023南丰县 361024崇仁县 361025乐安县 361026宜黄县 361027金溪县 361028资溪县 361029东乡县
361030广昌县 361100上饶市 361102信州区 361103广丰区 361121上饶县 361123玉山县 361124铅山县 361125横峰县 361126弋阳县
361127余干县 361128鄱阳县 361129万年县 361130婺源县 361181德兴市 370000山东省 370100济南市 370102历下区 370103市中区
370104槐荫区 370105天桥区 370112历城区 370113长清区 370124平阴县 370125济阳县 370126商河县 370181章丘市 370200青岛市
370202市南区 370203市北区 370211黄岛区 370212崂山区 370213李沧区 370214城阳区 370281胶州市 370282即墨市 370283平度市
370285莱西市 370300淄博市 370302淄川区 370303张店区 370304博山区 370305临淄区 370306周村区 370321桓台县 370322高青县
370323沂源县 370400枣庄市 370402市中区 370403薛城区 370404峄城区 370405台儿庄区 370406山亭区 370481滕州市 370500东营市
370502东营区 370503河口区 370505垦利区 370522利津县 370523广饶县 370600烟台市 370602芝罘区 370611福山区 370612牟平区
370613莱山区 370634长岛县 370681龙口市 370682莱阳市 370683莱州市 370684蓬莱市 370685招远市 370686栖霞市 370687海阳市
370700潍坊市 370702潍城区 370703寒亭区 370704坊子区 370705奎文区 370724临朐县 370725昌乐县 370781青州市 370782诸城市
370783寿光市 370784安丘市 370785高密市 370786昌邑市 370800济宁市 370811任城区 370812兖州区 370826微山县 370827鱼台县
370828金乡县 370829嘉祥县 370830汶上县 370831泗水县 370832梁山县 370881曲阜市 370883邹城市 370900泰安市 370902泰山区
370911岱岳区 370921宁阳县 370923东平县 370982新泰市 370983肥城市 371000威海市 371002环翠区 371003文登区 371082荣成市
371083乳山市 371100日照市 371102东港区 371103岚山区 371121五莲县 371122莒县 371200莱芜市 371202莱城区 371203钢城区
371300临沂市 371302兰山区 371311罗庄区 371312河东区 371321沂南县 371322郯城县 371323沂水县 371324兰陵县 371325费县
371326平邑县 371327莒南县 371328蒙阴县 371329临沭县 371400德州市 371402德城区 371403陵城区 371422宁津县 371423庆云县
371424临邑县 371425齐河县 371426平原县 371427夏津县 371428武城县 371481乐陵市 371482禹城市 371500聊城市 371502东昌府区
371521阳谷县 371522莘县 371523茌平县 371524东阿县 371525冠县 371526高唐县 371581临清市 371600滨州市 371602滨城区
371603沾化区 371621惠民县 371622阳信县 371623无棣县 371625博兴县 371626邹平县 371700菏泽市 371702牡丹区 371703定陶区
371721曹县 371722单县 371723成武县 371724巨野县 371725郓城县 371726鄄城县 371728东明县 410000河南省 410100郑州市
410102中原区 410103二七区 410104管城回族区 410105金水区 410106上街区 410108惠济区 410122中牟县 410181巩义市 410182荥阳市
410183新密市 410184新郑市 410185登封市 410200开封市 410202龙亭区 410203顺河回族区 410204鼓楼区 410205禹王台区 410211金明区
410212祥符区 410221杞县 410222通许县 410223尉氏县 410225兰考县 410300洛阳市 410302老城区 410303西工区 410304瀍河回族区
410305涧西区 410306吉利区 410311洛龙区 410322孟津县 410323新安县 410324栾川县 410325嵩县 410326汝阳县 410327宜阳县
410328洛宁县 410329伊川县 410381偃师市 410400平顶山市 410402新华区 410403卫东区 410404石龙区 410411湛河区 410421宝丰县
410422叶县 410423鲁山县 410425郏县 410481舞钢市 410482汝州市 410500安阳市 410502文峰区 410503北关区 410505殷都区
410506龙安区 410522安阳县 410523汤阴县 410526滑县 410527内黄县 410581林州市 410600鹤壁市 410602鹤山区 410603山城区
410611淇滨区 410621浚县 410622淇县 410700新乡市 410702红旗区 410703卫滨区 410704凤泉区 410711牧野区 410721新乡县
410724获嘉县 410725原阳县 410726延津县 410727封丘县 410728长垣县 410781卫辉市 410782辉县市 410800焦作市 410802解放区
410803中站区 410804马村区 410811山阳区 410821修武县 410822博爱县 410823武陟县 410825温县 410882沁阳市 410883孟州市
410900濮阳市 410902华龙区 410922清丰县 410923南乐县 410926范县 410927台前县 410928濮阳县 411000许昌市 411002魏都区
411023许昌县 411024鄢陵县 411025襄城县 411081禹州市 411082长葛市 411100漯河市 411102源汇区 411103郾城区 411104召陵区
411121舞阳县 411122临颍县 411200三门峡市 411202湖滨区 411203陕州区 411221渑池县 411224卢氏县 411281义马市 411282灵宝市
411300南阳市 411302宛城区 411303卧龙区 411321南召县 411322方城县 411323西峡县 411324镇平县 411325内乡县 411326淅川县
411327社旗县 411328唐河县 411329新野县 411330桐柏县 411381邓州市 411400商丘市 411402梁园区 411403睢阳区 411421民权县
411422睢县 411423宁陵县 411424柘城县 411425虞城县 411426夏邑县 411481永城市 411500信阳市 411502浉河区 411503平桥区
411521罗山县 411522光山县 411523新县 411524商城县 411525固始县 411526潢川县 411527淮滨县 411528息县 411600周口市
411602川汇区 411621扶沟县 411622西华县 411623商水县 411624沈丘县 411625郸城县 411626淮阳县 411627太康县 411628鹿邑县
411681项城市 411700驻马店市 411702驿城区 411721西平县 411722上蔡县 411723平舆县 411724正阳县 411725确山县 411726泌阳县
411727汝南县 411728遂平县 411729新蔡县 419001济源市 420000湖北省 420100武汉市 420102江岸区 420103江汉区 420104硚口区
420105汉阳区 420106武昌区 420107青山区 420111洪山区 420112东西湖区 420113汉南区 420114蔡甸区 420115江夏区 420116黄陂区
420117新洲区 420200黄石市 420202黄石港区 420203西塞山区 420204下陆区 420205铁山区 420222阳新县 420281大冶市 420300十堰市
420302茅箭区 420303张湾区 420304郧阳区 420322郧西县 420323竹山县 420324竹溪县 420325房县 420381丹江口市 420500宜昌市
420502西陵区 420503伍家岗区 420504点军区 420505猇亭区 420506夷陵区 420525远安县 420526兴山县 420527秭归县 420528长阳土家族自治县
420529五峰土家族自治县 420581宜都市 420582当阳市 420583枝江市 420600襄阳市 420602襄城区 420606樊城区 420607襄州区 420624南漳县
420625谷城县 420626保康县 420682老河口市 420683枣阳市 420684宜城市 420700鄂州市 420702梁子湖区 420703华容区 420704鄂城区
420800荆门市 420802东宝区 420804掇刀区 420821京山县 420822沙洋县 420881钟祥市 420900孝感市 420902孝南区 420921孝昌县
420922大悟县 420923云梦县 420981应城市 420982安陆市 420984汉川市 421000荆州市 421002沙市区 421003荆州区 421022公安县
421023监利县 421024江陵县 421081石首市 421083洪湖市 421087松滋市 421100黄冈市 421102黄州区 421121团风县 421122红安县
421123罗田县 421124英山县 421125浠水县 421126蕲春县 421127黄梅县 421181麻城市 421182武穴市 421200咸宁市 421202咸安区
421221嘉鱼县 421222通城县 421223崇阳县 421224通山县 421281赤壁市 421300随州市 421303曾都区 421321随县 421381广水市
422800恩施土家族苗族自治州 422801恩施市 422802利川市 422822建始县 422823巴东县 422825宣恩县 422826咸丰县 422827来凤县 422828鹤峰县
429004仙桃市 429005潜江市 429006天门市 429021神农架林区 430000湖南省 430100长沙市 430102芙蓉区 430103天心区 430104岳麓区
430105开福区 430111雨花区 430112望城区 430121长沙县 430124宁乡县 430181浏阳市 430200株洲市 430202荷塘区 430203芦淞区
430204石峰区 430211天元区 430221株洲县 430223攸县 430224茶陵县 430225炎陵县 430281醴陵市 430300湘潭市 430302雨湖区
430304岳塘区 430321湘潭县 430381湘乡市 430382韶山市 430400衡阳市 430405珠晖区 430406雁峰区 430407石鼓区 430408蒸湘区
430412南岳区 430421衡阳县 430422衡南县 430423衡山县 430424衡东县 430426祁东县 430481耒阳市 430482常宁市 430500邵阳市
430502双清区 430503大祥区 430511北塔区 430521邵东县 430522新邵县 430523邵阳县 430524隆回县 430525洞口县 430527绥宁县
430528新宁县 430529城步苗族自治县 430581武冈市 430600岳阳市 430602岳阳楼区 430603云溪区 430611君山区 430621岳阳县 430623华容县
430624湘阴县 430626平江县 430681汨罗市 430682临湘市 430700常德市 430702武陵区 430703鼎城区 430721安乡县 430722汉寿县
430723澧县 430724临澧县 430725桃源县 430726石门县 430781津市市 430800张家界市 430802永定区 430811武陵源区 430821慈利县
430822桑植县 430900益阳市 430902资阳区 430903赫山区 430921南县 430922桃江县 430923安化县 430981沅江市 431000郴州市
431002北湖区 431003苏仙区 431021桂阳县 431022宜章县 431023永兴县 431024嘉禾县 431025临武县 431026汝城县 431027桂东县
431028安仁县 431081资兴市 431100永州市 431102零陵区 431103冷水滩区 431121祁阳县 431122东安县 431123双牌县 431124道县
431125江永县 431126宁远县 431127蓝山县 431128新田县 431129江华瑶族自治县 431200怀化市 431202鹤城区 431221中方县 431222沅陵县
431223辰溪县 431224溆浦县 431225会同县 431226麻阳苗族自治县 431227新晃侗族自治县 431228芷江侗族自治县 431229靖州苗族侗族自治县
431230通道侗族自治县 431281洪江市 431300娄底市 431302娄星区 431321双峰县 431322新化县 431381冷水江市 431382涟源市
433100湘西土家族苗族自治州 433101吉首市 433122泸溪县 433123凤凰县 433124花垣县 433125保靖县 433126古丈县 433127永顺县 433130龙山县
440000广东省 440100广州市 440103荔湾区 440104越秀区 440105海珠区 440106天河区 440111白云区 440112黄埔区 440113番禺区
440114花都区 440115南沙区 440117从化区 440118增城区 440200韶关市 440203武江区 440204浈江区 440205曲江区 440222始兴县
440224仁化县 440229翁源县 440232乳源瑶族自治县 440233新丰县 440281乐昌市 440282南雄市 440300深圳市 440303罗湖区 440304福田区
440305南山区 440306宝安区 440307龙岗区 440308盐田区 440400珠海市 440402香洲区 440403斗门区 440404金湾区 440500汕头市
440507龙湖区 440511金平区 440512濠江区 440513潮阳区 440514潮南区 440515澄海区 440523南澳县 440600佛山市 440604禅城区
440605南海区 440606顺德区 440607三水区 440608高明区 440700江门市 440703蓬江区 440704江海区 440705新会区 440781台山市
440783开平市 440784鹤山市 440785恩平市 440800湛江市 440802赤坎区 440803霞山区 440804坡头区 440811麻章区 440823遂溪县
440825徐闻县 440881廉江市 440882雷州市 440883吴川市 440900茂名市 440902茂南区 440904电白区 440981高州市 440982化州市
440983信宜市 441200肇庆市 441202端州区 441203鼎湖区 441204高要区 441223广宁县 441224怀集县 441225封开县 441226德庆县
441284四会市 441300惠州市 441302惠城区 441303惠阳区 441322博罗县 441323惠东县 441324龙门县 441400梅州市 441402梅江区
441403梅县区 441422大埔县 441423丰顺县 441424五华县 441426平远县 441427蕉岭县 441481兴宁市 441500汕尾市 441502城区
441521海丰县 441523陆河县 441581陆丰市 441600河源市 441602源城区 441621紫金县 441622龙川县 441623连平县 441624和平县
441625东源县 441700阳江市 441702江城区 441704阳东区 441721阳西县 441781阳春市 441800清远市 441802清城区 441803清新区
441821佛冈县 441823阳山县 441825连山壮族瑶族自治县 441826连南瑶族自治县 441881英德市 441882连州市 441900东莞市 442000中山市
445100潮州市 445102湘桥区 445103潮安区 445122饶平县 445200揭阳市 445202榕城区 445203揭东区 445222揭西县 445224惠来县
445281普宁市 445300云浮市 445302云城区 445303云安区 445321新兴县 445322郁南县 445381罗定市 450000广西壮族自治区 450100南宁市
450102兴宁区 450103青秀区 450105江南区 450107西乡塘区 450108良庆区 450109邕宁区 450110武鸣区 450123隆安县 450124马山县
450125上林县 450126宾阳县 450127横县 450200柳州市 450202城中区 450203鱼峰区 450204柳南区 450205柳北区 450206柳江区
450222柳城县 450223鹿寨县 450224融安县 450225融水苗族自治县 450226三江侗族自治县 450300桂林市 450302秀峰区 450303叠彩区
450304象山区 450305七星区 450311雁山区 450312临桂区 450321阳朔县 450323灵川县 450324全州县 450325兴安县 450326永福县
450327灌阳县 450328龙胜各族自治县 450329资源县 450330平乐县 450331荔浦县 450332恭城瑶族自治县 450400梧州市 450403万秀区
450405长洲区 450406龙圩区 450421苍梧县 450422藤县 450423蒙山县 450481岑溪市 450500北海市 450502海城区 450503银海区
450512铁山港区 450521合浦县 450600防城港市 450602港口区 450603防城区 450621上思县 450681东兴市 450700钦州市 450702钦南区
450703钦北区 450721灵山县 450722浦北县 450800贵港市 450802港北区 450803港南区 450804覃塘区 450821平南县 450881桂平市
450900玉林市 450902玉州区 450903福绵区 450921容县 450922陆川县 450923博白县 450924兴业县 450981北流市 451000百色市
451002右江区 451021田阳县 451022田东县 451023平果县 451024德保县 451026那坡县 451027凌云县 451028乐业县 451029田林县
451030西林县 451031隆林各族自治县 451081靖西市 451100贺州市 451102八步区 451103平桂区 451121昭平县 451122钟山县
451123富川瑶族自治县 451200河池市 451202金城江区 451221南丹县 451222天峨县 451223凤山县 451224东兰县 451225罗城仫佬族自治县
451226环江毛南族自治县 451227巴马瑶族自治县 451228都安瑶族自治县 451229大化瑶族自治县 451281宜州市 451300来宾市 451302兴宾区 451321忻城县
451322象州县 451323武宣县 451324金秀瑶族自治县 451381合山市 451400崇左市 451402江州区 451421扶绥县 451422宁明县 451423龙州县
451424大新县 451425天等县 451481凭祥市 460000海南省 460100海口市 460105秀英区 460106龙华区 460107琼山区 460108美兰区
460200三亚市 460202海棠区 460203吉阳区 460204天涯区 460205崖州区 460300三沙市 460321西沙群岛 460322南沙群岛
460323中沙群岛的岛礁及其海域 460400儋州市 469001五指山市 469002琼海市 469005文昌市 469006万宁市 469007东方市 469021定安县
469022屯昌县 469023澄迈县 469024临高县 469025白沙黎族自治县 469026昌江黎族自治县 469027乐东黎族自治县 469028陵水黎族自治县
469029保亭黎族苗族自治县 469030琼中黎族苗族自治县 500000重庆市 500101万州区 500102涪陵区 500103渝中区 500104大渡口区 500105江北区
500106沙坪坝区 500107九龙坡区 500108南岸区 500109北碚区 500110綦江区 500111大足区 500112渝北区 500113巴南区 500114黔江区
500115长寿区 500116江津区 500117合川区 500118永川区 500119南川区 500120璧山区 500151铜梁区 500152潼南区 500153荣昌区
500154开州区 500228梁平县 500229城口县 500230丰都县 500231垫江县 500232武隆县 500233忠县 500235云阳县 500236奉节县
500237巫山县 500238巫溪县 500240石柱土家族自治县 500241秀山土家族苗族自治县 500242酉阳土家族苗族自治县 500243彭水苗族土家族自治县 510000四川省
510100成都市 510104锦江区 510105青羊区 510106金牛区 510107武侯区 510108成华区 510112龙泉驿区 510113青白江区 510114新都区
510115温江区 510116双流区 510121金堂县 510124郫县 510129大邑县 510131蒲江县 510132新津县 510181都江堰市 510182彭州市
510183邛崃市 510184崇州市 510185简阳市 510300自贡市 510302自流井区 510303贡井区 510304大安区 510311沿滩区 510321荣县
510322富顺县 510400攀枝花市 510402东区 510403西区 510411仁和区 510421米易县 510422盐边县 510500泸州市 510502江阳区
510503纳溪区 510504龙马潭区 510521泸县 510522合江县 510524叙永县 510525古蔺县 510600德阳市 510603旌阳区 510623中江县
510626罗江县 510681广汉市 510682什邡市 510683绵竹市 510700绵阳市 510703涪城区 510704游仙区 510705安州区 510722三台县
510723盐亭县 510725梓潼县 510726北川羌族自治县 510727平武县 510781江油市 510800广元市 510802利州区 510811昭化区 510812朝天区
510821旺苍县 510822青川县 510823剑阁县 510824苍溪县 510900遂宁市 510903船山区 510904安居区 510921蓬溪县 510922射洪县
510923大英县 511000内江市 511002市中区 511011东兴区 511024威远县 511025资中县 511028隆昌县 511100乐山市 511102市中区
511111沙湾区 511112五通桥区 511113金口河区 511123犍为县 511124井研县 511126夹江县 511129沐川县 511132峨边彝族自治县
511133马边彝族自治县 511181峨眉山市 511300南充市 511302顺庆区 511303高坪区 511304嘉陵区 511321南部县 511322营山县 511323蓬安县
511324仪陇县 511325西充县 511381阆中市 511400眉山市 511402东坡区 511403彭山区 511421仁寿县 511423洪雅县 511424丹棱县
511425青神县 511500宜宾市 511502翠屏区 511503南溪区 511521宜宾县 511523江安县 511524长宁县 511525高县 511526珙县
511527筠连县 511528兴文县 511529屏山县 511600广安市 511602广安区 511603前锋区 511621岳池县 511622武胜县 511623邻水县
511681华蓥市 511700达州市 511702通川区 511703达川区 511722宣汉县 511723开江县 511724大竹县 511725渠县 511781万源市
511800雅安市 511802雨城区 511803名山区 511822荥经县 511823汉源县 511824石棉县 511825天全县 511826芦山县 511827宝兴县
511900巴中市 511902巴州区 511903恩阳区 511921通江县 511922南江县 511923平昌县 512000资阳市 512002雁江区 512021安岳县
512022乐至县 513200阿坝藏族羌族自治州 513201马尔康市 513221汶川县 513222理县 513223茂县 513224松潘县 513225九寨沟县 513226金川县
513227小金县 513228黑水县 513230壤塘县 513231阿坝县 513232若尔盖县 513233红原县 513300甘孜藏族自治州 513301康定市 513322泸定县
513323丹巴县 513324九龙县 513325雅江县 513326道孚县 513327炉霍县 513328甘孜县 513329新龙县 513330德格县 513331白玉县
513332石渠县 513333色达县 513334理塘县 513335巴塘县 513336乡城县 513337稻城县 513338得荣县 513400凉山彝族自治州 513401西昌市
513422木里藏族自治县 513423盐源县 513424德昌县 513425会理县 513426会东县 513427宁南县 513428普格县 513429布拖县 513430金阳县
513431昭觉县 513432喜德县 513433冕宁县 513434越西县 513435甘洛县 513436美姑县 513437雷波县 520000贵州省 520100贵阳市
520102南明区 520103云岩区 520111花溪区 520112乌当区 520113白云区 520115观山湖区 520121开阳县 520122息烽县 520123修文县
520181清镇市 520200六盘水市 520201钟山区 520203六枝特区 520221水城县 520222盘县 520300遵义市 520302红花岗区 520303汇川区
520304播州区 520322桐梓县 520323绥阳县 520324正安县 520325道真仡佬族苗族自治县 520326务川仡佬族苗族自治县 520327凤冈县 520328湄潭县
520329余庆县 520330习水县 520381赤水市 520382仁怀市 520400安顺市 520402西秀区 520403平坝区 520422普定县 520423镇宁布依族苗族自治县
520424关岭布依族苗族自治县 520425紫云苗族布依族自治县 520500毕节市 520502七星关区 520521大方县 520522黔西县 520523金沙县 520524织金县
520525纳雍县 520526威宁彝族回族苗族自治县 520527赫章县 520600铜仁市 520602碧江区 520603万山区 520621江口县 520622玉屏侗族自治县
520623石阡县 520624思南县 520625印江土家族苗族自治县 520626德江县 520627沿河土家族自治县 520628松桃苗族自治县 522300黔西南布依族苗族自治州
522301兴义市 522322兴仁县 522323普安县 522324晴隆县 522325贞丰县 522326望谟县 522327册亨县 522328安龙县 522600黔东南苗族侗族自治州
522601凯里市 522622黄平县 522623施秉县 522624三穗县 522625镇远县 522626岑巩县 522627天柱县 522628锦屏县 522629剑河县
522630台江县 522631黎平县 522632榕江县 522633从江县 522634雷山县 522635麻江县 522636丹寨县 522700黔南布依族苗族自治州 522701都匀市
522702福泉市 522722荔波县 522723贵定县 522725瓮安县 522726独山县 522727平塘县 522728罗甸县 522729长顺县 522730龙里县
522731惠水县 522732三都水族自治县 530000云南省 530100昆明市 530102五华区 530103盘龙区 530111官渡区 530112西山区 530113东川区
530114呈贡区 530122晋宁县 530124富民县 530125宜良县 530126石林彝族自治县 530127嵩明县 530128禄劝彝族苗族自治县 530129寻甸回族彝族自治县
530181安宁市 530300曲靖市 530302麒麟区 530303沾益区 530321马龙县 530322陆良县 530323师宗县 530324罗平县 530325富源县
530326会泽县 530381宣威市 530400玉溪市 530402红塔区 530403江川区 530422澄江县 530423通海县 530424华宁县 530425易门县
530426峨山彝族自治县 530427新平彝族傣族自治县 530428元江哈尼族彝族傣族自治县 530500保山市 530502隆阳区 530521施甸县 530523龙陵县
530524昌宁县 530581腾冲市 530600昭通市 530602昭阳区 530621鲁甸县 530622巧家县 530623盐津县 530624大关县 530625永善县
530626绥江县 530627镇雄县 530628彝良县 530629威信县 530630水富县 530700丽江市 530702古城区 530721玉龙纳西族自治县 530722永胜县
530723华坪县 530724宁蒗彝族自治县 530800普洱市 530802思茅区 530821宁洱哈尼族彝族自治县 530822墨江哈尼族自治县 530823景东彝族自治县
530824景谷傣族彝族自治县 530825镇沅彝族哈尼族拉祜族自治县 530826江城哈尼族彝族自治县 530827孟连傣族拉祜族佤族自治县 530828澜沧拉祜族自治县
530829西盟佤族自治县 530900临沧市 530902临翔区 530921凤庆县 530922云县 530923永德县 530924镇康县 530925双江拉祜族佤族布朗族傣族自治县
530926耿马傣族佤族自治县 530927沧源佤族自治县 532300楚雄彝族自治州 532301楚雄市 532322双柏县 532323牟定县 532324南华县 532325姚安县
532326大姚县 532327永仁县 532328元谋县 532329武定县 532331禄丰县 532500红河哈尼族彝族自治州 532501个旧市 532502开远市 532503蒙自市
532504弥勒市 532523屏边苗族自治县 532524建水县 532525石屏县 532527泸西县 532528元阳县 532529红河县 532530金平苗族瑶族傣族自治县
532531绿春县 532532河口瑶族自治县 532600文山壮族苗族自治州 532601文山市 532622砚山县 532623西畴县 532624麻栗坡县 532625马关县
532626丘北县 532627广南县 532628富宁县 532800西双版纳傣族自治州 532801景洪市 532822勐海县 532823勐腊县 532900大理白族自治州
532901大理市 532922漾濞彝族自治县 532923祥云县 532924宾川县 532925弥渡县 532926南涧彝族自治县 532927巍山彝族回族自治县 532928永平县
532929云龙县 532930洱源县 532931剑川县 532932鹤庆县 533100德宏傣族景颇族自治州 533102瑞丽市 533103芒市 533122梁河县 533123盈江县
533124陇川县 533300怒江傈僳族自治州 533301泸水市 533323福贡县 533324贡山独龙族怒族自治县 533325兰坪白族普米族自治县 533400迪庆藏族自治州
533401香格里拉市 533422德钦县 533423维西傈僳族自治县 540000西藏自治区 540100拉萨市 540102城关区 540103堆龙德庆区 540121林周县
540122当雄县 540123尼木县 540124曲水县 540126达孜县 540127墨竹工卡县 540200日喀则市 540202桑珠孜区 540221南木林县 540222江孜县
540223定日县 540224萨迦县 540225拉孜县 540226昂仁县 540227谢通门县 540228白朗县 540229仁布县 540230康马县 540231定结县
540232仲巴县 540233亚东县 540234吉隆县 540235聂拉木县 540236萨嘎县 540237岗巴县 540300昌都市 540302卡若区 540321江达县
540322贡觉县 540323类乌齐县 540324丁青县 540325察雅县 540326八宿县 540327左贡县 540328芒康县 540329洛隆县 540330边坝县
540400林芝市 540402巴宜区 540421工布江达县 540422米林县 540423墨脱县 540424波密县 540425察隅县 540426朗县 540500山南市
540502乃东区 540521扎囊县 540522贡嘎县 540523桑日县 540524琼结县 540525曲松县 540526措美县 540527洛扎县 540528加查县
540529隆子县 540530错那县 540531浪卡子县 542400那曲地区 542421那曲县 542422嘉黎县 542423比如县 542424聂荣县 542425安多县
542426申扎县 542427索县 542428班戈县 542429巴青县 542430尼玛县 542431双湖县 542500阿里地区 542521普兰县 542522札达县
542523噶尔县 542524日土县 542525革吉县 542526改则县 542527措勤县 610000陕西省 610100西安市 610102新城区 610103碑林区
610104莲湖区 610111灞桥区 610112未央区 610113雁塔区 610114阎良区 610115临潼区 610116长安区 610117高陵区 610122蓝田县
610124周至县 610125户县 610200铜川市 610202王益区 610203印台区 610204耀州区 610222宜君县 610300宝鸡市 610302渭滨区
610303金台区 610304陈仓区 610322凤翔县 610323岐山县 610324扶风县 610326眉县 610327陇县 610328千阳县 610329麟游县 610330凤县
610331太白县 610400咸阳市 610402秦都区 610403杨陵区 610404渭城区 610422三原县 610423泾阳县 610424乾县 610425礼泉县
610426永寿县 610427彬县 610428长武县 610429旬邑县 610430淳化县 610431武功县 610481兴平市 610500渭南市 610502临渭区
610503华州区 610522潼关县 610523大荔县 610524合阳县 610525澄城县 610526蒲城县 610527白水县 610528富平县 610581韩城市
610582华阴市 610600延安市 610602宝塔区 610603安塞区 610621延长县 610622延川县 610623子长县 610625志丹县 610626吴起县
610627甘泉县 610628富县 610629洛川县 610630宜川县 610631黄龙县 610632黄陵县 610700汉中市 610702汉台区 610721南郑县
610722城固县 610723洋县 610724西乡县 610725勉县 610726宁强县 610727略阳县 610728镇巴县 610729留坝县 610730佛坪县
610800榆林市 610802榆阳区 610803横山区 610821神木县 610822府谷县 610824靖边县 610825定边县 610826绥德县 610827米脂县
610828佳县 610829吴堡县 610830清涧县 610831子洲县 610900安康市 610902汉滨区 610921汉阴县 610922石泉县 610923宁陕县
610924紫阳县 610925岚皋县 610926平利县 610927镇坪县 610928旬阳县 610929白河县 611000商洛市 611002商州区 611021洛南县
611022丹凤县 611023商南县 611024山阳县 611025镇安县 611026柞水县 620000甘肃省 620100兰州市 620102城关区 620103七里河区
620104西固区 620105安宁区 620111红古区 620121永登县 620122皋兰县 620123榆中县 620200嘉峪关市 620300金昌市 620302金川区
620321永昌县 620400白银市 620402白银区 620403平川区 620421靖远县 620422会宁县 620423景泰县 620500天水市 620502秦州区
620503麦积区 620521清水县 620522秦安县 620523甘谷县 620524武山县 620525张家川回族自治县 620600武威市 620602凉州区 620621民勤县
620622古浪县 620623天祝藏族自治县 620700张掖市 620702甘州区 620721肃南裕固族自治县 620722民乐县 620723临泽县 620724高台县
620725山丹县 620800平凉市 620802崆峒区 620821泾川县 620822灵台县 620823崇信县 620824华亭县 620825庄浪县 620826静宁县
620900酒泉市 620902肃州区 620921金塔县 620922瓜州县 620923肃北蒙古族自治县 620924阿克塞哈萨克族自治县 620981玉门市 620982敦煌市
621000庆阳市 621002西峰区 621021庆城县 621022环县 621023华池县 621024合水县 621025正宁县 621026宁县 621027镇原县
621100定西市 621102安定区 621121通渭县 621122陇西县 621123渭源县 621124临洮县 621125漳县 621126岷县 621200陇南市
621202武都区 621221成县 621222文县 621223宕昌县 621224康县 621225西和县 621226礼县 621227徽县 621228两当县
622900临夏回族自治州 622901临夏市 622921临夏县 622922康乐县 622923永靖县 622924广河县 622925和政县 622926东乡族自治县
622927积石山保安族东乡族撒拉族自治县 623000甘南藏族自治州 623001合作市 623021临潭县 623022卓尼县 623023舟曲县 623024迭部县 623025玛曲县
623026碌曲县 623027夏河县 630000青海省 630100西宁市 630102城东区 630103城中区 630104城西区 630105城北区 630121大通回族土族自治县
630122湟中县 630123湟源县 630200海东市 630202乐都区 630203平安区 630222民和回族土族自治县 630223互助土族自治县 630224化隆回族自治县
630225循化撒拉族自治县 632200海北藏族自治州 632221门源回族自治县 632222祁连县 632223海晏县 632224刚察县 632300黄南藏族自治州 632321同仁县
632322尖扎县 632323泽库县 632324河南蒙古族自治县 632500海南藏族自治州 632521共和县 632522同德县 632523贵德县 632524兴海县
632525贵南县 632600果洛藏族自治州 632621玛沁县 632622班玛县 632623甘德县 632624达日县 632625久治县 632626玛多县
632700玉树藏族自治州 632701玉树市 632722杂多县 632723称多县 632724治多县 632725囊谦县 632726曲麻莱县 632800海西蒙古族藏族自治州
632801格尔木市 632802德令哈市 632821乌兰县 632822都兰县 632823天峻县 640000宁夏回族自治区 640100银川市 640104兴庆区 640105西夏区
640106金凤区 640121永宁县 640122贺兰县 640181灵武市 640200石嘴山市 640202大武口区 640205惠农区 640221平罗县 640300吴忠市
640302利通区 640303红寺堡区 640323盐池县 640324同心县 640381青铜峡市 640400固原市 640402原州区 640422西吉县 640423隆德县
640424泾源县 640425彭阳县 640500中卫市 640502沙坡头区 640521中宁县 640522海原县 650000新疆维吾尔自治区 650100乌鲁木齐市
650102天山区 650103沙依巴克区 650104新市区 650105水磨沟区 650106头屯河区 650107达坂城区 650109米东区 650121乌鲁木齐县
650200克拉玛依市 650202独山子区 650203克拉玛依区 650204白碱滩区 650205乌尔禾区 650400吐鲁番市 650402高昌区 650421鄯善县
650422托克逊县 650500哈密市 650502伊州区 650521巴里坤哈萨克自治县 650522伊吾县 652300昌吉回族自治州 652301昌吉市 652302阜康市
652323呼图壁县 652324玛纳斯县 652325奇台县 652327吉木萨尔县 652328木垒哈萨克自治县 652700博尔塔拉蒙古自治州 652701博乐市 652702阿拉山口市
652722精河县 652723温泉县 652800巴音郭楞蒙古自治州 652801库尔勒市 652822轮台县 652823尉犁县 652824若羌县 652825且末县
652826焉耆回族自治县 652827和静县 652828和硕县 652829博湖县 652900阿克苏地区 652901阿克苏市 652922温宿县 652923库车县 652924沙雅县
652925新和县 652926拜城县 652927乌什县 652928阿瓦提县 652929柯坪县 653000克孜勒苏柯尔克孜自治州 653001阿图什市 653022阿克陶县
653023阿合奇县 653024乌恰县 653100喀什地区 653101喀什市 653121疏附县 653122疏勒县 653123英吉沙县 653124泽普县 653125莎车县
653126叶城县 653127麦盖提县 653128岳普湖县 653129伽师县 653130巴楚县 653131塔什库尔干塔吉克自治县 653200和田地区 653201和田市
653221和田县 653222墨玉县 653223皮山县 653224洛浦县 653225策勒县 653226于田县 653227民丰县 654000伊犁哈萨克自治州 654002伊宁市
654003奎屯市 654004霍尔果斯市 654021伊宁县 654022察布查尔锡伯自治县 654023霍城县 654024巩留县 654025新源县 654026昭苏县
654027特克斯县 654028尼勒克县 654200塔城地区 654201塔城市 654202乌苏市 654221额敏县 654223沙湾县 654224托里县 654225裕民县
654226和布克赛尔蒙古自治县 654300阿勒泰地区 654301阿勒泰市 654321布尔津县 654322富蕴县 654323福海县 654324哈巴河县 654325青河县
654326吉木乃县 659001石河子市 659002阿拉尔市 659003图木舒克市 659004五家渠市 659006铁门关市 710000台湾省 810000香港特别行政区
820000澳门特别行政区
"""
