"""ClearView over the Model Context Protocol: the assistant's role-scoped tools, a few
resources and prompts, for any MCP client (a desktop assistant, an IDE agent, an
integrator's own agent).

Like the chat agent, this package is a client of the services: every tool call and
resource read is an HTTP call with the caller's own API key, so the services enforce
tenancy, roles and rate limits exactly as for any other client.

- `server`: the MCP server (tools from `tools.ROLE_TOOLS`, resources, prompts);
- `http`: streamable HTTP at `/mcp`, authenticated by `Authorization: Bearer <key>`;
- `stdio`: the same server over stdio for local clients (`clearview mcp`).
"""
