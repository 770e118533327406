package dev.overlap.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.overlap.replicator.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Real applications' schemas, as Debian ships them (MediaWiki's {@code tables-generated.sql}, Roundcube's
 * {@code *.initial.sql}), under a write load that churns their unique keys the way the applications do:
 * users renamed and their old names registered again, pages moved with a redirect left at the old title,
 * deleted and recreated, titles swapped through a temporary one, sessions rotated (a key update of a row
 * with a large, unchanged value) and expired, saved searches replaced, users deleted with what cascades
 * from them. The target ends identical row by row and {@code overlap verify} finds the databases equal.
 * Run per engine: {@link PostgresRealApplicationsIT}, {@link MariaDbRealApplicationsIT}.
 */
abstract class RealApplicationsCheck {
    private static final Duration CATCH_UP = Duration.ofSeconds(120);
    private static final int OPERATIONS = 300;

    /** @return a new pair of databases on this engine's two servers */
    abstract DatabasePair pair(String prefix) throws Exception;

    /** @return MediaWiki's schema for this engine, as statements */
    abstract List<String> mediaWikiSchema() throws Exception;

    /** @return Roundcube's schema for this engine, as statements */
    abstract List<String> roundcubeSchema() throws Exception;

    /**
     * What a DBA does on the source when preflight asks for it: PostgreSQL tables without a primary key get
     * REPLICA IDENTITY FULL.
     */
    void prepareSource(DatabasePair pair) throws Exception {
    }

    /** @return the table name as this engine's SQL writes it ({@code "user"} is reserved on PostgreSQL) */
    abstract String table(String name);

    /** @return a MediaWiki timestamp literal for 2024-01-01 plus {@code seconds} (BINARY(14) or TIMESTAMPTZ) */
    abstract String wikiTime(int seconds);

    /** @return a Roundcube datetime literal for 2024-01-01 plus {@code seconds} */
    abstract String mailTime(int seconds);

