"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

from app import create_app
from config.logging import configure_logging

configure_logging()
app = create_app()
