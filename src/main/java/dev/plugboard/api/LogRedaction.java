package dev.plugboard.api;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Last line of defence for secrets in logs: whatever a library or a careless line writes, values
 * of credential headers ({@code Authorization}, {@code x-api-key}...), token-like fields
 * ({@code access_token}, {@code client_secret}, {@code code_verifier}...), OAuth callback query
 * parameters ({@code code}, {@code state}), connect-link tokens in {@code /connect/} paths and
 * Plugboard API keys are replaced by {@code [REDACTED]}
 * before a handler formats the record. Installed on the console and file handlers.
 */
@LoggingFilter(name = "plugboard-redact")
public final class LogRedaction implements Filter {

  public static final String MASK = "[REDACTED]";

  private static final Pattern CREDENTIAL_HEADER =
      Pattern.compile(
          "(?i)((?:proxy-)?authorization|x-api-key|api[-_]key|cookie|set-cookie)(\"?\\s*[:=]\\s*\"?)"
              + "((?:bearer|basic|token)\\s+)?[^\\s\",;}\\]]+");
  private static final Pattern TOKEN_FIELD =
      Pattern.compile(
          "(?i)\\b(access_token|refresh_token|id_token|client_secret|code_verifier|password|secret|token)"
              + "(\"?\\s*[:=]\\s*\"?)[^\\s\"&,;}\\]]+");
  private static final Pattern QUERY_SECRET = Pattern.compile("(?i)([?&](?:code|state)=)[^&\\s\"]+");
  private static final Pattern API_KEY = Pattern.compile("\\bpb_[A-Za-z0-9_-]{16,}");
  /** A connect link's page path (and Composio's return path) carries its bearer token. */
  private static final Pattern CONNECT_PATH = Pattern.compile("(/connect/(?:return/)?)[A-Za-z0-9_-]{32,}");

  @Override
  public boolean isLoggable(LogRecord record) {
    String message = formatted(record);
    if (message == null) {
      return true;
    }
    String clean = redact(message);
    if (!clean.equals(message)) {
      if (record instanceof ExtLogRecord ext) {
        ext.setMessage(clean, ExtLogRecord.FormatStyle.NO_FORMAT);
      } else {
        record.setMessage(clean);
      }
      record.setParameters(null);
    }
    return true;
  }

  private static String formatted(LogRecord record) {
    if (record instanceof ExtLogRecord ext) {
      return ext.getFormattedMessage();
    }
    return record.getMessage();
  }

  /** The text with every recognised secret value replaced by {@link #MASK}. */
  public static String redact(String text) {
    String out = replace(CREDENTIAL_HEADER, text, m -> m.group(1) + m.group(2) + (m.group(3) == null ? "" : m.group(3)) + MASK);
    out = replace(TOKEN_FIELD, out, m -> m.group(1) + m.group(2) + MASK);
    out = replace(QUERY_SECRET, out, m -> m.group(1) + MASK);
    out = replace(CONNECT_PATH, out, m -> m.group(1) + MASK);
    return replace(API_KEY, out, m -> "pb_" + MASK);
  }

  private static String replace(Pattern p, String text, java.util.function.Function<Matcher, String> with) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder sb = new StringBuilder();
    do {
      m.appendReplacement(sb, Matcher.quoteReplacement(with.apply(m)));
    } while (m.find());
    m.appendTail(sb);
    return sb.toString();
  }
}
