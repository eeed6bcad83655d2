"""Issue 9: a permission test over every URL name of the project, walked from the resolver.

``ROUTES`` (below) says, for each URL name, how its keyword arguments are built from the objects
of ``world`` (one object of every ``data_scope`` model inside town A, and the like in town B), or
that it takes none (a list or a form), or that it is public. A route missing from ``ROUTES`` fails
``test_every_url_name_has_an_entry``; a ``data_scope`` model no entry exercises fails
``test_every_data_scope_model_is_exercised``. Then, for every role of the test district:

* a route with an object: town B's officer and an account with no role get 404 (or, with no
  role, login / 403) on GET and on an empty POST for town A's object, and the POST changes
  nothing (row counts of every scoped model, AuditEvent count, the object's own fields); the
  owner of the object's domain gets a non-404 answer;
* a route without argument (and its ``?export=xlsx``): town B's officer sees no text identifying
  a town-A object (the xlsx is unzipped); the owner sees it where the list shows that model;
* no role gets a 5xx from any route, by GET or POST.
"""

from __future__ import annotations

import functools
import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from activities.innovation_services import item_submit
from activities.models import EventPhoto, Registration
from activities.services import activity_report
from activities.studios_services import output_record, studio_create
from api.tests.test_hostile_input import walk
from appeals import services as appeal_services
from appeals.models import Appeal
from appeals.tests.factories import liaison, make_appeal, run_to
from assessment import services as assessment_services
from assessment.testing import DEFAULT_BANDS, WORKER_BANDS
from assistance.models import HardshipFile, LocalStandard
from assistance.services.files import file_apply as svc_file_apply
from assistance.services.files import standard_save
from assistance.tests.factories import hardship_file, household_member
from cadres.tests.factories import side as cadres_side
from conftest import TEST_DATA_KEY, TEST_HASHERS, build_district, make_user
from core.models import AuditEvent, User
from dashboard.models import ReportDraft
from funds import bank
from funds import services as fund_services
from funds.models import (
    Account,
    BankBatch,
    BudgetAllocation,
    Cycle,
    Donation,
    Entitlement,
    JournalLine,
    ParameterVersion,
    PayeeAccount,
    Payment,
)
from funds.testing import add_members, fund_programme
from members.models import Honour, ImportJob
from members.tests.factories import member
from members.tests.xlsx_helpers import row, write_rows
from orgs.models import Organisation
from orgs.roles import Role
from orgs.services import organisation_create, role_grant
from orgs.testing import Obj, Page, Public, response_text
from programmes.models import DuesImport, DuesRecord
from programmes.services import dues_import, grant_usage_record
from programmes.tests.test_programmes import HEAD, xlsx
from reform import services as reform_services
from surveys.models import Answer, PendingResponse, Response
from surveys.tests.factories import answer, satisfaction_survey, workers

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
K = Organisation.Kind

APPEAL_ACTIONS = ["contact", "note", "refer", "feedback", "rate", "invalid", "attach"]
FILE_ACTIONS = ["verify", "review", "approve", "reject", "reverify", "exit"]

# --- the registry: every URL name of the project --------------------------------------------------

