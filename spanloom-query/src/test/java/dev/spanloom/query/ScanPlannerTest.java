package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.storage.AttributeEquality;
import dev.spanloom.storage.AttributeEquality.Scope;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScanPlannerTest {
  static Set<AttributeEquality> equalities(String query) {
    return ScanPlanner.equalities(TraceQlQuery.parse(query).root());
  }

  static AttributeEquality eq(Scope scope, String key, AttributeValue value) {
    return new AttributeEquality(scope, key, value);
  }

  @Test
  void equalitiesWithLiteralsOfEachScopeAndType() {
    assertThat(equalities("{ resource.service.name = \"order-service\" && span.http.response.status_code = 418 }"))
        .containsExactlyInAnyOrder(
            eq(Scope.RESOURCE, "service.name", AttributeValue.of("order-service")),
            eq(Scope.SPAN, "http.response.status_code", AttributeValue.of(418)));
    assertThat(equalities("{ .cache.hit = true }")).containsExactly(eq(Scope.SPAN_OR_RESOURCE, "cache.hit", AttributeValue.of(true)));
    assertThat(equalities("{ \"eu\" = resource.region }")).containsExactly(eq(Scope.RESOURCE, "region", AttributeValue.of("eu")));
  }

  @Test
  void structureKeepsWhatEveryMatchMeets() {
    assertThat(equalities("{ span.a = 1 } >> { span.b = 2 }"))
        .containsExactlyInAnyOrder(eq(Scope.SPAN, "a", AttributeValue.of(1)), eq(Scope.SPAN, "b", AttributeValue.of(2)));
    assertThat(equalities("{ span.a = 1 } && { span.b = 2 }")).hasSize(2);
    assertThat(equalities("{ span.a = 1 } !>> { span.b = 2 }")).containsExactly(eq(Scope.SPAN, "b", AttributeValue.of(2)));
    assertThat(equalities("{ span.a = 1 && span.c = 3 } || { span.a = 1 }")).containsExactly(eq(Scope.SPAN, "a", AttributeValue.of(1)));
    assertThat(equalities("{ span.a = 1 || span.c = 3 }")).isEmpty();
    assertThat(equalities("{ span.a = 1 } | { span.b = \"x\" }"))
        .containsExactlyInAnyOrder(eq(Scope.SPAN, "a", AttributeValue.of(1)), eq(Scope.SPAN, "b", AttributeValue.of("x")));
  }

  @Test
  void otherConditionsGiveNoEqualities() {
    assertThat(equalities("{ span.a != 1 }")).isEmpty();
    assertThat(equalities("{ span.a > 1 }")).isEmpty();
    assertThat(equalities("{ span.a = 1.5 }")).isEmpty();
    assertThat(equalities("{ span.a =~ \"x.*\" }")).isEmpty();
    assertThat(equalities("{ !(span.a = 1) }")).isEmpty();
    assertThat(equalities("{ event.a = 1 }")).isEmpty();
    assertThat(equalities("{ link.a = 1 }")).isEmpty();
    assertThat(equalities("{ instrumentation.a = 1 }")).isEmpty();
    assertThat(equalities("{ name = \"x\" && status = error && duration > 1s }")).isEmpty();
    assertThat(equalities("{ span.a = 9007199254740992 }")).isEmpty(); // 2^53: not exact as a double
    assertThat(equalities("{ span.a = -9007199254740992 }")).isEmpty();
    assertThat(AttributeEquality.isSupported(AttributeValue.of(Long.MIN_VALUE))).isFalse();
    assertThat(AttributeEquality.isSupported(AttributeValue.of(9007199254740991L))).isTrue();
  }
}
