"""Who made each change to the catalog, as its events record it for the audit log."""

from __future__ import annotations

# The field stamped on every catalog event recorded: the username of whoever issued it.
ACTOR_FIELD = "actor"
# Who the audit log names where no signed-in user acted: a refused sign-in, and every catalog
# event recorded before events carried their actor.
ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
