package dev.plugboard.support;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Raw SQL against the application's database, for asserting what is really stored. */
@ApplicationScoped
public class Db {

  @Inject AgroalDataSource dataSource;

  public int update(String sql, Object... args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = prepare(c, sql, args)) {
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
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
