package dev.spanloom.query;

import java.util.List;

/** An expression that yields spansets from a trace: filters, spanset operators and pipelines. */
sealed interface SpansetExpression {
  /** {@code { condition }}; a null condition ({@code {}}) matches every span. */
  record Filter(FieldExpression condition, Token at) implements SpansetExpression {}

  /** {@code left op right} between spansets: logical, structural, union or negated structural. */
  record Operation(SpansetOp op, SpansetExpression left, SpansetExpression right, Token at) implements SpansetExpression {}

  /** {@code source | stage | stage …}. */
  record Pipeline(SpansetExpression source, List<PipelineStage> stages) implements SpansetExpression {
    public Pipeline {
      stages = List.copyOf(stages);
    }
  }

  enum SpansetOp {
    AND("&&"), OR("||"),
    CHILD(">"), DESCENDANT(">>"), PARENT("<"), ANCESTOR("<<"), SIBLING("~"),
    UNION_CHILD("&>"), UNION_DESCENDANT("&>>"), UNION_PARENT("&<"), UNION_ANCESTOR("&<<"), UNION_SIBLING("&~"),
    NOT_CHILD("!>"), NOT_DESCENDANT("!>>"), NOT_PARENT("!<"), NOT_ANCESTOR("!<<"), NOT_SIBLING("!~");

    final String symbol;

    SpansetOp(String symbol) {
      this.symbol = symbol;
    }

    /** The relation without its union or negation flavour. */
    SpansetOp relation() {
      return switch (this) {
        case UNION_CHILD, NOT_CHILD -> CHILD;
        case UNION_DESCENDANT, NOT_DESCENDANT -> DESCENDANT;
        case UNION_PARENT, NOT_PARENT -> PARENT;
        case UNION_ANCESTOR, NOT_ANCESTOR -> ANCESTOR;
        case UNION_SIBLING, NOT_SIBLING -> SIBLING;
        default -> this;
      };
    }

    boolean isUnion() {
      return name().startsWith("UNION_");
    }

    boolean isNegated() {
      return name().startsWith("NOT_");
    }
  }
}
