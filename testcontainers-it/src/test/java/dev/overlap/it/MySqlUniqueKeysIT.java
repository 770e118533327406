package dev.overlap.it;

/** {@link UniqueKeysCheck} on MySQL 8.0 → MySQL 8.0. */
class MySqlUniqueKeysIT extends BinlogUniqueKeysCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("my_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }
}
