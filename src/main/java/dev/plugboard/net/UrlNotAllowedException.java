package dev.plugboard.net;

import dev.plugboard.api.ApiException;

/** A URL the outbound policy refuses: 400 {@code url_not_allowed}. */
public class UrlNotAllowedException extends ApiException {
  public UrlNotAllowedException(String message) {
    super(400, "url_not_allowed", message);
  }
}
