package dev.overlap.it;

/** {@link BinlogTypesCheck} on MariaDB 10.11 (the older LTS) → MariaDB 10.11. */
class MariaDbLtsTypesIT extends BinlogTypesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("lts_" + prefix, Servers.mariadbLtsSource(), Servers.mariadbLtsTarget());
    }
}