ROUTES: dict[str, Any] = {
    # public or about the signed-in account itself
    "accounts:login": Public("login"),
    "accounts:logout": Public("logout"),
    "api:token": Public("login"),
    "api:api-root": Public("index"),
    "healthz": Public("probe"),
    "readyz": Public("probe"),
    # pages without an argument: lists, forms, counts
    "accounts:audit": Page(owner="admin"),
    "api:schema": Page(owner="admin"),
    "api:docs": Page(owner="admin"),
    "accounts:calendar": Page(owner="admin"),
    "accounts:history": Page(owner="admin"),
    "accounts:password_change": Page(),
    "accounts:whoami": Page(),
    "accounts:user_list": Page(shows=("role",)),
    "accounts:user_create": Page(),
    "activities:list": Page(shows=("activity",)),
    "activities:create": Page(),
    "activities:figures": Page(),
    "activities:registrations": Page(shows=("registration",)),
    "activities:craftsmen": Page(shows=("nomination",)),
    "activities:studios": Page(shows=("studio",)),
    "activities:innovations": Page(shows=("innovation",)),
    "appeals:create": Page(),
    "appeals:liaisons": Page(shows=("liaison",)),
    "appeals:list": Page(shows=("appeal",)),
    "appeals:notifications": Page(),
    "appeals:rates": Page(),
    "cadres:posts": Page(shows=("cadre_post", "cadre")),
    "cadres:staffing": Page(shows=("org",)),
    "cadres:recruitments": Page(shows=("recruitment",)),
    "cadres:workers": Page(shows=("social_worker", "pay_grade", "sw_assignment", "evaluation")),
    "cadres:classes": Page(shows=("training_class",)),
    "cadres:records": Page(shows=("attendance",)),
    "cadres:coverage": Page(shows=("cadre_post",)),
    "api:cadre-post-list": Page(shows=("cadre_post",)),
    "api:cadre-social-worker-list": Page(shows=("social_worker",)),
    "api:cadre-training-record-list": Page(shows=("attendance",)),
    "assistance:file_create": Page(owner="rights"),
    "assistance:file_list": Page(owner="rights", shows=("file",)),
    "assistance:my_apply": Page(owner="worker_a"),
    "assistance:my_file": Page(owner="worker_a", shows=("file",)),
    "assistance:standard_list": Page(owner="rights"),
    "assistance:status_list": Page(owner="chair_a", shows=("file",)),
    "assessment:list": Page(shows=("assessment_result",)),
    "assessment:sets": Page(shows=("indicator_set",)),
    "assessment:set_create": Page(),
    "dashboard:home": Page(),
    "dashboard:leader": Page(),
    "dashboard:report": Page(shows=("report_draft",)),
    "assistance:figures": Page(owner="rights"),
    "assistance:allowance_months": Page(owner="rights", shows=("allowance_month",)),
    "assistance:holiday_payments": Page(owner="rights"),
    "assistance:my_allowance": Page(owner="worker_a"),
    "funds:account_list": Page(owner="finance", shows=("account",)),
    "funds:allocation_create": Page(owner="finance"),
    "funds:cycle_list": Page(owner="finance", shows=("cycle",)),
    "funds:donation_create": Page(owner="finance"),
    "funds:donation_list": Page(owner="finance", shows=("donation",)),
    "funds:entry_list": Page(owner="finance", shows=("entry",)),
    "funds:payment_list": Page(owner="finance", shows=("payment",)),
    "funds:period_list": Page(owner="finance"),
    "funds:programme_list": Page(owner="finance", shows=("programme",)),
    "funds:trial_balance": Page(owner="finance", shows=("line",)),
    # money reaching the bank (funds/bank.py)
    "funds:batch_list": Page(owner="finance", shows=("bank_batch",)),
    "funds:batch_new": Page(owner="finance"),
    "funds:payee_account_list": Page(owner="finance", shows=("payee_account",)),
    "funds:missing_accounts": Page(owner="finance"),
    "funds:payee_account_import": Page(owner="finance"),
    "funds:returned_list": Page(owner="finance", shows=("payment",)),
    "api:fund-bank-batch-list": Page(owner="finance", shows=("bank_batch",)),
    "api:fund-payee-account-list": Page(owner="finance", shows=("payee_account",)),
    "members:create": Page(),
    "members:import": Page(),
    "members:import_template": Page(),
    "members:list": Page(shows=("person", "membership", "history")),
    "orgs:list": Page(shows=("org",)),
    "orgs:search": Page(),
    "orgs:branch": Page(),
    "orgs:tree": Page(),
    "portal:home": Page(owner="worker_a"),
    "portal:new": Page(owner="worker_a"),
    "portal:messages": Page(owner="worker_a"),
    "assistance:relief_list": Page(owner="rights", shows=("relief",)),
    "assistance:scholarship_list": Page(owner="rights", shows=("scholarship",)),
    "assistance:my_relief": Page(owner="worker_a", shows=("relief", "scholarship")),
    "assistance:my_relief_new": Page(owner="worker_a"),
    "assistance:my_scholarship_new": Page(owner="worker_a"),
    "portal:activities": Page(owner="worker_a"),
    "portal:innovation": Page(owner="worker_a"),
    "programmes:dues_import": Page(owner="finance", shows=("dues_import",)),
    "programmes:dues_list": Page(owner="finance", shows=("dues_record",)),
    "programmes:grant_list": Page(owner="finance", shows=("grant_usage",)),
    "api:me": Page(),
    "api:appeal-list": Page(shows=("appeal",)),
    "api:activity-event-list": Page(shows=("activity",)),
    "api:activity-registration-list": Page(shows=("registration",)),
    "api:activity-honour-list": Page(shows=("honour",)),
    "api:activity-selection-list": Page(owner="econ", shows=("selection",)),
    "api:activity-nomination-list": Page(shows=("nomination",)),
    "api:activity-studio-list": Page(shows=("studio",)),
    "api:activity-studio-output-list": Page(shows=("studio_output",)),
    "api:activity-innovation-list": Page(shows=("innovation",)),
    "api:activity-innovation-counts": Page(),
    "api:member-list": Page(shows=("membership",)),
    "api:org-list": Page(shows=("org",)),
    "api:fund-account-list": Page(owner="finance", shows=("account",)),
    "api:fund-cycle-list": Page(owner="finance", shows=("cycle",)),
    "api:fund-donation-list": Page(owner="finance", shows=("donation",)),
    "api:assistance-relief-list": Page(owner="rights", shows=("relief",)),
    "api:assistance-scholarship-list": Page(owner="rights", shows=("scholarship",)),
    "api:assistance-payment-list": Page(owner="rights", shows=("relief_payment",)),
    "api:fund-entitlement-list": Page(owner="finance", shows=("entitlement",)),
    "api:fund-entry-list": Page(owner="finance", shows=("entry",)),
    "api:fund-payment-list": Page(owner="finance", shows=("payment",)),
    "api:fund-programme-list": Page(owner="finance", shows=("programme",)),
    "api:fund-trial-balance": Page(owner="finance", shows=("allocation",)),
    "api:assistance-file-list": Page(owner="rights", shows=("file",)),
    "api:assessment-set-list": Page(shows=("indicator_set",)),
    "api:assessment-version-list": Page(shows=("assessment_version",)),
    "api:assessment-result-list": Page(shows=("assessment_result",)),
    # routes with an object: kwarg → (object of ``world``, attribute) or the literal values to try
    "accounts:user_detail": Obj({"pk": ("user", "pk")}, owner="admin"),
    "accounts:user_action": Obj(
        {"pk": ("user", "pk"), "action": ["reset_password", "activate", "deactivate", "unlock"]},
        owner="admin",
        get=False,
    ),
    "accounts:user_revoke": Obj({"pk": ("user", "pk"), "assignment_id": ("role", "pk")}, owner="admin", get=False),
    "activities:detail": Obj({"pk": ("activity", "pk")}, also=("registration",)),
    "activities:selection": Obj({"pk": ("selection", "pk")}, owner="econ", also=("nomination", "score", "objection")),
    "activities:studio": Obj({"pk": ("studio", "pk")}, also=("studio_output",)),
    "activities:innovation": Obj({"pk": ("innovation", "pk")}),
    "activities:photo": Obj({"pk": ("activity", "pk"), "photo": ("event_photo", "pk")}),
    "activities:photo_remove": Obj({"pk": ("activity", "pk"), "photo": ("event_photo", "pk")}, get=False),
    "activities:selection_step": Obj(
        {"pk": ("selection", "pk"), "step": ["nominate", "close", "score", "publish", "objection", "decide", "award"]},
        owner="econ",
        get=False,
    ),
    "activities:step": Obj(
        {"pk": ("activity", "pk"), "step": ["import", "attendance", "results", "awards", "report", "review"]},
        get=False,
    ),
    "appeals:detail": Obj({"pk": ("appeal", "pk")}),
    "assistance:file_detail": Obj({"pk": ("file", "pk")}, owner="rights", also=("household", "step", "verification")),
    "assistance:file_edit": Obj({"pk": ("file", "pk")}, owner="rights"),
    "assistance:file_reveal": Obj({"pk": ("file", "pk")}, owner="rights", get=False),
    "assistance:file_action": Obj({"pk": ("file", "pk"), "action": FILE_ACTIONS}, owner="rights", get=False),
    "assistance:household_add": Obj({"pk": ("file", "pk")}, owner="rights"),
    "assistance:household_edit": Obj({"pk": ("file", "pk"), "member": ("household", "pk")}, owner="rights"),
    "assistance:household_remove": Obj(
        {"pk": ("file", "pk"), "member": ("household", "pk")}, owner="rights", get=False
    ),
    # owner=None: by the end of the world worker_a's application is approved for the scholarship
    # (``_active_file_of``) and a file in force is no longer the worker's to edit; the portal household
    # page on an application is tested in assistance/tests/test_files_pages.py.
    "assistance:my_household": Obj({"pk": ("file", "pk")}, owner=None),
    "assistance:my_household_edit": Obj({"pk": ("file", "pk"), "member": ("household", "pk")}, owner=None),
    "assistance:my_household_remove": Obj({"pk": ("file", "pk"), "member": ("household", "pk")}, owner=None, get=False),
    "assistance:my_documents_add": Obj({"pk": ("file", "pk")}, owner=None, get=False),
    "assistance:file_documents_add": Obj({"pk": ("file", "pk")}, owner="rights", get=False),
    "assistance:file_document": Obj({"pk": ("file", "pk"), "doc": ("file_document", "pk")}, owner="rights"),
    "assistance:file_document_remove": Obj(
        {"pk": ("file", "pk"), "doc": ("file_document", "pk")}, owner="rights", get=False
    ),
    "assistance:my_document_remove": Obj({"pk": ("file", "pk"), "doc": ("file_document", "pk")}, owner=None, get=False),
    "api:assistance-file-detail": Obj({"pk": ("file", "pk")}, owner="rights"),
    **{f"api:assistance-file-{step}": Obj({"pk": ("file", "pk")}, owner="rights", get=False) for step in FILE_ACTIONS},
    "appeals:action": Obj({"pk": ("appeal", "pk"), "action": APPEAL_ACTIONS}, get=False),
    "appeals:attachment": Obj({"pk": ("appeal", "pk"), "att": ("attachment", "pk")}),
    "appeals:referral_action": Obj(
        {"pk": ("appeal", "pk"), "ref": ("referral", "pk"), "action": ["accept", "complete", "return"]}, get=False
    ),
    "cadres:post_end": Obj({"pk": ("cadre_post", "pk")}),
    "cadres:recruitment_detail": Obj({"pk": ("recruitment", "pk")}, also=("application", "interview_score")),
    "cadres:recruitment_score": Obj({"pk": ("recruitment", "pk")}, owner="social_a"),
    "cadres:worker_detail": Obj({"pk": ("social_worker", "pk")}, also=("sw_assignment", "evaluation", "pay_grade")),
    "cadres:class_detail": Obj({"pk": ("training_class", "pk")}, also=("attendance",)),
    "api:cadre-post-detail": Obj({"pk": ("cadre_post", "pk")}),
    "api:cadre-social-worker-detail": Obj({"pk": ("social_worker", "pk")}),
    "api:cadre-training-record-detail": Obj({"pk": ("attendance", "pk")}),
    "assistance:allowance_bank_list": Obj(
        {"pk": ("allowance_cycle", "pk")}, owner="finance", also=("allowance_month",)
    ),
    "funds:account_detail": Obj({"code": ("account", "code")}, owner="finance"),
    "funds:cycle_action": Obj(
        {"pk": ("cycle", "pk"), "action": ["review", "approve", "recompute"]}, owner="finance", get=False
    ),
    "funds:cycle_detail": Obj({"pk": ("cycle", "pk")}, owner="finance"),
    "funds:cycle_progress": Obj({"pk": ("cycle", "pk")}, owner="finance"),
    "funds:donation_receipt": Obj({"pk": ("donation", "pk")}, owner="finance"),
    "funds:entitlement_adjust": Obj({"pk": ("entitlement", "pk")}, owner="finance", get=False),
    "funds:entry_detail": Obj({"pk": ("entry", "pk")}, owner="finance"),
    "funds:programme_detail": Obj({"code": ("programme", "code")}, owner="finance", also=("version",)),
    "funds:batch_detail": Obj({"pk": ("bank_batch", "pk")}, owner="finance", also=("batch_line",)),
    "funds:batch_file": Obj({"pk": ("bank_batch", "pk")}, owner="finance"),
    "funds:batch_result": Obj({"pk": ("bank_batch", "pk")}, owner="finance", get=False),
    "funds:batch_action": Obj({"pk": ("bank_batch", "pk"), "action": ["send", "cancel"]}, owner="finance", get=False),
    "funds:payee_account_detail": Obj({"pk": ("payee_account", "pk")}, owner="finance"),
    "funds:payee_account_verify": Obj({"pk": ("payee_account", "pk")}, owner="finance", get=False),
    "funds:payee_account_new": Obj({"kind": ["org"], "pk": ("union", "pk")}, owner="finance"),
    "funds:returned_detail": Obj({"pk": ("payment", "pk")}, owner="finance", also=("reissue",)),
    "funds:returned_action": Obj(
        {"pk": ("payment", "pk"), "action": ["request", "approve"]}, owner="finance", get=False
    ),
    "api:fund-bank-batch-detail": Obj({"pk": ("bank_batch", "pk")}, owner="finance"),
    "api:fund-bank-batch-lines": Obj({"pk": ("bank_batch", "pk")}, owner="finance", also=("batch_line",)),
    "api:fund-payee-account-detail": Obj({"pk": ("payee_account", "pk")}, owner="finance"),
    "members:detail": Obj({"pk": ("person", "pk")}, also=("history",)),
    "members:edit": Obj({"pk": ("person", "pk")}),
    "members:honour_add": Obj({"pk": ("person", "pk")}, get=False),
    "members:honour_remove": Obj({"pk": ("person", "pk"), "honour_id": ("honour", "pk")}, get=False),
    "members:import_confirm": Obj({"job_id": ("job", "pk")}, get=False),
    "members:import_job": Obj({"job_id": ("job", "pk")}),
    "members:import_report": Obj({"job_id": ("job", "pk")}),
    "members:leave": Obj({"pk": ("person", "pk")}),
    "members:reveal": Obj({"pk": ("person", "pk")}, get=False),
    "members:transfer": Obj({"pk": ("person", "pk")}),
    "orgs:children": Obj({"code": ("org", "code")}),
    "orgs:close": Obj({"code": ("org", "code")}),
    "orgs:create": Obj({"code": ("org", "code")}),
    "orgs:detail": Obj({"code": ("org", "code")}, also=("activity",)),
    "orgs:edit": Obj({"code": ("org", "code")}),
    "orgs:move": Obj({"code": ("org", "code")}, owner="admin"),
    "assessment:set_detail": Obj({"pk": ("indicator_set", "pk")}),
    "assessment:set_compute": Obj({"pk": ("indicator_set", "pk")}, get=False),
    "assessment:version": Obj({"pk": ("assessment_version", "pk")}, also=("assessment_event",)),
    "assessment:version_action": Obj(
        {"pk": ("assessment_version", "pk"), "action": ["review", "publish", "reopen"]}, get=False
    ),
    # a social worker's result (town A's worker): its page lists what publishing wrote to the evaluation
    "assessment:result": Obj({"pk": ("worker_result", "pk")}, also=("evaluation_write",)),
    "assessment:line_rows": Obj({"pk": ("assessment_result", "pk"), "position": [1, 2]}, also=("manual_score",)),
    "assessment:score": Obj({"pk": ("manual_indicator", "pk")}),
    "portal:detail": Obj({"pk": ("appeal", "pk")}, owner="worker_a"),
    "assistance:relief_detail": Obj({"pk": ("relief", "pk")}, owner="rights", also=("relief_step",)),
    "assistance:relief_action": Obj(
        {"pk": ("relief", "pk"), "action": ["verify", "approve", "reject"]}, owner="rights", get=False
    ),
    "assistance:relief_document": Obj({"pk": ("relief", "pk"), "doc": ("relief_document", "pk")}, owner="rights"),
    "assistance:my_relief_detail": Obj({"pk": ("relief", "pk")}, owner="worker_a"),
    "assistance:scholarship_detail": Obj({"pk": ("scholarship", "pk")}, owner="rights", also=("scholarship_step",)),
    "assistance:scholarship_action": Obj(
        {"pk": ("scholarship", "pk"), "action": ["verify", "approve", "reject"]}, owner="rights", get=False
    ),
    "assistance:scholarship_document": Obj(
        {"pk": ("scholarship", "pk"), "doc": ("scholarship_document", "pk")}, owner="rights"
    ),
    "assistance:my_scholarship_detail": Obj({"pk": ("scholarship", "pk")}, owner="worker_a"),
    "portal:rate": Obj({"pk": ("appeal", "pk")}, owner="worker_a", get=False),
    "portal:activity_register": Obj({"pk": ("activity", "pk")}, owner="worker_a", get=False),
    "programmes:grant_detail": Obj({"pk": ("payment", "pk")}, owner="finance", also=("grant_usage",)),
    "api:appeal-detail": Obj({"pk": ("appeal", "pk")}),
    "api:activity-event-detail": Obj({"pk": ("activity", "pk")}),
    "api:activity-event-report": Obj({"pk": ("activity", "pk")}, get=False),
    "api:activity-event-review": Obj({"pk": ("activity", "pk")}, get=False),
    "api:activity-registration-detail": Obj({"pk": ("registration", "pk")}),
    "api:activity-honour-detail": Obj({"pk": ("honour", "pk")}),
    "api:activity-selection-detail": Obj({"pk": ("selection", "pk")}, owner="econ"),
    "api:activity-nomination-detail": Obj({"pk": ("nomination", "pk")}),
    "api:activity-studio-detail": Obj({"pk": ("studio", "pk")}, also=("studio_output",)),
    "api:activity-studio-output-detail": Obj({"pk": ("studio_output", "pk")}),
    "api:activity-innovation-detail": Obj({"pk": ("innovation", "pk")}),
    "api:activity-innovation-grade": Obj({"pk": ("innovation", "pk")}, get=False),
    "api:appeal-rate": Obj({"pk": ("appeal", "pk")}, owner="worker_a", get=False),
    "api:appeal-transition": Obj({"pk": ("appeal", "pk")}, get=False),
    "api:fund-account-detail": Obj({"code": ("account", "code")}, owner="finance"),
    "api:fund-account-statement": Obj({"code": ("account", "code")}, owner="finance"),
    "api:fund-cycle-detail": Obj({"pk": ("cycle", "pk")}, owner="finance"),
    "api:fund-donation-detail": Obj({"pk": ("donation", "pk")}, owner="finance"),
    "api:fund-entitlement-detail": Obj({"pk": ("entitlement", "pk")}, owner="finance"),
    "api:fund-entry-detail": Obj({"pk": ("entry", "pk")}, owner="finance"),
    "api:fund-payment-detail": Obj({"pk": ("payment", "pk")}, owner="finance"),
    "api:assistance-relief-detail": Obj({"pk": ("relief", "pk")}, owner="rights"),
    "api:assistance-scholarship-detail": Obj({"pk": ("scholarship", "pk")}, owner="rights"),
    "api:assistance-payment-detail": Obj({"pk": ("relief_payment", "pk")}, owner="rights"),
    "api:fund-programme-detail": Obj({"code": ("programme", "code")}, owner="finance"),
    "api:member-detail": Obj({"pk": ("membership", "pk")}),
    "api:member-leave": Obj({"pk": ("membership", "pk")}, get=False),
    "api:member-transfer": Obj({"pk": ("membership", "pk")}, get=False),
    "api:org-detail": Obj({"code": ("org", "code")}),
    "api:assessment-set-detail": Obj({"pk": ("indicator_set", "pk")}),
    "api:assessment-set-compute": Obj({"pk": ("indicator_set", "pk")}, get=False),
    "api:assessment-version-detail": Obj({"pk": ("assessment_version", "pk")}),
    "api:assessment-version-review": Obj({"pk": ("assessment_version", "pk")}, get=False),
    "api:assessment-version-publish": Obj({"pk": ("assessment_version", "pk")}, get=False),
    "api:assessment-result-detail": Obj({"pk": ("assessment_result", "pk")}),
    # surveys and reform (issue 14)
    "surveys:list": Page(shows=("survey",)),
    "surveys:create": Page(),
    "surveys:detail": Obj({"pk": ("survey", "pk")}, also=("question", "invitation", "response", "answer", "pending")),
    "surveys:question_add": Obj({"pk": ("survey", "pk")}, get=False),
    "surveys:export": Obj({"pk": ("survey", "pk")}),
    "surveys:action": Obj({"pk": ("survey", "pk"), "action": ["send", "close"]}, get=False),
    "survey_portal:list": Page(owner="worker_a", shows=("survey",)),
    "survey_portal:answer": Obj({"pk": ("survey", "pk")}, owner="worker_a"),
    "reform:plan_list": Page(shows=("plan",)),
    "reform:plan_create": Page(owner="org_dept"),
    "reform:task_list": Page(shows=("task",)),
    "reform:plan_detail": Obj({"pk": ("plan", "pk")}, also=("phase",)),
    "reform:phase_add": Obj({"pk": ("plan", "pk")}, get=False),
    "reform:task_add": Obj({"pk": ("plan", "pk")}, get=False),
    "reform:plan_report": Obj({"pk": ("plan", "pk")}),
    "reform:task_detail": Obj({"pk": ("task", "pk")}, also=("milestone", "progress")),
    "reform:report_add": Obj({"pk": ("task", "pk")}, get=False),
    "reform:milestone_add": Obj({"pk": ("task", "pk")}, get=False),
    "reform:milestone_done": Obj({"pk": ("task", "pk"), "milestone": ("milestone", "pk")}, get=False),
    "reform:attachment": Obj({"pk": ("task", "pk"), "att": ("report_file", "pk")}),
    "reform:task_action": Obj({"pk": ("task", "pk"), "action": ["complete", "reopen"]}, get=False),
    "api:survey-list": Page(shows=("survey",)),
    "api:survey-detail": Obj({"pk": ("survey", "pk")}),
    "api:survey-results": Obj({"pk": ("survey", "pk")}),
    "api:reform-plan-list": Page(shows=("plan",)),
    "api:reform-plan-detail": Obj({"pk": ("plan", "pk")}),
    "api:reform-plan-report": Obj({"pk": ("plan", "pk")}),
    "api:reform-task-list": Page(shows=("task",)),
    "api:reform-task-detail": Obj({"pk": ("task", "pk")}),
}

