"""Every state change of cadres: posts, social workers (recruitment to evaluation), training."""

from cadres.services.posts import cadre_register, post_end, post_start
from cadres.services.recruitment import (
    application_add,
    applications_close,
    eligibility_review,
    hiring_confirm,
    interview_score_submit,
    interview_start,
    interviewers_set,
    notice_publish,
    ranking_publish,
    recruitment_open,
    written_score_record,
    written_test_start,
)
from cadres.services.training import attendance_record, training_class_create, untrained_invite
from cadres.services.workers import (
    assignment_end,
    assignment_start,
    evaluation_record,
    pay_grade_define,
    probation_conclude,
    social_worker_dismiss,
    social_worker_update,
)

__all__ = [
    "application_add",
    "applications_close",
    "assignment_end",
    "assignment_start",
    "attendance_record",
    "cadre_register",
    "eligibility_review",
    "evaluation_record",
    "hiring_confirm",
    "interview_score_submit",
    "interview_start",
    "interviewers_set",
    "notice_publish",
    "pay_grade_define",
    "post_end",
    "post_start",
    "probation_conclude",
    "ranking_publish",
    "recruitment_open",
    "social_worker_dismiss",
    "social_worker_update",
    "training_class_create",
    "untrained_invite",
    "written_score_record",
    "written_test_start",
]
