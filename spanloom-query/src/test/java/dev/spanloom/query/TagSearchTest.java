package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.storage.InMemoryStorage;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TagSearchTest {
  private InMemoryStorage storage;
  private TagSearch tags;

  @BeforeEach
  void store() {
    storage = InMemoryStorage.builder().build();
    storage.writer().write(TraceQlDataset.allSpans());
    tags = new TagSearch(storage.reader());
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void namesByScope() {
    TagSearch.Names names = tags.tagNames(EnumSet.allOf(TagScope.class), null, 0, 0, 1_000);
    assertThat(names.byScope().get(TagScope.RESOURCE)).contains("service.name", "deployment.environment", "k8s.pod.name");
    assertThat(names.byScope().get(TagScope.SPAN)).contains("http.request.method", "attr with spaces", "tags");
    assertThat(names.byScope().get(TagScope.EVENT)).contains("exception.type", "smtp.code");
    assertThat(names.byScope().get(TagScope.LINK)).containsExactly("link.reason", "messaging.operation.type");
    assertThat(names.byScope().get(TagScope.INSTRUMENTATION)).containsExactly("language", "scope.owner");
    assertThat(names.byScope().get(TagScope.INTRINSIC)).contains("duration", "name", "status", "trace:rootService", "span:childCount");
    assertThat(names.inspectedTraces()).isEqualTo(10);
  }

  @Test
  void namesAreBoundedPerScopeAndByTraces() {
    assertThat(tags.tagNames(Set.of(TagScope.SPAN), null, 0, 0, 2).byScope().get(TagScope.SPAN)).hasSize(2);
    assertThat(new TagSearch(storage.reader(), 3).tagNames(Set.of(TagScope.RESOURCE), null, 0, 0, 100).inspectedTraces()).isEqualTo(3);
    assertThat(tags.tagNames(Set.of(TagScope.INTRINSIC), null, 0, 0, 100).inspectedTraces()).isZero();
  }

  @Test
  void namesFilteredByASpansetFilter() {
    TraceQlQuery q = TraceQlQuery.parse("{ resource.service.name = \"payment-service\" }");
    TagSearch.Names names = tags.tagNames(EnumSet.of(TagScope.SPAN, TagScope.EVENT), q, 0, 0, 100);
    assertThat(names.byScope().get(TagScope.SPAN)).containsExactly("payment.amount", "payment.currency", "retry");
    assertThat(names.byScope().get(TagScope.EVENT)).containsExactly("exception.message", "exception.type");
  }

  @Test
  void valuesAreTyped() {
    assertThat(tags.tagValues("resource.service.name", null, 0, 0, 100).values())
        .extracting(TagValue::value).contains("frontend", "api-gateway", "batch").doesNotHaveDuplicates();
    assertThat(tags.tagValues(".http.response.status_code", null, 0, 0, 100).values())
        .containsExactly(new TagValue("int", "200"), new TagValue("int", "201"), new TagValue("int", "500"));
    assertThat(tags.tagValues("status", null, 0, 0, 100).values())
        .containsExactly(new TagValue("keyword", "error"), new TagValue("keyword", "ok"), new TagValue("keyword", "unset"));
    assertThat(tags.tagValues("span.tags", null, 0, 0, 100).values()).extracting(TagValue::value).containsExactly("a", "b", "c");
    assertThat(tags.tagValues("span.order.total", null, 0, 0, 100).values()).containsExactly(new TagValue("float", "129.95"));
  }

  @Test
  void valuesFilteredByASpansetFilter() {
    TraceQlQuery q = TraceQlQuery.parse("{ span.http.request.method = \"GET\" }");
    assertThat(tags.tagValues("name", q, 0, 0, 100).values()).extracting(TagValue::value).containsExactly("GET /cart", "GET /report");
    TraceQlQuery none = TraceQlQuery.parse("{ resource.service.name = \"no-such\" }");
    assertThat(tags.tagValues("name", none, 0, 0, 100).values()).isEmpty();
  }

  @Test
  void aFilterThatIsNotOneSpansetIsIgnoredAsTempoDoes() {
    TraceQlQuery q = TraceQlQuery.parse("{ name = \"leaf\" } && { name = \"branch\" }");
    assertThat(tags.tagValues("resource.service.name", q, 0, 0, 100).values()).hasSizeGreaterThan(2);
  }

  @Test
  void valuesAreBounded() {
    assertThat(tags.tagValues("name", null, 0, 0, 3).values()).hasSize(3);
  }

  @Test
  void aFieldMustBeAField() {
    assertThatThrownBy(() -> tags.tagValues("{ }", null, 0, 0, 10)).isInstanceOf(TraceQlException.class);
  }
}
