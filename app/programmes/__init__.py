"""The Intercultural Week programme: campaigns, submissions by link, review, the public programme."""
