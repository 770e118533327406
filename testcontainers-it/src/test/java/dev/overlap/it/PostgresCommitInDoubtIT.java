package dev.overlap.it;

/** {@link CommitInDoubtCheck} on PostgreSQL → PostgreSQL. */
class PostgresCommitInDoubtIT extends CommitInDoubtCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create(prefix);
    }

    @Override
    String listed(String table) {
        return "public." + table;
    }

    @Override
    String wholeRowIdentity(String table) {
        return "ALTER TABLE " + table + " REPLICA IDENTITY FULL";
    }

    @Override
    String targetUrlOptions() {
        return "?prepareThreshold=0";
    }
}
