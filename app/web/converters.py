"""URL converters shared by every edge."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from app.db import MAX_ID


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in a URL: a number beyond any id column (> MAX_ID) stands for id 0, never a row.

    So the view answers its usual 404 instead of the database overflowing into a 500.
    """

    def to_python(self, value: str) -> int:
        """The id, or 0 when no id column could hold it."""
        number = int(super().to_python(value))
        return number if number <= MAX_ID else 0
