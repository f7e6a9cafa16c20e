"""Veille's own MQTT 3.1.1 and 5 broker (pure asyncio), for a machine without Mosquitto.

Its own package because it is a general-purpose broker: it knows nothing of homes or events
and imports no other Veille package; `veille/` (the composition root) starts it.
"""
