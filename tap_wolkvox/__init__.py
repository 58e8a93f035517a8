"""tap-wolkvox: a Singer tap for the Wolkvox contact-center Reports Manager API."""
