"""Announcements on a network's public page: short news with a time window, as a list and an Atom feed."""
