package dev.overlap.it;

/** {@link InitialCopyCheck} on PostgreSQL → PostgreSQL. */
class PostgresInitialCopyIT extends InitialCopyCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create(prefix);
    }

    @Override
    String listed(String table) {
        return "public." + table;
    }

    @Override
    String fill(String table, int rows) {
        return "INSERT INTO " + table + " SELECT i, 'row ' || i, 0 FROM generate_series(1, " + rows + ") i";
    }
}
