package dev.overlap.it;

/** {@link SchemaChangesCheck} on PostgreSQL → PostgreSQL, the DDL captured by Overlap's event trigger. */
class PostgresSchemaChangesIT extends SchemaChangesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create(prefix);
    }

    @Override
    String setNotNull() {
        return "ALTER TABLE users ALTER COLUMN nickname SET NOT NULL";
    }

    @Override
    String createIndex() {
        return "CREATE INDEX CONCURRENTLY users_nickname_idx ON users (nickname)";
    }

    @Override
    String inThisDatabase() {
        return "table_schema = 'public'";
    }

    @Override
    String indexQuery() {
        return "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'overlap%' ORDER BY 1, 2";
    }
}
