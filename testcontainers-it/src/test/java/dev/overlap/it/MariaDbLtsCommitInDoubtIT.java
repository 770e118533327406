package dev.overlap.it;

/** {@link CommitInDoubtCheck} on MariaDB 10.11 → MariaDB 10.11. */
class MariaDbLtsCommitInDoubtIT extends CommitInDoubtCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("lts_" + prefix, Servers.mariadbLtsSource(), Servers.mariadbLtsTarget());
    }
}
