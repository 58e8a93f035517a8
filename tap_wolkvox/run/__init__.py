"""One run of the tap: its request budget and plan, the STATE it reads, how it stops."""
