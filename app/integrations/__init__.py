"""Adapters to what we do not own: Twilio's REST API and the job queue."""
