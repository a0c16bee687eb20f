"""The composition root: the one place where ClearView is assembled.

- `clearview.cli`: the `clearview` command (every sub-command registered there).
- `clearview.app`: which routers each service serves, and the app of a process.
- `clearview.workers`: which background workers exist and what each is built from.
- `clearview.wiring`: the collaborators passed into the features (the rewriter, the chat
  hand-off of inbound webhooks, the erasure steps that live above the services).
- `clearview.serve`: running a service (or all of them) under uvicorn.

Nothing in the packages below (`api`, `agents`, `ui`, `workers`, `tools`, `ingest`,
`core`) imports this package, and nothing here is registered by importing a module.
"""
