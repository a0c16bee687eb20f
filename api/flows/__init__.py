"""What happens when something changes, written in one place each, as calls to the
features' own functions:

- `jobs`: a job is created, updated, published, unpublished or deleted;
- `resumes`: a resume is uploaded, a candidate's profile changes;
- `erasure`: a candidate is erased (every store that may hold something of them).

The services call these where the change happens, inside the change's transaction, so
what follows commits or rolls back with it. Collaborators that live above the services
(the chat history of the agent) are passed in by the composition root (`clearview`).
"""
