"""The REST API under /api/v1/ (README "REST API"): token authentication, problem details,
and serializers/views/urls by topic over the same services and access rule as the pages."""
