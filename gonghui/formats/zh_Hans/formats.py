"""Chinese number formats as finance offices write amounts: 998,200.00 (groups of three, a comma).

Django's own zh_Hans formats have no thousands separator, so ``floatformat:"2g"`` printed 998200.00 to
every Chinese reader (and 998,200.00 only to an English browser). Everything else is Django's.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
