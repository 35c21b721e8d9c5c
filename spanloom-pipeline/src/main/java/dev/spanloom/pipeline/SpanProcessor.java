package dev.spanloom.pipeline;

import dev.spanloom.model.Span;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A processor: transforms, filters, batches or refuses spans before handing them to {@code next}. */
public interface SpanProcessor extends Component {
  CompletableFuture<Void> process(List<Span> spans, SpanConsumer next);
}
