"""A smoke command whose outcome depends on the profile: passes without TLS, fails under TLS with
EXPECT_FAIL=1 (database.env), and sleeps under TLS alone (what an experiment flipping only
database.ssl runs); argv[1] tags the process."""

import os
import sys
import time

tls = bool(os.environ.get("PGSSLROOTCERT"))
if not tls:
    sys.exit(0)
if os.environ.get("EXPECT_FAIL") == "1":
    print("failing as the target", flush=True)
    sys.exit(1)
print(f"sleeping {sys.argv[1:]}", flush=True)
time.sleep(600)
