package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

/** A span's status: a code and, usually only for {@link StatusCode#ERROR}, a message. */
public record Status(StatusCode code, String message) {
  public static final Status UNSET = new Status(StatusCode.UNSET, "");
  public static final Status OK = new Status(StatusCode.OK, "");
  public static final Status ERROR = new Status(StatusCode.ERROR, "");

  public Status {
    requireNonNull(code, "code");
    requireNonNull(message, "message");
  }

  /** Interns the common message-less statuses. */
  public static Status of(StatusCode code, String message) {
    if (message.isEmpty()) {
      switch (code) {
        case UNSET: return UNSET;
        case OK: return OK;
        default: return ERROR;
      }
    }
    return new Status(code, message);
  }
}
