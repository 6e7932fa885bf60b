"""The places a card prints (engine/places.py): a county or district read one or two
characters off the one real name it can be is given as that name; anything else is left as
read. Pure string rules: no model, no fonts."""

import pytest

from idcard_ocr.engine.places import authority_of_address, corrected_address, corrected_authority


@pytest.mark.parametrize("read, corrected", [
    # a rare character read as a common look-alike, the prefecture read before it
    ("河南省许昌市郡陵县人民路6号", "河南省许昌市鄢陵县人民路6号"),
    # a character dropped, in a municipality's district
    ("重庆市陵区建设巷12幢", "重庆市涪陵区建设巷12幢"),
    # a county named without its prefecture, chosen among the province's
    ("新疆维吾尔自治区塔什库尔千塔吉克自治县杨柳街道", "新疆维吾尔自治区塔什库尔干塔吉克自治县杨柳街道"),
    # two characters off an autonomous county's long name (仡 dropped, 族 read 旅)
    ("贵州省遵义市务川佬旅苗族自治县解放北路", "贵州省遵义市务川仡佬族苗族自治县解放北路"),
])
def test_an_address_county_read_off_its_only_near_real_name_is_that_name(read, corrected):
    assert corrected_address(read) == corrected


@pytest.mark.parametrize("read", [
    "河南省商丘市宁陵县人民路6号",    # a real county, one character from 许昌's 鄢陵县: kept
    "河南省许昌市鄢陵县人民路6号",    # as printed
    "湖南省许昌市郡陵县人民路6号",    # the province does not hold the city: nothing to choose in
    "许昌市郡陵县人民路6号",          # no province read: nothing to choose in
    "广西壮族自治区东兴市民路371号",  # a real county-level city; the street's 人 is not a place's
])
def test_an_address_is_left_as_read_when_no_single_real_name_is_meant(read):
    assert corrected_address(read) is None


@pytest.mark.parametrize("read, corrected", [
    ("一湖南省湘西土家族苗族自治州吉首市建设巷", "湖南省湘西土家族苗族自治州吉首市建设巷"),
    ("L河南省许昌市郡陵县人民路", "河南省许昌市鄢陵县人民路"),  # and its county
])
def test_a_character_read_before_the_province_is_not_the_addresss(read, corrected):
    assert corrected_address(read) == corrected


def test_two_counties_equally_near_are_told_apart_only_by_the_numbers_county():
    # 郑城县 is one character from both 郯城县 and 郓城县 in 山东
    assert corrected_address("山东省郑城县滨江东路") is None
    assert corrected_address("山东省郑城县滨江东路", "371322") == "山东省郯城县滨江东路"
    assert corrected_address("山东省郑城县滨江东路", "110101") is None


@pytest.mark.parametrize("read, corrected", [
    ("宁波市公安局郸州分局", "宁波市公安局鄞州分局"),     # a district, printed without 区
    ("重庆市公安局漕陵区分局", "重庆市公安局涪陵区分局"),  # printed with it
    ("积石山保安族东乡族拉族自治县公安局", "积石山保安族东乡族撒拉族自治县公安局"),
    ("互附土族白治县公安局", "互助土族自治县公安局"),
    # the city's first character lost, the district read as printed: its one city so close
    ("口市公安局秀英分局", "海口市公安局秀英分局"),
    ("宁波公安局鄞州分局", "宁波市公安局鄞州分局"),
])
def test_an_authority_read_off_its_only_near_real_place_names_that_place(read, corrected):
    assert corrected_authority(read) == corrected


@pytest.mark.parametrize("read, corrected", [
    # 淅 read 浙 at 0.99 (drifter, twice): too short a name to take one character off among
    # the country's, but 浙 is what the recogniser reads for 淅 (look_alikes.LOOK_ALIKES)
    ("浙川县公安局", "淅川县公安局"),
])
def test_a_short_place_read_with_a_measured_look_alike_is_that_place(read, corrected):
    assert corrected_authority(read) == corrected


def test_a_short_place_one_character_off_but_not_by_a_look_alike_is_left():
    assert corrected_authority("湖川县公安局") is None  # 湖 is no look-alike of 淅


