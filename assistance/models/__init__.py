"""Hardship assistance (困难职工帮扶): files, the standards that classify them, and the person-level
programmes that pay from them. The models live in modules by subject; import them from here."""

from assistance.models.allowance import AllowanceMonth
from assistance.models.files import (
    Cause,
    FileStep,
    HardshipDocument,
    HardshipFile,
    HouseholdMember,
    LocalStandard,
    Verification,
)
from assistance.models.relief import ReliefApplication, ReliefDocument, ReliefStep
from assistance.models.scholarship import (
    LevelCondition,
    ScholarshipApplication,
    ScholarshipDocument,
    ScholarshipStep,
    SchoolLevel,
)

__all__ = [
    "AllowanceMonth",
    "Cause",
    "FileStep",
    "HardshipDocument",
    "HardshipFile",
    "HouseholdMember",
    "LocalStandard",
    "Verification",
]
__all__ += ["ReliefApplication", "ReliefDocument", "ReliefStep"]
__all__ += ["LevelCondition", "ScholarshipApplication", "ScholarshipDocument", "ScholarshipStep", "SchoolLevel"]
