package dev.plugboard.support;

import dev.plugboard.api.ChangeFeed;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Raw SQL against the application's database, for asserting what is really stored. */
@ApplicationScoped
public class Db {

  /** The tables whose changes the app's caches hear by NOTIFY (migrations V6 and V16; users by its keys' cascade). */
  private static final Pattern ANNOUNCED =
      Pattern.compile("\\b(connections|connection_headers|oauth_tokens|gateway_sessions|api_keys|memberships|teams|organizations|users)\\b");

  @Inject AgroalDataSource dataSource;
  @Inject ChangeFeed feed;

  /**
   * Runs a change; one to a table the app caches returns once the app has heard it (its caches keep
   * the promise "within 1 s", and a test's next request may come sooner).
   */
  public int update(String sql, Object... args) {
    int changed;
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = prepare(c, sql, args)) {
      changed = s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    if (ANNOUNCED.matcher(sql.toLowerCase(Locale.ROOT)).find()) {
      long committed = System.nanoTime();
      Await.until("the app heard the change", 10, () -> feed.heardSince(committed));
    }
    return changed;
  }

  public List<List<Object>> query(String sql, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = prepare(c, sql, args);
        ResultSet r = s.executeQuery()) {
      List<List<Object>> rows = new ArrayList<>();
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(r.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public long count(String sql, Object... args) {
    return ((Number) query(sql, args).get(0).get(0)).longValue();
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      s.setObject(i + 1, args[i]);
    }
    return s;
  }
}