# the object key of ``world`` → its model (the meta-test checks every data_scope model is here)
MODELS = {
    "org": "orgs.Organisation",
    "role": "orgs.RoleAssignment",
    "person": "members.Person",
    "history": "members.HistoricalPerson",
    "membership": "members.Membership",
    "honour": "members.Honour",
    "activity": "activities.Activity",
    "registration": "activities.Registration",
    "selection": "activities.CraftsmanSelection",
    "nomination": "activities.Nomination",
    "score": "activities.NominationScore",
    "objection": "activities.Objection",
    "studio": "activities.Studio",
    "studio_output": "activities.StudioOutput",
    "innovation": "activities.InnovationItem",
    "event_photo": "activities.EventPhoto",
    "indicator_set": "assessment.IndicatorSet",
    "manual_indicator": "assessment.Indicator",
    "assessment_version": "assessment.Assessment",
    "assessment_result": "assessment.AssessmentResult",
    "assessment_event": "assessment.AssessmentEvent",
    "manual_score": "assessment.ManualScore",
    "worker_result": "assessment.AssessmentResult",
    "evaluation_write": "assessment.EvaluationWrite",
    "liaison": "appeals.LiaisonAssignment",
    "cadre": "cadres.Cadre",
    "cadre_post": "cadres.Post",
    "recruitment": "cadres.Recruitment",
    "application": "cadres.Application",
    "interview_score": "cadres.InterviewScore",
    "pay_grade": "cadres.PayGrade",
    "social_worker": "cadres.SocialWorker",
    "sw_assignment": "cadres.Assignment",
    "evaluation": "cadres.Evaluation",
    "training_class": "cadres.TrainingClass",
    "attendance": "cadres.Attendance",
    "appeal": "appeals.Appeal",
    "referral": "appeals.Referral",
    "account": "funds.Account",
    "entry": "funds.JournalEntry",
    "line": "funds.JournalLine",
    "donation": "funds.Donation",
    "allocation": "funds.BudgetAllocation",
    "programme": "funds.Programme",
    "version": "funds.ParameterVersion",
    "cycle": "funds.Cycle",
    "entitlement": "funds.Entitlement",
    "payment": "funds.Payment",
    "bank_batch": "funds.BankBatch",
    "batch_line": "funds.BatchLine",
    "payee_account": "funds.PayeeAccount",
    "reissue": "funds.Reissue",
    "union": "orgs.Organisation",
    "dues_import": "programmes.DuesImport",
    "dues_record": "programmes.DuesRecord",
    "grant_usage": "programmes.GrantUsage",
    "user": "core.User",
    "attachment": "appeals.Attachment",
    "job": "members.ImportJob",
    "file": "assistance.HardshipFile",
    "household": "assistance.HouseholdMember",
    "step": "assistance.FileStep",
    "verification": "assistance.Verification",
    "file_document": "assistance.HardshipDocument",
    "allowance_cycle": "funds.Cycle",
    "allowance_month": "assistance.AllowanceMonth",
    "relief": "assistance.ReliefApplication",
    "relief_step": "assistance.ReliefStep",
    "relief_document": "assistance.ReliefDocument",
    "relief_payment": "funds.Payment",
    "scholarship": "assistance.ScholarshipApplication",
    "scholarship_step": "assistance.ScholarshipStep",
    "scholarship_document": "assistance.ScholarshipDocument",
    "survey": "surveys.Survey",
    "question": "surveys.Question",
    "invitation": "surveys.Invitation",
    "response": "surveys.Response",
    "answer": "surveys.Answer",
    "pending": "surveys.PendingResponse",
    "plan": "reform.Plan",
    "phase": "reform.Phase",
    "task": "reform.Task",
    "milestone": "reform.Milestone",
    "progress": "reform.ProgressReport",
    "report_file": "reform.ReportAttachment",
    "report_draft": "dashboard.ReportDraft",
}

