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
    return exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization + "\r\nConnection: close\r\n\r\n", null);
  }

  /** A JSON POST whose body is sent in chunks of 64 KiB (no Content-Length). */
  static Answer postChunked(String target, String authorization, byte[] body) {
    String head =
        "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    return exchange(head, body);
  }

  private static Answer exchange(String head, byte[] chunkedBody) {
    try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (chunkedBody != null) {
        writeChunked(out, chunkedBody);
      }
      out.flush();
      byte[] all = readAnswer(s.getInputStream());
      String text = new String(all, StandardCharsets.ISO_8859_1);
      int split = text.indexOf("\r\n\r\n");
      String[] lines = (split < 0 ? text : text.substring(0, split)).split("\r\n");
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

  /** Writes the body in chunks; the server may answer and close before it has read them all. */
  private static void writeChunked(OutputStream out, byte[] body) {
    try {
      for (int at = 0; at < body.length; at += 65536) {
        int n = Math.min(65536, body.length - at);
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, at, n);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      // the server stopped reading (it answered early); its answer is still read
    }
  }

  /** Everything the server sent until it closed, even if it then reset the connection. */
  private static byte[] readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) != -1) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      if (all.size() == 0) {
        throw e;
      }
    }
    return all.toByteArray();
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
