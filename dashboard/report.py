"""The work report (工作简报): sentences in the report's own style, each built from a dashboard figure.

A report is a *template* — plain text with one line per sentence or heading and placeholders such as
``{grants.count}`` — rendered over a ``Board`` (dashboard.figures). The officer edits the template
(kept per organisation and period in a ``ReportDraft``); the figures stay live and linked: in the HTML
version each number links to the rows behind it. Lines starting 一、二、… are the report's headings.

Numbers are written as the report writes them (``yuan_text``, ``about``): 30.98万元, 72630元, 15余万元,
6200余名 — pure functions, property-tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from dashboard.figures import Board, Figure

WAN = Decimal(10000)
WAN_FROM = Decimal(100000)  # from 十万 the report counts in 万元; below it, in 元 (72630元)


# --- the report's way of writing numbers (pure) ------------------------------------------------------


def yuan_text(amount: Decimal | int) -> str:
    """30.98万元 from 100,000 yuan up (two decimals, rounded half up); below it whole yuan, or yuan and
    fen when there are fen (72630元, 1234.50元)."""
    amount = Decimal(amount)
    if amount < 0:
        return "-" + yuan_text(-amount)
    if amount >= WAN_FROM:
        return f"{(amount / WAN).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}万元"
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{int(cents)}元" if cents == cents.to_integral_value() else f"{cents}元"


def about(n: int) -> str:
    """A count as the report rounds it: below 100 exact; above, down to two significant digits with 余
    when something was cut (6234 → 6200余, 6200 → 6200, 158 → 150余)."""
    if n < 100:
        return str(n)
    step = 10 ** (len(str(n)) - 2)
    kept = n // step * step
    return f"{kept}余" if kept != n else str(kept)


def about_wan(amount: Decimal | int) -> str:
    """An amount in whole 万元 rounded down, with 余 when something was cut (150,300 → 15余万元)."""
    amount = Decimal(amount)
    wan = (amount / WAN).to_integral_value(rounding=ROUND_DOWN)
    return f"{wan}余万元" if wan * WAN != amount else f"{wan}万元"


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def ymd(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def figure_text(fig: Figure, style: str = "") -> str:
    """A figure written in a sentence: ``style`` is "" (by its unit), ``about`` or ``wan``."""
    if fig.value is None:
        return "—"
    if style == "about":
        return about(int(fig.value))
    if style == "wan":
        return about_wan(fig.value)
    if fig.unit == "元":
        return yuan_text(fig.value)
    if fig.unit == "%":
        return f"{fig.value}%"
    return str(fig.value)


# --- the template ----------------------------------------------------------------------------------------

# The report's groups, in its order, and a sentence for each figure it quotes (the report's own wording).
DEFAULT_TEMPLATE = """一、组织建设
截至{end}，{root}共有基层工会{orgs.grassroots}家，在册会员{members.active}人；{start}以来新建基层工会{orgs.new}家，新入会会员{members.joined}人。
二、服务中心工作
{start}以来，各级工会举办各类职工活动{events.count}场，参加职工{events.people|about}人次。
基层工会举办技能大赛{competitions.count}场，共有{competitions.people|about}名职工参加。
受理职工诉求{appeals.total}件，响应率{appeals.response}，解决率{appeals.resolution}，满意率{appeals.satisfaction}；目前已超期未办结{appeals.overdue}件。
三、队伍建设
{year}年应培训基层工会干部{cadres.count}人，已培训{cadres.trained}人，培训覆盖率{cadres.share}。
四、经费保障
截至{end}，已经为{grants.count}家新建单位发放建会专项基金，共计{grants.yuan}。
五、帮扶救助
向纳入工会帮扶系统的困难职工按月发放生活补助，累计发放{allowance.yuan}。
通过职工专项温暖基金救助了{relief.people}名大病职工，救助金额{relief.yuan}。
职工专项温暖基金已收到来自{donations.donors}家单位及个人共计{donations.yuan|wan}的捐款。
为{scholarship.count}名困难职工子女发放金秋助学金{scholarship.yuan}。
六、试点
在{pilots.towns}个镇、{pilots.streets}个街道的{pilots.unions}家村（社区）联合工会实行“三补贴三挂钩”，发放补贴{pilots.yuan}。
"""

PLACEHOLDER = re.compile(r"\{([0-9a-z_.]+)(?:\|(about|wan))?\}")
HEADING = re.compile(r"^[一二三四五六七八九十]+、")
CONTEXT_KEYS = ("root", "start", "end", "year")
MAX_TEMPLATE = 20000


@dataclass(frozen=True)
class Segment:
    text: str
    url: str = ""  # a figure's drill-down ("" for plain text)
    key: str = ""  # the figure's key (test hook, data-figure)


@dataclass(frozen=True)
class Line:
    heading: bool
    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    lines: list[Line]
    omitted: list[str]  # sentences left out: a figure the user may not read

    def as_text(self) -> str:
        body = "\n".join(("\n" if line.heading else "") + line.text for line in self.lines).strip()
        return f"{self.title}\n{self.subtitle}\n\n{body}\n"


def template_errors(template: str) -> list[str]:
    """What is wrong with an edited template, in Chinese (nothing: it may be saved)."""
    errors = []
    if len(template) > MAX_TEMPLATE:
        errors.append(f"简报模板不能超过 {MAX_TEMPLATE} 个字符")
    from dashboard.figures import is_figure_key

    for m in re.finditer(r"\{([^{}]*)\}", template):
        inner = m.group(1)
        pm = PLACEHOLDER.fullmatch(m.group(0))
        if pm is None or not (pm.group(1) in CONTEXT_KEYS or is_figure_key(pm.group(1))):
            errors.append(f"未知的数据项 {{{inner}}}：请使用右侧列出的数据项")
        elif pm.group(2) and pm.group(1) in CONTEXT_KEYS:
            errors.append(f"数据项 {{{inner}}} 不能加 |{pm.group(2)}")
    return errors


def render(template: str, board: Board) -> Report:
    """The report of ``template`` over ``board``: a sentence whose figure the user may not read is left
    out (listed in ``omitted``), never shown as zero."""
    figures = board.by_key
    context = {
        "root": board.root.name,
        "start": md(board.period.start)
        if board.period.start.year == board.period.end.year
        else ymd(board.period.start),
        "end": md(board.period.end),
        "year": str(board.period.end.year),
    }
    lines: list[Line] = []
    omitted: list[str] = []
    for raw in template.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        if HEADING.match(raw):
            lines.append(Line(True, [Segment(raw)]))
            continue
        segments: list[Segment] = []
        pos = 0
        missing = False
        for m in PLACEHOLDER.finditer(raw):
            segments.append(Segment(raw[pos : m.start()]))
            key, style = m.group(1), m.group(2) or ""
            if key in context:
                segments.append(Segment(context[key]))
            elif key in figures:
                fig = figures[key]
                segments.append(Segment(figure_text(fig, style), fig.url, key))
            else:
                missing = True
            pos = m.end()
        segments.append(Segment(raw[pos:]))
        if missing:
            omitted.append(raw)
            continue
        lines.append(Line(False, [s for s in segments if s.text]))
    # A heading with nothing under it is dropped.
    kept = [ln for i, ln in enumerate(lines) if not ln.heading or (i + 1 < len(lines) and not lines[i + 1].heading)]
    name = board.root.name
    title = f"{name}工作简报" if name.endswith("工会") else f"{name}工会工作简报"
    subtitle = f"（{ymd(board.period.start)}至{ymd(board.period.end)}）"
    return Report(title, subtitle, kept, omitted)


def figure_catalogue(board: Board) -> list[tuple[str, str, Any]]:
    """The placeholders an officer may use, with their current value (shown beside the editor)."""
    return [(f"{{{f.key}}}", f"{g.label}·{f.label}", figure_text(f)) for g, figs in board.groups for f in figs]
