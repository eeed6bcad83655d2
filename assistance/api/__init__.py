"""The assistance API (read-only, scoped, masked), under /api/v1/assistance/."""
