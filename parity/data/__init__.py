"""Production-sized data: rows generated in the server, the fill's cache key, and the checks a
data section gets before anything starts. The data step fills through these."""
