package dev.overlap.it;

/** {@link BinlogWorkloadCheck} (OLTP load, kill -9 and resume) on MariaDB 10.11 → MariaDB 10.11. */
class MariaDbLtsWorkloadIT extends BinlogWorkloadCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("lts_" + prefix, Servers.mariadbLtsSource(), Servers.mariadbLtsTarget());
    }
}
