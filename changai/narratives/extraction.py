"""Quantitative facts in a narrative report: every stated count, amount or share, with what it is about.

Pure Python (no Django, no network): `extract(text, catalogue, author)` returns `Fact`s in document order.

How a fact is found, in order:
1. The text is normalised character for character (full-width digits and signs to ASCII), so every offset
   into the normalised copy is an offset into the original.
2. Each number (Arabic with thousands separators and decimals, Chinese numerals with 两/十/百/千/万/亿,
   mixed like 3.2万, 百分之三十) is read together with what may follow it: 余/多, a 万/亿 multiplier, a
   range to a second number (3-5家, 三至五场), then a measure unit (家, 人次, 万元…), then 以上/左右….
   A number with no unit after it is not a fact: that alone rules out dates (2024年6月), ages (3岁),
   levels (三级, 一类) and most names (四心行动, 二十大).
3. What is left is screened: ordinals (第8期, 总第38期), short quoted or book-title names (“四坚持四深化”,
   《…2023年…》), known slogans (两个维护), a level-prefixed title (省十项…评选), a number touching Latin
   letters or a plus sign (5G, 2+3, 1+N), and a lone 一 used as an article (组建一支队伍, 每周一次).
4. Context: the qualifier (over/about/nearly/under) from words on either side, the period phrase
   (今年以来, 三年来, 2023年以来…) nearest before it in its sentence or opening its paragraph, the
   organisation it is about (the nearest org-like name before it, else the document's author), and a
   suggested indicator: catalogue entries whose unit fits, ranked by the name and description words found
   around the figure.

Values: counts absorb 万/亿 (4.86万人次 → 48600 人次); money keeps them in its unit as reports state it
(500余万元 → 500 万元, 1.5亿元 → 1.5 亿元); a range has `value` (low) and `value_max` (high).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

EXACT, OVER, ABOUT, NEARLY, UNDER = "exact", "over", "about", "nearly", "under"
QUALIFIER_LABELS = {EXACT: "确数", OVER: "以上（超/余/多）", ABOUT: "约数", NEARLY: "接近（近）", UNDER: "不到"}

# ---------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class IndicatorHint:
    """What the extractor needs to know of a catalogue indicator to suggest it."""

    code: str
    name: str
    unit: str
    description: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    start: int  # the figure (qualifier, number, unit) in the text
    end: int
    quote_start: int  # the clause around it
    quote_end: int
    quote: str
    value: Decimal
    unit: str
    qualifier: str = EXACT
    value_max: Decimal | None = None
    period: str = ""
    subject: str = ""
    indicator: str | None = None

    @property
    def figure(self) -> str:
        """The value as a reader writes it: 48600, 36.3, 1-2."""
        low = format_number(self.value)
        return f"{low}-{format_number(self.value_max)}" if self.value_max is not None else low

    def as_json(self) -> dict:
        """The command's and the API's shape: a range's value is [low, high]."""
        value = _json_number(self.value)
        if self.value_max is not None:
            value = [value, _json_number(self.value_max)]
        return {
            "quote": self.quote,
            "value": value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "period": self.period or None,
            "subject": self.subject or None,
            "indicator": self.indicator,
        }


def format_number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _json_number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------- normalisation

_FULL_WIDTH = {chr(0xFF10 + d): str(d) for d in range(10)}
_FULL_WIDTH.update({"．": ".", "％": "%", "﹪": "%", "～": "~", "－": "-", "—": "-", "–": "-", "　": " "})
_FULL_WIDTH.update({"（": "(", "）": ")", "：": ":", "；": ";", "！": "!", "？": "?", "＋": "+", "／": "/"})
_TRANSLATE = str.maketrans(_FULL_WIDTH)


def normalise(text: str) -> str:
    """Same length as `text`, so offsets carry over; full-width digits and signs become ASCII."""
    return text.translate(_TRANSLATE)


# ---------------------------------------------------------------------------- Chinese numerals

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
CN_NUMERAL_CHARS = "".join(_CN_DIGIT) + "".join(_CN_SMALL) + "".join(_CN_BIG)


