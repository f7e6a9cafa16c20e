"""A home's gateways publish under the home's namespace; the topic says whose device it is."""

from __future__ import annotations

from devices.signals import DeviceKind
from tests.ingest.conftest import Publisher, RunningIngest, register, scalar, wait_for_count


def test_a_gateway_in_a_homes_namespace_feeds_that_home_and_no_other(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION}, source="h1/z2m:hall/pir")
    register(db_url, "h2", {"pir": DeviceKind.MOTION}, source="h2/z2m:hall/pir")
    # Both homes name their sensor hall/pir; each namespace reaches only its own home.
    publisher.publish(f"{topic_prefix}/h1/zigbee2mqtt/hall/pir", b'{"occupancy": true}')
    publisher.publish(f"{topic_prefix}/h1/tele/plug/SENSOR", b'{"ENERGY": {"Power": 3}}')
    wait_for_count(db_url, "SELECT count(*) FROM pending_devices", 1)
    assert scalar(db_url, "SELECT source FROM pending_devices") == "h1/tasmota:plug"
    assert scalar(db_url, "SELECT count(*) FROM events WHERE home_id = 'h1'") == 1
    assert scalar(db_url, "SELECT count(*) FROM events WHERE home_id = 'h2'") == 0
