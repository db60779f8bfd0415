"""Celery beat schedules every task meant to run periodically: such a task says so where it is
declared (`periodic=True` on its decorator), and this file holds the schedule to it."""

from config.celery import app


def periodic_task_names() -> set[str]:
    app.loader.import_default_modules()  # every app's tasks.py, as a worker loads them
    return {name for name, task in app.tasks.items() if getattr(task, "periodic", False)}


def scheduled_task_names(settings) -> set[str]:  # type: ignore[no-untyped-def]
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_every_periodic_task_is_in_the_beat_schedule(settings):
    assert periodic_task_names() - scheduled_task_names(settings) == set()


def test_the_beat_schedule_names_only_periodic_tasks(settings):
    assert scheduled_task_names(settings) - periodic_task_names() == set()


def test_the_incident_deadline_reminders_are_periodic():
    assert "governance.tasks.incident_deadline_reminders_send" in periodic_task_names()


def test_every_retrying_task_retries_the_same_transient_failures():
    from governance.tasks import TRANSIENT

    app.loader.import_default_modules()
    retried = {
        name: tuple(task.autoretry_for)
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"governance", "audits", "reports"}
    }
    assert {name: errors for name, errors in retried.items() if errors != TRANSIENT} == {}
