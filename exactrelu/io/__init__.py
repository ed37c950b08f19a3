"""Reading and writing user files (data, networks, certificates)."""
