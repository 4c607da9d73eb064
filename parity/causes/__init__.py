"""Why a divergence happened: the profile keys that differ (keys), what the failing side's facts and
error class point at (heuristic, the fast path, reading clues, sqlstate, tls, versions, secrets),
and experiments that flip keys to confirm it (experiments)."""
