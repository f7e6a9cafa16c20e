"""`python -m ingest --database-url ... --mqtt-url ...`: one ingest process without the `veille`
composition root, for the benchmark's worker processes and for running ingest on its own."""

from __future__ import annotations

import argparse
import logging
import sys

from ingest import command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--mqtt-url", required=True)
    parser.add_argument("--log-level", default="INFO")
    command.add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    return command.run(args, args.database_url, args.mqtt_url)


if __name__ == "__main__":
    sys.exit(main())
