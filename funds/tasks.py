"""Background work of the funds app (django-tasks: a database worker in production, immediate in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def cycle_compute_task(cycle_id: int) -> None:
    from funds.services import cycle_compute_run

    cycle_compute_run(cycle_id)
