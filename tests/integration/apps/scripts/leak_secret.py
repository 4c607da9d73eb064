"""Prints its secrets and fails: parity must redact them from every report and log."""

import os
import sys

print(f"DATABASE_URL={os.environ.get('DATABASE_URL')}", flush=True)
print(f"SECRET_KEY={os.environ.get('SECRET_KEY')} CANARY={os.environ.get('CANARY_SECRET')}", flush=True)
sys.exit(2)
