"""How operations execute: strawberry's executor, with each subscription push on its own memo.

graphql-core memoises the sub-fields it collects under the identity of the field group it
collected them for, in a dict that a subscription's per-push executors share with the
executor that started the subscription. Every push collects its root fields anew, so every
push adds an entry that lives as long as the subscription: a `newEvents` subscription on a
busy site grew by tens of megabytes a minute. A push on a memo of its own keeps what the memo
is for (a list of objects collects its sub-fields once) and frees it with the push.
"""

from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

MEMO = "_relevant_sub_fields"  # graphql-core's name for the memo


class PushScopedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        # A new memo for this push alone (the copy shared the subscription's).
        setattr(executor, MEMO, {})
        return executor
