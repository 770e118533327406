package dev.overlap.it;

/** {@link UniqueKeysCheck} on MariaDB 10.11 → MariaDB 10.11. */
class MariaDbLtsUniqueKeysIT extends BinlogUniqueKeysCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("lts_" + prefix, Servers.mariadbLtsSource(), Servers.mariadbLtsTarget());
    }
}
