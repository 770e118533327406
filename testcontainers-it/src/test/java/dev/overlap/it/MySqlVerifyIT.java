package dev.overlap.it;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * {@link BinlogVerifyCheck} on MySQL 8.0 → MySQL: every test, with the value corruptions limited to
 * the types whose text differs from MariaDB's handling (JSON stored parsed, FLOAT, TIMESTAMP, binary)
 * and NULL ↔ {@code ''}.
 */
class MySqlVerifyIT extends BinlogVerifyCheck {
    private static final Set<String> COLUMNS = Set.of("c_ubig", "c_float", "c_dt", "c_ts", "c_varbinary", "c_json", "c_bit", "c_text");

    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("mysql_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }

    @Override
    boolean mariadb() {
        return false;
    }

    @Override
    Stream<Arguments> corruptions() {
        return super.corruptions().filter(a -> COLUMNS.contains((String) a.get()[1]));
    }
}
