"""The benchmark's load: realistic native messages published by C clients, and a bare paho
subscriber that measures the Python MQTT client's own ceiling.

The publisher must not be what the benchmark measures: a Python paho publisher on the same
two cores halves what ingest can show. So each simulated device gets a `mosquitto_pub -l`
process (one topic each, a message per stdin line) and this module only writes lines.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from urllib.parse import urlsplit

from devices import native

# One simulated device's cycle of reports: motion edges, a door, a kettle, a thermometer.
# One reading per message, so events/s and messages/s are the same figure.
_CYCLE = (
    '{{"at":"{at}","signals":{{"motion":1}}}}',
    '{{"at":"{at}","signals":{{"motion":0}}}}',
    '{{"at":"{at}","signals":{{"contact_open":1}}}}',
    '{{"at":"{at}","signals":{{"contact_open":0}}}}',
    '{{"at":"{at}","signals":{{"power_w":{p}}}}}',
    '{{"at":"{at}","signals":{{"temperature_c":{t}}}}}',
)


def line(n: int, at: datetime) -> str:
    return _CYCLE[n % len(_CYCLE)].format(at=at.isoformat(), p=(n * 7) % 2000, t=18 + (n % 50) / 10)


class Publishers:
    """One `mosquitto_pub -l` per topic; `send` spreads lines over them round-robin."""

    def __init__(self, mqtt_url: str, topics: list[str], max_inflight: int = 1000) -> None:
        binary = shutil.which("mosquitto_pub")
        if binary is None:
            raise RuntimeError("the benchmark needs mosquitto_pub (apt install mosquitto-clients)")
        parts = urlsplit(mqtt_url)
        host, port = parts.hostname or "127.0.0.1", str(parts.port or 1883)
        self.processes = [
            subprocess.Popen(
                [
                    binary,
                    "-h",
                    host,
                    "-p",
                    port,
                    "-q",
                    "1",
                    "-M",
                    str(max_inflight),
                    "-l",
                    "-t",
                    topic,
                ],
                stdin=subprocess.PIPE,
            )
            for topic in topics
        ]

    def send(self, lines: Iterator[str], per_write: int = 200) -> None:
        """Write lines round-robin, `per_write` at a time to each process."""
        pipes = [p.stdin for p in self.processes if p.stdin is not None]
        while True:
            for pipe in pipes:
                chunk = "".join(f"{text}\n" for text in islice(lines, per_write))
                if not chunk:
                    return
                pipe.write(chunk.encode())
                pipe.flush()

    def close(self, timeout_s: float = 60.0) -> None:
        for process in self.processes:
            if process.stdin is not None:
                process.stdin.close()
        for process in self.processes:
            process.wait(timeout_s)


def fast_lines(messages: int, start: datetime) -> Iterator[str]:
    """Distinct messages stamped a microsecond apart (they are published as fast as possible)."""
    base = start.timestamp()
    for n in range(messages):
        yield line(n, datetime.fromtimestamp(base + n / 1e6, UTC))


def bare_client_main(argv: list[str]) -> None:
    """Subscribe at QoS 1, decode each payload's JSON and count; print the last receipt time."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    url, topic, expected = argv[0], argv[1], int(argv[2])
    parts = urlsplit(url)
    state = {"count": 0, "last": 0.0}

    def on_message(client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        json.loads(msg.payload)
        state["count"] += 1
        if state["count"] >= expected:
            state["last"] = time.time()
            client.disconnect()

    def on_subscribe(client: mqtt.Client, *args: object) -> None:
        print("ready", flush=True)

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-bare-{time.time_ns()}",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.on_message = on_message
    client.on_subscribe = on_subscribe
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.ReceiveMaximum = 10_000
    client.connect(parts.hostname or "127.0.0.1", parts.port or 1883, properties=props)
    client.subscribe(topic, qos=1)
    client.loop_forever()
    print(f"done {state['last']}", flush=True)


def topics(prefix: str, homes: int, devices: int) -> list[str]:
    return [
        native.topic_for(prefix, f"h{h}", f"d{d}") for h in range(homes) for d in range(devices)
    ]


def paced_lines(rate_per_s: float, messages: int) -> Iterator[str]:
    """Messages at a steady rate, each stamped with the time it is handed to its publisher."""
    start = time.time()
    for n in range(messages):
        delay = start + n / rate_per_s - time.time()
        if delay > 0:
            time.sleep(delay)
        yield line(n, datetime.now(UTC))


if __name__ == "__main__":
    bare_client_main(sys.argv[1:])
