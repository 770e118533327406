package dev.overlap.it;

/** {@link CommitInDoubtCheck} on MariaDB 11.4 → MariaDB 11.4. */
class MariaDbCommitInDoubtIT extends CommitInDoubtCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create("maria_" + prefix, Servers.mariadbSource(), Servers.mariadbTarget());
    }
}
