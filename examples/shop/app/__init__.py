"""Example shop backend: a FastAPI modular monolith laid out by feature."""
