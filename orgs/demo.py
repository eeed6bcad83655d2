"""The demo district's organisation tree and accounts: 顺义区总工会 with its real towns and streets.

Deterministic (a seeded random generator) and idempotent (everything is found by its code first).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from core.models import User
from core.validators import credit_code_check_char
from orgs.models import Organisation, RoleAssignment
from orgs.roles import Role, ScopeMode
from orgs.services import organisation_create, organisation_create_root

K = Organisation.Kind
E = Organisation.EconomicType
DEMO_PASSWORD = "Gonghui@2026"
ROOT_CODE = "SY"

TOWNS = [
    "仁和镇",
    "后沙峪镇",
    "南彩镇",
    "马坡镇",
    "牛栏山镇",
    "杨镇",
    "李桥镇",
    "天竺镇",
    "高丽营镇",
    "李遂镇",
    "南法信镇",
    "北小营镇",
    "北务镇",
    "北石槽镇",
    "赵全营镇",
    "大孙各庄镇",
    "张镇",
    "龙湾屯镇",
    "木林镇",
]
STREETS = ["胜利街道", "光明街道", "石园街道", "空港街道", "双丰街道", "旺泉街道"]
ZONES = ["临空经济核心区", "天竺综合保税区", "中关村顺义园"]
SECTORS = ["教育系统", "卫生健康系统", "区直机关"]
# Real villages first where the report names them; the rest are generated from common stems.
NAMED_VILLAGES = {
    "仁和镇": ["沙坨村", "临河村", "河南村", "吴家营村"],
    "后沙峪镇": ["西泗上村", "吉祥庄村", "罗各庄村", "董各庄村"],
}
VILLAGE_STEMS = [
    "东",
    "西",
    "南",
    "北",
    "前",
    "后",
    "大",
    "小",
    "王",
    "李",
    "张",
    "赵",
    "杨",
    "刘",
    "马",
    "河",
    "石",
    "柳",
]
VILLAGE_TAILS = ["各庄村", "家营村", "庄村", "店村", "屯村", "园村", "坨村", "辛庄村", "台村", "务村"]
COMMUNITY_STEMS = [
    "裕龙",
    "仓上",
    "建新",
    "幸福",
    "双兴",
    "金港",
    "西辛",
    "望泉",
    "怡馨",
    "澜西",
    "光明",
    "石园",
]
FIRM_STEMS = [
    "顺鑫",
    "空港",
    "临空",
    "燕京",
    "鑫达",
    "恒润",
    "华泰",
    "中航",
    "金马",
    "宏远",
    "佳美",
    "汇丰",
    "博联",
    "新城",
    "天竺",
]
FIRM_TRADES = [
    "物流",
    "食品",
    "汽车零部件",
    "建材",
    "电子科技",
    "物业管理",
    "机械制造",
    "印刷",
    "航空服务",
    "商贸",
    "餐饮管理",
    "医药",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志海鹏飞宇浩然子轩梓涵欣怡晨阳"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    org_code: str
    note: str
    scope: str = ScopeMode.SUBTREE


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def make_credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91110113" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_char(body)


def _get_or_create(parent: Organisation, code: str, **fields) -> Organisation:
    existing = Organisation.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return organisation_create(actor=None, parent=parent, code=code, **fields)


def _chair(rng: random.Random, full_time: bool | None = None) -> dict:
    return {
        "chair_name": person_name(rng),
        "chair_full_time": rng.random() < 0.3 if full_time is None else full_time,
        "vice_chairs": "、".join(person_name(rng) for _ in range(rng.choice((0, 1, 2)))),
    }


def _founded(rng: random.Random, first_year: int = 1995, last_year: int = 2026) -> date:
    year = rng.randint(first_year, last_year)
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _enterprise_fields(rng: random.Random, area: str, used: set[str]) -> dict:
    place = area.removesuffix("镇").removesuffix("街道")
    name = f"北京{rng.choice(FIRM_STEMS)}{rng.choice(FIRM_TRADES)}有限公司"
    while name in used:  # the stems give 180 names; beyond that the area tells firms apart
        name = f"北京{place}{rng.choice(FIRM_STEMS)}{rng.choice(FIRM_TRADES)}有限公司"
    used.add(name)
    etype = rng.choices([E.NON_PUBLIC, E.STATE, E.COLLECTIVE], weights=[8, 1, 1])[0]
    return {
        "name": f"{name}工会委员会",
        "kind": K.ENTERPRISE,
        "employer_name": name,
        "credit_code": make_credit_code(rng),
        "economic_type": etype,
        "founded_on": _founded(rng, 2000),
        "address": f"北京市顺义区{area}",
        **_chair(rng),
    }


@transaction.atomic
def build_tree(seed: int = 20171010) -> Organisation:
    rng = random.Random(seed)
    root = Organisation.objects.filter(code=ROOT_CODE).first() or organisation_create_root(
        name="顺义区总工会",
        code=ROOT_CODE,
        founded_on=date(1950, 5, 1),
        address="北京市顺义区府前中街",
        contact_phone="010-69443500",
        chair_name="区总工会主席",
        chair_full_time=True,
    )
    used_names: set[str] = set()
    for i, town in enumerate(TOWNS, start=1):
        t = _get_or_create(
            root,
            f"SY-{100 + i}",
            name=f"{town}总工会",
            kind=K.TOWN,
            founded_on=date(1985, 1, 1),
            **_chair(rng, True),
        )
        villages = list(NAMED_VILLAGES.get(town, []))
        while len(villages) < 6:
            v = rng.choice(VILLAGE_STEMS) + rng.choice(VILLAGE_TAILS)
            if v not in villages:
                villages.append(v)
        for j, village in enumerate(villages, start=1):
            name = (
                "后沙峪镇西泗上村联合会"
                if (town, village) == ("后沙峪镇", "西泗上村")
                else f"{town}{village}工会联合会"
            )
            _get_or_create(
                t,
                f"{t.code}-{j:03d}",
                name=name,
                kind=K.VILLAGE_JOINT,
                founded_on=_founded(rng, 2012),
                address=f"北京市顺义区{town}{village}",
                **_chair(rng),
            )
        for j in range(1, 9):
            _get_or_create(t, f"{t.code}-{100 + j:03d}", **_enterprise_fields(rng, town, used_names))
    for i, street in enumerate(STREETS, start=1):
        s = _get_or_create(
            root,
            f"SY-{200 + i}",
            name=f"{street}总工会",
            kind=K.STREET,
            founded_on=date(1990, 1, 1),
            **_chair(rng, True),
        )
        for j in range(1, 5):
            community = COMMUNITY_STEMS[(i * 4 + j) % len(COMMUNITY_STEMS)]
            _get_or_create(
                s,
                f"{s.code}-{j:03d}",
                name=f"{street}{community}社区工会联合会",
                kind=K.COMMUNITY_JOINT,
                founded_on=_founded(rng, 2010),
                **_chair(rng),
            )
        for j in range(1, 6):
            _get_or_create(s, f"{s.code}-{100 + j:03d}", **_enterprise_fields(rng, street, used_names))
    for i, zone in enumerate(ZONES, start=1):
        z = _get_or_create(
            root,
            f"SY-{300 + i}",
            name=f"{zone}工会",
            kind=K.ZONE,
            founded_on=date(2005, 1, 1),
            **_chair(rng, True),
        )
        for j in range(1, 16):
            _get_or_create(z, f"{z.code}-{100 + j:03d}", **_enterprise_fields(rng, zone, used_names))
    schools = [
        "第一中学",
        "第二中学",
        "牛栏山第一中学",
        "杨镇第一中学",
        "西辛小学",
        "光明小学",
        "东风小学",
        "仁和中心小学",
        "石园小学",
        "北务中学",
        "天竺中学",
        "空港小学",
    ]
    sector_units = {
        "教育系统": [f"北京市顺义区{s}工会" for s in schools],
        "卫生健康系统": [
            "北京市顺义区医院工会",
            "北京市顺义区中医医院工会",
            "北京市顺义区妇幼保健院工会",
            "顺义区疾病预防控制中心工会",
            "北京市顺义区空港医院工会",
        ],
        "区直机关": [
            "区发展改革委机关工会",
            "区财政局机关工会",
            "区人力社保局机关工会",
            "区住房城乡建设委机关工会",
        ],
    }
    for i, sector in enumerate(SECTORS, start=1):
        sec = _get_or_create(
            root,
            f"SY-{400 + i}",
            name=f"{sector}工会",
            kind=K.SECTOR,
            founded_on=date(1980, 1, 1),
            **_chair(rng, True),
        )
        etype = E.GOVERNMENT_ORGAN if sector == "区直机关" else E.PUBLIC_INSTITUTION
        for j, unit in enumerate(sector_units[sector], start=1):
            _get_or_create(
                sec,
                f"{sec.code}-{j:03d}",
                name=unit,
                kind=K.INSTITUTION,
                economic_type=etype,
                founded_on=_founded(rng, 1980, 2015),
                **_chair(rng),
            )
    partners = [
        ("SY-901", "共青团北京市顺义区委员会", K.YOUTH_LEAGUE),
        ("SY-902", "北京市顺义区妇女联合会", K.WOMENS_FEDERATION),
        ("SY-903", "北京市顺义区人力资源和社会保障局", K.GOVERNMENT),
        ("SY-904", "北京市顺义区司法局（法律援助中心）", K.GOVERNMENT),
        # co-organisers of skills competitions and trainings (区科委, 区社教中心, 区工商联)
        ("SY-905", "北京市顺义区科学技术委员会", K.GOVERNMENT),
        ("SY-906", "北京市顺义区社区教育中心", K.GOVERNMENT),
        ("SY-907", "北京市顺义区工商业联合会", K.GOVERNMENT),
    ]
    for code, name, kind in partners:
        _get_or_create(root, code, name=name, kind=kind)
    return root


DEMO_ACCOUNTS = [
    DemoAccount("admin", "区总工会管理员", Role.DISTRICT_ADMIN, ROOT_CODE, "区总工会管理员（全区）"),
    DemoAccount("zuzhi", "组织部 刘建国", Role.ORG_DEPT, ROOT_CODE, "组织部干部"),
    DemoAccount("quanyi", "权益保障部 王芳", Role.RIGHTS_DEPT, ROOT_CODE, "权益保障部/帮扶中心"),
    DemoAccount("jingji", "经济技术部 赵磊", Role.ECON_DEPT, ROOT_CODE, "经济技术部"),
    DemoAccount("caiwu", "财务 孙丽", Role.FINANCE, ROOT_CODE, "财务（编制）"),
    DemoAccount("caiwu2", "财务 周敏", Role.FINANCE, ROOT_CODE, "财务（复核审批）"),
    DemoAccount("shenji", "经审委员 陈静", Role.AUDITOR, ROOT_CODE, "经审委员（只读）"),
    DemoAccount("renhe", "仁和镇总工会 杨洋", Role.SUB_OFFICER, "SY-101", "仁和镇总工会干部"),
    DemoAccount("houshayu", "后沙峪镇总工会 吴涛", Role.SUB_OFFICER, "SY-102", "后沙峪镇总工会干部"),
    DemoAccount("shatuo", "沙坨村联合会主席 马桂英", Role.GRASSROOTS_CHAIR, "SY-101-001", "仁和镇沙坨村工会联合会主席"),
    DemoAccount("shegong", "社工 李明", Role.SOCIAL_WORKER, "SY-101", "工会社会工作者（仁和镇）"),
    DemoAccount("fulian", "区妇联 郭秀霞", Role.PARTNER_OFFICER, "SY-902", "区妇联干部"),
    DemoAccount("tuanwei", "区团委 高宇", Role.PARTNER_OFFICER, "SY-901", "区团委干部"),
    DemoAccount("zhigong", "职工 张伟", Role.WORKER, "SY-101-001", "沙坨村职工（会员）", ScopeMode.SELF),
    DemoAccount(
        "bangfu_shatuo", "沙坨村帮扶专干 韩梅", Role.ASSISTANCE_OFFICER, "SY-101-001", "帮扶工作人员（沙坨村，核实）"
    ),
    DemoAccount(
        "bangfu_renhe", "仁和镇帮扶专干 冯刚", Role.ASSISTANCE_OFFICER, "SY-101", "帮扶工作人员（仁和镇，审核）"
    ),
]


@transaction.atomic
def build_accounts() -> list[DemoAccount]:
    for acc in DEMO_ACCOUNTS:
        user = User.objects.filter(username=acc.username).first()
        if user is None:
            user = User(username=acc.username, display_name=acc.display_name)
            user.set_password(DEMO_PASSWORD)
            user.save()
        org = Organisation.objects.get(code=acc.org_code)
        RoleAssignment.objects.get_or_create(user=user, role=acc.role, organisation=org, defaults={"scope": acc.scope})
    return DEMO_ACCOUNTS
