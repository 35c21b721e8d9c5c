package dev.spanloom.server.slo;

/** Where the engine hands alert changes. Must not block: the engine calls it while it evaluates. */
@FunctionalInterface
public interface AlertNotifier {
  AlertNotifier NONE = n -> {};

  void notify(AlertNotification notification);
}