# text that names town A's objects and must never reach town B's officer
A_MARKERS = [
    "沙坨村工会联合会",
    "甲标记会员",
    "甲标记荣誉",
    "甲标记活动",
    "甲标记诉求",
    "甲标记新建工会",
    "甲标记干部",
    "甲标记社工",
    "甲标记培训班",
    "甲标记补助职工",
]
A_MARKERS += ["甲标记问卷", "甲标记方案", "甲标记任务", "甲标记简报"]


def scoped_models() -> list[str]:
    return sorted(m._meta.label for m in apps.get_models() if hasattr(m, "data_scope"))


def url_variants() -> list[tuple[str, tuple[str, ...]]]:
    return sorted({(name, tuple(kwargs)) for name, _pattern, kwargs in walk()})


def test_every_url_name_has_an_entry():
    missing = sorted({name for name, _ in url_variants()} - set(ROUTES))
    assert not missing, f"URL names with no entry in ROUTES of {__file__}: {missing}"
    stale = sorted(set(ROUTES) - {name for name, _ in url_variants()})
    assert not stale, f"ROUTES entries for URL names that no longer exist: {stale}"
    for name, kwargs in url_variants():
        entry = ROUTES[name]
        if isinstance(entry, Obj):
            unknown = set(kwargs) - set(entry.kwargs) - {"format"}
            assert not unknown, f"{name}: URL parameters {sorted(unknown)} not built by its entry"


