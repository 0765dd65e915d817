"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import os
import sys

from app import create_app
from config.logging import configure_logging

# A thread waiting for the GIL waits up to the switch interval (5 ms by default) each time
# it comes back from the database or the socket. A webhook does that several times, so
# behind a thread rendering a console page or a board poll its answer could wait tens of
# milliseconds; 1 ms bounds each wait (bench/live_views.py measures both). GIL_SWITCH_MS
# overrides it, for the bench's comparison.
sys.setswitchinterval(float(os.environ.get("GIL_SWITCH_MS", "1")) / 1000)

configure_logging()
app = create_app()
