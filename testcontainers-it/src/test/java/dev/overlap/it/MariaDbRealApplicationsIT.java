package dev.overlap.it;

import java.nio.file.Files;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@link RealApplicationsCheck} on MariaDB 11.4, with the applications' MySQL schemas. */
class MariaDbRealApplicationsIT extends RealApplicationsCheck {
    private static final LocalDateTime START = LocalDateTime.of(2024, 1, 1, 0, 0);

    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }

    /** MediaWiki's placeholders filled in as its installer does ({@code $wgDBTableOptions} is its default). */
    @Override
    List<String> mediaWikiSchema() throws Exception {
        return statements(DebianPackages.file("mediawiki", "usr/share/mediawiki/maintenance/tables-generated.sql")).stream()
                .map(s -> s.replace("/*_*/", "").replace("/*$wgDBTableOptions*/", "ENGINE=InnoDB, DEFAULT CHARSET=binary"))
                .toList();
    }

    /** One multi-statement script: it switches foreign-key checks off for its own session while it creates the tables. */
    @Override
    List<String> roundcubeSchema() throws Exception {
        return List.of(Files.readString(DebianPackages.file("roundcube-core", "usr/share/roundcube/SQL/mysql.initial.sql")));
    }

    @Override
    String table(String name) {
        return "`" + name + "`";
    }

    @Override
    String quoted(String column) {
        return "`" + column + "`";
    }

    @Override
    String wikiTime(int seconds) {
        return "'" + START.plusSeconds(seconds).format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) + "'";
    }

    @Override
    String mailTime(int seconds) {
        return "'" + START.plusSeconds(seconds).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + "'";
    }
}
