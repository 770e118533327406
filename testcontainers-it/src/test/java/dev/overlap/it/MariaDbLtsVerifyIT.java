package dev.overlap.it;

/** {@link BinlogVerifyCheck} on MariaDB 10.11 (the older LTS) → MariaDB 10.11, every case. */
class MariaDbLtsVerifyIT extends BinlogVerifyCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("lts_" + prefix, Servers.mariadbLtsSource(), Servers.mariadbLtsTarget());
    }

    @Override
    boolean mariadb() {
        return true;
    }
}
