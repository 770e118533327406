package dev.overlap.checksum;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens connections to the two databases compared; the verifier closes what it opens. */
public interface Databases {

    /**
     * @return a new connection to the source in auto-commit mode
     * @throws SQLException when it cannot connect
     */
    Connection openSource() throws SQLException;

    /**
     * @return a new connection to the target in auto-commit mode
     * @throws SQLException when it cannot connect
     */
    Connection openTarget() throws SQLException;
}
