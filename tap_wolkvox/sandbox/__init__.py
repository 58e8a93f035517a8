"""A local Wolkvox Reports Manager simulator for tests, demos and offline CI data jobs."""
