package dev.plugboard.tenancy;

import dev.plugboard.api.ApiException;
import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current {@code /v1} request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class CurrentCaller {

  private Caller caller;

  void set(Caller caller) {
    this.caller = caller;
  }

  public Caller get() {
    if (caller == null) {
      throw ApiException.invalidToken();
    }
    return caller;
  }
}
