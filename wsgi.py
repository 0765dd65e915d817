"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import logging

from app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("alembic").setLevel(logging.WARNING)
app = create_app()
