package dev.plugboard.credential;

import dev.plugboard.api.MaintenanceConfig;
import dev.plugboard.api.MaintenanceTask;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Key rotation: re-encrypts every {@link SealedColumns} value that is not under the active key, in
 * short batches ({@code FOR UPDATE SKIP LOCKED}, so replicas share the work and live requests only
 * wait for one batch). A value that cannot be decrypted (unknown key id, tampered) is logged loudly
 * and skipped: it fails that row only. Runs as a maintenance task and on the admin endpoint.
 */
@ApplicationScoped
public class KeyRotation implements MaintenanceTask {

  private static final Logger LOG = Logger.getLogger(KeyRotation.class);

  /** Per column: values re-encrypted and values that could not be decrypted. */
  public record Report(String activeKey, Map<String, Long> reencrypted, Map<String, Long> failed) {}

  /** Per key id: how many stored values use it, and whether it is configured. */
  public record KeyUse(String id, boolean active, boolean configured, long values) {}

  @Inject Crypto crypto;
  @Inject DataSource dataSource;
  @Inject MaintenanceConfig maintenance;
  @Inject @Any Instance<SealedColumns> declared;

  @Override
  public String name() {
    return "crypto.reencrypt";
  }

  @Override
  public long run() {
    return rotate().reencrypted().values().stream().mapToLong(Long::longValue).sum();
  }

  public Report rotate() {
    Map<String, Long> done = new TreeMap<>();
    Map<String, Long> failed = new TreeMap<>();
    for (SealedColumns.Column column : columns()) {
      long[] counts = reencrypt(column);
      done.merge(column.label(), counts[0], Long::sum);
      failed.merge(column.label(), counts[1], Long::sum);
    }
    return new Report(crypto.activeKeyId(), done, failed);
  }

  public String activeKeyId() {
    return crypto.activeKeyId();
  }

  /** Which key ids stored values use; a retired key may be removed once its count is 0. */
  public List<KeyUse> usage() {
    Map<String, Long> counts = new TreeMap<>();
    for (SealedColumns.Column c : columns()) {
      String sql =
          "SELECT split_part(%2$s, ':', 1), count(*) FROM %1$s WHERE (%3$s) AND %2$s IS NOT NULL GROUP BY 1"
              .formatted(c.table(), c.valueColumn(), c.where());
      try (Connection conn = dataSource.getConnection();
          PreparedStatement ps = conn.prepareStatement(sql);
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.merge(rs.getString(1), rs.getLong(2), Long::sum);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("key usage query failed on " + c.label(), e);
      }
    }
    for (String id : crypto.keyIds()) {
      counts.putIfAbsent(id, 0L);
    }
    List<KeyUse> out = new ArrayList<>();
    counts.forEach(
        (id, n) -> out.add(new KeyUse(id, id.equals(crypto.activeKeyId()), crypto.keyIds().contains(id), n)));
    return out;
  }

  private List<SealedColumns.Column> columns() {
    List<SealedColumns.Column> all = new ArrayList<>();
    declared.forEach(d -> all.addAll(d.sealedColumns()));
    return all;
  }

  /** Walks the column by primary key, one transaction per batch. Returns {re-encrypted, failed}. */
  private long[] reencrypt(SealedColumns.Column c) {
    String select =
        ("SELECT %2$s, %3$s FROM %1$s WHERE (%4$s) AND %3$s IS NOT NULL AND split_part(%3$s, ':', 1) <> ?"
                + " AND (?::text IS NULL OR %2$s::text > ?::text) ORDER BY %2$s::text LIMIT ? FOR UPDATE SKIP LOCKED")
            .formatted(c.table(), c.idColumn(), c.valueColumn(), c.where());
    String update = "UPDATE %1$s SET %3$s = ? WHERE %2$s = ? AND %3$s = ?".formatted(c.table(), c.idColumn(), c.valueColumn());
    int batch = Math.max(1, maintenance.batchSize());
    long[] counts = new long[2];
    String[] after = {null};
    boolean more = true;
    while (more) {
      more =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    int seen = 0;
                    try (Connection conn = dataSource.getConnection();
                        PreparedStatement ps = conn.prepareStatement(select);
                        PreparedStatement up = conn.prepareStatement(update)) {
                      ps.setString(1, crypto.activeKeyId());
                      ps.setString(2, after[0]);
                      ps.setString(3, after[0]);
                      ps.setInt(4, batch);
                      try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                          seen++;
                          Object id = rs.getObject(1);
                          String stored = rs.getString(2);
                          after[0] = id.toString();
                          String context = c.aad().apply(id);
                          String plain;
                          try {
                            plain = crypto.decrypt(stored, context);
                          } catch (Crypto.DecryptionException e) {
                            counts[1]++;
                            LOG.errorf("cannot re-encrypt %s of row %s: %s", c.label(), id, e.getMessage());
                            continue;
                          }
                          up.setString(1, crypto.encrypt(plain, context));
                          up.setObject(2, id);
                          up.setString(3, stored);
                          counts[0] += up.executeUpdate();
                        }
                      }
                    }
                    return seen == batch;
                  });
    }
    return counts;
  }
}
