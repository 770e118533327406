package dev.overlap.replicator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableFilterTest {
    @Test
    void globsMatchWholeNamesOnly() {
        TableFilter filter = new TableFilter(List.of("shop.order_*", "public.users"), List.of("shop.order_archive"));

        assertThat(filter.selects("shop", "order_items")).isTrue();
        assertThat(filter.selects("shop", "order_archive")).isFalse();
        assertThat(filter.selects("shop", "orders")).isFalse();
        assertThat(filter.selects("public", "users")).isTrue();
        assertThat(filter.selects("public", "users2")).isFalse();
        assertThat(filter.selects("public", "userXs")).isFalse();
    }

    @Test
    void emptyIncludeSelectsAllButOverlapsOwnTables() {
        TableFilter filter = new TableFilter(List.of(), List.of());

        assertThat(filter.selects("public", "anything")).isTrue();
        assertThat(filter.selects("public", "overlap_offsets")).isFalse();
    }

    @Test
    void dotsInGlobsAreLiteral() {
        TableFilter filter = new TableFilter(List.of("a.b"), List.of());

        assertThat(filter.selects("a", "b")).isTrue();
        assertThat(filter.selects("aXb", "")).isFalse();
    }

    /** Debezium's include list gets the filter as one pattern: it must select exactly what {@link TableFilter#selects} does. */
    @Test
    void regexSelectsWhatTheFilterSelects() {
        for (TableFilter filter : List.of(new TableFilter(List.of("shop.order_*", "public.users"), List.of("shop.order_archive")),
                new TableFilter(List.of(), List.of()), new TableFilter(List.of("a.b"), List.of()),
                new TableFilter(List.of("*"), List.of("public.tmp_*")))) {
            java.util.regex.Pattern regex = java.util.regex.Pattern.compile(filter.regex());
            for (String name : List.of("shop.order_items", "shop.order_archive", "shop.orders", "public.users", "public.users2",
                    "a.b", "aXb.", "public.tmp_x", "public.overlap_offsets", "shop.overlap_ddl", "public.anything")) {
                String schema = name.substring(0, name.indexOf('.'));
                String table = name.substring(name.indexOf('.') + 1);
                assertThat(regex.matcher(name).matches()).as("%s with %s", name, filter).isEqualTo(filter.selects(schema, table));
            }
        }
    }

    @Test
    void posixPatternsEscapeEverythingButWordCharacters() {
        TableFilter filter = new TableFilter(List.of("shop.order_*", "my-db.t"), List.of("shop.order_archive"));

        assertThat(filter.posixInclude(false)).isEqualTo("^(shop\\.order_.*|my\\-db\\.t)$");
        assertThat(filter.posixInclude(true)).isEqualTo("^(shop|my\\-db)$");
        assertThat(filter.posixExclude()).isEqualTo("^(shop\\.order_archive)$");
        assertThat(new TableFilter(List.of(), List.of()).posixExclude()).isEqualTo("^$");
    }
}