def chinese_to_int(text: str) -> int | None:
    """一万二千 → 12000, 两 → 2, 十五 → 15, 百 → 100; None for digit strings that are names (五一, 三六一)."""
    if not text or any(ch not in CN_NUMERAL_CHARS for ch in text):
        return None
    total, section, digit, last_small, previous = 0, 0, None, 10**9, ""
    for ch in text:
        if ch in _CN_DIGIT:
            if previous in _CN_DIGIT and previous not in "零〇":
                return None  # two digits in a row: a name or a year, not a number
            digit = _CN_DIGIT[ch]
        elif ch in _CN_SMALL:
            size = _CN_SMALL[ch]
            if size >= last_small:
                return None
            section += (digit if digit is not None else 1) * size
            digit, last_small = None, size
        else:
            section += digit or 0
            if ch == "亿":
                total = (total + section) * _CN_BIG[ch] or _CN_BIG[ch]
            else:
                total += (section or 1) * _CN_BIG[ch]
            section, digit, last_small = 0, None, 10**9
        previous = ch
    return total + section + (digit or 0)


# ---------------------------------------------------------------------------- units

# Longest first. Money keeps its multiplier in the unit; counts absorb it into the value.
COUNT_UNITS = (
    "个百分点 个工作日 平方米 人次 场次 家次 户次 件次 车次 个月 课时 学时 小时 公里 千米 公斤 分钟 批次 "
    "家 个 人 名 位 场 期 项 次 件 所 座 支 批 户 篇 条 门 套 台 处 "
    "间 份 种 对 组 届 轮 节 天 分 倍 吨 辆 张 册 本 亩 米 枚 块 栋 ㎡ % ‰"
).split()
MONEY_UNITS = ["元"]
# A unit character that starts a longer word is not a unit: 3家庭, 名单, 十分重要, 五位一体.
_NOT_UNIT_WHEN_FOLLOWED = {
    "家": "庭长属园乡居电具务风访底门政",
    "名": "单额称义誉字牌次列录片贵校企",
    "人": "民士物格生性类文工身脉权力口员",
    "个": "人性体案税别例",
    "场": "地景面合馆",
    "期": "间末初限望待刊货工项",
    "次": "日年月要序数第级生贷",
    "元": "旦素宵老首帅气宇",
    "位": "于置次数移一",
    "天": "然气地下空津使堂性生才赋桥",
    "对": "象于接话比口标外待手应照策一",
    "支": "部持付出援撑柱行线书点队",
    "批": "准评示复判量发",
    "所": "以谓有在得属长",
    "条": "件例款线理码幅",
    "户": "籍口外型",
    "门": "口户诊槛店面窗卫类票",
    "种": "子植类养苗族",
    "套": "餐路装用",
    "台": "湾阶账风上下词",
    "处": "理于置分罚长室境事级",
    "间": "隔接断距歇",
    "份": "额子量内",
    "组": "织建成合长委团件",
    "届": "时满",
    "轮": "岗流训换胎",
    "节": "日约能点奏目假省选",
    "座": "谈右位椅次",
    "篇": "章幅",
    "张": "贴扬力",
    "分": "之钟别配析类管批散工享红支局会期数段布发解成级区片档层步担流化离组歧裂量清辨摊",
    "米": "粮饭",
    "块": "钱",
    "本": "地级科土着次领职质身年月期届人市县区镇部单位",
}
_UNITS_BY_LENGTH = sorted(COUNT_UNITS + MONEY_UNITS, key=len, reverse=True)

# ---------------------------------------------------------------------------- qualifiers

_BEFORE = [
    ("超过", OVER),
    ("突破", OVER),
    ("多于", OVER),
    ("高于", OVER),
    ("大于", OVER),
    ("超", OVER),
    ("逾", OVER),
    ("大约", ABOUT),
    ("大概", ABOUT),
    ("约", ABOUT),
    ("将近", NEARLY),
    ("接近", NEARLY),
    ("近", NEARLY),
    ("不到", UNDER),
    ("不足", UNDER),
    ("少于", UNDER),
    ("低于", UNDER),
    ("未满", UNDER),
    ("累计达", EXACT),
    ("累计", EXACT),
    ("达到", EXACT),
    ("共计", EXACT),
    ("合计", EXACT),
    ("总计", EXACT),
    ("达", EXACT),
]
# A one-character qualifier preceded by one of these is the end of another word: 签约, 附近, 发达, 赶超.
_WORD_BEFORE = {
    "约": "签合公条预节制邀契违履相特婚践",
    "近": "附最邻亲贴",
    "达": "到表发通传送抵直下高雷",
    "超": "赶高",
}
_AFTER = [("以上", OVER), ("开外", OVER), ("以下", UNDER), ("左右", ABOUT), ("上下", ABOUT)]
_INNER = {"余": OVER, "多": OVER, "来": ABOUT}

# ---------------------------------------------------------------------------- screens

