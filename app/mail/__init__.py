"""Outgoing e-mail."""
