"""Excel/CSV import of members: template, reading, row validation, plan, commit, error report.

The import is planned first (``plan_import``): every row is read, normalised and checked, and
classified against the registry as new / updated / unchanged / transfer candidate. The plan
changes nothing: it backs the preview. ``commit_import`` plans again against the current data
and, only if there is no error at all, writes everything in one transaction. Importing the same
file again finds every row unchanged and writes nothing.

Rules (issue 3): required fields, ID check digit and birth date, phone format, the union must
exist, be a grassroots union and lie inside the importer's scope; duplicates inside the file are
errors; an ID that is already an active member of another union is a *transfer candidate*: it is
reported in the preview and the report and skipped, never moved silently (a transfer is done on
the member's page, by someone who may act on both unions).

The modules: ``columns`` (the roster's columns and limits), ``reading`` (the file), ``validating``
(cells and rows), ``planning`` (the plan), ``writing`` (the commit), ``report`` (template and error
report). This package is their one public entrance.
"""

from members.importing.columns import COLUMNS, ImportFileError
from members.importing.planning import Plan, plan_import
from members.importing.reading import read_table
from members.importing.report import write_error_report, write_template
from members.importing.writing import ImportRefused, commit_import

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportRefused",
    "Plan",
    "commit_import",
    "plan_import",
    "read_table",
    "write_error_report",
    "write_template",
]
