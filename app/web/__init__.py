"""The Flask plumbing every edge shares: request class, errors, auth, health, metrics."""
