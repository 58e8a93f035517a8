"""What Wolkvox answered: reply bodies read (in memory or spilled), decoded and classified."""
