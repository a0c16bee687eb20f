"""The chat notifications' contract, shared by the services that write them and the chat
UI that shows them (a client of the notifications API, which imports no service code).

A notification is a row of the notifications feature (`api.notifications`): a kind, a
payload of ids and links (never resume text), and whether a chat has shown it. When one is
written, a small message is published on a Redis pub/sub channel: the chat session that
asked (`chat_channel`), or every open chat of the user (`user_channel`). The message is
the payload plus `notification_id` and `kind`; the chat then claims the notification
through the API before showing it, so it appears once across tabs and processes, and one
nobody could show is listed as pending at the user's next visit.
"""

from __future__ import annotations

from enum import StrEnum

CHAT_CHANNEL_PREFIX = "cv:chat:"
USER_CHANNEL_PREFIX = "cv:user:"
# Pushed on a user's channel when their account is disabled or their password changes:
# every open chat of theirs ends (no notification row; nothing to show later).
SESSION_ENDED = "session.ended"


class NotificationKind(StrEnum):
    task_succeeded = "task.succeeded"  # payload: task_id, task_kind, status, status_url, result_url
    task_failed = "task.failed"
    task_cancelled = "task.cancelled"
    job_alert = "job.alert"  # payload: job_id, title, company, location, remote, score, ...
    contact_request = "contact.request"  # payload: request_id, job_id, job_title, company
    contact_answered = "contact.answered"  # payload: request_id, job_id, job_title, status, ...

    @classmethod
    def for_task(cls, status: str) -> NotificationKind:
        """The kind of a finished task's notification, by the task's status."""
        return cls(f"task.{status}")


def chat_channel(chat_session_id: str) -> str:
    """The pub/sub channel a chat session listens on."""
    return CHAT_CHANNEL_PREFIX + chat_session_id


def user_channel(user_id: str) -> str:
    """The pub/sub channel of a user, whatever chat session is open (alerts, contacts)."""
    return USER_CHANNEL_PREFIX + user_id
