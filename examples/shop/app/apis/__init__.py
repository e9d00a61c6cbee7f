"""Versioned APIs aggregating the feature routers."""
