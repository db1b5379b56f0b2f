"""Saved funnels in the domain: a site keeps each funnel's steps, window and breakdown, refuses
a breakdown that is not a visit dimension, and reads funnels saved before breakdowns were kept
as having none."""

from __future__ import annotations

from dataclasses import replace

import pytest
from eventsourcing.application import Application

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.errors import InvalidInput

STEPS = ["Visit /", "Signup"]


def site() -> Adaptor:
    adaptor = Adaptor.create("CAP-FUNNEL", "Shop", "shop", ["https://shop.example"], None, None)
    adaptor.add_goal("g1", page_path="/")
    adaptor.add_goal("g2", event_name="Signup")
    return adaptor


def test_a_saved_funnel_keeps_its_steps_window_and_breakdown() -> None:
    adaptor = site()

    saved = adaptor.save_funnel("f1", "By device", STEPS, "7d", "visit:device")

    assert (saved.steps, saved.within, saved.breakdown) == (tuple(STEPS), "7d", "visit:device")
    assert adaptor.funnels["f1"] == saved


def test_a_funnel_saved_without_a_breakdown_has_none() -> None:
    assert site().save_funnel("f1", "Plain", STEPS, "visit").breakdown is None


@pytest.mark.parametrize("breakdown", ["event:page", "visit:exit_page", "device", 3])
def test_a_breakdown_that_is_not_a_visit_dimension_is_refused(breakdown: object) -> None:
    adaptor = site()

    with pytest.raises(InvalidInput) as refused:
        adaptor.save_funnel("f1", "Bad", STEPS, "visit", breakdown)

    assert refused.value.field == "breakdown"
    assert adaptor.funnels == {}


def test_a_funnel_saved_before_breakdowns_were_kept_is_read_with_none() -> None:
    app = Application[str]()
    adaptor = site()
    adaptor.save_funnel("f1", "Old", STEPS, "visit", "visit:source")
    events = adaptor.collect_events()
    stored = [app.mapper.to_stored_event(e) for e in events]
    state = app.mapper.transcoder.decode(stored[-1].state)
    del state["breakdown"]
    del state["class_version"]  # what the first version of FunnelSaved recorded
    stored[-1] = replace(stored[-1], state=app.mapper.transcoder.encode(state))

    replayed = None
    for event in (app.mapper.to_domain_event(s) for s in stored):
        replayed = event.mutate(replayed)

    assert isinstance(replayed, Adaptor)
    assert replayed.funnels["f1"].breakdown is None
    assert replayed.funnels["f1"].steps == tuple(STEPS)
