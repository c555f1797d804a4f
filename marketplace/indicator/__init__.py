"""The collaboration indicator: counters kept from the event log, dashboard, open data, methodology."""

# Registers the counter listener with the event log wherever the app or its models are loaded.
from marketplace.indicator import counters as counters  # noqa: E402
