"""Certificates (format v1, ``shared/spec/certificate-v1.md``): production and checking."""
