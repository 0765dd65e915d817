"""Development-only pieces: the Twilio sandbox and the call simulator (never in production)."""
