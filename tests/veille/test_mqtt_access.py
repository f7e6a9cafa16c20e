"""Who may touch which topics, against a real Mosquitto run with the files Veille writes."""

from __future__ import annotations

import ssl
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest

from tests.broker.peer import Peer
from tests.services import unavailable
from tests.waiting import wait_until
from veille.cli import main
from veille.mosquitto import Mosquitto, MosquittoError, Tls, free_port, mosquitto_binary
from veille.mqtt_accounts import INGEST, Account, AccountBook

NOT_AUTHORIZED = 0x87  # MQTT 5 reason code, in CONNACK and PUBACK
LOGIN_PROBE_S = 2.0


def make_tls(directory: Path) -> Tls:
    """A throwaway CA and a server certificate for 127.0.0.1 it signed (openssl CLI)."""
    directory.mkdir(parents=True)

    def openssl(command: str) -> None:
        subprocess.run(
            ["openssl", *command.split()], cwd=directory, check=True, capture_output=True
        )

    openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ca -keyout ca.key -out ca.crt")
    openssl("req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr")
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl(
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2"
        " -extfile san.ext -out server.crt"
    )
    return Tls(free_port(), *(directory / name for name in ("ca.crt", "server.crt", "server.key")))


class Secured:
    def __init__(self, broker: Mosquitto, book: AccountBook) -> None:
        self.broker, self.book = broker, book
        self.passwords: dict[str, str] = {}

    def add(self, role: str, home_id: str = "") -> Account:
        account, password = self.book.add(role, home_id)
        self.passwords[account.username] = password
        assert self.book.reload_broker()
        # The reload is asynchronous: the account is usable once a login with it succeeds.
        wait_until(lambda: self.logs_in(account), what=f"{account.username} accepted")
        return account

    def logs_in(self, account: Account) -> bool:
        peer = self.peer(account)
        peer.client.connect("127.0.0.1", self.broker.port)
        peer.client.loop_start()
        try:
            # A CONNECT that meets Mosquitto mid-reload may go unanswered: ask again.
            peer.wait(lambda: peer.connack is not None, "CONNACK", timeout_s=LOGIN_PROBE_S)
        except AssertionError:
            return False
        finally:
            peer.client.disconnect()
            peer.client.loop_stop()
        return peer.connack is not None and peer.connack[1] == 0

    def peer(self, account: Account | None, client_id: str = "", **options: object) -> Peer:
        peer = Peer(
            self.broker.port,
            client_id or f"c-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
            **options,  # type: ignore[arg-type]
        )
        if account is not None:
            peer.client.username_pw_set(account.username, self.passwords[account.username])
        return peer


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[Secured]:
    if mosquitto_binary() is None:
        unavailable("no mosquitto binary on PATH or in /usr/sbin (needs a Mosquitto of its own)")
    book = AccountBook(tmp_path / "auth")
    book.add(INGEST)  # Mosquitto needs the files to exist before it starts
    broker = Mosquitto(tmp_path / "mosquitto", auth=book, tls=make_tls(tmp_path / "tls"))
    try:
        broker.start()
    except MosquittoError as err:
        unavailable(f"could not start a private Mosquitto: {err}")
    try:
        yield Secured(broker, book)
    finally:
        broker.stop()


def connected(peer: Peer) -> Peer:
    peer.connect()
    return peer


def test_an_anonymous_client_is_refused(secured: Secured) -> None:
    peer = secured.peer(None)
    peer.try_connect()
    assert peer.connack is not None
    assert peer.connack[1] == NOT_AUTHORIZED
    peer.client.loop_stop()


def test_a_wrong_password_is_refused(secured: Secured) -> None:
    account = secured.add("zigbee2mqtt", "h1")
    peer = secured.peer(None)
    peer.client.username_pw_set(account.username, "not-the-password")
    peer.try_connect()
    assert peer.connack is not None
    assert peer.connack[1] == NOT_AUTHORIZED  # Mosquitto 2.0 says 0x87, not 0x86
    peer.client.loop_stop()


def test_a_home_publishes_only_into_its_own_namespace_and_reads_nothing_else(
    secured: Secured,
) -> None:
    ingest = connected(secured.peer(secured.add(INGEST)))
    ingest.subscribe("veille/#")
    h1 = connected(secured.peer(secured.add("zigbee2mqtt", "h1")))
    h1.subscribe("#")
    h2 = connected(secured.peer(secured.add("shelly", "h2")))

    # Forgeries into h2's namespaces, then one message of h1's own: messages of one client
    # arrive in order, so once the last one is in, no forgery is still on its way.
    h1.publish_all(
        [
            ("veille/h2/zigbee2mqtt/pir", b'{"occupancy": true}'),
            ("veille/v1/h2/pir", b'{"signals": {"motion": 1}}'),
            ("zigbee2mqtt/pir", b'{"occupancy": true}'),
            ("veille/h1/zigbee2mqtt/pir", b'{"occupancy": true}'),
        ]
    )
    h1.publish("veille/v1/h1/button", b'{"signals": {"button": 1}}')
    # h2's own message reaches ingest, and not h1's `#` subscription.
    h2.publish("veille/h2/shellyplus1-a8/events/rpc", b"{}")
    ingest.wait(lambda: len(ingest.messages) == 3, "the three allowed messages")
    assert [m.topic for m in ingest.messages] == [
        "veille/h1/zigbee2mqtt/pir",
        "veille/v1/h1/button",
        "veille/h2/shellyplus1-a8/events/rpc",
    ]
    # h1 hears its own namespace (Zigbee2MQTT reads its /set topics), nothing of h2's.
    assert all(m.topic.startswith("veille/h1/") for m in h1.messages)
    for peer in (ingest, h1, h2):
        peer.client.disconnect()
        peer.client.loop_stop()