_ORDINAL_BEFORE = ("第", "总第", "No.", "NO.", "no.", "序号")
_SLOGANS = tuple(
    "两个维护 两个确立 两个毫不动摇 两个结合 三个代表 三个务必 四个意识 四个自信 四个全面 "
    "五个一 一对一 一站式 一体化 一把手 八项规定".split()
)
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", "‘": "’", "〈": "〉", "【": "】"}
_NAME_QUOTE_MAX = 24  # a quoted span this short is a name or slogan, not a sentence
_RANK_BEFORE = "得入列居名进取获"  # 获得前三名, 进入前10名
_DURATIONS = ("小时", "天", "分钟", "个月", "个工作日")


def _attributive(s: str, end: int) -> bool:
    """A duration followed by a noun or by 内 describes something (24小时热线) or sets a limit (3天内)."""
    after = s[end : end + 1]
    return after == "内" or bool(re.match(r"[\u4e00-\u9fa5]", after)) and after not in "的左以多余后来"


_SIZE_CLASSES = ("企业", "单位", "规模", "的企业", "的单位", "的规模", "职工的")
_LEVEL_PREFIX = "省市县区"  # 省十项职工创新成果: a title, unless 全省/我市… (a scope)
_SCOPE_BEFORE_LEVEL = "全我本该各"

_ARABIC = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?")
_CHINESE = re.compile(rf"[{CN_NUMERAL_CHARS}]+(?:点[零〇一二三四五六七八九]+)?")
_START = re.compile(rf"\d|[{CN_NUMERAL_CHARS}]|百分之")
_LATIN = re.compile(r"[A-Za-z]")
_CONNECTORS = ("至", "到", "-", "~")

# ---------------------------------------------------------------------------- reading one figure


@dataclass
class _Reading:
    value: Decimal
    end: int
    last_multiplier: str = ""  # 万 or 亿 when the numeral ended with one (for 万元/亿元)
    inner: str = ""  # 余/多/来 inside the figure
    chinese: str = ""  # the Chinese numeral text, when the number was written in Chinese


def _read_number(s: str, i: int) -> _Reading | None:
    """A number at s[i:], with 余/多 and a trailing 万/亿 multiplier (20余万, 3.2万, 十余万, 万余)."""
    match = _ARABIC.match(s, i)
    if match:
        try:
            value = Decimal(match.group().replace(",", ""))
        except InvalidOperation:
            return None
        reading = _Reading(value, match.end())
    else:
        match = _CHINESE.match(s, i)
        if not match:
            return None
        text = match.group()
        value = _chinese_value(text)
        if value is None:
            return None
        reading = _Reading(value, match.end(), chinese=text)
        if text[-1] in _CN_BIG:
            reading.last_multiplier = text[-1]
    j = reading.end
    if j < len(s) and s[j] in _INNER and s[j] != "来":
        reading.inner, j = s[j], j + 1
    if j < len(s) and s[j] in "千百" and not reading.chinese and reading.value < 1000:
        reading.value *= _CN_SMALL[s[j]]
        j += 1
    while j < len(s) and s[j] in _CN_BIG:
        reading.value *= _CN_BIG[s[j]]
        reading.last_multiplier = s[j]
        j += 1
    if j < len(s) and s[j] in _INNER and not reading.inner:
        reading.inner, j = s[j], j + 1
    reading.end = j
    return reading


def _chinese_value(text: str) -> Decimal | None:
    whole, _, fraction = text.partition("点")
    number = chinese_to_int(whole)
    if number is None:
        return None
    if not fraction:
        return Decimal(number)
    digits = "".join(str(_CN_DIGIT[ch]) for ch in fraction)
    return Decimal(f"{number}.{digits}")


def _read_unit(s: str, j: int) -> tuple[str, int] | None:
    k = j
    while k < len(s) and s[k] == " " and k - j < 2:
        k += 1
    for unit in _UNITS_BY_LENGTH:
        if s.startswith(unit, k):
            after = s[k + len(unit) : k + len(unit) + 1]
            if after and after in _NOT_UNIT_WHEN_FOLLOWED.get(unit, ""):
                return None
            return unit, k + len(unit)
    return None


@dataclass
class _Figure:
    start: int
    end: int
    value: Decimal
    unit: str
    qualifier: str
    value_max: Decimal | None = None
    numeral: str = ""  # Chinese numeral text, if any
    number_start: int = 0


