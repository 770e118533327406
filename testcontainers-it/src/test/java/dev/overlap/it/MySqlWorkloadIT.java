package dev.overlap.it;

/** {@link BinlogWorkloadCheck} on MySQL 8.0 → MySQL 8.0 (GTIDs on). */
class MySqlWorkloadIT extends BinlogWorkloadCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("my_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }
}
