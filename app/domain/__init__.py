"""The Flask-free domain: services over the database; callers commit."""