def _read_figure(s: str, i: int) -> _Figure | None:
    """The figure whose number starts at i, or None when no unit follows it."""
    if s.startswith("百分之", i):
        return _read_percent_words(s, i)
    if _TENTHS.match(s, i):
        return _read_tenths(s, i)
    first = _read_number(s, i)
    if first is None:
        return None
    value_max, j, last = None, first.end, first
    unit_read = _read_unit(s, j)
    if unit_read is None:
        ranged = _read_range_end(s, j)
        if ranged is not None:
            last, value_max, j = ranged, ranged.value, ranged.end
            unit_read = _read_unit(s, j)
    if unit_read is None:
        return None
    unit, end = unit_read
    if value_max is None:  # 3家至5家
        ranged = _read_range_end(s, end)
        if ranged is not None and _read_unit(s, ranged.end) and _read_unit(s, ranged.end)[0] == unit:
            value_max, end = ranged.value, _read_unit(s, ranged.end)[1]
    value = first.value
    if unit == "元" and last.last_multiplier:
        # 500余万元 → 500 万元: money is stated and reported in 万元/亿元
        divisor = _CN_BIG[last.last_multiplier]
        unit = last.last_multiplier + "元"
        value, value_max = value / divisor, (value_max / divisor if value_max is not None else None)
    if unit == "分" and first.chinese and not _scored(s, i):
        return None  # 十分重要, 三分
    qualifier = _INNER.get(first.inner or last.inner, EXACT)
    for word, meaning in _AFTER:
        if s.startswith(word, end):
            end += len(word)
            qualifier = meaning if qualifier == EXACT else qualifier
            break
    start = i
    if first.chinese in ("百", "千", "万") and s[i - 1 : i] == "上":
        start, qualifier = i - 1, OVER  # 上千名: a thousand and more
    for word, meaning in _BEFORE:
        ends_word = s[start - len(word) - 1 : start - len(word)]
        if s.endswith(word, 0, start) and (not ends_word or ends_word not in _WORD_BEFORE.get(word, "")):
            start -= len(word)
            if meaning != EXACT:
                qualifier = meaning
            break
    return _Figure(
        start,
        end,
        _clean(value),
        unit,
        qualifier,
        _clean(value_max) if value_max is not None else None,
        first.chinese,
        i,
    )


def _read_range_end(s: str, j: int) -> _Reading | None:
    for connector in _CONNECTORS:
        if s.startswith(connector, j):
            second = _read_number(s, j + len(connector))
            if second is not None:
                return second
    return None


def _read_percent_words(s: str, i: int) -> _Figure | None:
    number = _read_number(s, i + 3)
    if number is None:
        return None
    end, qualifier = number.end, _INNER.get(number.inner, EXACT)
    for word, meaning in _AFTER:
        if s.startswith(word, end):
            end, qualifier = end + len(word), meaning
            break
    return _Figure(i, end, _clean(number.value), "%", qualifier, None, number.chinese, i)


_TENTHS = re.compile(r"([一二三四五六七八九])成(?![员果立功本效绩为熟长交品都型套批就片])")


def _read_tenths(s: str, i: int) -> _Figure:
    """七成 → 70%: a share in tenths."""
    match = _TENTHS.match(s, i)
    end, qualifier = match.end(), EXACT
    for word, meaning in _AFTER:
        if s.startswith(word, end):
            end, qualifier = end + len(word), meaning
            break
    start = i
    for word, meaning in _BEFORE:
        if s.endswith(word, 0, i) and meaning != EXACT:
            start, qualifier = i - len(word), meaning
            break
    return _Figure(start, end, Decimal(_CN_DIGIT[match.group(1)] * 10), "%", qualifier, None, match.group(), i)


def _scored(s: str, i: int) -> bool:
    return s[max(0, i - 1) : i] in ("占", "得", "扣", "加", "计", "为", "到", "的")


