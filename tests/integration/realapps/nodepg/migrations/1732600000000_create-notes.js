exports.up = (pgm) => {
  pgm.createTable('notes', {
    id: 'id',
    title: { type: 'varchar(200)', notNull: true },
    body: { type: 'text', notNull: true, default: '' },
    created_at: { type: 'timestamptz', notNull: true, default: pgm.func('now()') },
  });
};

exports.down = (pgm) => {
  pgm.dropTable('notes');
};
