"""Events: single meetings and recurring series, their lifecycle and their pages."""