def test_every_data_scope_model_is_exercised():
    exercised: set[str] = set()
    for entry in ROUTES.values():
        if isinstance(entry, Obj):
            exercised |= {MODELS[v[0]] for v in entry.kwargs.values() if isinstance(v, tuple)}
            exercised |= {MODELS[k] for k in entry.also}
        elif isinstance(entry, Page):
            exercised |= {MODELS[k] for k in entry.shows}
    missing = sorted(set(scoped_models()) - exercised)
    assert not missing, f"data_scope models no ROUTES entry exercises: {missing}"


# --- one object of every scoped model in town A, and in town B ------------------------------------


def _new_union(parent: Organisation, code: str, name: str) -> Organisation:
    created = organisation_create(
        actor=None,
        parent=parent,
        code=code,
        name=name,
        kind=K.ENTERPRISE,
        economic_type=Organisation.EconomicType.NON_PUBLIC,
        employer_name=name,
        founded_on=date(2026, 3, 1),
    )
    add_members(created, 10, joined_on=created.founded_on)
    return created


def _side(district: Any, tmp_path: Any, side: str) -> dict[str, Any]:
    a = side == "A"
    union = district.union_a if a else district.union_b
    town = district.town_a if a else district.town_b
    officer = district.user("town_a" if a else "town_b")
    tag = "甲标记" if a else "乙标记"
    admin = district.user("admin")
    m = member(union, name=f"{tag}会员")
    person = m.person
    if a:
        person.user = district.user("worker_a")
        person.save()
    honour = Honour.objects.create(person=person, title=f"{tag}荣誉", level="district", awarded_on=date(2024, 1, 1))
    activity = activity_report(
        actor=admin, organisation=union, title=f"{tag}活动", kind="other", held_on=date(2026, 1, 5), participants=5
    )
    registration = Registration.objects.create(activity=activity, person=person, channel="office", attended=True)
    studio = studio_create(
        actor=admin, union=union, kind="innovation", name=f"{tag}工作室", leader=person, level="district",
        plaque_on=date(2024, 4, 28),
    )  # fmt: skip
    studio_output = output_record(actor=admin, studio=studio, year=2025, innovations=2, trainees=5, patents=1)
    innovation = item_submit(
        actor=officer, union=union, person=person, kind="suggestion", title=f"{tag}创新项目", content="创新" * 12
    )
    event_photo = EventPhoto.objects.create(
        activity=activity, file=SimpleUploadedFile(f"{side}.png", PNG), name=f"{tag}.png", content_type="image/png",
        size=len(PNG),
    )  # fmt: skip
    cadres = cadres_side(district, a, tag)  # before the liaison below, which then replaces the worker's
    cadres["recruitment"].interviewers.add(district.user("social_a"))  # the score page's owner, in both towns
    indicator_set = assessment_services.indicator_set_create(
        actor=officer,
        organisation=town,
        year=2025,
        assessee_kind="joint",
        name=f"{tag}考核",
        indicators=[
            assessment_services.IndicatorSpec("开展活动次数", "50", "auto", "activities_held"),
            assessment_services.IndicatorSpec("规范化建设", "50"),
        ],
        grade_bands=DEFAULT_BANDS,
        reviewers=[officer],
    )
    manual_indicator = indicator_set.indicators.get(source="manual")
    manual_score = assessment_services.manual_score_record(
        actor=officer, indicator=manual_indicator, organisation=union, score="80", evidence=f"{tag}依据"
    )
    version = assessment_services.assessment_compute(actor=officer, indicator_set=indicator_set)
    assessment_services.assessment_review(actor=admin, assessment=version)
    version = assessment_services.assessment_publish(actor=admin, assessment=version)
    workers_version = _workers_assessment(district, town, officer, cadres["social_worker"])
    liaison_row = liaison(district, union, "social_a" if a else "admin")
    appeal = make_appeal(district, org=union, title=f"{tag}诉求", worker=person)
    appeal_services.attachment_add(
        actor=district.user("rights"),
        appeal=appeal,
        files=[SimpleUploadedFile(f"{tag}.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")],
    )
    run_to(district, appeal, Appeal.State.COORDINATING, lead=town)
    report = write_rows(tmp_path / f"report-{side}.xlsx", [row("新人", "110113", union.code)])
    job = ImportJob.objects.create(
        created_by=officer, file_name="名单.xlsx", stored_path=str(report), status="invalid", report_path=str(report)
    )
    hardship = _hardship(district, union, person if a else member(union, name=f"{tag}会员乙").person)
    clerk = make_user(f"clerk_{side.lower()}")  # an account of the town to manage (not one the test signs in as)
    role_grant(actor=None, user=clerk, role=Role.SOCIAL_WORKER, organisation=town)
    return {
        **_surveys_and_reform(district, side, union, town),
        "org": union,
        "role": clerk.role_assignments.get(),
        "user": clerk,
        "person": person,
        "history": person.history.first(),
        "membership": m,
        "honour": honour,
        "activity": activity,
        "registration": registration,
        "studio": studio,
        "studio_output": studio_output,
        "innovation": innovation,
        "event_photo": event_photo,
        "indicator_set": indicator_set,
        "manual_indicator": manual_indicator,
        "manual_score": manual_score,
        "assessment_version": version,
        "assessment_result": version.results.get(organisation=union),
        "assessment_event": version.events.first(),
        "worker_result": workers_version.results.get(),
        "evaluation_write": workers_version.evaluation_writes.get(),
        "liaison": liaison_row,
        "appeal": Appeal.objects.get(pk=appeal.pk),
        "attachment": appeal.attachments.get(),
        "referral": appeal.referrals.get(),
        "job": job,
        **hardship,
        "new_union": _new_union(town, f"{side}-N1", f"{tag}新建工会"),
        **{
            ("cadre_post" if k == "post" else "sw_assignment" if k == "assignment" else k): v for k, v in cadres.items()
        },
    }


def _workers_assessment(district: Any, town: Organisation, officer: Any, worker: Any) -> Any:
    """The town's 2026 assessment of its social worker, published: it writes the worker's evaluation."""
    indicator_set = assessment_services.indicator_set_create(
        actor=officer,
        organisation=town,
        year=2026,
        assessee_kind="social_worker",
        name=f"{town.name}社工考核",
        indicators=[assessment_services.IndicatorSpec("服务对象评价", "100")],
        grade_bands=WORKER_BANDS,
        reviewers=[officer],
    )
    assessment_services.manual_score_record(
        actor=officer, indicator=indicator_set.indicators.get(), social_worker=worker, score="80", evidence="回访"
    )
    version = assessment_services.assessment_compute(actor=officer, indicator_set=indicator_set)
    assessment_services.assessment_review(actor=district.user("admin"), assessment=version)
    return assessment_services.assessment_publish(actor=district.user("admin"), assessment=version)


