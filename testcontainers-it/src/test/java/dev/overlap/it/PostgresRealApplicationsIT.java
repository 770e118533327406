package dev.overlap.it;

import java.util.List;

/** {@link RealApplicationsCheck} on PostgreSQL, with the applications' PostgreSQL schemas. */
class PostgresRealApplicationsIT extends RealApplicationsCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create(prefix);
    }

    @Override
    List<String> mediaWikiSchema() throws Exception {
        return statements(DebianPackages.file("mediawiki", "usr/share/mediawiki/maintenance/postgres/tables-generated.sql"));
    }

    @Override
    List<String> roundcubeSchema() throws Exception {
        return statements(DebianPackages.file("roundcube-core", "usr/share/roundcube/SQL/postgres.initial.sql"));
    }

    @Override
    void prepareSource(DatabasePair pair) throws Exception {
        pair.onSource("""
                DO $$ DECLARE t regclass; BEGIN
                  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE c.relkind = 'r' AND n.nspname = 'public'
                             AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) LOOP
                    EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', t);
                  END LOOP;
                END $$""");
    }

    @Override
    String table(String name) {
        return '"' + name + '"';
    }

    @Override
    String quoted(String column) {
        return '"' + column + '"';
    }

    @Override
    String wikiTime(int seconds) {
        return mailTime(seconds);
    }

    @Override
    String mailTime(int seconds) {
        return "(TIMESTAMPTZ '2024-01-01 00:00:00+00' + " + seconds + " * INTERVAL '1 second')";
    }
}
