"""``python -m services.portal``: run the applicants' portal (several may run side by side).

It holds no data: start as many as you like behind a load balancer, each with the same
``PORTAL_KEY`` so that a calendar link made by one is read by another.
"""

import asyncio
import signal
import sys

import uvloop
from aiohttp import web
from pydantic import ValidationError

from ind_runtime.logs import configure_logging, get_logger
from services.portal.app import portal_app
from services.portal.settings import PortalSettings


async def serve(settings: PortalSettings) -> None:
    runner = web.AppRunner(portal_app(settings), access_log=None)  # an access log would hold manage links' tokens
    await runner.setup()
    await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    loop = type(asyncio.get_running_loop()).__module__
    get_logger("services.portal").info("worker resources ready", service="portal", port=settings.web_port, event_loop=loop)
    stopped = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stopped.set)
    await stopped.wait()
    await runner.cleanup()


if __name__ == "__main__":
    try:
        settings = PortalSettings()
    except ValidationError as error:
        sys.exit(
            "portal cannot start: " + "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        )
    configure_logging(settings.log_level)
    uvloop.run(serve(settings))  # as the workers run (EVENT_LOOP's default)
