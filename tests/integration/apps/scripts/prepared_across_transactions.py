"""A smoke check for parity's tests: a request's connection runs one query twice with asyncpg's
statement cache on, while two workers' connections each hold a transaction open in between (as a
busy app's connections do). Directly against Postgres this always works; behind a transaction
pooler without prepared-statement support, the second run lands on another server connection."""

import asyncio
import os
import ssl

import asyncpg


async def main() -> None:
    ca = os.environ.get("PGSSLROOTCERT")
    tls = ssl.create_default_context(cafile=ca) if ca else None
    worker, request, other = [await asyncpg.connect(os.environ["DATABASE_URL"], ssl=tls) for _ in range(3)]
    await worker.execute("BEGIN")
    print(await request.fetchval("SELECT $1::int + 1", 1))
    await other.execute("BEGIN")
    await worker.execute("COMMIT")
    print(await request.fetchval("SELECT $1::int + 1", 1))
    await other.execute("COMMIT")
    for conn in (worker, request, other):
        await conn.close()


asyncio.run(main())
