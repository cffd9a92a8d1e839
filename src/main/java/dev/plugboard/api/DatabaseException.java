package dev.plugboard.api;

import java.sql.SQLException;

/** A JDBC failure of the api/ infrastructure (rate limits, idempotency); carries no request data. */
public class DatabaseException extends RuntimeException {
  public DatabaseException(String message, SQLException cause) {
    super(message, cause);
  }
}
