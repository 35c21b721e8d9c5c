package dev.spanloom.server.config;

import dev.spanloom.pipeline.config.ConfigException;
import java.net.InetSocketAddress;

/** A listen address in the Collector's {@code host:port} form ({@code 0.0.0.0:4317}, {@code :4317}, {@code [::1]:4317}). */
public record Endpoint(String host, int port) {
  public static Endpoint parse(String path, String value) {
    int colon = value.lastIndexOf(':');
    if (colon < 0) throw new ConfigException(path + ": \"" + value + "\" (expected: host:port such as 0.0.0.0:4317)");
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty()) host = "0.0.0.0";
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException(path + ": \"" + value + "\" (expected: a port from 0 to 65535 after the colon)");
    }
    return new Endpoint(host, port);
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
