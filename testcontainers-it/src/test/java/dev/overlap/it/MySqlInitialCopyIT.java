package dev.overlap.it;

/** {@link InitialCopyCheck} on MySQL 8.0 → MySQL 8.0. */
class MySqlInitialCopyIT extends InitialCopyCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("mysql_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }

    @Override
    String listed(String table) {
        return table;
    }

    /** A recursive CTE, which MySQL caps at 1,000 levels unless told otherwise. */
    @Override
    String fill(String table, int rows) {
        return "SET SESSION cte_max_recursion_depth = " + (rows + 1) + "; INSERT INTO " + table
                + " WITH RECURSIVE s (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " + rows + ")"
                + " SELECT i, CONCAT('row ', i), 0 FROM s";
    }
}
