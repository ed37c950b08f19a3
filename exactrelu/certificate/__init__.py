"""Certificates (format v1, ``docs/spec/certificate-v1.md``): production and checking."""
