"""`follower.wanted_topics`: which stored events a follower of some classes decodes."""

from eventsourcing.utils import get_topic

from hotline.follower import wanted_topics
from hotline_sla_timer.domain.clocks import TicketClocks


def test_a_class_and_its_subclasses_are_wanted_and_nothing_else():
    wanted = wanted_topics((TicketClocks.DeadlineFired,))
    assert wanted(get_topic(TicketClocks.DeadlineFired))
    assert wanted(get_topic(TicketClocks.DeadlineApproaching))  # a subclass
    assert wanted(get_topic(TicketClocks.DeadlineBreached))
    assert not wanted(get_topic(TicketClocks.DeadlineRetracted))
    assert not wanted(get_topic(TicketClocks.Opened))


def test_without_classes_or_for_a_topic_that_does_not_resolve_everything_is_decoded():
    assert wanted_topics(None)("anything:At.All")
    # decoded, so it fails where it always failed (the mapper), not silently here
    assert wanted_topics((TicketClocks.DeadlineFired,))("no_such_module_xyz:Gone")
