// node-postgres (pg, from realapps/nodepg/node_modules) behind a pooler: one client runs the same
// query twice while other clients take the server connection it ran on in between. node-postgres
// prepares a named statement only when the query has a `name`, once per client connection.
//   node nodepg_reuse.js transactions|busy named|unnamed
// transactions: two workers hold a transaction across the two runs (transaction pooling);
// busy: another client runs a slow statement during the second run (statement pooling).
// Prints {"value": ...} or {"error": message, "code": SQLSTATE} as one JSON line.
const { Client } = require('pg');

async function main([scenario, naming]) {
  const query = { text: 'SELECT $1::int + 1 AS n', values: [1] };
  if (naming === 'named') query.name = 'reused';
  const clients = [new Client(), new Client(), new Client()];
  for (const client of clients) await client.connect();
  const [worker, request, other] = clients;
  const run = async () => (await request.query(query)).rows[0].n;
  try {
    if (scenario === 'transactions') {
      await worker.query('BEGIN');
      await run();
      await other.query('BEGIN');
      await worker.query('COMMIT');
      try {
        return await run();
      } finally {
        await other.query('COMMIT');
      }
    }
    await run();
    const slow = other.query('SELECT pg_sleep(1)');
    await new Promise((resolve) => setTimeout(resolve, 300));  // the slow one holds the server now
    try {
      return await run();
    } finally {
      await slow;
    }
  } finally {
    for (const client of clients) await client.end();
  }
}

main(process.argv.slice(2)).then(
  (value) => console.log(JSON.stringify({ value })),
  (err) => console.log(JSON.stringify({ error: err.message, code: err.code ?? null })),
);
