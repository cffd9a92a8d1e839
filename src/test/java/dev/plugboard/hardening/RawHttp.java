package dev.plugboard.hardening;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** HTTP/1.1 over a socket, for request targets that HTTP client libraries refuse to send. */
final class RawHttp {

  private RawHttp() {}

  record Answer(int status, String contentType, String body) {}

  static Answer get(String target, String authorization) {
    try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      String request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization + "\r\nConnection: close\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      byte[] all = s.getInputStream().readAllBytes();
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int split = text.indexOf("\r\n\r\n");
      String head = split < 0 ? text : text.substring(0, split);
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      String type = null;
      boolean chunked = false;
      for (String line : lines) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-type:")) {
          type = line.substring(13).trim();
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      byte[] body = split < 0 ? new byte[0] : java.util.Arrays.copyOfRange(all, split + 4, all.length);
      return new Answer(status, type, new String(chunked ? dechunk(body) : body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] dechunk(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(body);
    while (true) {
      StringBuilder size = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          size.append((char) c);
        }
      }
      int n = size.length() == 0 ? 0 : Integer.parseInt(size.toString().split(";")[0].trim(), 16);
      if (n == 0) {
        return out.toByteArray();
      }
      out.write(in.readNBytes(n));
      in.read();
      in.read();
    }
  }
}
