package dev.overlap.it;

/** {@link UniqueKeysCheck} on MariaDB 11.4 → MariaDB 11.4. */
class MariaDbUniqueKeysIT extends BinlogUniqueKeysCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }
}
