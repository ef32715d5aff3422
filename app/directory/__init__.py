"""The network directory: networks, member organizations, contact people, working groups."""
