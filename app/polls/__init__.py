"""Date polls that turn into an event and its invitations."""
