package dev.overlap.it;

/** {@link BinlogWorkloadCheck} on MariaDB → MariaDB. */
class MariaDbWorkloadIT extends BinlogWorkloadCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }
}