@pytest.mark.parametrize("read", [
    "上海市公安局浦东分局",    # 浦东新区's 分局 is printed without 新区
    "北京市公安局朝阳分局",
    "唯宁县公安局",            # 睢宁县 or 休宁县: a short name among the whole country's
    "陵县公安局",              # a first character lost: any ?陵县
    "宁波市公安局郸州",         # not a whole authority: nothing is completed
    "州市公安局鼓楼分局",       # 福州 and 徐州 both hold a 鼓楼区, both one character off
    "口公安局秀英分局",         # two characters off 海口市: too far to say
])
def test_an_authority_is_left_as_read_when_no_single_real_place_is_meant(read):
    assert corrected_authority(read) is None


@pytest.mark.parametrize("number_county, corrected", [
    ("341021", "安徽省黄山市歙县花园北街"),   # 歙县, one of 黄山市's: its name lost, 县 read
    (None, None),                            # one character alone says nothing
    ("341004", None),                        # 徽州区: a district, not the 县 read
    ("340121", None),                        # 长丰县, another city's
])
def test_a_countys_name_lost_to_its_suffix_is_the_valid_numbers_county_in_that_city(
        number_county, corrected):
    assert corrected_address("安徽省黄山市县花园北街", number_county) == corrected


@pytest.mark.parametrize("read", [
    "浙江省宁波市奉化区岳林街道",    # 奉化市 made a district (2016)
    "浙江省杭州市临安区锦城街道",    # 临安市, likewise (2017)
    "河北省邯郸市永年区临洺关镇",    # 永年县 made a district
    "河北省承德市平泉市平泉镇",      # 平泉县 made a city
    "河北省唐山市滦州市古城街道",    # 滦县 made 滦州市: its 州 is no cut of a name
    "西藏自治区那曲市色尼区",        # 那曲地区 made a city: not its old 那曲县
])
def test_a_county_renamed_with_another_suffix_after_the_list_is_left_as_read(read):
    # A county made a district or a city keeps its name and changes only its suffix; the
    # list predates many such changes, and a suffix is a common character read as printed.
    assert corrected_address(read) is None


@pytest.mark.parametrize("read", [
    "宁波市公安局奉化分局",      # the district made of 奉化市, printed without 区
    "宁波市公安局奉化区分局",
    "杭州市公安局临安分局",
])
def test_the_bureau_of_a_county_renamed_a_district_is_left_as_read(read):
    assert corrected_authority(read) is None


@pytest.mark.parametrize("read", [
    "广东省深圳市龙华区民治街道",    # made 2016 (龙岗区 one off)
    "广东省深圳市坪山区坑梓街道",    # made 2016 (南山区 one off)
    "四川省成都市郫都区犀浦镇",      # 郫县 renamed 2016 (新都区 one off)
    "山西省大同市平城区新建南路",    # made 2018 (城区 one off)
    "黑龙江省伊春市伊美区",          # made 2019 (伊春区 one off)
    "江西省上饶市广信区",            # 上饶县 renamed 2019 (广丰区 one off)
])
def test_a_division_named_after_the_list_was_drawn_is_left_as_read(read):
    # A right read of a newer name one character off an older neighbour's must not be turned
    # into the neighbour: it is a real place, printed on millions of cards.
    assert corrected_address(read) is None


def test_the_embedded_list_carries_its_mit_notice():
    # PLACES is a substantial portion of cpca's adcodes.csv: MIT asks that its copyright and
    # permission notice go with every copy, and places.py is what the function deploys.
    import inspect

    from idcard_ocr.engine import places
    source = inspect.getsource(places)
    assert "Copyright (c) 2018 QinYuan Du" in source
    assert "The above copyright notice and this permission notice shall be included" in source


@pytest.mark.parametrize("read", [
    "南京市公安局高新分局",       # a development zone's bureau, not 高淳's
    "佛山市公安局高新区分局",
    "天津市公安局经开分局",        # not 南开's
    "唐山市公安局开发区分局",      # not 开平区's
    "扬州市公安局高新分局",        # not 高邮's (a county-level city's name without 市)
])
def test_a_development_zones_bureau_is_left_as_read(read):
    # Development and high-tech zones (开发区, 高新区, 经开区) keep household registers and
    # issue cards; they are no division of GB/T 2260, so the list holds no name for them, and
    # their short names are one character off many districts'.
    assert corrected_authority(read) is None


