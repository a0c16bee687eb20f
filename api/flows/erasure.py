"""Erasing a candidate: every store that may hold something of them, in one place.

The steps run in the erasure's transaction, in this order, so a step that fails aborts
the erasure before anything irreversible and it can simply be retried:

1. open tasks about them are cancelled (a worker finishing later writes nothing back);
2. stored reports about them (their own, shortlists that list them) are forgotten;
3. contact requests, job alert settings and the alert ledger go, and the account's
   e-mailed links and identity-provider links;
4. every notification of theirs (task results included), and every employer's that
   names them; every webhook delivery whose event names them, their resumes or tasks;
5. their vectors leave the index (applied just before the commit), and this process's
   cache of query vectors (keyed by resume text) is emptied after it;
6. their conversations with the assistant (the chat history, kept by the agent's
   checkpointer: a collaborator passed in by the composition root);
7. their rows: resumes, versions, matches, tasks, profile, API keys, user (metric events
   stay for aggregates, with the user id removed);
8. an audit row without personal data.

Their uploaded files are removed after the rows are flushed; if the commit then failed,
a retry finds the rows and finishes the job. (The chat UI deletes Chainlit's copy of an
upload as soon as it has passed it on, so no file of theirs waits outside the data dir.)

`erase_account` is a candidate deleting their own account from the chat: `erase` when
they have a profile, else the few rows a fresh account has.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts.repository import AccountRepository
from api.alerts import service as alerts
from api.contacts.repository import ContactRepository
from api.gateway.repository import GatewayRepository
from api.identity.cache import keys_changed
from api.identity.schemas import Identity
from api.matching import indexing
from api.matching.service import forget_query_vectors
from api.notifications.repository import NotificationRepository
from api.reports.storage import erase_reports
from api.resumes.repository import ResumeRepository
from api.resumes.service import viewer_for
from api.tasks.repository import TaskRepository
from core.db import after_commit
from core.engine import checkpoint_wal
from core.errors import Forbidden, NotFound
from core.models import AuditLog, Role, new_id, utcnow
from core.settings import get_settings
from ingest.index import scrub_embedded_store

logger = logging.getLogger(__name__)

# Deletes every conversation of a user id; returns how many.
ChatHistoryEraser = Callable[[str], Awaitable[int]]


def _remove_files(directory: Path, paths: Sequence[str]) -> int:
    removed = 0
    for name in paths:
        file = Path(name)
        if file.is_file():
            file.unlink()
            removed += 1
    if directory.is_dir():
        removed += sum(1 for p in directory.rglob("*") if p.is_file())
        shutil.rmtree(directory)
    return removed


async def _after_erasure(_session: AsyncSession) -> None:
    forget_query_vectors()
    # After the index change has been applied: rewrite the embedded Chroma's file so the
    # deleted metadata is not left in free pages, and empty our own database's
    # write-ahead log (old page images); deleted rows are zeroed (`secure_delete`).
    await asyncio.to_thread(scrub_embedded_store)
    if not get_settings().is_postgres:
        await checkpoint_wal()


class ErasureService:
    def __init__(self, erase_chat_history: ChatHistoryEraser) -> None:
        self.erase_chat_history = erase_chat_history

    async def erase(self, session: AsyncSession, identity: Identity, candidate_id: str) -> AuditLog:
        """Erase a candidate (themselves, or an admin of their organisation); returns the
        audit row left behind."""
        repo = ResumeRepository(session)
        profile = await repo.profile(viewer_for(identity), candidate_id)
        if profile is None:
            raise NotFound(f"candidate {candidate_id} not found")
        accounts = AccountRepository(session)
        # First, so that a write naming them (a chat's late metric event, say) either
        # commits before and is erased, or waits and finds them gone.
        user = await accounts.lock_user(profile.user_id)
        resume_ids, version_ids, files = await repo.erasure_inventory(profile.id)

        tasks = TaskRepository(session)
        task_ids = await tasks.ids_about(profile.user_id, [*resume_ids, profile.id])
        await tasks.cancel_open(profile.user_id, resume_ids)
        await erase_reports(session, profile.user_id, profile.id)
        await ContactRepository(session).erase_candidate(profile.id)
        await alerts.erase_candidate(session, profile.id)
        await accounts.erase_person(profile.user_id, user.email if user else None)
        await NotificationRepository(session).erase_person(profile.user_id, profile.id)
        await GatewayRepository(session).erase_person(profile.id, [*resume_ids, *task_ids])
        indexing.erase_candidate(session, profile.id)
        after_commit(session, _after_erasure)
        threads = await self.erase_chat_history(profile.user_id)
        await repo.erase_candidate(profile, resume_ids)
        keys_changed(session)
        await session.flush()

        directory = get_settings().uploads_dir / profile.id
        removed = await asyncio.to_thread(_remove_files, directory, files)
        audit = AuditLog(
            id=new_id(),
            created_at=utcnow(),
            org_id=profile.org_id,
            actor_id=None if identity.user_id == profile.user_id else identity.user_id,
            action="candidate.erased",
            subject_id=profile.id,
            details={
                "by": identity.role.value,
                "resumes": len(resume_ids),
                "versions": len(version_ids),
                "files": removed,
                "conversations": threads,
            },
        )
        repo.add(audit)
        await session.flush()
        logger.info("candidate erased (%d resumes, %d files)", len(resume_ids), removed)
        return audit

    async def erase_account(self, session: AsyncSession, identity: Identity) -> AuditLog:
        """A candidate deletes their own account and everything of theirs."""
        if identity.role is not Role.candidate:
            raise Forbidden("only candidates delete their own account; ask your admin")
        profile = await ResumeRepository(session).profile_for_user(identity.user_id)
        if profile is not None:
            return await self.erase(session, identity, profile.id)
        accounts = AccountRepository(session)
        user = await accounts.lock_user(identity.user_id)
        if user is None:
            raise NotFound("this account no longer exists")
        await TaskRepository(session).cancel_open(user.id, [])
        await NotificationRepository(session).erase_person(user.id, None)
        await accounts.erase_person(user.id, user.email)
        threads = await self.erase_chat_history(user.id)
        await accounts.delete_user(user.id)
        keys_changed(session)
        audit = AuditLog(
            id=new_id(),
            created_at=utcnow(),
            org_id=user.org_id,
            actor_id=None,
            action="account.erased",
            subject_id=user.id,
            details={"by": identity.role.value, "conversations": threads},
        )
        accounts.add(audit)
        await session.flush()
        logger.info("account erased (no resume)")
        return audit
