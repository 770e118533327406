package dev.overlap.it;

/** {@link CommitInDoubtCheck} on MySQL 8.0 → MySQL 8.0. */
class MySqlCommitInDoubtIT extends CommitInDoubtCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("my_" + prefix, Servers.mysqlSource(), Servers.mysqlTarget());
    }
}
