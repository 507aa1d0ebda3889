"""Data sharing with partner systems (互联互通): partners, OAuth client credentials, scopes, audit (#24)."""
