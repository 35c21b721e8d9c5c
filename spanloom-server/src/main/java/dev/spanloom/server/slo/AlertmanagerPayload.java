package dev.spanloom.server.slo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The JSON body Alertmanager's webhook receiver posts (version 4), so that whatever reads
 * Alertmanager's webhooks reads Spanloom's: {@code groupKey}, {@code status}, {@code receiver},
 * {@code groupLabels}, {@code commonLabels}, {@code commonAnnotations}, {@code externalURL} and
 * {@code alerts[]} with {@code fingerprint}s. A firing alert ends at {@code 0001-01-01T00:00:00Z},
 * as in Alertmanager.
 */
final class AlertmanagerPayload {
  static final String RECEIVER = "spanloom";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private AlertmanagerPayload() {}

  static byte[] json(AlertNotification n, String externalUrl) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "4");
    root.put("groupKey", "{}:" + labelSet(n.groupLabels()));
    root.put("truncatedAlerts", 0);
    root.put("status", n.status());
    root.put("receiver", RECEIVER);
    root.set("groupLabels", object(n.groupLabels()));
    root.set("commonLabels", object(common(n, true)));
    root.set("commonAnnotations", object(common(n, false)));
    root.put("externalURL", externalUrl);
    ArrayNode alerts = root.putArray("alerts");
    for (AlertNotification.Alert a : n.alerts()) {
      ObjectNode alert = alerts.addObject();
      alert.put("status", a.status());
      alert.set("labels", object(a.labels()));
      alert.set("annotations", object(a.annotations()));
      alert.put("startsAt", a.startsAt().toString());
      alert.put("endsAt", a.endsAt() == null ? ZERO_TIME : a.endsAt().toString());
      alert.put("generatorURL", externalUrl.isEmpty() ? "" : stripSlash(externalUrl) + "/api/slo");
      alert.put("fingerprint", fingerprint(a.labels()));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The labels or annotations every alert of the group has with the same value. */
  private static Map<String, String> common(AlertNotification n, boolean labels) {
    Map<String, String> common = null;
    for (AlertNotification.Alert a : n.alerts()) {
      Map<String, String> m = labels ? a.labels() : a.annotations();
      if (common == null) {
        common = new HashMap<>(m);
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
      }
    }
    return common == null ? Map.of() : common;
  }

  /** A stable 64-bit FNV-1a hash of the sorted labels, in hex, as Alertmanager's fingerprints look. */
  static String fingerprint(Map<String, String> labels) {
    long h = 0xcbf29ce484222325L;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      for (byte b : (e.getKey() + "\u00ff" + e.getValue() + "\u00ff").getBytes(StandardCharsets.UTF_8)) {
        h ^= b & 0xff;
        h *= 0x100000001b3L;
      }
    }
    return String.format("%016x", h);
  }

  private static String labelSet(Map<String, String> labels) {
    return new TreeMap<>(labels).entrySet().stream()
        .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static ObjectNode object(Map<String, String> m) {
    ObjectNode o = JSON.createObjectNode();
    new TreeMap<>(m).forEach(o::put);
    return o;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
