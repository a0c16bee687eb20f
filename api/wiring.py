"""The seams between services, connected in one place.

Some features react to another's changes through hook lists on its service (the matcher
keeps the vector index in step with jobs and resumes; tasks are cancelled when their
candidate is erased; new jobs start job alerts; contact requests reach the chat after the
commit). Every entry point that changes data calls `wire_services()` first: the app
factory, the import commands and the workers, so no path skips a hook.
"""

from __future__ import annotations


def wire_services() -> None:
    """Register every cross-service hook (idempotent)."""
    from api.alerts.service import register_hooks as alert_on_new_jobs
    from api.contacts.service import register_hooks as contacts_erasure_and_pushes
    from api.matching.indexing import register_hooks as keep_index_in_step
    from api.reports.storage import register_hooks as erase_stored_reports
    from api.tasks.service import register_hooks as cancel_tasks_on_erasure

    keep_index_in_step()
    cancel_tasks_on_erasure()
    alert_on_new_jobs()
    erase_stored_reports()
    contacts_erasure_and_pushes()
