package dev.overlap.it;

/** {@link SchemaChangesCheck} on MySQL 8.0 → MySQL 8.0. */
class MySqlSchemaChangesIT extends BinlogSchemaChangesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("my_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }
}
