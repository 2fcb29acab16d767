"""appspec rules."""
