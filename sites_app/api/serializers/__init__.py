"""Serializers of the API, by topic."""
