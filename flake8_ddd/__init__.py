"""flake8-ddd: architecture rules for FastAPI + SQLAlchemy + Pydantic backends."""

__version__ = "0.1.0"