def _craftsmen(district: Any, world: dict[str, dict[str, Any]]) -> None:
    """The district's selection (one for both sides, as the funds), published for its notice
    period: a nominee of each side's union, scored by three reviewers, with an objection each."""
    from activities import craftsmen_services as craftsmen

    deeds = "长期扎根一线岗位，技术革新成果显著，带徒传技培养骨干多名。"
    selection = craftsmen.selection_open(
        actor=district.user("econ"), organiser=district.root, year=2026, quota=2,
        nominations_close=timezone.localdate(),
    )  # fmt: skip
    nominations = {}
    for side in world:
        a = side == "A"
        union = district.union_a if a else district.union_b
        person = member(union, name=f"{'甲' if a else '乙'}标记工匠").person
        nominations[side] = craftsmen.nomination_add(
            actor=district.user("town_a" if a else "town_b"), selection=selection, union=union, person=person,
            trade="钳工", deeds=deeds,
        )  # fmt: skip
    craftsmen.nominations_close(actor=district.user("econ"), selection=selection)
    for nomination in nominations.values():
        for key in ("admin", "econ", "org_dept"):
            craftsmen.score_record(actor=district.user(key), nomination=nomination, score="90")
    today = timezone.localdate()
    craftsmen.shortlist_publish(
        actor=district.user("econ"), selection=selection, notice_starts=today, notice_ends=today + timedelta(days=6)
    )
    for side, data in world.items():
        nomination = nominations[side]
        data.update(
            selection=selection,
            nomination=nomination,
            score=nomination.scores.first(),
            objection=craftsmen.objection_record(
                actor=district.user("econ"), nomination=nomination, received_on=today, objector="", content="异议"
            ),
        )


def _hardship(district: Any, union: Organisation, person: Any) -> dict[str, Any]:
    """A file awaiting verification (the worker may still add to its household), and an earlier,
    exited file of the same person carrying a verification span."""
    if not LocalStandard.objects.exists():
        standard_save(
            actor=None,
            district=district.root,
            effective_from=date(2025, 9, 1),
            dibao_monthly="1450",
            relative_multiple="1.5",
        )
    earlier = hardship_file(
        person, state=HardshipFile.State.EXITED, approved_on=date(2024, 3, 1), exited_on=date(2025, 2, 1)
    )
    file = svc_file_apply(
        actor=None,
        person=person,
        data={"category": "deep", "main_cause": "illness", "housing": "owned", "bank_account": "6222020200112233445"},
        documents=[SimpleUploadedFile("收入证明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")],
    )
    household_member(file, n=610000 + union.pk)
    return {
        "file": file,
        "household": file.household.order_by("-id").first(),
        "step": file.steps.get(),
        "file_document": file.documents.get(),
        "verification": earlier.verifications.get(),
    }


def _surveys_and_reform(district: Any, side: str, union: Organisation, town: Organisation) -> dict[str, Any]:
    """A named survey of the union answered once, an anonymous one whose answer waits in the buffer,
    and a plan of the town with a task of the union (milestone, progress report with a file)."""
    tag = "甲标记" if side == "A" else "乙标记"
    officer = "town_a" if side == "A" else "town_b"
    (respondent,) = workers(union, 1, f"sv{side}")
    survey = satisfaction_survey(district, organisation=union, actor_key=officer, title=f"{tag}问卷")
    answer(survey, respondent)
    anonymous = satisfaction_survey(district, organisation=union, actor_key=officer, title=f"{tag}匿名", anonymous=True)
    answer(anonymous, respondent)
    planner = district.user("org_dept")
    plan = reform_services.plan_create(
        actor=planner, organisation=town, title=f"{tag}方案", year=2017, starts_on=date(2017, 1, 1),
        ends_on=date(2017, 12, 31),
    )  # fmt: skip
    phase = reform_services.phase_add(
        actor=planner, plan=plan, name="试点", starts_on=date(2017, 1, 1), ends_on=date(2017, 6, 30)
    )
    task = reform_services.task_add(
        actor=planner, plan=plan, phase=phase, number="1", title=f"{tag}任务", responsible_org=union,
        starts_on=date(2017, 1, 1), due_on=date(2017, 6, 30), pilot_sites=[union],
    )  # fmt: skip
    milestone = reform_services.milestone_add(actor=planner, task=task, title="节点", due_on=date(2017, 3, 1))
    progress = reform_services.progress_report(
        actor=planner, task=task, reported_on=date(2017, 2, 1), percent=20, text="进展",
        files=[SimpleUploadedFile(f"{tag}进展.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")],
    )  # fmt: skip
    return {
        "survey": survey,
        "question": survey.questions.first(),
        "invitation": survey.invitations.first(),
        "response": Response.objects.get(survey=survey),
        "answer": Answer.objects.filter(response__survey=survey).first(),
        "pending": PendingResponse.objects.get(survey=anonymous),
        "plan": plan,
        "phase": phase,
        "task": task,
        "milestone": milestone,
        "progress": progress,
        "report_file": progress.attachments.get(),
        # the town's edited work report for this year so far (the report page's default period)
        "report_draft": ReportDraft.objects.create(
            organisation=town,
            start=timezone.localdate().replace(month=1, day=1),
            end=timezone.localdate(),
            template=f"一、组织建设\n{tag}简报：基层工会{{orgs.grassroots}}家。",
            updated_by=district.user(officer),
        ),
    }


def _funds(district: Any, world: dict[str, dict[str, Any]]) -> None:
    """The funds sit at the district (finance owns them); entitlements and payments go to the new
    union of each town, so each side has its own."""
    programme = fund_programme(
        district=district.root,
        plugin_key="startup_grant",
        fund_code="3101",
        code="JHQD",
        params={
            "window_start": "2026-01-01",
            "window_end": "2026-06-30",
            "count_days_after_founding": 30,
            "tiers": [{"min_members": 1, "rate": "150.00"}],
        },
        period_type="once",
    )
    finance = district.user("finance")
    cycle = fund_services.cycle_create(actor=finance, programme=programme, period_key="2026")
    assert cycle.state == Cycle.State.COMPUTED, cycle.error
    fund_services.cycle_review(actor=finance, cycle=cycle)
    approver = make_user("finance2")
    role_grant(actor=None, user=approver, role=Role.FINANCE, organisation=district.root)
    fund_services.cycle_approve(actor=approver, cycle=cycle)
    donation = fund_services.donation_register(
        actor=finance,
        donor_kind=Donation.DonorKind.UNIT,
        donor_name="标记捐赠单位",
        amount="100.00",
        received_on=date(2026, 1, 6),
        fund=programme.fund,
    )
    content = xlsx([HEAD, [district.firm_a.credit_code, district.firm_a.employer_name, 2025, 100000, 2000]])
    result = dues_import(actor=finance, district=district.root, filename="2025.xlsx", content=content)
    assert result.ok, [str(e) for e in result.errors]
    for side, data in world.items():
        union = data.pop("new_union")
        payment = Payment.objects.get(beneficiary_org=union)
        data.update(
            programme=programme,
            version=ParameterVersion.objects.get(programme=programme),
            account=Account.objects.get(pk=programme.fund_id),
            allocation=BudgetAllocation.objects.filter(fund=programme.fund).first(),
            cycle=Cycle.objects.get(pk=cycle.pk),
            donation=donation,
            entitlement=Entitlement.objects.get(beneficiary_org=union),
            payment=payment,
            entry=payment.entry,
            line=JournalLine.objects.filter(entry=payment.entry).first(),
            dues_import=DuesImport.objects.get(),
            dues_record=DuesRecord.objects.get(),
        )
        data.update(_bank(district, union, payment))
        if side == "A":
            data["grant_usage"] = grant_usage_record(
                actor=district.user("admin"),
                payment=payment,
                spent_on=timezone.localdate(),
                amount="100",
                purpose="用途",
            )


