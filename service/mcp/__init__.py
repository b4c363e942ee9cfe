"""An MCP server over the same use-case owners the API uses (issue 20).

- server.py  `build_server(services, access_of)`: the tools and resources on one MCPServer;
             `run_stdio(settings)` for `gjenbruk mcp`.
- http.py    `mcp_http_app(services, host=...)`: streamable HTTP behind the product's API keys,
             to mount under /mcp (its `lifespan` must run inside the app's).
- access.py  who the caller is (the local person over stdio, a key's caller over HTTP) and the
             check of a tool's permission through the auth permission table.
"""
