"""State changes of the closed loop. Every step checks who may take it and whether it is in order,
and refuses with a clear Chinese message (ValidationError / PermissionDenied) that changes nothing.

The steps live in cohesive modules; this package is their one public entrance:

- ``common``: working-day deadlines, the timeline, refusals, locks, notifications;
- ``intake``: registering a request and its attachments (联系);
- ``steps``: first contact and notes (沟通), feedback (反馈), rating (评价), marking invalid;
- ``routing``: lead and co-handlers (协调) and the handlers' referrals (处理);
- ``deadlines``: the scheduled tick and deadlines recomputed when a calendar year is entered;
- ``liaisons``: the 点对点 liaison of each grassroots union;
- ``guards``: the close guard of organisations.
"""

from appeals.services.common import officers_of
from appeals.services.deadlines import appeal_deadlines_replan, appeals_autoclose, appeals_tick
from appeals.services.guards import open_appeals_guard
from appeals.services.intake import appeal_register, attachment_add
from appeals.services.liaisons import liaison_assign, liaison_end
from appeals.services.routing import appeal_refer, referral_accept, referral_complete, referral_return, suggest_handler
from appeals.services.steps import appeal_contact, appeal_feedback, appeal_mark_invalid, appeal_note, appeal_rate

__all__ = [
    "appeal_contact",
    "appeal_deadlines_replan",
    "appeal_feedback",
    "appeal_mark_invalid",
    "appeal_note",
    "appeal_rate",
    "appeal_refer",
    "appeal_register",
    "appeals_autoclose",
    "appeals_tick",
    "attachment_add",
    "liaison_assign",
    "liaison_end",
    "officers_of",
    "open_appeals_guard",
    "referral_accept",
    "referral_complete",
    "referral_return",
    "suggest_handler",
]
