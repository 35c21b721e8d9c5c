package dev.spanloom.bench;

import dev.spanloom.otlp.OtlpJson;
import dev.spanloom.otlp.OtlpTranslator;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The OTLP receive path up to the span model, on one export request of {@value #SPANS} spans
 * over {@value #RESOURCES} services ({@link SyntheticTraces}). Throughput mode with
 * {@code @OperationsPerInvocation(SPANS)}: every score is <em>spans per second</em> on one thread.
 *
 * <p>Decoding alone is not measured on a pre-parsed request: protobuf caches decoded strings in
 * the message, so a reused request would flatter it. {@code protobufParseAndDecode} minus
 * {@code protobufParse} is the translator's share.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(OtlpDecodeBenchmark.SPANS)
// Five warmup rounds: on a busy 2-core machine, three left parse+decode still being compiled.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
// A fixed heap keeps GC behaviour comparable from run to run and machine to machine.
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class OtlpDecodeBenchmark {
  static final int SPANS = 512;
  static final int RESOURCES = 8;
  // A fixed end time and seed make the fixture the same bytes on every run.
  private static final long END_EPOCH_NANOS = 1_750_000_000_000_000_000L;

  byte[] protobuf;
  byte[] json;

  @Setup
  public void setup() {
    ExportTraceServiceRequest request =
        SyntheticTraces.create(RESOURCES, 42).request(SPANS, RESOURCES, END_EPOCH_NANOS);
    protobuf = request.toByteArray();
    json = SyntheticTraces.toOtlpJson(request);
    // A fixture the translator refuses would measure the rejection path, not decoding.
    requireAllDecoded(OtlpTranslator.decode(request), "protobuf");
    requireAllDecoded(OtlpTranslator.decode(OtlpJson.parseRequest(json)), "OTLP/JSON");
  }

  @Benchmark
  public void protobufParse(Blackhole bh) throws Exception {
    bh.consume(ExportTraceServiceRequest.parseFrom(protobuf));
  }

  @Benchmark
  public void protobufParseAndDecode(Blackhole bh) throws Exception {
    bh.consume(OtlpTranslator.decode(ExportTraceServiceRequest.parseFrom(protobuf)).spans());
  }

  @Benchmark
  public void jsonParseAndDecode(Blackhole bh) {
    bh.consume(OtlpTranslator.decode(OtlpJson.parseRequest(json)).spans());
  }

  private static void requireAllDecoded(OtlpTranslator.Decoded decoded, String format) {
    if (decoded.spans().size() != SPANS || decoded.rejected() != 0) {
      throw new IllegalStateException(format + " fixture: " + decoded.spans().size() + " spans decoded, "
          + decoded.rejected() + " rejected (expected: " + SPANS + ", 0): " + decoded.errorMessage());
    }
  }
}
