"""Answers that live subscriptions asking the same question share.

When the read models change, every subscription wakes at once. Those with the same question
(the same filter) get the answer of one query, made once per version of the read models: a
hundred subscriptions to the same filter cost one query a push, not a hundred.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

Version = Any  # comparable: a later version's answer serves an earlier one's asker


@dataclass
class _Question:
    followers: int = 0
    version: Version = None
    answer: asyncio.Future[Any] | None = None


class SharedReads:
    def __init__(self) -> None:
        self._questions: dict[Hashable, _Question] = {}
        self.queries = 0  # queries made, for the tests

    def follow(self, key: Hashable) -> None:
        """A subscription asks `key` from now on."""
        self._questions.setdefault(key, _Question()).followers += 1

    def unfollow(self, key: Hashable) -> None:
        question = self._questions[key]
        question.followers -= 1
        if question.followers == 0:
            del self._questions[key]

    async def answer(
        self, key: Hashable, version: Version, read: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The answer to `key` at `version` or later: `read`'s, or that of the read another
        follower started for it."""
        question = self._questions[key]
        if question.answer is None or question.version < version:
            self.queries += 1
            question.version = version
            question.answer = asyncio.ensure_future(read())
        # Shielded: a follower that leaves does not cancel the others' answer.
        return await asyncio.shield(question.answer)
