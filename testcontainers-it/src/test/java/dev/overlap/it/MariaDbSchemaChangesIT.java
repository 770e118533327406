package dev.overlap.it;

/** {@link SchemaChangesCheck} on MariaDB 11.4 → MariaDB 11.4. */
class MariaDbSchemaChangesIT extends BinlogSchemaChangesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }
}
