"""Customers: registration and profile management."""
