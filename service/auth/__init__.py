"""Accounts, roles per workspace, API keys, sessions, client review links, audit log, limits.

How the app uses it (one place to read when wiring):

- permissions.py  the roles, their permissions and ROUTES (route name -> permission).
- dependencies.py `authorize`: add to every router, `dependencies=[Depends(authorize),
                  Depends(limits.limit_requests)]`; workspace routes take `{ws}` in the path.
                  `CallerDep` in a handler gives the caller; `require(...)` checks one more
                  permission when the body decides (a review that also edits the text).
- http.py         `install_auth_error_handlers(app)` after install_error_handlers: 401 gets
                  WWW-Authenticate, 429 gets Retry-After.
- web.py          `install_web_security(app, settings)` after the routers (trusted Host,
                  cross-site refusal, CORS only if configured, security headers);
                  `LoginRedirect` sends a browser without a session from /ui/ to /login.
- ui.py           `auth_dependency=ui_auth_dependency(app)` for gr.mount_gradio_app;
                  `ui_workspaces` / `ui_require` for Gradio handlers (gr.Request.username).
- bootstrap.py    `prepare_serve` before `gjenbruk serve` binds, `create_owner` / `add_user`
                  for `gjenbruk users ...`, `grant_creator` when a workspace is created.
- limits.py       `charge_model_calls`, `charge_spend`, `check_concurrent_jobs` before work.
- service/api/auth.py  the routers (ROUTERS) for login, members, keys, audit log, review links.
"""
