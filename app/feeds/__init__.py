"""Calendar feeds (iCalendar subscriptions) of events: public, per group, private and personal."""
