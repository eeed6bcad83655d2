"""Roles and the actions they grant (DESIGN.md §1).

A role is granted to a user over one organisation (orgs.RoleAssignment); the assignment's scope says
whether it covers the organisation's subtree, the organisation alone, or only the user's own records.
Roles are defined here, in code, so that what each role may do is reviewed like any other change.
"""

from __future__ import annotations

from django.db import models


class Perm:
    """Action names. Each is checked together with the organisation it is exercised over."""

    ORG_VIEW = "orgs.view"
    ORG_CHANGE = "orgs.change"
    ORG_CREATE = "orgs.create"
    ORG_MOVE = "orgs.move"
    ORG_CLOSE = "orgs.close"
    USER_MANAGE = "accounts.manage"
    AUDIT_VIEW = "core.audit_view"
    CALENDAR_MANAGE = "core.calendar_manage"
    # api.docs: the API's description (the OpenAPI schema and its interactive page) for those who
    # connect other systems to the platform (the hotline, the tax-bureau data, the mobile apps): the
    # district administrators. Calling the API needs only the actions of each route.
    API_DOCS = "api.docs"

    MEMBER_VIEW = "members.view"
    MEMBER_CHANGE = "members.change"
    MEMBER_IMPORT = "members.import"
    MEMBER_EXPORT = "members.export"
    MEMBER_VIEW_PII = "members.view_pii"

    # appeals.view: see requests (an officer within their grant; a worker only their own, in the portal).
    # appeals.office: the officers' back office of requests (workbench, detail with internal notes, rates,
    # liaisons). Workers never hold it, and an own-records grant never carries it (SELF_SCOPE_PERMS).
    APPEAL_VIEW = "appeals.view"
    APPEAL_OFFICE = "appeals.office"
    APPEAL_HANDLE = "appeals.handle"
    APPEAL_SUBMIT = "appeals.submit"
    LIAISON_MANAGE = "appeals.liaison_manage"

    FUND_VIEW = "funds.view"
    FUND_PREPARE = "funds.prepare"
    FUND_APPROVE = "funds.approve"
    DONATION_MANAGE = "funds.donation_manage"

    # Hardship files are sensitive (household, illness, income, bank account). assistance.status: see
    # that a member has a file and its state, never its contents (the member's union chair, officers).
    # assistance.view: the whole file; assistance.view_pii: its whole ID and account numbers (audited).
    # assistance.apply: open an application (an officer for a member; a worker for themself, own-records).
    # assistance.process: take a file's steps (verify, review, approve, re-verify, exit) and decide
    # relief and scholarship applications, at the level each step belongs to (docs/assistance.md).
    # assistance.manage: the local standards (低保标准) and the assistance programmes' set-up.
    ASSISTANCE_STATUS = "assistance.status"
    ASSISTANCE_VIEW = "assistance.view"
    ASSISTANCE_VIEW_PII = "assistance.view_pii"
    ASSISTANCE_APPLY = "assistance.apply"
    ASSISTANCE_PROCESS = "assistance.process"
    ASSISTANCE_MANAGE = "assistance.manage"
    # assistance.figures: read the district's hardship-assistance figures (帮扶统计) and the payment
    # rows behind them (allowance months, holiday relief), and export them; no step, no whole file.
    # The assistance roles, and read-only for finance and the auditors (经审).
    ASSISTANCE_FIGURES = "assistance.figures"
    # cadres.view: union posts, social workers, training classes and coverage of the user's scope.
    # cadres.manage: record and end posts, register cadres. cadres.social_workers: recruit, hire,
    # assign, evaluate social workers. cadres.training: organise classes, record attendance, invite.
    CADRE_VIEW = "cadres.view"
    CADRE_MANAGE = "cadres.manage"
    SOCIAL_WORKER_MANAGE = "cadres.social_workers"
    TRAINING_MANAGE = "cadres.training"
    # activities.manage: organise an event (competition, training, member activity), register members,
    # record attendance and results, report it held. activities.review: the union above accepts or
    # returns that report. activities.register: a worker registers themself in the portal.
    ACTIVITY_MANAGE = "activities.manage"
    ACTIVITY_REVIEW = "activities.review"
    ACTIVITY_REGISTER = "activities.register"

    # surveys.view / surveys.manage: see and run questionnaires over an organisation's members;
    # surveys.answer: a worker answers the questionnaires sent to them (own records only).
    SURVEY_VIEW = "surveys.view"
    SURVEY_MANAGE = "surveys.manage"
    SURVEY_ANSWER = "surveys.answer"
    # reform.view: the reform plans, task sheets, timetables; reform.manage: draw up plans and tasks;
    # reform.report: report progress on a task one's organisation is responsible for.
    REFORM_VIEW = "reform.view"
    REFORM_MANAGE = "reform.manage"
    REFORM_REPORT = "reform.report"

    @classmethod
    def all(cls) -> frozenset[str]:
        return frozenset(v for k, v in vars(cls).items() if k.isupper())


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "区总工会管理员"
    ORG_DEPT = "org_dept", "组织部干部"
    RIGHTS_DEPT = "rights_dept", "权益保障部（帮扶中心）干部"
    ECON_DEPT = "econ_dept", "经济技术部干部"
    FINANCE = "finance", "财务人员"
    SUB_OFFICER = "sub_officer", "镇街/功能区/系统工会干部"
    GRASSROOTS_CHAIR = "grassroots_chair", "基层工会主席/干部"
    SOCIAL_WORKER = "social_worker", "工会社会工作者"
    PARTNER_OFFICER = "partner_officer", "团委/妇联干部"
    AUDITOR = "auditor", "经审委员"
    ASSISTANCE_OFFICER = "assistance_officer", "帮扶工作人员"
    WORKER = "worker", "职工/会员"


