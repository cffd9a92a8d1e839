package dev.plugboard.oauth;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The native providers a link or a start may name: those configured (DESIGN §6), by slug. */
@ApplicationScoped
public class ProviderCatalog {

  private final OAuthConfig config;
  private final NativeProviders natives;

  ProviderCatalog(OAuthConfig config, NativeProviders natives) {
    this.config = config;
    this.natives = natives;
  }

  /** The configured providers' slugs, sorted. */
  public List<String> configured() {
    return config.providers().keySet().stream().filter(slug -> natives.find(slug).isPresent()).sorted().toList();
  }
}
