"""What the directory tells the packages built on it. They subscribe (blinker, as Flask and
Indico do), so the directory never imports them."""
from blinker import Namespace

_signals = Namespace()

network_created = _signals.signal("network-created", doc="""
    Sent when a network is created (flushed, so it has an id). Sender: the Network.
    Receivers add what every network starts with (the events package: the built-in kinds).""")
