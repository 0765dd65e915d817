"""The Twilio fixtures for the fakes' own tests.

Imported rather than listed in ``pytest_plugins``: pytest only accepts that in the root conftest.
Once the root conftest lists ``tests.fixtures.twilio``, this file can be deleted.
"""

from tests.fixtures.twilio import fake_twilio, fake_twilio_server, twilio_client

__all__ = ["fake_twilio", "fake_twilio_server", "twilio_client"]
