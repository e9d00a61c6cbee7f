"""Where the cache directory is, by name: shared by :mod:`flake8_ddd.cache_store` and
:mod:`flake8_ddd.replay` (which must stay light to import)."""

CACHE_DIR_NAME = ".flake8_ddd_cache"
ENV_CACHE_DIR = "FLAKE8_DDD_CACHE_DIR"
