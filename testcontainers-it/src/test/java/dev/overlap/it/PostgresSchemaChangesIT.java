package dev.overlap.it;

import java.util.List;

/** {@link SchemaChangesCheck} on PostgreSQL → PostgreSQL, the DDL captured by Overlap's event trigger. */
class PostgresSchemaChangesIT extends SchemaChangesCheck {
    @Override
    DatabasePair pair(String prefix) throws Exception {
        return DatabasePair.create(prefix);
    }

    @Override
    String setNotNull() {
        return "ALTER TABLE users ALTER COLUMN nickname SET NOT NULL";
    }

    @Override
    String createIndex() {
        return "CREATE INDEX CONCURRENTLY users_nickname_idx ON users (nickname)";
    }

    @Override
    String inThisDatabase() {
        return "table_schema = 'public'";
    }

    @Override
    String indexQuery() {
        return "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'overlap%' ORDER BY 1, 2";
    }

    @Override
    String sourceSchema() {
        return """
                CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
                CREATE TABLE users (id serial PRIMARY KEY, email email NOT NULL UNIQUE, mood mood DEFAULT 'ok', name text COLLATE "C",
                  score int CHECK (score >= 0), created timestamptz NOT NULL DEFAULT now());
                COMMENT ON TABLE users IS 'the shop''s users';
                COMMENT ON COLUMN users.email IS 'login';
                CREATE INDEX users_name_idx ON users (lower(name));
                CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  user_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE, total numeric(10,2),
                  total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED, tags text[]);
                CREATE TABLE events (id bigint, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
                CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                CREATE TABLE events_other PARTITION OF events DEFAULT;
                INSERT INTO users (email, mood, name, score) VALUES ('a@example.com', 'happy', 'Ann', 1), ('b@example.com', 'sad', 'Bob', 2),
                  ('c@example.com', DEFAULT, 'Cy', 3);
                INSERT INTO orders (user_id, total, tags) VALUES (1, 9.99, '{gift}'), (2, 20, NULL);
                INSERT INTO events VALUES (1, '2024-05-01', 'a'), (2, '2030-01-01', 'b');
                """;
    }

    @Override
    String commentQuery() {
        return "SELECT c.relname || '.' || a.attnum || ' ' || d.description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid"
                + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid"
                + " WHERE d.classoid = 'pg_class'::regclass AND c.relnamespace = 'public'::regnamespace ORDER BY 1";
    }

    @Override
    List<String> createAndWidenItems() {
        return List.of("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL, code varchar(20))",
                "INSERT INTO items SELECT i, i, 'c' || i FROM generate_series(1, 50) i",
                "ALTER TABLE items ALTER COLUMN n TYPE bigint");
    }

    @Override
    String dropIndex(String name, String table) {
        return "DROP INDEX CONCURRENTLY " + name;
    }

    @Override
    String renameItemsToProducts() {
        return "ALTER TABLE items RENAME TO products";
    }

    @Override
    String productRow() {
        return "(1,1000000000,c1)";
    }
}
