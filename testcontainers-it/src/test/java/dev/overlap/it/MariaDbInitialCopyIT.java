package dev.overlap.it;

/** {@link InitialCopyCheck} on MariaDB → MariaDB. */
class MariaDbInitialCopyIT extends InitialCopyCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }

    @Override
    String listed(String table) {
        return table;
    }

    @Override
    String fill(String table, int rows) {
        return "INSERT INTO " + table + " SELECT seq, CONCAT('row ', seq), 0 FROM seq_1_to_" + rows;
    }
}
