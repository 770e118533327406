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
}
