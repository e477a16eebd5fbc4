"""The API: /api/v1, JSON only, authenticated with personal access tokens and described by OpenAPI 3.1."""
