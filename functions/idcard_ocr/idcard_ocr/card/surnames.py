"""Chinese surnames, for judging whether a name read from a card is written as a name is.

Source: 《百家姓》 (the Hundred Family Surnames, Northern Song, 10th-11th century), in the
text of Chinese Wikisource (https://zh.wikisource.org/wiki/百家姓), in simplified characters.
The work is in the public domain (its author died a thousand years ago); this list of its
surnames may be used freely. Besides it, SIMPLIFIED_FORMS: surnames registered in the form of
the 1977 second simplification scheme, which many families kept after it was withdrawn and
which ID cards print as such (肖 for 萧, 付 for 傅).

A name whose first character (or first two, a compound surname) is not among these is not
wrong: it is a rarer surname (over 6,000 are in use) or a misread one, and the cascade pays
the API to read it (card/vouching.py).
"""

# The text, verse by verse; 百家姓终 (the end of the Hundred Family Surnames) is no surname.
HUNDRED_FAMILIES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章"
    "云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常"
    "乐于时傅皮卞齐康伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞"
    "熊纪舒屈项祝董梁杜阮蓝闵席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍"
    "虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁"
    "荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫"
    "宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙"
    "池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通边扈燕冀郏浦尚农"
    "温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东"
    "欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红"
    "游竺权逯盖益桓公"
    "万俟司马上官欧阳夏侯诸葛闻人东方赫连皇甫尉迟公羊澹台公冶宗政濮阳淳于单于太叔申屠"
    "公孙仲孙轩辕令狐钟离宇文长孙慕容鲜于闾丘司徒司空亓官司寇仉督子车颛孙端木巫马公西"
    "漆雕乐正壤驷公良拓跋夹谷宰父谷梁晋楚闫法汝鄢涂钦段干百里东郭南门呼延归海羊舌微生"
    "岳帅缑亢况郈有琴梁丘左丘东门西门商牟佘佴伯赏南宫墨哈谯笪年爱阳佟第五言福"
)
# Where the compound surnames begin in HUNDRED_FAMILIES' text (万俟 ... 第五), and where the
# single ones start again among them (晋楚闫法 ... 岳帅缑亢 ... 墨哈谯笪年爱阳佟 ... 言福).
_COMPOUND = ("万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫",
             "尉迟", "公羊", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠",
             "公孙", "仲孙", "轩辕", "令狐", "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘",
             "司徒", "司空", "亓官", "司寇", "子车", "颛孙", "端木", "巫马", "公西", "漆雕",
             "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干", "百里", "东郭",
             "南门", "呼延", "羊舌", "微生", "梁丘", "左丘", "东门", "西门", "商牟", "伯赏",
             "南宫", "第五")
_SINGLE_AMONG_COMPOUND = "仉督晋楚闫法汝鄢涂钦归海岳帅缑亢况郈有琴佘佴墨哈谯笪年爱阳佟言福"
SIMPLIFIED_FORMS = "肖付"

SINGLE = frozenset(HUNDRED_FAMILIES[:HUNDRED_FAMILIES.index("万俟")]) | frozenset(
    _SINGLE_AMONG_COMPOUND) | frozenset(SIMPLIFIED_FORMS)
COMPOUND = frozenset(_COMPOUND)


def has_known_surname(name: str) -> bool:
    """Whether the name begins with a surname of the list (a compound one, or a single)."""
    return name[:2] in COMPOUND or name[:1] in SINGLE
