package dev.plugboard.api;

import java.util.UUID;
import java.util.regex.Pattern;

/** Strict UUID parsing for path and body ids: anything else is {@code validation_failed}. */
public final class Ids {

  private static final Pattern UUID_SHAPE =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Ids() {}

  /** Whether {@code value} is a UUID as {@link #parse} takes it. */
  public static boolean isUuid(String value) {
    return value != null && UUID_SHAPE.matcher(value).matches();
  }

  public static UUID parse(String field, String value) {
    if (!isUuid(value)) {
      throw ApiException.validation(field, "must be a UUID");
    }
    return UUID.fromString(value);
  }
}
