"""Sleeps (as a stuck migration or a smoke suite that never ends would); argv[1] tags the process."""

import sys
import time

print(f"sleeping {sys.argv[1:]}", flush=True)
time.sleep(600)
