package dev.overlap.it;

/** {@link BinlogVerifyCheck} on MariaDB → MariaDB, every case. */
class MariaDbVerifyIT extends BinlogVerifyCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }

    @Override
    boolean mariadb() {
        return true;
    }
}