    /** @return the statements of an SQL file, split at the semicolons that end a line */
    static List<String> statements(Path file) throws Exception {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.trim().startsWith("--") || line.isBlank()) {
                continue;
            }
            current.append(line).append('\n');
            if (line.trim().endsWith(";")) {
                statements.add(current.toString().trim().replaceAll(";$", ""));
                current.setLength(0);
            }
        }
        return statements;
    }

    @Test
    void mediaWikiUnderAPageMoveAndUserRenameLoad() throws Exception {
        DatabasePair pair = pair("mediawiki");
        for (String statement : mediaWikiSchema()) {
            pair.onBoth(statement);
        }
        emptyTarget(pair);
        prepareSource(pair);
        Random random = new Random(7);
        Map<Integer, String> users = new HashMap<>();
        Map<Integer, String> pages = new HashMap<>();
        List<String> sessions = new ArrayList<>();
        int[] next = {1};
        try (Connection c = pair.source(); Statement st = c.createStatement()) {
            for (int i = 0; i < 20; i++) {
                addUser(st, next[0]++, "User" + i, users);
            }
            for (int i = 0; i < 40; i++) {
                addPage(st, next[0]++, "Page_" + i, false, pages);
            }
        }
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            try (Connection c = pair.source(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int op = 0; op < OPERATIONS; op++) {
                    switch (random.nextInt(5)) {
                        case 0 -> { // rename a user; a new user signs up with the old name
                            int id = pick(random, users);
                            String old = users.get(id);
                            String renamed = "Renamed_" + op;
                            st.execute("UPDATE " + table("user") + " SET user_name = '" + renamed + "' WHERE user_id = " + id);
                            st.execute("UPDATE actor SET actor_name = '" + renamed + "' WHERE actor_user = " + id);
                            users.put(id, renamed);
                            addUser(st, next[0]++, old, users);
                        }
                        case 1 -> { // move a page; the old title becomes a redirect
                            int id = pick(random, pages);
                            String old = pages.get(id);
                            st.execute("UPDATE page SET page_title = 'Moved_" + op + "' WHERE page_id = " + id);
                            pages.put(id, "Moved_" + op);
                            addPage(st, next[0]++, old, true, pages);
                        }
                        case 2 -> { // delete a page and create it again under a new id
                            int id = pick(random, pages);
                            String title = pages.remove(id);
                            st.execute("DELETE FROM page WHERE page_id = " + id);
                            addPage(st, next[0]++, title, false, pages);
                        }
                        case 3 -> { // swap two titles through a temporary one
                            int a = pick(random, pages);
                            int b = pick(random, pages);
                            if (a != b) {
                                String ta = pages.get(a);
                                String tb = pages.get(b);
                                st.execute("UPDATE page SET page_title = 'Swap_tmp' WHERE page_id = " + a);
                                st.execute("UPDATE page SET page_title = '" + ta + "' WHERE page_id = " + b);
                                st.execute("UPDATE page SET page_title = '" + tb + "' WHERE page_id = " + a);
                                pages.put(a, tb);
                                pages.put(b, ta);
                            }
                        }
                        default -> { // sessions in the object cache: created, rotated to a new key, expired
                            String key = "session:" + op;
                            st.execute("INSERT INTO objectcache (keyname, value, exptime) VALUES ('" + key + "', '"
                                    + "x".repeat(3000 + random.nextInt(3000)) + "', " + wikiTime(op) + ")");
                            sessions.add(key);
                            if (sessions.size() > 3) {
                                String rotated = sessions.remove(0);
                                st.execute("UPDATE objectcache SET keyname = '" + rotated + ":r' WHERE keyname = '" + rotated + "'");
                                st.execute("DELETE FROM objectcache WHERE keyname = '" + rotated + ":r' AND " + random.nextBoolean());
                            }
                        }
                    }
                    if (random.nextInt(3) == 0) {
                        c.commit();
                    }
                }
                c.commit();
            }
            pair.awaitIdentical(CATCH_UP, pipeline);
        }
        assertVerifyEqual(pair);
    }

    @Test
    void roundcubeUnderASessionAndUserChurnLoad() throws Exception {
        DatabasePair pair = pair("roundcube");
        for (String statement : roundcubeSchema()) {
            pair.onBoth(statement);
        }
        emptyTarget(pair);
        prepareSource(pair);
        Random random = new Random(8);
        Map<Integer, String> users = new HashMap<>();
        List<String> sessions = new ArrayList<>();
        int[] next = {1};
        try (Connection c = pair.source(); Statement st = c.createStatement()) {
            for (int i = 0; i < 20; i++) {
                addMailUser(st, next[0]++, "user" + i + "@example.org", users, next);
            }
            for (int i = 0; i < 10; i++) {
                addSession(st, "s" + i, random, sessions);
            }
        }
        try (Pipeline pipeline = pair.startPipeline()) {
            pair.awaitIdentical(CATCH_UP, pipeline);
            try (Connection c = pair.source(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int op = 0; op < OPERATIONS; op++) {
                    switch (random.nextInt(5)) {
                        case 0 -> { // a user's login changes; the old login comes back as a new user
                            int id = pick(random, users);
                            String old = users.get(id);
                            st.execute("UPDATE users SET username = 'old" + op + "." + old + "' WHERE user_id = " + id);
                            users.put(id, "old" + op + "." + old);
                            addMailUser(st, next[0]++, old, users, next);
                        }
                        case 1 -> { // the session id is regenerated at login: a key update, the large vars unchanged
                            String old = sessions.remove(random.nextInt(sessions.size()));
                            String fresh = "r" + op;
                            st.execute("UPDATE " + table("session") + " SET sess_id = '" + fresh + "', changed = " + mailTime(op)
                                    + " WHERE sess_id = '" + old + "'");
                            sessions.add(fresh);
                        }
                        case 2 -> { // garbage collection of a session, and a new one
                            String old = sessions.remove(random.nextInt(sessions.size()));
                            st.execute("DELETE FROM " + table("session") + " WHERE sess_id = '" + old + "'");
                            addSession(st, "n" + op, random, sessions);
                        }
                        case 3 -> { // a saved search replaced under the same (user, type, name)
                            int id = pick(random, users);
                            st.execute("DELETE FROM searches WHERE user_id = " + id + " AND name = 'inbox'");
                            st.execute("INSERT INTO searches (search_id, user_id, " + quoted("type") + ", name, data) VALUES ("
                                    + next[0]++ + ", " + id + ", 0, 'inbox', 'q" + op + "')");
                        }
                        default -> { // a user deletes the account: identities and searches go with it
                            if (users.size() > 5) {
                                int id = pick(random, users);
                                users.remove(id);
                                st.execute("DELETE FROM users WHERE user_id = " + id);
                            }
                        }
                    }
                    if (random.nextInt(3) == 0) {
                        c.commit();
                    }
                }
                c.commit();
            }
            pair.awaitIdentical(CATCH_UP, pipeline);
        }
        assertVerifyEqual(pair);
    }

    /** @return a column name quoted where this engine's SQL needs it */
    abstract String quoted(String column);

    private void addUser(Statement st, int id, String name, Map<Integer, String> users) throws SQLException {
        st.execute("INSERT INTO " + table("user") + " (user_id, user_name, user_real_name, user_password, user_newpassword,"
                + " user_email, user_touched, user_token) VALUES (" + id + ", '" + name + "', '', '', '', 'u" + id
                + "@example.org', " + wikiTime(id) + ", '')");
        st.execute("INSERT INTO actor (actor_id, actor_user, actor_name) VALUES (" + id + ", " + id + ", '" + name + "')");
        users.put(id, name);
    }

    private void addPage(Statement st, int id, String title, boolean redirect, Map<Integer, String> pages) throws SQLException {
        st.execute("INSERT INTO page (page_id, page_namespace, page_title, page_is_redirect, page_is_new, page_random,"
                + " page_touched, page_latest, page_len, page_content_model) VALUES (" + id + ", 0, '" + title + "', "
                + (redirect ? 1 : 0) + ", 1, 0." + id + ", " + wikiTime(id) + ", 0, " + (100 + id) + ", 'wikitext')");
        pages.put(id, title);
    }

    private void addMailUser(Statement st, int id, String login, Map<Integer, String> users, int[] next) throws SQLException {
        st.execute("INSERT INTO users (user_id, username, mail_host, created) VALUES (" + id + ", '" + login + "', 'localhost', "
                + mailTime(id) + ")");
        st.execute("INSERT INTO identities (identity_id, user_id, changed, name, email, organization) VALUES (" + next[0]++
                + ", " + id + ", " + mailTime(id) + ", 'Me', '" + login + "', '')");
        users.put(id, login);
    }

    private void addSession(Statement st, String id, Random random, List<String> sessions) throws SQLException {
        StringBuilder vars = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            vars.append(Long.toHexString(random.nextLong()));
        }
        st.execute("INSERT INTO " + table("session") + " (sess_id, changed, ip, vars) VALUES ('" + id + "', " + mailTime(0)
                + ", '127.0.0.1', '" + vars + "')");
        sessions.add(id);
    }

    /** The target holds the schema without rows, as a schema-only dump restores it (the scripts insert a few). */
    private static void emptyTarget(DatabasePair pair) throws SQLException {
        for (String table : pair.sourceTables()) {
            pair.onTarget("DELETE FROM " + table);
        }
    }

    private static int pick(Random random, Map<Integer, String> map) {
        List<Integer> keys = new ArrayList<>(map.keySet());
        java.util.Collections.sort(keys);
        return keys.get(random.nextInt(keys.size()));
    }

    private static void assertVerifyEqual(DatabasePair pair) throws Exception {
        Path config = pair.writeConfig(pair.configYaml());
        OverlapProcess verify = OverlapProcess.start(Map.of(DatabasePair.PASSWORD_VARIABLE, pair.sourceServer.superuserPassword()),
                "verify", "--config", config.toString());
        assertThat(verify.waitFor()).as("verify exit code; stdout: %s; stderr: %s", verify.stdout(), verify.stderr()).isZero();
    }
}
