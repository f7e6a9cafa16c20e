"""`veille bench ingest` runs end to end and reports every figure the issue asks for."""

from __future__ import annotations

import argparse
import json

import pytest

from ingest.bench import bench_add_arguments, bench_run
from veille.mosquitto import Mosquitto

KEYS = {
    "events",
    "events_per_s",
    "publish_to_commit_ms_p50",
    "publish_to_commit_ms_p99",
    "ingest_rss_mb",
    "client_limit_events_per_s",
    "ratio_to_client_limit",
    "copy_events_per_s",
    "events_per_s_2_workers",
}


@pytest.mark.slow
def test_bench_prints_one_json_object_with_every_figure_last(
    db_url: str, private_mosquitto: Mosquitto, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    bench_add_arguments(parser)
    args = parser.parse_args(
        ["--events", "1200", "--homes", "2", "--devices", "2", "--rounds", "1", "--latency-s", "1"]
    )
    # The bench creates (and drops) a scratch database on the server of db_url.
    assert bench_run(args, db_url, private_mosquitto.url) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result.keys() >= KEYS
    assert result["events"] == 1200
    assert all(result[k] > 0 for k in KEYS)
