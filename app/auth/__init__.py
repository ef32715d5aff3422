"""Organizer accounts, roles and who may do what."""
