package dev.overlap.it;

/** {@link SchemaChangesCheck} with MySQL/MariaDB's statements, the DDL read from the binlog. */
abstract class BinlogSchemaChangesCheck extends SchemaChangesCheck {
    @Override
    String setNotNull() {
        return "ALTER TABLE users MODIFY nickname varchar(50) NOT NULL DEFAULT 'none'";
    }

    @Override
    String createIndex() {
        return "CREATE INDEX users_nickname_idx ON users (nickname)";
    }

    @Override
    String inThisDatabase() {
        return "table_schema = DATABASE()";
    }

    @Override
    String indexQuery() {
        return "SELECT DISTINCT table_name, index_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
                + " AND table_name NOT LIKE 'overlap%' ORDER BY 1, 2";
    }
}
