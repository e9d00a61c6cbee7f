"""Application-wide settings, database lifecycle, generic CRUD base and error handling."""
