package dev.spanloom.sampling;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;

/**
 * The OpenTelemetry SDK's {@code ParentBased}: a root span is decided by {@code root}; a span
 * with a parent by one of four samplers chosen by whether the parent is remote and sampled. By
 * default sampled parents are followed ({@code AlwaysOn}) and unsampled ones too ({@code
 * AlwaysOff}).
 */
public final class ParentBasedSampler implements Sampler {
  private final Sampler root;
  private final Sampler remoteParentSampled;
  private final Sampler remoteParentNotSampled;
  private final Sampler localParentSampled;
  private final Sampler localParentNotSampled;

  private ParentBasedSampler(Builder b) {
    this.root = b.root;
    this.remoteParentSampled = b.remoteParentSampled;
    this.remoteParentNotSampled = b.remoteParentNotSampled;
    this.localParentSampled = b.localParentSampled;
    this.localParentNotSampled = b.localParentNotSampled;
  }

  public static Builder builder(Sampler root) {
    return new Builder(root);
  }

  @Override
  public SamplingResult shouldSample(SamplingParent parent, TraceId traceId, String name, SpanKind kind, Attributes attributes) {
    Sampler delegate;
    if (!parent.exists()) delegate = root;
    else if (parent.remote()) delegate = parent.sampled() ? remoteParentSampled : remoteParentNotSampled;
    else delegate = parent.sampled() ? localParentSampled : localParentNotSampled;
    return delegate.shouldSample(parent, traceId, name, kind, attributes);
  }

  @Override
  public String description() {
    return "ParentBased{root:" + root.description()
        + ",remoteParentSampled:" + remoteParentSampled.description()
        + ",remoteParentNotSampled:" + remoteParentNotSampled.description()
        + ",localParentSampled:" + localParentSampled.description()
        + ",localParentNotSampled:" + localParentNotSampled.description() + "}";
  }

  @Override
  public String toString() {
    return description();
  }

  /** Overrides for the four parent cases; the root sampler is required. */
  public static final class Builder {
    private final Sampler root;
    private Sampler remoteParentSampled = Sampler.alwaysOn();
    private Sampler remoteParentNotSampled = Sampler.alwaysOff();
    private Sampler localParentSampled = Sampler.alwaysOn();
    private Sampler localParentNotSampled = Sampler.alwaysOff();

    private Builder(Sampler root) {
      this.root = requireNonNull(root, "root");
    }

    public Builder remoteParentSampled(Sampler sampler) {
      this.remoteParentSampled = requireNonNull(sampler, "remoteParentSampled");
      return this;
    }

    public Builder remoteParentNotSampled(Sampler sampler) {
      this.remoteParentNotSampled = requireNonNull(sampler, "remoteParentNotSampled");
      return this;
    }

    public Builder localParentSampled(Sampler sampler) {
      this.localParentSampled = requireNonNull(sampler, "localParentSampled");
      return this;
    }

    public Builder localParentNotSampled(Sampler sampler) {
      this.localParentNotSampled = requireNonNull(sampler, "localParentNotSampled");
      return this;
    }

    public ParentBasedSampler build() {
      return new ParentBasedSampler(this);
    }
  }
}
