package dev.overlap.it;

/** {@link BinlogTypesCheck} on MariaDB → MariaDB (Debezium's MariaDB connector). */
class MariaDbTypesIT extends BinlogTypesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }
}
