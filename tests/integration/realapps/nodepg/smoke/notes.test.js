// The service's smoke tests: node-postgres reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
// and PGSSLMODE from the environment (database.env in the profiles).
const { test } = require('node:test');
const assert = require('node:assert');
const { Client } = require('pg');

async function withClient(fn) {
  const client = new Client();
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

test('a note is stored and found by a fuzzy title search', async () => {
  await withClient(async (db) => {
    const { rows } = await db.query(
      'INSERT INTO notes (title, body) VALUES ($1, $2) RETURNING id', ['quarterly report', 'numbers']);
    assert.ok(rows[0].id > 0);
    const found = await db.query("SELECT id FROM notes WHERE title % 'quartely reprot'");
    assert.deepStrictEqual(found.rows.map((r) => r.id), [rows[0].id]);
  });
});
