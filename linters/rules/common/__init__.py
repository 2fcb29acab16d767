"""common rules."""