def test_no_other_account_can_take_ingests_session(secured: Secured) -> None:
    ingest_account = secured.add(INGEST)
    ingest = connected(secured.peer(ingest_account, clean_session=False))
    ingest.subscribe("veille/#")
    ingest.client.disconnect()
    ingest.client.loop_stop()
    h1_account = secured.add("native", "h1")
    h1 = connected(secured.peer(h1_account))
    h1.publish_all([(f"veille/v1/h1/pir-{n}", b"{}") for n in range(20)])
    # The home's account asks for ingest's session by its client id: it gets its own.
    thief_account = secured.add("zigbee2mqtt", "h1")
    thief = connected(secured.peer(thief_account, ingest_account.username, clean_session=False))
    thief.subscribe("veille/h1/#")
    h1.publish("veille/h1/sentinel", b"{}")
    thief.wait(lambda: len(thief.messages) == 1, "the thief's own subscription")
    assert thief.messages[0].topic == "veille/h1/sentinel"
    back = secured.peer(ingest_account, "anything", clean_session=False)
    assert back.connect(), "ingest's session is still there"
    back.subscribe("veille/#")  # no new messages: only what the session queued arrives
    back.wait(lambda: len(back.messages) == 21, "the 21 messages queued for ingest")
    for peer in (h1, thief, back):
        peer.client.disconnect()
        peer.client.loop_stop()


def test_tls_listener_serves_clients_that_trust_the_ca_only(secured: Secured) -> None:
    tls = secured.broker.tls
    assert tls is not None
    account = secured.add("esphome", "h1")
    trusting = secured.peer(account)
    trusting.port = tls.port
    trusting.client.tls_set(ca_certs=str(tls.cafile))
    trusting.connect()
    trusting.publish("veille/h1/esphome-hall/sensor/pir/state", b"ON")
    trusting.client.disconnect()
    trusting.client.loop_stop()

    stranger = secured.peer(account)
    stranger.port = tls.port
    stranger.client.tls_set()  # the system's CAs, which never signed this server
    with pytest.raises(ssl.SSLCertVerificationError):
        stranger.try_connect()


def test_provision_prints_a_login_the_broker_accepts_for_that_home_only(
    secured: Secured, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VEILLE_MQTT_AUTH_DIR", str(secured.book.dir))
    monkeypatch.setenv("VEILLE_MQTT_DEVICE_URL", "mqtts://veille.example:8883")
    assert main(["devices", "provision", "h1", "--gateway", "zigbee2mqtt"]) == 0
    printed = dict(
        line.strip().split(":", 1) for line in capsys.readouterr().out.splitlines() if ":" in line
    )
    assert printed["host"].strip() == "veille.example"
    assert printed["port"].strip() == "8883"
    assert printed["mqtt.base_topic"].strip() == "veille/h1/zigbee2mqtt"
    username, password = printed["user"].strip(), printed["password"].split()[0]
    secured.passwords[username] = password
    account = Account(username, "zigbee2mqtt", "h1")
    wait_until(lambda: secured.logs_in(account), what="the provisioned login accepted")
    ingest = connected(secured.peer(secured.add(INGEST)))
    ingest.subscribe("#")
    gateway = connected(secured.peer(account))
    gateway.publish("veille/h2/zigbee2mqtt/pir", b"{}")
    gateway.publish("veille/h1/zigbee2mqtt/pir", b"{}")
    ingest.wait(lambda: len(ingest.messages) == 1, "the gateway's message")
    assert ingest.messages[0].topic == "veille/h1/zigbee2mqtt/pir"
    assert password not in (secured.book.dir / "passwd").read_text()


def test_provision_ingest_prints_a_url_that_reads_every_home(
    secured: Secured, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VEILLE_MQTT_AUTH_DIR", str(secured.book.dir))
    monkeypatch.setenv("VEILLE_MQTT_URL", f"mqtt://127.0.0.1:{secured.broker.port}")
    assert main(["devices", "provision-ingest", "--name", "ingest-2"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("VEILLE_MQTT"))
    url = urlsplit(line.split("=", 1)[1])
    assert (url.username, url.port) == ("ingest-2", secured.broker.port)
    assert url.password is not None
    secured.passwords["ingest-2"] = url.password
    account = Account("ingest-2", INGEST)
    wait_until(lambda: secured.logs_in(account), what="the ingest login accepted")
    ingest = connected(secured.peer(account))
    ingest.subscribe("veille/#")
    home = connected(secured.peer(secured.add("tasmota", "h3")))
    home.publish("veille/h3/tele/plug/SENSOR", b"{}")
    ingest.wait(lambda: len(ingest.messages) == 1, "the home's message")
