package io.vizrelay.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain TCP client for what an HTTP library will not do: send headers and only part of a body,
 * connect from another loopback source address, or drop a WebSocket without a close frame.
 */
public final class RawHttp implements AutoCloseable {
  /** How long a read waits for the server before the test gives up on it. */
  static final int READ_DEADLINE_MS = 20_000;

  final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  public static RawHttp connect(int port) throws IOException {
    return connect(port, "127.0.0.1");
  }

  /** Connects to the server on 127.0.0.1 from {@code source} (any 127.x.y.z on Linux). */
  public static RawHttp connect(int port, String source) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(READ_DEADLINE_MS);
    return new RawHttp(s);
  }

  public void write(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }

  /**
   * The response head (status line and headers) or null when none came before the deadline or EOF.
   */
  public String readHead() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      while (true) {
        int b = in.read();
        if (b < 0) {
          return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
        }
        head.write(b);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (text.endsWith("\r\n\r\n")) {
          return text;
        }
      }
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  /** The status code of a response head, or -1 for none. */
  public static int status(String head) {
    if (head == null || !head.startsWith("HTTP/1.1 ")) {
      return -1;
    }
    return Integer.parseInt(head.substring(9, 12));
  }

  /** True when the server closed the connection (EOF or reset) before the read deadline. */
  boolean closedByServer() throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // drain what the server still sends
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /**
   * A WebSocket handshake request for {@code uri} with extra header lines ({@code "Name: value"}).
   */
  public static String upgrade(int port, String uri, String... headers) {
    StringBuilder sb =
        new StringBuilder(
            "GET "
                + uri
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /** Drops the connection with a TCP reset: no close frame, no FIN handshake. */
  public void drop() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
