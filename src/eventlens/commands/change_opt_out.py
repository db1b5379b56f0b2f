"""AddOptOut / WithdrawOptOut: the server-side opt-out list of user ids, whose events are
refused at ingest (`opted_out`) and kept without their personal fields. The list holds the
keyed hashes of the user ids, not the ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.commands.erase_subject import check_user_id
from eventlens.domain.errors import NotFound
from eventlens.domain.privacy import OptOut, opt_out_id_for
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class ChangeOptOut:
    actor: Actor
    user_id: str
    opted_out: bool  # True: add to the list; False: withdraw from it


def change_opt_out(
    command: ChangeOptOut, catalog: Catalog, lookup: Callable[[str], bytes]
) -> OptOut:
    require_admin(command.actor, "change the opt-out list")
    hashed = lookup(check_user_id(command.user_id)).hex()
    who = command.actor.username
    if catalog.has(opt_out_id_for(hashed)):
        entry: OptOut = catalog.aggregate(opt_out_id_for(hashed))
        if command.opted_out:
            entry.renew(who)
        else:
            entry.withdraw(who)
        catalog.record(entry, actor=who)
        return entry
    if not command.opted_out:
        raise NotFound("this user id is not on the opt-out list")
    entry = OptOut.add(hashed, who)
    catalog.record(entry, actor=who, creating="this opt-out")
    return entry
