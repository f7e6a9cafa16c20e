"""Keeping one-tap link tokens out of every log line.

A token in a log is a working link for whoever reads the log, so every handler the API's
process writes through (uvicorn's access and error logs, and the root logger's) masks
``/a/<token>`` before a line is written.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import uvicorn.config

from alerts.token import mask_tokens


class TokenMaskFilter(logging.Filter):
    """Rewrites the record in place (message and arguments); never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: mask_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the mask on each of its handlers."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"tokens": {"()": TokenMaskFilter}}
    for handler in config["handlers"].values():
        handler["filters"] = ["tokens"]
    return config


def mask_root_handlers() -> None:
    """Put the mask on the root logger's handlers (the process's other log lines)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TokenMaskFilter) for f in handler.filters):
            handler.addFilter(TokenMaskFilter())