def _bank(district: Any, union: Organisation, payment: Payment) -> dict[str, Any]:
    """The side's union has a verified account; its payment went to the bank in a batch of its own
    and came back (户名不符); a corrected account is pending and a re-issue requested."""
    finance, admin = district.user("finance"), district.user("admin")

    def enter(number: str) -> PayeeAccount:
        return bank.payee_account_enter(
            actor=finance,
            organisation=union,
            holder_name=union.name,
            number=number,
            bank_name="工行顺义支行",
            bank_code="102100000072",
            valid_from=date(2026, 1, 1),
        )

    first = bank.payee_account_verify(actor=admin, account=enter(f"62220202{union.pk:011d}"))
    batch = bank.batch_create(actor=finance, payments=Payment.objects.filter(pk=payment.pk))
    bank.batch_send(actor=finance, batch=batch)
    line = batch.lines.get()
    bank.result_import(
        actor=finance,
        batch=batch,
        content=f"业务参考号,金额,处理结果,失败原因\n{line.reference},{line.amount},失败,户名不符".encode(),
        filename="回单.csv",
    )
    bank.payee_account_verify(actor=admin, account=enter(f"62170000{union.pk:011d}"))
    reissue = bank.reissue_request(actor=finance, payment=Payment.objects.get(pk=payment.pk))
    return {
        "bank_batch": BankBatch.objects.get(pk=batch.pk),
        "batch_line": line,
        "payee_account": PayeeAccount.objects.get(pk=first.pk),
        "reissue": reissue,
        "union": union,
        "payment": Payment.objects.get(pk=payment.pk),
    }


def _allowance(district: Any, world: dict[str, dict[str, Any]]) -> None:
    """A month of the living allowance paid to a hardship file on each side (their own workers)."""
    from assistance.models import AllowanceMonth
    from assistance.tests.factories import hardship_file

    programme = fund_programme(
        district=district.root,
        plugin_key="assistance_allowance",
        fund_code="3104",
        code="SHBZ",
        params={"monthly_amount": "200.00", "arrears_months": 0},
        period_type="monthly",
    )
    for side, data in world.items():
        union = district.union_a if side == "A" else district.union_b
        worker = member(union, name=f"{'甲' if side == 'A' else '乙'}标记补助职工").person
        data["allowance_file"] = hardship_file(
            worker, approved_on=date(2026, 1, 10), bank_account="6222020200112345678"
        )
    finance = district.user("finance")
    cycle = fund_services.cycle_create(actor=finance, programme=programme, period_key="2026-02")
    assert cycle.state == Cycle.State.COMPUTED, cycle.error
    fund_services.cycle_review(actor=finance, cycle=cycle)
    fund_services.cycle_approve(actor=User.objects.get(username="finance2"), cycle=cycle)
    for data in world.values():
        data["allowance_cycle"] = Cycle.objects.get(pk=cycle.pk)
        data["allowance_month"] = AllowanceMonth.objects.get(file=data.pop("allowance_file"))


def _active_file_of(district: Any, person: Any, today: date) -> HardshipFile:
    """The person's file in force for a scholarship: town A's worker already applied (``_hardship``),
    so that application is taken through its three steps by three people; anyone else gets one."""
    from assistance.services.files import file_approve, file_review, file_verify
    from assistance.tests.factories import hardship_file

    applied = HardshipFile.objects.filter(person=person, state=HardshipFile.State.APPLIED).first()
    if applied is None:
        return hardship_file(person, approved_on=today.replace(month=1, day=1))
    file_verify(actor=district.user("assist_a"), file=applied, opinion="属实")
    file_review(actor=district.user("assist_town_a"), file=applied, opinion="同意")
    return file_approve(actor=district.user("rights"), file=applied, opinion="同意建档")


def _relief(district: Any, world: dict[str, dict[str, Any]]) -> None:
    """A relief application and a scholarship application of each side's member (town A's is
    worker_a, who follows theirs in the portal); the relief is paid, entered by the administrator and approved by the centre."""
    from assistance.services.relief import relief_apply, relief_approve, relief_verify
    from assistance.services.scholarship import scholarship_apply
    from assistance.tests.factories import household_member
    from assistance.tests.relief_helpers import pay_cycle, pdf, relief_programme, scholarship_programme

    relief_programme(district)
    scholarship_programme(district)
    today = timezone.localdate()
    for side, data in world.items():
        person = data["person"]
        relief = relief_apply(
            actor=district.user("admin"),
            person=person,
            illness=f"{side}标记疾病",
            hospital="顺义区医院",
            treatment_start=today,
            costs={"total_cost": "50000"},
            documents=[pdf(f"{side}诊断证明.pdf")],
        )
        relief_verify(actor=district.user("admin"), application=relief, opinion="属实")
        relief = relief_approve(actor=district.user("rights"), application=relief, opinion="同意")
        pay_cycle(district, relief.cycle)
        file = _active_file_of(district, person, today)
        child = household_member(file, name=f"{side}标记子女")
        scholarship = scholarship_apply(
            actor=district.user("rights"),
            child=child,
            year=today.year,
            level="high_school",
            school="顺义一中",
            documents=[pdf(f"{side}录取通知书.pdf")],
        )
        data.update(
            relief=relief,
            relief_step=relief.steps.first(),
            relief_payment=Payment.objects.get(cycle=relief.cycle),
            relief_document=relief.documents.get(),
            scholarship=scholarship,
            scholarship_step=scholarship.steps.get(),
            scholarship_document=scholarship.documents.get(),
        )


@dataclass
class ModuleWorld:
    district: Any
    data: dict[str, dict[str, Any]]
    media: Path


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[ModuleWorld]:
    """The district and both towns' objects, built once for the module (about a minute and a half
    on the 2-core machine; the thirty tests below built it each), in a transaction rolled back when
    the module ends: each test runs in a savepoint inside it, as ``TestCase.setUpTestData`` does."""
    media = tmp_path_factory.mktemp("every-url-media")
    with (
        django_db_blocker.unblock(),
        override_settings(GONGHUI_DATA_KEY=TEST_DATA_KEY, PASSWORD_HASHERS=TEST_HASHERS, MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        district = build_district()
        with override_settings(TASKS=IMMEDIATE):
            data = {"A": _side(district, media, "A"), "B": _side(district, media, "B")}
            _funds(district, data)
            _allowance(district, data)
            _relief(district, data)
            _craftsmen(district, data)
        yield ModuleWorld(district, data, media)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def district(module_world):
    return module_world.district


@pytest.fixture
def world(module_world, db, settings, tmp_path):
    # Each test its own copy of the uploaded files: a document one test's POST removes comes back
    # with the rollback in the database, not on disk.
    media = tmp_path / "media"
    shutil.copytree(module_world.media, media)
    settings.MEDIA_ROOT = str(media)
    return module_world.data


# --- the checks -----------------------------------------------------------------------------------

ROLES = [
    "admin", "org_dept", "rights", "econ", "finance", "auditor", "town_a", "town_b",
    "chair_a", "social_a", "women", "youth", "worker_a", "assist_a", "nobody",
]  # fmt: skip


def _kwarg_sets(name: str, params: tuple[str, ...], objects: dict[str, Any]) -> list[dict[str, Any]]:
    entry = ROUTES[name]
    choices: dict[str, list[Any]] = {}
    for param in params:
        if param == "format":
            choices[param] = ["json"]
            continue
        how = entry.kwargs[param]
        choices[param] = list(how) if isinstance(how, list) else [getattr(objects[how[0]], how[1])]
    keys = list(choices)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(choices[k] for k in keys))]


def _literals(entry: Obj, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if not isinstance(entry.kwargs.get(k, ()), tuple)}


@functools.cache
def _count_rows_sql() -> str:
    """One query for the row count of every data-scoped table and the audit trail (one COUNT per
    table and request was most of this module's time on PostgreSQL)."""
    tables = [m._meta.db_table for m in apps.get_models() if hasattr(m, "data_scope")] + [AuditEvent._meta.db_table]
    quote = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)


