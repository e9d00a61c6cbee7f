"""Orders: placing, listing, updating and cancelling customer orders."""
