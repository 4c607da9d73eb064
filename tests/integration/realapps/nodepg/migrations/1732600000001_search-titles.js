// pg_trgm is a trusted extension (Postgres 13+): the database's owner may create it without
// being a superuser, as on managed Postgres.
exports.up = (pgm) => {
  pgm.createExtension('pg_trgm', { ifNotExists: true });
  pgm.createIndex('notes', 'title', { name: 'notes_title_trgm', method: 'gin', opclass: 'gin_trgm_ops' });
};

exports.down = (pgm) => {
  pgm.dropIndex('notes', 'title', { name: 'notes_title_trgm' });
  pgm.dropExtension('pg_trgm');
};
