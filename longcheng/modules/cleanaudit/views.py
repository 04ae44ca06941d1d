"""cleanaudit's pages."""
