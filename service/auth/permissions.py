"""The one place that says who may do what: roles, their permissions, and every route's permission.

A route missing from ROUTES is refused by `authorize` (and fails the matrix test), so a new route
cannot be reachable by accident. Keys of ROUTES are route names (FastAPI's `name=`, by default the
endpoint function's name); names must be unique across the app for this reason.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Role(IntEnum):
    """Ordered: a higher role has every permission of a lower one."""

    viewer = 1
    reviewer = 2
    editor = 3
    owner = 4

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name]
        except KeyError:
            raise ValueError(
                f"unknown role {name!r}; one of {', '.join(r.name for r in cls)}"
            ) from None


class Permission(StrEnum):
    # Inside one workspace (the path's {ws}).
    workspace_read = "workspace.read"
    draft_review = "draft.review"  # approve, reject, comment
    draft_edit = "draft.edit"
    library_import = "library.import"
    library_edit = "library.edit"  # categories, follower counts, corrections
    generate = "generate"  # anything that calls the model
    plan_edit = "plan.edit"
    job_cancel = "job.cancel"
    review_links_manage = "review_links.manage"
    members_read = "members.read"
    members_manage = "members.manage"
    keys_manage = "keys.manage"  # one's own keys; an owner also sees and revokes others'
    audit_read = "audit.read"
    workspace_manage = "workspace.manage"  # settings, delete

    # Not bound to a workspace.
    public = "public"  # no caller needed (health, login)
    authenticated = "authenticated"  # any known caller (me, logout, the list of own workspaces)
    workspace_create = "workspace.create"
    review_link = "review_link"  # the path's {token} is the credential (client review links)


NON_WORKSPACE = frozenset(
    {
        Permission.public,
        Permission.authenticated,
        Permission.workspace_create,
        Permission.review_link,
    }
)

_VIEWER = frozenset({Permission.workspace_read, Permission.members_read})
_REVIEWER = _VIEWER | {Permission.draft_review}
_EDITOR = _REVIEWER | {
    Permission.draft_edit,
    Permission.library_import,
    Permission.library_edit,
    Permission.generate,
    Permission.plan_edit,
    Permission.job_cancel,
    Permission.review_links_manage,
    Permission.keys_manage,
}
_OWNER = _EDITOR | {
    Permission.members_manage,
    Permission.audit_read,
    Permission.workspace_manage,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.viewer: _VIEWER,
    Role.reviewer: frozenset(_REVIEWER),
    Role.editor: frozenset(_EDITOR),
    Role.owner: frozenset(_OWNER),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def minimum_role(permission: Permission) -> Role | None:
    """The lowest role holding a workspace permission (None for the non-workspace ones)."""
    return next((r for r in sorted(Role) if allows(r, permission)), None)


P = Permission

# Every route of the app. The product's routes are named after their endpoint functions as they
# stand; the integrator aligns these names with the final route names (helper A's rewrite).
ROUTES: dict[str, Permission] = {
    # service/api/auth.py (this feature)
    "login": P.public,
    "login_page": P.public,
    "logout": P.authenticated,
    "me": P.authenticated,
    "list_members": P.members_read,
    "set_member": P.members_manage,
    "remove_member": P.members_manage,
    "list_keys": P.keys_manage,
    "create_key": P.keys_manage,
    "revoke_key": P.keys_manage,
    "audit_log": P.audit_read,
    "list_review_links": P.review_links_manage,
    "create_review_link": P.review_links_manage,
    "revoke_review_link": P.review_links_manage,
    "review_feedback": P.workspace_read,
    "review_page": P.review_link,
    "review_link_drafts": P.review_link,
    "review_link_verdict": P.review_link,
    "review_link_comment": P.review_link,
    # the product's routes
    "health": P.public,
    "root": P.public,  # the redirect from / to the UI or the docs
    "openapi": P.authenticated,
    "docs": P.authenticated,
    "list_workspaces": P.authenticated,
    "create_workspace": P.workspace_create,
    "get_workspace": P.workspace_read,
    "list_posts": P.workspace_read,
    "search": P.workspace_read,
    "get_job": P.workspace_read,
    "cancel_job": P.job_cancel,
    "create_import": P.library_import,
    "get_import": P.workspace_read,
    "analytics_posts": P.workspace_read,
    "analytics": P.workspace_read,
    "set_category": P.library_edit,
    "create_plan": P.plan_edit,
    "get_plan": P.workspace_read,
    "plan_slots": P.plan_edit,
    "generate": P.generate,
    "export_plan": P.workspace_read,
    "drafts_in_category": P.generate,
    "audit_profiles": P.generate,
    "rewrite_profiles": P.generate,
    "audit_history": P.workspace_read,
    "accept_rewrite": P.library_edit,
    "create_variants": P.generate,
    "stream_variants": P.generate,
    "list_drafts": P.workspace_read,
    # Approve/reject; the handler must also `require(P.draft_edit)` when the body edits the text.
    "review_draft": P.draft_review,
    # names the redesigned routes carry
    "list_profile_audits": P.workspace_read,
    "search_posts": P.workspace_read,
    "category_drafts": P.generate,
    "generate_plan": P.generate,
    "approve_plan_slots": P.plan_edit,
    "accept_profile_rewrite": P.library_edit,
    "propose_profile_rewrites": P.generate,
    "set_post_category": P.library_edit,
    "import_alias_patch": P.workspace_read,
    # service/api/style_rules.py: rules steer every draft, so changing them is an editor's call
    "list_style_rules": P.workspace_read,
    "create_style_rule": P.library_edit,
    "update_style_rule": P.library_edit,
    "delete_style_rule": P.library_edit,
    "style_rule_history": P.workspace_read,
    "get_brand_voice": P.workspace_read,
    "save_brand_voice": P.library_edit,
    "reuse_report": P.workspace_read,
}
