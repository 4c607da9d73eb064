"""Why a divergence happened: the profile keys that differ (keys), what the failing side's error
class points at (heuristic, the fast path), and experiments that flip keys to confirm it
(experiments)."""
