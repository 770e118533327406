package dev.overlap.it;

/** {@link UniqueKeysCheck} on PostgreSQL → PostgreSQL. */
class PostgresUniqueKeysIT extends UniqueKeysCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create(prefix);
    }

    @Override
    String listed(String table) {
        return "public." + table;
    }

    @Override
    String upsertOnA() {
        return "INSERT INTO two_uniques VALUES (%d, %d, %d, 0) ON CONFLICT (a) DO UPDATE SET n = two_uniques.n + 1, b = EXCLUDED.b";
    }

    @Override
    String dropIndex(String name, String table) {
        return "DROP INDEX " + name;
    }
}
