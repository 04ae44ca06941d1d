"""Every change in cleanaudit."""
