package dev.overlap.replicator.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which source tables a pipeline replicates: {@code schema.table} globs where {@code *} matches any
 * run of characters, e.g. {@code public.*} or {@code shop.order_*}. A table is selected when it
 * matches an include pattern and no exclude pattern. Overlap's own {@code overlap_*} tables are never
 * selected. Matching is case-sensitive, as identifiers are in the catalogs.
 */
public final class TableFilter {
    private final List<String> include;
    private final List<String> exclude;
    private final List<Pattern> includePatterns;
    private final List<Pattern> excludePatterns;

    /**
     * @param include globs to select; an empty list selects every table
     * @param exclude globs to leave out
     */
    public TableFilter(List<String> include, List<String> exclude) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        this.includePatterns = include.stream().map(TableFilter::glob).toList();
        this.excludePatterns = exclude.stream().map(TableFilter::glob).toList();
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (regex.length() > 0 || pattern.startsWith("*")) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(pattern.equals("*") ? ".*" : regex.toString());
    }

    /**
     * @param schema schema (PostgreSQL) or database (MySQL/MariaDB) name
     * @param table table name
     * @return whether the pipeline replicates this table
     */
    public boolean selects(String schema, String table) {
        if (table.startsWith("overlap_")) {
            return false;
        }
        String name = schema + "." + table;
        boolean included = includePatterns.isEmpty()
                || includePatterns.stream().anyMatch(p -> p.matcher(name).matches());
        return included && excludePatterns.stream().noneMatch(p -> p.matcher(name).matches());
    }

    /**
     * @return one Java regular expression that matches {@code schema.table} exactly when {@link #selects} does, for
     *         Debezium's {@code table.include.list}, so that tables created while streaming are captured too
     */
    public String regex() {
        return "(?!.*\\.overlap_)" + (excludePatterns.isEmpty() ? "" : "(?!(?:" + alternatives(excludePatterns) + ")$)")
                + (includePatterns.isEmpty() ? ".*" : "(?:" + alternatives(includePatterns) + ")");
    }

    private static String alternatives(List<Pattern> patterns) {
        return String.join("|", patterns.stream().map(Pattern::pattern).toList());
    }

    /**
     * @param name {@code schema.table}, or a schema's name when {@code schemaOnly}
     * @return a POSIX regular expression (PostgreSQL's {@code ~}) of the include globs, or of their schema parts;
     *         every character but letters, digits and {@code _} is escaped
     */
    public String posixInclude(boolean schemaOnly) {
        return posix(include, schemaOnly);
    }

    /** @return a POSIX regular expression of the exclude globs, one that matches nothing when there are none */
    public String posixExclude() {
        return exclude.isEmpty() ? "^$" : posix(exclude, false);
    }

    private static String posix(List<String> globs, boolean schemaOnly) {
        if (globs.isEmpty()) {
            return "^.*$";
        }
        StringBuilder regex = new StringBuilder("^(");
        for (String glob : globs) {
            String part = schemaOnly ? (glob.contains(".") ? glob.substring(0, glob.indexOf('.')) : "*") : glob;
            if (regex.length() > 2) {
                regex.append('|');
            }
            for (char c : part.toCharArray()) {
                regex.append(c == '*' ? ".*" : Character.isLetterOrDigit(c) || c == '_' ? String.valueOf(c) : "\\" + c);
            }
        }
        return regex.append(")$").toString();
    }

    @Override
    public String toString() {
        return "include " + include + " exclude " + exclude;
    }
}
