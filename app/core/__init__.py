"""Shared plumbing: extensions, rendering, access control, time types, error pages."""