@pytest.mark.parametrize("read", [
    "江苏省南京市高新区建设路",      # not 高淳区
    "广东省肇庆市高新区建设路",      # not 高要区
    "河北省唐山市开发区建设路",      # not 开平区
])
def test_an_address_in_a_development_zone_is_left_as_read(read):
    assert corrected_address(read) is None


# The face's address names the back's authority (a sheet with both sides of one card) --------

ADDRESS_IN_A_COUNTY = "河南省许昌市鄢陵县人民路6号"


@pytest.mark.parametrize("read, address, authority", [
    # a county's first character lost: 陵县 is a real name too, in another province
    ("陵县公安局", ADDRESS_IN_A_COUNTY, "鄢陵县公安局"),
    # a rare character misread in a three-character name the whole country cannot settle
    ("唯宁县公安局", "江苏省徐州市睢宁县人民路1号", "睢宁县公安局"),
    # the city lost before a district's 分局
    ("市公安局金水分局", "河南省郑州市金水区文化路1号", "郑州市公安局金水分局"),
    # a municipality's district, printed without 区
    ("北京市公安局朝阳分居", "北京市朝阳区建国路1号", "北京市公安局朝阳分局"),
])
def test_an_authority_read_off_the_one_the_address_names_is_that_one(read, address, authority):
    assert authority_of_address(read, address) == authority


@pytest.mark.parametrize("read, address", [
    ("鄢陵县公安局", ADDRESS_IN_A_COUNTY),     # as printed
    ("许昌市公安局", ADDRESS_IN_A_COUNTY),     # the city's own bureau, as printed
    ("禹州市公安局", ADDRESS_IN_A_COUNTY),     # another of the city's authorities, as printed
    ("北京市公安局海淀分局", "北京市朝阳区建国路1号"),  # a sibling district two characters off
    ("西城县公安局", ADDRESS_IN_A_COUNTY),     # far from any the address names
    ("陵县公安局", "许昌市鄢陵县人民路6号"),  # no province read: the address names nothing
])
def test_an_authority_is_left_when_the_address_does_not_settle_it(read, address):
    assert authority_of_address(read, address) is None


# Another county's bureau read as printed: a sheet holding two people's cards, or a card
# issued where its holder applied rather than where they are registered (异地办证). A read
# that spells a real authority is changed only when the address's ends with it (its first
# characters lost, 陵县 of 鄢陵县): an OCR slip that lands on another real bureau exactly is
# rarer than a card issued elsewhere.
@pytest.mark.parametrize("read, address", [
    ("东乡县公安局", "江苏省连云港市东海县白塔埠镇1号"),   # a real county one character off
    ("行唐县公安局", "河北省保定市唐县北店头乡1号"),       # a longer real name, not a slip
])
def test_another_real_authority_read_as_printed_is_left(read, address):
    assert authority_of_address(read, address) is None


def test_a_sheets_back_authority_corrected_by_its_face_is_doubted():
    from idcard_ocr.engine.fields import authority_from_face

    face = {"address": ADDRESS_IN_A_COUNTY}
    back = {"issue": "陵县公安局", "confidence": {"issue": 0.97}, "doubts": {}}
    authority_from_face(face, back)
    assert back["issue"] == "鄢陵县公安局" and back["confidence"]["issue"] == 0.0
    assert back["doubts"] == {"issue": "corrected_place"}


@pytest.mark.parametrize("read, corrected", [
    ("安微省合肥市蜀山区新城街道平坝村1组52号", "安徽省合肥市蜀山区新城街道平坝村1组52号"),
    ("陕酉省西安市雁塔区长安路1号", "陕西省西安市雁塔区长安路1号"),
])
def test_a_province_read_a_character_off_is_that_province_when_its_city_follows(read, corrected):
    assert corrected_address(read) == corrected


@pytest.mark.parametrize("read", [
    "南京市玄武区中山路1号",   # 江苏省 lost: 南京市 is one off 北京市, whose district 玄武区 is not
    "山酉省太原市小店区1号",   # one off both 山西省 and 陕西省
    "安微省人民路1号",         # no city or county of 安徽 follows
])
def test_a_province_is_left_when_nothing_settles_it(read):
    assert corrected_address(read) is None
