"""The account area: personal access tokens for the API and the private calendar feed."""
