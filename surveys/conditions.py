"""Which questions a respondent sees: pure, used by the service (which clears hidden answers) and
mirrored by the answer page's script (which only hides them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol


class Conditional(Protocol):
    pk: Any
    condition_on_id: Any
    condition_values: list[str]


def visible_questions(questions: Iterable[Conditional], chosen: Mapping[Any, list[str]]) -> set[Any]:
    """The pks of the questions shown, given the options chosen per question pk.

    A question with a condition is shown when the earlier question it names is itself shown and
    its chosen options include one of ``condition_values``. ``questions`` come in survey order, and
    a condition can only name an earlier question, so one pass decides."""
    shown: set[Any] = set()
    for q in questions:
        if q.condition_on_id is None or (
            q.condition_on_id in shown and set(chosen.get(q.condition_on_id, ())) & set(q.condition_values)
        ):
            shown.add(q.pk)
    return shown
