package dev.overlap.it;

/** {@link UniqueKeysCheck} with MySQL/MariaDB's names and upsert. */
abstract class BinlogUniqueKeysCheck extends UniqueKeysCheck {
    @Override
    String listed(String table) {
        return table;
    }

    @Override
    String upsertOnA() {
        return "INSERT INTO two_uniques VALUES (%d, %d, %d, 0) ON DUPLICATE KEY UPDATE n = n + 1, b = VALUES(b)";
    }

    @Override
    String dropIndex(String name, String table) {
        return "DROP INDEX " + name + " ON " + table;
    }
}