def _clean(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# ---------------------------------------------------------------------------- screens


def _quoted_spans(s: str) -> list[tuple[int, int]]:
    """Short spans inside “…”, 「…」, 《…》…: names and titles."""
    spans, stack = [], []
    for index, ch in enumerate(s):
        if ch in _QUOTE_PAIRS:
            stack.append((ch, index))
        elif stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            opener, begin = stack.pop()
            if opener == "《" or index - begin - 1 <= _NAME_QUOTE_MAX:
                spans.append((begin, index))
        elif ch == "\n":
            stack.clear()
    return sorted(spans)


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    at = bisect_right(spans, (position, -1)) - 1
    while at >= 0 and spans[at][0] > position - 2000:
        if spans[at][0] < position < spans[at][1]:
            return True
        at -= 1
    return False


def _screened_out(s: str, figure: _Figure, quoted: list[tuple[int, int]]) -> bool:
    i = figure.number_start
    if s.endswith(_ORDINAL_BEFORE, 0, i):
        return True
    if _LATIN.match(s[i - 1 : i] or " ") or _LATIN.match(s[figure.end : figure.end + 1] or " "):
        return True
    if s[i - 1 : i] in ("+", "/", "."):
        return True
    if s[figure.end : figure.end + 1].isdigit():
        return True
    if _inside(quoted, i):
        return True
    if s.startswith(_SLOGANS, i):
        return True
    if s[i - 1 : i] == "前" and (s[i - 2 : i - 1] in _RANK_BEFORE or figure.unit == "名" and s[i - 2 : i - 1] != "目"):
        return True  # 获得前三名: a rank
    if figure.unit in _DURATIONS and _attributive(s, figure.end):
        return True  # 24小时服务热线, 3个工作日内: a description or a time limit, not something done
    if figure.unit == "分" and s[i - 1 : i] in ("时", "点"):
        return True  # 8时30分: a time
    if s.endswith(("以上", "以下"), 0, figure.end) and s.startswith(_SIZE_CLASSES, figure.end):
        return True  # 百人以上企业: a size class, not a count
    if figure.numeral:
        if figure.numeral in ("百", "千", "万") and figure.qualifier == EXACT and figure.unit != "%":
            return True  # 万人助万企, 百名劳模进企业: a round number naming a campaign
        if s[i - 1 : i] in _LEVEL_PREFIX and (i < 2 or s[i - 2] not in _SCOPE_BEFORE_LEVEL):
            return True  # 省十项职工创新成果评选: a title
        if figure.unit == "个" and s[figure.end : figure.end + 1] == "一":
            return True  # 三个一批, 两个一百年: a slogan
        if figure.numeral in ("一", "二") and figure.value_max is None and figure.unit != "%":
            return True  # 一支队伍, 每周一次: an article; 二次创业, 二期工程: an ordinal (a count says 两)
        if s[i - 1 : i] in ("数", "几", "成") or s[figure.number_start - 1 : figure.number_start] == "某":
            return True  # 数十家, 几百人: no definite value
    return False


# ---------------------------------------------------------------------------- context: quote

_SENTENCE_END = "。!?;\n"
_CLAUSE_END = _SENTENCE_END + ",，:"
_QUOTE_MIN = 14
_QUOTE_MAX = 120


def _quote_span(s: str, start: int, end: int) -> tuple[int, int]:
    left = _scan_left(s, start, _CLAUSE_END)
    if end - left < _QUOTE_MIN:
        sentence_left = _scan_left(s, start, _SENTENCE_END)
        while left > sentence_left and end - left < _QUOTE_MIN:
            left = _scan_left(s, left - 1, _CLAUSE_END)
    right = end
    while right < len(s) and s[right] not in _CLAUSE_END:
        right += 1
    left = max(left, end - _QUOTE_MAX)
    right = min(right, start + _QUOTE_MAX)
    while left < start and s[left] in " \t#*-":
        left += 1
    return left, right


def _scan_left(s: str, position: int, stops: str) -> int:
    while position > 0 and s[position - 1] not in stops:
        position -= 1
    return position


# ---------------------------------------------------------------------------- context: period

_CN_SMALL_NUMBER = "一二三四五六七八九十两"
_PERIOD = re.compile(
    "|".join(
        [
            r"(?:截至|截止|到|至)?(?:\d{4}|[〇零一二三四五六七八九]{4})年(?:\d{1,2}月(?:底|末)?)?"
            r"(?:以来|来|上半年|下半年|全年|底|末|度)?",
            r"(?:今年|去年|本年度?|上年度?|年初)(?:以来|上半年|下半年|前三季度|全年)?",
            r"近年来|近几年|近些年|多年来|长期以来|年内|全年|上半年|下半年|前三季度|[一二三四]季度",
            rf"近[\d{_CN_SMALL_NUMBER}]+年(?:来|以来)?",
            rf"[\d{_CN_SMALL_NUMBER}]+年(?:以)?来",
            r"每年|每季度?|每月|每周|截至目前|目前|至今",
        ]
    )
)


def _periods(s: str, quoted: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    found = []
    for match in _PERIOD.finditer(s):
        if _inside(quoted, match.start()):
            continue
        found.append((match.start(), match.end(), match.group()))
    return found


def _period_for(s: str, periods: list[tuple[int, int, str]], start: int) -> str:
    sentence = _scan_left(s, start, _SENTENCE_END)
    paragraph = _scan_left(s, start, "\n")
    best = ""
    for begin, end, text in periods:
        if end > start:
            break
        if begin >= sentence:
            best = text
        elif 0 <= begin - paragraph <= 8 and (text.endswith("来") or text in ("今年", "去年")):
            best = best or text
    return best


# ---------------------------------------------------------------------------- context: subject

_ORG_SUFFIXES = tuple("总工会 工会联合会 工会 集团 有限公司 公司 研究院 街道 开发区 高新区 镇 乡 县 区 市 省".split())
_SCOPE_WORDS = re.compile(r"全省|全市|全县|全区|全镇|我省|我市|我县|我区|本市|本县|本区")
_SHORT_FEDERATION = re.compile(r"([省市县区])总(?!工会|结|体|量|数|计|额|书记|经理|部|队|规划|目标|要求)")
_PLACE_SUFFIXES = ("县", "区", "市", "省", "镇", "乡")
_PLACE_NAME_MAX = 7
_SHORT_FORM_REACH = 1500  # how far back 县总 looks for the federation it abbreviates
_LEADING_COUNT = re.compile(rf"^[{CN_NUMERAL_CHARS}]*[个批家名项位支座所类]")
_NAME_CHARS = re.compile(r"[\u4e00-\u9fa5A-Za-z()]")
_NAME_STOPS = set("的了在由向为与和对从经据将把让使给及以于被是等其这该此每共有到至即并或而且又也就都还年月日")
_GENERIC_ENDINGS = set(
    "社区 园区 街区 片区 景区 小区 城区 辖区 地区 聚区 范区 验区 能区 厂区 活区 山区 郊区 "
    "城市 超市 夜市 都市 上市 门市 集市 乡镇 城镇 村镇 集镇 重镇 节省 各省 各市 各县 各区 "
    "城乡 下乡 家乡 返乡 省市 市县 县区".split()
)
_GENERIC_PREFIXES = ("基层", "联合", "各级", "企业", "本级", "上级", "下级", "行业", "产业", "区域", "工会")
_GENERIC_INSIDE = ("各级", "基层", "各类", "所有")
_LEADING_VERBS = re.compile(
    r"^(?:成立|建立|组建|新建|开展|推动|指导|组织|依托|联合|会同|通过|围绕|推进|支持|鼓励|引导|聚焦|命名|培育|挖掘|参加|邀请|健全|加强"
    r"|完善|发挥|落实|加快|深化|强化|充分|积极|全面|切实|新发展|发展)"
)
_FOLLOWER_NOT_ORG = "级域委直属内外场民长"


def _org_mentions(s: str, quoted: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """(position after the name, name) of every org-like name and scope word, in order."""
    mentions = [(m.end(), m.group()) for m in _SCOPE_WORDS.finditer(s)]
    pattern = re.compile("|".join(_ORG_SUFFIXES))
    for match in pattern.finditer(s):
        end = match.end()
        if s[end : end + 1] and s[end] in _FOLLOWER_NOT_ORG and len(match.group()) == 1:
            continue
        name = _name_before(s, match.start()) + match.group()
        if len(name) < 3 and match.group() not in ("县", "市", "区", "镇", "乡"):
            continue
        if len(name) < 2 or name[-2:] in _GENERIC_ENDINGS or name.startswith(_GENERIC_PREFIXES):
            continue
        if any(word in name for word in _GENERIC_INSIDE) or (_SCOPE_WORDS.match(name) and len(name) > 2):
            continue
        if match.group() in _PLACE_SUFFIXES and len(name) > _PLACE_NAME_MAX:
            continue
        if _SCOPE_WORDS.fullmatch(name[:2]) and len(name) == 2:
            continue
        if _inside(quoted, match.start()) and match.group() not in ("总工会", "有限公司", "公司", "集团"):
            continue
        mentions.append((end, name))
    mentions.extend(_short_federations(s, mentions))
    mentions.sort()
    return mentions


def _short_federations(s: str, mentions: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """县总, 市总: the federation named in full earlier (盐城市阜宁县总工会), or the short form itself."""
    found = []
    for match in _SHORT_FEDERATION.finditer(s):
        level = match.group(1)
        earlier = [
            name
            for end, name in mentions
            if match.start() - _SHORT_FORM_REACH <= end <= match.start() and name.endswith(f"{level}总工会")
        ]
        if earlier:
            found.append((match.end(), earlier[-1]))
    return found


def _name_before(s: str, position: int) -> str:
    begin = position
    while begin > 0 and position - begin < 18 and _NAME_CHARS.match(s[begin - 1]) and s[begin - 1] not in _NAME_STOPS:
        begin -= 1
    name = s[begin:position]
    while True:
        stripped = _LEADING_VERBS.sub("", name)
        if stripped == name:
            break
        name = stripped
    return _LEADING_COUNT.sub("", name)


def _subject_for(s: str, mentions: list[tuple[int, str]], start: int, author: str) -> str:
    sentence = _scan_left(s, start, _SENTENCE_END)
    paragraph = _scan_left(s, start, "\n")
    before = [(end, name) for end, name in mentions if end <= start]
    for boundary in (sentence, paragraph):
        near = [name for end, name in before if end > boundary]
        if near:
            return near[-1]
    owners = [name for _, name in before if name.endswith(("工会", "集团", "公司"))]
    placed = [name for name in owners if len(name) >= 5]
    return (placed or owners or [author])[-1]


def document_author(text: str) -> str:
    """The org that seems to have written the report: the first union, group or company named near the top
    (one with a place in its name if there is one: 泰州市总工会 rather than 市总工会)."""
    s = normalise(text[:600])
    owners = [name for _, name in _org_mentions(s, _quoted_spans(s)) if name.endswith(("工会", "集团", "公司"))]
    placed = [name for name in owners if len(name) >= 5]
    return (placed or owners or [""])[0]


# ---------------------------------------------------------------------------- indicator suggestion

# Fact unit → indicator units it may be reported in.
_COMPATIBLE = {
    "人": {"人"},
    "名": {"人"},
    "位": {"人"},
    "人次": {"人次"},
    "家": {"家", "个"},
    "个": {"个", "家", "项", "期", "场"},
    "所": {"个"},
    "座": {"个"},
    "处": {"个"},
    "支": {"个"},
    "间": {"个"},
    "对": {"个"},
    "场": {"场"},
    "场次": {"场"},
    "次": {"场"},
    "期": {"期", "场"},
    "批": {"期"},
    "批次": {"期"},
    "项": {"项", "个"},
    "条": {"项"},
    "件": {"项", "个"},
    "份": {"个", "项"},
    "元": {"元", "万元"},
    "万元": {"万元", "元"},
    "亿元": {"万元", "元"},
    "%": {"%"},
}
_NAME_AFFIXES = re.compile(r"^(?:新增|本期|年度|已)|(?:人数|次数|场次|人次|期数|家数|个数|项数|数)$")
_MIN_SCORE = 0.4


def _keywords(hint: IndicatorHint) -> tuple[str, ...]:
    """The hint's own keywords, else its name without counting words (新增…数) and that name's pairs of characters."""
    if hint.keywords:
        return hint.keywords
    core = _NAME_AFFIXES.sub("", _NAME_AFFIXES.sub("", hint.name))
    runs = _CJK_RUN.findall(core)
    pairs = {run[k : k + 2] for run in runs for k in range(len(run) - 1)} - _STOP_PAIRS
    return tuple(dict.fromkeys([*runs, *sorted(pairs)]))


_STOP_PAIRS = {"职工", "产业", "业工", "工人", "组织", "开展", "举办", "参加", "单位", "产改", "工会", "企业", "成功"}
_CJK_RUN = re.compile(r"[\u4e00-\u9fa5]{2,}")


class Suggester:
    """Ranks catalogue indicators for a figure: the unit must fit; their words next to the figure decide.

    A word counts the more the closer it stands: the noun right before the number is what is counted
    (劳模创新工作室党支部18个 counts branches), a noun after the unit describes the counted (6名工人获评劳模).
    """

    def __init__(self, catalogue: Iterable[IndicatorHint]):
        self.catalogue = [(hint, _keywords(hint)) for hint in catalogue]
        spread: dict[str, int] = {}
        for _, words in self.catalogue:
            for word in set(words):
                spread[word] = spread.get(word, 0) + 1
        self._weight = {word: _LENGTH_WEIGHT.get(len(word), 1.5) / count**0.5 for word, count in spread.items()}

    def suggest(self, unit: str, segment: str, figure_at: int, figure_end: int, sentence: str) -> str | None:
        """`segment` is the text that belongs to this figure, which spans segment[figure_at:figure_end]."""
        allowed = _COMPATIBLE.get(unit, set())
        if unit in ("人", "名") and "人次" in segment:
            allowed = allowed | {"人次"}
        best, best_score = None, 0.0
        for hint, words in self.catalogue:
            if hint.unit not in allowed:
                continue
            scored = [self._score(word, segment, figure_at, figure_end, sentence) for word in words]
            if not any(in_segment for _, in_segment in scored):
                continue  # words elsewhere in the sentence support a choice, they do not make one
            scores = sorted((value for value, _ in scored), reverse=True)
            score = scores[0] + 0.2 * sum(scores[1:])
            score += 0.05 if hint.unit == unit else 0.0
            if score > best_score:
                best, best_score = hint.code, score
        return best if best_score >= _MIN_SCORE else None

    def _score(self, word: str, segment: str, figure_at: int, figure_end: int, sentence: str) -> tuple[float, bool]:
        """(weight × closeness, whether the word stands in the figure's own segment)."""
        closeness = 0.0
        for match in re.finditer(re.escape(word), segment):
            if match.end() <= figure_at:
                closeness = max(closeness, _BEFORE_DECAY ** (figure_at - match.end()))
            elif match.start() >= figure_end:
                closeness = max(closeness, _AFTER_DECAY ** (match.start() - figure_end))
        if closeness:
            return self._weight[word] * closeness, True
        return (self._weight[word] * _SENTENCE_ONLY, False) if word in sentence else (0.0, False)


_LENGTH_WEIGHT = {2: 1.0, 3: 1.3}
_BEFORE_DECAY, _AFTER_DECAY, _SENTENCE_ONLY = 0.85, 0.95, 0.3


# ---------------------------------------------------------------------------- the whole document


def extract(text: str, catalogue: Iterable[IndicatorHint] = (), author: str = "") -> list[Fact]:
    """Every quantitative fact in `text`, in order, with offsets into `text` itself."""
    s = normalise(text)
    quoted = _quoted_spans(s)
    figures = _figures(s, quoted)
    periods = _periods(s, quoted)
    mentions = _org_mentions(s, quoted)
    suggester = Suggester(catalogue)
    author = author or document_author(text)
    facts = []
    for index, figure in enumerate(figures):
        previous_end = figures[index - 1].end if index else 0
        next_start = figures[index + 1].start if index + 1 < len(figures) else len(s)
        facts.append(_fact(text, s, figure, (previous_end, next_start), periods, mentions, suggester, author))
    return facts


def _figures(s: str, quoted: list[tuple[int, int]]) -> list[_Figure]:
    figures, position = [], 0
    for match in _START.finditer(s):
        i = match.start()
        if i < position or _continues_number(s, i):
            continue
        figure = _read_figure(s, i)
        if figure is None or _screened_out(s, figure, quoted):
            position = _skip_past_number(s, i)
            continue
        position = figure.end
        figures.append(figure)
    return figures


def _continues_number(s: str, i: int) -> bool:
    """A match in the middle of a number already passed over (the 3 of 2023, the 十 of 二十, the 5 of 3.5)."""
    previous = s[i - 1 : i]
    if not previous:
        return False
    if previous.isdigit() or previous in CN_NUMERAL_CHARS:
        return True
    before = s[i - 2 : i - 1]
    if previous in ".," and before.isdigit():
        return True
    return previous == "点" and before in CN_NUMERAL_CHARS and before != ""


def _skip_past_number(s: str, i: int) -> int:
    j = i
    while j < len(s) and (s[j].isdigit() or s[j] in CN_NUMERAL_CHARS or s[j] in ".,"):
        j += 1
    return max(j, i + 1)


def _fact(text, s, figure: _Figure, neighbours, periods, mentions, suggester: Suggester, author: str) -> Fact:
    quote_start, quote_end = _quote_span(s, figure.start, figure.end)
    indicator = None
    if suggester.catalogue:
        left = max(_scan_left(s, figure.start, _CLAUSE_END), neighbours[0])
        right = figure.end
        while right < min(len(s), neighbours[1]) and s[right] not in _CLAUSE_END:
            right += 1
        sentence_start = _scan_left(s, figure.start, _SENTENCE_END)
        segment = s[left:right]
        indicator = suggester.suggest(
            figure.unit, segment, figure.start - left, figure.end - left, s[sentence_start:quote_end]
        )
    return Fact(
        start=figure.start,
        end=figure.end,
        quote_start=quote_start,
        quote_end=quote_end,
        quote=text[quote_start:quote_end].strip(),
        value=figure.value,
        value_max=figure.value_max,
        unit=figure.unit,
        qualifier=figure.qualifier,
        period=_period_for(s, periods, figure.start),
        subject=_subject_for(s, mentions, figure.start, author),
        indicator=indicator,
    )
