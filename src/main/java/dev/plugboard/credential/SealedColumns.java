package dev.plugboard.credential;

import java.util.List;
import java.util.function.Function;

/**
 * Declares table columns that hold {@link Crypto} ciphertext, so key rotation re-encrypts them.
 * Packages that store their own secrets (OAuth flows, client registrations...) implement this as a
 * CDI bean; nothing else is needed for their rows to follow a key rotation.
 */
public interface SealedColumns {

  /**
   * A text column of ciphertext. {@code idColumn} is the row's primary key; {@code where} selects
   * the rows whose value is ciphertext (SQL, e.g. {@code "secret"}, or {@code "true"}); {@code aad}
   * gives the AAD context the value was encrypted with, from the row id.
   */
  record Column(String table, String idColumn, String valueColumn, String where, Function<Object, String> aad) {
    public String label() {
      return table + "." + valueColumn;
    }
  }

  List<Column> sealedColumns();
}