def _fingerprint(target: Model | None) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_count_rows_sql())
        *counts, audit_entries = cursor.fetchone()
    own: dict = {}
    if target is not None:
        fresh = type(target).objects.filter(pk=target.pk).first()
        own = model_to_dict(fresh) if fresh is not None else {}
    return tuple(counts), audit_entries, repr(sorted(own.items(), key=lambda kv: kv[0]))


def _main_object(name: str, objects: dict[str, Any]) -> Model | None:
    entry = ROUTES[name]
    first = next((v for v in entry.kwargs.values() if isinstance(v, tuple)), None)
    return objects[first[0]] if first else None


def _shown_markers(entry: Page) -> list[str]:
    texts = {
        "org": "沙坨村工会联合会",
        "person": "甲标记会员",
        "membership": "甲标记会员",
        "activity": "甲标记活动",
        "registration": "甲标记会员",
        "nomination": "甲标记工匠",
        "studio": "甲标记工作室",
        "innovation": "甲标记创新项目",
        "appeal": "甲标记诉求",
        "payment": "甲标记新建工会",
        "cadre_post": "甲标记干部",
        "social_worker": "甲标记社工",
        "training_class": "甲标记培训班",
        "attendance": "甲标记干部",
        "file": "甲标记会员",
        "entitlement": "甲标记新建工会",
        "allowance_month": "甲标记补助职工",
        "survey": "甲标记问卷",
        "plan": "甲标记方案",
        "task": "甲标记任务",
        "report_draft": "甲标记简报",
    }
    return [texts[k] for k in entry.shows if k in texts]


def _request(client: Any, method: str, url: str) -> Any:
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, {}, content_type="application/json")
    return client.post(url, {})


def _outside_ok(user_key: str, response: Any) -> bool:
    if response.status_code == 404:
        return True
    if user_key == "nobody":
        return response.status_code == 403 or (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )
    return False


@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_every_role(client, district, world, role):
    """Town A's object by every route: no 5xx for anyone; town B and no role get 404 and change nothing."""
    a = world["A"]
    failures: list[str] = []
    client.force_login(district.user(role))
    for name, params in url_variants():
        entry = ROUTES[name]
        if isinstance(entry, Public) or not isinstance(entry, Obj):
            continue
        owner = entry.owner
        for kwargs in _kwarg_sets(name, params, a):
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post") if entry.get else ("post",):
                if role in ("town_b", "nobody"):
                    target = _main_object(name, a)
                    before = _fingerprint(target) if method == "post" else None
                    response = _request(client, method, url)
                    if role == "town_b" and response.status_code in (403, 405):
                        # refused for the role, not the object: town B's own object gets the same
                        own = reverse(name, kwargs=_kwarg_sets(name, params, world["B"])[0] | _literals(entry, kwargs))
                        if _request(client, method, own).status_code == response.status_code:
                            continue
                    if not _outside_ok(role, response):
                        failures.append(f"{role} {method.upper()} {url} ({name}): {response.status_code}")
                    if method == "post" and _fingerprint(target) != before:
                        failures.append(f"{role} POST {url} ({name}) changed data")
                    continue
                response = _request(client, method, url)
                if response.status_code >= 500:
                    failures.append(f"{role} {method.upper()} {url} ({name}): {response.status_code}")
                elif role == owner and method == "get" and response.status_code != 200:
                    failures.append(f"{role} (owner) GET {url} ({name}): {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_without_argument_as_every_role(client, district, world, role):
    """Lists, forms, counts and their exports: no 5xx; town B's officer sees no town-A object;
    the owner sees town A's rows in the lists that show them."""
    failures: list[str] = []
    client.force_login(district.user(role))
    for name, params in url_variants():
        entry = ROUTES[name]
        if not isinstance(entry, Page) or params:
            continue
        url = reverse(name)
        for method, target in (("get", url), ("get", url + "?export=xlsx"), ("post", url)):
            before = _fingerprint(None) if role in ("town_b", "nobody") and method == "post" else None
            response = _request(client, method, target)
            label = f"{role} {method.upper()} {target} ({name})"
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code}")
                continue
            if role in ("town_b", "nobody"):
                text = response_text(response)
                failures += [f"{label}: shows town A's “{m}”" for m in A_MARKERS if m in text]
                if before is not None and _fingerprint(None)[0] != before[0]:  # (its own audit entry aside)
                    failures.append(f"{label}: changed data")
            elif role == entry.owner and method == "get" and target == url:
                if response.status_code != 200:
                    failures.append(f"{label}: owner got {response.status_code}")
                    continue
                text = response_text(response)
                failures += [f"{label}: town A's “{m}” missing" for m in _shown_markers(entry) if m not in text]
    assert not failures, "\n".join(failures)


def test_public_routes_answer_without_login(client):
    for name, params in url_variants():
        if isinstance(ROUTES[name], Public) and not params:
            status = client.get(reverse(name)).status_code
            # /readyz says "not ready" with a 503 (here: the test database has no calendar rows)
            assert status < 500 or (name == "readyz" and status == 503), name


def test_every_route_refuses_an_anonymous_visitor(client, world):
    """Signed out, every route but the public ones sends to the login page (the API: 401/403), by
    GET and by POST, and a POST changes nothing."""
    failures: list[str] = []
    before = _fingerprint(None)
    for name, params in url_variants():
        entry = ROUTES[name]
        if isinstance(entry, Public):
            continue
        urls = [reverse(name, kwargs=k) for k in _kwarg_sets(name, params, world["A"])] if params else [reverse(name)]
        methods = ("get", "post") if getattr(entry, "get", True) else ("post",)
        for url, method in itertools.product(urls, methods):
            response = _request(client, method, url)
            if url.startswith("/api/"):
                ok = response.status_code in (401, 403)
            else:
                ok = response.status_code == 302 and "/accounts/login/" in response["Location"]
            if not ok:
                failures.append(f"anonymous {method.upper()} {url} ({name}): {response.status_code}")
    assert _fingerprint(None) == before, "an anonymous POST changed data"
    assert not failures, "\n".join(failures)


def test_the_world_holds_an_object_of_every_scoped_model(world):
    """What the registry names is really there: town A has a saved row of every data_scope model."""
    held = {key: obj for key, obj in world["A"].items() if obj is not None}
    for key, label in MODELS.items():
        assert key in held, f"world has no “{key}” ({label})"
        assert held[key]._meta.label == label, f"world “{key}” is a {held[key]._meta.label}, not {label}"
    assert set(scoped_models()) <= {MODELS[k] for k in held}


def test_every_assistance_route_with_a_30_digit_id(client, district, world):
    """Issue 12's hostile check: each object route of hardship assistance, with one of its ids at a
    time replaced by a 30-digit number, answers its owner 404 (or a refusal before the lookup) by GET
    and by POST, never a 500 or a success, and no POST changes a row."""
    failures: list[str] = []
    before = _fingerprint(None)
    for name, params in url_variants():
        entry = ROUTES[name]
        if not isinstance(entry, Obj) or not name.startswith(("assistance:", "api:assistance-")):
            continue
        client.force_login(district.user(entry.owner or "worker_a"))
        for kwargs in _kwarg_sets(name, params, world["A"]):
            for key in [k for k, how in entry.kwargs.items() if isinstance(how, tuple) and k in kwargs]:
                url = reverse(name, kwargs=kwargs | {key: 10**30})
                for method in ("get", "post") if entry.get else ("post",):
                    status = _request(client, method, url).status_code
                    # 404; a POST on a read-only API detail is refused first (405); a removal or an
                    # edit the file's state refuses goes back with its Chinese message (302)
                    if status not in (404, 405, 302):
                        failures.append(f"{entry.owner} {method.upper()} {url} ({name}): {status}")
    # (a GET of a file's sub-page reads the file first and audits that view: rows only are compared)
    assert _fingerprint(None)[0] == before[0], "a POST with a 30-digit id changed data"
    assert not failures, "\n".join(failures)
