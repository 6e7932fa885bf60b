"""The characters the recogniser reads, with confidence, for a rarer one printed
(written by tools/look_alikes.py: do not edit; derive it again when the models, the
generators' names, the places or the installed faces change). Each entry: the
character read -> the characters printed it was read for, with the best score and
the face. Drawn in 7 faces: 56 rarer characters beginning names, 101 later in them,
169 of places, 1 of the 56 groups the recogniser does not know."""


# Of names (fields._doubt_unlikely_name): a name read beginning with one of the first
# is doubted (a rare surname: 亓 read 元), one holding one of the second later on
# (a rare given name's character: 瑭 read 塘).
SURNAME_LOOK_ALIKES = {
    '七': (('乜', 0.83, 'Noto Sans CJK TC'),),
    '也': (('乜', 0.89, 'WenQuanYi Zen Hei'),),
    '余': (('佘', 0.99, 'AR PL UMing'),),
    '俱': (('佴', 0.93, 'Noto Sans CJK SC'),),
    '元': (('亓', 0.99, 'Noto Sans CJK TC'),),
    '全': (('仝', 0.95, 'AR PL UMing'),),
    '咎': (('昝', 0.9, 'Noto Serif CJK TC'),),
    '塞': (('蹇', 0.84, 'WenQuanYi Zen Hei'),),
    '帘': (('甯', 0.88, 'Noto Sans CJK TC'),),
    '洗': (('冼', 0.9, 'AR PL UMing'),),
    '赛': (('蹇', 0.72, 'AR PL UKai'),),
    '远': (('逯', 0.75, 'Noto Sans CJK SC'),),
    '逢': (('逄', 0.98, 'WenQuanYi Zen Hei'),),
    '锌': (('钭', 0.69, 'AR PL UMing'),),
}

GIVEN_LOOK_ALIKES = {
    '哗': (('晔', 0.95, 'Noto Serif CJK SC'),),
    '塘': (('瑭', 0.99, 'Noto Serif CJK TC'),),
    '娇': (('峤', 0.73, 'WenQuanYi Zen Hei'),),
    '或': (('彧', 0.96, 'Noto Serif CJK SC'),),
    '肠': (('旸', 0.99, 'AR PL UMing'),),
    '肿': (('翀', 0.81, 'WenQuanYi Zen Hei'),),
}

# Of the county-level divisions' names (places._closest).
PLACE_LOOK_ALIKES = {
    '么': (('仫', 0.98, 'Noto Sans CJK SC'),),
    '充': (('兖', 0.98, 'Noto Sans CJK SC'),),
    '壁': (('璧', 0.88, 'AR PL UKai'),),
    '戈': (('弋', 0.73, 'AR PL UKai'),),
    '毫': (('亳', 0.72, 'WenQuanYi Zen Hei'),),
    '浙': (('淅', 0.83, 'AR PL UKai'),),
    '淑': (('溆', 0.74, 'Noto Serif CJK TC'),),
    '漂': (('溧', 0.76, 'WenQuanYi Zen Hei'),),
    '激': (('溆', 0.68, 'AR PL UKai'),),
    '笆': (('邕', 0.79, 'AR PL UKai'),),
    '郑': (('郯', 0.81, 'AR PL UKai'),),
}

# A group's character the recogniser does not know -> what it reads it as
# (lines.choose_in_area scores the group by these).
READ_AS = {
    '仫': '么',
}
