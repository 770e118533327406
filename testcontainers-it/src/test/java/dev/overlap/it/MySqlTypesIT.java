package dev.overlap.it;

/** {@link BinlogTypesCheck} on MySQL 8.0 → MySQL 8.0 (Debezium's MySQL connector, GTIDs on). */
class MySqlTypesIT extends BinlogTypesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("my_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }
}
