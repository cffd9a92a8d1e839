package dev.plugboard.api;

import java.util.List;

/** Strict query-parameter parsing: bad or repeated values are {@code validation_failed}, never 404. */
public final class Params {

  private Params() {}

  public static String single(String name, List<String> values) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.validation(name, "must be given at most once");
    }
    return values.get(0);
  }

  public static long integer(String name, List<String> values, long dflt, long min, long max) {
    String raw = single(name, values);
    if (raw == null) {
      return dflt;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw ApiException.validation(name, "must be an integer between " + min + " and " + max);
    }
    if (value < min || value > max) {
      throw ApiException.validation(name, "must be an integer between " + min + " and " + max);
    }
    return value;
  }
}
