package dev.overlap.it;

import java.util.List;

/** {@link SchemaChangesCheck} with MySQL/MariaDB's statements, the DDL read from the binlog. */
abstract class BinlogSchemaChangesCheck extends SchemaChangesCheck {
    @Override
    String setNotNull() {
        return "ALTER TABLE users MODIFY nickname varchar(50) NOT NULL DEFAULT 'none'";
    }

    @Override
    String createIndex() {
        return "CREATE INDEX users_nickname_idx ON users (nickname)";
    }

    @Override
    String inThisDatabase() {
        return "table_schema = DATABASE()";
    }

    @Override
    String indexQuery() {
        return "SELECT DISTINCT table_name, index_name FROM information_schema.statistics WHERE table_schema = DATABASE()"
                + " AND table_name NOT LIKE 'overlap%' ORDER BY 1, 2";
    }

    @Override
    String sourceSchema() {
        return """
                CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL UNIQUE,
                  mood ENUM('sad', 'ok', 'happy') DEFAULT 'ok', name varchar(50) COMMENT 'display name', score int CHECK (score >= 0),
                  created datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, KEY users_name_idx (name)) COMMENT = 'the shop''s users';
                CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, user_id int NOT NULL, total decimal(10,2),
                  total_cents bigint AS (total * 100) STORED, FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
                INSERT INTO users (email, mood, name, score) VALUES ('a@example.com', 'happy', 'Ann', 1), ('b@example.com', 'sad', 'Bob', 2),
                  ('c@example.com', DEFAULT, 'Cy', 3);
                INSERT INTO orders (user_id, total) VALUES (1, 9.99), (2, 20);
                """;
    }

    @Override
    String commentQuery() {
        return "SELECT CONCAT(table_name, ' ', table_comment) FROM information_schema.tables WHERE table_schema = DATABASE()"
                + " AND table_comment <> '' UNION ALL SELECT CONCAT(table_name, '.', column_name, ' ', column_comment)"
                + " FROM information_schema.columns WHERE table_schema = DATABASE() AND column_comment <> '' ORDER BY 1";
    }

    @Override
    List<String> createAndWidenItems() {
        StringBuilder items = new StringBuilder("INSERT INTO items VALUES ");
        for (int i = 1; i <= 50; i++) {
            items.append(i == 1 ? "" : ", ").append("(").append(i).append(", ").append(i).append(", 'c").append(i).append("')");
        }
        return List.of("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL, code varchar(20))", items.toString(),
                "ALTER TABLE items MODIFY n bigint NOT NULL");
    }

    @Override
    String dropIndex(String name, String table) {
        return "DROP INDEX " + name + " ON " + table;
    }

    @Override
    String renameItemsToProducts() {
        return "RENAME TABLE items TO products";
    }

    @Override
    String productRow() {
        return "(1,1000000000,c1)";
    }
}
