"""An organisation's library in the eval's own data directory: imported once, embedded. Both the
variant cases and the months need it; apart from both so neither imports the other."""

from __future__ import annotations

from pathlib import Path

from service.container import Services
from service.domain import Workspace
from service.library.ingest import import_paths, index_and_classify
from service.storage.repositories import PostRepo, WorkspaceRepo

# Library folders of a shared-data organisation: everything but the eval inputs.
_NOT_LIBRARY = {"ground_truth"}


def ensure_library(services: Services, workspace: str, folder: Path, name: str = "") -> None:
    """Import an organisation's exports once into the eval data directory, embedded. `name` is
    the organisation's display name (composed variants and prompts name it), else the slug."""
    with services.db.session() as s:
        repo = WorkspaceRepo(s)
        found = repo.find(workspace)
        if found is None or (name and found.name != name):
            base = found or Workspace(slug=workspace, name=workspace)
            repo.save(base.model_copy(update={"name": name or base.name}))
        has_posts = bool(PostRepo(s).list(workspace))
    if has_posts:
        return
    exports = [p for p in sorted(folder.iterdir()) if p.is_dir() and p.name not in _NOT_LIBRARY]
    if exports:
        import_paths(services.db, exports, workspace=workspace, timezone="Europe/Oslo")
        index_and_classify(services.db, services.vectors, services.embedder, workspace)
