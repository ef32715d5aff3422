"""The weekly digest: subscriptions (double opt-in, filters, one-click unsubscribe) and the weekly mail of coming events."""
