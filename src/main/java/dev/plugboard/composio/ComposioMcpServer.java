package dev.plugboard.composio;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The Composio MCP server Plugboard created for an auth config, reused for all its accounts. */
@Entity
@Table(name = "composio_mcp_servers")
public class ComposioMcpServer extends PanacheEntityBase {
  @Id
  @Column(name = "auth_config_id")
  public String authConfigId;

  @Column(name = "mcp_server_id", nullable = false) public String mcpServerId;
  @Column(nullable = false) public String name;
  @Column(name = "created_at", nullable = false) public Instant createdAt;
}