P = Perm
ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: Perm.all(),
    Role.ORG_DEPT: frozenset(
        {
            P.ORG_VIEW,
            P.ORG_CHANGE,
            P.ORG_CREATE,
            P.ORG_MOVE,
            P.ORG_CLOSE,
            P.USER_MANAGE,
            P.MEMBER_VIEW,
            P.MEMBER_CHANGE,
            P.MEMBER_IMPORT,
            P.MEMBER_EXPORT,
            P.MEMBER_VIEW_PII,
            P.CADRE_VIEW,
            P.CADRE_MANAGE,
            P.SOCIAL_WORKER_MANAGE,
            P.TRAINING_MANAGE,
            P.ACTIVITY_MANAGE,
            P.ACTIVITY_REVIEW,
            P.SURVEY_VIEW,
            P.SURVEY_MANAGE,
            P.REFORM_VIEW,
            P.REFORM_MANAGE,
            P.REFORM_REPORT,
        }
    ),
    Role.RIGHTS_DEPT: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.MEMBER_VIEW_PII,
            P.MEMBER_EXPORT,
            P.APPEAL_VIEW,
            P.APPEAL_OFFICE,
            P.APPEAL_HANDLE,
            P.LIAISON_MANAGE,
            P.FUND_VIEW,
            P.ASSISTANCE_STATUS,
            P.ASSISTANCE_VIEW,
            P.ASSISTANCE_VIEW_PII,
            P.ASSISTANCE_APPLY,
            P.ASSISTANCE_PROCESS,
            P.ASSISTANCE_MANAGE,
            P.ASSISTANCE_FIGURES,
            P.CADRE_VIEW,
            P.SURVEY_VIEW,
            P.SURVEY_MANAGE,
            P.REFORM_VIEW,
        }
    ),
    Role.ECON_DEPT: frozenset({P.ORG_VIEW, P.MEMBER_VIEW, P.MEMBER_EXPORT, P.ACTIVITY_MANAGE, P.ACTIVITY_REVIEW}),
    Role.FINANCE: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.FUND_VIEW,
            P.FUND_PREPARE,
            P.FUND_APPROVE,
            P.DONATION_MANAGE,
            P.ASSISTANCE_FIGURES,
        }
    ),
    Role.SUB_OFFICER: frozenset(
        {
            P.ORG_VIEW,
            P.ORG_CHANGE,
            P.ORG_CREATE,
            P.ORG_CLOSE,
            P.USER_MANAGE,
            P.MEMBER_VIEW,
            P.MEMBER_CHANGE,
            P.MEMBER_IMPORT,
            P.MEMBER_EXPORT,
            P.APPEAL_VIEW,
            P.APPEAL_OFFICE,
            P.APPEAL_HANDLE,
            P.LIAISON_MANAGE,
            P.FUND_VIEW,
            P.ASSISTANCE_STATUS,
            P.CADRE_VIEW,
            P.CADRE_MANAGE,
            P.SOCIAL_WORKER_MANAGE,
            P.TRAINING_MANAGE,
            P.ACTIVITY_MANAGE,
            P.ACTIVITY_REVIEW,
            P.SURVEY_VIEW,
            P.SURVEY_MANAGE,
            P.REFORM_VIEW,
            P.REFORM_REPORT,
        }
    ),
    Role.GRASSROOTS_CHAIR: frozenset(
        {
            P.ORG_VIEW,
            P.ORG_CHANGE,
            P.MEMBER_VIEW,
            P.MEMBER_CHANGE,
            P.MEMBER_IMPORT,
            P.MEMBER_EXPORT,
            P.APPEAL_VIEW,
            P.APPEAL_OFFICE,
            P.FUND_VIEW,
            P.ASSISTANCE_STATUS,
            P.CADRE_VIEW,
            P.CADRE_MANAGE,
            P.ACTIVITY_MANAGE,
            P.SURVEY_VIEW,
            P.SURVEY_MANAGE,
            P.REFORM_VIEW,
            P.REFORM_REPORT,
        }
    ),
    Role.SOCIAL_WORKER: frozenset({P.ORG_VIEW, P.MEMBER_VIEW, P.APPEAL_VIEW, P.APPEAL_OFFICE, P.APPEAL_HANDLE}),
    Role.PARTNER_OFFICER: frozenset({P.ORG_VIEW, P.APPEAL_VIEW, P.APPEAL_OFFICE, P.APPEAL_HANDLE}),
    Role.AUDITOR: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.FUND_VIEW,
            P.AUDIT_VIEW,
            P.APPEAL_VIEW,
            P.APPEAL_OFFICE,
            P.SURVEY_VIEW,
            P.REFORM_VIEW,
            P.ASSISTANCE_FIGURES,
        }
    ),
    Role.WORKER: frozenset(
        {
            P.MEMBER_VIEW,
            P.APPEAL_VIEW,
            P.APPEAL_SUBMIT,
            P.ASSISTANCE_VIEW,
            P.ASSISTANCE_APPLY,
            P.ACTIVITY_REGISTER,
            P.SURVEY_ANSWER,
        }
    ),
    # A union's (or a town's) hardship-assistance officer (帮扶专干): verifies at a grassroots union,
    # reviews at a town; sees whole files in scope but whole ID and account numbers only masked.
    Role.ASSISTANCE_OFFICER: frozenset(
        {
            P.ORG_VIEW,
            P.MEMBER_VIEW,
            P.ASSISTANCE_STATUS,
            P.ASSISTANCE_VIEW,
            P.ASSISTANCE_APPLY,
            P.ASSISTANCE_PROCESS,
            P.ASSISTANCE_FIGURES,
        }
    ),
}


# What a grant over "own records only" (ScopeMode.SELF) can carry, whatever its role: seeing one's own
# records, submitting requests, applying for hardship assistance, registering for events and answering surveys. An officer
# action never comes from an own-records grant.
SELF_SCOPE_PERMS: frozenset[str] = frozenset(
    {
        Perm.MEMBER_VIEW,
        Perm.APPEAL_VIEW,
        Perm.APPEAL_SUBMIT,
        Perm.ASSISTANCE_VIEW,
        Perm.ASSISTANCE_APPLY,
        Perm.ACTIVITY_REGISTER,
        Perm.SURVEY_ANSWER,
    }
)


class ScopeMode(models.TextChoices):
    SUBTREE = "subtree", "本组织及下级"
    ORG = "org", "仅本组织"
    SELF = "self", "仅本人"


def default_scope_for(role: str) -> str:
    return ScopeMode.SELF if role == Role.WORKER else ScopeMode.SUBTREE
