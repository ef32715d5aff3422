"""Registration by link: settings per event, registrations, waiting lists, invitations."""
