"""Domain types: plain pydantic models with no knowledge of storage, providers or HTTP."""

from service.domain.asset import Asset, AssetKind, Consent, ConsentScope, CreatorRole
from service.domain.channel import Channel, ChannelProfile, FollowerCount
from service.domain.draft import Check, Draft, DraftStatus
from service.domain.post import JourneyPhase, Post, PostMetrics, SourceType
from service.domain.workspace import DEFAULT_CATEGORIES, Workspace

__all__ = [
    "DEFAULT_CATEGORIES",
    "Asset",
    "AssetKind",
    "Channel",
    "ChannelProfile",
    "Check",
    "Consent",
    "ConsentScope",
    "CreatorRole",
    "Draft",
    "DraftStatus",
    "FollowerCount",
    "JourneyPhase",
    "Post",
    "PostMetrics",
    "SourceType",
    "Workspace",
]
