"""The FastAPI application factory: nothing is created at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import Depends, FastAPI
from psycopg_pool import ConnectionPool

from alerts.message import Links
from alerts.outbound import Outbound
from alerts.vault import Vault
from api import actions, auth, care, demo_inbox, devices, homes, incidents, people
from api.authz import Public
from devices.clock import Clock, WallClock


@dataclass(slots=True)
class ApiConfig:
    database_url: str
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    data_key: str = ""  # seals contacts' apprise URLs; without it contacts cannot be saved
    outbound: Outbound = field(default_factory=Outbound)  # where contacts' URLs may point
    demo_inbox: bool = False  # accept apprise json:// posts at /demo/inbox (demo only)
    clock: Clock = field(default_factory=WallClock)  # "now" for actions: the incidents' time
    pool_min: int = 1
    pool_max: int = 8


def create_app(config: ApiConfig) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = ConnectionPool(
            config.database_url,
            min_size=config.pool_min,
            max_size=config.pool_max,
            kwargs={"autocommit": True},
            open=False,
        )
        pool.open(wait=True, timeout=30)
        app.state.pool = pool
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="Veille", version="0.1.0", lifespan=lifespan)
    app.state.inbox = demo_inbox.Inbox()
    app.state.links = Links(config.public_url, config.secret_key)
    app.state.clock = config.clock
    app.state.vault = Vault(config.data_key) if config.data_key else None
    app.state.outbound = config.outbound

    @app.get("/healthz", dependencies=[Depends(Public())])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(auth.router)
    app.include_router(auth.homes_router)
    app.include_router(homes.router)
    app.include_router(care.router)
    app.include_router(incidents.router)
    app.include_router(devices.router)
    app.include_router(people.router)
    if config.secret_key:
        app.include_router(actions.router)
    if config.demo_inbox:
        app.include_router(demo_inbox.router)
    return app
