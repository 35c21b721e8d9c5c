package dev.spanloom.pipeline.servicegraph;

import java.util.Locale;

/** What a node of the service graph stands for. */
public enum NodeKind {
  /** An instrumented service, named by its {@code service.name}. */
  SERVICE,
  /** A database reached by a client span with {@code db.system}, named by its database attributes. */
  DATABASE,
  /** A messaging system between producers and consumers, named by {@code messaging.system}. */
  MESSAGING,
  /** An uninstrumented peer, named by a client span's {@code peer.service} or similar attribute. */
  PEER;

  /** The lowercase name the JSON APIs use: {@code service}, {@code database}, … */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
