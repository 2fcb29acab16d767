"""buildspec rules."""
