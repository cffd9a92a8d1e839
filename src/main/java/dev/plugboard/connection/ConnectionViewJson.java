package dev.plugboard.connection;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * Writes {@link ConnectionView}, the object of every hot read (by id, each item of a list), field by
 * field instead of through Jackson's reflection. The output is the record's own JSON exactly
 * ({@code ConnectionViewJsonTest} compares the two), so the record stays the contract and the
 * OpenAPI schema.
 */
@Singleton
public class ConnectionViewJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.registerModule(new SimpleModule("connection-view").addSerializer(ConnectionView.class, new Writer()));
  }

  static final class Writer extends StdSerializer<ConnectionView> {

    Writer() {
      super(ConnectionView.class);
    }

    @Override
    public void serialize(ConnectionView v, JsonGenerator g, SerializerProvider provider) throws IOException {
      g.writeStartObject();
      uuid(g, "id", v.id());
      g.writeStringField("name", v.name());
      g.writeStringField("slug", v.slug());
      g.writeStringField("type", v.type());
      g.writeStringField("provider", v.provider());
      uuid(g, "user_id", v.userId());
      uuid(g, "team_id", v.teamId());
      g.writeStringField("server_url", v.serverUrl());
      g.writeStringField("transport_type", v.transportType());
      g.writeStringField("auth_method", v.authMethod());
      g.writeStringField("composio_mcp_id", v.composioMcpId());
      uuid(g, "custom_integration_id", v.customIntegrationId());
      g.writeStringField("icon_url", v.iconUrl());
      g.writeStringField("oauth_provider", v.oauthProvider());
      g.writeStringField("oauth_provider_key", v.oauthProviderKey());
      strings(g, "oauth_scopes", v.oauthScopes());
      g.writeBooleanField("has_headers", v.hasHeaders());
      g.writeBooleanField("has_oauth_tokens", v.hasOauthTokens());
      g.writeStringField("integration_id", v.integrationId());
      g.writeBooleanField("shared", v.shared());
      strings(g, "allowed_tools", v.allowedTools());
      uuid(g, "created_by", v.createdBy());
      g.writeStringField("broken_at", v.brokenAt());
      g.writeStringField("broken_reason", v.brokenReason());
      g.writeStringField("created_at", v.createdAt());
      g.writeStringField("updated_at", v.updatedAt());
      g.writeEndObject();
    }

    private static void uuid(JsonGenerator g, String name, UUID value) throws IOException {
      g.writeStringField(name, value == null ? null : value.toString());
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
      if (values == null) {
        g.writeNullField(name);
        return;
      }
      g.writeArrayFieldStart(name);
      for (String s : values) {
        g.writeString(s);
      }
      g.writeEndArray();
    }
  }
}
